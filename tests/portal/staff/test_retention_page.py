"""The staff workspace's retention page: what retention anonymises next, per service, with the
next references and their dates, and what recent runs did; for system admins and the data
protection officer, never anyone's name or answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.accounts.roles import DATA_PROTECTION, SERVICE_ADMIN, SYSTEM_ADMIN
from services import retention
from services.models import Submission
from tests.portal.accounts.factories import UserFactory
from tests.portal.staff.conftest import WASTE, signed_in, with_mfa

pytestmark = pytest.mark.django_db

PAGE = "/staff/retention/"


def closed(make_case, *, days_ago: int) -> Submission:
    case = make_case(WASTE, status=Submission.Status.CLOSED_FIXED, contact_name="Olwen Pritchard")
    Submission.objects.filter(pk=case.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )
    return case


@pytest.mark.parametrize("role", [DATA_PROTECTION, SYSTEM_ADMIN])
def test_the_page_lists_what_goes_next_per_service(role, make_case, settings):
    # Given the default of 30 days, a case closed 40 days ago and one closed 25 days ago
    settings.SUBMISSION_RETENTION_DAYS = 30
    due = closed(make_case, days_ago=40)
    soon = closed(make_case, days_ago=25)
    make_case(WASTE)  # open: never listed
    client = signed_in(with_mfa(UserFactory(roles=[role])))

    # When the officer opens the page
    response = client.get(PAGE)

    # Then the service is listed with its period, its counts, and the next references in order
    assert response.status_code == 200
    html = " ".join(response.content.decode().split())
    assert "Report a missed bin collection" in html or "missed" in html.lower()
    assert "30 days" in html
    assert html.index(due.reference) < html.index(soon.reference)
    in_five_days = (timezone.localdate() + timedelta(days=5)).strftime("%-d %b %Y")
    assert f"{soon.reference} on {in_five_days}" in html
    # and no one's name or answers
    assert "Olwen" not in html
    assert "by the gate" not in html


def test_the_page_shows_what_the_last_runs_did(make_case, settings):
    settings.SUBMISSION_RETENTION_DAYS = 30
    closed(make_case, days_ago=40)
    retention.apply_retention()
    client = signed_in(with_mfa(UserFactory(roles=[DATA_PROTECTION])))

    html = " ".join(client.get(PAGE).content.decode().split())

    assert f"{WASTE}: 1" in html
    assert "Nothing will be anonymised in this time." in html


def test_service_admins_are_refused_and_the_navigation_offers_it_only_to_those_allowed(catalogue):
    admin = signed_in(with_mfa(UserFactory(roles=[SERVICE_ADMIN], is_staff=True)))
    officer = signed_in(with_mfa(UserFactory(roles=[DATA_PROTECTION])))

    assert admin.get(PAGE).status_code == 403
    assert f'href="{PAGE}"' in officer.get("/staff/audit/").content.decode()
    assert f'href="{PAGE}"' not in admin.get("/staff/studio/").content.decode()


def test_an_anonymised_case_still_opens_in_the_workspace_and_the_admin(
    make_case, supervisor, settings
):
    # Given a case retention has anonymised
    settings.SUBMISSION_RETENTION_DAYS = 30
    case = closed(make_case, days_ago=40)
    retention.apply_retention()
    case.refresh_from_db()
    assert case.anonymised_at is not None

    # When staff open it, its timeline, and its admin page
    client = signed_in(supervisor)
    admin_client = signed_in(with_mfa(UserFactory(is_staff=True, is_superuser=True)))
    pages = [
        client.get(f"/staff/cases/{case.reference}/"),
        client.get(f"/staff/cases/{case.reference}/timeline/"),
        admin_client.get(f"/admin/services/submission/{case.pk}/change/"),
    ]

    # Then each shows the reference without error, and nothing of the resident
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        assert case.reference in html
        assert "Olwen" not in html
    # and the case page says why there is nothing to show
    assert "This case was anonymised under the retention policy" in pages[0].content.decode()


def test_the_case_of_a_deleted_account_says_the_resident_cannot_be_contacted(make_case, supervisor):
    # Given a case whose resident deleted their account
    from services.privacy.erasure import erase_account

    case = make_case(WASTE)
    erase_account(case.user)

    # When staff open it
    html = signed_in(supervisor).get(f"/staff/cases/{case.reference}/").content.decode()

    # Then it says so
    assert "The resident deleted their account on" in html
