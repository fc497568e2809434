"""An SFTP simulator on loopback, rooted in a temporary folder, and adapters that reach it."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from integrations.sftp.adapter import SFTPAdapter
from integrations.simulators.sftp import SFTPSimulator

# A resident's photo, as the e-mail tests make it.
from tests.integrations.email.conftest import photo  # noqa: F401

PASSWORD = "sftp-password-123"


@pytest.fixture
def sim(tmp_path) -> Iterator[SFTPSimulator]:
    with SFTPSimulator(tmp_path / "server", password=PASSWORD) as simulator:
        (simulator.root / "drop").mkdir()
        yield simulator


@pytest.fixture
def make_adapter(sim: SFTPSimulator) -> Callable[..., SFTPAdapter]:
    """An adapter whose options went through the config serializer, as an admin's would."""

    def make(**options: Any) -> SFTPAdapter:
        data = {
            "host": "127.0.0.1",
            "port": sim.port,
            "host_key": sim.host_key_fingerprint,
            "username": "portal",
            "password": PASSWORD,
            "directory": "drop",
            "prefix": "moving-home-",
            "timeout": 5,
            **options,
        }
        return SFTPAdapter(SFTPAdapter.validate_config(data))

    return make


@pytest.fixture
def adapter(make_adapter: Callable[..., SFTPAdapter]) -> SFTPAdapter:
    return make_adapter()
