"""Notify down, then back and losing answers: messages wait in the outbox, all go, none twice.

A real worker sends the outbox through the Notify transport to the Notify simulator in a process
of its own. First Notify is not running at all (connection refused): every message waits to be
tried again. Then it comes back on the same address, but hanging up on a share of the requests
after taking the notification (the answer lost) and failing others with a 503: the sender cannot
tell whether those were sent. The simulator does not de-duplicate, as Notify does not; so the
only thing standing between a lost answer and a second text message is the transport looking its
reference up before sending again. At the end every message is sent and Notify holds exactly one
notification per message.
"""

import json
import time
import uuid
from collections import Counter

import httpx
import pytest

from integrations.simulators.notify import api_key, demo_templates_setting
from services.delivery import tasks
from services.messages.outbox import queue_message
from services.models import OutgoingMessage
from tests.conftest import default_queue, kill_worker, start_celery_worker
from tests.faults.conftest import RedisServer, SimulatorProcess, free_port, publishing_to

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

MESSAGES = 20
SENT_WITHIN = 90.0  # seconds, once Notify is back


def _notifications(simulator: SimulatorProcess) -> list[dict]:
    return httpx.get(f"{simulator.url}/_notifications", timeout=30).json()["notifications"]


def test_messages_wait_while_notify_is_down_and_go_once_when_it_is_back(settings, fault_workdir):
    settings.DELIVERY_SWEEP_GRACE_SECONDS = 1
    redis_server = RedisServer(fault_workdir)
    redis_server.start()
    port = free_port()
    queue = f"notify-{uuid.uuid4().hex[:8]}"
    env = {
        "REDIS_URL": redis_server.url,
        "CELERY_BROKER_URL": redis_server.url,
        "NOTIFY_API_KEY": api_key(),
        "NOTIFY_BASE_URL": f"http://127.0.0.1:{port}",
        "NOTIFY_TEMPLATES": json.dumps(demo_templates_setting()),
        "NOTIFY_TIMEOUT_SECONDS": "5",
        "DELIVERY_RETRY_BASE_SECONDS": "0.5",
        "DELIVERY_RETRY_CAP_SECONDS": "2",
    }
    worker = simulator = None
    try:
        with default_queue(queue), publishing_to(redis_server.url):
            worker = start_celery_worker(queue, workdir=fault_workdir, concurrency=2, env=env)

            # Given Notify is down (nothing listens where NOTIFY_BASE_URL points)
            messages = [
                queue_message(
                    kind="status_update",
                    recipient=f"resident{n}@example.org" if n % 2 else f"07700 900{n:03d}",
                    subject=f"Update {n}" if n % 2 else "",
                    body=f"Your request {n} is in progress.",
                    language="cy" if n % 3 == 0 else "en",
                    channel="email" if n % 2 else "sms",
                )
                for n in range(MESSAGES)
            ]
            ids = [m.pk for m in messages]

            # When the worker tries them, they wait to be tried again; nothing fails for good
            def all_tried() -> bool:
                tried = OutgoingMessage.objects.filter(pk__in=ids, attempts__gte=1)
                return tried.count() == MESSAGES

            worker.wait_for(all_tried, timeout=60, what="every message to be tried")
            states = set(OutgoingMessage.objects.filter(pk__in=ids).values_list("state", flat=True))
            assert OutgoingMessage.State.FAILED not in states
            assert OutgoingMessage.State.SENT not in states

            # When Notify comes back, losing some answers after taking the notification and
            # failing some requests with a 503
            simulator = SimulatorProcess(
                "notify",
                [],
                {"drop_rate": 0.3, "error_rate": 0.15},
                fault_workdir / "notify.log",
                port=port,
            )

            # Then the sweeper and the worker send every message
            deadline = time.monotonic() + SENT_WITHIN
            while time.monotonic() < deadline:
                tasks.sweep()  # the real task's body, as beat runs it
                waiting = OutgoingMessage.objects.filter(pk__in=ids).exclude(
                    state=OutgoingMessage.State.SENT
                )
                if not waiting.exists():
                    break
                time.sleep(0.5)
            final = Counter(
                OutgoingMessage.objects.filter(pk__in=ids).values_list("state", flat=True)
            )
            assert final == {OutgoingMessage.State.SENT: MESSAGES}, (final, worker.log()[-3000:])

            # And Notify holds exactly one notification per message, the one each adopted
            held = _notifications(simulator)
            copies = Counter(n["reference"] for n in held)
            sent = dict(
                OutgoingMessage.objects.filter(pk__in=ids).values_list("message_id", "provider_id")
            )
            assert copies == Counter(sent.keys()), copies
            assert {n["reference"]: n["id"] for n in held} == sent
            # And the faults really happened
            injected = simulator.stats()["injected"]
            assert injected.get("drop", 0) > 0, injected
    finally:
        if worker is not None:
            kill_worker(worker)
        if simulator is not None:
            simulator.stop()
        redis_server.stop()
