import hashlib
import io
import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.accounts import roles
from portal.accounts.models import User
from services.forms.uploads import inspect_upload
from services.models import (
    AccessLog,
    Attempt,
    CaseActivity,
    CaseIndex,
    CaseUpdate,
    Channel,
    Delivery,
    FileFetch,
    Submission,
    SubmissionFile,
    Team,
)
from services.seed.demo_cases import DEMO_CASES
from services.staff.scope import cases_visible_to
from services.staff.search import CaseQuery, search_cases
from tests.portal.accounts.helpers import current_totp_code

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


def printed(output: str, label: str) -> list[str]:
    return re.findall(rf"^\s+{label}:\s+(.+)$", output, flags=re.MULTILINE)


def test_creates_a_resident_staff_in_each_role_and_an_admin(debug_on):
    output = seed()

    resident = User.objects.get(email="resident@example.com")
    agent = User.objects.get(email="agent@example.gov.uk")
    supervisor = User.objects.get(email="supervisor@example.gov.uk")
    officer = User.objects.get(email="data.protection@example.gov.uk")
    admin = User.objects.get(email="admin@example.gov.uk")
    everyone = (resident, agent, supervisor, officer, admin)
    assert list(resident.groups.values_list("name", flat=True)) == [roles.RESIDENT]
    assert list(agent.groups.values_list("name", flat=True)) == [roles.AGENT]
    assert list(supervisor.groups.values_list("name", flat=True)) == [roles.SUPERVISOR]
    assert list(officer.groups.values_list("name", flat=True)) == [roles.DATA_PROTECTION]
    assert list(admin.groups.values_list("name", flat=True)) == [roles.SYSTEM_ADMIN]
    assert admin.is_superuser
    assert admin.is_staff
    assert not agent.is_superuser
    assert not agent.is_staff
    for staff in (agent, supervisor, officer):
        assert staff.is_council_staff
        assert not staff.is_staff
    assert not resident.is_council_staff
    for user, password in zip(everyone, printed(output, "password"), strict=True):
        assert user.check_password(password)
        assert EmailAddress.objects.get(user=user).verified
        assert EmailAddress.objects.get(user=user).primary


def test_staff_have_a_working_second_factor_and_the_resident_does_not(debug_on):
    output = seed()

    staff = [
        User.objects.get(email=email)
        for email in (
            "agent@example.gov.uk",
            "supervisor@example.gov.uk",
            "data.protection@example.gov.uk",
            "admin@example.gov.uk",
        )
    ]
    for user in staff:
        assert is_mfa_enabled(user)
    assert not is_mfa_enabled(User.objects.get(email="resident@example.com"))

    secrets = printed(output, "TOTP secret")
    urls = printed(output, "otpauth URL")
    codes = printed(output, "recovery codes")
    assert len(secrets) == len(urls) == len(codes) == 4
    for user, secret, url, code_line in zip(staff, secrets, urls, codes, strict=True):
        # A code an authenticator app would show from the printed secret is accepted
        totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).wrap()
        assert totp.validate_code(current_totp_code(secret))
        assert url.startswith("otpauth://totp/")
        assert f"secret={secret}" in url
        # The printed recovery codes are real, unused ones
        unused = (
            Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
            .wrap()
            .get_unused_codes()
        )
        printed_codes = code_line.split(", ")
        assert len(printed_codes) == 2
        assert set(printed_codes) <= set(unused)
    assert "demo only" in output.lower()


def test_running_twice_changes_nothing(debug_on):
    first = seed()
    agent = User.objects.get(email="agent@example.gov.uk")
    agent.set_password("changed-by-someone")
    agent.groups.clear()
    agent.save()

    second = seed()

    assert User.objects.count() == 5
    assert EmailAddress.objects.count() == 5
    assert Authenticator.objects.count() == 8  # TOTP + recovery codes for each of four staff
    assert first == second
    agent.refresh_from_db()
    assert agent.check_password(printed(second, "password")[1])
    assert list(agent.groups.values_list("name", flat=True)) == [roles.AGENT]


def test_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG off"):
        seed()
    assert not User.objects.exists()

    seed(force=True)
    assert User.objects.count() == 5


# --- The workspace's demo: teams and cases --------------------------------------------------------


@pytest.fixture
def routed(debug_on, settings, tmp_path):
    """The catalogue routed to the demo back offices, as `make run` seeds it before seed_demo;
    the demo's files are stored under this test's own directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    call_command("seed_catalogue", stdout=io.StringIO())
    call_command("seed_demo_routing", stdout=io.StringIO())


def test_the_demo_staff_are_in_teams_that_cover_services(routed):
    output = seed()

    agent = User.objects.get(email="agent@example.gov.uk")
    teams = {team.name: team for team in Team.objects.prefetch_related("services")}
    assert {"Streets and waste", "Revenues"} <= set(teams)
    assert [team.name for team in agent.teams.all()] == ["Streets and waste"]
    assert "report-missed-bin" in {s.slug for s in teams["Streets and waste"].services.all()}
    assert "tell-us-you-moved" in {s.slug for s in teams["Revenues"].services.all()}
    assert not User.objects.get(email="data.protection@example.gov.uk").teams.exists()
    assert "teams:          Streets and waste" in output


def test_the_demo_cases_are_many_varied_and_found_by_the_workspace(routed):
    seed()

    cases = Submission.objects.filter(contact_email__endswith="@residents.example")
    assert cases.count() == DEMO_CASES
    # In every delivery state the search filters on, with updates, notes and calls
    states = set(Delivery.objects.filter(submission__in=cases).values_list("state", flat=True))
    assert {Delivery.State.DELIVERED, Delivery.State.RETRYING, Delivery.State.FAILED} <= states
    assert Attempt.objects.filter(outcome=Attempt.Outcome.TRANSIENT).exists()
    assert CaseUpdate.objects.filter(submission__in=cases).count() > DEMO_CASES // 4
    assert len(set(cases.values_list("status", flat=True))) >= 3
    kinds = set(CaseActivity.objects.values_list("kind", flat=True))
    assert {CaseActivity.Kind.NOTE, CaseActivity.Kind.PHONE} <= kinds
    assert cases.filter(channel=Channel.PHONE).exists()
    assert cases.filter(user__isnull=True).exists()
    assert AccessLog.objects.exists()
    # Every case is indexed, so the agent's search finds one by its resident's name
    assert CaseIndex.objects.filter(submission__in=cases).count() == DEMO_CASES
    agent = User.objects.get(email="agent@example.gov.uk")
    visible = cases_visible_to(agent)
    assert 0 < visible.count() < DEMO_CASES
    resident_case = visible.filter(user__isnull=False).first()
    assert resident_case in search_cases(agent, CaseQuery(text=resident_case.user.full_name))


def test_seeding_again_makes_no_more_cases(routed):
    first = seed()
    counts = (Submission.objects.count(), Delivery.objects.count(), AccessLog.objects.count())

    stored = stored_names()
    counts = (*counts, SubmissionFile.objects.count(), FileFetch.objects.count())

    second = seed()

    assert (
        Submission.objects.count(),
        Delivery.objects.count(),
        AccessLog.objects.count(),
        SubmissionFile.objects.count(),
        FileFetch.objects.count(),
    ) == counts
    assert stored_names() == stored
    assert first == second


def stored_names() -> set[str]:
    _, names = default_storage.listdir("uploads")
    return set(names)


def signed_in(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def demo_files():
    return SubmissionFile.objects.filter(
        submission__contact_email__endswith="@residents.example"
    ).select_related("submission__service")


def test_some_demo_cases_carry_real_files_stored_as_the_journey_stores_them(routed):
    seed()

    files = list(demo_files())
    # A share of the cases whose form asks for a photo, not all of them, and no others
    photo_services = {"report-pothole", "report-fly-tipping"}
    assert {file.submission.service.slug for file in files} == photo_services
    asked = Submission.objects.filter(service__slug__in=photo_services).count()
    assert asked // 3 < len(files) < asked
    for file in files:
        with default_storage.open(file.storage_name, "rb") as handle:
            data = handle.read()
        # The row's facts are the stored bytes' own, and the bytes pass the upload checks
        assert hashlib.sha256(data).hexdigest() == file.sha256
        assert len(data) == file.size
        assert inspect_upload(io.BytesIO(data)).content_type == file.content_type
        assert file.submission.answers[file.question_id]["reference"] == file.storage_name
        assert file.created_at == file.submission.created_at
    assert len({file.sha256 for file in files}) == len(files)  # each photo a different one


def test_the_demo_agent_sees_and_downloads_a_case_file_through_the_workspace(routed):
    seed()
    agent = User.objects.get(email="agent@example.gov.uk")
    file = demo_files().filter(submission__in=cases_visible_to(agent)).first()
    reference = file.submission.reference
    client = signed_in("agent@example.gov.uk")

    case_page = client.get(reverse("staff:case", kwargs={"reference": reference}))
    response = client.get(
        reverse(
            "staff:case_attachment",
            kwargs={"reference": reference, "question_id": file.question_id},
        )
    )

    assert file.name in case_page.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == file.content_type
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == file.sha256


def test_the_highways_back_office_fetched_its_photos_and_the_timeline_shows_it(routed):
    seed()

    fetches = list(FileFetch.objects.select_related("connection", "file__submission"))
    assert fetches
    for fetch in fetches:
        delivery = fetch.file.submission.deliveries.get()
        # Only Open311 fetches the link it was sent, and only once the record was made
        assert fetch.connection.adapter == "open311"
        assert delivery.state == Delivery.State.DELIVERED
        assert delivery.connection == fetch.connection
        assert delivery.delivered_at < fetch.at < timezone.now()
        assert fetch.status == 200
    # Every pothole photo delivered to highways was fetched; fly-tipping's went to the CRM
    delivered_photos = demo_files().filter(
        submission__deliveries__state=Delivery.State.DELIVERED,
        submission__service__slug="report-pothole",
    )
    assert {fetch.file for fetch in fetches} == set(delivered_photos)

    fetch = fetches[0]
    timeline = signed_in("agent@example.gov.uk").get(
        reverse("staff:case_timeline", kwargs={"reference": fetch.file.submission.reference})
    )
    assert f"Fetched by {fetch.connection.name}" in timeline.content.decode()


def test_the_audit_log_has_past_searches_views_and_downloads_naming_the_file(routed):
    started = timezone.now()
    seed()

    entries = AccessLog.objects.filter(at__lt=started)
    assert entries.count() == AccessLog.objects.count()  # all dated in the past
    agent = User.objects.get(email="agent@example.gov.uk")
    supervisor = User.objects.get(email="supervisor@example.gov.uk")
    assert {"staff:search", "staff:case", "staff:attachment"} <= set(
        entries.values_list("where", flat=True)
    )
    assert {agent, supervisor} <= {entry.actor for entry in entries.select_related("actor")}
    # A supervisor's view of another team's case, with the reason they gave
    assert (
        entries.filter(actor=supervisor, submission__service__slug="tell-us-you-moved")
        .exclude(reason="")
        .exists()
    )
    downloads = entries.filter(where="staff:attachment").select_related("file", "submission")
    assert downloads
    for download in downloads:
        assert download.file.submission == download.submission
        assert download.file_question.startswith("Upload a photo")
        assert (download.file_number, download.file_count) == (1, 1)

    download = downloads[0]
    officer = signed_in("data.protection@example.gov.uk")
    front_page = officer.get(reverse("staff:audit_log"))
    about_the_case = officer.get(
        reverse("staff:audit_log"), {"person": download.submission.reference}
    )

    assert front_page.status_code == 200
    assert "staff:" not in front_page.content.decode()  # places in words, not ids
    assert about_the_case.status_code == 200
    assert download.file.name in about_the_case.content.decode()
