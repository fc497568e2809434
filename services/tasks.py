"""Celery tasks of the services domain. Each is thin: it calls a domain function."""

from celery import shared_task

from services import drafts_cleanup, file_retention, retention
from services.privacy import export


@shared_task
def delete_expired_drafts() -> int:
    """Hourly, from beat. Idempotent: a second run finds nothing expired left to delete."""
    return drafts_cleanup.delete_expired_drafts()


@shared_task
def delete_expired_submission_files() -> int:
    """Daily, from beat. Idempotent: a second run finds no expired file left to delete."""
    return file_retention.delete_expired_files()


@shared_task
def apply_retention() -> int:
    """Daily, from beat. Idempotent, and safe beside another run (each case is locked)."""
    return retention.apply_retention().anonymised


@shared_task
def build_data_export(export_id: int) -> None:
    """A resident's data download too large to build while they wait. Idempotent: a ready one
    is left alone."""
    export.build(export_id)


@shared_task
def delete_expired_data_exports() -> int:
    """Daily, from beat: data downloads kept longer than DATA_EXPORT_KEEP_DAYS."""
    return export.delete_expired_exports()
