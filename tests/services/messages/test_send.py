"""Sending from the message outbox to a real SMTP server: retries, refusals, claims, Message-ID."""

from datetime import timedelta

import pytest
from django.utils import timezone

from services.messages.outbox import queue_message
from services.messages.send import send_message
from services.models import OutgoingMessage
from tests.portal.accounts.factories import UserFactory
from tests.services.delivery_admin.conftest import signed_in

pytestmark = pytest.mark.django_db

State = OutgoingMessage.State


def a_message(**fields) -> OutgoingMessage:
    return queue_message(
        kind="acknowledgement",
        recipient="resident@example.org",
        subject="Your reference is MC-0001",
        body="We have your request.",
        html="<p>We have your request.</p>",
        language="en",
        **fields,
    )


def test_a_queued_message_is_sent_once_with_its_own_message_id(smtp):
    # Given a message in the outbox
    message = a_message()

    # When a worker sends it
    outcome = send_message(message.pk)

    # Then the server has it once, with the outbox's Message-ID, text and HTML
    message.refresh_from_db()
    assert (outcome, message.state, message.attempts) == ("sent", State.SENT, 1)
    assert message.sent_at is not None
    (received,) = smtp.messages
    assert received.recipients == ("resident@example.org",)
    assert received.message_id == message.message_id
    assert received.message["Subject"] == "Your reference is MC-0001"
    assert "We have your request." in received.body("plain")
    assert "<p>We have your request.</p>" in received.body("html")
    # And sending it again finds nothing to do
    assert send_message(message.pk) == "not_due"
    assert smtp.count_for(message.message_id) == 1


def test_a_transient_smtp_failure_is_tried_again_and_then_sent(smtp, settings):
    settings.DELIVERY_RETRY_BASE_SECONDS = 60
    # Given a mail server that answers "try later" once
    smtp.set_faults(reject=451, times=1)
    message = a_message()

    # When the worker sends it
    assert send_message(message.pk) == "retrying"

    # Then it waits to be tried again, saying why, and is not due before its time
    message.refresh_from_db()
    assert message.state == State.RETRYING
    assert message.last_error == "Message refused (451)"
    assert timezone.now() < message.next_attempt_at <= timezone.now() + timedelta(seconds=61)
    assert send_message(message.pk) == "not_due"
    assert smtp.messages == []

    # When its time comes, it is sent
    OutgoingMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert send_message(message.pk) == "sent"
    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == (State.SENT, 2, "")
    assert smtp.count_for(message.message_id) == 1


def test_an_unreachable_mail_server_is_a_transient_failure(settings):
    # Given no mail server where EMAIL_URL points
    from tests.faults.conftest import free_port

    settings.CELERY_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    message = a_message()

    # When the worker tries, it waits to try again
    assert send_message(message.pk) == "retrying"
    message.refresh_from_db()
    assert message.last_error == "Could not reach the mail server (ConnectionRefusedError)"


@pytest.mark.parametrize(
    ("faults", "reason"),
    [
        ({"reject": 550}, "Message refused (550)"),
        ({"reject_recipients": 550}, "Recipient refused (550)"),
    ],
)
def test_a_permanent_refusal_fails_the_message_visibly(smtp, faults, reason):
    # Given a mail server that refuses the message for good
    smtp.set_faults(**faults)
    message = a_message()

    # When the worker sends it
    assert send_message(message.pk) == "failed"

    # Then it has failed with the server's reason and is not tried again
    message.refresh_from_db()
    assert (message.state, message.last_error, message.next_attempt_at) == (
        State.FAILED,
        reason,
        None,
    )
    assert send_message(message.pk) == "not_due"
    # And admins find it among the failed messages, without the address or the words
    admin = signed_in(UserFactory(is_staff=True, is_superuser=True))
    page = admin.get("/admin/services/outgoingmessage/", {"state__exact": "failed"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "acknowledgement" in html
    assert reason in html
    assert "resident@example.org" not in html
    assert "MC-0001" not in html


def test_a_transient_failure_past_the_budget_fails_the_message(smtp, settings):
    settings.MESSAGE_RETRY_BUDGET_SECONDS = 60
    smtp.set_faults(reject=451)
    message = a_message()
    OutgoingMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )

    assert send_message(message.pk) == "failed"
    message.refresh_from_db()
    assert (message.state, message.last_error) == (State.FAILED, "Message refused (451)")


def test_a_message_held_by_another_worker_is_left_alone_until_its_lease_runs_out(smtp):
    # Given a message another worker has claimed
    message = a_message()
    OutgoingMessage.objects.filter(pk=message.pk).update(
        state=State.SENDING, attempts=1, lease_expires_at=timezone.now() + timedelta(minutes=2)
    )

    # Then a second worker does not send it
    assert send_message(message.pk) == "not_due"
    assert smtp.messages == []

    # When that worker died and its lease ran out, it is sent again with the same Message-ID
    OutgoingMessage.objects.filter(pk=message.pk).update(lease_expires_at=timezone.now())
    assert send_message(message.pk) == "sent"
    assert smtp.count_for(message.message_id) == 1
    message.refresh_from_db()
    assert message.attempts == 2


def test_nothing_is_kept_when_the_transaction_that_queued_it_rolls_back():
    from django.db import transaction

    def queue_then_fail() -> None:
        with transaction.atomic():
            a_message()
            raise RuntimeError("the submission failed to save")

    with pytest.raises(RuntimeError):
        queue_then_fail()

    assert not OutgoingMessage.objects.exists()


def test_an_unknown_channel_is_refused_before_anything_is_kept():
    # (A text message or letter is kept; without GOV.UK Notify it then fails as "no transport":
    # tests/services/messages/test_notify.py.)
    with pytest.raises(ValueError, match="pigeon"):
        a_message(channel="pigeon")
    assert not OutgoingMessage.objects.exists()


def test_a_text_message_is_kept_with_its_body_only():
    # When a text message is queued
    message = queue_message(
        kind="status_update",
        recipient="+447700900982",
        body="Your request MC-0001 is in progress.",
        language="cy",
        channel=OutgoingMessage.Channel.SMS,
    )

    # Then the outbox keeps it for the SMS transport, with nothing an e-mail would have
    message.refresh_from_db()
    assert (message.channel, message.recipient, message.language) == ("sms", "+447700900982", "cy")
    assert message.content == {"body": "Your request MC-0001 is in progress."}


def test_a_text_message_with_a_subject_is_refused():
    with pytest.raises(ValueError, match="body only"):
        a_message(channel=OutgoingMessage.Channel.SMS)
    assert not OutgoingMessage.objects.exists()
