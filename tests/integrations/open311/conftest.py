"""An Open311 simulator on loopback and adapters configured to reach it."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from integrations.open311.adapter import Open311Adapter
from integrations.simulators.open311 import Open311Simulator

API_KEY = "test-open311-key-0123"


@pytest.fixture
def sim() -> Iterator[Open311Simulator]:
    with Open311Simulator(API_KEY, seed=7) as simulator:
        yield simulator


@pytest.fixture
def make_adapter(sim: Open311Simulator) -> Callable[..., Open311Adapter]:
    """An adapter whose options went through the config serializer, as an admin's would."""

    def make(**options: Any) -> Open311Adapter:
        data = {
            "endpoint": sim.endpoint,
            "api_key": API_KEY,
            "service_code": "POTHOLE",
            "poll_token_interval": 0.01,
            **options,
        }
        return Open311Adapter(Open311Adapter.validate_config(data))

    return make


@pytest.fixture
def adapter(make_adapter: Callable[..., Open311Adapter]) -> Open311Adapter:
    return make_adapter()
