"""Fixtures shared by the whole suite.

The suite runs against real PostgreSQL and Redis (see the Makefile's TEST_DATABASE_URL and
TEST_REDIS_URL), in parallel under pytest-xdist. Each xdist worker gets its own test database
(pytest-django appends gw0, gw1, ...), its own cache key prefix and its own Celery queue, so two
workers never see each other's rate limits or steal each other's tasks.
"""

import contextlib
import email
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import getaddresses
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.utils import translation

from portal import celery_app

REPO_ROOT = Path(__file__).resolve().parent.parent
WORKER_READY_TIMEOUT = 60.0
WORKER_STOP_TIMEOUT = 20.0


def _xdist_worker_id() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "master")


def pytest_configure(config: pytest.Config) -> None:
    # Rate limits and other cached state live in the shared test Redis; a prefix per xdist worker
    # keeps one worker's failed sign-ins from locking out another's. The dict is changed in
    # place (it is the one the cache handler holds) and any cache already built is dropped.
    from django.core.cache import caches

    # Production's password hashing is slow on purpose; a test signs people in by the hundred.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    # WhiteNoise warns about every request when STATIC_ROOT does not exist yet.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)

    prefix = f"test-{_xdist_worker_id()}-{os.getpid()}"
    for alias, options in settings.CACHES.items():
        options["KEY_PREFIX"] = f"{prefix}-{alias}"
        with contextlib.suppress(AttributeError):  # not built yet: nothing to drop
            del caches[alias]


@pytest.fixture(autouse=True)
def _static_files_without_manifest(settings: Any) -> None:
    """Pages render without `collectstatic`: production's manifest storage needs its output.

    Whether every referenced asset exists is the asset pipeline's test, not every page's.
    """
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _data_from_migrations(request: pytest.FixtureRequest) -> None:
    """Put back the rows data migrations create (the role groups) when they are missing.

    A transactional test (a real worker, a live server) ends by emptying every table, and with
    --reuse-db the next run starts from that emptied database, so anything a data migration
    made would be gone for every later test. This re-creates it through the migration's own
    function, against the migrated models as the migration sees them.
    """
    # Only for tests that use the database anyway, and after their own access is set up.
    if "transactional_db" in request.fixturenames:
        request.getfixturevalue("transactional_db")
    elif "db" in request.fixturenames:
        request.getfixturevalue("db")
    elif request.node.get_closest_marker("django_db") is None:
        return

    from django.contrib.auth.models import Group
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from portal.accounts.roles import ROLE_PERMISSIONS, sync_roles

    if Group.objects.filter(name__in=ROLE_PERMISSIONS).count() < len(ROLE_PERMISSIONS):
        sync_roles(MigrationLoader(connection).project_state().apps)


@pytest.fixture(autouse=True)
def _english_after_each_test() -> Iterator[None]:
    """The active language belongs to the thread; a request to a /cy/ page leaves Welsh switched
    on for whichever test runs next in this process. Each test starts in English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts with none of this worker's cache keys (rate-limit counters, TOTP codes)."""
    yield
    from django.core.cache import caches

    for alias in settings.CACHES:
        cache = caches[alias]
        if settings.CACHES[alias]["BACKEND"].endswith("RedisCache"):
            # clear() would FLUSHDB, wiping the other xdist worker's keys mid-test.
            client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
            keys = list(client.scan_iter(match=f"{cache.key_prefix}*", count=1000))
            if keys:
                client.delete(*keys)
        else:
            cache.clear()


# --- A real Celery worker ---------------------------------------------------------------------


def _database_url(settings_dict: dict[str, object]) -> str:
    engine = str(settings_dict["ENGINE"])
    name = str(settings_dict["NAME"])
    if "postgresql" in engine:
        user = quote(str(settings_dict.get("USER") or ""), safe="")
        password = quote(str(settings_dict.get("PASSWORD") or ""), safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or 5432
        return f"postgres://{credentials}{host}:{port}/{quote(name, safe='')}"
    if "sqlite" in engine and name != ":memory:" and "mode=memory" not in name:
        return f"sqlite:///{name}"
    raise RuntimeError(f"A worker process cannot share this test database: {engine} {name}")


@dataclass
class CeleryWorkerProcess:
    """A `celery -A portal worker` process consuming this test run's own queue."""

    process: subprocess.Popen[bytes]
    hostname: str
    queue: str
    mail_dir: Path
    log_path: Path
    _seen_mail: set[Path] = field(default_factory=set)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for(
        self, condition: Callable[[], object], timeout: float = 20.0, what: str = ""
    ) -> object:
        """Poll until ``condition()`` is truthy; fail with the worker's log if it never is."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = condition()
            if result:
                return result
            if self.process.poll() is not None:
                pytest.fail(f"The Celery worker exited ({self.process.returncode}):\n{self.log()}")
            time.sleep(0.1)
        pytest.fail(f"Timed out after {timeout}s waiting for {what or condition}:\n{self.log()}")

    def mail_to(self, recipient: str) -> list[str]:
        """Every complete message the worker has written to `recipient`, oldest file first.

        The session's worker sends every test's mail into one folder, and a test can end before
        mail it caused is sent (a status update after a poll), so that mail lands during a later
        test: a test reads only mail to an address of its own. Django's file backend appends
        each message and then a separator line to a file named by the second and the backend's
        id() (two sends can share a file), so messages are split on the separator, and one
        still being written (no separator yet) is left out.
        """
        found = []
        for path in sorted(self.mail_dir.glob("*.log")):
            *complete, _rest = path.read_text(errors="replace").split(MAIL_SEPARATOR)
            found += [m for m in complete if _addressed_to(m, recipient)]
        return found

    def wait_for_mail_to(self, recipient: str, timeout: float = 20.0) -> list[str]:
        """The messages to `recipient` (see mail_to), once there is at least one."""
        found = self.wait_for(
            lambda: self.mail_to(recipient), timeout=timeout, what=f"an e-mail to {recipient}"
        )
        assert isinstance(found, list)
        return found

    def new_mail(self) -> list[Path]:
        """Message files the worker wrote since the last call (the file e-mail backend).

        These may hold other tests' late mail; mail_to picks one recipient's messages."""
        files = {path for path in self.mail_dir.glob("*.log") if path.stat().st_size}
        fresh = sorted(files - self._seen_mail)
        self._seen_mail |= set(fresh)
        return fresh

    def wait_for_mail(self, timeout: float = 20.0) -> list[str]:
        files = self.wait_for(self.new_mail, timeout=timeout, what="an e-mail from the worker")
        assert isinstance(files, list)
        return [path.read_text() for path in files]


# What Django's file e-mail backend writes after each message.
MAIL_SEPARATOR = "\n" + "-" * 79 + "\n"


def _addressed_to(message: str, recipient: str) -> bool:
    headers = email.message_from_string(message)
    addresses = getaddresses(headers.get_all("To", []) + headers.get_all("Cc", []))
    return any(address.lower() == recipient.lower() for _name, address in addresses)


def _ping(hostname: str) -> bool:
    from portal.celery import app

    replies = app.control.ping(destination=[hostname], timeout=0.5)
    return any(hostname in reply for reply in replies or [])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    # SIGTERM is Celery's warm shutdown: finish the task in hand, then exit with its children.
    process.terminate()
    try:
        process.wait(timeout=WORKER_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        # The worker leads its own process group, so this reaches its pool children too.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=WORKER_STOP_TIMEOUT)


def start_celery_worker(
    queue: str,
    *,
    hostname: str | None = None,
    workdir: Path | None = None,
    concurrency: int = 1,
    env: dict[str, str] | None = None,
    wait: bool = True,
) -> CeleryWorkerProcess:
    """Start a real prefork `celery -A portal worker` on this xdist worker's test database.

    It consumes `queue` only, sends e-mail as files into its `mail_dir`, and leads its own
    process group (so `kill_worker` reaches its pool children). `env` adds or overrides
    variables, e.g. shorter delivery retry delays for a suite. Stop it with `stop_worker`.
    """
    from django.db import connection

    hostname = hostname or f"test-{uuid.uuid4().hex[:8]}@localhost"
    workdir = workdir or Path(tempfile.mkdtemp(prefix="celery-worker-"))
    mail_dir = workdir / "mail"
    mail_dir.mkdir(parents=True, exist_ok=True)
    log_path = workdir / f"{hostname.split('@')[0]}.log"
    variables = {
        **os.environ,
        "DATABASE_URL": _database_url(connection.settings_dict),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        # Four slashes: django-environ drops the first of the path's, and this one is absolute.
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "VAR_DIR": str(workdir / "var"),
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        # Short-lived database connections, so a test's flush is never kept waiting.
        "DATABASE_CONN_MAX_AGE": "0",
        **(env or {}),
    }
    command = [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "portal",
        "worker",
        "--pool",
        "prefork",
        "--concurrency",
        str(concurrency),
        "--queues",
        queue,
        "--hostname",
        hostname,
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        "INFO",
    ]
    with log_path.open("ab") as log_file:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=variables,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = CeleryWorkerProcess(
        process=process, hostname=hostname, queue=queue, mail_dir=mail_dir, log_path=log_path
    )
    if wait:
        worker.wait_for(
            lambda: _ping(hostname), timeout=WORKER_READY_TIMEOUT, what="the worker to answer"
        )
    return worker


def stop_worker(worker: CeleryWorkerProcess) -> None:
    _stop(worker.process)


def kill_worker(worker: CeleryWorkerProcess) -> None:
    """SIGKILL the worker and its pool children at once, as the OOM killer or a pulled plug
    would: no warm shutdown, messages in hand unacknowledged."""
    if worker.process.poll() is None:
        os.killpg(worker.process.pid, signal.SIGKILL)
        worker.process.wait(timeout=WORKER_STOP_TIMEOUT)


@contextlib.contextmanager
def default_queue(queue: str) -> Iterator[None]:
    """Tasks this process queues go to `queue` inside the block."""
    from portal.celery import app

    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        yield
    finally:
        app.conf.task_default_queue = previous


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup: None) -> Iterator[CeleryWorkerProcess]:
    """Start a real prefork Celery worker on this xdist worker's test database and queue.

    Tests that use it must be ``@pytest.mark.django_db(transaction=True)``: the worker is another
    process, so it sees only committed rows, and tasks are queued on commit. The worker lives for
    the session (it takes a few seconds to start); e-mail it sends lands as files in ``mail_dir``.
    """
    tag = f"{_xdist_worker_id()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    queue = f"portal-test-{tag}"
    workdir = Path(tempfile.mkdtemp(prefix=f"celery-worker-{tag}-"))
    with default_queue(queue):
        worker = start_celery_worker(
            queue, hostname=f"test-{tag}@localhost", workdir=workdir, wait=False
        )
        try:
            worker.wait_for(
                lambda: _ping(worker.hostname),
                timeout=WORKER_READY_TIMEOUT,
                what="the worker to answer",
            )
            yield worker
        finally:
            _stop(worker.process)
            shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def mail_through_celery(settings, mailoutbox):
    """E-mail takes its production path, the message outbox and the send_message task, with the
    task run in the test's own process and handed to the locmem backend at the end.

    pytest-django swaps EMAIL_BACKEND for locmem, which would skip the outbox for mail sent
    through Django; put the outbox backend back. EMAIL_URL is unset in tests, so the transport
    (CELERY_EMAIL_BACKEND) would be SMTP.
    """
    settings.EMAIL_BACKEND = "portal.core.mail.OutboxEmailBackend"
    settings.CELERY_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    previous = (
        celery_app.conf.task_always_eager,
        celery_app.conf.task_eager_propagates,
    )
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield mailoutbox
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous
