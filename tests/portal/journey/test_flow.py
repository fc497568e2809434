"""Moving around a journey: changing answers, branching, exit pages, saving and resuming,
sending once, who may see what, a form edit mid-journey, and bad input."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from services.drafts import resume_token
from services.models import Draft, FormVersion, Submission
from tests.portal.accounts.factories import UserFactory
from tests.portal.conftest import CommittingClient
from tests.portal.journey.forms import generated, live_service
from tests.portal.journey.helpers import answer, draft_from, page_id, start, text_of

pytestmark = pytest.mark.django_db

# Sending writes the acknowledgement into the message outbox (one INSERT, in the submission's
# transaction); its send_message task then runs eagerly in these tests, inside the request (a
# worker runs it in production): claim the message, read it, record it sent.
MESSAGE_OUTBOX_QUERIES = 1 + 3
# And the staff workspace's search index gets the new case's row (one INSERT).
CASE_INDEX_QUERIES = 1


def replacement_bin_to_check(client):
    url = start(client, "request-replacement-bin")
    url = answer(
        client,
        url,
        {
            "bin_address-mode": "manual",
            "bin_address-line1": "1 Lane",
            "bin_address-town": "Town",
            "bin_address-postcode": "ZZ99 1AB",
        },
    )
    url = answer(client, url, {"bin_type": "general"})
    url = answer(client, url, {"reason": "lost"})
    assert page_id(url) == "check-your-answers"
    return url


def test_a_change_from_check_your_answers_returns_to_it(client, catalogue):
    check = replacement_bin_to_check(client)
    # Given the check page's change link for the bin type
    html = client.get(check).content.decode()
    change = re.search(r'href="([^"]*/which-bin/\?change=1)"', html).group(1)
    # When the answer is changed
    back = client.get(change)
    assert (
        reverse(
            "journey:check",
            kwargs={"slug": "request-replacement-bin", "draft_id": draft_from(check).id},
        )
        in back.content.decode()
    )
    # Then saving goes straight back to check-your-answers
    assert answer(client, change, {"bin_type": "food"}) == check
    assert "Food waste" in text_of(client.get(check))


def test_a_change_that_reveals_a_new_question_asks_it_then_returns(client, catalogue):
    check = replacement_bin_to_check(client)
    url = check.replace("check-your-answers", "reason") + "?change=1"
    # When the reason becomes "damaged", a new question applies
    following = answer(client, url, {"reason": "damaged"})
    assert page_id(following) == "damage"
    assert following.endswith("?change=1")
    # Then after answering it the resident is back on check-your-answers
    assert answer(client, following, {"damage": "Cracked lid"}) == check


def test_branching_skips_pages_and_an_exit_page_ends_the_journey(client, catalogue):
    url = start(client, "request-replacement-bin")
    url = answer(
        client,
        url,
        {
            "bin_address-mode": "manual",
            "bin_address-line1": "1 Lane",
            "bin_address-town": "Town",
            "bin_address-postcode": "ZZ99 1AB",
        },
    )
    url = answer(client, url, {"bin_type": "general"})
    # "stolen" skips the damage page
    url = answer(client, url, {"reason": "stolen"})
    assert page_id(url) == "reported-theft"
    # "not reported" leads to the exit page, which has no continue button
    url = answer(client, url, {"reported_to_police": "no"})
    assert page_id(url) == "report-theft-first"
    exit_page = client.get(url)
    assert "Report the theft to the police first" in text_of(exit_page)
    assert "Continue" not in text_of(exit_page)
    # and check-your-answers cannot be reached, but the draft is kept
    check = url.replace("report-theft-first", "check-your-answers")
    assert client.get(check)["Location"] == url
    assert client.post(check)["Location"] == url
    assert not Submission.objects.exists()
    assert Draft.objects.count() == 1
    # A skipped page cannot be opened directly
    damage = url.replace("report-theft-first", "damage")
    assert client.get(damage).status_code == 302


def test_signed_in_resident_saves_and_continues_from_their_account(signed_in, catalogue):
    url = start(signed_in, "request-replacement-bin")
    url = answer(
        signed_in,
        url,
        {
            "bin_address-mode": "manual",
            "bin_address-line1": "1 Lane",
            "bin_address-town": "Town",
            "bin_address-postcode": "ZZ99 1AB",
        },
    )
    draft = draft_from(url)
    save = reverse("journey:save", kwargs={"slug": "request-replacement-bin", "draft_id": draft.id})
    # When they save with an answer on the page
    response = signed_in.post(save, {"page": "which-bin", "bin_type": "garden"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.answers["bin_type"] == "garden"
    # Then Continue takes them back to where they were
    cont = signed_in.get(reverse("journey:continue", kwargs={"draft_id": draft.id}))
    assert page_id(cont["Location"]) == "which-bin"


def test_guest_gets_a_resume_link_by_email_that_works_in_another_browser(client, catalogue, mail):
    url = start(client, "report-pothole")
    url = answer(client, url, {"immediate_danger": "no"})
    draft = draft_from(url)
    save = reverse("journey:save", kwargs={"slug": "report-pothole", "draft_id": draft.id})
    asked = client.post(save, {"page": "location", "pothole_location-description": "Outside 4"})
    assert "Get a link to continue later" in text_of(asked)
    refused = client.post(save, {"step": "email", "contact_email": "nope"})
    assert refused.status_code == 200
    assert "Error:" in text_of(refused)
    sent = client.post(save, {"step": "email", "contact_email": "guest@example.org"})
    assert "We have sent you a link" in text_of(sent)
    assert mail[0].to == ["guest@example.org"]
    link = re.search(r"https?://\S+", mail[0].body).group(0)

    # A fresh browser cannot open the draft, but the link opens it
    other = CommittingClient()
    assert other.get(url).status_code == 404
    resumed = other.get(link)
    assert page_id(resumed["Location"]) == "location"
    page = other.get(resumed["Location"])
    assert "Outside 4" in page.content.decode()


def test_a_forged_or_old_resume_link_is_refused(client, catalogue, settings):
    assert client.get(reverse("journey:resume", kwargs={"token": "forged"})).status_code == 404
    url = start(client, "report-pothole")
    token = resume_token(draft_from(url))
    settings.DRAFT_LIFETIME_DAYS = 0
    assert client.get(reverse("journey:resume", kwargs={"token": token})).status_code == 404


def test_an_expired_draft_says_so(client, catalogue):
    url = start(client, "report-pothole")
    Draft.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(url)
    assert response.status_code == 410
    assert "Your answers have expired" in text_of(response)


def test_sending_twice_makes_one_submission_and_shows_the_same_confirmation(
    client, catalogue, mail
):
    check = replacement_bin_to_check(client)
    first = client.post(check, {"contact_email": "guest@example.org"})
    second = client.post(check, {"contact_email": "guest@example.org"})
    assert Submission.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert client.get(second["Location"]).status_code == 200
    assert len(mail) == 1


def test_other_people_cannot_see_a_draft_or_a_confirmation(signed_in, catalogue):
    client = CommittingClient()  # a guest
    check = replacement_bin_to_check(client)
    confirmation = client.post(check, {"contact_email": "guest@example.org"})["Location"]
    assert client.get(confirmation).status_code == 200
    mine = start(signed_in, "report-pothole")
    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.get(confirmation).status_code == 404
    assert stranger.get(mine).status_code == 404
    assert client.get(mine).status_code == 404  # a guest session is not the owner
    assert (
        stranger.get(
            reverse("journey:continue", kwargs={"draft_id": draft_from(mine).id})
        ).status_code
        == 404
    )
    # A draft under another service's address is not found either
    assert signed_in.get(mine.replace("report-pothole", "report-noise")).status_code == 404


def test_a_service_that_needs_an_account_sends_guests_to_sign_in(client, catalogue):
    response = client.post(reverse("journey:start", kwargs={"slug": "book-bulky-waste"}))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert not Draft.objects.exists()


def test_unknown_and_withdrawn_services_are_not_found(client, catalogue):
    assert client.post(reverse("journey:start", kwargs={"slug": "nope"})).status_code == 404
    catalogue["report-pothole"].form.live_version.archive()
    assert (
        client.post(reverse("journey:start", kwargs={"slug": "report-pothole"})).status_code == 404
    )


def test_publishing_a_new_version_does_not_break_a_journey_on_the_old_one(client, catalogue, mail):
    # Given a guest part-way through version 1
    url = start(client, "request-replacement-bin")
    url = answer(
        client,
        url,
        {
            "bin_address-mode": "manual",
            "bin_address-line1": "1 Lane",
            "bin_address-town": "Town",
            "bin_address-postcode": "ZZ99 1AB",
        },
    )
    old = draft_from(url).form_version
    # When an admin publishes version 2 without the "which bin" page
    schema = {"pages": [p for p in old.schema["pages"] if p["id"] != "which-bin"]}
    new = FormVersion.new_draft_from(old)
    new.schema = schema
    new.save()
    new.publish()
    old.refresh_from_db()
    assert old.status == FormVersion.Status.ARCHIVED
    # Then the resident finishes on version 1 and the submission records it
    url = answer(client, url, {"bin_type": "general"})
    url = answer(client, url, {"reason": "lost"})
    client.post(url, {"contact_email": "guest@example.org"})
    assert Submission.objects.get().form_version == old


@pytest.mark.parametrize(
    "data",
    [
        {"bin_type": ["general", "food"]},
        {"bin_type": "x" * 30000},
        {"bin_type": "\x00"},
        {"bin_type": "general", "unknown": "field", "bin_address-uprn": "1"},
        {"bin_type": "🗑️"},
    ],
)
def test_tampered_posts_get_a_clear_error_not_a_crash(client, catalogue, data):
    url = start(client, "request-replacement-bin")
    url = answer(
        client,
        url,
        {
            "bin_address-mode": "manual",
            "bin_address-line1": "1 Lane",
            "bin_address-town": "Town",
            "bin_address-postcode": "ZZ99 1AB",
        },
    )
    response = client.post(url, data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "Select which bin" in text_of(response)


def test_an_oversized_post_gets_the_bad_request_page(client, catalogue, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    url = start(client, "report-noise")
    response = client.post(url, {"noise_type": "x" * 2000})
    assert response.status_code == 400
    assert "could not understand the request" in text_of(response)


def test_unknown_pages_drafts_and_references_are_not_found(client, catalogue):
    url = start(client, "report-noise")
    assert client.get(url.replace("noise-type", "no-such-page")).status_code == 404
    assert (
        client.get(
            url.replace(str(draft_from(url).id), "00000000-0000-0000-0000-000000000000")
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse(
                "journey:confirmation", kwargs={"slug": "report-noise", "reference": "ABCD-EFGH"}
            )
        ).status_code
        == 404
    )


def test_answers_the_server_no_longer_accepts_send_the_resident_back(client, catalogue):
    check = replacement_bin_to_check(client)
    Draft.objects.update(answers={**draft_from(check).answers, "bin_type": "purple"})
    response = client.post(check, {"contact_email": "guest@example.org"})
    assert page_id(response["Location"].split("?")[0]) == "which-bin"
    shown = client.get(response["Location"])
    assert "Select which bin" in text_of(shown)
    assert not Submission.objects.exists()


def test_a_file_not_uploaded_through_the_draft_is_refused_on_send(client, catalogue):
    url = start(client, "report-pothole")
    url = answer(client, url, {"immediate_danger": "no"})
    url = answer(client, url, {"pothole_location-description": "Outside 4"})
    url = answer(client, url, {"surface": "road"})
    url = answer(client, url, {"pothole_size": "small"})
    check = answer(client, url, {})
    forged = {"reference": "uploads/" + "A" * 32 + ".png", "name": "x.png"}
    Draft.objects.update(answers={**draft_from(check).answers, "photo": forged})
    response = client.post(check, {"contact_email": "guest@example.org"})
    assert page_id(response["Location"].split("?")[0]) == "photo"
    assert not Submission.objects.exists()


def test_question_pages_and_sending_take_few_queries_whatever_the_form_size(
    client, db, django_assert_max_num_queries, catalogue
):
    live_service(generated(40), "big-form")
    url = start(client, "big-form")
    for n in range(40):
        with django_assert_max_num_queries(10):
            client.get(url)
        with django_assert_max_num_queries(10):
            url = answer(client, url, {f"q{n}": f"answer {n}"})
    with django_assert_max_num_queries(10):
        client.get(url)
    with django_assert_max_num_queries(20 + MESSAGE_OUTBOX_QUERIES + CASE_INDEX_QUERIES):
        client.post(url, {"contact_email": "guest@example.org"})
    assert Submission.objects.get().answers["q39"] == "answer 39"


def test_the_largest_seeded_form_stays_within_its_query_budget(
    signed_in, resident, django_assert_max_num_queries, catalogue
):
    url = start(signed_in, "tell-us-you-moved")
    steps = [
        {"liable": "yes"},
        {
            "old_address-mode": "choose",
            "old_address-lookup": "ZZ99 1AB",
            "old_address-uprn": "999900001017",
        },
        {"move_date-day": "1", "move_date-month": "1", "move_date-year": "2025"},
        {"moving_to": "within"},
        {
            "new_address-mode": "manual",
            "new_address-line1": "2 Road",
            "new_address-town": "Town",
            "new_address-postcode": "ZZ99 1AD",
        },
        {"tenure": "own"},
        {"other_adults": "yes"},
        {"adult_names": "Bob"},
        {"email": resident.email},
    ]
    for data in steps:
        with django_assert_max_num_queries(10):
            signed_in.get(url)
        with django_assert_max_num_queries(10):
            url = answer(signed_in, url, data)
    assert page_id(url) == "check-your-answers"
    # Submitting also routes the case and writes its delivery: every live service is routed.
    with django_assert_max_num_queries(25 + MESSAGE_OUTBOX_QUERIES + CASE_INDEX_QUERIES):
        response = signed_in.post(url)
    submission = Submission.objects.get()
    assert response["Location"].endswith(f"/sent/{submission.reference}/")
    assert submission.uprn == "999900001017"
