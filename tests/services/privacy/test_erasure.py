"""Deleting an account: the profile, sign-in, sessions, drafts, downloads and unsent messages
go; the requests stay with their answers until retention, detached from the account and without
contact details; the deletion is recorded; staff cannot delete themselves this way."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import DELETION, LogEntry
from django.test import Client
from django.urls import reverse

from portal.accounts.roles import AGENT
from services.audit import record_access
from services.models import (
    AccessLog,
    CaseIndex,
    DataExport,
    Draft,
    OutgoingMessage,
    Submission,
)
from services.privacy import erasure, export
from tests.file_samples import jpeg_bytes, stored_upload
from tests.portal.accounts.factories import PASSWORD, UserFactory
from tests.portal.accounts.helpers import activate_totp, sign_in
from tests.services.privacy.conftest import file_form, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident():
    return UserFactory.create(
        email="ada@example.org", full_name="Ada Lovelace", phone="+447700900123"
    )


def test_deleting_an_account_keeps_the_requests_without_the_person(
    storage, resident, django_capture_on_commit_callbacks
):
    # Given a resident with a request, a draft with an upload, a prepared download, messages
    # sent and waiting, and a second factor
    case = make_case(storage, user=resident)
    upload = stored_upload(jpeg_bytes(), "half.jpg", storage)
    Draft.objects.create(
        form_version=file_form(),
        user=resident,
        answers={"photo": upload},
        uploads=[upload["reference"]],
    )
    prepared = DataExport.objects.create(user=resident)
    waiting = OutgoingMessage.objects.create(
        kind="status_update", recipient=resident.email, submission=case, user=resident
    )
    code = OutgoingMessage.objects.create(
        kind="other", recipient=resident.email, user=resident, state="sent"
    )
    activate_totp(resident)

    # When they delete their account
    with django_capture_on_commit_callbacks(execute=True):
        erasure.erase_account(resident)

    # Then the account is emptied and can never sign in again
    resident.refresh_from_db()
    assert not resident.is_active
    assert not resident.has_usable_password()
    assert resident.email.endswith("@deleted.invalid")
    assert (resident.full_name, resident.phone, resident.address) == ("", "", {})
    assert not EmailAddress.objects.filter(user=resident).exists()
    assert not Authenticator.objects.filter(user=resident).exists()
    # and the draft, its upload and the prepared download are gone
    assert not Draft.objects.filter(user=resident).exists()
    assert not storage.exists(upload["reference"])
    assert not DataExport.objects.filter(pk=prepared.pk).exists()
    # and the waiting message and the account's own messages are deleted
    assert not OutgoingMessage.objects.filter(pk__in=[waiting.pk, code.pk]).exists()
    # while the request stays with its answers and files, naming no one
    case.refresh_from_db()
    assert case.user is None
    assert case.detached_at is not None
    assert (case.contact_email, case.contact_name, case.contact_phone) == ("", "", "")
    assert case.answers["details"] == "Pothole outside number 12"
    assert case.files.count() == 2
    assert "ada@example.org" not in CaseIndex.objects.get(submission=case).emails
    # and the acknowledgement already sent stays with the case without its address
    (sent,) = OutgoingMessage.objects.filter(submission=case)
    assert sent.recipient == erasure.REMOVED_RECIPIENT
    assert sent.user is None
    # and the deletion is recorded, in counts
    entry = LogEntry.objects.get(object_id=str(resident.pk), action_flag=DELETION)
    assert "1 requests kept" in entry.change_message
    assert "Ada" not in entry.change_message


def test_every_session_of_the_account_ends(resident):
    # Given the resident signed in on two devices
    phone, laptop = Client(), Client()
    for device in (phone, laptop):
        assert sign_in(device, resident.email, PASSWORD).status_code == 302
    assert UserSession.objects.filter(user=resident).count() == 2
    assert laptop.get(reverse("dashboard:home")).status_code == 200

    # When the account is deleted
    erasure.erase_account(resident)

    # Then neither device is signed in any more, and the password no longer works
    assert UserSession.objects.filter(user=resident).count() == 0
    for device in (phone, laptop):
        response = device.get(reverse("dashboard:home"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert sign_in(Client(), "ada@example.org", PASSWORD).status_code == 200  # the form again


def test_a_deleted_accounts_data_download_is_empty(storage, resident):
    # Given a resident with a request, who deletes their account
    make_case(storage, user=resident)
    erasure.erase_account(resident)

    # Then nothing of theirs would be found under the account any more
    resident.refresh_from_db()
    data = export.collect(resident)
    assert data["requests"] == []
    assert data["profile"]["full_name"] == ""


def test_the_access_log_still_names_the_files_staff_downloaded(storage, resident):
    # Given a resident's request whose photo a staff member downloaded
    case = make_case(storage, user=resident)
    photo = case.files.order_by("pk").first()
    agent = UserFactory.create(roles=[AGENT])
    record_access(agent, where="staff:attachment", submission=case, subject=resident, file=photo)

    # When the resident deletes their account
    erasure.erase_account(resident)

    # Then the entry is as it was: "who saw my data?" still says which file, of which request
    entry = AccessLog.objects.get(where="staff:attachment")
    assert (entry.actor, entry.submission, entry.subject, entry.file) == (
        agent,
        case,
        resident,
        photo,
    )
    assert (entry.file_question, entry.file_number, entry.file_count) == ("Photo", 1, 2)


def test_another_residents_requests_are_untouched(storage, resident):
    # Given another resident's request
    other = UserFactory.create()
    theirs = make_case(storage, user=other)

    # When our resident deletes their account
    erasure.erase_account(resident)

    # Then the other's request is as it was
    theirs.refresh_from_db()
    assert theirs.user == other
    assert theirs.detached_at is None


@pytest.mark.parametrize("kind", ["is_staff", "role"])
def test_staff_cannot_delete_their_own_account_this_way(kind):
    # Given council staff (an admin flag, or an agent's role)
    staff = (
        UserFactory.create(is_staff=True)
        if kind == "is_staff"
        else UserFactory.create(roles=[AGENT])
    )

    # When their account is put forward for deletion
    # Then it is refused and nothing changes
    assert not erasure.may_delete_own_account(staff)
    with pytest.raises(erasure.StaffAccountError):
        erasure.erase_account(staff)
    staff.refresh_from_db()
    assert staff.is_active


def test_what_is_kept_is_listed_per_service_with_its_period(storage, resident, settings):
    # Given requests in a service with its own period and in one with the default
    settings.SUBMISSION_RETENTION_DAYS = 730
    own = file_form(retention_days=90)
    make_case(storage, user=resident, version=own)
    make_case(storage, user=resident, version=own)
    make_case(storage, user=resident)

    # When the deletion page asks what is kept
    kept = erasure.kept_requests(resident)

    # Then each service is listed with its count and its period
    assert sorted((k.count, k.days) for k in kept) == [(1, 730), (2, 90)]
    assert Submission.objects.filter(user=resident).count() == 3


def test_a_postal_address_given_with_a_request_goes_with_the_other_contact_details(
    storage, resident
):
    # Given a resident's request that carries a postal address given with it
    case = make_case(storage, user=resident)
    case.contact_address = {
        "line1": "12 Chapel Row",
        "town": "Middlehampton",
        "postcode": "ZZ99 1AB",
    }
    case.save()
    assert "ZZ991AB" in CaseIndex.objects.get(submission=case).postcodes

    # When they delete their account
    erasure.erase_account(resident)

    # Then the request no longer holds the address, nor is found by it
    case.refresh_from_db()
    assert case.contact_address == {}
    assert CaseIndex.objects.get(submission=case).postcodes == ""
