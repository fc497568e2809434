"""One success rule: a delivery's success (the hot path's SQL, services/delivery/sql.py) and a
resident's update's success (breaker.record_success, through the ORM) leave the connection's
breaker the same, because the SQL is rendered from the breaker's own rule."""

from datetime import timedelta

import pytest
from django.utils import timezone

from services.delivery import breaker, sql
from services.delivery.claim import ClaimedDelivery, claim
from services.models import Connection
from tests.services.delivery.conftest import make_connection, make_routed_version, submit

# Far enough ahead that each test's delivery, made when the test runs, is due by then.
NOW = timezone.now() + timedelta(days=1)
LONG_AGO = NOW - timedelta(minutes=5)
JUST_NOW = NOW - timedelta(milliseconds=200)

# (breaker_state, breaker_failures, breaker_open_until, last_success_at) before the success
BEFORE = {
    "open": ("open", 5, NOW + timedelta(minutes=1), LONG_AGO),
    "half open, probing": ("half_open", 5, NOW + timedelta(minutes=2), LONG_AGO),
    "closed with failures counted": ("closed", 2, None, JUST_NOW),
    "closed, never a success": ("closed", 0, None, None),
    "closed, last success long ago": ("closed", 0, None, LONG_AGO),
    "closed, last success just now": ("closed", 0, None, JUST_NOW),
}
FIELDS = ("breaker_state", "breaker_failures", "breaker_open_until", "last_success_at")


def put(connection: Connection, name: str) -> None:
    Connection.objects.filter(pk=connection.pk).update(
        **dict(zip(FIELDS, BEFORE[name], strict=True))
    )


def after(connection: Connection) -> tuple:
    connection.refresh_from_db()
    return tuple(getattr(connection, field) for field in FIELDS)


@pytest.mark.django_db
@pytest.mark.parametrize("name", BEFORE)
def test_a_delivery_and_an_update_succeeding_leave_the_breaker_alike(name):
    # Given two connections in the same state, one with a claimed delivery
    by_sql, by_orm = (make_connection("http://127.0.0.1:9/records") for _ in range(2))
    claimed = claim(submit(make_routed_version(by_sql)).deliveries.get().pk, now=NOW)
    assert isinstance(claimed, ClaimedDelivery)
    put(by_sql, name)
    put(by_orm, name)

    # When a delivery succeeds on one and an update on the other
    assert sql.record_success(
        claimed.delivery.pk,
        by_sql.pk,
        claimed.token,
        "CASE-1",
        NOW,
        stale_before=NOW - breaker.SUCCESS_RESOLUTION,
        number=claimed.attempt_number,
        started_at=NOW,
        duration_ms=5,
    )
    breaker.record_success(by_orm.pk, NOW)

    # Then both breakers are closed, and the row written only where the rule says it must be
    assert after(by_sql) == after(by_orm)
    expected_success = JUST_NOW if name == "closed, last success just now" else NOW
    assert after(by_orm) == ("closed", 0, None, expected_success)
