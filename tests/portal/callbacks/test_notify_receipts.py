"""POST /callbacks/notify/: GOV.UK Notify's delivery receipts, bearer-token checked, recorded
once and in order; a permanent failure asks the resident to correct their details."""

import json

import pytest

from services.messages.outbox import queue_message
from services.messages.receipts import contact_problems
from services.models import OutgoingMessage
from tests.portal.catalogue.conftest import catalogue  # noqa: F401  (the seeded services)
from tests.portal.conftest import CommittingClient
from tests.portal.dashboard.factories import SubmissionFactory

pytestmark = pytest.mark.django_db
TOKEN = "notify-callback-token-for-tests-0123456789"
NOTIFY_ID = "740e5834-3a29-46b4-9a6f-16142fde533a"
Status = OutgoingMessage.DeliveryStatus


@pytest.fixture(autouse=True)
def token(settings):
    settings.NOTIFY_CALLBACK_TOKEN = TOKEN


@pytest.fixture
def client():
    return CommittingClient()


@pytest.fixture
def submission(catalogue):  # noqa: F811
    return SubmissionFactory(user__email="resident@example.org", user__phone="07700 900123")


@pytest.fixture
def message(submission):
    message = queue_message(
        kind="status_update",
        recipient="resident@example.org",
        subject="s",
        body="b",
        language="en",
        submission=submission,
    )
    OutgoingMessage.objects.filter(pk=message.pk).update(
        state="sent", provider_id=NOTIFY_ID, next_attempt_at=None
    )
    message.refresh_from_db()
    return message


def receipt(message=None, **overrides):
    body = {
        "id": NOTIFY_ID,
        "reference": message.message_id if message else "x",
        "to": "resident@example.org",
        "status": "delivered",
        "created_at": "2026-12-05T10:00:00.000000Z",
        "completed_at": "2026-12-05T10:00:05.000000Z",
        "sent_at": "2026-12-05T10:00:01.000000Z",
        "notification_type": "email",
        "template_id": "f3a2c1e4-0e7d-4a51-9a34-6a1d2b7a0e01",
        "template_version": 1,
    }
    body.update(overrides)
    return json.dumps(body).encode()


def post(client, body: bytes, *, token=TOKEN, headers=None):
    headers = {"Authorization": f"Bearer {token}"} if headers is None else headers
    return client.post(
        "/callbacks/notify/", data=body, content_type="application/json", headers=headers
    )


def test_a_delivered_receipt_is_recorded_with_its_time(client, message):
    response = post(client, receipt(message))

    assert (response.status_code, response.json()) == (200, {"result": "recorded"})
    message.refresh_from_db()
    assert message.delivery_status == Status.DELIVERED
    assert message.delivery_status_at.isoformat() == "2026-12-05T10:00:05+00:00"


def test_a_repeat_and_an_older_receipt_change_nothing(client, message):
    # Given a permanent failure recorded
    post(client, receipt(message, status="permanent-failure"))

    # When Notify sends it again, and then an older receipt arrives late
    again = post(client, receipt(message, status="permanent-failure"))
    older = post(client, receipt(message, status="delivered", completed_at="2026-12-05T09:00:00Z"))

    # Then neither changes what was kept
    assert again.json() == {"result": "repeat"}
    assert older.json() == {"result": "older"}
    message.refresh_from_db()
    assert message.delivery_status == Status.PERMANENT_FAILURE


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer tökén"},
    ],
)
def test_a_missing_or_wrong_token_is_refused_and_changes_nothing(client, message, headers):
    response = post(client, receipt(message, status="permanent-failure"), headers=headers)

    assert response.status_code == 401
    assert "error" in response.json()
    message.refresh_from_db()
    assert message.delivery_status == ""


def test_no_token_configured_refuses_every_receipt(client, message, settings):
    settings.NOTIFY_CALLBACK_TOKEN = ""
    response = post(client, receipt(message), token="")
    assert response.status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe",
        b"[]",
        b'"delivered"',
        json.dumps({"status": "delivered", "completed_at": "2026-12-05T10:00:00Z"}).encode(),
        receipt(status="lost-in-the-post"),
        receipt(status=None),
        receipt(id=7),
        receipt(id="x" * 65),
        receipt(completed_at="yesterday"),
        receipt(completed_at="2026-02-30T10:00:00Z"),
        receipt(completed_at="2026-12-05T10:00:00"),
        receipt(completed_at=None, sent_at=None, created_at=None),
        b"[" * 100_000,
        b"{" + b" " * 20_000 + b"}",
    ],
)
def test_bad_json_is_a_400_with_a_reason_never_a_500(client, message, body):
    response = post(client, body)

    assert response.status_code == 400
    assert response.json()["error"]
    message.refresh_from_db()
    assert message.delivery_status == ""


def test_an_unknown_notification_is_a_422(client, message):
    response = post(client, receipt(None, id="00000000-0000-4000-8000-000000000000"))
    assert response.status_code == 422
    assert response.json() == {"error": "no message of ours has this id or reference"}


def test_a_receipt_before_the_sender_knew_notifys_id_is_matched_by_reference(client, message):
    OutgoingMessage.objects.filter(pk=message.pk).update(provider_id="")
    response = post(client, receipt(message))
    assert response.json() == {"result": "recorded"}
    message.refresh_from_db()
    assert message.provider_id == NOTIFY_ID


def test_only_get_is_refused_with_405(client):
    assert client.get("/callbacks/notify/").status_code == 405


def test_a_permanent_failure_prompts_the_resident_until_the_address_changes(
    client, message, submission
):
    user = submission.user
    # When Notify says the address does not exist
    post(client, receipt(message, status="permanent-failure"))

    # Then the resident is asked to correct their e-mail address
    user.refresh_from_db()
    assert contact_problems(user) == ["email"]
    # And not once they have changed it
    user.email = "resident.new@example.org"
    user.save()
    assert contact_problems(user) == []


def test_a_later_delivered_message_to_the_same_address_ends_the_prompt(client, message, submission):
    post(client, receipt(message, status="permanent-failure"))
    post(client, receipt(message, status="delivered", completed_at="2026-12-06T10:00:00Z"))
    submission.user.refresh_from_db()
    assert contact_problems(submission.user) == []


def test_a_temporary_failure_does_not_prompt_the_resident(client, message, submission):
    post(client, receipt(message, status="temporary-failure"))
    submission.user.refresh_from_db()
    assert contact_problems(submission.user) == []
    message.refresh_from_db()
    assert message.delivery_status == Status.TEMPORARY_FAILURE


def test_a_failed_text_message_prompts_for_the_number(client, submission):
    sms = queue_message(
        kind="status_update",
        recipient="+44 7700 900123",
        subject="",
        body="b",
        channel="sms",
        submission=submission,
    )
    OutgoingMessage.objects.filter(pk=sms.pk).update(provider_id=NOTIFY_ID, state="sent")
    post(client, receipt(sms, status="permanent-failure", notification_type="sms"))
    submission.user.refresh_from_db()
    assert contact_problems(submission.user) == ["sms"]
