import pytest
from django.core.mail import EmailMultiAlternatives, send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy

from portal.core.mail import OutboxEmailBackend, deserialise
from services.models import OutgoingMessage

pytestmark = pytest.mark.django_db


def a_message() -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=gettext_lazy("Reset your password"),
        body="Plain text body",
        to=["resident@example.com"],
        bcc=["audit@example.gov.uk"],
    )
    message.attach_alternative("<p>HTML body</p>", "text/html")
    return message


def test_mail_sent_through_django_is_kept_in_the_outbox_one_copy_per_recipient(settings):
    # Given production's e-mail backend
    settings.EMAIL_BACKEND = "portal.core.mail.OutboxEmailBackend"

    # When code that is not ours sends a message in Welsh
    with translation.override("cy"):
        assert OutboxEmailBackend().send_messages([a_message()]) == 1

    # Then each recipient's copy waits in the outbox, with its text, HTML and language
    kept = list(OutgoingMessage.objects.order_by("pk"))
    assert [m.recipient for m in kept] == ["resident@example.com", "audit@example.gov.uk"]
    assert {m.kind for m in kept} == {"other"}
    assert {m.language for m in kept} == {"cy"}
    assert kept[0].content == {
        "subject": "Reset your password",
        "body": "Plain text body",
        "html": "<p>HTML body</p>",
    }
    assert kept[0].message_id != kept[1].message_id


def send_then_fail() -> None:
    with transaction.atomic():
        send_mail("Subject", "Body", None, ["to@example.com"])
        raise RuntimeError("the submission failed to save")


def test_send_mail_keeps_nothing_when_its_transaction_rolls_back(settings):
    settings.EMAIL_BACKEND = "portal.core.mail.OutboxEmailBackend"

    with pytest.raises(RuntimeError):
        send_then_fail()

    assert not OutgoingMessage.objects.exists()


def test_a_message_queued_by_the_release_before_the_outbox_can_still_be_sent():
    # Given the JSON the previous release put on the queue for portal.core.tasks.send_email
    payload = {
        "subject": "Subject",
        "body": "Body",
        "from_email": "from@example.gov.uk",
        "to": ["to@example.com"],
        "cc": [],
        "bcc": [],
        "reply_to": [],
        "headers": {"X-Portal-Reference": "MC-0001"},
        "alternatives": [["<p>Body</p>", "text/html"]],
    }

    # When the worker rebuilds it, it is the same message
    rebuilt = deserialise(payload)
    assert (rebuilt.subject, rebuilt.body, rebuilt.to) == ("Subject", "Body", ["to@example.com"])
    assert rebuilt.alternatives[0][0] == "<p>Body</p>"
    assert "MC-0001" in rebuilt.message().as_string()


def test_a_task_left_on_the_queue_by_the_release_before_the_outbox_joins_the_outbox(
    django_capture_on_commit_callbacks,
):
    from portal.core.tasks import send_email

    # When a worker runs a send_email task queued before the upgrade
    with django_capture_on_commit_callbacks(execute=False):
        send_email(
            {
                "subject": "Subject",
                "body": "Body",
                "from_email": None,
                "to": ["to@example.com"],
                "cc": [],
                "bcc": [],
                "reply_to": [],
                "headers": {},
                "alternatives": [],
            }
        )

    # Then the message waits in the outbox, to be sent and retried like any other
    (message,) = OutgoingMessage.objects.all()
    assert (message.recipient, message.content["subject"]) == ("to@example.com", "Subject")
    assert message.state == OutgoingMessage.State.PENDING


@pytest.mark.django_db
def test_mail_to_an_accounts_address_is_linked_to_the_account(settings):
    # Given a resident, and mail sent through Django's API to their address and to another
    from tests.portal.accounts.factories import UserFactory

    settings.EMAIL_BACKEND = "portal.core.mail.OutboxEmailBackend"
    resident = UserFactory.create(email="linked@example.org")
    send_mail("Your code", "123456", "portal@example.org", ["linked@example.org"])
    send_mail("Hello", "Hi", "portal@example.org", ["stranger@example.org"])

    # Then the resident's is theirs (in their data download, gone with their account)
    mine, theirs = OutgoingMessage.objects.order_by("pk")
    assert mine.user == resident
    assert theirs.user is None
