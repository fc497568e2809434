from typing import Any

from celery import shared_task
from django.conf import settings
from django.core import mail
from django.core.management import call_command

from portal.core.mail import deserialise


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=60 * 30,
    max_retries=10,
)
def send_email(payload: dict[str, Any]) -> None:
    """Send one queued message through the real backend (SMTP in production)."""
    with mail.get_connection(backend=settings.CELERY_EMAIL_BACKEND) as connection:
        connection.send_messages([deserialise(payload)])


@shared_task
def clear_expired_sessions() -> None:
    call_command("clearsessions")
