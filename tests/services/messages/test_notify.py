"""The outbox's GOV.UK Notify transport against the Notify simulator over loopback: the
templates and personalisation it sends, how it reads Notify's errors, and that a message whose
first answer was lost is looked up, not sent twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.simulators.notify import generic_templates
from services.messages.outbox import queue_message
from services.messages.send import send_message
from services.models import OutgoingMessage

pytestmark = pytest.mark.django_db

State = OutgoingMessage.State
Channel = OutgoingMessage.Channel
ADDRESS = ["Ms A Resident", "3 Mill Lane", "Exampleton", "ZZ99 1AB"]


def a_message(channel: str = Channel.EMAIL, **fields) -> OutgoingMessage:
    recipient = {"email": "resident@example.org", "sms": "07700 900123", "letter": ADDRESS[0]}
    fields.setdefault("recipient", recipient[channel])
    return queue_message(
        kind="status_update",
        # A text message has a body only (services/messages/outbox.py).
        subject="" if channel == Channel.SMS else "Your request MC-0001 has been updated",
        body="Your request is in progress.",
        language=fields.pop("language", "en"),
        channel=channel,
        address_lines=ADDRESS if channel == Channel.LETTER else (),
        **fields,
    )


def make_due(message: OutgoingMessage) -> None:
    OutgoingMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())


@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.SMS, Channel.LETTER])
def test_each_channel_goes_through_its_generic_template_with_our_reference(notify, channel):
    # Given a message on each channel
    message = a_message(channel)

    # When a worker sends it
    assert send_message(message.pk) == "sent"

    # Then Notify has one notification of that channel, with the channel's English template,
    # the rendered words as personalisation, and our message id as its reference
    (sent,) = notify.notifications
    message.refresh_from_db()
    template = generic_templates()[message.template_id]
    assert (sent["type"], template.type) == (channel, channel)
    assert sent["reference"] == message.message_id
    assert sent["id"] == message.provider_id
    assert sent["body"] == "Your request is in progress."
    request = notify.requests[-1].json()
    assert request["personalisation"]["body"] == "Your request is in progress."
    if channel == Channel.LETTER:
        assert [request["personalisation"][f"address_line_{n}"] for n in (1, 2, 3, 4)] == ADDRESS
    if channel == Channel.SMS:
        assert sent["phone_number"] == "07700900123"


def test_a_welsh_message_uses_the_welsh_template_and_a_kind_may_have_its_own(notify, settings):
    welsh = a_message(language="cy")
    assert send_message(welsh.pk) == "sent"
    welsh.refresh_from_db()
    assert welsh.template_id == settings.NOTIFY_TEMPLATES["email"]["default"]["cy"]

    own = settings.NOTIFY_TEMPLATES["email"]["default"]["cy"]
    settings.NOTIFY_TEMPLATES = {
        **settings.NOTIFY_TEMPLATES,
        "email": {**settings.NOTIFY_TEMPLATES["email"], "status_update": {"en": own}},
    }
    english = a_message(language="en")
    assert send_message(english.pk) == "sent"
    english.refresh_from_db()
    assert english.template_id == own


def test_a_wrong_api_key_is_refused_for_good_and_nothing_is_sent(notify, settings):
    # Given a key with the right service id but the wrong secret
    settings.NOTIFY_API_KEY = notify.api_key[:-36] + "00000000-0000-4000-8000-000000000000"
    message = a_message()

    # When a worker sends it, Notify refuses the token (403) and the message fails, saying so
    assert send_message(message.pk) == "failed"
    message.refresh_from_db()
    assert message.last_error.startswith("Notify answered 403 (AuthError")
    assert notify.notifications == []


def test_a_template_notify_does_not_know_fails_the_message(notify, settings):
    settings.NOTIFY_TEMPLATES = {
        "email": {"default": {"en": "0b5e1fd4-5b55-4bd8-a1a7-2d0f3b4e9e11"}}
    }
    message = a_message()
    assert send_message(message.pk) == "failed"
    message.refresh_from_db()
    assert "Template not found" in message.last_error
    assert notify.notifications == []


def test_a_template_of_another_channel_or_missing_personalisation_is_a_bad_request(
    notify, settings
):
    # A text-message template named for e-mail
    sms_template = settings.NOTIFY_TEMPLATES["sms"]["default"]["en"]
    settings.NOTIFY_TEMPLATES = {
        **settings.NOTIFY_TEMPLATES,
        "email": {"default": {"en": sms_template}},
    }
    message = a_message()
    assert send_message(message.pk) == "failed"
    message.refresh_from_db()
    assert "not suitable for email notification" in message.last_error

    # A template wanting a placeholder the portal does not fill
    from integrations.simulators.notify import Template

    notify.templates["5d7c0a56-8d4f-4d55-9a5f-6b0b1f0e2a77"] = Template(
        "5d7c0a56-8d4f-4d55-9a5f-6b0b1f0e2a77", "email", "((body)) ((case_officer))", "((subject))"
    )
    settings.NOTIFY_TEMPLATES = {
        "email": {"default": {"en": "5d7c0a56-8d4f-4d55-9a5f-6b0b1f0e2a77"}}
    }
    message = a_message()
    assert send_message(message.pk) == "failed"
    message.refresh_from_db()
    assert "Missing personalisation: case_officer" in message.last_error
    assert notify.notifications == []


def test_an_invalid_number_is_refused_for_good(notify):
    message = a_message(Channel.SMS, recipient="01234 567890")
    assert send_message(message.pk) == "failed"
    message.refresh_from_db()
    assert "Not a UK mobile number" in message.last_error
    assert "01234" not in message.last_error


def test_no_template_for_a_channel_waits_for_the_setting(notify, settings):
    settings.NOTIFY_TEMPLATES = {}
    message = a_message(Channel.SMS)
    assert send_message(message.pk) == "retrying"
    message.refresh_from_db()
    assert message.last_error.startswith("No Notify template for sms")


def test_429_is_tried_again_no_sooner_than_retry_after_then_sent_once(notify, settings):
    settings.DELIVERY_RETRY_BASE_SECONDS = 1
    # Given Notify over its rate limit once, asking us to wait 120 seconds
    notify.set_faults(rate_limit=120, times=1)
    message = a_message()

    # When a worker sends it, it waits at least that long
    assert send_message(message.pk) == "retrying"
    message.refresh_from_db()
    assert message.next_attempt_at >= timezone.now() + timedelta(seconds=115)
    assert message.last_error.startswith("Notify answered 429 (RateLimitError: Exceeded rate limit")

    # And when its time comes it is sent, once
    make_due(message)
    assert send_message(message.pk) == "sent"
    assert [n["reference"] for n in notify.notifications] == [message.message_id]


def test_a_5xx_is_tried_again(notify):
    notify.set_faults(error_rate=1.0, error_status=500, times=1)
    message = a_message()
    assert send_message(message.pk) == "retrying"
    make_due(message)
    assert send_message(message.pk) == "sent"
    assert len(notify.notifications) == 1


def test_a_lost_answer_is_looked_up_and_adopted_not_sent_twice(notify):
    # Given Notify takes the notification but the answer never comes back
    notify.set_faults(drop_response=True, times=1)
    message = a_message(Channel.SMS)

    # When a worker sends it, the outcome is unknown and it is tried again later
    assert send_message(message.pk) == "retrying"
    assert len(notify.notifications) == 1

    # When it is tried again, the worker finds it by reference and adopts it
    make_due(message)
    assert send_message(message.pk) == "sent"

    # Then Notify holds it once, and the message carries its id
    (sent,) = notify.notifications
    message.refresh_from_db()
    assert message.provider_id == sent["id"]
    calls = [f"{r.method} {r.path}" for r in notify.requests]
    assert calls == ["POST /v2/notifications/sms", "GET /v2/notifications"]
    assert notify.requests[-1].param("reference") == message.message_id


def test_a_retry_after_a_request_that_never_arrived_sends_it(notify):
    # Given the connection reset before Notify handled the request
    notify.set_faults(reset_rate=1.0, times=1)
    message = a_message()
    assert send_message(message.pk) == "retrying"
    assert notify.notifications == []

    # When it is tried again, the look-up finds nothing and it is sent, once
    make_due(message)
    assert send_message(message.pk) == "sent"
    assert len(notify.notifications) == 1


def test_a_failed_look_up_sends_nothing(notify):
    notify.set_faults(drop_response=True, times=1)
    message = a_message()
    assert send_message(message.pk) == "retrying"
    notify.set_faults(error_rate=1.0, times=1)  # the look-up fails
    make_due(message)
    assert send_message(message.pk) == "retrying"
    make_due(message)
    assert send_message(message.pk) == "sent"
    assert len(notify.notifications) == 1


def test_without_notify_sms_and_letters_fail_as_no_transport(settings):
    settings.NOTIFY_API_KEY = ""
    for channel in (Channel.SMS, Channel.LETTER):
        message = a_message(channel)
        assert send_message(message.pk) == "failed"
        message.refresh_from_db()
        assert message.last_error.startswith(f"No transport for {channel} messages")


def test_without_notify_e_mail_still_goes_by_smtp(smtp, settings):
    settings.NOTIFY_API_KEY = ""
    message = a_message()
    assert send_message(message.pk) == "sent"
    assert smtp.count_for(message.message_id) == 1


def test_a_letter_needs_a_postal_address():
    with pytest.raises(ValueError, match="postal address"):
        queue_message(
            kind="status_update",
            recipient="Ms A Resident",
            subject="s",
            body="b",
            channel=Channel.LETTER,
            address_lines=["Ms A Resident", "ZZ99 1AB"],
        )
