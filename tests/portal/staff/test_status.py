"""Changing a case's status from the workspace, with a message the resident reads."""

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from services.models import CaseUpdate, NotificationPreference, OutgoingMessage, Submission
from services.staff.status import change_status
from services.updates.apply import apply_updates
from tests.portal.accounts.factories import UserFactory
from tests.portal.staff.conftest import signed_in
from tests.services.delivery_admin.factories import DeliveryFactory, DestinationFactory
from tests.services.updates.helpers import connection_with_mappings, update

pytestmark = pytest.mark.django_db
S = Submission.Status


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def change(client, case, **data):
    url = reverse("staff:case_status", args=[case.reference])
    return client.post(url, {"note": "", **data}, follow=True)


def test_an_agent_changes_the_status_and_the_welsh_resident_is_told_in_welsh(
    waste_agent, make_case, mail_through_celery
):
    # Given a case sent by a resident who uses the portal in Welsh
    resident = UserFactory(email="olwen@example.org")
    case = make_case(user=resident, language="cy")
    client = signed_in(waste_agent)
    page = client.get(reverse("staff:case_status", args=[case.reference]))
    assert page.status_code == 200
    assert "uses the portal in Welsh" in text_of(page)

    # When the agent moves it on with a message and an internal note
    response = change(
        client,
        case,
        status=S.ACTION_SCHEDULED,
        message="Bydd y criw yn dod ddydd Llun.",
        note="Crew lead agreed by phone",
    )

    # Then one staff update records who did it, and the case has its new status
    assert response.redirect_chain[-1][0] == reverse("staff:case_timeline", args=[case.reference])
    made = CaseUpdate.objects.get()
    assert (made.source, made.changed_by, made.connection) == ("staff", waste_agent, None)
    assert (made.portal_status, made.applied, made.outcome) == (S.ACTION_SCHEDULED, True, "applied")
    case.refresh_from_db()
    assert case.status == S.ACTION_SCHEDULED
    # And the staff timeline shows it, with the note only staff see
    text = text_of(response)
    assert "Status changed to ‘Action scheduled’. The resident has been told." in text
    assert "Status changed to Action scheduled by Wendy Waste" in text
    assert "Message to the resident: Bydd y criw yn dod ddydd Llun." in text
    assert "Internal note: Crew lead agreed by phone" in text
    # And the resident is e-mailed once, in Welsh, with the message
    [email] = mail_through_celery
    assert email.to == ["olwen@example.org"]
    assert "Bydd y criw yn dod ddydd Llun." in email.body
    assert OutgoingMessage.objects.get().language == "cy"
    assert "Statws" in email.body  # the Welsh template around the message
    # And the resident's own case page shows the message but never the internal note
    own_page = signed_in(resident).get(reverse("dashboard:submission", args=[case.reference]))
    assert "Bydd y criw yn dod ddydd Llun." in own_page.content.decode()
    assert "Crew lead agreed" not in own_page.content.decode()


def test_the_agent_is_told_when_the_resident_gets_no_message_about_the_change(
    waste_agent, make_case
):
    # Given a resident who chose no messages about status changes
    resident = UserFactory(email="quiet@example.org")
    NotificationPreference.objects.create(
        user=resident,
        kind=NotificationPreference.Kind.STATUS_UPDATE,
        channel=NotificationPreference.Choice.NONE,
    )
    case = make_case(user=resident)

    # When an agent changes the status
    response = change(signed_in(waste_agent), case, status=S.IN_PROGRESS, message="On its way.")

    # Then nothing is sent, and the agent is not told that the resident was
    assert not OutgoingMessage.objects.exists()
    text = text_of(response)
    assert "The resident has been told" not in text
    assert "The resident gets no messages about this" in text


def test_a_status_change_returns_the_messages_it_queued_for_the_resident(waste_agent, make_case):
    # Given a case sent by a resident with an e-mail address, and one by a resident who chose
    # no messages about status changes
    told = make_case(user=UserFactory(email="told@example.org"))
    quiet_resident = UserFactory(email="quiet@example.org")
    NotificationPreference.objects.create(
        user=quiet_resident,
        kind=NotificationPreference.Kind.STATUS_UPDATE,
        channel=NotificationPreference.Choice.NONE,
    )
    quiet = make_case(user=quiet_resident)

    # When an agent changes the status of each
    sent = change_status(told, waste_agent, status=S.IN_PROGRESS, message="On its way.")
    unsent = change_status(quiet, waste_agent, status=S.IN_PROGRESS, message="On its way.")

    # Then each says what it queued: the one e-mail in the outbox, or nothing
    assert sent.queued == list(OutgoingMessage.objects.filter(submission=told))
    assert [m.recipient for m in sent.queued] == ["told@example.org"]
    assert sent.resident_told
    assert (unsent.queued, unsent.resident_told) == ([], False)
    assert sent.update == CaseUpdate.objects.get(submission=told)


def test_the_agent_is_told_the_resident_was_sent_the_question_when_the_case_needs_their_reply(
    waste_agent, make_case
):
    # Given a resident who chose no messages about status changes, which a question is not
    resident = UserFactory(email="asked@example.org")
    NotificationPreference.objects.create(
        user=resident,
        kind=NotificationPreference.Kind.STATUS_UPDATE,
        channel=NotificationPreference.Choice.NONE,
    )
    case = make_case(user=resident)

    # When an agent sets it to "needs your reply" with a question
    response = change(
        signed_in(waste_agent), case, status=S.NEEDS_INFORMATION, message="Which bin?"
    )

    # Then the question is queued to them, and the agent is told so
    assert OutgoingMessage.objects.get().kind == "information_request"
    assert "The resident has been told." in text_of(response)


def test_a_guest_is_told_at_the_address_they_gave(waste_agent, make_case, mail_through_celery):
    case = make_case(user=None, contact_email="guest@example.org")

    change(signed_in(waste_agent), case, status=S.CLOSED_FIXED, message="Collected today.")

    [email] = mail_through_celery
    assert email.to == ["guest@example.org"]
    assert "Collected today." in email.body


def test_staff_may_reopen_a_closed_case(waste_agent, make_case):
    case = make_case(status=S.CLOSED_FIXED)

    change(signed_in(waste_agent), case, status=S.IN_PROGRESS, message="We are looking again.")

    case.refresh_from_db()
    assert case.status == S.IN_PROGRESS


def test_a_back_office_update_older_than_the_staff_change_does_not_undo_it(waste_agent, make_case):
    # Given a case sent to a back office, whose status an agent then changes
    connection = connection_with_mappings()
    case = make_case()
    DeliveryFactory(
        submission=case,
        destination=DestinationFactory(connection=connection),
        external_reference="HW-9",
        state="delivered",
    )
    change(signed_in(waste_agent), case, status=S.CLOSED_FIXED, message="Done.")

    # When an update the back office made before that arrives late
    stale = replace(update("U1", "HW-9", "OPEN"), occurred_at=timezone.now() - timedelta(hours=1))
    apply_updates(connection, [stale], CaseUpdate.Source.POLL)

    # Then the same ordering rule keeps the agent's status
    case.refresh_from_db()
    assert case.status == S.CLOSED_FIXED
    assert CaseUpdate.objects.get(update_id="U1").outcome == CaseUpdate.Outcome.OUT_OF_ORDER


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"message": "Hello"}, "Select the new status"),
        ({"status": "lost", "message": "Hello"}, "Select the new status"),
        ({"status": S.IN_PROGRESS}, "Enter a message to the resident"),
        ({"status": S.IN_PROGRESS, "message": "   "}, "Enter a message to the resident"),
        ({"status": S.IN_PROGRESS, "message": "x" * 301}, "300 characters or fewer"),
        ({"status": S.IN_PROGRESS, "message": "a\x00b"}, "Remove the special characters"),
        ({"status": S.IN_PROGRESS, "message": "Hi", "note": "x" * 2001}, "2000 characters"),
        ({"status": S.IN_PROGRESS, "message": "Hi", "note": "a\x07b"}, "from the note"),
        ({"status": S.RECEIVED, "message": "Hi"}, "The case is already ‘Received’"),
    ],
)
def test_bad_input_gets_a_clear_error_and_changes_nothing(
    waste_agent, waste_case, mail_through_celery, data, error
):
    response = signed_in(waste_agent).post(
        reverse("staff:case_status", args=[waste_case.reference]), data
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error:" in html
    assert error in text_of(response)
    summary = re.search(r"govuk-error-summary.*?</ul>", html, re.S)
    assert summary
    for anchor in re.findall(r'href="#([^"]+)"', summary.group(0)):
        assert f'id="{anchor}"' in html, anchor
    assert not CaseUpdate.objects.exists()
    waste_case.refresh_from_db()
    assert waste_case.status == S.RECEIVED
    assert mail_through_celery == []


def test_the_message_box_counts_characters_without_cutting_words_off(waste_agent, waste_case):
    html = (
        signed_in(waste_agent)
        .get(reverse("staff:case_status", args=[waste_case.reference]))
        .content.decode()
    )

    box = re.search(r"<textarea[^>]*name=\"message\"[^>]*>", html)
    assert box
    assert "maxlength" not in box.group(0)
    assert 'data-module="govuk-character-count" data-maxlength="300"' in html
    assert "You can enter up to 300 characters" in html


def test_a_supervisor_outside_their_teams_gives_a_reason_before_changing_anything(
    supervisor, streets_case
):
    response = signed_in(supervisor).post(
        reverse("staff:case_status", args=[streets_case.reference]),
        {"status": S.IN_PROGRESS, "message": "Hi"},
    )

    assert response["Location"] == reverse("staff:case_reason", args=[streets_case.reference])
    assert not CaseUpdate.objects.exists()
