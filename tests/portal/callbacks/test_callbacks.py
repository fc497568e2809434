"""POST /callbacks/<slug>/: a signed callback applies updates; anything wrong changes nothing."""

import json
import logging
import time

import pytest

from portal.callbacks.auth import signature
from services.models import CaseUpdate, Connection, Submission
from tests.portal.conftest import CommittingClient
from tests.services.updates.helpers import SECRET, case_sent_to, connection_with_mappings

pytestmark = pytest.mark.django_db
S = Submission.Status


@pytest.fixture
def client():
    return CommittingClient()


@pytest.fixture
def connection():
    return connection_with_mappings(slug="highways")


@pytest.fixture
def case(connection):
    return case_sent_to(connection, "HW-1", reference="K7WP-3XMR", contact_email="jo@example.org")


def body_of(*items, **overrides):
    default = {
        "update_id": "U1",
        "reference": "HW-1",
        "status": "FIXED",
        "occurred_at": "2025-05-01T09:30:00Z",
        "description": "Patched by crew 4",
    }
    updates = [{**default, **item} for item in items] or [{**default, **overrides}]
    return json.dumps(updates if len(updates) > 1 else updates[0]).encode()


def post(client, body: bytes, *, slug="highways", secret=SECRET, timestamp=None, headers=None):
    timestamp = str(int(time.time())) if timestamp is None else str(timestamp)
    signed = {"X-Timestamp": timestamp, "X-Signature": signature(secret, timestamp, body)}
    return client.post(
        f"/callbacks/{slug}/",
        data=body,
        content_type="application/json",
        headers=signed if headers is None else headers,
    )


def snapshot(case):
    case.refresh_from_db()
    return (case.status, list(CaseUpdate.objects.values_list("update_id", "outcome")))


def test_a_signed_update_is_applied_and_the_resident_emailed_once(
    client, case, mail_through_celery
):
    # When
    response = post(client, body_of())

    # Then
    assert response.status_code == 200
    assert response.json() == {
        "received": 1,
        "applied": 1,
        "duplicates": 0,
        "ignored": 0,
        "unknown_reference": 0,
    }
    case.refresh_from_db()
    assert case.status == S.CLOSED_FIXED
    [message] = mail_through_celery
    assert message.subject == "Your request K7WP-3XMR: Our crew has fixed the pothole"
    assert "Patched by crew 4" not in message.body  # the back office's notes are for staff
    assert "sessionid" not in response.cookies


def test_a_list_of_updates_is_applied_in_time_order(client, case):
    response = post(
        client,
        body_of(
            {"update_id": "U2", "status": "SCHEDULED", "occurred_at": "2025-05-01T10:00:00+01:00"},
            {"update_id": "U1", "status": "OPEN", "occurred_at": "2025-05-01T08:00:00Z"},
        ),
    )

    assert response.status_code == 200
    assert response.json()["applied"] == 1
    assert response.json()["ignored"] == 1
    case.refresh_from_db()
    assert case.status == S.ACTION_SCHEDULED


def test_a_replayed_update_id_is_accepted_and_changes_nothing(client, case, mail_through_celery):
    post(client, body_of())
    before = snapshot(case)

    # The same update again, freshly signed, even claiming another status
    response = post(client, body_of(status="OPEN"))

    assert response.status_code == 200
    assert response.json()["duplicates"] == 1
    assert snapshot(case) == before
    assert len(mail_through_celery) == 1


def test_bearer_auth(client, case, connection):
    Connection.objects.filter(pk=connection.pk).update(callback_auth="bearer")
    wrong = {"Authorization": "Bearer not-the-secret"}
    right = {"Authorization": f"Bearer {SECRET}"}

    assert post(client, body_of(), headers=wrong).status_code == 401
    assert snapshot(case) == (S.RECEIVED, [])

    assert post(client, body_of(), headers=right).status_code == 200
    assert snapshot(case)[0] == S.CLOSED_FIXED


BAD_AUTH = {
    "wrong signature": lambda body: {
        "X-Timestamp": str(int(time.time())),
        "X-Signature": "sha256=00",
    },
    "signed with another secret": lambda body: {
        "X-Timestamp": (ts := str(int(time.time()))),
        "X-Signature": signature("another-secret", ts, body),
    },
    "stale timestamp": lambda body: {
        "X-Timestamp": (ts := str(int(time.time()) - 301)),
        "X-Signature": signature(SECRET, ts, body),
    },
    "timestamp from the future": lambda body: {
        "X-Timestamp": (ts := str(int(time.time()) + 310)),
        "X-Signature": signature(SECRET, ts, body),
    },
    "no signature": lambda body: {},
    "timestamp not a number": lambda body: {
        "X-Timestamp": "yesterday",
        "X-Signature": signature(SECRET, "yesterday", body),
    },
    "non-ASCII signature": lambda body: {
        "X-Timestamp": str(int(time.time())),
        "X-Signature": "sha256=é",
    },
    "bearer token instead of a signature": lambda body: {"Authorization": f"Bearer {SECRET}"},
}


@pytest.mark.parametrize("problem", BAD_AUTH)
def test_a_badly_authenticated_callback_is_refused_logged_and_changes_nothing(
    client, case, mail_through_celery, caplog, problem
):
    body = body_of()

    with caplog.at_level(logging.WARNING):
        response = post(client, body, headers=BAD_AUTH[problem](body))

    assert response.status_code == 401
    assert "error" in response.json()
    assert snapshot(case) == (S.RECEIVED, [])
    assert mail_through_celery == []
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "callback refused" in logged
    assert "Patched by crew 4" not in logged
    assert "HW-1" not in logged


def test_a_connection_without_a_callback_secret_refuses_every_callback(client, case, connection):
    Connection.objects.filter(pk=connection.pk).update(callback_secret="")

    response = post(client, body_of(), secret="")

    assert response.status_code == 401
    assert snapshot(case) == (S.RECEIVED, [])


def test_an_unknown_connection_is_not_found(client, case):
    response = post(client, body_of(), slug="no-such-connection")

    assert response.status_code == 404
    assert snapshot(case) == (S.RECEIVED, [])


def test_an_update_for_an_unknown_reference_is_refused_and_the_batch_changes_nothing(
    client, case, mail_through_celery
):
    response = post(
        client,
        body_of({"update_id": "U1"}, {"update_id": "U2", "reference": "HW-404"}),
    )

    assert response.status_code == 422
    assert response.json()["unknown_references"] == ["HW-404"]
    assert snapshot(case) == (S.RECEIVED, [])
    assert mail_through_celery == []


MALFORMED = {
    "not JSON": b"{not json",
    "not UTF-8": b'{"update_id": "\xff"}',
    "empty list": b"[]",
    "a number": b"42",
    "missing update_id": body_of(update_id=None),
    "missing status": json.dumps({"update_id": "U1", "reference": "HW-1"}).encode(),
    "empty reference": body_of(reference="  "),
    "status not a string": body_of(status=["FIXED"]),
    "boolean update id": body_of(update_id=True),
    "bad date": body_of(occurred_at="yesterday"),
    "impossible date": body_of(occurred_at="2025-02-30T10:00:00Z"),
    "date without a time zone": body_of(occurred_at="2025-05-01T09:30:00"),
    "description not a string": body_of(description={"a": 1}),
    "too long update id": body_of(update_id="x" * 201),
    "deeply nested": b"[" * 100_000 + b"]" * 100_000,
    "a list with a good and a bad update": body_of(
        {"update_id": "U1"}, {"update_id": "U2", "occurred_at": "soon"}
    ),
}


@pytest.mark.parametrize("problem", MALFORMED)
def test_a_malformed_body_is_a_400_with_a_reason_and_changes_nothing(
    client, case, mail_through_celery, problem
):
    response = post(client, MALFORMED[problem])

    assert response.status_code == 400
    assert response.json()["error"]
    assert snapshot(case) == (S.RECEIVED, [])
    assert mail_through_celery == []


def test_a_body_over_256_kb_is_refused_unread(client, case):
    body = body_of(description="x" * (256 * 1024))

    response = post(client, body)

    assert response.status_code == 400
    assert "256 KB" in response.json()["error"]
    assert snapshot(case) == (S.RECEIVED, [])


def test_only_post_is_allowed(client, case):
    assert client.get("/callbacks/highways/").status_code == 405


@pytest.mark.usefixtures("one_rate_window")
def test_calls_over_the_connection_s_limit_get_429_with_retry_after(client, case, settings):
    settings.CALLBACKS_PER_MINUTE = 2
    assert post(client, body_of(update_id="U1", status="OPEN")).status_code == 200
    assert post(client, body_of(update_id="U2", status="OPEN")).status_code == 200

    response = post(client, body_of(update_id="U3", status="FIXED"))

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert snapshot(case)[0] == S.IN_PROGRESS
    assert not CaseUpdate.objects.filter(update_id="U3").exists()


BACK_OFFICE = "192.0.2.10"
FORGER = "203.0.113.66"


def post_from(client, address: str, body: bytes, *, secret=SECRET):
    timestamp = str(int(time.time()))
    return client.post(
        "/callbacks/highways/",
        data=body,
        content_type="application/json",
        headers={"X-Timestamp": timestamp, "X-Signature": signature(secret, timestamp, body)},
        REMOTE_ADDR=address,
    )


@pytest.mark.usefixtures("one_rate_window")
def test_a_flood_of_forged_calls_does_not_make_the_back_office_s_signed_call_get_429(
    client, case, settings
):
    # Given a connection allowed 3 calls a minute, and a forger who sent 50 unsigned calls
    settings.CALLBACKS_PER_MINUTE = 3
    for n in range(50):
        forged = post_from(client, FORGER, body_of(update_id=f"F{n}"), secret="guessed")
        assert forged.status_code in (401, 429)

    # When the back office sends a correctly signed call
    response = post_from(client, BACK_OFFICE, body_of(update_id="U1", status="FIXED"))

    # Then it is applied
    assert response.status_code == 200
    assert snapshot(case)[0] == S.CLOSED_FIXED


@pytest.mark.usefixtures("one_rate_window")
def test_calls_that_fail_authentication_are_refused_with_429_from_that_address_only(client, case):
    # Given 30 calls from one address that failed authentication within a minute
    for n in range(30):
        assert post_from(client, FORGER, body_of(update_id=f"F{n}"), secret="x").status_code == 401

    # When that address calls again, even with a body signed correctly
    response = post_from(client, FORGER, body_of(update_id="U1"))

    # Then it is refused with 429 and Retry-After, without being looked at
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert snapshot(case)[0] == S.RECEIVED

    # And guessing at connection names from there is refused the same way
    assert client.post("/callbacks/nothing-here/", REMOTE_ADDR=FORGER).status_code == 429

    # And the back office, elsewhere, is not affected
    assert post_from(client, BACK_OFFICE, body_of(update_id="U1")).status_code == 200


@pytest.mark.usefixtures("one_rate_window")
def test_guessing_connection_names_counts_as_failed_authentication(client, case):
    for n in range(30):
        assert client.post(f"/callbacks/guess-{n}/", REMOTE_ADDR=FORGER).status_code == 404

    assert post_from(client, FORGER, body_of(update_id="U1")).status_code == 429


def test_every_address_the_portal_keeps_under_callbacks_is_a_slug_no_connection_may_take():
    # A fixed route such as /callbacks/notify/ shadows a connection of that slug, so the model
    # must refuse exactly those slugs (the admin, the studio and routing import all use it)
    from django.urls import resolve

    from portal.urls import urlpatterns
    from services.models.routing import RESERVED_CONNECTION_SLUGS

    routes = [str(p.pattern) for p in urlpatterns if str(p.pattern).startswith("callbacks/")]
    fixed = {route.split("/")[1] for route in routes if "<" not in route}

    assert fixed == RESERVED_CONNECTION_SLUGS
    assert routes[-1] == "callbacks/<slug:slug>/"  # the connections' route comes last
    for slug in fixed:
        assert resolve(f"/callbacks/{slug}/").url_name != "callback"
