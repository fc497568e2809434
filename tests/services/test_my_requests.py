"""services/my_requests.py directly: which requests each choice shows and how many, and what
happens next on one, as of a given day (no clock)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.models import Service, Submission
from services.my_requests import (
    Show,
    Stage,
    TimelineEntry,
    next_steps,
    request_counts,
    requests_of,
)
from tests.portal.accounts.factories import UserFactory
from tests.portal.dashboard.factories import SubmissionFactory
from tests.services.seeding import seed_live_catalogue

LONDON = ZoneInfo("Europe/London")
Status = Submission.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(db):
    return seed_live_catalogue()


@pytest.mark.parametrize(
    ("value", "show"),
    [
        (None, Show.ALL),
        ("", Show.ALL),
        ("open", Show.OPEN),
        ("needs-reply", Show.NEEDS_REPLY),
        ("closed", Show.CLOSED),
        ("Closed", Show.ALL),
        ("needs_reply", Show.ALL),
        ("\x00", Show.ALL),
    ],
)
def test_only_the_four_choices_are_choices_and_anything_else_shows_all(value, show):
    assert Show.parse(value) is show


def test_counts_and_lists_are_the_resident_s_own(catalogue):
    # Given a resident's requests in every status, someone else's, and a guest's
    me = UserFactory()
    for status in Status.values:
        SubmissionFactory(user=me, status=status)
    SubmissionFactory(status=Status.NEEDS_INFORMATION)
    SubmissionFactory(user=None, contact_email=me.email)

    counts = request_counts(me)

    # Then open + closed is all, "needs your reply" is one of the open ones
    assert (counts.all, counts.open, counts.needs_reply, counts.closed) == (7, 4, 1, 3)
    for show in Show:
        assert requests_of(me, show).count() == counts.of(show)
    assert set(requests_of(me, Show.CLOSED).values_list("status", flat=True)) == {
        Status.CLOSED_FIXED,
        Status.CLOSED_NOT_COUNCIL,
        Status.DUPLICATE,
    }


def sent_on(moment, status=Status.RECEIVED, target=10):
    Service.objects.filter(slug="report-missed-bin").update(target_working_days=target)
    submission = SubmissionFactory(status=status)
    Submission.objects.filter(pk=submission.pk).update(created_at=moment)
    return Submission.objects.select_related("service").get(pk=submission.pk)


SATURDAY_NIGHT = datetime(2026, 12, 5, 23, 30, tzinfo=LONDON)


def test_a_request_sent_at_the_weekend_counts_from_monday(catalogue):
    submission = sent_on(SATURDAY_NIGHT)

    steps = next_steps(submission, [], today=date(2026, 12, 7))

    assert steps.stage == Stage.ON_TIME
    assert steps.due == date(2026, 12, 18)  # Monday 7th is day 1, Friday 18th day 10


def test_the_due_day_itself_is_still_on_time_and_the_next_day_is_late(catalogue):
    submission = sent_on(SATURDAY_NIGHT)

    assert next_steps(submission, [], today=date(2026, 12, 18)).stage == Stage.ON_TIME
    assert next_steps(submission, [], today=date(2026, 12, 19)).stage == Stage.LATE


def test_the_date_residents_are_told_skips_the_bank_holidays_the_setting_names(catalogue, settings):
    # Sent on Thursday 26 November 2026; St Andrew's Day (Monday 30th) is Scotland's alone
    submission = sent_on(datetime(2026, 11, 26, 10, tzinfo=LONDON), target=2)

    settings.BANK_HOLIDAYS = "ENG"
    assert next_steps(submission, [], today=date(2026, 11, 27)).due == date(2026, 11, 30)
    settings.BANK_HOLIDAYS = "SCT"
    assert next_steps(submission, [], today=date(2026, 11, 27)).due == date(2026, 12, 1)


def test_a_request_closed_after_christmas_took_only_its_working_days(catalogue):
    # Sent Monday 21 December 2026, closed Tuesday 29th: Christmas Day and Boxing Day's
    # substitute Monday are not counted (England, the default)
    submission = sent_on(datetime(2026, 12, 21, 9, tzinfo=LONDON), Status.CLOSED_FIXED)
    closed = [TimelineEntry(Status.CLOSED_FIXED, "", "", datetime(2026, 12, 29, 9, tzinfo=LONDON))]

    steps = next_steps(submission, closed, today=date(2027, 1, 4))

    assert steps.took_working_days == 4  # 22nd, 23rd, 24th and 29th
    # and the 10 day target: 22, 23, 24, 29, 30, 31 December, 4, 5, 6, 7 January (1st skipped)
    assert steps.due == date(2027, 1, 7)


def test_the_council_s_date_is_used_not_utc(catalogue):
    # 00:30 on 1 July in London is still 30 June in UTC: the request was sent on 1 July
    submission = sent_on(datetime(2026, 7, 1, 0, 30, tzinfo=LONDON), target=1)

    assert next_steps(submission, [], today=date(2026, 7, 1)).due == date(2026, 7, 2)


def test_a_closed_request_reads_its_close_from_the_newest_closing_change(catalogue):
    submission = sent_on(SATURDAY_NIGHT, Status.CLOSED_FIXED)
    entries = [
        TimelineEntry(Status.CLOSED_FIXED, "", "", datetime(2026, 12, 9, 8, tzinfo=LONDON)),
        TimelineEntry(Status.IN_PROGRESS, "", "", datetime(2026, 12, 8, 8, tzinfo=LONDON)),
    ]

    steps = next_steps(submission, entries, today=date(2027, 1, 1))

    assert steps.stage == Stage.CLOSED
    assert steps.closed_on == date(2026, 12, 9)
    assert steps.took_working_days == 3  # Monday, Tuesday, Wednesday


def test_waiting_for_the_resident_and_no_target_are_their_own_stages(catalogue):
    waiting = sent_on(SATURDAY_NIGHT, Status.NEEDS_INFORMATION)
    assert next_steps(waiting, [], today=date(2027, 1, 1)).stage == Stage.NEEDS_REPLY

    no_target = sent_on(SATURDAY_NIGHT - timedelta(days=1), target=None)
    steps = next_steps(no_target, [], today=date(2027, 1, 1))
    assert (steps.stage, steps.due) == (Stage.NO_TARGET, None)
