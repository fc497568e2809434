"""A real Celery worker process, real Redis, the same test database: the web-to-worker path.

The worker is the session's, shared with other tests whose mail may arrive late, during these
tests: so each test sends to an address and a request id of its own and reads only those."""

import json
import uuid

import pytest
from allauth.account.models import EmailAddress
from django.core.mail import send_mail
from django.db import transaction

from portal.accounts.models import User

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mail_through_celery(settings):
    # pytest-django swaps in the locmem backend; put the portal's own queueing backend back.
    settings.EMAIL_BACKEND = "portal.core.mail.OutboxEmailBackend"


def an_address_of_this_test() -> str:
    return f"resident-{uuid.uuid4().hex[:12]}@example.com"


@pytest.fixture
def resident():
    user = User.objects.create_user(email=an_address_of_this_test(), password="a-long-passphrase-1")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_password_reset_email_is_sent_by_the_worker(
    client, resident, mail_through_celery, celery_worker_process
):
    request_id = f"reset-request-{uuid.uuid4().hex[:12]}"

    # When the resident asks for a password reset
    response = client.post(
        "/accounts/password/reset/", {"email": resident.email}, HTTP_X_REQUEST_ID=request_id
    )

    # Then the page answers at once, and the worker process sends the e-mail with the link
    assert response.status_code == 302
    (message,) = celery_worker_process.wait_for_mail_to(resident.email)
    assert "/accounts/password/reset/key/" in message

    # And the worker's log lines for that task are JSON carrying the request's id (the task
    # still records the message as sent after the mail server took it)
    def task_events() -> list[dict]:
        return [
            event
            for event in map(json.loads, _json_lines(celery_worker_process.log()))
            if event.get("event") in ("task_started", "task_succeeded")
            and event.get("request_id") == request_id
        ]

    celery_worker_process.wait_for(lambda: len(task_events()) >= 2, what="the task to finish")
    assert [event["event"] for event in task_events()] == ["task_started", "task_succeeded"]
    assert resident.email not in "\n".join(_json_lines(celery_worker_process.log()))


def test_mail_from_a_rolled_back_transaction_is_never_sent(
    mail_through_celery, celery_worker_process
):
    recipient = an_address_of_this_test()

    # Given a message sent inside a transaction that then fails
    with pytest.raises(RuntimeError):
        send_mail_then_fail(recipient)

    # When a later message is sent after a commit
    send_mail("Committed", "Sent", None, [recipient])

    # Then only the committed one arrives. Had the first been queued it would be ahead of the
    # second in the same queue, and the one-at-a-time worker would have sent it first.
    messages = celery_worker_process.wait_for_mail_to(recipient)
    assert len(messages) == 1
    assert "Subject: Committed" in messages[0]


def send_mail_then_fail(recipient: str) -> None:
    with transaction.atomic():
        send_mail("Rolled back", "Never sent", None, [recipient])
        raise RuntimeError("the submission failed to save")


def _json_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith("{")]
