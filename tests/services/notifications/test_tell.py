"""tell_resident: one message per chosen channel, in the resident's language, in the outbox."""

import pytest

from services.models import Draft, NotificationPreference, OutgoingMessage, Submission
from services.notifications.preferences import (
    remember_first_language,
    save_preferences,
)
from services.notifications.tell import tell_resident
from services.staff.status import change_status
from services.submissions import send_acknowledgement, submit_draft
from services.updates.apply import apply_updates
from tests.portal.accounts.factories import UserFactory
from tests.services.delivery_admin.factories import SubmissionFactory
from tests.services.factories import FormVersionFactory
from tests.services.updates.helpers import case_sent_to, connection_with_mappings, update

pytestmark = pytest.mark.django_db
S = Submission.Status
MOBILE = "+447700900982"
ASKED = "Send us a photo of the bin, please."


def prefer(user, **choices):
    for kind, channel in choices.items():
        NotificationPreference.objects.create(user=user, kind=kind, channel=channel)


def queued():
    return list(OutgoingMessage.objects.order_by("pk"))


def test_a_resident_with_no_choices_is_emailed_in_the_language_of_their_request():
    # Given a resident who has chosen nothing, and a request made in Welsh
    resident = UserFactory(email="dewi@example.org")
    case = SubmissionFactory(user=resident, contact_email=resident.email, language="cy")

    # When they are asked for information
    [message] = tell_resident(case, "information_request", {"text": ASKED})

    # Then one Welsh e-mail goes to their account's address, with the council's words in it
    assert (message.channel, message.recipient, message.language) == (
        "email",
        "dewi@example.org",
        "cy",
    )
    assert message.content["subject"] == (
        f"Eich cais {case.reference}: mae angen rhagor o wybodaeth arnom"
    )
    assert ASKED in message.content["body"]
    assert f"/cy/account/requests/{case.reference}/" in message.content["body"]


def test_a_welsh_speaker_who_chose_sms_gets_a_welsh_text_when_staff_change_the_status():
    # Given a resident who chose Welsh and text messages, with a UK mobile, whose request was
    # made in English
    resident = UserFactory(email="olwen@example.org", phone=MOBILE, language="cy")
    prefer(resident, status_update="sms")
    case = SubmissionFactory(user=resident, contact_email=resident.email, language="en")
    agent = UserFactory()

    # When a member of staff moves the case on
    change_status(case, agent, status=S.ACTION_SCHEDULED, message="Bydd y criw yn dod ddydd Llun.")

    # Then one Welsh text message is waiting in the outbox, body only, and no e-mail
    [message] = queued()
    assert (message.kind, message.channel, message.recipient, message.language) == (
        "status_update",
        "sms",
        MOBILE,
        "cy",
    )
    assert set(message.content) == {"body"}
    body = message.content["body"]
    assert f"newyddion am eich cais {case.reference}: Bydd y criw yn dod ddydd Llun." in body
    assert "Statws: Camau wedi'u trefnu" in body
    assert "news about" not in body


def test_both_means_an_email_and_a_text_each_in_the_residents_language():
    resident = UserFactory(phone="07912 345678", language="en")
    prefer(resident, reminder="both")
    case = SubmissionFactory(user=resident, contact_email=resident.email, language="cy")

    messages = tell_resident(case, "reminder", {"text": "We are still waiting for your photo."})

    assert [(m.channel, m.language) for m in messages] == [("email", "en"), ("sms", "en")]
    assert messages[1].recipient == "+447912345678"
    assert messages[0].content["subject"] == f"Reminder about your request {case.reference}"


def test_a_resident_who_chose_none_for_status_changes_is_not_told():
    resident = UserFactory()
    prefer(resident, status_update="none")
    case = SubmissionFactory(user=resident, contact_email=resident.email)

    change_status(case, UserFactory(), status=S.IN_PROGRESS, message="On it.")

    assert queued() == []


def test_a_guest_is_written_to_at_their_requests_address_in_its_language():
    case = SubmissionFactory(user=None, contact_email="guest@example.org", language="cy")

    send_acknowledgement(case)

    [message] = queued()
    assert (message.channel, message.recipient, message.language) == (
        "email",
        "guest@example.org",
        "cy",
    )
    assert message.content["subject"].endswith(f"eich cyfeirnod yw {case.reference}")
    assert "/cy/track/" in message.content["body"]


def test_a_caller_who_gave_only_a_mobile_gets_the_acknowledgement_by_text():
    case = SubmissionFactory(
        user=None, contact_email="", contact_phone="07700 900123", language="en"
    )

    send_acknowledgement(case)

    [message] = queued()
    assert (message.channel, message.recipient) == ("sms", "+447700900123")
    assert f"Your reference number is {case.reference}." in message.content["body"]


def test_a_caller_who_gave_only_a_landline_gets_no_message():
    case = SubmissionFactory(user=None, contact_email="", contact_phone="0121 496 0000")

    send_acknowledgement(case)

    assert queued() == []


def test_an_unknown_kind_is_a_programming_error():
    case = SubmissionFactory()
    with pytest.raises(ValueError, match="no message templates"):
        tell_resident(case, "newsletter")


def test_the_first_request_sets_the_language_and_a_later_one_does_not_change_it():
    resident = UserFactory()
    assert remember_first_language(resident, "cy") is True
    assert remember_first_language(resident, "en") is False
    resident.refresh_from_db()
    assert resident.language == "cy"


@pytest.mark.parametrize(
    ("choices", "language", "refusal"),
    [
        (
            {"status_update": "sms", "information_request": "email", "reminder": "email"},
            "en",
            "not offered",
        ),
        (
            {"status_update": "email", "information_request": "none", "reminder": "email"},
            "en",
            "not offered",
        ),
        ({"status_update": "email", "information_request": "email"}, "en", "every kind"),
        (
            {"status_update": "email", "information_request": "email", "reminder": "email"},
            "fr",
            "not a language",
        ),
    ],
    ids=["sms-without-mobile", "none-for-information", "a-kind-missing", "unknown-language"],
)
def test_saving_a_choice_the_rules_do_not_offer_changes_nothing(choices, language, refusal):
    resident = UserFactory(phone="0121 496 0000")
    with pytest.raises(ValueError, match=refusal):
        save_preferences(resident, choices, language)
    resident.refresh_from_db()
    assert (resident.language, NotificationPreference.objects.count()) == ("", 0)


def test_a_back_office_update_reaches_a_welsh_speaker_by_text_in_welsh():
    # Given a Welsh-speaking resident who chose text messages, their case at a back office
    resident = UserFactory(phone=MOBILE, language="cy")
    prefer(resident, status_update="sms")
    connection = connection_with_mappings()
    case = case_sent_to(connection, "HW-7", user=resident, contact_email="", language="en")

    # When the back office reports that a crew is booked
    apply_updates(connection, [update("u-1", "HW-7", "SCHEDULED")], "poll")

    # Then the text is the mapping's Welsh sentence, in a Welsh message
    [message] = queued()
    assert (message.channel, message.language) == ("sms", "cy")
    assert (
        f"newyddion am eich cais {case.reference}: Mae criw wedi'i drefnu"
        in (message.content["body"])
    )


def test_a_residents_first_request_sets_their_language_and_a_later_one_keeps_it():
    # Given a resident who has never chosen a language
    resident = UserFactory()
    version = FormVersionFactory()
    version.publish()

    def send(language):
        draft = Draft.objects.create(
            form_version=version, user=resident, answers={"bin_type": "garden"}
        )
        return submit_draft(draft, user=resident, contact_email=resident.email, language=language)

    # When their first request is made in Welsh, and a later one in English
    first = send("cy")
    second = send("en")

    # Then Welsh is their language, and both acknowledgements are in it
    resident.refresh_from_db()
    assert resident.language == "cy"
    acknowledgements = OutgoingMessage.objects.filter(kind="acknowledgement").order_by("pk")
    assert [(m.language, m.content["subject"]) for m in acknowledgements] == [
        ("cy", f"{first.service.name}: eich cyfeirnod yw {first.reference}"),
        ("cy", f"{second.service.name}: eich cyfeirnod yw {second.reference}"),
    ]
