"""Exactly once, under fire: the delivery invariants with real workers, Redis, PostgreSQL and five
bad back offices at once.

Every submission is routed to five destinations, one per call-based adapter and CRM style: a
JSON webhook, an Open311 server, a CRM in each style (Dynamics and Salesforce, OAuth2) and a SOAP
case system, each simulator in a process of its own and each, by default, as unforgiving as the
real protocol (Open311 makes a new request for every POST, the SOAP system a new case for a
repeated ClientReference, the CRM a new note, or Salesforce File, for every POST). Each fails
about 30% of calls, the calls that carry files included: 503s, connection resets, answers slower
than the adapter's timeout, and 5% that commit the record (or the note, the file, or the
attachment) and then hang up without answering. Three real Celery worker processes
(prefork, two children each) deliver, on a PostgreSQL cluster and a Redis server of the suite's
own, while residents submit, half through submit_draft and half signed in through the real
check-your-answers view (Django's test client: every middleware, the session in PostgreSQL, the
error handler), each acknowledged by e-mail through the message outbox to the SMTP simulator (a
process of its own, refusing 10% with 451 and taking 5% then hanging up before answering).

Each submission carries three files: a photo, a close-up and a letter, small but real JPEG, PNG
and PDF bytes, different in every submission, checked and stored by services/forms/uploads.py
(store_upload) in the storage the workers read, so submit_draft and the view make their
SubmissionFile rows as they do for residents. Each back office takes them its own way: the
webhook inline (base64 in its one request, which the simulator decodes and hashes), Open311 as
links (the photo as media_url, the others in the description; no portal web server runs here,
so its simulator records the links unfetched), the Dynamics CRM as a note on the case each, the
Salesforce CRM as a Salesforce File (ContentVersion) published to the case each, the SOAP system
as one AddAttachment each. And:

- the workers are SIGKILLed (all at once, as when their host is lost) several times, each time
  just after a call has left for a back office (the back offices are slowed for that moment), and
  started again;
- Redis is flushed (FLUSHALL) and, once, killed and restarted: every queued message, retry
  countdown and unacknowledged task is lost;
- PostgreSQL is stopped at once (connections cut mid-query), just after a call has left, and
  started again a few seconds later: workers must ride it out, residents see an error and try
  again, and deliveries whose outcome could not be recorded come back through the sweeper,
  whose next attempt looks the record up before sending again;
- the real sweep task runs every few seconds, as beat would run it every minute.

Redis and PostgreSQL are servers of the suite's own on free ports (the test database is copied
into the cluster first), so restarting them touches nothing else: not the shared test servers,
where the other xdist worker and other people's tests live.

Only delays are shortened, through the workers' environment (retry base and cap, lease, breaker
cooldown), and the breaker's threshold raised (WORKER_ENV says why); the claim, retry, budget,
breaker, sweeper and adapter code is the production code.

Then it asserts, FROM THE SIMULATORS' OWN RECORDS, that every (submission, destination) made
exactly one record, by the delivery's key and by the submission reference in what was sent, that
every delivery is delivered with that record's id as its reference, and that the faults
happened. About files, from the same records: each back office holds exactly one entry per
(case, file) for every file of the case's submission, and none other; the webhook's, the CRMs'
and the SOAP system's with the SHA-256 of the bytes that arrived equal to the upload's (the
SubmissionFile's); Open311's as links whose tokens (services/file_links.file_for_link) name that
file, of that submission, for the Open311 connection, the media_url being the photo. And that
each of the calls that send or look up one file (the CRM's note POSTs and lookups, Salesforce's
ContentVersion POSTs and SOQL lookups, the SOAP system's AddAttachment and GetCaseAttachments)
was faulted, a note POST, a ContentVersion POST and an AddAttachment each committed then dropped
at least once (the simulators count faults by call at /_stats).
It prints the counts, those faults on file calls among them, any delivery not delivered by
the deadline with its last error, and the time taken; that nothing was doubled is asserted
before that everything arrived, so a run that runs out of time still answers it. And, from the
SMTP simulator's own records, that each submission's acknowledgement arrived under exactly ONE
Message-ID (matched by the reference in its subject) and every outbox message is sent. That is
the honest form of "exactly once" for SMTP, which is at least once by protocol
(docs/idempotency.md): when the server took a message and the answer was lost (its hang-ups, or
a worker SIGKILLed before recording "sent"), the message goes again with the same Message-ID,
which mail clients use to drop the copy; the number of such repeats is printed, not failed. Also
that no request through the view was answered 500 (one is always made while PostgreSQL is down:
a 503 "Sorry, there is a problem with the service", and the resident presses again), and that no
worker exited by itself: every worker process not running at the end is one the suite killed.

CI runs FAULT_SUBMISSIONS (default 100: five times as many deliveries) to stay within a few
minutes on two cores; `FAULT_SUBMISSIONS=1000 make pytest ARGS="tests/faults"` is the full run.
"""

import contextlib
import itertools
import os
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import django.db
import kombu.exceptions
import psycopg2
import pytest
import redis
from django.db import close_old_connections
from django.db import connection as db_connection
from django.db.models import Count, Sum
from django.test import Client
from django.urls import resolve, reverse

from integrations.registry import registry
from services.delivery import tasks
from services.file_links import file_for_link
from services.models import (
    Attempt,
    Connection,
    Delivery,
    Destination,
    Draft,
    FormVersion,
    OutgoingMessage,
    Submission,
    SubmissionFile,
)
from services.submissions import submit_draft
from tests.conftest import default_queue, kill_worker, start_celery_worker
from tests.faults.conftest import (
    PostgresServer,
    RedisServer,
    SimulatorProcess,
    SMTPProcess,
    database_on,
    publishing_to,
    wait_until,
)
from tests.file_samples import jpeg_bytes, pdf_bytes, png_bytes, stored_upload
from tests.portal.accounts.factories import UserFactory
from tests.services.delivery.conftest import SECRET, make_connection, make_routed_version
from tests.services.helpers import page, radios

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SUBMISSIONS = int(os.environ.get("FAULT_SUBMISSIONS", "100"))
WORKERS = 3
SUBMITTERS = 4  # threads submitting at once
CONCURRENCY = 2
FAULTS = {
    "error_rate": 0.12,  # 503
    "reset_rate": 0.08,  # TCP RST before answering
    "slow_rate": 0.03,  # answered after the adapter's read timeout: a timeout
    "slow_latency": 1.5,
    "drop_rate": 0.05,  # committed, then hung up without answering
}
READ_TIMEOUT = 1.0  # the adapters', so slow answers time out
# The form residents fill in: which bin, then a photo, a close-up and a letter (small but real
# JPEG, PNG and PDF bytes, different in each submission), uploaded as the journey uploads them.
SCHEMA = {
    "pages": [
        page("which-bin", radios("bin_type", "general", "garden")),
        page(
            "evidence",
            {"id": "photo", "type": "file", "label": {"en": "A photo of the bin"}},
            {"id": "close_up", "type": "file", "label": {"en": "A close-up"}},
            {"id": "letter", "type": "file", "label": {"en": "The council's letter"}},
        ),
    ]
}
FILES_PER_SUBMISSION = 3
# Links to files point here, where nothing answers: no portal web server runs in the suite, so
# the back offices given links (Open311) record them unfetched, and the suite reads each link's
# token with services/file_links.file_for_link instead.
PORTAL_URL = "http://portal.faults.invalid"
# The webhook's: every file of a submission travels inside the request, and the simulator
# decodes and hashes it.
INLINE_FILES_MAX_BYTES = 1024 * 1024
# The calls that carry or look up files one by one, as each simulator names them (/_stats); the
# webhook's and Open311's files ride in the one request that makes the record.
FILE_CALLS = {
    "crm": ("POST /api/data/v9.2/annotations", "GET /api/data/v9.2/annotations"),
    "salesforce": (
        "POST /services/data/v60.0/sobjects/ContentVersion",
        "GET /services/data/v60.0/query",  # no other query is made here: status is not polled
    ),
    "soap": ("AddAttachment", "GetCaseAttachments"),
}
# How long a simulator may go on with a request the adapter gave up on: slow_latency, plus the
# latency of a blow, plus a loaded machine's delays. Shorter, and a lookup-based adapter looks
# before the first request is done and makes a second record (the full run found one so).
UNANSWERED_WAIT = 4.0
WORKER_ENV = {
    "DELIVERY_RETRY_BASE_SECONDS": "0.2",
    "DELIVERY_RETRY_CAP_SECONDS": "2",
    # Longer than the slowest attempt here (a SOAP attempt may read the WSDL, sign in, look up
    # and create, each up to its timeouts, on a loaded machine): a lease that runs out mid-call
    # lets a second worker look up before the first has created, which production's lease (longer
    # than the task's hard time limit) rules out.
    "DELIVERY_LEASE_SECONDS": "15",
    "DELIVERY_BREAKER_COOLDOWN_SECONDS": "1",
    # (No breaker threshold of its own: an attempt that got part of a case accepted before a
    # later call failed does not count against the breaker, services/delivery/breaker.py, so a
    # back office that answers three calls in four is not taken for down.)
    # Production's persistent connections, so the PostgreSQL restart breaks connections that
    # workers hold and must notice (not a fresh connection per task, as other worker tests use).
    "DATABASE_CONN_MAX_AGE": "60",
    "LOG_LEVEL": "WARNING",
    # The acknowledgement e-mail's lease, as the deliveries' (see above).
    "MESSAGE_LEASE_SECONDS": "15",
    "PORTAL_URL": PORTAL_URL,
}
# The SMTP server refuses (451) or takes a message and hangs up before answering, at random.
SMTP_REJECT_RATE = 0.1
SMTP_DROP_RATE = 0.05
SWEEP_EVERY = 3.0  # seconds
POSTGRES_DOWN_SECONDS = 3.0
SLOW_CALL = 0.8  # seconds each call takes while a blow is about to fall (under READ_TIMEOUT)
# Seconds for everything to be delivered once submitting is done: the retries of the last
# submissions' deliveries, and a backlog that grows with the count on two busy cores.
DEADLINE = max(240.0, 0.5 * SUBMISSIONS)
# When each blow falls, as a fraction of the submissions made.
KILLS_AT = (0.15, 0.4, 0.65, 0.9)
FLUSHES_AT = (0.3, 0.75)
REDIS_RESTART_AT = 0.55
POSTGRES_RESTART_AT = 0.45

OPEN311_KEY = "faults-open311-key"
CRM_CLIENT = ("faults-client", "faults-client-secret-0123456789")
SOAP_LOGIN = ("portal", "faults-soap-password")


@dataclass(frozen=True)
class Arrival:
    """One file as a back office's own records show it came with a case."""

    key: str  # the case's delivery key
    source: str  # where it came: a note, an attachment, files[0], media_url, the description
    name: str = ""  # as the back office recorded it
    sha256: str = ""  # of the bytes it received and decoded
    link: str = ""  # or the link it was given instead of the bytes (Open311, unfetched)


@dataclass(frozen=True)
class BackOffice:
    """One destination: its simulator, and how to read what the simulator holds."""

    name: str
    simulator: SimulatorProcess
    key_of: Callable[[dict], str]  # the delivery's idempotency key, as the record carries it
    reference_of: Callable[[dict], str]  # the submission reference, from what was sent
    id_of: Callable[[dict], str]  # the back office's own id for the record
    files_of: Callable[[dict], list[Arrival]]  # every file its /_records shows, repeats included


def repeated(items: Iterable[Hashable]) -> list[Hashable]:
    """Each item that comes more than once."""
    return [item for item, n in Counter(items).items() if n > 1]


def first_line(text: str) -> str:
    return text.split("\n", 1)[0]


def webhook_files(shown: dict) -> list[Arrival]:
    return [
        Arrival(r["idempotency_key"], f["source"], f.get("name", ""), f.get("sha256", ""))
        for r in shown["records"]
        for f in r["files"]
    ]


def open311_files(shown: dict) -> list[Arrival]:
    return [
        Arrival(r["portal_reference"], f["source"], link=f["url"])
        for r in shown["records"]
        for f in r["files"]
    ]


def crm_files(shown: dict) -> list[Arrival]:
    return [Arrival(n["case_key"], "note", n["filename"], n["sha256"]) for n in shown["notes"]]


def salesforce_files(shown: dict) -> list[Arrival]:
    return [Arrival(f["case_key"], "file", f["name"], f["sha256"]) for f in shown["files"]]


def soap_files(shown: dict) -> list[Arrival]:
    key_of_case = {r["case_reference"]: r["client_reference"] for r in shown["records"]}
    return [
        Arrival(key_of_case[a["case_reference"]], "attachment", a["file_name"], a["sha256"])
        for a in shown["attachments"]
    ]


def followed(arrival: Arrival, connection_id: int, submission_of: dict[str, int]) -> Arrival:
    """A link the back office was given, as the file its token names (services/file_links):
    its name and SHA-256 if the token is genuine and names a file of the case's own submission
    and this connection; else the arrival unchanged, which matches no file the resident sent."""
    token = resolve(urlsplit(arrival.link).path).kwargs["token"]
    found = file_for_link(token)
    if found is None:
        return arrival
    row, connection = found
    if connection != connection_id or row.submission_id != submission_of.get(arrival.key):
        return arrival
    return Arrival(arrival.key, arrival.source, row.name, row.sha256, arrival.link)


def start_back_offices(workdir) -> list[BackOffice]:
    def simulator(module: str, *args: str) -> SimulatorProcess:
        return SimulatorProcess(module, list(args), FAULTS, workdir / f"{module}.log")

    return [
        BackOffice(
            "webhook",
            simulator("webhook", "--secret", SECRET, "--no-fetch-files"),
            key_of=lambda r: r["idempotency_key"],
            reference_of=lambda r: r["data"]["reference"],
            id_of=lambda r: r["id"],
            files_of=webhook_files,
        ),
        BackOffice(
            "open311",
            simulator("open311", "--api-key", OPEN311_KEY, "--no-fetch-files"),
            key_of=lambda r: r["portal_reference"],
            reference_of=lambda r: first_line(r["fields"]["description"]),
            id_of=lambda r: r["service_request_id"],
            files_of=open311_files,
        ),
        BackOffice(
            "crm",
            simulator("crm", "--client-id", CRM_CLIENT[0], "--client-secret", CRM_CLIENT[1]),
            key_of=lambda r: r["key"],
            reference_of=lambda r: r["data"]["title"],
            id_of=lambda r: r["id"],
            files_of=crm_files,
        ),
        BackOffice(
            "salesforce",
            simulator(
                "crm",
                "--style",
                "salesforce",
                "--client-id",
                CRM_CLIENT[0],
                "--client-secret",
                CRM_CLIENT[1],
            ),
            key_of=lambda r: r["key"],
            reference_of=lambda r: r["data"]["Subject"],
            id_of=lambda r: r["id"],
            files_of=salesforce_files,
        ),
        BackOffice(
            "soap",
            simulator("soap_case", "--username", SOAP_LOGIN[0], "--password", SOAP_LOGIN[1]),
            key_of=lambda r: r["client_reference"],
            reference_of=lambda r: r["description"],
            id_of=lambda r: r["case_reference"],
            files_of=soap_files,
        ),
    ]


def connection_to(office: BackOffice) -> tuple[Connection, dict[str, Any]]:
    """The connection to `office`, with options checked as an admin's would be, and the field
    mapping of its destination."""
    url = office.simulator.url
    timeouts = {"read_timeout": READ_TIMEOUT, "connect_timeout": 1.0}
    # Per back office: its adapter, its options (secrets too), its destination's mapping.
    kinds: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
        "webhook": (
            "webhook",
            {
                "url": f"{url}/records",
                "signing_secret": SECRET,
                "inline_files_max_bytes": INLINE_FILES_MAX_BYTES,
            },
            {
                "reference": {"meta": "reference"},
                "bin": {"answer": "bin_type"},
                "files": {"files": "all"},
            },
        ),
        "open311": (
            "open311",
            {
                "endpoint": f"{url}/open311/v2",
                "api_key": OPEN311_KEY,
                "service_code": "POTHOLE",
                "poll_token_interval": 0.1,
                "unanswered_wait": UNANSWERED_WAIT,
            },
            # media_url: the first photo; the other files: links in the description.
            {
                "description": {"meta": "reference"},
                "address_string": {"answer": "bin_type"},
                "files": {"files": "all"},
            },
        ),
        "crm": (
            "crm",
            {
                "base_url": url,
                "token_url": f"{url}/oauth2/token",
                "client_id": CRM_CLIENT[0],
                "client_secret": CRM_CLIENT[1],
                "api_style": "dynamics",
                "entity_set": "incidents",
                "alternate_key_name": "mc_portalreference",
                "id_attribute": "incidentid",
                "scope": f"{url}/.default",
                "unanswered_wait": UNANSWERED_WAIT,
            },
            {
                "title": {"meta": "reference"},
                "description": {"answer": "bin_type"},
                "files": {"files": "all"},  # a note on the case each
            },
        ),
        "salesforce": (
            "crm",
            {
                "base_url": url,
                "token_url": f"{url}/oauth2/token",
                "client_id": CRM_CLIENT[0],
                "client_secret": CRM_CLIENT[1],
                "api_style": "salesforce",
                "sobject": "Case",
                "external_id_field": "Portal_Reference__c",
                "unanswered_wait": UNANSWERED_WAIT,
            },
            {
                "Subject": {"meta": "reference"},
                "Description": {"answer": "bin_type"},
                "files": {"files": "all"},  # a Salesforce File on the case each
            },
        ),
        "soap": (
            "soap_case",
            {
                "wsdl_url": f"{url}/CaseService?wsdl",
                "username": SOAP_LOGIN[0],
                "password": SOAP_LOGIN[1],
                "service_code": "MISSED_BIN",
                "unanswered_wait": UNANSWERED_WAIT,
            },
            {"Description": {"meta": "reference"}, "Attachments": {"files": "all"}},
        ),
    }
    adapter, options, mapping = kinds[office.name]
    adapter_class = registry.get(adapter)
    cleaned = adapter_class.validate_config({**options, **timeouts})
    secret = adapter_class.secret_option_names()
    connection = make_connection(
        url,
        name=office.name,
        slug=office.name,
        adapter=adapter,
        config={k: v for k, v in cleaned.items() if k not in secret},
        secrets={k: v for k, v in cleaned.items() if k in secret},
    )
    return connection, mapping


_drafts = itertools.count(1)


def draft_with_files(version: FormVersion, bin_type: str, user=None) -> Draft:
    """A draft as the journey leaves it at check-your-answers: the bin, and three files checked
    and stored as uploads are (services/forms/uploads.py), in the storage the workers read. Each
    draft's files are bytes of their own, so a file sent with another's case would show."""
    n = next(_drafts)
    files = {
        "photo": stored_upload(jpeg_bytes((n % 64 * 4, n // 64 % 64 * 4, 90)), "bin.jpg"),
        "close_up": stored_upload(png_bytes((n % 256, n // 256 % 256, 200)), "close-up.png"),
        "letter": stored_upload(pdf_bytes(title=f"Letter {n}"), "letter.pdf"),
    }
    return Draft.objects.create(
        form_version=version,
        user=user,
        answers={"bin_type": bin_type, **files},
        uploads=[answer["reference"] for answer in files.values()],
    )


class Browser:
    """A signed-in resident on the portal, through Django's test client (every middleware, the
    session in PostgreSQL, the 500 handler), pressing "Send" on check-your-answers and pressing
    again if the page says there is a problem. Counts each answer's status."""

    def __init__(self, version, made: Counter, lock: threading.Lock) -> None:
        self.version, self.made, self.lock = version, made, lock
        self.user = UserFactory.create()
        self.client = Client(raise_request_exception=False)
        self.client.force_login(self.user)
        self.statuses: Counter[int] = Counter()
        self.draft: Draft | None = None

    def start_draft(self, bin_type: str) -> bool:
        try:
            self.draft = draft_with_files(self.version, bin_type, self.user)
        except django.db.Error:
            return False
        return True

    def submitted_once(self, bin_type: str) -> bool:
        close_old_connections()  # one PostgreSQL's restart broke
        if self.draft is None and not self.start_draft(bin_type):
            with self.lock:
                self.made["refused"] += 1
            return False
        assert self.draft is not None
        slug = self.version.form.service.slug
        check = reverse("journey:check", kwargs={"slug": slug, "draft_id": self.draft.id})
        response = self.client.post(check, {})
        self.statuses[response.status_code] += 1
        # Sent: the confirmation, reached from the view's redirect (or, if the first press was
        # sent but its answer lost, from the draft's page, which now points to the reference).
        if response.status_code == 302 and "/sent/" in response["Location"]:
            self.draft = None
            return True
        with self.lock:
            self.made["refused"] += 1
        return False


def at(fractions) -> set[int]:
    return {max(1, round(f * SUBMISSIONS)) for f in fractions}


def test_every_submission_arrives_exactly_once_in_each_of_five_back_offices(
    settings, fault_workdir
):
    settings.DELIVERY_SWEEP_GRACE_SECONDS = 5
    # Uploads are stored where the workers read them: the private storage of their VAR_DIR.
    var_dir = fault_workdir / "var"
    # The error page is read, not its assets: no collectstatic manifest is needed.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(var_dir / "private")},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    started = time.monotonic()
    redis_server = RedisServer(fault_workdir)
    redis_server.start()
    postgres = PostgresServer()
    postgres.start()
    offices: list[BackOffice] = []
    smtp: SMTPProcess | None = None
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    env = {
        **WORKER_ENV,
        "REDIS_URL": redis_server.url,
        "CELERY_BROKER_URL": redis_server.url,
        "VAR_DIR": str(var_dir),
    }
    chaos = random.Random(20251106)
    counts: Counter = Counter()
    workers = []
    started_workers = []  # every worker process started, to find any that exited by itself
    killed = set()  # the hostnames of those the suite killed
    kills_at, flushes_at = at(KILLS_AT), at(FLUSHES_AT)
    (redis_restart_at,), (postgres_restart_at,) = at([REDIS_RESTART_AT]), at([POSTGRES_RESTART_AT])

    def start_worker(n, wait=False):
        worker = start_celery_worker(
            queue,
            hostname=f"faults-{n}-{uuid.uuid4().hex[:6]}@localhost",
            workdir=fault_workdir,
            concurrency=CONCURRENCY,
            env=env,
            wait=wait,
        )
        started_workers.append(worker)
        return worker

    def blow(done):
        if done in kills_at:
            with call_in_flight() as mid_call:
                # Every worker at once, as when their host is lost: whichever holds the call.
                for worker in workers:
                    killed.add(worker.hostname)
                    kill_worker(worker)
            for n in range(WORKERS):
                workers[n] = start_worker(n)  # one by one, so the finally kills each started
            for worker in workers:
                # Back at work before the next blow, which must find them mid-call.
                wait_until(lambda w=worker: answers(w), 60, "a restarted worker")
            counts["kills"] += 1
            counts["kills mid-call"] += mid_call
        if done in flushes_at:
            redis_server.flushall()
            counts["flushes"] += 1
        if done == redis_restart_at:
            redis_server.restart()
            counts["redis restarts"] += 1
        if done == postgres_restart_at:
            # While a worker is mid-call (it cannot record what came of it) and residents are
            # submitting (they see an error and try again).
            probe.start_draft("garden")
            with call_in_flight() as mid_call:
                postgres.stop()
                # And one resident is surely pressing "Send" while it is down.
                counts["sent while the database was down"] += probe.submitted_once("garden")
                time.sleep(POSTGRES_DOWN_SECONDS)
                postgres.start()
            while not probe.submitted_once("garden"):
                time.sleep(0.5)
            counts["postgres restarts"] += 1
            counts["postgres restarts mid-call"] += mid_call

    def answers(worker) -> bool:
        from portal.celery import app

        try:
            replies = app.control.ping(destination=[worker.hostname], timeout=0.5)
        except (redis.exceptions.RedisError, kombu.exceptions.OperationalError):
            return False  # our connection to a Redis restarted since; the next try reconnects
        return any(worker.hostname in reply for reply in replies or [])

    @contextlib.contextmanager
    def call_in_flight():
        """Back offices slow for a moment, and the block run as soon as one starts on a call:
        calls take milliseconds, and a blow between two of them would test nothing. Yields
        whether a call was seen starting (the simulators count each that waits)."""
        for office in offices:
            office.simulator.set_faults(latency=SLOW_CALL)
        try:
            before = calls_waiting()
            deadline = time.monotonic() + 10
            while calls_waiting() == before and time.monotonic() < deadline:
                time.sleep(0.02)
            yield calls_waiting() > before
        finally:
            for office in offices:
                office.simulator.set_faults(latency=0)

    def calls_waiting() -> int:
        return sum(office.simulator.stats()["injected"].get("latency", 0) for office in offices)

    last_sweep = 0.0

    def sweep_if_due():
        nonlocal last_sweep
        if time.monotonic() - last_sweep >= SWEEP_EVERY:
            close_old_connections()  # one PostgreSQL's restart broke
            try:
                tasks.sweep()  # the real task's body, as beat would run it
            except Exception as exc:  # Redis or PostgreSQL restarting: the next sweep will do it
                counts[f"sweeps failed ({exc.__class__.__name__})"] += 1
            last_sweep = time.monotonic()

    def undelivered() -> bool:
        close_old_connections()
        unsent = OutgoingMessage.objects.exclude(state=OutgoingMessage.State.SENT)
        return Delivery.objects.exclude(state=Delivery.State.DELIVERED).exists() or unsent.exists()

    try:
        offices = start_back_offices(fault_workdir)
        smtp = SMTPProcess(
            fault_workdir, seed=20251106, reject_rate=SMTP_REJECT_RATE, drop_rate=SMTP_DROP_RATE
        )
        env["EMAIL_URL"] = smtp.url
        with database_on(postgres), default_queue(queue), publishing_to(redis_server.url):
            connections = [connection_to(office) for office in offices]
            first, first_mapping = connections[0]
            version = make_routed_version(first, mapping=first_mapping, schema=SCHEMA)
            for connection, mapping in connections[1:]:
                Destination.objects.create(
                    rule_set=version.form.routing,
                    name=connection.name,
                    connection=connection,
                    mapping=mapping,
                )
            # Ready before the first submission, so the first blow finds them at work.
            workers.extend(start_worker(n, wait=True) for n in range(WORKERS))

            # Residents submit from several threads (PostgreSQL round trips, not CPU, bound
            # one submission), while this thread strikes and sweeps as the count goes up.
            choices = [chaos.choice(["garden", "general"]) for _ in range(SUBMISSIONS)]
            made = Counter()
            lock = threading.Lock()

            def resident(numbers, browser: Browser | None):
                try:
                    for n in numbers:
                        send = submitted_once if browser is None else browser.submitted_once
                        while not send(choices[n - 1]):
                            time.sleep(0.5)  # the database is down: the resident tries again
                        with lock:
                            made["n"] += 1
                finally:
                    db_connection.close()

            def submitted_once(bin_type) -> bool:
                close_old_connections()  # one PostgreSQL's restart broke
                try:
                    draft = draft_with_files(version, bin_type)
                    submit_draft(
                        draft, user=None, contact_email="resident@example.org", language="en"
                    )
                except django.db.Error:
                    # Refused, or cut off; if it was cut off after its commit, the retry makes a
                    # second submission, as a resident pressing again would: each is counted.
                    with lock:
                        made["refused"] += 1
                    return False
                return True

            # Half the residents press "Send" on check-your-answers through the real view.
            browsers = [Browser(version, made, lock) for _ in range(SUBMITTERS // 2)]
            probe = Browser(version, made, lock)  # this thread's, at the PostgreSQL restart
            residents = [
                threading.Thread(
                    target=resident,
                    args=(
                        range(k, SUBMISSIONS + 1, SUBMITTERS),
                        browsers[k - 1] if k <= len(browsers) else None,
                    ),
                )
                for k in range(1, SUBMITTERS + 1)
            ]
            for thread in residents:
                thread.start()
            struck = 0
            while any(thread.is_alive() for thread in residents) or struck < made["n"]:
                done = made["n"]
                while struck < done:
                    struck += 1
                    blow(struck)
                sweep_if_due()
                time.sleep(0.05)
            for thread in residents:
                thread.join()
            assert made["n"] == SUBMISSIONS
            submitted = time.monotonic()

            deadline = submitted + DEADLINE
            while time.monotonic() < deadline and undelivered():
                sweep_if_due()
                time.sleep(0.2)
            finished = time.monotonic()

            # What the database holds, read before it is put back.
            deliveries = list(Delivery.objects.select_related("submission", "connection"))
            submissions = Submission.objects.count()
            outcomes = Counter(Attempt.objects.values_list("outcome", flat=True))
            adopted = Attempt.objects.filter(excerpt__startswith="ambiguous: looked up, adopted")
            adoptions = Counter(adopted.values_list("delivery__connection__slug", flat=True))
            claims = Delivery.objects.aggregate(total=Sum("attempts"))["total"] or 0
            retried = Delivery.objects.filter(attempts__gt=1).aggregate(n=Count("pk"))["n"]
            answers = sum((browser.statuses for browser in [*browsers, probe]), Counter())
            references = set(Submission.objects.values_list("reference", flat=True))
            messages = list(OutgoingMessage.objects.values_list("kind", "state", "message_id"))
            # Before the suite stops them: any worker not killed by the suite and not running
            # exited by itself (a crash, or an unrecoverable error after a Redis restart).
            exited = [
                (worker.hostname, worker.process.returncode)
                for worker in started_workers
                if worker.hostname not in killed and worker.process.poll() is not None
            ]

            # What each back office holds, read once no worker can reach it any more.
            for worker in workers:
                kill_worker(worker)
            shown = {office.name: office.simulator.records() for office in offices}
            stats = {office.name: office.simulator.stats() for office in offices}
            # Each file as each back office's records show it; a link as the file its token
            # names, read here, while the suite's database (with the files' rows) is in use.
            uploaded = list(SubmissionFile.objects.values_list("submission_id", "name", "sha256"))
            submission_of = {str(d.idempotency_key): d.submission_id for d in deliveries}
            connection_ids = {connection.slug: connection.pk for connection, _ in connections}
            arrivals = {
                office.name: [
                    followed(a, connection_ids[office.name], submission_of) if a.link else a
                    for a in office.files_of(shown[office.name])
                ]
                for office in offices
            }
    finally:
        for worker in workers:
            kill_worker(worker)
        received = smtp.messages() if smtp is not None else []
        smtp_injected = smtp.injected() if smtp is not None else {}
        if smtp is not None:
            smtp.stop()
        for office in offices:
            office.simulator.stop()
        redis_server.stop()
        postgres.remove()

    records = {name: found["records"] for name, found in shown.items()}
    injected = {name: found["injected"] for name, found in stats.items()}
    # Faults on the calls that send or look up one file, by back office and call.
    file_call_faults = {
        name: {call: stats[name]["injected_by_call"].get(call, {}) for call in calls}
        for name, calls in FILE_CALLS.items()
    }
    states = Counter(d.state for d in deliveries)
    # Whatever else came of the run, nothing may be doubled: two records for one delivery or one
    # submission, or one file twice with one case, in any back office.
    doubled = {
        office.name: [
            *repeated(office.key_of(r) for r in records[office.name]),
            *repeated(office.reference_of(r) for r in records[office.name]),
            *repeated((a.key, a.name) for a in arrivals[office.name]),
        ]
        for office in offices
    }
    message_states = Counter(state for _, state, _ in messages)
    acknowledgements = {mid for kind, _, mid in messages if kind == "acknowledgement"}
    # Each acknowledgement the SMTP server stored, by Message-ID and by the reference its
    # subject names ("<service>: your reference is <reference>").
    copies = Counter(m["message_id"] for m in received)
    ids_by_reference: dict[str, set[str]] = {}
    for m in received:
        if m["message_id"] not in acknowledgements:
            continue  # an alert to the service team about deliveries overdue
        reference = m["subject"].rsplit(" ", 1)[-1]
        ids_by_reference.setdefault(reference, set()).add(m["message_id"])
    summary = {
        "submissions": submissions,
        "deliveries": len(deliveries),
        "delivery states": dict(states),
        "not delivered by the deadline (back office: last error)": dict(
            Counter(
                f"{d.connection.slug}: {d.last_error[:80]}"
                for d in deliveries
                if d.state != Delivery.State.DELIVERED
            )
        ),
        "records or files doubled": sum(len(found) for found in doubled.values()),
        "attempts claimed": claims,
        "attempts recorded": sum(outcomes.values()),
        "attempts cut short (worker killed, database down, or lease lost)": claims
        - sum(outcomes.values()),
        "transient failures": outcomes["transient"],
        "permanent failures": outcomes["permanent"],
        "records in each back office": {name: len(found) for name, found in records.items()},
        "faults injected by each back office": injected,
        "files uploaded": len(uploaded),
        "files in each back office's records (Open311: links)": {
            name: len(found) for name, found in arrivals.items()
        },
        "faults on file calls": file_call_faults,
        "file calls faulted (latency aside)": sum(
            n
            for calls in file_call_faults.values()
            for faults in calls.values()
            for fault, n in faults.items()
            if fault != "latency"
        ),
        "records adopted after a lookup": dict(adoptions),
        "submissions refused (database down), tried again": made["refused"],
        "answers to residents through the view (status: count)": dict(answers),
        "outgoing messages": dict(message_states),
        "e-mails stored by the SMTP server": len(received),
        "repeats of a Message-ID (sent again after the answer was lost)": sum(copies.values())
        - len(copies),
        "faults injected by the SMTP server": smtp_injected,
        "workers started": len(started_workers),
        "workers that exited by themselves": exited,
        **counts,
        "submit seconds": round(submitted - started, 1),
        "delivered seconds after last submit": round(finished - submitted, 1),
        "total seconds": round(time.monotonic() - started, 1),
    }
    print(f"\nFault-injection suite, {SUBMISSIONS} submissions to {len(offices)} back offices:")
    for name, value in summary.items():
        print(f"  {name}: {value}")

    # Nothing was doubled (asserted first, so a run that ran out of time still says so).
    assert doubled == {office.name: [] for office in offices}, doubled

    # Everything was delivered, in time.
    assert states == {Delivery.State.DELIVERED: len(deliveries)}, summary
    assert submissions >= SUBMISSIONS
    assert len(deliveries) == len(offices) * submissions

    for office in offices:
        mine = [d for d in deliveries if d.connection.slug == office.name]
        held = records[office.name]
        # Exactly one record per delivery (none doubled, above), by its key...
        by_key = Counter(office.key_of(r) for r in held)
        assert set(by_key) == {str(d.idempotency_key) for d in mine}, office.name
        # ...and by what was sent: one per submission reference.
        by_reference = Counter(office.reference_of(r) for r in held)
        assert set(by_reference) == {d.submission.reference for d in mine}, office.name
        # Each delivery holds the back office's own id for its record.
        ids = {office.key_of(r): office.id_of(r) for r in held}
        assert all(d.external_reference == ids[str(d.idempotency_key)] for d in mine), office.name

    # Every file arrived exactly once per destination, as it was uploaded: each back office's
    # own records hold one entry per (case, file name) (none doubled, above) for each file of
    # the case's submission and no other, with the SHA-256 of the bytes it received (Open311,
    # given links: the file the link's token names, which must be of that submission and for
    # that connection).
    assert len(uploaded) == FILES_PER_SUBMISSION * submissions
    sent: dict[int, dict[str, str]] = {}
    for submission_id, name, sha256 in uploaded:
        sent.setdefault(submission_id, {})[name] = sha256
    for office in offices:
        expected = {
            (str(d.idempotency_key), name): sha256
            for d in deliveries
            if d.connection.slug == office.name
            for name, sha256 in sent[d.submission_id].items()
        }
        found = arrivals[office.name]
        assert {(a.key, a.name) for a in found} == set(expected), office.name
        assert [a for a in found if a.sha256 != expected[(a.key, a.name)]] == [], office.name
    # Open311's one media_url is each request's photo; the other files are links beside it.
    media = [a for a in arrivals["open311"] if a.source == "media_url"]
    assert sorted(a.key for a in media) == sorted(r["portal_reference"] for r in records["open311"])
    assert {a.name for a in media} == {"bin.jpg"}

    # Every acknowledgement e-mail arrived, one Message-ID per submission reference, and every
    # message in the outbox is sent. A copy of the same Message-ID is SMTP's at-least-once (the
    # server took it, the answer was lost, or a worker died before recording "sent"; the Message-ID
    # lets mail clients drop it): counted and printed above, not a failure.
    assert message_states == {OutgoingMessage.State.SENT: len(messages)}, summary
    assert len(acknowledgements) == submissions
    assert set(copies) == {message_id for _, _, message_id in messages}
    assert set(ids_by_reference) == references
    assert all(len(ids) == 1 for ids in ids_by_reference.values()), summary

    # No request was answered 500: a resident whose request could not reach the database saw
    # "Sorry, there is a problem with the service" as a 503 and pressed again; each was sent.
    assert answers[500] == 0, summary
    assert answers[503] > 0, summary
    assert counts["sent while the database was down"] == 0, summary
    assert set(answers) <= {302, 503}, summary

    # No worker was left dead: each that is not running was killed by the suite.
    assert exited == [], summary

    # And the faults really happened: otherwise this proves nothing.
    # Every kill and restart happened, and some fell mid-call: an attempt claimed and never
    # recorded is one a kill or the database's restart cut off (on two loaded cores the
    # simulators' count of calls started is not always seen in time, so it is only printed).
    assert counts["kills"] == len(kills_at)
    assert counts["postgres restarts"] == 1
    assert claims - sum(outcomes.values()) > 0, "no attempt was cut off mid-call"
    assert counts["flushes"] == len(flushes_at)
    assert counts["redis restarts"] == 1
    assert outcomes["transient"] > 0.1 * len(deliveries)
    assert all(faults.get("drop", 0) > 0 for faults in injected.values()), injected
    # The file calls had their share: each was faulted, and a note, a Salesforce File and an
    # attachment were committed with their answers lost (and found by the lookups, since none
    # came twice).
    for name, calls in file_call_faults.items():
        for call, faults in calls.items():
            assert set(faults) - {"latency"}, f"no fault hit {name}'s {call}"
    assert file_call_faults["crm"][FILE_CALLS["crm"][0]].get("drop", 0) > 0, file_call_faults
    sf_post = FILE_CALLS["salesforce"][0]
    assert file_call_faults["salesforce"][sf_post].get("drop", 0) > 0, file_call_faults
    assert file_call_faults["soap"]["AddAttachment"].get("drop", 0) > 0, file_call_faults
    assert retried > 0
    # Commits whose answers were lost were found by the lookup, not made twice.
    assert adoptions["open311"] + adoptions["soap"] > 0, summary
    assert smtp_injected.get("reject", 0) > 0, summary
    assert smtp_injected.get("drop", 0) > 0, summary


def test_the_suites_postgresql_can_be_restarted_and_is_not_the_shared_one():
    # Given the suite's own cluster, holding a row
    postgres = PostgresServer()
    try:
        postgres.start()
        dsn = f"host=127.0.0.1 port={postgres.port} user=postgres dbname=postgres"
        with contextlib.closing(psycopg2.connect(dsn)) as conn, conn, conn.cursor() as cursor:
            cursor.execute("CREATE TABLE t (n int)")
            cursor.execute("INSERT INTO t VALUES (1)")

        # When it is stopped at once and started again
        postgres.restart(down_for=0.1)

        # Then it answers on its own port with the row still there
        with contextlib.closing(psycopg2.connect(dsn)) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT n FROM t")
            assert cursor.fetchall() == [(1,)]
        assert postgres.port != 5432
    finally:
        postgres.remove()
