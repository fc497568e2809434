"""The Celery application.

Delivery to back-office systems must never lose or double a submission, so the worker is set up
for at-least-once execution and every task must therefore be idempotent:

- ``task_acks_late``: a message is acknowledged only after its task finishes, so a worker that dies
  mid-task leaves the message to be redelivered instead of losing it.
- ``task_reject_on_worker_lost``: if the worker process is killed (OOM, SIGKILL) the message is
  rejected and requeued rather than acknowledged as failed.
- ``worker_prefetch_multiplier = 1``: a worker reserves one message at a time, so a slow back office
  does not strand a batch of prefetched messages behind it and a killed worker holds little.
- time limits: a hung call cannot block a worker forever; the soft limit raises inside the task
  so it can record the attempt; the hard limit kills it.
- JSON only: no pickle, so a message on the broker cannot run code, and tasks carry only ids.

The database, not the broker, is the source of truth: the beat sweeper re-queues anything due,
so a flushed Redis or a lost message delays work but never loses it.

Logging: workers and beat log through Django's LOGGING (JSON lines, no personal data; see
portal/core/logging.py) rather than Celery's own formatter, and django-structlog's worker step
binds the request id of the web request that queued a task to every line that task logs.
"""

import logging.config
import os
from typing import Any

from celery import Celery
from celery.signals import setup_logging, task_postrun, task_prerun
from django.conf import settings
from django_structlog.celery.steps import DjangoStructLogInitStep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")

app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_soft_time_limit=60,
    task_time_limit=90,
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    timezone="Europe/London",
    broker_connection_retry_on_startup=True,
    # When the broker connection drops, a task in hand runs to its end: a delivery records its
    # outcome in PostgreSQL. Its ack is lost with the connection, so Redis hands the message out
    # again after the visibility timeout and the claim finds nothing left to do. (Said outright
    # because Celery 6 will change the default to cancelling them.)
    worker_cancel_long_running_tasks_on_connection_loss=False,
    # Redis redelivers an unacknowledged message after this long. It must exceed the longest task
    # (task_time_limit) or a slow task would run twice at once.
    broker_transport_options={"visibility_timeout": 600},
    # Work that must happen on a schedule; each entry is a thin task that calls a domain function.
    beat_schedule={
        "clear-expired-sessions": {
            "task": "portal.core.tasks.clear_expired_sessions",
            "schedule": 60 * 60,
        },
        "delete-expired-drafts": {
            "task": "services.tasks.delete_expired_drafts",
            "schedule": 60 * 60,
        },
        # Residents' files are kept SUBMISSION_FILE_RETENTION_DAYS (services/file_retention.py).
        "delete-expired-submission-files": {
            "task": "services.tasks.delete_expired_submission_files",
            "schedule": 24 * 60 * 60,
        },
        # Closed cases are anonymised after their service's retention period, counted from when
        # they closed (services/retention.py; SUBMISSION_RETENTION_DAYS by default).
        "apply-retention": {
            "task": "services.tasks.apply_retention",
            "schedule": 24 * 60 * 60,
        },
        # Residents' prepared data downloads are kept DATA_EXPORT_KEEP_DAYS.
        "delete-expired-data-exports": {
            "task": "services.tasks.delete_expired_data_exports",
            "schedule": 24 * 60 * 60,
        },
        # Re-queues deliveries that are due or whose worker died: what makes a flushed Redis or
        # a lost message only a delay (services/delivery/sweeper.py).
        # Messages (services/messages) are swept by the same task.
        "sweep-deliveries": {
            "task": "services.delivery.tasks.sweep",
            "schedule": settings.DELIVERY_SWEEP_INTERVAL,
        },
        # Fetches status updates from back offices that are polled (services/updates/poll.py).
        "poll-status-updates": {
            "task": "services.updates.tasks.poll_all",
            "schedule": 5 * 60,
        },
        # Connections whose back office takes files on a schedule (services/delivery/batch.py).
        "deliver-batches": {"task": "services.delivery.batch.deliver_batches", "schedule": 60},
    },
)

if app.conf.broker_url.startswith(("redis://", "rediss://")):
    # kombu's Redis transport with the fix that keeps a worker alive when Redis restarts
    # (see portal/broker.py for the bug and when to drop it).
    app.conf.broker_transport = "portal.broker:Transport"

if app.conf.broker_url.startswith("filesystem://"):
    # The embedded default for `make run`: a folder each process reads and writes, so a newcomer
    # needs no Redis. Not for production (no visibility timeout, one machine only).
    broker_dir = str(settings.CELERY_BROKER_DIR)
    for sub in ("out", "processed", "control"):
        os.makedirs(os.path.join(broker_dir, sub), exist_ok=True)
    app.conf.broker_transport_options = {
        "data_folder_in": os.path.join(broker_dir, "out"),
        "data_folder_out": os.path.join(broker_dir, "out"),
        "processed_folder": os.path.join(broker_dir, "processed"),
        # Exchange bindings; left unset, kombu writes them to ./control wherever it was started.
        "control_folder": os.path.join(broker_dir, "control"),
        "store_processed": False,
    }

# Binds the queuing request's id (sent in the task headers) around each task run in the worker.
app.steps["worker"].add(DjangoStructLogInitStep)


@setup_logging.connect
def use_django_logging(**kwargs: Any) -> None:
    """Connected, this stops Celery replacing the root logger's handlers with its own format."""
    logging.config.dictConfig(settings.LOGGING)


# Celery's Django fixup closes every database connection before and after each task unless this
# is set, so each delivery would pay for a new PostgreSQL connection (measured: most of a
# delivery's time). Instead, do what Django does around a web request: before and after each task,
# drop a connection that is broken or older than CONN_MAX_AGE, and keep a healthy one.
app.conf["CELERY_DB_REUSE_MAX"] = 2**31


@task_prerun.connect
@task_postrun.connect
def _close_old_database_connections(task: Any = None, **_: Any) -> None:
    # An eager task runs inside the caller's transaction (tests); its connection is not ours.
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


app.autodiscover_tasks()
# Apps' `tasks` modules are found above; the delivery package's is one level down.
app.autodiscover_tasks(["services.delivery"])
app.autodiscover_tasks(["services.delivery"], related_name="batch")
app.autodiscover_tasks(["services.updates"])
app.autodiscover_tasks(["services.messages"])
app.autodiscover_tasks(["services.conversations"])
