from datetime import timedelta

import pytest
from django.utils import timezone

from services.models import Draft, Submission
from tests.portal.accounts.factories import UserFactory
from tests.portal.catalogue.helpers import elements, texts
from tests.portal.dashboard.factories import DraftFactory, SubmissionFactory, live_version
from tests.portal.dashboard.helpers import card_titles, request_links


@pytest.fixture
def me(db):
    return UserFactory(full_name="Ann Example")


@pytest.fixture
def my_client(client, me):
    client.force_login(me)
    return client


def cell_values(response) -> list[str]:
    """The table cells' values, without the column name each repeats for phones (stacked rows)."""
    found = elements(response, "td", "span")
    labels = {
        id(span.inside("td")): span.text for span in found if "council-table__label" in span.classes
    }
    return [
        cell.text.removeprefix(labels.get(id(cell), "")).strip()
        for cell in found
        if cell.tag == "td"
    ]


def test_signed_out_visitors_are_asked_to_sign_in(client, db):
    response = client.get("/account/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/account/"


def test_your_account_lists_only_my_requests_with_their_status(my_client, me, catalogue):
    # Given two requests of mine and one of someone else's
    mine = SubmissionFactory(user=me, status=Submission.Status.CLOSED_FIXED)
    newer = SubmissionFactory(user=me, form_version=live_version("report-pothole"), answers={})
    theirs = SubmissionFactory()

    # When I open my account
    response = my_client.get("/account/")

    # Then I see mine, newest first, each with a coloured status tag, and not theirs
    assert response.status_code == 200
    html = response.content.decode()
    assert theirs.reference not in html
    assert request_links(response) == [
        f"/account/requests/{newer.reference}/",
        f"/account/requests/{mine.reference}/",
    ]
    tags = {e.text: e.classes for e in elements(response, "strong") if "govuk-tag" in e.classes}
    assert "govuk-tag--green" in tags["Closed – done"]
    assert tags["Received"] == {"govuk-tag"}
    assert card_titles(response) == ["Report a pothole", "Report a missed bin collection"]


def test_a_resident_with_no_requests_is_told_so(my_client, catalogue):
    response = my_client.get("/account/")

    assert "You have not sent us any forms yet." in texts(response, "p")
    assert "You have no unfinished forms." in texts(response, "p")


def test_your_account_links_to_profile_and_sign_in_and_security(my_client, catalogue):
    response = my_client.get("/account/")

    links = {e.text: e.attrs["href"] for e in elements(response, "a")}
    assert links["Change your name, phone number or address"] == "/account/profile/"
    assert links["Change your email address"] == "/accounts/email/"
    assert links["Change your password"] == "/accounts/password/change/"
    assert links["2-step verification"] == "/accounts/2fa/"
    assert links["Where you are signed in"] == "/accounts/sessions/"
    nav = {e.text: e.attrs["href"] for e in elements(response, "a") if e.inside("nav")}
    assert nav["Your account"] == "/account/"


def test_my_request_shows_my_answers_in_the_language_i_used(my_client, me, catalogue):
    # Given a request I sent in Welsh, with a script typed into an answer
    submission = SubmissionFactory(user=me, language="cy")

    # When I open it from the English site
    response = my_client.get(f"/account/requests/{submission.reference}/")

    # Then the questions and answers are the Welsh ones, escaped, with status and reference
    assert response.status_code == 200
    answers = dict(zip(texts(response, "dt"), texts(response, "dd"), strict=True))
    assert answers["Reference"] == submission.reference
    assert answers["Status"] == "Received"
    assert answers["Pa fin na chafodd ei gasglu?"] == "Gwastraff gardd (bin brown)"
    assert answers["Pryd y dylai fod wedi'i gasglu?"] == "5 Ionawr 2026"
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; by the gate" in html
    assert '<dl class="govuk-summary-list" lang="cy">' in html
    assert "1 High Street<br>Exampleton<br>ZZ99 1AA" in html


def test_a_reference_typed_in_lower_case_still_finds_my_request(my_client, me, catalogue):
    submission = SubmissionFactory(user=me)

    response = my_client.get(f"/account/requests/{submission.reference.lower()}/")

    assert response.status_code == 200


@pytest.mark.parametrize("whose", ["someone else", "a guest"])
def test_someone_else_s_request_is_not_found(my_client, catalogue, whose):
    # Given a request that is not mine
    if whose == "a guest":
        other = SubmissionFactory(user=None, contact_email="guest@example.org")
    else:
        other = SubmissionFactory()

    # When I open it by its reference
    response = my_client.get(f"/account/requests/{other.reference}/")

    # Then it does not exist, as far as I can tell
    assert response.status_code == 404
    assert not any(other.reference in text for text in texts(response, "main"))


@pytest.mark.parametrize("reference", ["NOPE", "<script>", "A" * 300, "ABCD-EFGH"])
def test_a_made_up_reference_is_not_found(my_client, catalogue, reference):
    assert my_client.get(f"/account/requests/{reference}/").status_code == 404


def test_unfinished_forms_are_my_drafts_that_have_not_expired(my_client, me, catalogue):
    # Given a draft of mine, an expired one, and someone else's
    mine = DraftFactory(user=me, form_version=live_version("report-pothole"))
    expired = DraftFactory(user=me, expires_at=timezone.now() - timedelta(minutes=1))
    theirs = DraftFactory()

    # When I open my account
    response = my_client.get("/account/")

    # Then only the live draft of mine is listed, with a Continue link into the journey
    html = response.content.decode()
    assert str(expired.id) not in html
    assert str(theirs.id) not in html
    continue_links = [e for e in elements(response, "a") if e.text.startswith("Continue")]
    assert [e.attrs["href"] for e in continue_links] == [f"/drafts/{mine.id}/continue/"]
    assert continue_links[0].text == "Continue Report a pothole"
    assert "Report a pothole" in texts(response, "th")
    assert mine.expires_at.strftime("%-d %B %Y").lstrip("0") in cell_values(response)


def test_deleting_a_draft_asks_for_confirmation_first(my_client, me, catalogue):
    # Given a draft of mine
    draft = DraftFactory(user=me)

    # When I follow its Delete draft link
    delete_link = next(
        e for e in elements(my_client.get("/account/"), "a") if e.text.startswith("Delete draft")
    )
    response = my_client.get(delete_link.attrs["href"])

    # Then I am asked to confirm, and the draft is still there
    assert response.status_code == 200
    assert texts(response, "h1") == [
        "Report a missed bin collection Are you sure you want to delete this unfinished form?"
    ]
    assert Draft.objects.filter(pk=draft.pk).exists()

    # And when I confirm, it is gone and I am told so
    confirmed = my_client.post(delete_link.attrs["href"], follow=True)
    assert not Draft.objects.filter(pk=draft.pk).exists()
    assert confirmed.redirect_chain == [("/account/", 302)]
    assert "Your unfinished form ‘Report a missed bin collection’ has been deleted" in texts(
        confirmed, "p"
    )


def test_someone_else_s_draft_cannot_be_deleted(my_client, catalogue):
    theirs = DraftFactory()

    assert my_client.get(f"/account/drafts/{theirs.id}/delete/").status_code == 404
    assert my_client.post(f"/account/drafts/{theirs.id}/delete/").status_code == 404
    assert Draft.objects.filter(pk=theirs.pk).exists()


def test_your_account_works_in_welsh(my_client, me, catalogue):
    submission = SubmissionFactory(user=me)

    response = my_client.get("/cy/account/")

    assert response.status_code == 200
    hrefs = [e.attrs["href"] for e in elements(response, "a")]
    assert f"/cy/account/requests/{submission.reference}/" in hrefs
    assert card_titles(response) == ["Rhoi gwybod am gasgliad bin a fethwyd"]
    assert "/cy/account/requests/" in hrefs


def test_your_account_takes_the_same_queries_however_many_requests(
    my_client, me, catalogue, django_assert_max_num_queries
):
    # Given many requests and drafts
    for slug in ("report-pothole", "report-noise", "report-missed-bin", "report-fly-tipping"):
        SubmissionFactory.create_batch(3, user=me, form_version=live_version(slug), answers={})
        DraftFactory.create_batch(2, user=me, form_version=live_version(slug))

    # Then the page needs a handful of queries, not one per row
    with django_assert_max_num_queries(8):
        response = my_client.get("/account/")
    # The newest three requests, and a link to all of them; every draft
    assert len(request_links(response)) == 3
    links = {e.text: e.attrs["href"] for e in elements(response, "a")}
    assert links["See all 12 of your requests"] == "/account/requests/"
    assert len([e for e in elements(response, "a") if e.text.startswith("Continue")]) == 8
