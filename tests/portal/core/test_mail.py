import json

import pytest
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.utils.translation import gettext_lazy

from portal.core.mail import CeleryEmailBackend, deserialise, serialise


def a_message() -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=gettext_lazy("Reset your password"),
        body="Plain text body",
        from_email="My Council <no-reply@example.gov.uk>",
        to=["resident@example.com"],
        cc=["copy@example.com"],
        bcc=["audit@example.gov.uk"],
        reply_to=["help@example.gov.uk"],
        headers={"X-Portal-Reference": "MC-0001"},
    )
    message.attach_alternative("<p>HTML body</p>", "text/html")
    return message


def test_a_message_survives_the_trip_through_json():
    # Given a message with every part the portal uses, queued as JSON (the only format accepted)
    payload = json.loads(json.dumps(serialise(a_message())))

    # When the worker rebuilds it
    rebuilt = deserialise(payload)

    # Then it is the same message
    assert rebuilt.subject == "Reset your password"
    assert rebuilt.body == "Plain text body"
    assert rebuilt.from_email == "My Council <no-reply@example.gov.uk>"
    assert rebuilt.to == ["resident@example.com"]
    assert rebuilt.cc == ["copy@example.com"]
    assert rebuilt.bcc == ["audit@example.gov.uk"]
    assert rebuilt.reply_to == ["help@example.gov.uk"]
    assert rebuilt.extra_headers == {"X-Portal-Reference": "MC-0001"}
    assert [tuple(alternative) for alternative in rebuilt.alternatives] == [
        ("<p>HTML body</p>", "text/html")
    ]
    assert rebuilt.recipients() == a_message().recipients()
    assert "MC-0001" in rebuilt.message().as_string()


def test_a_plain_message_without_alternatives_round_trips():
    message = EmailMessage("Subject", "Body", "from@example.gov.uk", ["to@example.com"])

    rebuilt = deserialise(json.loads(json.dumps(serialise(message))))

    assert (rebuilt.subject, rebuilt.body, rebuilt.to) == ("Subject", "Body", ["to@example.com"])
    assert rebuilt.alternatives == []


def send_then_fail(backend: CeleryEmailBackend) -> None:
    with transaction.atomic():
        assert backend.send_messages([a_message()]) == 1
        raise RuntimeError("the submission failed to save")


@pytest.mark.django_db
def test_the_backend_queues_nothing_until_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    backend = CeleryEmailBackend()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        # A message sent inside a transaction that rolls back is dropped with it...
        with pytest.raises(RuntimeError):
            send_then_fail(backend)
        # ...while one sent in a transaction that commits waits for that commit.
        with transaction.atomic():
            backend.send_messages([a_message(), a_message()])

    assert len(callbacks) == 2
