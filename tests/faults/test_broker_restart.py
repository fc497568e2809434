"""Workers outlive their broker: Redis restarted under load, several times, and nobody helps.

Real PostgreSQL, a Redis server of the test's own, three real prefork Celery workers and the
webhook simulator (no faults). Submissions keep coming while Redis is killed and started again
three times. After each restart a fresh batch is submitted and must be delivered by the workers
alone: no sweeper runs until the very end, so a worker that stopped consuming (or exited, as
kombu's restore-on-close bug made them do: `Unrecoverable error: AttributeError("'NoneType'
object has no attribute 'hostname'")`) leaves its batch undelivered and fails the test. Finally
every worker process must still be the one started at the beginning.
"""

import time
import uuid

import pytest

from services.delivery import tasks
from services.models import Delivery
from tests.conftest import default_queue, kill_worker, start_celery_worker
from tests.faults.conftest import RedisServer, SimulatorProcess, publishing_to
from tests.services.delivery.conftest import SECRET, make_connection, make_routed_version, submit

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WORKERS = 3
RESTARTS = 3
BATCH = 30  # submissions made while the workers are busy, before each restart
AFTER_RESTART = 10  # submissions made after each restart, which the workers alone must deliver
DELIVERED_WITHIN = 60.0  # seconds
WORKER_ENV = {"LOG_LEVEL": "WARNING", "DELIVERY_LEASE_SECONDS": "5"}


def _wait_delivered(ids: list[int], workers, what: str, *, sweep: bool = False) -> None:
    deadline = time.monotonic() + DELIVERED_WITHIN
    while time.monotonic() < deadline:
        if sweep:
            tasks.sweep()  # the real task's body, as beat runs it
        exited = [w.hostname for w in workers if w.process.poll() is not None]
        assert not exited, f"Workers exited: {exited}\n" + "\n".join(w.log() for w in workers)
        waiting = Delivery.objects.filter(pk__in=ids).exclude(state=Delivery.State.DELIVERED)
        if not waiting.exists():
            return
        time.sleep(0.5)
    states = list(Delivery.objects.filter(pk__in=ids).values_list("state", flat=True))
    pytest.fail(f"{what}: not delivered in {DELIVERED_WITHIN}s: {states}\n" + workers[0].log())


def test_workers_keep_consuming_after_redis_restarts_without_help(settings, fault_workdir):
    settings.DELIVERY_SWEEP_GRACE_SECONDS = 1
    # Given three workers delivering from a Redis of the test's own
    redis_server = RedisServer(fault_workdir)
    redis_server.start()
    simulator = SimulatorProcess(
        "webhook", ["--secret", SECRET], {}, fault_workdir / "simulator.log"
    )
    queue = f"restart-{uuid.uuid4().hex[:8]}"
    env = {**WORKER_ENV, "REDIS_URL": redis_server.url, "CELERY_BROKER_URL": redis_server.url}
    workers = []
    try:
        with default_queue(queue), publishing_to(redis_server.url):
            connection = make_connection(f"{simulator.url}/records")
            version = make_routed_version(connection)
            workers.extend(
                start_celery_worker(
                    queue,
                    hostname=f"restart-{n}-{uuid.uuid4().hex[:6]}@localhost",
                    workdir=fault_workdir,
                    concurrency=2,
                    env=env,
                )
                for n in range(WORKERS)
            )
            pids = [w.process.pid for w in workers]

            for restart in range(1, RESTARTS + 1):
                # When Redis is killed and started again while the workers have tasks in hand
                for _ in range(BATCH):
                    submit(version)
                redis_server.restart()
                # Then what is submitted afterwards is delivered by the workers, unaided
                fresh = [submit(version) for _ in range(AFTER_RESTART)]
                ids = list(
                    Delivery.objects.filter(submission__in=fresh).values_list("pk", flat=True)
                )
                _wait_delivered(ids, workers, f"after restart {restart}")

            # And what the restarts lost from the queue the sweeper still delivers
            everything = list(Delivery.objects.values_list("pk", flat=True))
            _wait_delivered(everything, workers, "all", sweep=True)
            # And no worker process ever exited or was replaced
            assert [w.process.pid for w in workers] == pids
            assert all(w.process.poll() is None for w in workers)
    finally:
        for worker in workers:
            kill_worker(worker)
        simulator.stop()
        redis_server.stop()
