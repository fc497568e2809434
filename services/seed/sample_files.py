"""Real file bytes that pass the upload checks (services/forms/uploads.py): small plain JPEGs,
PNGs and PDFs, and, for the demo's cases, photos drawn to look like what residents send (a
pothole in the tarmac, rubbish dumped on a verge).

They live here rather than in tests/ because `seed_demo` stores them as the demo cases' files,
and production code never imports tests; the tests import them from here (tests/file_samples.py).
Only Pillow and pypdf draw them, the libraries the upload checks read them with.
"""

from __future__ import annotations

import io
import math
import random
from functools import cache

from PIL import Image, ImageDraw, ImageFilter
from pypdf import PdfWriter

PHOTO_SIZE = (640, 480)  # a phone photo scaled down: big enough to see, ~40 KB as a JPEG


def jpeg_bytes(colour: tuple[int, int, int] = (200, 30, 30), size: int = 16) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def png_bytes(colour: tuple[int, int, int] = (30, 120, 200), size: int = 16) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(buffer, "PNG")
    return buffer.getvalue()


def pdf_bytes(title: str = "") -> bytes:
    """A one-page PDF; a `title` in its metadata makes its bytes differ from another's."""
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    if title:
        writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pothole_photo(rng: random.Random) -> bytes:
    """A JPEG of grainy tarmac with a dark, ragged hole in it and a white line beside it."""
    image = _grainy(rng, (92, 92, 96), spread=28)
    draw = ImageDraw.Draw(image)
    width, height = PHOTO_SIZE
    line_x = rng.randint(40, width - 40)
    draw.polygon(
        [(line_x - 8, 0), (line_x + 8, 0), (line_x + 30, height), (line_x + 6, height)],
        fill=(215, 212, 200),
    )
    centre = (rng.randint(200, width - 200), rng.randint(180, height - 140))
    hole = _ragged(rng, centre, radius=rng.randint(70, 130))
    draw.polygon(hole, fill=(38, 36, 34))
    draw.polygon(_ragged(rng, centre, radius=40), fill=(70, 62, 50))  # water and grit in it
    return _jpeg(image.filter(ImageFilter.BoxBlur(1)))


def fly_tipping_photo(rng: random.Random) -> bytes:
    """A JPEG of a grass verge under a grey sky with bags and a broken box dumped on it."""
    image = _grainy(rng, (78, 120, 58), spread=40)
    draw = ImageDraw.Draw(image)
    width, height = PHOTO_SIZE
    draw.rectangle((0, 0, width, height // 3), fill=(180, 186, 192))  # sky
    x, y = rng.randint(80, width - 260), rng.randint(height // 3 + 20, height // 2)
    draw.rectangle((x, y, x + 180, y + 110), fill=(160, 120, 70))  # a cardboard box
    draw.line((x, y, x + 180, y + 110), fill=(120, 88, 50), width=5)
    for _ in range(rng.randint(3, 6)):  # black sacks
        x, y = rng.randint(60, width - 120), rng.randint(height // 2, height - 90)
        draw.ellipse((x, y, x + rng.randint(70, 110), y + rng.randint(60, 90)), fill=(22, 22, 26))
    return _jpeg(image.filter(ImageFilter.BoxBlur(1)))


def letter_pdf(title: str) -> bytes:
    """A one-page A4 PDF titled `title`, as a scanned letter is (its pages are not drawn)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _grainy(rng: random.Random, colour: tuple[int, int, int], spread: int) -> Image.Image:
    """A photo-sized image of `colour` with grain, so it compresses as a photo does."""
    base = Image.new("RGB", PHOTO_SIZE, colour)
    return Image.blend(base, _grain(spread), 0.25 + rng.random() * 0.1)


@cache
def _grain(spread: int) -> Image.Image:
    """Photo-sized noise, made once: it is most of the cost of drawing a photo, and a hundred
    photos with the same grain under different shapes still differ in every byte."""
    return Image.effect_noise(PHOTO_SIZE, spread).convert("RGB")


def _ragged(rng: random.Random, centre: tuple[int, int], radius: int) -> list[tuple[float, float]]:
    """The corners of an uneven blob around `centre`."""
    points = []
    for step in range(18):
        angle = 2 * math.pi * step / 18
        reach = radius * (0.7 + rng.random() * 0.45)
        points.append(
            (centre[0] + reach * math.cos(angle), centre[1] + reach * 0.6 * math.sin(angle))
        )
    return points


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()
