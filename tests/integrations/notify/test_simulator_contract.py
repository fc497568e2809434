"""The Notify client wrapper against the Notify simulator over loopback: the JWT auth exactly as
the official client sends it (and Notify's refusals of anything else), template and
personalisation checks, look-ups by reference, no de-duplication, and delivery receipts posted
to the portal's own callback view."""

import time
import warnings

import httpx
import jwt
import pytest

from integrations.notify.client import NotifyClient, NotifyError, key_problem
from integrations.simulators.notify import (
    DEMO_SECRET,
    DEMO_SERVICE_ID,
    NotifySimulator,
    demo_templates_setting,
)

TEMPLATES = demo_templates_setting()
EMAIL_EN = TEMPLATES["email"]["default"]["en"]
SMS_EN = TEMPLATES["sms"]["default"]["en"]
LETTER_EN = TEMPLATES["letter"]["default"]["en"]
WORDS = {"subject": "Your request", "body": "It is in progress."}


@pytest.fixture
def notify():
    with NotifySimulator() as simulator:
        yield simulator


@pytest.fixture
def client(notify):
    return NotifyClient(notify.api_key, base_url=notify.url, timeout=5)


def post_with_token(notify, token: str | None) -> httpx.Response:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    body = {"email_address": "a@example.org", "template_id": EMAIL_EN, "personalisation": WORDS}
    return httpx.post(f"{notify.url}/v2/notifications/email", json=body, headers=headers)


def token(secret=DEMO_SECRET, iss=DEMO_SERVICE_ID, iat=None, alg="HS256") -> str:
    claims = {"iss": iss, "iat": int(time.time()) if iat is None else iat}
    with warnings.catch_warnings():
        # The HS512 case signs with the 36-byte secret on purpose; PyJWT warns it is short.
        warnings.simplefilter("ignore")
        return jwt.encode(claims, secret, algorithm=alg, headers={"typ": "JWT"})


def test_the_official_clients_token_is_accepted_and_its_notification_kept(client, notify):
    sent = client.send(
        "email",
        recipient="a@example.org",
        template_id=EMAIL_EN,
        personalisation=WORDS,
        reference="ref-1",
    )
    (held,) = notify.notifications
    assert (held["id"], held["reference"], held["subject"]) == (sent.id, "ref-1", "Your request")
    auth = notify.requests[-1].headers["authorization"]
    claims = jwt.decode(auth.removeprefix("Bearer "), DEMO_SECRET, algorithms=["HS256"])
    assert claims["iss"] == DEMO_SERVICE_ID


@pytest.mark.parametrize(
    ("made", "status", "message"),
    [
        (lambda: None, 401, "authentication token must be provided"),
        (lambda: "not-a-jwt", 403, "Invalid token"),
        (lambda: token(secret="0" * 36), 403, "Invalid token: signature"),
        (lambda: token(iss="00000000-0000-4000-8000-000000000000"), 403, "service not found"),
        (lambda: token(iat=int(time.time()) - 120), 403, "accurate to within 30 seconds"),
        (lambda: token(iat=int(time.time()) + 120), 403, "accurate to within 30 seconds"),
        (lambda: token(alg="HS512"), 403, "algorithm used is not HS256"),
    ],
    ids=["missing", "garbage", "wrong-secret", "wrong-service", "expired", "future", "alg"],
)
def test_bad_tokens_are_refused_as_notify_refuses_them(notify, made, status, message):
    # (Each token is made when its test runs: one made at collection would age.)
    response = post_with_token(notify, made())
    assert response.status_code == status
    (error,) = response.json()["errors"]
    assert error["error"] == "AuthError"
    assert message in error["message"]
    assert notify.notifications == []


def test_a_wrong_key_is_a_permanent_error(notify):
    wrong = NotifyClient(notify.api_key[:-36] + "0" * 36, base_url=notify.url)
    with pytest.raises(NotifyError) as caught:
        wrong.send(
            "sms",
            recipient="07700900123",
            template_id=SMS_EN,
            personalisation={"body": "b"},
            reference="r",
        )
    assert (caught.value.permanent, caught.value.status) == (True, 403)


def test_a_malformed_key_is_refused_before_any_request():
    assert key_problem("just-a-password") is not None
    with pytest.raises(ValueError, match="service id"):
        NotifyClient("just-a-password")


@pytest.mark.parametrize(
    ("channel", "fields", "expected"),
    [
        ("email", {"template_id": "nope"}, "template_id is not a valid UUID"),
        ("email", {"template_id": "0b5e1fd4-5b55-4bd8-a1a7-2d0f3b4e9e11"}, "Template not found"),
        ("email", {"template_id": SMS_EN}, "sms template is not suitable for email"),
        ("email", {"personalisation": {"body": "b"}}, "Missing personalisation: subject"),
        ("email", {"recipient": "not an address"}, "Not a valid email address"),
        ("sms", {"recipient": "01632 960000"}, "Not a UK mobile number"),
        (
            "letter",
            {"personalisation": {**WORDS, "address_line_1": "A", "address_line_2": "B"}},
            "at least 3 lines",
        ),
        (
            "letter",
            {
                "personalisation": {
                    **WORDS,
                    "address_line_1": "A",
                    "address_line_2": "B",
                    "address_line_3": "Nowhere",
                }
            },
            "real UK postcode",
        ),
    ],
)
def test_notify_s_checks_are_permanent_errors_naming_the_field(
    client, notify, channel, fields, expected
):
    template = {"email": EMAIL_EN, "sms": SMS_EN, "letter": LETTER_EN}[channel]
    call = {
        "recipient": {"email": "a@example.org", "sms": "07700900123", "letter": ""}[channel],
        "template_id": template,
        "personalisation": WORDS if channel != "sms" else {"body": "b"},
        "reference": "r",
        **fields,
    }
    with pytest.raises(NotifyError) as caught:
        client.send(channel, **call)
    assert caught.value.permanent
    assert caught.value.status == 400
    assert expected in caught.value.reason
    assert notify.notifications == []


def test_429_is_transient_with_retry_after_and_5xx_is_ambiguous(client, notify):
    notify.set_faults(rate_limit=30, times=1)
    with pytest.raises(NotifyError) as limited:
        client.send(
            "sms",
            recipient="07700900123",
            template_id=SMS_EN,
            personalisation={"body": "b"},
            reference="r",
        )
    assert (limited.value.permanent, limited.value.ambiguous, limited.value.retry_after) == (
        False,
        False,
        30.0,
    )

    notify.set_faults(error_rate=1.0, error_status=502, times=1)
    with pytest.raises(NotifyError) as failed:
        client.send(
            "sms",
            recipient="07700900123",
            template_id=SMS_EN,
            personalisation={"body": "b"},
            reference="r",
        )
    assert (failed.value.permanent, failed.value.ambiguous) == (False, True)


def an_sms(client, reference="r"):
    return client.send(
        "sms",
        recipient="07700900123",
        template_id=SMS_EN,
        personalisation={"body": "b"},
        reference=reference,
    )


def test_the_rate_limit_is_answered_in_notify_s_own_shape_and_the_client_names_it(client, notify):
    # Given Notify over its per-minute limit
    notify.set_faults(rate_limit=30)

    # Then it answers as Notify does (the body its documentation gives)
    answer = httpx.post(
        f"{notify.url}/v2/notifications/sms",
        json={"phone_number": "07700900123", "template_id": SMS_EN},
        headers={"Authorization": f"Bearer {token()}"},
    )
    assert answer.status_code == 429
    assert answer.json() == {
        "status_code": 429,
        "errors": [
            {
                "error": "RateLimitError",
                "message": "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
            }
        ],
    }

    # And our client reads it: transient, not ambiguous, Notify's words in its reason
    with pytest.raises(NotifyError) as limited:
        an_sms(client)
    assert limited.value.reason == (
        "Notify answered 429 (RateLimitError: "
        "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds)"
    )
    assert (limited.value.permanent, limited.value.ambiguous, limited.value.status) == (
        False,
        False,
        429,
    )
    assert notify.notifications == []


def test_over_the_daily_limit_sends_are_refused_with_too_many_requests_and_look_ups_still_work():
    # Given a service allowed two messages a day, which has sent them
    with NotifySimulator(daily_limit=2) as notify:
        client = NotifyClient(notify.api_key, base_url=notify.url, timeout=5)
        an_sms(client, "first")
        an_sms(client, "second")

        # When it sends a third, Notify refuses it, and our client says why, as transient
        with pytest.raises(NotifyError) as refused:
            an_sms(client, "third")

        assert refused.value.reason == (
            "Notify answered 429 (TooManyRequestsError: Exceeded send limits (2) for today)"
        )
        assert (refused.value.permanent, refused.value.ambiguous) == (False, False)
        assert [n["reference"] for n in notify.notifications] == ["first", "second"]
        # and what was sent can still be looked up
        assert client.find_by_reference("second") is not None
        assert client.find_by_reference("third") is None


def test_the_simulator_does_not_de_duplicate_but_the_reference_finds_what_was_sent(client, notify):
    # Given a notification sent whose answer was lost
    notify.set_faults(drop_response=True, times=1)
    with pytest.raises(NotifyError) as lost:
        client.send(
            "sms",
            recipient="07700900123",
            template_id=SMS_EN,
            personalisation={"body": "b"},
            reference="msg-1",
        )
    assert lost.value.ambiguous

    # Then Notify has it and a look-up by reference finds it
    found = client.find_by_reference("msg-1")
    assert found is not None
    assert found.id == notify.notifications[0]["id"]
    assert client.find_by_reference("msg-2") is None
    # And sending it again anyway would make a second one, as on Notify
    client.send(
        "sms",
        recipient="07700900123",
        template_id=SMS_EN,
        personalisation={"body": "b"},
        reference="msg-1",
    )
    assert len(notify.notifications) == 2
    # (of which a look-up adopts the oldest)
    assert client.find_by_reference("msg-1").id == found.id


def test_get_by_id_and_not_found(client, notify):
    sent = client.send(
        "email",
        recipient="a@example.org",
        template_id=EMAIL_EN,
        personalisation=WORDS,
        reference="r",
    )
    assert client.get(sent.id).status == "created"
    with pytest.raises(NotifyError) as missing:
        client.get("00000000-0000-4000-8000-000000000000")
    assert missing.value.status == 404


@pytest.mark.django_db(transaction=True)
def test_delivery_receipts_reach_the_portal_and_are_recorded(live_server, settings):
    from services.messages.outbox import queue_message
    from services.messages.send import send_message
    from services.models import OutgoingMessage

    settings.NOTIFY_CALLBACK_TOKEN = "receipt-token-0123456789"
    with NotifySimulator(
        callback_url=f"{live_server.url}/callbacks/notify/",
        callback_token="receipt-token-0123456789",
    ) as notify:
        settings.NOTIFY_API_KEY, settings.NOTIFY_BASE_URL = notify.api_key, notify.url
        settings.NOTIFY_TEMPLATES = TEMPLATES
        # Given two messages sent through Notify, one to an address that does not exist
        good = queue_message(kind="status_update", recipient="a@example.org", subject="s", body="b")
        bad = queue_message(
            kind="status_update", recipient="perm-fail@simulator.notify", subject="s", body="b"
        )
        assert send_message(good.pk) == send_message(bad.pk) == "sent"
        good.refresh_from_db()
        bad.refresh_from_db()

        # When Notify sends their receipts (twice for one: it retries)
        assert notify.send_callback(good.provider_id) == 200
        assert notify.send_callback(bad.provider_id) == 200
        assert notify.send_callback(bad.provider_id) == 200

        # Then each is recorded
        good.refresh_from_db()
        bad.refresh_from_db()
        assert good.delivery_status == OutgoingMessage.DeliveryStatus.DELIVERED
        assert bad.delivery_status == OutgoingMessage.DeliveryStatus.PERMANENT_FAILURE

        # And a receipt with the wrong token is refused
        notify.callback_token = "forged"
        assert notify.send_callback(good.provider_id, "permanent-failure") == 401
        good.refresh_from_db()
        assert good.delivery_status == OutgoingMessage.DeliveryStatus.DELIVERED
    from services.messages.notify import _client

    _client.cache_clear()


def test_make_run_uses_the_simulators_demo_key_templates_and_callback_token():
    import json
    from pathlib import Path

    from integrations.simulators.notify import DEMO_CALLBACK_TOKEN, api_key

    root = Path(__file__).resolve().parents[3]
    makefile = (root / "Makefile").read_text()
    assert api_key() in makefile
    assert f"NOTIFY_CALLBACK_TOKEN={DEMO_CALLBACK_TOKEN}" in makefile
    templates = root / "integrations" / "simulators" / "notify_demo_templates.json"
    assert json.loads(templates.read_text()) == TEMPLATES
