"""Submit for a resident: an agent fills a service's form in for a caller, through the
resident's own journey, and the case is recorded, routed and acknowledged as theirs."""

import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from portal.accounts.roles import AGENT, SUPERVISOR
from services.models import (
    AccessLog,
    Delivery,
    Destination,
    Draft,
    OutgoingMessage,
    RoutingRule,
    RoutingRuleSet,
    Submission,
    Team,
)
from services.routing import mapping_context_for
from services.routing.conditions import validate_condition
from tests.portal.accounts.factories import UserFactory
from tests.portal.journey.helpers import answer, page_id, text_of
from tests.portal.staff.conftest import signed_in, with_mfa
from tests.services.seeding import nothing_queued, seed_live_catalogue

pytestmark = pytest.mark.django_db

BINS = "request-replacement-bin"
BULKY = "book-bulky-waste"  # residents must sign in to use it
POTHOLE = "report-pothole"
ON_THE_PHONE = {"service": BINS, "channel": "phone", "language": "en"}


@pytest.fixture(autouse=True)
def mail(mail_through_celery):
    return mail_through_celery


@pytest.fixture
def catalogue(db, monkeypatch):
    """The seeded services, live and routed as `make run` leaves them (conftest's teams use it)."""
    nothing_queued(monkeypatch)
    return {service.slug: service for service in seed_live_catalogue()}


@pytest.fixture
def bins_team(catalogue):
    team = Team.objects.create(name="Bins")
    team.services.add(catalogue[BINS], catalogue[BULKY])
    return team


@pytest.fixture
def agent(bins_team):
    person = with_mfa(UserFactory(roles=[AGENT], full_name="Alex Agent"))
    bins_team.members.add(person)
    return person


@pytest.fixture
def roads_agent(catalogue):
    team = Team.objects.create(name="Roads")
    team.services.add(catalogue[POTHOLE])
    person = with_mfa(UserFactory(roles=[AGENT], full_name="Rhod Roads"))
    team.members.add(person)
    return person


@pytest.fixture
def resident(db):
    return UserFactory(
        full_name="Olwen Pritchard",
        email="olwen@example.org",
        phone="+447700900982",
        address={
            "uprn": "",
            "line1": "6 Mill Lane",
            "line2": "",
            "town": "Middlehampton",
            "postcode": "ZZ99 1AB",
        },
    )


def chosen(service=BINS, channel="phone", language="en") -> str:
    return urlencode({"service": service, "channel": channel, "language": language})


def act_for_resident(client, person, **choices: str) -> str:
    """Pick `person` for a form; returns the first journey page's URL."""
    url = f"{reverse('staff:assist_resident')}?{chosen(**choices)}"
    response = client.post(url, {"resident": person.pk})
    assert response.status_code == 302, text_of(response)
    return response["Location"]


def act_for_caller(client, details: dict[str, str], **choices: str) -> str:
    url = f"{reverse('staff:assist_caller')}?{chosen(**choices)}"
    response = client.post(url, details)
    assert response.status_code == 302, text_of(response)
    return response["Location"]


def replacement_bin_answers(client, first_page: str) -> str:
    """Answer the replacement-bin form as the journey asks it; returns check-your-answers."""
    url = answer(
        client,
        first_page,
        {
            "bin_address-mode": "manual",
            "bin_address-line1": "6 Mill Lane",
            "bin_address-town": "Middlehampton",
            "bin_address-postcode": "ZZ99 1AB",
        },
    )
    url = answer(client, url, {"bin_type": "general"})
    url = answer(client, url, {"reason": "lost"})
    assert page_id(url) == "check-your-answers"
    return url


def draft_of(url: str) -> Draft:
    match = re.search(r"/([0-9a-f-]{36})/", url)
    assert match, url
    return Draft.objects.get(pk=match.group(1))


# --- Choosing the service, the channel and the language --------------------------------------


def test_an_agent_is_offered_only_the_live_services_their_teams_cover(agent):
    html = signed_in(agent).get(reverse("staff:assist")).content.decode()
    assert "Request a replacement bin" in html
    assert "Book a bulky waste collection" in html
    assert "Report a pothole" not in html
    assert "Face to face" in html
    assert "Welsh (Cymraeg)" in html


def test_a_service_of_another_team_or_junk_choices_get_a_clear_error(agent):
    client = signed_in(agent)
    for junk in (
        {"service": POTHOLE, "channel": "phone", "language": "en"},
        {"service": "no-such-service", "channel": "web", "language": "fr"},
    ):
        response = client.get(reverse("staff:assist"), junk)
        assert response.status_code == 200
        text = text_of(response)
        assert text.startswith("Error: ")
        assert "Select a service from the list" in text
    assert "Select how the resident is in touch" in text
    assert "Select the language to write to them in" in text
    # And the later steps send a tampered link back to the first, starting nothing
    response = client.get(reverse("staff:assist_caller"), {"service": POTHOLE})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:assist"))
    assert client.post(f"{reverse('staff:assist_caller')}?service={POTHOLE}").status_code == 302
    assert not Draft.objects.exists()


def test_valid_choices_lead_on_to_whom_the_agent_acts_for(agent):
    response = signed_in(agent).get(
        reverse("staff:assist"), {**ON_THE_PHONE, "channel": "in_person", "language": "cy"}
    )
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('staff:assist_resident')}?{chosen(channel='in_person', language='cy')}"
    )


# --- Whom the agent acts for -------------------------------------------------------------------


def test_the_agent_finds_a_resident_by_name_email_or_phone_and_each_shown_is_audited(
    agent, resident
):
    # Given another resident and a member of staff with a like name
    UserFactory(full_name="Gareth Jones")
    with_mfa(UserFactory(roles=[SUPERVISOR], full_name="Olwen Staff"))
    client = signed_in(agent)
    url = reverse("staff:assist_resident")
    for typed in ("olwen", "OLWEN@example.org", "07700 900982"):
        # When the agent searches
        response = client.get(url, {**ON_THE_PHONE, "q": typed})
        # Then only the resident is listed, never staff
        text = text_of(response)
        assert "1 resident found" in text, typed
        assert "Olwen Pritchard" in text
        assert "Olwen Staff" not in text
    # And every listing of the resident was recorded
    assert (
        AccessLog.objects.filter(
            actor=agent, subject=resident, where="staff:assist_residents"
        ).count()
        == 3
    )
    # Text that names nobody finds nobody (and records nothing)
    response = client.get(url, {**ON_THE_PHONE, "q": "zz"})
    assert "0 residents found" in text_of(response)
    assert AccessLog.objects.count() == 3


def test_picking_a_resident_starts_their_form_prefilled_and_is_audited(agent, resident):
    client = signed_in(agent)
    first = act_for_resident(client, resident, language="cy")

    draft = draft_of(first)
    assert (draft.user, draft.created_by, draft.channel, draft.language) == (
        resident,
        agent,
        "phone",
        "cy",
    )
    # "Tell us once": the address question starts from the resident's account
    assert draft.answers["bin_address"]["line1"] == "6 Mill Lane"
    assert AccessLog.objects.filter(
        actor=agent, subject=resident, where="staff:assist_resident_picked"
    ).exists()


def test_a_staff_account_or_a_made_up_id_cannot_be_picked(agent, resident):
    supervisor = with_mfa(UserFactory(roles=[SUPERVISOR]))
    url = f"{reverse('staff:assist_resident')}?{chosen()}"
    for tampered in (supervisor.pk, 10**9, "x"):
        response = signed_in(agent).post(url, {"resident": tampered})
        assert response.status_code == 200
        assert "Select the resident you are acting for" in text_of(response)
    assert not Draft.objects.exists()


def test_a_caller_without_an_account_needs_a_name_and_a_way_to_reach_them(agent):
    client = signed_in(agent)
    url = f"{reverse('staff:assist_caller')}?{chosen()}"
    response = client.post(url, {"full_name": "", "email": "", "phone": ""})
    text = text_of(response)
    assert "Enter the caller’s full name" in text
    assert "Enter an email address, a phone number or a postal address" in text
    response = client.post(url, {"full_name": "Ifan Bach", "email": "nope", "phone": "12"})
    text = text_of(response)
    assert "Enter an email address in the correct format" in text
    assert "Enter a telephone number, like 01632 960 001" in text
    assert not Draft.objects.exists()

    first = act_for_caller(client, {"full_name": " Ifan  Bach ", "phone": "07700 900123"})
    draft = draft_of(first)
    assert draft.user is None
    assert (draft.contact_name, draft.guest_email, draft.contact_phone) == (
        "Ifan Bach",
        "",
        "+447700900123",
    )


# --- The resident's journey, framed for the agent ----------------------------------------------


def test_every_journey_page_says_whom_the_agent_acts_for_with_a_way_to_stop(agent, resident):
    client = signed_in(agent)
    first = act_for_resident(client, resident)

    for url in (first, replacement_bin_answers(client, first)):
        html = client.get(url).content.decode()
        bar = re.search(r'<section class="moj-identity-bar".*?</section>', html, re.S)
        assert bar, url
        assert "Acting for <strong>Olwen Pritchard</strong>" in bar.group(0)
        assert "By phone (contact centre)" in bar.group(0)
        assert reverse("staff:assist_stop", args=[draft_of(first).pk]) in bar.group(0)
        assert "Save and come back later" not in html
        assert "Your email address" not in html  # the resident's own address is used


def test_the_journey_checks_the_agents_answers_as_it_checks_a_residents(agent, resident):
    client = signed_in(agent)
    first = act_for_resident(client, resident)
    url = answer(
        client,
        first,
        {
            "bin_address-mode": "manual",
            "bin_address-line1": "6 Mill Lane",
            "bin_address-town": "Middlehampton",
            "bin_address-postcode": "ZZ99 1AB",
        },
    )
    response = client.post(url, {"bin_type": "not-a-bin"})
    assert response.status_code == 200
    assert "There is a problem" in text_of(response)


def test_only_the_agent_who_started_it_may_use_the_draft_while_in_the_team(
    agent, roads_agent, resident, bins_team
):
    first = act_for_resident(signed_in(agent), resident)
    other_bins_agent = with_mfa(UserFactory(roles=[AGENT]))
    bins_team.members.add(other_bins_agent)
    for someone in (roads_agent, other_bins_agent, resident):
        assert signed_in(someone).get(first).status_code == 404
    # Nor is it in the resident's own account, to be continued there
    assert "Request a replacement bin" not in text_of(
        signed_in(resident).get(reverse("dashboard:home"))
    )
    # And an agent who leaves the team loses it
    bins_team.members.remove(agent)
    assert signed_in(agent).get(first).status_code == 404


def test_save_for_later_is_not_offered_to_an_agent(agent, resident):
    client = signed_in(agent)
    draft = draft_of(act_for_resident(client, resident))
    save = reverse("journey:save", kwargs={"slug": BINS, "draft_id": draft.pk})
    assert client.post(save, {"step": "email", "contact_email": "x@example.org"}).status_code == 404


# --- Sending ------------------------------------------------------------------------------------


def test_a_resident_picked_gets_the_case_routed_and_acknowledged_in_their_language(
    agent, resident, mail
):
    client = signed_in(agent)
    check = replacement_bin_answers(client, act_for_resident(client, resident, language="cy"))

    response = client.post(check)

    submission = Submission.objects.get()
    assert response["Location"] == reverse("staff:assist_sent", args=[submission.reference])
    assert (submission.user, submission.submitted_by, submission.channel) == (
        resident,
        agent,
        "phone",
    )
    assert (submission.contact_email, submission.language) == ("olwen@example.org", "cy")
    # Routed and delivered exactly like a web submission: a decision, a delivery per destination
    assert submission.routing_decision["destinations"]
    assert Delivery.objects.filter(submission=submission).count() == len(
        submission.routing_decision["destinations"]
    )
    # The acknowledgement went to the resident, in Welsh, linking to their Welsh account page
    assert [m.to for m in mail] == [["olwen@example.org"]]
    assert mail[0].subject.endswith(f"eich cyfeirnod yw {submission.reference}")
    assert "/cy/account/" in mail[0].body
    assert not Draft.objects.exists()


def test_the_agent_reads_the_reference_out_from_the_confirmation(agent, resident):
    client = signed_in(agent)
    check = replacement_bin_answers(client, act_for_resident(client, resident))
    sent = client.post(check)["Location"]

    response = client.get(sent)

    submission = Submission.objects.get()
    text = text_of(response)
    assert "Request sent" in text
    assert f"Read Olwen Pritchard their reference number {submission.reference}" in text
    assert "We have emailed the reference to olwen@example.org , in English." in text
    assert AccessLog.objects.filter(
        actor=agent, submission=submission, where="staff:assist_sent"
    ).exists()
    # A second click on "send" ends on the same page, and sends nothing more
    again = client.post(check, follow=True)
    assert again.redirect_chain[-1][0] == sent
    assert Submission.objects.count() == 1


def test_a_caller_without_an_account_or_email_is_recorded_by_name_and_phone(agent, mail):
    client = signed_in(agent)
    first = act_for_caller(
        client, {"full_name": "Ifan Bach", "phone": "07700 900123"}, channel="in_person"
    )
    client.post(replacement_bin_answers(client, first))

    submission = Submission.objects.get()
    assert submission.user is None
    assert (submission.contact_name, submission.contact_phone, submission.contact_email) == (
        "Ifan Bach",
        "+447700900123",
        "",
    )
    assert (submission.channel, submission.submitted_by) == ("in_person", agent)
    assert mail == []  # no address, no acknowledgement
    # The workspace's search finds the case by the caller's name and number
    for typed in ("ifan bach", "07700900123"):
        html = client.get(reverse("staff:home"), {"q": typed}).content.decode()
        assert reverse("staff:case", args=[submission.reference]) in html, typed


def test_a_caller_with_only_a_landline_gets_the_acknowledgement_by_letter_at_their_address(
    agent, mail
):
    # Given a caller who gives a landline and no e-mail address, in Welsh
    client = signed_in(agent)
    first = act_for_caller(
        client, {"full_name": "Ifan Bach", "phone": "01632 960000"}, language="cy"
    )

    # When the agent sends the replacement-bin request, which asks for the caller's address
    client.post(replacement_bin_answers(client, first))

    # Then the acknowledgement waits in the outbox as a Welsh letter to that address
    submission = Submission.objects.get()
    [letter] = OutgoingMessage.objects.filter(submission=submission)
    assert (letter.channel, letter.kind, letter.language, letter.recipient) == (
        "letter",
        "acknowledgement",
        "cy",
        "Ifan Bach",
    )
    assert letter.content["address_lines"] == [
        "Ifan Bach",
        "6 Mill Lane",
        "Middlehampton",
        "ZZ99 1AB",
    ]
    assert submission.reference in letter.content["body"]
    assert "Eich cyfeirnod yw:" in letter.content["body"]
    assert mail == []


def test_routing_and_the_back_office_see_the_channel_and_the_callers_details(agent, catalogue):
    # Given a rule that sends face-to-face requests for a replacement bin to the front desk
    rule_set = RoutingRuleSet.objects.get(form__service=catalogue[BINS])
    fallback = rule_set.destinations.get(rule=None)
    assert validate_condition({"channel": ["in_person"]}, None) == []
    desk = RoutingRule.objects.create(
        rule_set=rule_set, order=0, name="Front desk", condition={"channel": ["in_person"]}
    )
    Destination.objects.create(
        rule_set=rule_set, rule=desk, name="Front desk team", connection=fallback.connection
    )
    client = signed_in(agent)

    # When an agent sends one for a caller at the desk, and one for a caller on the phone
    for channel in ("in_person", "phone"):
        first = act_for_caller(
            client, {"full_name": "Ifan Bach", "phone": "07700 900123"}, channel=channel
        )
        client.post(replacement_bin_answers(client, first))

    # Then only the face-to-face one matched the rule, and its delivery went there
    at_desk, on_phone = Submission.objects.order_by("created_at", "id")
    assert at_desk.routing_decision["destinations"] == ["Front desk team"]
    assert "Rule ‘Front desk’ matched: channel is in_person" in at_desk.routing_decision["reasons"]
    assert at_desk.deliveries.get().destination.name == "Front desk team"
    assert on_phone.routing_decision["destinations"] == [fallback.name]
    # And a destination's mapping reads the channel and the caller as typed
    context = mapping_context_for(at_desk)
    assert context.meta["channel"] == "in_person"
    assert (context.profile["full_name"], context.profile["phone"]) == (
        "Ifan Bach",
        "+447700900123",
    )


def test_a_typed_callers_email_gets_the_acknowledgement(agent, mail):
    client = signed_in(agent)
    first = act_for_caller(client, {"full_name": "Ifan Bach", "email": "ifan@example.org"})
    client.post(replacement_bin_answers(client, first))
    submission = Submission.objects.get()
    assert (submission.user, submission.contact_email) == (None, "ifan@example.org")
    assert [m.to for m in mail] == [["ifan@example.org"]]


def test_a_service_that_needs_an_account_does_not_block_an_agent(agent, catalogue):
    assert not catalogue[BULKY].allow_guests
    first = act_for_caller(
        signed_in(agent), {"full_name": "Ifan Bach", "email": "ifan@example.org"}, service=BULKY
    )
    response = signed_in(agent).get(first)
    assert response.status_code == 200
    assert "Acting for <strong>Ifan Bach</strong>" in response.content.decode()


# --- Stopping, and the confirmation's access ---------------------------------------------------


def test_stopping_throws_the_draft_away_and_sends_nothing(agent, roads_agent, resident):
    client = signed_in(agent)
    draft = draft_of(act_for_resident(client, resident))
    stop = reverse("staff:assist_stop", args=[draft.pk])
    assert signed_in(roads_agent).post(stop).status_code == 404  # not theirs
    assert Draft.objects.filter(pk=draft.pk).exists()

    response = client.post(stop, follow=True)

    assert "You stopped acting for Olwen Pritchard. Nothing was sent." in text_of(response)
    assert not Draft.objects.exists()
    assert not Submission.objects.exists()


def test_only_the_agent_who_sent_it_sees_the_confirmation(agent, resident, bins_team):
    client = signed_in(agent)
    sent = client.post(replacement_bin_answers(client, act_for_resident(client, resident)))[
        "Location"
    ]
    colleague = with_mfa(UserFactory(roles=[AGENT]))
    bins_team.members.add(colleague)
    assert signed_in(colleague).get(sent).status_code == 404
    assert client.get(reverse("staff:assist_sent", args=["not a reference"])).status_code == 404


def test_a_supervisor_may_assist_with_any_service(catalogue):
    boss = with_mfa(UserFactory(roles=[SUPERVISOR]))
    html = signed_in(boss).get(reverse("staff:assist")).content.decode()
    assert "Report a pothole" in html
    assert "Request a replacement bin" in html


# --- A caller reachable only by post -----------------------------------------------------------

POSTAL_CALLER = {
    "full_name": "Gwen Post",
    "address-mode": "manual",
    "address-line1": "12 Chapel Row",
    "address-town": "Middlehampton",
    "address-postcode": "zz99 1ab",
}


def test_a_caller_with_no_way_to_reach_them_is_told_what_is_needed_and_nothing_starts(agent):
    client = signed_in(agent)
    url = f"{reverse('staff:assist_caller')}?{chosen()}"

    response = client.post(url, {"full_name": "Gwen Post", "address-mode": "lookup"})

    assert response.status_code == 200
    html = response.content.decode()
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S)
    assert summary, html
    # The one error, in the summary, links to the first of the three ways to reach them
    assert (
        '<a href="#id_email">Enter an email address, a phone number or a postal address</a>'
        in summary.group(0)
    )
    assert 'id="id_email-error"' in html
    assert not Draft.objects.exists()


def test_a_caller_who_gives_only_a_postal_address_starts_the_form_with_it_prefilled(agent):
    client = signed_in(agent)

    first = act_for_caller(client, POSTAL_CALLER, channel="in_person")

    draft = draft_of(first)
    assert (draft.user, draft.contact_name, draft.guest_email, draft.contact_phone) == (
        None,
        "Gwen Post",
        "",
        "",
    )
    assert draft.contact_address["line1"] == "12 Chapel Row"
    assert draft.contact_address["postcode"] == "ZZ99 1AB"
    # "Tell us once": the form's question for their address starts from it
    assert draft.answers["bin_address"]["line1"] == "12 Chapel Row"


def test_the_callers_address_is_found_by_postcode_without_javascript(agent):
    client = signed_in(agent)
    url = f"{reverse('staff:assist_caller')}?{chosen()}"
    typed = {"full_name": "Gwen Post", "email": "", "phone": ""}
    # Find: the addresses at the postcode are offered, what was typed is kept, nothing starts
    response = client.post(
        url,
        {**typed, "address-mode": "lookup", "address-lookup": "ZZ99 1AB", "action": "find:address"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="address-uprn"' in html
    assert 'value="Gwen Post"' in html
    assert "There is a problem" not in html
    assert not Draft.objects.exists()
    uprn = re.search(r'name="address-uprn" type="radio" value="(\d+)"', html).group(1)

    # Choose one and start
    response = client.post(
        url,
        {**typed, "address-mode": "choose", "address-lookup": "ZZ99 1AB", "address-uprn": uprn},
    )

    assert response.status_code == 302, text_of(response)
    assert draft_of(response["Location"]).contact_address["uprn"] == uprn


def test_a_postal_only_caller_is_recorded_and_sent_a_letter_with_no_email_or_text(agent, mail):
    # Given a caller at the front desk who gives a name and a postal address alone, in Welsh
    client = signed_in(agent)
    first = act_for_caller(client, POSTAL_CALLER, channel="in_person", language="cy")

    # When the agent sends the request for them
    sent = client.post(replacement_bin_answers(client, first))["Location"]

    # Then the case is theirs by name and address
    submission = Submission.objects.get()
    assert (submission.user, submission.contact_email, submission.contact_phone) == (None, "", "")
    assert submission.contact_name == "Gwen Post"
    assert submission.contact_address["line1"] == "12 Chapel Row"
    # And the acknowledgement waits as a Welsh letter to the address they gave, and only that
    [letter] = OutgoingMessage.objects.filter(submission=submission)
    assert (letter.channel, letter.kind, letter.language) == ("letter", "acknowledgement", "cy")
    assert letter.content["address_lines"] == [
        "Gwen Post",
        "12 Chapel Row",
        "Middlehampton",
        "ZZ99 1AB",
    ]
    assert submission.reference in letter.content["body"]
    assert mail == []
    # And the agent is told it goes by post
    text = text_of(client.get(sent))
    assert (
        "We will post the reference to Gwen Post, 12 Chapel Row, Middlehampton, ZZ99 1AB , in Welsh"
        in text
    )


def test_the_letter_goes_to_the_address_the_caller_gave_not_where_the_bin_is(agent):
    client = signed_in(agent)
    first = act_for_caller(client, POSTAL_CALLER)
    # The bin is at another address than the caller's own
    url = answer(
        client,
        first,
        {
            "bin_address-mode": "manual",
            "bin_address-line1": "6 Mill Lane",
            "bin_address-town": "Middlehampton",
            "bin_address-postcode": "ZZ99 1AB",
        },
    )
    url = answer(client, url, {"bin_type": "general"})
    client.post(answer(client, url, {"reason": "lost"}))

    [letter] = OutgoingMessage.objects.all()
    assert letter.content["address_lines"][1] == "12 Chapel Row"


def test_the_workspace_shows_a_postal_only_caller_and_finds_them_by_name_or_postcode(agent):
    # Given a postal-only caller's case, and a phone-only caller's (another person)
    client = signed_in(agent)
    client.post(replacement_bin_answers(client, act_for_caller(client, POSTAL_CALLER)))
    client.post(
        replacement_bin_answers(
            client, act_for_caller(client, {"full_name": "Ifan Bach", "phone": "01632 960000"})
        )
    )
    gwen = Submission.objects.get(contact_name="Gwen Post")

    # The case view names them and shows their address, with no blank e-mail row
    text = text_of(client.get(reverse("staff:case", args=[gwen.reference])))
    assert "Name Gwen Post" in text
    assert "Email address None given" in text
    assert "Phone None given" in text
    assert "Address 12 Chapel Row Middlehampton ZZ99 1AB" in text

    # The resident search finds them by name and by postcode, as one person with one case
    for typed in ("gwen post", "zz99 1ab"):
        response = client.get(reverse("staff:residents"), {"q": typed})
        text = text_of(response)
        assert "Gwen Post No account None given – ZZ99 1AB 1" in text, typed
    # ... and a caller without an e-mail address is never merged with another such caller
    text = text_of(client.get(reverse("staff:residents"), {"q": "middlehampton"}))
    assert "2 residents" in text
    # The workspace's case search finds the case by either too
    for typed in ("gwen post", "ZZ991AB"):
        html = client.get(reverse("staff:home"), {"q": typed}).content.decode()
        assert reverse("staff:case", args=[gwen.reference]) in html, typed

    # Their page shows their details, and only their own case
    response = client.get(reverse("staff:guest_resident", args=[gwen.reference]))
    text = text_of(response)
    assert "Resident without an account Gwen Post" in text
    assert "Email address None given" in text
    assert "Address 12 Chapel Row Middlehampton ZZ99 1AB" in text
    assert gwen.reference in text
    assert Submission.objects.get(contact_name="Ifan Bach").reference not in text
    assert "only this case is known to be theirs" in text


def test_a_tampered_or_incomplete_address_gets_a_clear_error_and_starts_nothing(agent):
    client = signed_in(agent)
    url = f"{reverse('staff:assist_caller')}?{chosen()}"
    name = {"full_name": "Gwen Post"}
    for junk, message in (
        ({"address-mode": "manual", "address-line1": "12 Chapel Row"}, "Enter"),
        (
            {"address-mode": "choose", "address-lookup": "ZZ99 1AB", "address-uprn": "999"},
            "Select an address",
        ),
        ({"address-mode": "choose", "address-lookup": "ZZ99 1AB"}, "Select an address"),
        (
            {
                "address-mode": "manual",
                "address-line1": "a\x00b",
                "address-town": "T",
                "address-postcode": "ZZ99 1AB",
            },
            "There is a problem",
        ),
        (
            {
                "address-mode": "nonsense",
                "address-lookup": "not a postcode",
                "action": "find:address",
            },
            "Enter a full UK postcode",
        ),
    ):
        response = client.post(url, {**name, **junk})
        assert response.status_code == 200, junk
        assert message in text_of(response), junk
    assert not Draft.objects.exists()
