"""A CRM simulator (with its token endpoint) on loopback, adapters configured to reach it, and
the files a resident might send."""

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfWriter

from integrations import oauth2
from integrations.base import DeliveryFile
from integrations.crm.adapter import CRMAdapter
from integrations.simulators.crm import CRMSimulator

CLIENT_ID = "portal-test-client"
CLIENT_SECRET = "test-client-secret-0123456789"


@pytest.fixture(autouse=True)
def _no_cached_tokens() -> Iterator[None]:
    # Tokens are cached per process; each test starts as a freshly started worker would.
    oauth2.clear_cache()
    yield
    oauth2.clear_cache()


def options_for(sim: CRMSimulator, **options: Any) -> dict[str, Any]:
    common = {
        "base_url": sim.url,
        "token_url": sim.token_url,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    if sim.style == "dynamics":
        style = {
            "api_style": "dynamics",
            "entity_set": sim.entity_set,
            "alternate_key_name": sim.alternate_key,
            "id_attribute": sim.id_attribute,
            "scope": f"{sim.url}/.default",
        }
    else:
        style = {
            "api_style": "salesforce",
            "sobject": sim.sobject,
            "external_id_field": sim.external_id_field,
        }
    return {**common, **style, **options}


def adapter_for(sim: CRMSimulator, **options: Any) -> CRMAdapter:
    """An adapter whose options went through the config serializer, as an admin's would."""
    return CRMAdapter(CRMAdapter.validate_config(options_for(sim, **options)))


@pytest.fixture
def sim() -> Iterator[CRMSimulator]:
    with CRMSimulator(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, seed=5) as simulator:
        yield simulator


@pytest.fixture
def salesforce() -> Iterator[CRMSimulator]:
    with CRMSimulator(
        style="salesforce", client_id=CLIENT_ID, client_secret=CLIENT_SECRET, seed=5
    ) as simulator:
        yield simulator


@pytest.fixture
def make_adapter(sim: CRMSimulator) -> Callable[..., CRMAdapter]:
    return lambda **options: adapter_for(sim, **options)


@pytest.fixture
def adapter(sim: CRMSimulator) -> CRMAdapter:
    return adapter_for(sim)


def photo_bytes(image_format: str, colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), colour).save(buffer, image_format)
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def two_photos_and_a_pdf() -> list[DeliveryFile]:
    """Real JPEG, PNG and PDF bytes, as the delivery engine would hand them over."""
    return [
        DeliveryFile.from_bytes(
            "photo", "fly-tipping.jpg", "image/jpeg", photo_bytes("JPEG", (90, 80, 70))
        ),
        DeliveryFile.from_bytes(
            "close_up", "close up.png", "image/png", photo_bytes("PNG", (200, 30, 30))
        ),
        DeliveryFile.from_bytes("evidence", "letter.pdf", "application/pdf", pdf_bytes()),
    ]
