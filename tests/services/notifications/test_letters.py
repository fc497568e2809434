"""Letters: a resident with neither an e-mail address nor a UK mobile number, whose postal
address is known, is written to by post through GOV.UK Notify, in their language; queued by
tell_resident and sent through the Notify simulator over loopback."""

import re
from collections.abc import Iterator

import pytest

from integrations.simulators.notify import NotifySimulator, demo_templates_setting
from services.delivery.alerts import absolute_url
from services.forms.references import new_reference
from services.messages.send import send_message
from services.models import OutgoingMessage, Submission
from services.notifications.residents import postal_address_of
from services.notifications.tell import tell_resident
from services.staff.status import change_status
from services.submissions import send_acknowledgement
from tests.portal.accounts.factories import UserFactory
from tests.services.delivery_admin.factories import SubmissionFactory
from tests.services.factories import FormVersionFactory
from tests.services.helpers import page, text

pytestmark = pytest.mark.django_db
S = Submission.Status
LANDLINE = "01970 600000"  # a caller the contact centre can ring, but not text
HOME = {
    "uprn": None,
    "line1": "3 Heol y Wig",
    "line2": "",
    "town": "Aberystwyth",
    "postcode": "SY23 2LN",
}
POTHOLE = {
    "uprn": None,
    "line1": "Rhodfa'r Gogledd",
    "line2": "",
    "town": "Aberystwyth",
    "postcode": "SY23 2JH",
}
ADDRESS_LINES = ["Olwen Pritchard", "3 Heol y Wig", "Aberystwyth", "SY23 2LN"]
WELSH_NEWS = "Bydd y criw yn dod ddydd Llun."
# A guest's letter names the page to check progress at, never a signed link to the request.
SIGNED_LINK = re.compile(r"/track/[^/\s]+/")

# A form asking where the problem is and, prefilled from a profile, where the resident lives.
SCHEMA = {
    "pages": [
        page(
            "where",
            {"id": "where", "type": "address", "label": text("Where is it?", "Ble mae e?")},
        ),
        page(
            "you",
            {
                "id": "home",
                "type": "address",
                "label": text("Your address", "Eich cyfeiriad"),
                "prefill": "address",
            },
        ),
    ]
}


@pytest.fixture
def notify(settings) -> Iterator[NotifySimulator]:
    """The Notify simulator on loopback as the outbox's transport, with the generic templates
    (as tests/services/messages/conftest.py sets it up)."""
    from services.messages.notify import _client

    with NotifySimulator() as simulator:
        settings.NOTIFY_API_KEY = simulator.api_key
        settings.NOTIFY_BASE_URL = simulator.url
        settings.NOTIFY_TIMEOUT_SECONDS = 5
        settings.NOTIFY_TEMPLATES = demo_templates_setting()
        yield simulator
    _client.cache_clear()


def a_caller(*, home=HOME, language="cy", **fields):
    """A case an agent made for a Welsh-speaking caller who gave a landline and no e-mail."""
    answers = {"where": POTHOLE, **({"home": home} if home else {})}
    fields = {"user": None, "contact_name": "Olwen Pritchard", "contact_email": "", **fields}
    if "form_version" not in fields:
        fields["form_version"] = FormVersionFactory(schema=SCHEMA)
    return SubmissionFactory(contact_phone=LANDLINE, language=language, answers=answers, **fields)


def queued() -> list[OutgoingMessage]:
    return list(OutgoingMessage.objects.order_by("pk"))


def test_a_caller_with_only_a_landline_gets_their_acknowledgement_by_letter_in_welsh():
    case = a_caller()

    send_acknowledgement(case)

    # One Welsh letter, to their home (not the pothole's address), with the reference in it
    [letter] = queued()
    assert (letter.channel, letter.kind, letter.recipient, letter.language) == (
        "letter",
        "acknowledgement",
        "Olwen Pritchard",
        "cy",
    )
    assert letter.content["address_lines"] == ADDRESS_LINES
    assert letter.content["subject"] == f"{case.service.name}: eich cyfeirnod yw {case.reference}"
    assert case.reference in letter.content["body"]
    assert "Eich cyfeirnod yw:" in letter.content["body"]
    assert "Your reference" not in letter.content["body"]


def test_a_caller_s_acknowledgement_letter_says_where_to_check_progress_with_their_postcode(
    client,
):
    # Given a caller whose acknowledgement went by post
    case = a_caller(language="en", reference=new_reference())
    send_acknowledgement(case)
    [letter] = queued()

    # Then it names the page to check progress at, with the reference and the postcode...
    body = letter.content["body"]
    assert (
        f"your request at {absolute_url('/track/')} with your reference number and postcode" in body
    )
    assert not SIGNED_LINK.search(body)

    # ... and that page, given the two from the letter, shows the request
    postcode = letter.content["address_lines"][-1]
    response = client.post(
        "/track/",
        {"reference": case.reference, "postcode": postcode},
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


def test_a_status_change_reaches_a_welsh_caller_by_a_welsh_letter():
    case = a_caller()

    change_status(case, UserFactory(), status=S.ACTION_SCHEDULED, message=WELSH_NEWS)

    [letter] = queued()
    assert (letter.channel, letter.kind, letter.language) == ("letter", "status_update", "cy")
    assert letter.content["address_lines"] == ADDRESS_LINES
    assert letter.content["subject"] == f"Eich cais {case.reference}: {WELSH_NEWS}"
    body = letter.content["body"]
    assert WELSH_NEWS in body
    assert "Statws: Camau wedi'u trefnu" in body
    assert f"Nodwch eich cyfeirnod, {case.reference}, os byddwch yn cysylltu â ni." in body
    # No signed tracking link: it cannot be typed from paper and may expire in the post; but
    # the page where the reference and postcode find the request
    assert not SIGNED_LINK.search(body)
    assert (
        f"Gallwch wirio cynnydd eich cais yn {absolute_url('/cy/track/')} gyda’ch cyfeirnod" in body
    )
    assert "news about" not in body


@pytest.mark.parametrize("kind", ["information_request", "reminder"])
def test_every_kind_has_a_letter_in_english_too(kind):
    case = a_caller(language="en")

    [letter] = tell_resident(case, kind, {"text": "Send us a photo of the bin, please."})

    assert (letter.channel, letter.language) == ("letter", "en")
    body = letter.content["body"]
    assert "Send us a photo of the bin, please." in body
    assert f"Please quote your reference number, {case.reference}, if you contact us." in body
    assert not SIGNED_LINK.search(body)
    assert (
        f"your request at {absolute_url('/track/')} with your reference number and postcode" in body
    )
    if kind == "information_request":
        assert "Please contact us with your answer." in body


def test_an_account_holders_letter_goes_to_the_address_on_their_profile():
    # Given an account holder with an address on their profile, whose request gave another
    resident = UserFactory(full_name="Dewi Jones", address={**HOME, "line1": "1 Stryd y Bont"})
    case = a_caller(user=resident)

    # Then a letter would be addressed with their name and their profile's address
    assert postal_address_of(case) == ("Dewi Jones", "1 Stryd y Bont", "Aberystwyth", "SY23 2LN")
    # And without an address on their profile, with the request's own-address answer
    resident.address = {}
    assert postal_address_of(case)[:2] == ("Dewi Jones", "3 Heol y Wig")


def test_without_a_name_from_the_agent_the_letter_is_addressed_to_the_name_in_the_form():
    # A form that asked the caller's name; no name typed by an agent
    schema = {
        "pages": [
            *SCHEMA["pages"],
            page(
                "name",
                {
                    "id": "name",
                    "type": "short_text",
                    "label": text("Name", "Enw"),
                    "prefill": "full_name",
                },
            ),
        ]
    }
    case = a_caller(contact_name="", form_version=FormVersionFactory(schema=schema))
    case.answers = {**case.answers, "name": "Dewi Jones"}
    [letter] = tell_resident(case, "reminder", {"text": "x"})
    assert letter.content["address_lines"][0] == "Dewi Jones"


def test_no_letter_goes_to_where_the_problem_is_or_to_an_incomplete_address():
    # Only the pothole's address is known: that is not where the caller lives
    send_acknowledgement(a_caller(home=None))
    # Their own address without a postcode cannot be posted to
    send_acknowledgement(a_caller(home={**HOME, "postcode": ""}))

    assert queued() == []


def test_someone_with_an_email_address_is_never_sent_a_letter():
    case = a_caller(contact_email="olwen@example.org")
    send_acknowledgement(case)
    assert [m.channel for m in queued()] == ["email"]


def test_a_welsh_letter_goes_through_notify_with_its_address_and_welsh_words(notify, settings):
    # Given a Welsh letter about a status change in the outbox
    case = a_caller()
    change_status(case, UserFactory(), status=S.ACTION_SCHEDULED, message=WELSH_NEWS)
    [letter] = queued()

    # When a worker sends it
    assert send_message(letter.pk) == "sent"

    # Then Notify has exactly one letter, with the Welsh letter template, to the caller's home,
    # in Welsh
    (sent,) = notify.notifications
    letter.refresh_from_db()
    assert sent["type"] == "letter"
    assert sent["template"]["id"] == settings.NOTIFY_TEMPLATES["letter"]["default"]["cy"]
    assert letter.template_id == sent["template"]["id"]
    assert sent["reference"] == letter.message_id
    assert [sent[f"line_{n}"] for n in range(1, 5)] == ADDRESS_LINES
    assert sent["line_5"] is None
    assert sent["subject"] == f"Eich cais {case.reference}: {WELSH_NEWS}"
    assert WELSH_NEWS in sent["body"]
    assert "Statws: Camau wedi'u trefnu" in sent["body"]
    assert "Status:" not in sent["body"]


def test_without_notify_a_letter_fails_at_once_as_having_no_transport(settings):
    settings.NOTIFY_API_KEY = ""
    case = a_caller()
    send_acknowledgement(case)
    [letter] = queued()

    assert send_message(letter.pk) == "failed"

    letter.refresh_from_db()
    assert letter.last_error == "No transport for letter messages (GOV.UK Notify is not set up)"
