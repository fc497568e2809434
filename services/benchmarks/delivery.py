"""`make bench-delivery`: how fast one worker delivers, against the simulator over loopback.

A benchmark, not a test: it prints numbers and asserts nothing. In one run it measures
  1. deliveries per second for ONE Celery worker process (prefork, `--concurrency`) draining a
     backlog of submissions through the production path (claim, mapping, adapter, record): the
     backlog is queued while the worker is told not to consume, and the clock starts when it
     is told to again;
  2. the same payloads POSTed by a plain httpx client loop (one connection, no database): the
     ceiling the simulator and loopback allow;
  3. their ratio (target >= 0.5);
  4. the floor: the same drain by a worker of the same design with none of the product's code
     (services/benchmarks/delivery_floor.py: one Celery message per delivery, one claim and one
     record statement, no Django), which bounds what any worker of this design can reach here,
     and the product's rate as a share of it (target >= 0.6): measured in the same run, the
     share holds when other work on the machine slows both;
  5. submit -> back-office latency at a steady rate of submissions (target p50 < 300 ms,
     p99 < 2 s): from just before submit_draft to the simulator's receipt of the record.

On Linux it also prints the CPU time each drain cost per delivery, by process: the worker (its
main process and pool), PostgreSQL, the simulator and Redis, read from /proc, and PostgreSQL's
alone (target <= 4 ms for the product). On a machine where they share few cores, that budget is
what bounds the rate. PostgreSQL's share is its server processes and the connections to the
bench's database: connections to other databases on a shared server are other people's work.

It runs on a database of its own (DATABASE_URL, `portal_bench` from the Makefile; created and
migrated if missing) and the Redis at REDIS_URL, on a queue of its own. The simulator runs as a
separate process (`python -m integrations.simulators.webhook`), so the portal never imports it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import django

from services.benchmarks.database import create_database

REPO_ROOT = Path(__file__).resolve().parents[2]
SECRET = "bench-signing-secret-0123456789"  # noqa: S105 - the local simulator's


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Delivery throughput and latency benchmark")
    parser.add_argument("--deliveries", type=int, default=600, help="backlog for throughput")
    parser.add_argument("--concurrency", type=int, default=4, help="the worker's pool size")
    # DESIGN.md's peak is a few thousand submissions an hour (about 1/s); 5/s is five times that.
    parser.add_argument("--rate", type=float, default=5.0, help="submissions/s for latency")
    parser.add_argument("--seconds", type=float, default=15.0, help="how long at that rate")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    # Acknowledgement e-mails still go through the worker, as in production, to a backend that
    # sends nothing (no SMTP server here to wait on).
    os.environ["EMAIL_URL"] = "dummymail://"
    create_database(os.environ["DATABASE_URL"])
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    queue = f"bench-{uuid.uuid4().hex[:8]}"
    from celery import current_app as app  # portal's app, made current by django.setup()

    app.conf.task_default_queue = queue
    # Acknowledgement e-mails are not deliveries: they wait on a queue of their own (emptied at
    # the end) instead of sharing the measured worker. Production workers take both.
    mail_queue = f"{queue}-mail"
    app.conf.task_routes = {"services.messages.tasks.send_message": {"queue": mail_queue}}
    simulator_port = _free_port()
    simulator = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        [
            sys.executable,
            "-m",
            "integrations.simulators.webhook",
            "--port",
            str(simulator_port),
            "--secret",
            SECRET,
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = None
    try:
        base = f"http://127.0.0.1:{simulator_port}"
        _wait(lambda: _get(f"{base}/_records") is not None, 20, "the simulator")
        version = _routed_form(f"{base}/records")
        worker = _start_worker(queue, args.concurrency)

        # Warm up: first connections, first imports, the worker's pool children.
        _drain(_submit_many(version, 20), base)
        _get(f"{base}/_records", method="DELETE")

        # The backlog is queued while the worker does not consume, so the clock measures the
        # worker, not how fast this process can queue messages; it starts when consuming does.
        count = args.deliveries
        _stop_consuming(queue)
        ids = _submit_many(version, count)
        watch = _CpuWatch(worker.pid, simulator.pid)
        app.control.add_consumer(queue, destination=[_hostname(queue)], reply=True)
        started = time.monotonic()
        _drain(ids, base, watch)
        worker_rate = count / (time.monotonic() - started)
        worker_cpu = watch.per_delivery(count)

        ceiling = _httpx_loop(f"{base}/records", ids)

        _get(f"{base}/_records", method="DELETE")
        latencies = _steady(version, base, args.rate, args.seconds)
        _stop(worker)
        worker = None

        floor_rate, floor_cpu = 0.0, dict[str, float]()
        if urlsplit(os.environ["DATABASE_URL"]).scheme.startswith("postgres"):  # psycopg2's
            floor_rate, floor_cpu = _floor(
                f"{queue}-floor", args.concurrency, base, simulator, count
            )
    finally:
        if worker is not None:
            _stop(worker)
        simulator.terminate()
        simulator.wait(timeout=10)
        _purge(mail_queue)

    p50 = statistics.median(latencies)
    p99 = statistics.quantiles(latencies, n=100)[98] if len(latencies) >= 2 else latencies[0]
    print(f"one worker process (--concurrency {args.concurrency}): {worker_rate:8.1f} deliveries/s")
    print(f"plain httpx loop (the ceiling):          {ceiling:8.1f} posts/s")
    print(f"ratio:                                   {worker_rate / ceiling:8.2f}  (target >= 0.5)")
    if floor_rate:
        print(
            f"the floor (same design, no product code): {floor_rate:6.1f} deliveries/s,"
            f" ratio {floor_rate / ceiling:.2f}"
        )
        share = worker_rate / floor_rate
        print(f"product / floor:                         {share:8.2f}  (target >= 0.6)")
    for name, cpu in (("worker", worker_cpu), ("floor", floor_cpu)):
        if cpu:
            spent = ", ".join(f"{who} {ms:.1f}" for who, ms in cpu.items())
            print(f"CPU ms per delivery, {name}: {spent} (total {sum(cpu.values()):.1f})")
    if "PostgreSQL" in worker_cpu:
        floor_pg = f", floor {floor_cpu['PostgreSQL']:.1f}" if "PostgreSQL" in floor_cpu else ""
        print(
            f"PostgreSQL CPU ms per delivery: product {worker_cpu['PostgreSQL']:.1f}{floor_pg}"
            "  (target <= 4)"
        )
    print(
        f"submit -> back office at {args.rate:g}/s for {args.seconds:g} s ({len(latencies)}): "
        f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms  (targets < 300 ms, < 2000 ms)"
    )


# --- Setting up ---------------------------------------------------------------------------------


def _routed_form(url: str) -> Any:
    from django.utils import timezone

    from services.models import (
        Connection,
        Destination,
        Form,
        FormVersion,
        RoutingRuleSet,
        Service,
        Topic,
    )

    tag = uuid.uuid4().hex[:8]
    topic = Topic.objects.create(name_en=f"Bench {tag}", slug=f"bench-{tag}")
    service = Service.objects.create(
        name_en=f"Bench {tag}", summary_en="Benchmark", slug=f"bench-{tag}", topic=topic
    )
    form = Form.objects.create(service=service)
    schema = {
        "pages": [
            {
                "id": "p",
                "questions": [
                    {
                        "id": "bin_type",
                        "type": "radios",
                        "label": {"en": "Bin"},
                        "options": [{"value": "garden", "label": {"en": "Garden"}}],
                    },
                ],
            }
        ]
    }
    version = FormVersion.objects.create(
        form=form,
        number=1,
        schema=schema,
        status=FormVersion.Status.LIVE,
        published_at=timezone.now(),
    )
    connection = Connection.objects.create(
        name=f"Bench {tag}",
        slug=f"bench-{tag}",
        adapter="webhook",
        config={"url": url},
        secrets={"signing_secret": SECRET},
        owner_email="bench@example.org",
        max_concurrency=64,
    )
    rule_set = RoutingRuleSet.objects.create(form=form)
    Destination.objects.create(
        rule_set=rule_set,
        name="Back office",
        connection=connection,
        mapping={
            "reference": {"meta": "reference"},
            "bin": {"answer": "bin_type"},
            "submitted_at": {"meta": "submitted_at"},
        },
    )
    return version


def _start_worker(
    queue: str, concurrency: int, app_module: str = "portal", **env: str
) -> subprocess.Popen[bytes]:
    from celery import current_app as app  # portal's app, made current by django.setup()

    hostname = _hostname(queue)
    env = {**os.environ, "CELERY_TASK_DEFAULT_QUEUE": queue, "LOG_LEVEL": "WARNING", **env}
    process = subprocess.Popen(  # noqa: S603 - the venv's celery, fixed arguments
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            app_module,
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
            "--without-heartbeat",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def answers() -> bool:
        replies = app.control.ping(destination=[hostname], timeout=0.5) or []
        return any(hostname in reply for reply in replies)

    _wait(answers, 60, "the worker")
    return process


def _stop(worker: subprocess.Popen[bytes]) -> None:
    worker.terminate()
    worker.wait(timeout=30)


def _hostname(queue: str) -> str:
    return f"bench-{queue}@localhost"


def _stop_consuming(queue: str) -> None:
    from celery import current_app as app  # portal's app, made current by django.setup()

    hostname = _hostname(queue)
    app.control.cancel_consumer(queue, destination=[hostname], reply=True)

    def stopped() -> bool:
        active = app.control.inspect(destination=[hostname], timeout=1).active_queues() or {}
        return not any(q["name"] == queue for q in active.get(hostname, []))

    _wait(stopped, 30, "the worker to stop consuming")


def _purge(queue: str) -> None:
    from celery import current_app as app  # portal's app, made current by django.setup()
    from kombu import Queue

    with app.connection_for_write() as connection:
        Queue(queue, channel=connection.default_channel).purge()


# --- Measuring ----------------------------------------------------------------------------------


def _submit(version: Any) -> Any:
    from services.models import Draft
    from services.submissions import submit_draft

    draft = Draft.objects.create(form_version=version, answers={"bin_type": "garden"})
    return submit_draft(draft, user=None, contact_email="bench@example.org", language="en")


def _submit_many(version: Any, count: int) -> list[int]:
    """`count` submissions committed in one transaction: their tasks are queued together."""
    from django.db import transaction

    with transaction.atomic():
        submissions = [_submit(version) for _ in range(count)]
    from services.models import Delivery

    return list(Delivery.objects.filter(submission__in=submissions).values_list("pk", flat=True))


def _drain(ids: list[int], base: str, watch: _CpuWatch | None = None) -> None:
    from services.models import Delivery

    # Cheap to ask 20 times a second (this process shares the machine with the worker): the
    # bench's connection has nothing but these deliveries undelivered, and is indexed by state.
    connection_id = Delivery.objects.filter(pk=ids[0]).values_list("connection_id", flat=True)[0]

    def done() -> bool:
        if watch is not None:
            watch.sample()
        pending = Delivery.objects.filter(connection_id=connection_id).exclude(state="delivered")
        return not pending.exists()

    _wait(done, 600, "the backlog to be delivered", interval=0.05)


def _httpx_loop(url: str, ids: list[int]) -> float:
    """The same payloads, POSTed one after another by one httpx client: the ceiling."""
    import httpx

    from integrations.webhook.adapter import sign
    from services.models import Delivery
    from services.routing import build_payload, mapping_context_for

    deliveries = Delivery.objects.filter(pk__in=ids).select_related(
        "submission__form_version", "submission__service", "submission__user", "destination"
    )
    bodies = [
        json.dumps(build_payload(d.destination.mapping, mapping_context_for(d.submission))).encode()
        for d in deliveries
    ]
    with httpx.Client() as client:
        started = time.monotonic()
        for body in bodies:
            timestamp = str(int(time.time()))
            response = client.post(
                url,
                content=body,
                headers={
                    "Content-Type": "application/json",
                    "Idempotency-Key": str(uuid.uuid4()),
                    "X-Portal-Timestamp": timestamp,
                    "X-Portal-Signature": "sha256=" + sign(SECRET.encode(), timestamp, body),
                },
            )
            response.raise_for_status()
        return len(bodies) / (time.monotonic() - started)


def _floor(
    queue: str, concurrency: int, base: str, simulator: subprocess.Popen[bytes], count: int
) -> tuple[float, dict[str, float]]:
    """The same drain by services/benchmarks/delivery_floor.py's worker: (deliveries/s, CPU)."""
    import psycopg2
    from celery import current_app as app  # portal's app, made current by django.setup()

    from services.benchmarks import delivery_floor as bench_floor

    # One connection for setting up and for asking 20 times a second how far the drain is.
    database = psycopg2.connect(os.environ["DATABASE_URL"])
    database.autocommit = True
    warm_up = 20
    bench_floor.create_tables(database, warm_up + count, f"{base}/records")
    worker = _start_worker(
        queue,
        concurrency,
        "services.benchmarks.delivery_floor",
        CELERY_BROKER_URL=str(app.conf.broker_url),
        BENCH_SIGNING_SECRET=SECRET,
    )
    try:

        def delivered(n: int) -> Any:
            return lambda: bench_floor.delivered_count(database) >= n

        def send(first: int, last: int) -> None:
            for delivery_id in range(first, last + 1):
                app.send_task("bench_floor.deliver", (delivery_id,), queue=queue)

        send(1, warm_up)
        _wait(delivered(warm_up), 60, "the floor's warm-up", interval=0.05)
        _stop_consuming(queue)
        send(warm_up + 1, warm_up + count)
        watch = _CpuWatch(worker.pid, simulator.pid)
        app.control.add_consumer(queue, destination=[_hostname(queue)], reply=True)
        started = time.monotonic()

        def drained() -> bool:
            watch.sample()
            return bool(delivered(warm_up + count)())

        _wait(drained, 600, "the floor's backlog", interval=0.05)
        rate = count / (time.monotonic() - started)
        cpu = watch.per_delivery(count)
    finally:
        _stop(worker)
        _purge(queue)
        bench_floor.drop_tables(database)
        database.close()
    return rate, cpu


class _CpuWatch:
    """CPU seconds by part from now on, read again every half second while a drain runs, so a
    process that ends meanwhile still counts up to its last reading: the worker's database
    connections are closed and opened again every CONN_MAX_AGE, and a connection's server
    process takes the CPU it used with it."""

    def __init__(self, worker_pid: int, simulator_pid: int) -> None:
        self.pids = (worker_pid, simulator_pid)
        self.first = _cpu_seconds(*self.pids)
        self.last = dict(self.first)
        self.read_at = time.monotonic()

    def sample(self) -> None:
        if time.monotonic() - self.read_at >= 0.5:
            self.last.update(_cpu_seconds(*self.pids))
            self.read_at = time.monotonic()

    def per_delivery(self, count: int) -> dict[str, float]:
        self.last.update(_cpu_seconds(*self.pids))
        return _per_delivery(self.first, self.last, count)


def _cpu_seconds(worker_pid: int, simulator_pid: int) -> dict[int, tuple[str, float]]:
    """Each process's CPU seconds so far, named by its part: {pid: (part, seconds)}. Empty
    where there is no /proc. PostgreSQL is its server processes and the connections to the
    bench's database, not those to other databases (other people's, on a shared server)."""
    database = urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/")
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    found: dict[int, tuple[str, float]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            # Fields after the command's closing parenthesis: state, ppid, ..., utime, stime.
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
            command = (entry / "comm").read_text().strip()
        except OSError:
            continue
        pid, parent = int(entry.name), int(fields[1])
        if worker_pid in (pid, parent):
            part = "worker"
        elif pid == simulator_pid:
            part = "simulator"
        elif command == "postgres":
            if _serves_another_database(entry, database):
                continue
            part = "PostgreSQL"
        elif command.startswith("redis-server"):
            part = "Redis"
        else:
            continue
        found[pid] = (part, (int(fields[11]) + int(fields[12])) / ticks)
    return found


def _serves_another_database(entry: Path, database: str) -> bool:
    """Whether this postgres process is a connection to a database other than `database`: its
    title reads "postgres: [cluster:] user database host(port) activity"."""
    try:
        title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    words = title.split()
    connection = any(w == "[local]" or re.fullmatch(r"\S+\(\d+\)", w) for w in words)
    return connection and database not in words


def _per_delivery(
    before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]], count: int
) -> dict[str, float]:
    """Milliseconds of CPU per delivery by part, between two `_cpu_seconds`."""
    spent: dict[str, float] = {}
    for pid, (part, seconds) in after.items():
        earlier = before.get(pid, (part, 0.0))[1]
        spent[part] = spent.get(part, 0.0) + (seconds - earlier) * 1000 / count
    return dict(sorted(spent.items(), key=lambda item: -item[1]))


def _steady(version: Any, base: str, rate: float, seconds: float) -> list[float]:
    """Submit at `rate` per second; latency from just before each submit to its record."""
    sent: dict[str, datetime] = {}
    interval = 1 / rate
    next_at = time.monotonic()
    end = next_at + seconds
    while next_at < end:
        time.sleep(max(0.0, next_at - time.monotonic()))
        before = datetime.now(UTC)
        sent[_submit(version).reference] = before
        next_at += interval
    records: dict[str, Any] = {}

    def all_arrived() -> bool:
        answer = _get(f"{base}/_records") or {"records": []}
        records.update({r["data"]["reference"]: r for r in answer["records"]})
        return all(reference in records for reference in sent)

    _wait(all_arrived, 120, "every steady-rate submission to arrive", interval=0.5)
    return [
        (datetime.fromisoformat(records[ref]["received_at"]) - at) / timedelta(seconds=1)
        for ref, at in sent.items()
    ]


# --- Small helpers ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, method: str = "GET") -> Any:
    import httpx

    try:
        response = httpx.request(method, url, timeout=30)
    except httpx.HTTPError:
        return None
    return response.json() if response.content else {}


def _wait(condition: Any, timeout: float, what: str, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise SystemExit(f"Timed out after {timeout:g} s waiting for {what}")


if __name__ == "__main__":
    main()
