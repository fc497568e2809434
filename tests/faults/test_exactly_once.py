"""Exactly once, under fire: the delivery invariants with real workers, Redis and a bad back office.

Real PostgreSQL (this xdist worker's test database), a real Redis server of the suite's own, three
real Celery worker processes (prefork, two children each) and the webhook simulator in a process
of its own, failing about 30% of calls: 503s, connection resets, answers slower than the
adapter's timeout, and 5% that commit the record and then hang up without answering. While 1,000
submissions (made through submit_draft, so through the production outbox) are delivered:

- a worker is SIGKILLed mid-delivery several times, and started again;
- Redis is flushed (FLUSHALL) and, once, killed and restarted: every queued message, retry
  countdown and unacknowledged task is lost;
- the real sweep task runs every few seconds, as beat would run it every minute.

Redis is a server of the suite's own on a free port, so FLUSHALL and a restart are the real thing
for the broker the workers use and touch nothing else: not the shared test Redis, where the other
xdist worker's queue and cache keys live, nor other users' databases on port 6379.

Only delays are shortened, through the workers' environment (retry base and cap, lease, breaker
cooldown); the claim, retry, budget, breaker and sweeper code is the production code.

Then it asserts that every (submission, destination) made exactly one record in the simulator,
by idempotency key and by the submission reference in the payload, and that every delivery is
delivered with the simulator's id as its reference. It prints the counts.
"""

import random
import threading
import time
import uuid
from collections import Counter

import kombu.exceptions
import pytest
import redis
from django.db import connection as db_connection
from django.db.models import Count, Sum

from services.delivery import tasks
from services.models import Attempt, Delivery, Submission
from tests.conftest import default_queue, kill_worker, start_celery_worker
from tests.faults.conftest import RedisServer, SimulatorProcess, publishing_to
from tests.services.delivery.conftest import SECRET, make_connection, make_routed_version, submit

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SUBMISSIONS = 1000
SEVERAL_DESTINATIONS_EVERY = 3  # one submission in three goes to two back offices
WORKERS = 3
SUBMITTERS = 6  # threads submitting at once
CONCURRENCY = 2
FAULTS = {
    "error_rate": 0.12,  # 503
    "reset_rate": 0.08,  # TCP RST before answering
    "slow_rate": 0.03,  # answered after the adapter's read timeout: a timeout
    "slow_latency": 1.5,
    "drop_rate": 0.05,  # committed, then hung up without answering
}
WORKER_ENV = {
    "DELIVERY_RETRY_BASE_SECONDS": "0.2",
    "DELIVERY_RETRY_CAP_SECONDS": "2",
    "DELIVERY_LEASE_SECONDS": "5",
    "DELIVERY_BREAKER_COOLDOWN_SECONDS": "1",
    "LOG_LEVEL": "WARNING",
}
SWEEP_EVERY = 3.0  # seconds
DEADLINE = 180.0  # seconds for everything to be delivered once submitting is done
# After how many submissions each blow falls.
KILLS_AT = (150, 400, 650, 900)
FLUSHES_AT = (300, 750)
REDIS_RESTART_AT = 550


def test_every_submission_arrives_exactly_once_per_destination(settings, fault_workdir):
    settings.DELIVERY_SWEEP_GRACE_SECONDS = 5
    started = time.monotonic()
    redis_server = RedisServer(fault_workdir)
    redis_server.start()
    simulator = SimulatorProcess(SECRET, FAULTS, fault_workdir / "simulator.log")
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    env = {**WORKER_ENV, "REDIS_URL": redis_server.url, "CELERY_BROKER_URL": redis_server.url}
    chaos = random.Random(20251106)
    counts = Counter()
    workers = []

    def start_worker(n):
        return start_celery_worker(
            queue,
            hostname=f"faults-{n}-{uuid.uuid4().hex[:6]}@localhost",
            workdir=fault_workdir,
            concurrency=CONCURRENCY,
            env=env,
            wait=False,
        )

    def blow(done):
        if done in KILLS_AT:
            victim = busy_worker()
            kill_worker(workers[victim])
            workers[victim] = start_worker(victim)
            counts["kills"] += 1
        if done in FLUSHES_AT:
            redis_server.flushall()
            counts["flushes"] += 1
        if done == REDIS_RESTART_AT:
            redis_server.restart()
            counts["redis restarts"] += 1

    def busy_worker():
        """A worker with a deliver task in hand (asked over Celery's control channel)."""
        from portal.celery import app

        for _ in range(20):
            names = {w.hostname: n for n, w in enumerate(workers)}
            try:
                inspect = app.control.inspect(destination=list(names), timeout=0.5)
                active = inspect.active() or {}
            except (redis.exceptions.RedisError, kombu.exceptions.OperationalError):
                # Our own look at the workers can fail while Redis is being restarted; the
                # chaos goes on with a victim picked at random.
                break
            busy = [names[host] for host, running in active.items() if running and host in names]
            if busy:
                counts["kills mid-task"] += 1
                return chaos.choice(busy)
        return chaos.randrange(len(workers))

    last_sweep = 0.0

    def sweep_if_due():
        nonlocal last_sweep
        if time.monotonic() - last_sweep >= SWEEP_EVERY:
            try:
                tasks.sweep()  # the real task's body, as beat would run it
            except Exception as exc:  # Redis restarting: the next sweep will do it
                counts[f"sweeps failed ({exc.__class__.__name__})"] += 1
            last_sweep = time.monotonic()

    try:
        with default_queue(queue), publishing_to(redis_server.url):
            first = make_connection(simulator.records_url, name="Waste", slug="waste")
            second = make_connection(simulator.records_url, name="CRM", slug="crm")
            mapping = {"reference": {"meta": "reference"}, "bin": {"answer": "bin_type"}}
            one = make_routed_version(first, mapping={**mapping, "to": {"const": "waste"}})
            both_first = make_routed_version(first, mapping={**mapping, "to": {"const": "waste"}})
            both_rule_set = both_first.form.routing
            both_rule_set.destinations.create(
                name="CRM", connection=second, mapping={**mapping, "to": {"const": "crm"}}
            )
            workers.extend(start_worker(n) for n in range(WORKERS))

            # Residents submit from several threads (PostgreSQL round trips, not CPU, bound
            # one submission), while this thread strikes and sweeps as the count goes up.
            choices = [chaos.choice(["garden", "general"]) for _ in range(SUBMISSIONS)]
            made = Counter()
            lock = threading.Lock()

            def resident(numbers):
                try:
                    for n in numbers:
                        several = n % SEVERAL_DESTINATIONS_EVERY == 0
                        submit(both_first if several else one, bin_type=choices[n - 1])
                        with lock:
                            made["n"] += 1
                finally:
                    db_connection.close()

            residents = [
                threading.Thread(target=resident, args=(range(k, SUBMISSIONS + 1, SUBMITTERS),))
                for k in range(1, SUBMITTERS + 1)
            ]
            for thread in residents:
                thread.start()
            struck = 0
            while any(thread.is_alive() for thread in residents) or struck < SUBMISSIONS:
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
            while time.monotonic() < deadline:
                if not Delivery.objects.exclude(state=Delivery.State.DELIVERED).exists():
                    break
                sweep_if_due()
                time.sleep(0.2)
            finished = time.monotonic()
    finally:
        for worker in workers:
            kill_worker(worker)
        records = simulator.records() if simulator.process.poll() is None else {"records": []}
        simulator.stop()
        redis_server.stop()

    deliveries = list(Delivery.objects.select_related("submission", "destination"))
    states = Counter(d.state for d in deliveries)
    outcomes = Counter(Attempt.objects.values_list("outcome", flat=True))
    claims = Delivery.objects.aggregate(total=Sum("attempts"))["total"] or 0
    summary = {
        "submissions": Submission.objects.count(),
        "deliveries": len(deliveries),
        "delivery states": dict(states),
        "attempts claimed": claims,
        "attempts recorded": sum(outcomes.values()),
        "attempts cut short (worker killed, or lease lost)": claims - sum(outcomes.values()),
        "transient failures": outcomes["transient"],
        "permanent failures": outcomes["permanent"],
        "replays (committed, answer lost, sent again)": records.get("replays"),
        "records in the back office": len(records["records"]),
        **counts,
        "submit seconds": round(submitted - started, 1),
        "delivered seconds after last submit": round(finished - submitted, 1),
        "total seconds": round(time.monotonic() - started, 1),
    }
    print("\nFault-injection suite:")
    for name, value in summary.items():
        print(f"  {name}: {value}")

    # Everything was delivered, in time.
    assert states == {Delivery.State.DELIVERED: len(deliveries)}, summary
    assert len(deliveries) == SUBMISSIONS + SUBMISSIONS // SEVERAL_DESTINATIONS_EVERY

    # Exactly one record per delivery, by idempotency key...
    by_key = Counter(r["idempotency_key"] for r in records["records"])
    assert [key for key, n in by_key.items() if n > 1] == []
    assert set(by_key) == {str(d.idempotency_key) for d in deliveries}
    # ...and by what the payload says: one per (submission reference, destination).
    by_payload = Counter((r["data"]["reference"], r["data"]["to"]) for r in records["records"])
    expected = {
        (d.submission.reference, "crm" if d.destination.name == "CRM" else "waste")
        for d in deliveries
    }
    assert set(by_payload) == expected
    assert max(by_payload.values()) == 1
    # Each delivery holds the back office's own id for its record.
    ids = {r["idempotency_key"]: r["id"] for r in records["records"]}
    assert all(d.external_reference == ids[str(d.idempotency_key)] for d in deliveries)

    # And the faults really happened: otherwise this proves nothing.
    # Every kill happened; at least two hit a worker seen holding a task (a kill during the Redis
    # restart cannot ask the workers first, and picks one at random).
    assert counts["kills"] == len(KILLS_AT)
    assert counts["kills mid-task"] >= 2
    assert counts["flushes"] == len(FLUSHES_AT)
    assert outcomes["transient"] > 0.1 * len(deliveries)
    assert records["replays"] > 0
    assert Delivery.objects.filter(attempts__gt=1).aggregate(n=Count("pk"))["n"] > 0
