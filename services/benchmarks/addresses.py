"""How long a whole council's gazetteer takes to load, and how much memory it holds.

    python -m services.benchmarks.addresses [--rows 200000]

Writes a generated gazetteer of that many addresses (about 15 to a postcode, a fifth of them flats)
to a temporary file, loads it with LocalGazetteerProvider and reports the time taken, the memory
the provider keeps (tracemalloc) and the lookup time. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
import tracemalloc
from pathlib import Path

from services.addresses.local import COLUMNS, LocalGazetteerProvider

STREETS = ["High Street", "Mill Lane", "Church Road", "Station Road", "Victoria Avenue"]
KINDS = ["Road", "Street", "Lane", "Close", "Avenue", "Way", "Drive", "Grove", "Crescent"]
NAMES = ["Oak", "Ash", "Elm", "Beech", "Willow", "Meadow", "Park", "Orchard", "Brook", "Manor"]


def write_gazetteer(path: Path, rows: int, seed: int = 1) -> list[str]:
    """Writes `rows` addresses; returns some of their postcodes for lookups."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    postcodes: list[str] = []
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        uprn, written, district = 100_000_000_000, 0, 0
        while written < rows:
            district += 1
            street = f"{rng.choice(NAMES)} {rng.choice(KINDS)}"
            outward, unit = divmod(district, 4000)
            postcode = f"ZZ{outward % 90 + 10} {unit % 10}{_letters(unit // 10)}"
            postcodes.append(postcode)
            lat, lng = 52.0 + rng.random(), -1.5 + rng.random()
            for number in range(1, rng.randint(8, 22)):
                uprn += rng.randint(1, 9)
                flats = rng.random() < 0.05
                for flat in range(1, 7) if flats else (0,):
                    line1, line2 = (
                        (f"Flat {flat}", f"{number} {street}")
                        if flat
                        else (f"{number} {street}", "")
                    )
                    uprn += 1
                    writer.writerow(
                        [uprn, line1, line2, "Middlehampton", postcode, f"{lat:.6f}", f"{lng:.6f}"]
                    )
                    written += 1
    return postcodes


def _letters(n: int) -> str:
    alphabet = "ABDEFGHJLNPQRSTUWXYZ"
    return alphabet[n // len(alphabet) % len(alphabet)] + alphabet[n % len(alphabet)]


def main() -> None:
    parser = argparse.ArgumentParser(description="Measure loading a large gazetteer.")
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "gazetteer.csv"
        postcodes = write_gazetteer(path, args.rows)
        size = path.stat().st_size

        started = time.perf_counter()
        LocalGazetteerProvider(path)
        untraced = time.perf_counter() - started

        tracemalloc.start()
        provider = LocalGazetteerProvider(path)
        kept, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        started = time.perf_counter()
        found = sum(len(provider.find_by_postcode(pc)) for pc in postcodes)
        lookup = (time.perf_counter() - started) / len(postcodes)

    print(f"rows: {len(provider):,} in {len(postcodes):,} postcodes ({size / 1e6:.1f} MB of CSV)")
    print(f"load: {untraced:.2f} s")
    print(f"memory kept: {kept / 1e6:.1f} MB (peak while loading {peak / 1e6:.1f} MB)")
    print(f"lookup by postcode: {lookup * 1e6:.1f} µs on average ({found:,} addresses found)")


if __name__ == "__main__":
    main()
