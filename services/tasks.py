"""Celery tasks of the services domain. Each is thin: it calls a domain function."""

from celery import shared_task

from services import drafts_cleanup


@shared_task
def delete_expired_drafts() -> int:
    """Hourly, from beat. Idempotent: a second run finds nothing expired left to delete."""
    return drafts_cleanup.delete_expired_drafts()
