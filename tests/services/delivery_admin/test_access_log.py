"""Every staff view of a resident's personal data is recorded (DESIGN: invariants)."""

import pytest

from services.models import AccessLog
from tests.portal.accounts.factories import UserFactory
from tests.services.delivery_admin.conftest import signed_in
from tests.services.delivery_admin.factories import SubmissionFactory

pytestmark = pytest.mark.django_db


def test_opening_a_submission_in_the_admin_records_who_saw_it(service_admin, service_admin_client):
    # Given a resident's submission
    submission = SubmissionFactory()

    # When a service admin opens it
    response = service_admin_client.get(f"/admin/services/submission/{submission.pk}/change/")

    # Then the view is recorded against them and the case
    assert response.status_code == 200
    entry = AccessLog.objects.get()
    assert (entry.actor, entry.submission, entry.where) == (
        service_admin,
        submission,
        "admin:submission",
    )


def test_opening_a_residents_account_in_the_admin_records_who_saw_it(system_admin):
    # Given a resident's account
    resident = UserFactory(full_name="Rhian Evans")

    # When a system admin opens it
    response = signed_in(system_admin).get(f"/admin/accounts/user/{resident.pk}/change/")

    # Then the view is recorded with the resident as its subject
    assert response.status_code == 200
    entry = AccessLog.objects.get()
    assert (entry.actor, entry.subject, entry.where) == (system_admin, resident, "admin:user")


@pytest.mark.parametrize("page", ["emailaddress", "authenticator", "usersession"])
def test_opening_a_residents_e_mail_authenticator_or_session_records_who_saw_it(page):
    # Given a resident's e-mail address, authenticator app and session (allauth's models)
    from allauth.account.models import EmailAddress
    from allauth.usersessions.models import UserSession
    from django.utils import timezone

    from portal.accounts.mfa import set_totp_secret
    from tests.portal.accounts.helpers import generate_totp_secret

    resident = UserFactory()
    rows = {
        "emailaddress": EmailAddress.objects.get_or_create(user=resident, email=resident.email)[0],
        "authenticator": set_totp_secret(resident, generate_totp_secret()),
        "usersession": UserSession.objects.create(
            user=resident,
            ip="192.0.2.7",
            session_key="k",
            user_agent="Phone",
            created_at=timezone.now(),
            last_seen_at=timezone.now(),
            data={},
        ),
    }
    superuser = UserFactory(is_staff=True, is_superuser=True)
    app = {"emailaddress": "account", "authenticator": "mfa", "usersession": "usersessions"}[page]

    # When a superuser opens the page
    response = signed_in(superuser).get(f"/admin/{app}/{page}/{rows[page].pk}/change/")

    # Then the view is recorded with the resident as its subject
    assert response.status_code == 200
    entry = AccessLog.objects.get()
    assert (entry.actor, entry.subject, entry.where) == (superuser, resident, f"admin:{page}")


def test_a_refused_view_records_nothing(agent_client):
    # Given a submission an agent may not open in the admin
    submission = SubmissionFactory()

    # When they try
    response = agent_client.get(f"/admin/services/submission/{submission.pk}/change/")

    # Then nothing was shown and nothing recorded
    assert response.status_code in (302, 403)
    assert not AccessLog.objects.exists()


def test_system_admins_can_read_but_never_change_the_access_log(system_admin):
    # Given a recorded view
    submission = SubmissionFactory()
    client = signed_in(system_admin)
    client.get(f"/admin/services/submission/{submission.pk}/change/")
    entry = AccessLog.objects.get()

    # When a system admin looks at the log
    listing = client.get("/admin/services/accesslog/")
    edit = client.post(f"/admin/services/accesslog/{entry.pk}/change/", {"where": "nowhere"})
    delete = client.post(f"/admin/services/accesslog/{entry.pk}/delete/", {"post": "yes"})

    # Then they can read it, and the entry stays as it was
    assert listing.status_code == 200
    assert edit.status_code == 403
    assert delete.status_code == 403
    entry.refresh_from_db()
    assert entry.where == "admin:submission"
