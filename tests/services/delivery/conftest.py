"""Building routed forms, connections to a webhook simulator, and submissions for delivery tests."""

import shutil
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from integrations.simulators.webhook import WebhookSimulator
from services.models import (
    Connection,
    Destination,
    Draft,
    FormVersion,
    RoutingRuleSet,
    Submission,
)
from services.submissions import submit_draft
from tests.conftest import default_queue, start_celery_worker, stop_worker
from tests.services.factories import FormVersionFactory

SECRET = "a-signing-secret-for-tests-0123456789"
MAPPING = {
    "reference": {"meta": "reference"},
    "bin": {"answer": "bin_type"},
    "service": {"meta": "service"},
}


@pytest.fixture
def simulator():
    with WebhookSimulator(SECRET) as sim:
        yield sim


def make_connection(url: str, **fields: Any) -> Connection:
    n = Connection.objects.count() + 1
    defaults: dict[str, Any] = {
        "name": f"Back office {n}",
        "slug": f"back-office-{n}",
        "adapter": "webhook",
        "config": {"url": url, "read_timeout": 2.0, "connect_timeout": 1.0},
        "secrets": {"signing_secret": SECRET},
        "owner_email": f"owner{n}@council.example",
        "attempt_budget": timedelta(hours=24),
    }
    return Connection.objects.create(**{**defaults, **fields})


def make_routed_version(
    *connections: Connection, mapping: dict | None = None, schema: dict | None = None
) -> FormVersion:
    """A live form (of `schema`, or the factory's one question) whose fallback sends every
    submission to each of `connections`."""
    extra = {"schema": schema} if schema is not None else {}
    version = FormVersionFactory.create(
        number=1, status=FormVersion.Status.LIVE, published_at=timezone.now(), **extra
    )
    rule_set = RoutingRuleSet.objects.create(form=version.form)
    for n, connection in enumerate(connections, start=1):
        Destination.objects.create(
            rule_set=rule_set,
            name=f"Destination {n}",
            connection=connection,
            mapping=mapping if mapping is not None else MAPPING,
        )
    return version


def submit(version: FormVersion, bin_type: str = "garden", email: str = "resident@example.org"):
    """A submission made the way residents make them: a draft sent through submit_draft."""
    draft = Draft.objects.create(form_version=version, answers={"bin_type": bin_type})
    return submit_draft(draft, user=None, contact_email=email, language="en")


def deliveries_of(submission: Submission):
    return list(submission.deliveries.order_by("pk"))


@pytest.fixture(scope="module")
def delivery_worker(django_db_setup):
    """A worker of these tests' own (not the session's shared one, whose log other tests read)."""
    queue = f"delivery-test-{uuid.uuid4().hex[:8]}"
    workdir = Path(tempfile.mkdtemp(prefix="delivery-worker-"))
    with default_queue(queue):
        worker = start_celery_worker(queue, workdir=workdir, concurrency=2)
        try:
            yield worker
        finally:
            stop_worker(worker)
            shutil.rmtree(workdir, ignore_errors=True)
