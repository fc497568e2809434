"""decide(): what one update does to a case, as a pure function."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.models import CaseUpdate, Submission
from services.updates.apply import CLOSED_STATUSES, decide, decide_status

S = Submission.Status
O = CaseUpdate.Outcome  # noqa: E741
T = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
OPEN_STATUSES = [s for s in S if s not in CLOSED_STATUSES]


@dataclass(frozen=True)
class Row:
    portal_status: str
    reopen: bool = False


def test_a_mapped_newer_status_is_applied():
    assert decide_status(S.RECEIVED, Row(S.IN_PROGRESS), T, None) == S.IN_PROGRESS
    assert decide(S.RECEIVED, Row(S.IN_PROGRESS), T, None).outcome == O.APPLIED


def test_an_unknown_status_is_recorded_not_applied():
    decision = decide(S.IN_PROGRESS, None, T, None)
    assert (decision.status, decision.outcome) == (None, O.UNKNOWN_STATUS)


def test_an_update_older_than_the_last_applied_one_is_ignored():
    decision = decide(S.IN_PROGRESS, Row(S.ACTION_SCHEDULED), T, T + timedelta(seconds=1))
    assert (decision.status, decision.outcome) == (None, O.OUT_OF_ORDER)


def test_an_update_at_the_same_moment_as_the_last_one_wins():
    assert decide_status(S.IN_PROGRESS, Row(S.ACTION_SCHEDULED), T, T) == S.ACTION_SCHEDULED


def test_the_same_status_again_changes_nothing_but_is_accepted():
    decision = decide(S.IN_PROGRESS, Row(S.IN_PROGRESS), T, None)
    assert (decision.status, decision.outcome, decision.accepted) == (None, O.UNCHANGED, True)


@pytest.mark.parametrize("closed", sorted(CLOSED_STATUSES))
def test_a_closed_case_does_not_reopen_without_a_reopen_mapping(closed):
    decision = decide(closed, Row(S.IN_PROGRESS), T, None)
    assert (decision.status, decision.outcome) == (None, O.CLOSED)
    assert decide_status(closed, Row(S.IN_PROGRESS, reopen=True), T, None) == S.IN_PROGRESS


def test_a_closed_case_may_move_to_another_closed_status():
    assert decide_status(S.CLOSED_FIXED, Row(S.DUPLICATE), T, None) == S.DUPLICATE


# --- Properties ---------------------------------------------------------------------------------

statuses = st.sampled_from(list(S))
rows = st.builds(Row, portal_status=statuses, reopen=st.booleans())
times = st.integers(min_value=0, max_value=10_000).map(lambda s: T + timedelta(seconds=s))


def run(start: str, updates: list[tuple[Row | None, datetime]]) -> str:
    """Apply updates one by one as apply_updates does: the status, and the newest accepted time."""
    status, last = start, None
    for row, at in updates:
        decision = decide(status, row, at, last)
        if decision.status is not None:
            status = decision.status
        if decision.accepted:
            last = at if last is None else max(last, at)
    return status


@given(st.sampled_from(sorted(CLOSED_STATUSES)), st.lists(st.tuples(rows, times), max_size=12))
def test_a_closed_case_never_reopens_without_a_reopen_mapping(start, updates):
    no_reopen = [(Row(row.portal_status, reopen=False), at) for row, at in updates]
    assert run(start, no_reopen) in CLOSED_STATUSES


@given(
    statuses,
    st.lists(st.sampled_from(OPEN_STATUSES), min_size=1, max_size=10),
    st.randoms(use_true_random=False),
)
def test_among_open_statuses_the_newest_update_wins_whatever_the_order(start, targets, random):
    start = start if start not in CLOSED_STATUSES else S.RECEIVED
    updates = [(Row(target), T + timedelta(minutes=n)) for n, target in enumerate(targets)]
    shuffled = list(updates)
    random.shuffle(shuffled)
    assert run(start, shuffled) == targets[-1]
