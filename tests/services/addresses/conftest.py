import csv
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from integrations.simulators.os_places import OSPlacesSimulator
from services.addresses.local import COLUMNS

Row = dict[str, str]


def gazetteer_row(**values: str) -> Row:
    row = {
        "UPRN": "100000000001",
        "ADDRESS_LINE_1": "1 Test Street",
        "ADDRESS_LINE_2": "",
        "TOWN": "Middlehampton",
        "POSTCODE": "ZZ99 9AB",
        "LATITUDE": "52.24",
        "LONGITUDE": "-0.90",
    }
    row.update(values)
    return row


@pytest.fixture
def write_gazetteer(tmp_path: Path) -> Callable[..., Path]:
    """Writes rows (dicts by column) to a gazetteer CSV and returns its path."""

    def write(rows: list[Row], name: str = "gazetteer.csv") -> Path:
        path = tmp_path / name
        with path.open("w", newline="", encoding="utf-8") as file:
            writer = csv.DictWriter(file, fieldnames=list(COLUMNS))
            writer.writeheader()
            writer.writerows(rows)
        return path

    return write


@pytest.fixture
def os_places() -> Iterator[OSPlacesSimulator]:
    """The OS Places simulator serving the demo gazetteer on a free loopback port."""
    with OSPlacesSimulator(api_key="test-key") as simulator:
        yield simulator
