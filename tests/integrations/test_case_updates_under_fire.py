"""Case updates under fire: each HTTP back office failing a third of its calls (errors before
handling, connections reset, answers dropped after commit), the portal trying each update again
as the outbox would (send_update first, resend_update after, one Progress kept between them),
until it goes. Counted from each simulator's own records: every update once, every file once.

Adapter-level, no workers: the outbox and its workers are the services side's
(services/conversations), which calls exactly these two methods."""

from collections.abc import Iterator
from typing import Any

import pytest

from integrations.base import Adapter, Progress, TransientError
from integrations.crm.adapter import CRMAdapter
from integrations.open311.adapter import Open311Adapter
from integrations.simulators.crm import CRMSimulator
from integrations.simulators.open311 import Open311Simulator
from integrations.simulators.soap_case import SoapCaseSimulator
from integrations.simulators.webhook import WebhookSimulator
from integrations.soap.adapter import SoapCaseAdapter, attachment_reference
from integrations.webhook.adapter import WebhookAdapter
from tests.integrations.case_files import FileLinkServer, Served, jpeg
from tests.integrations.crm.conftest import CLIENT_ID, CLIENT_SECRET, options_for
from tests.integrations.updates_out import an_update

UPDATES = 12
FAULTS = {"error_rate": 0.15, "reset_rate": 0.08, "drop_rate": 0.15}
MAX_ATTEMPTS = 40


@pytest.fixture
def links() -> Iterator[FileLinkServer]:
    with FileLinkServer() as server:
        yield server


def photos(links: FileLinkServer) -> list[Served]:
    """A different real JPEG for each update, so each file is told apart by its hash."""
    return [
        links.add(f"photo-{n}", f"photo {n}.jpg", "image/jpeg", jpeg((n * 20, 90, 200 - n * 10)))
        for n in range(UPDATES)
    ]


def send_until_done(adapter: Adapter, case: str, served: Served, key: str) -> int:
    """Attempts until the update goes, as the outbox makes them; how many it took."""
    update = an_update(served.upload, update_id=f"update-{key}")
    progress = Progress()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        call = adapter.send_update if attempt == 1 else adapter.resend_update
        try:
            call(case, update, key, progress)
        except TransientError:
            continue
        return attempt
    raise AssertionError(f"{key} was not sent in {MAX_ATTEMPTS} attempts")


def run_under_fire(
    sim: Any, adapter: Adapter, case: str, links: FileLinkServer
) -> tuple[list[Served], list[int]]:
    served = photos(links)
    sim.set_faults(**FAULTS)
    attempts = [send_until_done(adapter, case, s, f"key-{n}") for n, s in enumerate(served)]
    sim.clear_faults()
    assert sum(attempts) > UPDATES  # the faults did hit
    return served, attempts


def test_webhook(links):
    with WebhookSimulator("a-signing-secret-0123456789", seed=3) as sim:
        adapter = WebhookAdapter(
            WebhookAdapter.validate_config(
                {"url": sim.records_url, "signing_secret": "a-signing-secret-0123456789"}
            )
        )
        case = adapter.deliver({"details": "A case"}, "case")
        served, _ = run_under_fire(sim, adapter, case, links)
        sim.wait_for_files()

        assert [sim.update_count_for(f"key-{n}") for n in range(UPDATES)] == [1] * UPDATES
        assert [links.fetches(s) for s in served] == [1] * UPDATES


def test_open311(links):
    with Open311Simulator("k", seed=3) as sim:
        adapter = Open311Adapter(
            Open311Adapter.validate_config(
                {"endpoint": sim.endpoint, "api_key": "k", "service_code": "POTHOLE"}
            )
        )
        case = adapter.deliver({"address_string": "1 High St", "description": "Hole"}, "case")
        served, _ = run_under_fire(sim, adapter, case, links)
        sim.wait_for_files()

        ids = [u["client_update_id"] for u in sim.client_updates]
        assert sorted(ids) == sorted(f"update-key-{n}" for n in range(UPDATES))
        assert [links.fetches(s) for s in served] == [1] * UPDATES


def test_crm(links):
    with CRMSimulator(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, seed=3) as sim:
        adapter = CRMAdapter(CRMAdapter.validate_config(options_for(sim)))
        case = adapter.deliver({"title": "Fly-tipping"}, "case")
        served, _ = run_under_fire(sim, adapter, case, links)

        subjects = [n["subject"] for n in sim.notes]
        texts = [f"Portal update (reply) key-{n}" for n in range(UPDATES)]
        assert sorted(s for s in subjects if s.startswith("Portal update")) == sorted(texts)
        files = sorted(n["sha256"] for n in sim.notes if n["sha256"])
        assert files == sorted(s.sha256 for s in served)


def test_crm_salesforce(links):
    with CRMSimulator(
        style="salesforce", client_id=CLIENT_ID, client_secret=CLIENT_SECRET, seed=3
    ) as sim:
        adapter = CRMAdapter(CRMAdapter.validate_config(options_for(sim)))
        case = adapter.deliver({"Subject": "Fly-tipping"}, "case")
        served, _ = run_under_fire(sim, adapter, case, links)

        texts = [f"Portal update (reply) key-{n}" for n in range(UPDATES)]
        assert sorted(n["subject"] for n in sim.notes) == sorted(texts)
        assert sorted(f["sha256"] for f in sim.files) == sorted(s.sha256 for s in served)
        assert {f["case_id"] for f in sim.files} == {case}


def test_soap(links):
    with SoapCaseSimulator(username="u", password="p", seed=3) as sim:
        adapter = SoapCaseAdapter(
            SoapCaseAdapter.validate_config(
                {"wsdl_url": sim.wsdl_url, "username": "u", "password": "p"}
            )
        )
        case = adapter.deliver({"ServiceCode": "FLY_TIPPING", "Description": "Tyres"}, "case")
        served, _ = run_under_fire(sim, adapter, case, links)

        notes = sorted(n["client_reference"] for n in sim.notes_of(case))
        assert notes == sorted(f"key-{n}" for n in range(UPDATES))
        attached = sorted(a["client_reference"] for a in sim.attachments_of(case))
        expected = sorted(attachment_reference(f"key-{n}", s.upload) for n, s in enumerate(served))
        assert attached == expected
