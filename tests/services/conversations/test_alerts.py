"""A resident's update that fails for good is told to the connection's owner, as a failed
delivery is (services/conversations/alerts.py): once, after commit, without personal data; and
staff can send it again (services/conversations/resend.py), when a new failure is told again."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import TestCase

from integrations.base import PermanentError, TransientError
from services.conversations import send
from services.conversations.alerts import alert_update_failed
from services.conversations.resend import send_again
from services.conversations.resident import reply
from services.delivery.actions import ActionRefused
from services.models import OutgoingUpdate, Submission
from services.staff.status import change_status
from tests.services.conversations.conftest import a_case

pytestmark = pytest.mark.django_db

State = OutgoingUpdate.State
WORDS = "My neighbour Jo Bloggs at 12 Acacia Avenue, jo.bloggs@example.org"


@pytest.fixture
def mail(mail_through_celery):
    return mail_through_celery


def committed():
    """Run what waits for the commit (the alert, then the e-mail task) as a real commit would."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def a_reply(officer) -> OutgoingUpdate:
    case = a_case()
    change_status(case, officer, status=Submission.Status.NEEDS_INFORMATION, message="Which?")
    reply(case, author=None, text=WORDS)
    return OutgoingUpdate.objects.select_related("connection", "message__submission").get(
        message__submission=case
    )


def test_a_refused_update_is_alerted_to_the_connections_owner_once(back_office, officer, mail):
    update = a_reply(officer)
    # The back office's message echoes what the resident wrote: it must not reach the e-mail.
    back_office.fail_next = [PermanentError(f"rejected: {WORDS}", status_code=422)]

    with committed():
        assert send.send_update(update.pk).outcome == "permanent"

    assert len(mail) == 1
    message = mail[0]
    reference = update.message.submission.reference
    assert message.to == [update.connection.owner_email]
    assert message.subject == f"Update not sent: {reference} to {update.connection.name}"
    assert f"Case reference: {reference}" in message.body
    assert f"Back office: {update.connection.name}" in message.body
    assert "Error: PermanentError (response 422)" in message.body
    assert re.search(rf"/staff/cases/{reference}/timeline/\s", message.body)
    assert "/admin/services/delivery/dashboard/" in message.body
    for personal in ("Jo Bloggs", "Acacia", "jo.bloggs@example.org"):
        assert personal not in message.subject + message.body
    update.refresh_from_db()
    assert update.alerted_at is not None

    # A second call (a task run twice) tells nobody again
    with committed():
        assert alert_update_failed(update) is False
    assert len(mail) == 1


def test_an_update_whose_budget_is_spent_is_alerted(back_office, officer, mail):
    update = a_reply(officer)
    update.connection.attempt_budget = timedelta(seconds=0)
    update.connection.save()
    back_office.fail_next = [TransientError("still down")]

    with committed():
        assert send.send_update(update.pk).outcome == "transient"

    assert len(mail) == 1
    assert "Error: TransientError" in mail[0].body


def test_a_retry_is_not_alerted(back_office, officer, mail):
    update = a_reply(officer)
    back_office.fail_next = [TransientError("restarting", status_code=503)]

    with committed():
        assert send.send_update(update.pk).outcome == "transient"

    assert mail == []
    update.refresh_from_db()
    assert (update.state, update.alerted_at) == (State.RETRYING, None)


@pytest.mark.parametrize("state", [State.PENDING, State.RETRYING, State.DELIVERED])
def test_an_update_that_has_not_failed_is_not_alerted(state, back_office, officer, mail):
    update = a_reply(officer)
    OutgoingUpdate.objects.filter(pk=update.pk).update(state=state)

    with committed():
        assert alert_update_failed(update.pk) is False
    assert mail == []


def test_sent_again_it_has_a_fresh_budget_and_a_new_failure_is_alerted_again(
    back_office, officer, mail
):
    # Given an update that failed for good and was alerted
    update = a_reply(officer)
    update.connection.attempt_budget = timedelta(seconds=0)
    update.connection.save()
    back_office.fail_next = [TransientError("still down")]
    with committed():
        send.send_update(update.pk)
    assert len(mail) == 1

    # When staff send it again (queued on commit; Celery runs eagerly here) and it fails again
    back_office.fail_next = [PermanentError("archived")]
    with committed():
        again = send_again(update.pk, officer)
    assert (again.state, again.first_attempt_at, again.alerted_at) == (State.PENDING, None, None)

    # Then it was tried once more, and the owner is told again
    update.refresh_from_db()
    assert update.state == State.FAILED
    assert len(mail) == 2

    # Sent again once more, it reaches the back office, always with the same idempotency key
    with committed():
        send_again(update.pk, officer)
    update.refresh_from_db()
    assert update.state == State.DELIVERED
    assert back_office.calls == [str(update.idempotency_key)] * 3


def test_only_a_failed_update_is_sent_again(back_office, officer):
    update = a_reply(officer)

    with pytest.raises(ActionRefused, match="Only an update that was not sent"):
        send_again(update, officer)
    update.refresh_from_db()
    assert update.state == State.PENDING
