"""apply_updates(): each update recorded once, applied in order, the resident told once."""

import itertools
import re
from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.models import CaseUpdate, Submission
from services.updates.apply import apply_updates as apply_now
from tests.portal.accounts.factories import UserFactory
from tests.services.updates.helpers import (
    T0,
    case_sent_to,
    connection_with_mappings,
    update,
)

pytestmark = pytest.mark.django_db
S = Submission.Status
POLL = CaseUpdate.Source.POLL


@pytest.fixture
def connection():
    return connection_with_mappings()


@pytest.fixture
def case(connection):
    return case_sent_to(connection, "HW-1", reference="K7WP-3XMR", contact_email="jo@example.org")


def apply_updates(connection, updates, source):
    """As a request or a task runs it: committed, so e-mail queued on commit goes."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return apply_now(connection, updates, source)


def status_of(submission):
    submission.refresh_from_db()
    return submission.status


def test_a_mapped_update_changes_the_status_and_emails_the_resident_once(
    connection, case, mail_through_celery
):
    # When
    result = apply_updates(connection, [update("U1", "HW-1", "FIXED")], POLL)

    # Then
    assert result.as_dict() == {
        "received": 1,
        "duplicates": 0,
        "unknown_reference": 0,
        "applied": 1,
        "ignored": 0,
    }
    assert status_of(case) == S.CLOSED_FIXED
    [message] = mail_through_celery
    assert message.to == ["jo@example.org"]
    assert message.subject == "Your request K7WP-3XMR: Our crew has fixed the pothole"
    assert "Our crew has fixed the pothole" in message.body
    # A guest's link goes straight to the request (signed), not to the form asking for a link.
    track = re.search(r"(/track/[^/\s]+/)", str(message.body))
    assert track, message.body
    page = Client().get(track.group(1))
    assert page.status_code == 200
    assert "K7WP-3XMR" in page.content.decode()


def test_the_same_update_twice_is_recorded_once_and_emails_once(
    connection, case, mail_through_celery
):
    apply_updates(connection, [update("U1", "HW-1", "OPEN")], POLL)

    again = apply_updates(
        connection, [update("U1", "HW-1", "OPEN"), update("U1", "HW-1", "OPEN")], POLL
    )

    assert (again.duplicates, again.applied) == (2, 0)
    assert CaseUpdate.objects.filter(connection=connection).count() == 1
    assert len(mail_through_celery) == 1


def test_an_older_update_arriving_late_is_recorded_but_not_applied(connection, case, mailoutbox):
    apply_updates(connection, [update("U2", "HW-1", "SCHEDULED", minutes=10)], POLL)

    late = apply_updates(connection, [update("U1", "HW-1", "OPEN", minutes=5)], POLL)

    assert (late.applied, late.ignored) == (0, 1)
    assert status_of(case) == S.ACTION_SCHEDULED
    recorded = CaseUpdate.objects.get(update_id="U1")
    assert (recorded.applied, recorded.outcome) == (False, CaseUpdate.Outcome.OUT_OF_ORDER)


def test_a_closed_case_is_not_reopened_unless_the_mapping_says_so(connection, case):
    apply_updates(connection, [update("U1", "HW-1", "FIXED", minutes=1)], POLL)

    apply_updates(connection, [update("U2", "HW-1", "OPEN", minutes=2)], POLL)
    assert status_of(case) == S.CLOSED_FIXED
    assert CaseUpdate.objects.get(update_id="U2").outcome == CaseUpdate.Outcome.CLOSED

    apply_updates(connection, [update("U3", "HW-1", "reopened", minutes=3)], POLL)
    assert status_of(case) == S.IN_PROGRESS


def test_an_unknown_status_is_recorded_for_staff_and_changes_nothing(
    connection, case, mail_through_celery
):
    result = apply_updates(
        connection, [update("U1", "HW-1", "WEIRD", description="Inspector: J. Smith")], POLL
    )

    assert (result.applied, result.ignored) == (0, 1)
    assert status_of(case) == S.RECEIVED
    recorded = CaseUpdate.objects.get(update_id="U1")
    assert recorded.outcome == CaseUpdate.Outcome.UNKNOWN_STATUS
    assert recorded.description == "Inspector: J. Smith"
    assert mail_through_celery == []


def test_an_update_for_a_case_never_sent_to_this_connection_is_counted_and_not_recorded(
    connection, case
):
    other = connection_with_mappings()
    case_sent_to(other, "HW-2")

    result = apply_updates(connection, [update("U1", "HW-2", "FIXED")], POLL)

    assert (result.unknown_reference, result.unknown_references) == (1, ["HW-2"])
    assert not CaseUpdate.objects.exists()


def test_a_signed_in_resident_is_emailed_in_their_language_with_a_link_to_their_account(
    connection, mail_through_celery
):
    resident = UserFactory(email="dewi@example.org")
    case = case_sent_to(
        connection, "HW-9", reference="A1B2-C3D4", user=resident, contact_email="", language="cy"
    )

    apply_updates(connection, [update("U1", "HW-9", "FIXED")], POLL)

    [message] = mail_through_celery
    assert message.to == ["dewi@example.org"]
    assert "Mae ein criw wedi trwsio'r twll" in message.subject
    assert "A1B2-C3D4" in message.subject
    assert f"/cy/account/requests/{case.reference}/" in message.body
    assert "Your request" not in message.body


def test_the_status_change_and_its_record_use_a_row_lock_on_the_submission(connection, case):
    with CaptureQueriesContext(db_connection) as queries:
        apply_updates(connection, [update("U1", "HW-1", "OPEN")], POLL)
    assert any("FOR UPDATE" in q["sql"] and "services_submission" in q["sql"] for q in queries)


# --- The same updates, in any order and repeated ------------------------------------------------

OPEN_STATUSES = ["OPEN", "SCHEDULED"]
_counter = itertools.count()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.sampled_from([*OPEN_STATUSES, "FIXED", "REOPENED", "WEIRD"]), min_size=1, max_size=6
    ),
    st.randoms(use_true_random=False),
)
def test_applying_a_sequence_again_in_any_order_changes_nothing(db, statuses, random):
    # Given a fresh connection and case for each example
    connection = connection_with_mappings()
    reference = f"HW-P{next(_counter)}"
    case = case_sent_to(connection, reference)
    updates = [update(f"U{n}", reference, status, minutes=n) for n, status in enumerate(statuses)]
    apply_updates(connection, updates, POLL)
    state = status_of(case)
    rows = CaseUpdate.objects.filter(submission=case).count()

    # When the back office sends them all again, shuffled
    again = list(updates)
    random.shuffle(again)
    result = apply_updates(connection, again, POLL)

    # Then
    assert result.duplicates == len(updates)
    assert status_of(case) == state
    assert CaseUpdate.objects.filter(submission=case).count() == rows == len(updates)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.sampled_from(OPEN_STATUSES), min_size=1, max_size=6),
    st.randoms(use_true_random=False),
)
def test_among_open_statuses_the_newest_update_wins_whatever_order_they_arrive_in(
    db, statuses, random
):
    connection = connection_with_mappings()
    reference = f"HW-Q{next(_counter)}"
    case = case_sent_to(connection, reference)
    updates = [update(f"U{n}", reference, status, minutes=n) for n, status in enumerate(statuses)]
    random.shuffle(updates)

    for one in updates:  # one at a time, as separate callbacks would
        apply_updates(connection, [one], POLL)

    expected = {"OPEN": S.IN_PROGRESS, "SCHEDULED": S.ACTION_SCHEDULED}[statuses[-1]]
    assert status_of(case) == expected
    assert max(u.occurred_at for u in updates) == T0 + timedelta(minutes=len(statuses) - 1)
