"""A request's page: what has happened (each change of status with the council's message, in the
resident's language), the files they sent, and what happens next and by when, counted in working
days from the day they sent it; a prominent way to reply when the council waits for them."""

import re
import uuid
from datetime import date, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest

from portal.dashboard.tracking import make_token
from services import my_requests
from services.models import CaseUpdate, Service, Submission, SubmissionFile
from tests.portal.accounts.factories import UserFactory
from tests.portal.catalogue.helpers import elements, texts
from tests.portal.dashboard.factories import SubmissionFactory, live_version

LONDON = ZoneInfo("Europe/London")
Status = Submission.Status
FRIDAY_4_DECEMBER = datetime(2026, 12, 4, 10, 30, tzinfo=LONDON)


@pytest.fixture
def me(db):
    return UserFactory(full_name="Ann Example")


@pytest.fixture
def my_client(client, me):
    client.force_login(me)
    return client


def today_is(monkeypatch, day: date) -> None:
    monkeypatch.setattr(my_requests, "council_today", lambda: day)


def with_target(days: int | None, slug: str = "report-missed-bin") -> None:
    Service.objects.filter(slug=slug).update(target_working_days=days)


def my_request(me, status=Status.RECEIVED, at=FRIDAY_4_DECEMBER, **fields):
    submission = SubmissionFactory(user=me, status=status, **fields)
    Submission.objects.filter(pk=submission.pk).update(created_at=at)
    submission.refresh_from_db()
    return submission


def officer_update(submission, status, at, english="", welsh="", **fields):
    """A change of status a member of staff made, with their message to the resident."""
    return CaseUpdate.objects.create(
        submission=submission,
        changed_by=fields.pop("by", None) or UserFactory(),
        source=CaseUpdate.Source.STAFF,
        update_id=uuid.uuid4().hex,
        portal_status=status,
        occurred_at=at,
        public_text_en=english,
        public_text_cy=welsh,
        applied=fields.pop("applied", True),
        outcome=fields.pop("outcome", CaseUpdate.Outcome.APPLIED),
        **fields,
    )


def section_text(response, heading_id: str, until: str) -> str:
    html = response.content.decode()
    part = html.split(f'id="{heading_id}">', 1)[1].split(until, 1)[0]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", part)).split())


def whats_next(response) -> str:
    return section_text(response, "next", '<h2 class="govuk-heading-m" id="progress"')


def progress(response) -> str:
    return section_text(response, "progress", "</ol>")


# --- What happens next ----------------------------------------------------------------------------


def test_an_open_request_says_by_when_we_aim_to_respond_in_working_days(
    my_client, me, catalogue, monkeypatch
):
    # Given a service that aims to respond within 10 working days, and my request sent on a Friday
    with_target(10)
    submission = my_request(me)
    today_is(monkeypatch, date(2026, 12, 7))

    # When I open it, in English and in Welsh
    english = my_client.get(f"/account/requests/{submission.reference}/")
    welsh = my_client.get(f"/cy/account/requests/{submission.reference}/")

    # Then I am told the target and the date it gives, the weekends skipped
    assert "What happens next" in texts(english, "h2")
    assert whats_next(english) == (
        "What happens next We aim to respond within 10 working days, by Friday 18 December "
        "2026. We will update this page when anything changes."
    )
    assert (
        "Rydym yn anelu at ymateb o fewn 10 diwrnod gwaith, erbyn dydd Gwener 18 Rhagfyr "
        "2026." in whats_next(welsh)
    )


def test_a_one_day_target_reads_in_the_singular(my_client, me, catalogue, monkeypatch):
    with_target(1)
    submission = my_request(me)
    today_is(monkeypatch, date(2026, 12, 4))

    response = my_client.get(f"/account/requests/{submission.reference}/")

    assert "We aim to respond within 1 working day, by Monday 7 December 2026." in whats_next(
        response
    )


def test_a_request_past_its_target_date_says_sorry(my_client, me, catalogue, monkeypatch):
    with_target(10)
    submission = my_request(me, Status.IN_PROGRESS)
    today_is(monkeypatch, date(2026, 12, 21))

    response = my_client.get(f"/account/requests/{submission.reference}/")

    assert whats_next(response) == (
        "What happens next We aimed to respond by Friday 18 December 2026. We are sorry this is "
        "taking longer than we said. We will update this page when anything changes."
    )


def test_a_service_without_a_target_promises_no_date(my_client, me, catalogue):
    with_target(None)
    submission = my_request(me)

    response = my_client.get(f"/account/requests/{submission.reference}/")

    assert whats_next(response) == (
        "What happens next We will update this page when anything changes."
    )


@pytest.mark.parametrize(
    ("closed_at", "verdict"),
    [
        (
            datetime(2026, 12, 18, 16, 0, tzinfo=LONDON),
            "That was within our target of 10 working days.",
        ),
        (
            datetime(2026, 12, 21, 9, 0, tzinfo=LONDON),
            "That took longer than our target of 10 working days.",
        ),
    ],
)
def test_a_closed_request_says_when_it_closed_and_whether_that_was_within_target(
    my_client, me, catalogue, monkeypatch, closed_at, verdict
):
    # Given my request, closed by an officer
    with_target(10)
    submission = my_request(me, Status.CLOSED_FIXED)
    officer_update(submission, Status.CLOSED_FIXED, closed_at, "We have emptied your bin.")
    today_is(monkeypatch, date(2027, 1, 20))

    response = my_client.get(f"/account/requests/{submission.reference}/")

    # Then "what happens next" is about the close, not a date to wait for
    text = whats_next(response)
    assert f"We closed this request on {closed_at:%-d %B %Y}. {verdict}" in text
    assert "We aim" not in text
    assert "sorry" not in text
    links = {e.text: e.attrs["href"] for e in elements(response, "a")}
    assert links["send us a new request"] == "/services/report-missed-bin/"


def test_a_closed_request_without_a_dated_close_still_reads_closed(my_client, me, catalogue):
    with_target(None)
    submission = my_request(me, Status.DUPLICATE)

    response = my_client.get(f"/account/requests/{submission.reference}/")

    assert "This request is closed." in whats_next(response)


# --- Needs your reply -----------------------------------------------------------------------------


def test_a_request_waiting_for_my_reply_asks_for_it_prominently(my_client, me, catalogue):
    # Given the council asked me something about my request
    with_target(10)
    submission = my_request(me, Status.NEEDS_INFORMATION)
    officer_update(
        submission,
        Status.NEEDS_INFORMATION,
        FRIDAY_4_DECEMBER + timedelta(days=1),
        english="Which side of the road is the bin on?",
        welsh="Ar ba ochr i’r ffordd mae’r bin?",
    )

    # When I open it
    response = my_client.get(f"/account/requests/{submission.reference}/")

    # Then a banner at the top says so, with what was asked and a link to the reply form
    html = response.content.decode()
    banner = html.split('class="govuk-notification-banner"')[1].split("<h1")[0]
    assert "We need more information from you before we can carry on." in banner
    assert "Which side of the road is the bin on?" in banner
    assert 'href="#reply"' in banner
    assert html.index("govuk-notification-banner") < html.index("<h1")
    assert "We are waiting for your reply." in whats_next(response)

    # And in Welsh, the Welsh question
    welsh = my_client.get(f"/cy/account/requests/{submission.reference}/").content.decode()
    assert "Ar ba ochr i’r ffordd mae’r bin?" in welsh
    assert "Which side of the road" not in welsh


# --- The timeline ---------------------------------------------------------------------------------


def test_the_timeline_shows_each_change_of_status_with_the_officer_s_message(
    my_client, me, catalogue
):
    # Given my request moved on twice, once with a message, once without; and an update that
    # changed nothing, with the back office's own notes
    submission = my_request(me, Status.ACTION_SCHEDULED)
    officer_update(
        submission,
        Status.IN_PROGRESS,
        datetime(2026, 12, 7, 9, 0, tzinfo=LONDON),
        english="A crew will visit this week.",
        welsh="Bydd criw yn ymweld yr wythnos hon.",
        description="Staff note: the resident's neighbour complained too",
    )
    officer_update(submission, Status.ACTION_SCHEDULED, datetime(2026, 12, 8, 12, 0, tzinfo=LONDON))
    officer_update(
        submission,
        Status.CLOSED_FIXED,
        datetime(2026, 12, 9, 12, 0, tzinfo=LONDON),
        english="Not applied",
        applied=False,
        outcome=CaseUpdate.Outcome.OUT_OF_ORDER,
    )

    # When I open it in English and in Welsh
    english = my_client.get(f"/account/requests/{submission.reference}/")
    welsh = my_client.get(f"/cy/account/requests/{submission.reference}/")

    # Then the changes are listed newest first, each status with the council's words and when
    assert progress(english) == (
        "Progress Action scheduled 8 December 2026 at midday "
        "In progress A crew will visit this week. 7 December 2026 at 9am "
        "We received your request 4 December 2026 at 10:30am"
    )
    assert progress(welsh) == (
        "Cynnydd Camau wedi'u trefnu 8 Rhagfyr 2026 am hanner dydd "
        "Ar waith Bydd criw yn ymweld yr wythnos hon. 7 Rhagfyr 2026 am 9yb "
        "Cawsom eich cais 4 Rhagfyr 2026 am 10:30yb"
    )
    # and never the staff's notes, nor an update that did not change the status
    for response in (english, welsh):
        html = response.content.decode()
        assert "neighbour" not in html
        assert "Not applied" not in html


# --- Files ----------------------------------------------------------------------------------------


def test_the_files_i_sent_are_listed_with_their_type_and_size(my_client, me, catalogue):
    # Given my pothole report with a photo, and a second file retention has since deleted
    submission = my_request(me, form_version=live_version("report-pothole"), answers={})
    SubmissionFile.objects.create(
        submission=submission,
        question_id="photo",
        name="pothole-outside-number-12-high-street-from-the-bus-stop.jpg",
        storage_name="uploads/" + "0" * 32 + ".jpg",
        content_type="image/jpeg",
        size=1_234_567,
        sha256="0" * 64,
    )
    SubmissionFile.objects.create(
        submission=submission,
        question_id="other",
        name="letter.pdf",
        storage_name="uploads/" + "1" * 32 + ".pdf",
        content_type="application/pdf",
        size=2048,
        sha256="1" * 64,
        deleted_at=datetime(2027, 6, 1, 3, 0, tzinfo=LONDON),
    )

    response = my_client.get(f"/account/requests/{submission.reference}/")

    assert "Files you sent" in texts(response, "h2")
    html = " ".join(response.content.decode().split())
    assert "pothole-outside-number-12-high-street-from-the-bus-stop.jpg" in html
    assert "JPEG image, 1.2 MB" in html
    assert (
        "PDF document, 2.0 KB. Deleted on 1 June 2027: we keep files only as long as we need "
        "them." in html
    )
    assert "uploads/" not in html  # where a file is stored is never shown


def test_a_request_without_files_has_no_files_section(my_client, me, catalogue):
    submission = my_request(me)

    response = my_client.get(f"/account/requests/{submission.reference}/")

    assert "Files you sent" not in texts(response, "h2")


# --- Guests, queries ------------------------------------------------------------------------------


def test_a_guest_s_tracked_request_shows_its_timeline_and_what_happens_next(
    client, catalogue, monkeypatch
):
    with_target(10)
    guest = my_request(None, Status.IN_PROGRESS, contact_email="guest@example.org")
    officer_update(guest, Status.IN_PROGRESS, FRIDAY_4_DECEMBER + timedelta(hours=2), "On it.")
    today_is(monkeypatch, date(2026, 12, 7))

    response = client.get(f"/track/{make_token(guest)}/")

    assert response.status_code == 200
    assert "by Friday 18 December 2026" in whats_next(response)
    assert "On it." in progress(response)
    assert "Your requests" not in texts(response, "a")  # no account, no breadcrumbs to it


def test_the_request_page_takes_the_same_queries_however_long_its_history(
    my_client, me, catalogue, django_assert_max_num_queries
):
    # Given a request with a long history and many files
    submission = my_request(me, Status.IN_PROGRESS, form_version=live_version("report-pothole"))
    officer = UserFactory()
    for n in range(12):
        status = Status.IN_PROGRESS if n % 2 else Status.ACTION_SCHEDULED
        officer_update(
            submission, status, FRIDAY_4_DECEMBER + timedelta(hours=n), f"Step {n}", by=officer
        )
    for n in range(6):
        SubmissionFile.objects.create(
            submission=submission,
            question_id=f"photo-{n}",
            name=f"photo-{n}.png",
            storage_name=f"uploads/{n:032d}.png",
            content_type="image/png",
            size=1000,
            sha256="0" * 64,
        )

    # (The seventh: the conversation with the council, its questions and replies, in one read.)
    with django_assert_max_num_queries(7):
        response = my_client.get(f"/account/requests/{submission.reference}/")

    assert progress(response).count("Step") == 12
    assert len([e for e in elements(response, "span") if "council-file-name" in e.classes]) == 6
