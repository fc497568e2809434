from typing import Any

from celery import shared_task
from django.core.management import call_command

from portal.core.mail import deserialise, queue_email


@shared_task
def send_email(payload: dict[str, Any]) -> None:
    """A message the release before the message outbox left on the queue: put it in the outbox,
    which sends and retries it like any other. Remove once no deployment predates the outbox."""
    queue_email(deserialise(payload), kind="other")


@shared_task
def clear_expired_sessions() -> None:
    call_command("clearsessions")
