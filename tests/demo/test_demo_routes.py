"""The demo routing, end to end: each seeded service reaches its back office and hears back.

`seed_demo_routing` routes the seeded services as `make run` does; the connections are then
pointed at simulators on free ports. A resident sends each form through submit_draft, a real
Celery worker delivers it over the simulator's real protocol, the back office moves the case on
(a case officer's update, polled by the real task, or a signed callback), and the resident's
request page shows the new status and an e-mail tells them.

The services that ask for a file are sent again with real uploaded files, and each back office's
`/_records` must show the file with the uploaded bytes' SHA-256: the Open311 server fetches its
media_url from the portal (a live server the worker's PORTAL_URL points at), the others receive
the bytes in the request.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.core.management import call_command
from django.utils import timezone

from integrations.management.commands.simulate import (
    SFTP_PASSWORD,
    SFTP_USERNAME,
    SMTP_PASSWORD,
    SMTP_USERNAME,
    demo_sftp_host_key,
)
from integrations.simulators.crm import CRMSimulator
from integrations.simulators.open311 import Open311Simulator
from integrations.simulators.sftp import SFTPSimulator
from integrations.simulators.smtp import SMTPSimulator
from integrations.simulators.soap_case import SoapCaseSimulator
from integrations.simulators.webhook import WebhookSimulator
from services.delivery.batch import deliver_batches
from services.management.commands.seed_demo_routing import DEMO_CALLBACKS
from services.models import Connection, Delivery, Draft, Service, Submission
from services.seed import seed_catalogue
from services.submissions import submit_draft
from services.updates.tasks import poll_connection
from tests.conftest import CeleryWorkerProcess, default_queue, start_celery_worker, stop_worker
from tests.file_samples import jpeg_bytes, pdf_bytes, png_bytes, stored_upload
from tests.portal.accounts.factories import UserFactory
from tests.portal.conftest import CommittingClient

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

HOME = {
    "uprn": "999900001017",
    "line1": "6 Mill Lane",
    "line2": "",
    "town": "Middlehampton",
    "postcode": "ZZ99 1AB",
}
NEW_HOME = {
    "uprn": "999900001347",
    "line1": "8 Orchard Close",
    "line2": "",
    "town": "Middlehampton",
    "postcode": "ZZ99 1AH",
}
HIGH_STREET = {"lat": 52.241445, "lng": -0.904485}


@dataclass
class BackOffices:
    soap: SoapCaseSimulator
    open311: Open311Simulator
    crm: CRMSimulator
    smtp: SMTPSimulator
    webhook: WebhookSimulator
    sftp: SFTPSimulator


@pytest.fixture(scope="module")
def back_offices(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackOffices]:
    """Every demo back office, with the credentials the demo connections are seeded with."""
    drop = tmp_path_factory.mktemp("sftp-drop")
    with (
        SoapCaseSimulator() as soap,
        Open311Simulator() as open311,
        CRMSimulator() as crm,
        SMTPSimulator(username=SMTP_USERNAME, password=SMTP_PASSWORD) as smtp,
        WebhookSimulator() as webhook,
        SFTPSimulator(
            drop, username=SFTP_USERNAME, password=SFTP_PASSWORD, host_key=demo_sftp_host_key()
        ) as sftp,
    ):
        yield BackOffices(soap, open311, crm, smtp, webhook, sftp)


@pytest.fixture(scope="module")
def var_dir() -> Iterator[Path]:
    """The worker's VAR_DIR, whose private/ folder the test's uploads are stored in too."""
    path = Path(tempfile.mkdtemp(prefix="demo-var-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def worker(django_db_setup: None, var_dir: Path, live_server: Any) -> Iterator[CeleryWorkerProcess]:
    queue = f"demo-test-{uuid.uuid4().hex[:8]}"
    workdir = Path(tempfile.mkdtemp(prefix="demo-worker-"))
    # The links the worker signs (Open311's media_url) lead to the live server, as PORTAL_URL
    # leads to `make run`'s web process.
    env = {"VAR_DIR": str(var_dir), "PORTAL_URL": live_server.url}
    with default_queue(queue):
        process = start_celery_worker(queue, workdir=workdir, concurrency=2, env=env)
        try:
            yield process
        finally:
            stop_worker(process)
            shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def demo(back_offices: BackOffices, settings: Any, var_dir: Path) -> BackOffices:
    """The catalogue and the demo routing as `make run` seeds them, aimed at the simulators."""
    # E-mail takes its production path: queued for the worker, which writes it to its mail dir.
    settings.EMAIL_BACKEND = "portal.core.mail.OutboxEmailBackend"
    # Uploads go where the worker reads them, and where the live server serves links from.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(var_dir / "private")},
        },
    }
    seed_catalogue()
    call_command("seed_demo_routing", "--force", stdout=io.StringIO())
    aim: dict[str, dict[str, Any]] = {
        "waste-system": {"wsdl_url": back_offices.soap.wsdl_url},
        "parking-system": {"wsdl_url": back_offices.soap.wsdl_url},
        "highways": {"endpoint": back_offices.open311.url + "/open311/v2"},
        "crm": {
            "base_url": back_offices.crm.url,
            "token_url": back_offices.crm.token_url,
            "scope": f"{back_offices.crm.url}/.default",
        },
        "noise-team": {"port": back_offices.smtp.port},
        "generic-cases": {"url": back_offices.webhook.records_url},
        "council-tax": {"port": back_offices.sftp.port},
    }
    for slug, options in aim.items():
        connection = Connection.objects.get(slug=slug)
        connection.config = {**connection.config, **options}
        connection.save(update_fields=["config"])
    return back_offices


# --- What each back office does -------------------------------------------------------------


def days_ago(n: int) -> str:
    return (timezone.localdate() - timedelta(days=n)).isoformat()


def next_weekday() -> str:
    day = timezone.localdate() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.isoformat()


def signed_callback(slug: str, body: dict[str, Any]) -> dict[str, str]:
    """Headers a back office sends with a callback, signed as docs and the auth module say."""
    auth, secret = DEMO_CALLBACKS[slug]
    if auth == Connection.CallbackAuth.BEARER:
        return {"Authorization": f"Bearer {secret}"}
    timestamp = str(int(time.time()))
    raw = json.dumps(body).encode()
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + raw, hashlib.sha256)
    return {"X-Timestamp": timestamp, "X-Signature": f"sha256={digest.hexdigest()}"}


@dataclass(frozen=True)
class Route:
    service: str
    connection: str
    answers: Callable[[], dict[str, Any]]
    # The record the back office holds for the delivery: asserted to be exactly one.
    records: Callable[[BackOffices, Delivery], list[Any]]
    # A case officer moves the case on; returns how the update reaches the portal:
    # "poll", or a callback body.
    move_on: Callable[[BackOffices, Delivery], Any]
    status: str
    sentence: str


def soap_update(offices: BackOffices, delivery: Delivery) -> str:
    offices.soap.add_update(delivery.external_reference, "COMPLETED", "Crew 7 returned at 14:10")
    return "poll"


def open311_update(offices: BackOffices, delivery: Delivery) -> str:
    offices.open311.add_update(
        delivery.external_reference, "closed", "Patched", external_status_code="fixed"
    )
    return "poll"


def crm_update(offices: BackOffices, delivery: Delivery) -> str:
    offices.crm.set_status(delivery.external_reference, 5)  # Problem Solved
    return "poll"


def batch_rows(offices: BackOffices, delivery: Delivery) -> list[dict[str, str]]:
    """The rows of every batch file dropped so far that carry this delivery's key."""
    rows = []
    for name, content in offices.sftp.files().items():
        if name.endswith(".csv"):
            rows += list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    return [row for row in rows if row["portal_key"] == str(delivery.idempotency_key)]


def callback(status: str) -> Callable[[BackOffices, Delivery], dict[str, Any]]:
    def move_on(offices: BackOffices, delivery: Delivery) -> dict[str, Any]:
        return {
            "update_id": f"{delivery.external_reference}/1",
            "reference": delivery.external_reference,
            "status": status,
            "occurred_at": datetime.now(UTC).isoformat(),
            "description": "Updated by the team",
        }

    return move_on


OTHER_ITEMS = [
    {"description": "A rowing machine", "size": "two-people"},
    {"description": "A box of books", "size": "one-person"},
]

ROUTES = [
    Route(
        "report-missed-bin",
        "waste-system",
        lambda: {
            "collection_address": HOME,
            "bin_type": "recycling",
            "collection_date": days_ago(1),
            "put_out_by_7am": "yes",
            "details": "The bin is by the front gate",
        },
        lambda o, d: [r for r in o.soap.records if r["client_reference"] == str(d.idempotency_key)],
        soap_update,
        Submission.Status.CLOSED_FIXED,
        "Your bin has been collected.",
    ),
    Route(
        "report-pothole",
        "highways",
        lambda: {
            "immediate_danger": "no",
            "pothole_location": {**HIGH_STREET, "description": "Outside 12 High Street"},
            "surface": "road",
            "pothole_size": "large",
        },
        lambda o, d: [
            r for r in o.open311.records if r["portal_reference"] == str(d.idempotency_key)
        ],
        open311_update,
        Submission.Status.CLOSED_FIXED,
        "Our crew has fixed the pothole.",
    ),
    Route(
        "report-fly-tipping",
        "crm",
        lambda: {
            "private_land": "no",
            "tipping_location": {**HIGH_STREET, "description": "The lay-by on Wick Lane"},
            "waste_type": ["furniture", "tyres"],
            "amount": "van",
            "witnessed": "no",
        },
        lambda o, d: [r for r in o.crm.records if r["key"] == str(d.idempotency_key)],
        crm_update,
        Submission.Status.CLOSED_FIXED,
        "The fly-tipping has been cleared.",
    ),
    Route(
        "report-noise",
        "noise-team",
        lambda: {
            "noise_type": "music",
            "source": "14 Park Road, the flat above mine",
            "times": ["evening", "night"],
            "started": days_ago(20),
            "ongoing": "yes",
            "frequency": "weekly",
            "effect": "I cannot sleep",
        },
        lambda o, d: [m for m in o.smtp.messages if m.message_id == d.external_reference],
        callback("Visit booked"),
        Submission.Status.ACTION_SCHEDULED,
        "An officer will visit to assess the noise.",
    ),
    Route(
        "book-bulky-waste",  # with a list question: each "other" item and its size
        "generic-cases",
        lambda: {
            "collection_address": HOME,
            "items": ["sofa", "fridge-freezer", "other"],
            "other_items": OTHER_ITEMS,
            "preferred_date": next_weekday(),
            "where_left": "In the front garden",
        },
        lambda o, d: [
            r for r in o.webhook.records if r["idempotency_key"] == str(d.idempotency_key)
        ],
        callback("SCHEDULED"),
        Submission.Status.ACTION_SCHEDULED,
        "We have booked what you asked for.",
    ),
    Route(
        "request-replacement-bin",
        "generic-cases",
        lambda: {
            "bin_address": HOME,
            "bin_type": "general",
            "reason": "damaged",
            "damage": "The lid has snapped off",
        },
        lambda o, d: [
            r for r in o.webhook.records if r["idempotency_key"] == str(d.idempotency_key)
        ],
        callback("COMPLETED"),
        Submission.Status.CLOSED_FIXED,
        "We have done what you asked.",
    ),
    Route(
        "apply-resident-parking-permit",
        "generic-cases",
        lambda: {
            "in_zone": "yes",
            "home_address": HOME,
            "registration": "AB12 CDE",
            "registered_keeper": "yes",
            "permit_length": "12-months",
            "declaration": True,
        },
        lambda o, d: [
            r for r in o.webhook.records if r["idempotency_key"] == str(d.idempotency_key)
        ],
        callback("IN_PROGRESS"),
        Submission.Status.IN_PROGRESS,
        "We are dealing with your request.",
    ),
    Route(
        "tell-us-you-moved",
        "council-tax",
        lambda: {
            "liable": "yes",
            "old_address": HOME,
            "move_date": days_ago(3),
            "moving_to": "within",
            "new_address": NEW_HOME,
            "tenure": "rent-private",
            "other_adults": "no",
            "email": "new.home@example.org",
        },
        batch_rows,
        callback("PROCESSED"),
        Submission.Status.CLOSED_FIXED,
        "We have updated your Council Tax account.",
    ),
]


def mail_containing(worker: CeleryWorkerProcess, *texts: str) -> str:
    """The e-mail the worker sent that contains every one of `texts` (waiting for it)."""

    def find() -> str | None:
        for path in worker.mail_dir.glob("*.log"):
            for message in path.read_text(errors="replace").split("\n" + "-" * 79 + "\n"):
                if all(text in message for text in texts):
                    return message
        return None

    found = worker.wait_for(find, timeout=30, what=f"an e-mail saying {texts}")
    assert isinstance(found, str)
    return found


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.service)
def test_a_submission_reaches_its_back_office_and_the_status_comes_back(route, demo, worker):
    # Given a signed-in resident who fills in the service's form
    resident = UserFactory()
    version = Service.objects.get(slug=route.service).live_version
    draft = Draft.objects.create(form_version=version, user=resident, answers=route.answers())

    # When they send it
    submission = submit_draft(draft, user=resident, contact_email=resident.email, language="en")

    # Then the worker delivers it to the demo back office, which holds exactly one record of it
    (delivery,) = submission.deliveries.filter(connection__slug=route.connection)
    if route.connection == "council-tax":
        deliver_batches.delay()  # what beat runs every minute for file drops

    def delivered():
        delivery.refresh_from_db()
        return delivery.state == Delivery.State.DELIVERED

    worker.wait_for(delivered, timeout=30, what=f"delivery to {route.connection}")
    assert len(route.records(demo, delivery)) == 1

    # When the back office moves the case on, and the portal polls it or is called back
    how = route.move_on(demo, delivery)
    if how == "poll":
        poll_connection.delay(delivery.connection_id)
    else:
        response = CommittingClient().post(
            f"/callbacks/{route.connection}/",
            data=json.dumps(how),
            content_type="application/json",
            headers=signed_callback(route.connection, how),
        )
        assert response.status_code == 200, response.content
        assert response.json()["applied"] == 1

    # Then the resident's request shows the new status, and an e-mail tells them what happened
    def moved_on():
        submission.refresh_from_db()
        return submission.status == route.status

    worker.wait_for(moved_on, timeout=30, what=f"the case to become {route.status}")
    client = CommittingClient()
    client.force_login(resident)
    page = client.get(f"/account/requests/{submission.reference}/").content.decode()
    assert str(Submission.Status(route.status).label) in page
    mail = mail_containing(worker, submission.reference, route.sentence)
    assert resident.email in mail


def test_bulky_waste_other_items_reach_the_case_system_as_a_list(demo, worker):
    # Given a resident booking bulky waste with two "other" items (a list question)
    resident = UserFactory()
    version = Service.objects.get(slug="book-bulky-waste").live_version
    (bulky,) = [r for r in ROUTES if r.service == "book-bulky-waste"]
    draft = Draft.objects.create(form_version=version, user=resident, answers=bulky.answers())

    # When they send it
    submission = submit_draft(draft, user=resident, contact_email=resident.email, language="en")

    # Then the case system's record carries the list as a list of objects, and the codes
    delivery = submission.deliveries.get(connection__slug="generic-cases")

    def delivered():
        delivery.refresh_from_db()
        return delivery.state == Delivery.State.DELIVERED

    worker.wait_for(delivered, timeout=30, what="delivery to the case system")
    (record,) = bulky.records(demo, delivery)
    assert record["data"]["other_items"] == OTHER_ITEMS
    assert record["data"]["items"] == ["SOFA", "WEEE_FRIDGE", "OTHER"]


def test_a_parking_permit_also_reaches_the_parking_teams_case_system(demo, worker):
    # Given a resident applying for a permit, which goes to the case management system and to
    # the parking team's SOAP case system (where the proof of use arrives attached)
    resident = UserFactory()
    version = Service.objects.get(slug="apply-resident-parking-permit").live_version
    (permit,) = [r for r in ROUTES if r.service == "apply-resident-parking-permit"]
    draft = Draft.objects.create(form_version=version, user=resident, answers=permit.answers())

    # When they send it
    submission = submit_draft(draft, user=resident, contact_email=resident.email, language="en")

    # Then the parking team's system holds exactly one case for it
    delivery = submission.deliveries.get(connection__slug="parking-system")

    def delivered():
        delivery.refresh_from_db()
        return delivery.state == Delivery.State.DELIVERED

    worker.wait_for(delivered, timeout=30, what="delivery to the parking system")
    key = str(delivery.idempotency_key)
    (case,) = [r for r in demo.soap.records if r["client_reference"] == key]
    assert case["case_reference"] == delivery.external_reference
    assert case["service_code"] == "RESIDENT_PERMIT"
    assert case["fields"]["Registration"] == "AB12 CDE"
    assert case["fields"]["PortalReference"] == submission.reference


# --- The resident's files -------------------------------------------------------------------


def records_of(url: str, **query: str) -> dict[str, Any]:
    """A simulator's `/_records`, over HTTP, as another process (or a newcomer) reads them."""
    response = httpx.get(f"{url}/_records", params=query, timeout=5)
    response.raise_for_status()
    found: dict[str, Any] = response.json()
    return found


def open311_files(offices: BackOffices, delivery: Delivery) -> list[dict[str, Any]]:
    body = records_of(offices.open311.url, key=str(delivery.idempotency_key))
    return [entry for record in body["records"] for entry in record["files"]]


def crm_notes(offices: BackOffices, delivery: Delivery) -> list[dict[str, Any]]:
    return list(records_of(offices.crm.url, key=str(delivery.idempotency_key))["notes"])


def webhook_files(offices: BackOffices, delivery: Delivery) -> list[dict[str, Any]]:
    body = records_of(offices.webhook.url, key=str(delivery.idempotency_key))
    return [entry for record in body["records"] for entry in record["files"]]


def soap_attachments(offices: BackOffices, delivery: Delivery) -> list[dict[str, Any]]:
    body = records_of(offices.soap.url, client_reference=str(delivery.idempotency_key))
    return list(body["attachments"])


@dataclass(frozen=True)
class FileRoute:
    service: str
    answers: Callable[[], dict[str, Any]]
    question: str
    name: str
    data: Callable[[], bytes]
    # Each back office the file goes to, and the entries for it in that system's /_records.
    arrivals: dict[str, Callable[[BackOffices, Delivery], list[dict[str, Any]]]]


def route_answers(service: str) -> dict[str, Any]:
    (route,) = [r for r in ROUTES if r.service == service]
    return route.answers()


FILE_ROUTES = [
    FileRoute(
        "report-pothole",
        lambda: route_answers("report-pothole"),
        "photo",
        "pothole.jpg",
        jpeg_bytes,
        {"highways": open311_files},
    ),
    FileRoute(
        "report-fly-tipping",
        lambda: route_answers("report-fly-tipping"),
        "photo",
        "lay-by.png",
        png_bytes,
        {"crm": crm_notes},
    ),
    FileRoute(
        "apply-resident-parking-permit",
        # Proof of use is asked for when the vehicle is not registered to the resident.
        lambda: {**route_answers("apply-resident-parking-permit"), "registered_keeper": "no"},
        "evidence",
        "lease-letter.pdf",
        pdf_bytes,
        {"generic-cases": webhook_files, "parking-system": soap_attachments},
    ),
]


@pytest.mark.parametrize("route", FILE_ROUTES, ids=lambda r: r.service)
def test_an_uploaded_file_arrives_byte_identical_at_each_back_office(route, demo, worker):
    # Given a resident who uploads a real file with the service's form, as the journey stores it
    resident = UserFactory()
    version = Service.objects.get(slug=route.service).live_version
    data = route.data()
    upload = stored_upload(data, route.name)
    draft = Draft.objects.create(
        form_version=version,
        user=resident,
        answers={**route.answers(), route.question: upload},
        uploads=[upload["reference"]],
    )

    # When they send it
    submission = submit_draft(draft, user=resident, contact_email=resident.email, language="en")

    # Then each back office's /_records shows the file once, with the uploaded bytes' hash
    assert set(submission.deliveries.values_list("connection__slug", flat=True)) == set(
        route.arrivals
    )
    for slug, arrived in route.arrivals.items():
        delivery = submission.deliveries.get(connection__slug=slug)

        def delivered(delivery: Delivery = delivery) -> bool:
            delivery.refresh_from_db()
            return delivery.state == Delivery.State.DELIVERED

        worker.wait_for(delivered, timeout=30, what=f"delivery to {slug}")

        def settled(delivery: Delivery = delivery, arrived: Any = arrived) -> Any:
            # A linked file is fetched in the background after the request: wait for it.
            entries = arrived(demo, delivery)
            return entries if all(e.get("status") != "pending" for e in entries) else None

        entries = worker.wait_for(settled, timeout=30, what=f"{slug}'s file fetches")
        assert [e.get("sha256") for e in entries] == [hashlib.sha256(data).hexdigest()], entries
        assert entries[0]["size"] == len(data)
