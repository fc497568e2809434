"""A large data download is built by a real Celery worker process, from the rows and files the
web process committed, and is then offered from private storage."""

from __future__ import annotations

import io
import json
import shutil
import tempfile
import uuid
import zipfile
from pathlib import Path

import pytest

from services.models import DataExport
from services.privacy import export
from tests.conftest import default_queue, start_celery_worker, stop_worker
from tests.portal.accounts.factories import UserFactory
from tests.services.privacy.conftest import make_case

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shared_storage_worker(settings):
    """A worker process and this test sharing one private storage folder, as web and worker
    share one storage in production."""
    workdir = Path(tempfile.mkdtemp(prefix="export-worker-"))
    private = workdir / "var" / "private"
    private.mkdir(parents=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(private)},
        },
    }
    queue = f"portal-test-export-{uuid.uuid4().hex[:8]}"
    worker = start_celery_worker(queue, workdir=workdir)
    try:
        with default_queue(queue):
            yield worker
    finally:
        stop_worker(worker)
        shutil.rmtree(workdir, ignore_errors=True)


def test_the_worker_builds_the_zip_with_the_files(shared_storage_worker, settings):
    # Given a resident with more requests than are zipped while they wait
    from django.core.files.storage import default_storage

    settings.DATA_EXPORT_INLINE_MAX_SUBMISSIONS = 1
    resident = UserFactory.create(full_name="Ann Example")
    cases = [make_case(default_storage, user=resident) for _ in range(2)]

    # When they ask for it (the task is queued when the request commits)
    prepared = export.prepare(resident, "en")

    # Then the worker builds it, and it holds both requests and their four files
    shared_storage_worker.wait_for(
        lambda: DataExport.objects.filter(pk=prepared.pk, state="ready").exists(),
        what="the worker to build the download",
    )
    prepared.refresh_from_db()
    with default_storage.open(prepared.storage_name, "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    data = json.loads(archive.read("your-data.json"))
    assert sorted(r["reference"] for r in data["requests"]) == sorted(c.reference for c in cases)
    for request in data["requests"]:
        for file in request["files"]:
            row = next(c for c in cases if c.reference == request["reference"]).files.get(
                pk=file["id"]
            )
            with default_storage.open(row.storage_name, "rb") as stored:
                assert archive.read(file["in_zip"]) == stored.read()
