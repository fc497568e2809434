"""A deliver task that meets a database which cannot be reached is queued again, not dropped.

PostgreSQL is a cluster of the suite's own (stopping it touches nothing else). No sweeper runs
here: without the task's own retry, the message would be acknowledged as failed and the delivery
would wait for the sweeper's grace period and schedule.
"""

import time
import uuid

import django.db
import pytest
from django.db import close_old_connections

from integrations.simulators.webhook import WebhookSimulator
from services.models import Delivery
from tests.conftest import default_queue, kill_worker, start_celery_worker
from tests.faults.conftest import PostgresServer, RedisServer, database_on, publishing_to
from tests.services.delivery.conftest import SECRET, make_connection, make_routed_version, submit

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_deliver_task_retries_while_the_database_is_down_and_delivers_once_it_is_back(
    fault_workdir,
):
    redis_server = RedisServer(fault_workdir)
    redis_server.start()
    postgres = PostgresServer()
    postgres.start()
    worker = None
    queue = f"outage-{uuid.uuid4().hex[:8]}"
    try:
        with (
            WebhookSimulator(SECRET) as simulator,
            database_on(postgres),
            default_queue(queue),
            publishing_to(redis_server.url),
        ):
            # Given a submission whose deliver task waits on the queue
            version = make_routed_version(make_connection(simulator.records_url))
            delivery = submit(version).deliveries.get()

            # When a worker takes the task while the database is down, and it comes back
            postgres.stop()
            env = {"REDIS_URL": redis_server.url, "CELERY_BROKER_URL": redis_server.url}
            worker = start_celery_worker(queue, workdir=fault_workdir, env=env)
            worker.wait_for(
                lambda: "services.delivery.tasks.deliver[" in worker.log(),
                timeout=60,
                what="the worker to take the task",
            )
            time.sleep(2)  # it meets the database down
            postgres.start()

            # Then the task's own retry delivers it, once
            def delivered() -> bool:
                close_old_connections()  # the one the stop broke
                try:
                    return Delivery.objects.get(pk=delivery.pk).state == Delivery.State.DELIVERED
                except django.db.Error:
                    return False

            worker.wait_for(delivered, timeout=60, what="the delivery, without a sweep")
            assert len(simulator.records) == 1
    finally:
        if worker is not None:
            kill_worker(worker)
        redis_server.stop()
        postgres.remove()
