"""A SOAP case system simulator on loopback and adapters configured to reach it."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from integrations.simulators.soap_case import SoapCaseSimulator
from integrations.soap.adapter import SoapCaseAdapter

USERNAME = "portal-test"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def sim() -> Iterator[SoapCaseSimulator]:
    # A new port for each test, so each gets its own cached WSDL and session in this process.
    with SoapCaseSimulator(username=USERNAME, password=PASSWORD, seed=7) as simulator:
        yield simulator


@pytest.fixture
def make_adapter(sim: SoapCaseSimulator) -> Callable[..., SoapCaseAdapter]:
    """An adapter whose options went through the config serializer, as an admin's would."""

    def make(**options: Any) -> SoapCaseAdapter:
        data = {"wsdl_url": sim.wsdl_url, "username": USERNAME, "password": PASSWORD, **options}
        return SoapCaseAdapter(SoapCaseAdapter.validate_config(data))

    return make


@pytest.fixture
def adapter(make_adapter: Callable[..., SoapCaseAdapter]) -> SoapCaseAdapter:
    return make_adapter()
