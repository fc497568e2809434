"""Every back-office adapter the portal ships sends a resident's case updates (#14), and the
base class refuses them for an adapter that does not say it can."""

from datetime import UTC, datetime

import pytest

import integrations.crm.adapter
import integrations.email.adapter
import integrations.open311.adapter
import integrations.sftp.adapter
import integrations.soap.adapter
import integrations.webhook.adapter  # noqa: F401  (each module registers its adapter)
from integrations.base import Adapter, CaseUpdateOut
from integrations.registry import registry

SHIPPED = {"crm", "email", "open311", "sftp", "soap_case", "webhook"}


def test_every_shipped_adapter_sends_updates_with_its_own_send_update():
    adapters = {cls.id: cls for cls in registry if cls.id in SHIPPED}

    assert set(adapters) == SHIPPED
    for cls in adapters.values():
        assert cls.sends_updates, cls.id
        assert cls.send_update is not Adapter.send_update, cls.id


def test_an_adapter_that_does_not_send_updates_says_so():
    class Quiet(Adapter):
        id = "quiet"
        name = "Quiet"

    update = CaseUpdateOut("reply", "Hello", (), datetime.now(UTC), "u-1")
    assert Quiet.sends_updates is False
    with pytest.raises(NotImplementedError):
        Quiet({}).send_update("REF", update, "key")
    with pytest.raises(NotImplementedError):
        Quiet({}).resend_update("REF", update, "key")
