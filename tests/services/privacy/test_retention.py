"""Retention anonymises closed cases past their service's period, with their files, messages and
the personal parts of their delivery records; it never touches open cases or cases with work
left, is idempotent, and two runs at once anonymise each case once."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.utils import timezone

from portal.celery import app
from services import file_retention, retention, tasks
from services.audit import record_access
from services.models import (
    AccessLog,
    Attempt,
    CaseActivity,
    CaseIndex,
    Delivery,
    OutgoingMessage,
    RetentionRun,
    Submission,
    SubmissionFile,
)
from services.updates.apply import CLOSED_STATUSES
from tests.portal.accounts.factories import UserFactory
from tests.services.privacy.conftest import close, file_form, make_case, route_to_mailbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return UserFactory.create(email="officer@council.example", is_staff=True)


def test_a_closed_case_past_its_period_loses_its_answers_files_and_details(
    storage, settings, officer
):
    # Given the council keeps closed cases 30 days, and a resident's case closed 31 days ago
    settings.SUBMISSION_RETENTION_DAYS = 30
    resident = UserFactory.create()
    case = make_case(storage, user=resident, days_ago=40)
    close(case, days_ago=31, by=officer)
    stored = list(case.files.values_list("storage_name", flat=True))
    assert len(stored) == 2
    assert all(storage.exists(name) for name in stored)
    CaseActivity.objects.create(submission=case, author=officer, kind="note", text="Rang Mrs J")
    AccessLog.objects.create(actor=officer, submission=case, where="staff:case")

    # When retention runs
    run = retention.apply_retention()

    # Then the case is anonymised: no answers, no owner, no details, no files in storage
    case.refresh_from_db()
    assert case.anonymised_at is not None
    assert case.answers == {}
    assert case.user is None
    assert (case.contact_email, case.contact_name, case.contact_phone, case.uprn) == ("",) * 4
    assert not SubmissionFile.objects.filter(submission=case).exists()
    assert not any(storage.exists(name) for name in stored)
    # and nothing personal is left around it: notes, update texts, messages, the search entry
    assert not CaseActivity.objects.filter(submission=case).exists()
    update = case.case_updates.get()
    assert (update.description, update.public_text_en) == ("", "")
    assert update.portal_status == Submission.Status.CLOSED_FIXED  # the history of statuses stays
    assert not OutgoingMessage.objects.filter(submission=case).exists()
    assert CaseIndex.objects.get(submission=case).emails == ""
    # while the reference, its status and who looked at it stay
    assert case.status in CLOSED_STATUSES
    assert case.reference
    assert AccessLog.objects.filter(submission=case).count() == 1
    # and the run says what it did in counts only
    assert run.anonymised == 1
    assert run.per_service == {case.service.slug: 1}
    assert run.finished_at is not None


def test_files_whose_downloads_are_in_the_access_log_are_deleted_and_the_entries_kept(
    storage, settings, officer
):
    # Given a case closed 31 days ago, made 40 days ago, whose letter a staff member downloaded
    settings.SUBMISSION_FILE_RETENTION_DAYS = 35
    settings.SUBMISSION_RETENTION_DAYS = 30
    case = make_case(storage, user=UserFactory.create(), days_ago=40)
    close(case, days_ago=31, by=officer)
    _photo, letter = case.files.order_by("pk")
    entry = record_access(officer, where="staff:attachment", submission=case, file=letter)
    named = ("Letter", 2, 2)

    # When the files' own retention deletes their bytes
    assert file_retention.delete_expired_files() == 2

    # Then their rows stay marked, and the entry still points at the letter
    entry.refresh_from_db()
    assert entry.file == letter
    assert entry.file.deleted_at is not None
    assert (entry.file_question, entry.file_number, entry.file_count) == named

    # When the case's retention anonymises it, deleting its file rows
    run = retention.apply_retention()

    # Then the case is anonymised as any other, and the entry stays: it no longer points at a
    # file, and says which one it was
    assert run.anonymised == 1
    assert not SubmissionFile.objects.filter(submission=case).exists()
    entry.refresh_from_db()
    assert (entry.actor, entry.submission, entry.file) == (officer, case, None)
    assert (entry.file_question, entry.file_number, entry.file_count) == named


def test_an_open_case_is_kept_however_old(storage, settings):
    # Given a case made three years ago that is still in progress
    settings.SUBMISSION_RETENTION_DAYS = 30
    case = make_case(storage, days_ago=3 * 365)
    Submission.objects.filter(pk=case.pk).update(status=Submission.Status.IN_PROGRESS)

    # When retention runs
    run = retention.apply_retention()

    # Then it is untouched, files and all
    case.refresh_from_db()
    assert case.anonymised_at is None
    assert case.answers["details"] == "Pothole outside number 12"
    assert all(storage.exists(f.storage_name) for f in case.files.all())
    assert run.anonymised == 0


def test_a_case_closed_within_its_period_is_kept(storage, settings, officer):
    # Given a case made long ago but closed only 29 days ago (it was reopened and closed again)
    settings.SUBMISSION_RETENTION_DAYS = 30
    case = make_case(storage, days_ago=400)
    close(case, days_ago=300, by=officer)
    close(case, days_ago=29, by=officer)

    # When retention runs
    retention.apply_retention()

    # Then the clock counted from the last closing: it is kept
    case.refresh_from_db()
    assert case.anonymised_at is None


def test_a_service_period_overrides_the_council_default(storage, settings, officer):
    # Given the default is 30 days and a service that keeps its cases 90 days
    settings.SUBMISSION_RETENTION_DAYS = 30
    long_kept = make_case(storage, version=file_form(retention_days=90), days_ago=100)
    default_kept = make_case(storage, days_ago=100)
    close(long_kept, days_ago=60, by=officer)
    close(default_kept, days_ago=60, by=officer)

    # When retention runs
    retention.apply_retention()

    # Then only the case under the default period is anonymised
    long_kept.refresh_from_db()
    default_kept.refresh_from_db()
    assert long_kept.anonymised_at is None
    assert default_kept.anonymised_at is not None


@pytest.mark.parametrize(
    "state",
    [
        Delivery.State.PENDING,
        Delivery.State.RETRYING,
        Delivery.State.IN_FLIGHT,
        Delivery.State.FAILED,
    ],
)
def test_a_case_whose_delivery_is_not_finished_is_kept(storage, settings, officer, state):
    # Given an expired closed case whose delivery still has work to do (or failed unresolved)
    settings.SUBMISSION_RETENTION_DAYS = 30
    version = file_form()
    destination = route_to_mailbox(version)
    case = make_case(storage, version=version, days_ago=100)
    close(case, days_ago=60, by=officer)
    Delivery.objects.filter(submission=case).delete()
    Delivery.objects.create(
        submission=case, destination=destination, connection=destination.connection, state=state
    )

    # When retention runs
    retention.apply_retention()

    # Then the case is untouched
    case.refresh_from_db()
    assert case.anonymised_at is None
    assert case.answers["details"]


def test_a_delivered_case_loses_its_attempt_excerpts_and_keeps_the_back_office_reference(
    storage, settings, officer
):
    # Given an expired closed case delivered to a back office after a failed attempt
    settings.SUBMISSION_RETENTION_DAYS = 30
    version = file_form()
    destination = route_to_mailbox(version)
    case = make_case(storage, version=version, days_ago=100)
    close(case, days_ago=60, by=officer)
    Delivery.objects.filter(submission=case).delete()
    delivery = Delivery.objects.create(
        submission=case,
        destination=destination,
        connection=destination.connection,
        state=Delivery.State.DELIVERED,
        external_reference="CRM-123",
        resolution_note="Called Mr Smith",
    )
    Attempt.objects.create(
        delivery=delivery,
        number=1,
        started_at=timezone.now(),
        duration_ms=10,
        outcome=Attempt.Outcome.TRANSIENT,
        excerpt="invalid email r@example.org",
    )

    # When retention runs
    retention.apply_retention()

    # Then the attempt keeps its facts but not its excerpt, the delivery its back-office reference
    delivery.refresh_from_db()
    attempt = delivery.attempt_set.get()
    assert attempt.excerpt == ""
    assert attempt.outcome == Attempt.Outcome.TRANSIENT
    assert delivery.external_reference == "CRM-123"
    assert delivery.resolution_note == ""


def test_a_case_with_a_message_not_yet_sent_is_kept(storage, settings, officer):
    # Given an expired closed case whose last update e-mail is still waiting to go
    settings.SUBMISSION_RETENTION_DAYS = 30
    case = make_case(storage, days_ago=100)
    close(case, days_ago=60, by=officer)
    OutgoingMessage.objects.create(
        kind="status_update", recipient="r@example.org", submission=case, content={}
    )

    # When retention runs
    retention.apply_retention()

    # Then the case waits for it
    case.refresh_from_db()
    assert case.anonymised_at is None


def test_retention_is_idempotent(storage, settings, officer):
    # Given two expired cases
    settings.SUBMISSION_RETENTION_DAYS = 30
    for _ in range(2):
        close(make_case(storage, days_ago=100), days_ago=60, by=officer)

    # When retention runs twice
    first = retention.apply_retention()
    second = retention.apply_retention()

    # Then the first anonymised both and the second found nothing to do
    assert (first.anonymised, second.anonymised) == (2, 0)
    assert second.per_service == {}
    assert RetentionRun.objects.count() == 2


def test_a_file_storage_will_not_delete_leaves_the_whole_case_for_the_next_run(
    storage, settings, officer, tmp_path
):
    # Given an expired case, and a storage refusing to delete its letter just now
    settings.SUBMISSION_RETENTION_DAYS = 30
    case = make_case(storage, days_ago=100)
    close(case, days_ago=60, by=officer)
    letter = case.files.get(question_id="letter")

    class Refusing(FileSystemStorage):
        def delete(self, name: str) -> None:
            if name == letter.storage_name:
                raise PermissionError(name)
            super().delete(name)

    # When retention runs with it
    run = retention.apply_retention(storage=Refusing(location=str(tmp_path)))

    # Then the case is not half anonymised: it waits, and the run counts the failure
    case.refresh_from_db()
    assert case.anonymised_at is None
    assert case.answers["details"]
    assert run.files_not_deleted == 1
    assert run.anonymised == 0

    # When the next run can delete it, the case is anonymised
    assert retention.apply_retention().anonymised == 1
    assert not storage.exists(letter.storage_name)


def test_the_daily_task_is_scheduled_and_runs_retention(storage, settings, officer):
    # Given an expired case
    settings.SUBMISSION_RETENTION_DAYS = 30
    case = make_case(storage, days_ago=100)
    close(case, days_ago=60, by=officer)

    # Then beat runs the task every day, and the task anonymises the case
    schedule = app.conf.beat_schedule["apply-retention"]
    assert schedule["task"] == "services.tasks.apply_retention"
    assert schedule["schedule"] == 24 * 60 * 60
    assert tasks.apply_retention() == 1


def test_the_outlook_lists_what_goes_next_without_names(storage, settings, officer):
    # Given one case due now, one due in ten days, and one due now but waiting for a message
    settings.SUBMISSION_RETENTION_DAYS = 30
    version = file_form()
    due = make_case(storage, version=version, days_ago=100)
    close(due, days_ago=31, by=officer)
    soon = make_case(storage, version=version, days_ago=100)
    close(soon, days_ago=20, by=officer)
    waiting = make_case(storage, version=version, days_ago=100)
    close(waiting, days_ago=40, by=officer)
    OutgoingMessage.objects.create(
        kind="status_update", recipient="x@example.org", submission=waiting
    )

    # When the outlook is read
    (row,) = retention.outlook(within_days=30)

    # Then it counts each and lists the next references in the order they go
    assert (row.due_now, row.due_soon, row.held_back) == (1, 1, 1)
    assert [c.reference for c in row.next_cases] == [due.reference, soon.reference]
    assert row.next_cases[1].due_on == timezone.localdate() + timedelta(days=10)


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_anonymise_each_case_exactly_once(tmp_path, settings):
    # Given twenty expired cases and a slow file storage, so two runs overlap
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    from django.core.files.storage import default_storage

    settings.SUBMISSION_RETENTION_DAYS = 30
    officer = UserFactory.create(email="officer@council.example", is_staff=True)
    version = file_form()
    cases = [make_case(default_storage, version=version, days_ago=100) for _ in range(20)]
    for case in cases:
        close(case, days_ago=60, by=officer)

    deletes: list[str] = []

    class Slow(FileSystemStorage):
        def delete(self, name: str) -> None:
            deletes.append(name)
            time.sleep(0.01)
            super().delete(name)

    barrier = threading.Barrier(2)
    runs: list[RetentionRun] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            runs.append(retention.apply_retention(storage=Slow(location=str(tmp_path))))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    # When two runs start at the same moment, each in its own thread and connection
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then both finished, every case was anonymised by exactly one of them
    assert errors == []
    assert len(runs) == 2
    assert sum(r.anonymised for r in runs) == 20
    assert Submission.objects.filter(anonymised_at__isnull=False).count() == 20
    # and each file was deleted once: no run worked on a case the other held
    assert len(deletes) == len(set(deletes)) == 40
    # and both did some of the work, so they really overlapped
    assert all(r.anonymised > 0 for r in runs)


def test_a_service_admin_sets_a_services_period_in_the_django_admin():
    # Given a service and a signed-in superuser (with the second factor staff must have)
    from django.test import Client

    from tests.portal.accounts.helpers import activate_totp

    version = file_form()
    admin = UserFactory.create(is_staff=True, is_superuser=True)
    activate_totp(admin)
    client = Client()
    client.force_login(admin)

    # When they open the service in the admin
    html = client.get(f"/admin/services/service/{version.form.service_id}/change/").content

    # Then its retention period is there to set, saying what empty means
    assert b'name="retention_days"' in html
    assert b"Leave empty for the council" in html


def test_a_postal_only_callers_address_goes_with_their_other_details(storage, settings, officer):
    # Given a closed case of a caller who gave an agent only their name and postal address
    settings.SUBMISSION_RETENTION_DAYS = 30
    case = make_case(storage, days_ago=40)
    case.contact_email = ""
    case.contact_name = "Gwen Post"
    case.contact_address = {
        "uprn": "",
        "line1": "12 Chapel Row",
        "line2": "",
        "town": "Middlehampton",
        "postcode": "ZZ99 1AB",
    }
    case.save()
    assert CaseIndex.objects.get(submission=case).postcodes == "ZZ991AB"
    close(case, days_ago=31, by=officer)

    # When retention runs
    retention.apply_retention()

    # Then the address is gone with the name, and nothing finds the case by it
    case.refresh_from_db()
    assert case.anonymised_at is not None
    assert (case.contact_name, case.contact_address) == ("", {})
    index = CaseIndex.objects.get(submission=case)
    assert (index.names, index.postcodes, index.addresses) == ("", "", "")
