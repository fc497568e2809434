"""A webhook simulator on loopback and adapters configured to reach it."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from integrations.simulators.webhook import WebhookSimulator
from integrations.webhook.adapter import WebhookAdapter

SECRET = "test-signing-secret-0123456789"


@pytest.fixture
def sim() -> Iterator[WebhookSimulator]:
    with WebhookSimulator(SECRET, seed=11) as simulator:
        yield simulator


@pytest.fixture
def make_adapter(sim: WebhookSimulator) -> Callable[..., WebhookAdapter]:
    """An adapter whose options went through the config serializer, as an admin's would."""

    def make(**options: Any) -> WebhookAdapter:
        data = {"url": sim.records_url, "signing_secret": SECRET, **options}
        return WebhookAdapter(WebhookAdapter.validate_config(data))

    return make


@pytest.fixture
def adapter(make_adapter: Callable[..., WebhookAdapter]) -> WebhookAdapter:
    return make_adapter()
