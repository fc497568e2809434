"""A session that cannot be saved because the database is unreachable is an outage (503), not
the resident's bad request (400): portal/core/sessions.py.

The database really refuses the write here: another connection holds the session table locked
against writes (reads still pass), and the request's connection gives up waiting after a short
lock timeout, as it would on a database that stopped answering.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg2
import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.exceptions import SessionInterrupted
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from portal.core.sessions import _database_unreachable
from tests.portal.journey.forms import generated, live_service

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sessions_locked_against_writes() -> Iterator[None]:
    settings = connection.settings_dict
    other = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
    )
    try:
        with other.cursor() as cursor:
            cursor.execute("LOCK TABLE django_session IN EXCLUSIVE MODE")
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        yield
    finally:
        other.rollback()
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")


def test_a_session_the_database_cannot_save_is_a_503_try_again_page_not_a_400(request):
    client = Client(raise_request_exception=False)  # answered as in production
    # Given a guest with a session (their first draft remembered in it)
    service = live_service(generated(count=1), "report-something")
    start = reverse("journey:start", kwargs={"slug": service.slug})
    assert client.post(start).status_code == 302

    # When they start another while the database will not take the session's update
    request.getfixturevalue("sessions_locked_against_writes")
    response = client.post(start)

    # Then they are told the service is unavailable for now, as for any database outage
    assert response.status_code == 503
    assert "Sorry, there is a problem with the service" in response.content.decode()


def _interrupted(cause: Exception | None) -> SessionInterrupted:
    """SessionInterrupted as Django raises it: from UpdateError, raised while handling `cause`
    (the database's error) or, for a session deleted elsewhere, while handling nothing."""
    try:
        try:
            if cause is not None:
                raise cause
            raise UpdateError
        except (UpdateError, OperationalError):
            try:
                raise UpdateError from None
            except UpdateError:
                raise SessionInterrupted("deleted") from None
    except SessionInterrupted as interrupted:
        return interrupted
    raise AssertionError("unreachable")


def test_a_session_interrupted_without_a_database_error_stays_djangos_400():
    assert _database_unreachable(_interrupted(None)) is None


def test_the_database_error_behind_an_interrupted_session_is_found():
    timeout = OperationalError("canceling statement due to lock timeout")
    assert _database_unreachable(_interrupted(timeout)) is timeout
