import secrets
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils import timezone

from portal.celery import app
from services import drafts_cleanup, tasks
from services.models import Draft
from services.seed import seed_catalogue
from tests.portal.dashboard.factories import DraftFactory, SubmissionFactory


@pytest.fixture
def storage(tmp_path, settings):
    """Private upload storage in a temporary folder, as the default storage too."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return FileSystemStorage(location=str(tmp_path))


@pytest.fixture
def catalogue(db):
    return seed_catalogue()


def stored_file(storage, extension: str = "jpg") -> str:
    return storage.save(f"uploads/{secrets.token_urlsafe(24)}.{extension}", ContentFile(b"data"))


def expired(**kwargs) -> Draft:
    return DraftFactory.create(expires_at=timezone.now() - timedelta(hours=1), **kwargs)


def test_expired_drafts_go_with_the_files_nothing_else_uses(
    storage, catalogue, django_capture_on_commit_callbacks
):
    # Given an expired draft with an orphan photo and a photo that was sent with a form
    orphan, sent = stored_file(storage), stored_file(storage, "pdf")
    SubmissionFactory(answers={"photo": {"reference": sent, "name": "pothole.pdf"}})
    old = expired(uploads=[orphan, sent])
    # And an expired draft sharing a file with a draft still in progress
    shared = stored_file(storage)
    sharing = expired(uploads=[shared])
    current = DraftFactory(uploads=[shared, stored_file(storage)])

    # When the cleanup runs
    with django_capture_on_commit_callbacks(execute=True):
        deleted = drafts_cleanup.delete_expired_drafts(storage=storage)

    # Then both expired drafts are gone, and only the orphan file with them
    assert deleted == 2
    assert not Draft.objects.filter(pk__in=[old.pk, sharing.pk]).exists()
    assert Draft.objects.filter(pk=current.pk).exists()
    assert not storage.exists(orphan)
    assert storage.exists(sent)
    assert storage.exists(shared)
    assert all(storage.exists(ref) for ref in current.uploads)


def test_drafts_that_have_not_expired_are_kept_with_their_files(
    storage, catalogue, django_capture_on_commit_callbacks
):
    photo = stored_file(storage)
    draft = DraftFactory(uploads=[photo], expires_at=timezone.now() + timedelta(seconds=5))

    with django_capture_on_commit_callbacks(execute=True):
        assert drafts_cleanup.delete_expired_drafts(storage=storage) == 0

    assert Draft.objects.filter(pk=draft.pk).exists()
    assert storage.exists(photo)


def test_nothing_but_well_formed_upload_references_is_ever_deleted(
    storage, catalogue, django_capture_on_commit_callbacks, tmp_path
):
    # Given an expired draft whose uploads list holds paths that are not uploads
    precious = tmp_path / "settings.py"
    precious.write_text("SECRET")
    storage.save("uploads/notes.txt", ContentFile(b"keep"))
    expired(uploads=["settings.py", "../settings.py", "uploads/notes.txt", 5, None, {"a": 1}])
    expired(uploads={"not": "a list"})

    # When the cleanup runs
    with django_capture_on_commit_callbacks(execute=True):
        assert drafts_cleanup.delete_expired_drafts(storage=storage) == 2

    # Then those files are untouched
    assert precious.read_text() == "SECRET"
    assert storage.exists("uploads/notes.txt")


def test_files_are_deleted_only_once_the_drafts_deletion_commits(
    storage, catalogue, django_capture_on_commit_callbacks
):
    photo = stored_file(storage)
    expired(uploads=[photo])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        drafts_cleanup.delete_expired_drafts(storage=storage)

    # Not yet committed: the file is still there
    assert storage.exists(photo)
    for callback in callbacks:
        callback()
    assert not storage.exists(photo)


def test_a_file_already_gone_does_not_stop_the_cleanup(
    storage, catalogue, django_capture_on_commit_callbacks
):
    gone, present = stored_file(storage), stored_file(storage)
    storage.delete(gone)
    expired(uploads=[gone, present])

    with django_capture_on_commit_callbacks(execute=True):
        assert drafts_cleanup.delete_expired_drafts(storage=storage) == 1

    assert not storage.exists(present)


def test_many_expired_drafts_are_deleted_in_batches_and_a_second_run_finds_none(
    storage, catalogue, django_capture_on_commit_callbacks
):
    for _ in range(5):
        expired()
    kept = DraftFactory()

    with django_capture_on_commit_callbacks(execute=True):
        assert drafts_cleanup.delete_expired_drafts(storage=storage, batch_size=2) == 5
        assert drafts_cleanup.delete_expired_drafts(storage=storage, batch_size=2) == 0

    assert list(Draft.objects.all()) == [kept]


def test_a_resident_deleting_a_draft_deletes_its_orphan_files(
    storage, catalogue, django_capture_on_commit_callbacks
):
    orphan, sent = stored_file(storage), stored_file(storage)
    SubmissionFactory(answers={"photo": {"reference": sent, "name": "a.jpg"}})
    draft = DraftFactory(uploads=[orphan, sent])

    with django_capture_on_commit_callbacks(execute=True):
        drafts_cleanup.delete_draft(draft, storage=storage)

    assert not Draft.objects.filter(pk=draft.pk).exists()
    assert not storage.exists(orphan)
    assert storage.exists(sent)


def test_the_hourly_task_cleans_up_with_the_default_storage(
    storage, catalogue, django_capture_on_commit_callbacks
):
    # Given an expired draft with a photo in the default (private) storage
    photo = stored_file(storage)
    draft = expired(uploads=[photo])

    # When beat's task runs
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.delete_expired_drafts.apply().get() == 1

    # Then the draft and its photo are gone
    assert not Draft.objects.filter(pk=draft.pk).exists()
    assert not storage.exists(photo)


def test_beat_runs_the_cleanup_every_hour():
    entry = app.conf.beat_schedule["delete-expired-drafts"]

    assert entry["task"] == "services.tasks.delete_expired_drafts"
    assert entry["schedule"] == 60 * 60
    assert tasks.delete_expired_drafts.name == entry["task"]


@pytest.mark.django_db
def test_sending_a_draft_removes_the_photos_it_replaced_but_keeps_the_one_sent(
    storage, django_capture_on_commit_callbacks
):
    # Given a draft whose resident uploaded one photo, then replaced it with another
    from services.submissions import submit_draft
    from tests.services.factories import FormVersionFactory
    from tests.services.helpers import page

    schema = {
        "pages": [
            page(
                "photo",
                {"id": "photo", "type": "file", "label": {"en": "Add a photo"}},
            )
        ]
    }
    version = FormVersionFactory(schema=schema)
    version.publish()
    replaced, kept = stored_file(storage), stored_file(storage)
    draft = DraftFactory(
        form_version=version,
        uploads=[replaced, kept],
        answers={"photo": {"reference": kept, "name": "pothole.jpg"}},
    )

    # When it is sent
    with django_capture_on_commit_callbacks(execute=True):
        submission = submit_draft(
            draft, user=None, contact_email="guest@example.com", language="en"
        )

    # Then the photo sent with it stays, and the one replaced along the way is gone
    assert submission.answers["photo"]["reference"] == kept
    assert storage.exists(kept)
    assert not storage.exists(replaced)
