"""The council asks, the resident answers: the question is kept and e-mailed, the answer goes
back to every back office that holds the case, once, and the case goes back to in progress."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.base import StatusUpdate
from services.conversations.ask import ask_resident
from services.conversations.resident import Refused, StoredFile, reopen, reply, to_do
from services.conversations.send import send_update
from services.models import (
    CaseMessage,
    CaseUpdate,
    OutgoingMessage,
    OutgoingUpdate,
    StatusMapping,
    Submission,
)
from services.staff.status import change_status
from services.updates.apply import apply_updates
from tests.file_samples import jpeg_bytes, stored_upload
from tests.services.conversations.conftest import a_case, connection_to

pytestmark = pytest.mark.django_db

Status = Submission.Status
State = OutgoingUpdate.State


def test_staff_question_sets_needs_your_reply_and_emails_the_resident(back_office, officer):
    # Given a delivered case
    case = a_case()

    # When an officer asks the resident a question
    message = ask_resident(case, officer, "Which side of the road is it on?")

    # Then the case waits for the resident, the question is kept with its asker
    case.refresh_from_db()
    assert case.status == Status.NEEDS_INFORMATION
    assert message.kind == CaseMessage.Kind.QUESTION
    assert message.author == officer
    assert message.case_update.public_text_en == "Which side of the road is it on?"
    # and the resident is sent the question, not a status e-mail
    sent = OutgoingMessage.objects.exclude(kind="acknowledgement").get()
    assert sent.kind == "information_request"
    assert sent.recipient == case.contact_email
    assert "Which side of the road is it on?" in sent.content["body"]
    assert "#reply" in sent.content["body"]


def test_a_second_question_keeps_the_status_and_is_sent_too(back_office, officer):
    case = a_case()
    ask_resident(case, officer, "Which side?")
    ask_resident(case, officer, "And how deep?")
    assert case.conversation.filter(kind=CaseMessage.Kind.QUESTION).count() == 2
    assert OutgoingMessage.objects.filter(kind="information_request").count() == 2


def test_a_back_office_status_mapped_to_needs_information_is_a_question(back_office):
    # Given a back office whose "NEED-INFO" status maps to "needs your reply"
    connection = connection_to()
    StatusMapping.objects.create(
        connection=connection,
        external_status="NEED-INFO",
        portal_status=Status.NEEDS_INFORMATION,
        description_en="Please send us a photo of the damage",
        description_cy="Anfonwch lun o'r difrod atom",
    )
    case = a_case(connection)
    reference = case.deliveries.get().external_reference

    # When it sends that status
    apply_updates(
        connection,
        [StatusUpdate("u-1", reference, "NEED-INFO", timezone.now(), "internal notes")],
        CaseUpdate.Source.CALLBACK,
    )

    # Then the question is the mapping's public text, and the resident is asked it
    question = case.conversation.get()
    assert question.kind == CaseMessage.Kind.QUESTION
    assert question.author is None
    assert question.text == "Please send us a photo of the damage"
    assert (
        OutgoingMessage.objects.exclude(kind="acknowledgement").get().kind == "information_request"
    )


def test_a_reply_with_a_photo_goes_to_the_back_office_once(back_office, officer, storage):
    # Given a case the council asked a question about
    case = a_case()
    ask_resident(case, officer, "Can you send a photo?")
    photo = jpeg_bytes()

    # When the resident replies with a photo
    upload = stored_upload(photo, "hole.jpg", storage)
    message = reply(
        case,
        author=None,
        text="Here it is",
        files=[StoredFile(upload["reference"], upload["name"])],
    )

    # Then the case is back in progress, the reply and its file are kept
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert [f.name for f in message.files.all()] == ["hole.jpg"]
    assert message.case_update.public_text_en == "You replied"
    # and one update waits for the back office
    update = OutgoingUpdate.objects.get()
    assert (update.state, update.delivery, update.message) == (
        State.PENDING,
        case.deliveries.get(),
        message,
    )

    # When a worker sends it (twice, as a duplicated task would)
    assert send_update(update.pk).outcome == "delivered"
    assert send_update(update.pk).outcome == "skipped"

    # Then the back office got it once, on the case it holds, with the photo
    [sent] = back_office.updates.values()
    assert (sent.reference, sent.kind, sent.text) == ("CASE-1", "reply", "Here it is")
    assert sent.files == [photo]
    update.refresh_from_db()
    assert (update.state, update.external_id, update.attempts) == (State.DELIVERED, "NOTE-1", 1)
    assert list(update.attempt_set.values_list("outcome", flat=True)) == ["delivered"]


def test_a_reply_is_refused_when_no_question_waits(back_office):
    case = a_case()
    with pytest.raises(Refused):
        reply(case, author=None, text="Hello")
    assert not CaseMessage.objects.exists()
    assert not OutgoingUpdate.objects.exists()
    case.refresh_from_db()
    assert case.status == Status.RECEIVED


def test_one_update_per_back_office_and_none_sent_to_one_that_takes_none(back_office, officer):
    # Given a case delivered to a back office that takes updates and one that does not
    case = a_case(connection_to("talking"), connection_to("silent"))
    ask_resident(case, officer, "Which bin?")

    # When the resident replies
    reply(case, author=None, text="The green one")

    # Then the silent one's update is marked not supported at once, nothing is attempted
    states = dict(OutgoingUpdate.objects.values_list("connection__adapter", "state"))
    assert states == {"talking": State.PENDING, "silent": State.NOT_SUPPORTED}
    silent = OutgoingUpdate.objects.get(connection__adapter="silent")
    assert send_update(silent.pk).outcome == "skipped"
    assert back_office.calls == []


def test_an_update_waits_until_its_case_is_delivered(back_office, officer):
    # Given a case whose delivery has not been made yet
    case = a_case(deliver=False)
    change_status(case, officer, status=Status.NEEDS_INFORMATION, message="Which bin?")
    reply(case, author=None, text="The green one")
    update = OutgoingUpdate.objects.get()

    # Then the update is not sent before the case exists in the back office
    assert send_update(update.pk).outcome == "skipped"
    assert back_office.calls == []

    # When the case is delivered, the update goes, to the case it made
    from services.delivery.engine import attempt_delivery

    attempt_delivery(case.deliveries.get().pk)
    assert send_update(update.pk).outcome == "delivered"
    assert [s.reference for s in back_office.updates.values()] == ["CASE-1"]


def close(case: Submission, officer, status: str = Status.CLOSED_FIXED, days_ago: float = 1):
    change_status(case, officer, status=status, message="Done")
    CaseUpdate.objects.filter(submission=case, portal_status=status).update(
        occurred_at=timezone.now() - timedelta(days=days_ago)
    )
    case.refresh_from_db()


def test_a_resident_says_it_is_not_fixed_and_the_case_reopens(back_office, officer):
    case = a_case()
    close(case, officer)
    assert to_do(case).not_fixed

    message = reopen(case, author=None, kind="not_fixed", text="The hole is still there")

    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert message.case_update.public_text_en == "You told us it is not fixed"
    update = OutgoingUpdate.objects.get()
    send_update(update.pk)
    [sent] = back_office.updates.values()
    assert (sent.kind, sent.text) == ("not_fixed", "The hole is still there")


def test_reopening_is_refused_after_the_window(back_office, officer, settings):
    settings.REOPEN_WITHIN_DAYS = 28
    case = a_case()
    close(case, officer, days_ago=29)
    assert not to_do(case).reopen
    with pytest.raises(Refused):
        reopen(case, author=None, kind="reopen", text="Please look again")
    case.refresh_from_db()
    assert case.status == Status.CLOSED_FIXED
    assert not CaseMessage.objects.exists()


def test_not_fixed_only_for_a_case_closed_as_done(back_office, officer):
    case = a_case()
    close(case, officer, status=Status.CLOSED_NOT_COUNCIL)
    assert to_do(case).reopen
    assert not to_do(case).not_fixed
    with pytest.raises(Refused):
        reopen(case, author=None, kind="not_fixed", text="Still broken")
    reopen(case, author=None, kind="reopen", text="It is the council's")
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
