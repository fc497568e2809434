"""'Your requests': every request a resident has sent, newest first, ten to a page, shown all,
open, closed or needing their reply, with how many each shows; chosen with links (no JavaScript
needed); anything odd in the address shows the first page, never an error."""

from datetime import timedelta

import pytest
from django.utils import timezone

from services.models import Submission
from tests.portal.accounts.factories import UserFactory
from tests.portal.catalogue.helpers import elements, texts
from tests.portal.dashboard.factories import SubmissionFactory, live_version
from tests.portal.dashboard.helpers import card_titles, request_links
from tests.portal.test_welsh import assert_welsh_page

Status = Submission.Status
URL = "/account/requests/"


@pytest.fixture
def me(db):
    return UserFactory(full_name="Ann Example")


@pytest.fixture
def my_client(client, me):
    client.force_login(me)
    return client


def sent(me, count, status=Status.RECEIVED, **fields):
    """`count` requests of mine with `status`, the first sent earliest, a day apart."""
    start = timezone.now() - timedelta(days=400)
    made = [SubmissionFactory(user=me, status=status, **fields) for _ in range(count)]
    for n, submission in enumerate(made):
        Submission.objects.filter(pk=submission.pk).update(created_at=start + timedelta(days=n))
    return made


def listed(response) -> list[str]:
    """The references of the requests on the page, in order."""
    return [href.rstrip("/").rsplit("/", 1)[1] for href in request_links(response, "h2")]


def filter_links(response) -> dict[str, str]:
    return {
        e.text: e.attrs["href"]
        for e in elements(response, "a")
        if "council-filter-links__link" in e.classes
    }


def current_filter(response) -> list[str]:
    return [
        e.text
        for e in elements(response, "a")
        if "council-filter-links__link" in e.classes and e.attrs.get("aria-current") == "page"
    ]


def test_signed_out_visitors_are_asked_to_sign_in(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URL}"


def test_my_requests_are_listed_newest_first_ten_to_a_page(my_client, me, catalogue):
    # Given 23 requests of mine, and one of someone else's
    mine = sent(me, 23)
    newest_first = [s.reference for s in reversed(mine)]
    theirs = SubmissionFactory()

    # When I open "Your requests"
    first = my_client.get(URL)

    # Then the ten newest are on the first page, each a card naming its service
    assert first.status_code == 200
    assert listed(first) == newest_first[:10]
    assert card_titles(first, "h2") == ["Report a missed bin collection"] * 10
    assert theirs.reference not in first.content.decode()
    assert "Showing 1 to 10 of 23" in texts(first, "p")
    # with GOV.UK pagination to the others
    pages = {e.text: e.attrs["href"] for e in elements(first, "a") if e.inside("nav")}
    assert pages["Next page"] == "?page=2"
    assert pages["2"] == "?page=2"
    assert pages["3"] == "?page=3"
    assert texts(first, "title")[0].startswith("Your requests (page 1 of 3)")

    # And the last page has the three oldest
    last = my_client.get(URL + "?page=3")
    assert listed(last) == newest_first[20:]
    assert "Showing 21 to 23 of 23" in texts(last, "p")
    assert texts(last, "title")[0].startswith("Your requests (page 3 of 3)")


def test_my_requests_can_be_shown_open_closed_or_needing_my_reply_with_counts(
    my_client, me, catalogue
):
    # Given requests of mine in every state
    received = sent(me, 2)
    in_progress = sent(me, 1, Status.IN_PROGRESS)
    needs_reply = sent(me, 1, Status.NEEDS_INFORMATION)
    done = sent(me, 1, Status.CLOSED_FIXED)
    not_ours = sent(me, 1, Status.CLOSED_NOT_COUNCIL)
    duplicate = sent(me, 1, Status.DUPLICATE)
    # (sent() spaces each batch from the same start: make the order plain)
    every = [*received, *in_progress, *needs_reply, *done, *not_ours, *duplicate]
    for n, submission in enumerate(every):
        Submission.objects.filter(pk=submission.pk).update(
            created_at=timezone.now() - timedelta(hours=len(every) - n)
        )

    def refs(submissions):
        return [s.reference for s in reversed(submissions)]

    # When I open the list, then each link says how many it shows; "All" is chosen
    response = my_client.get(URL)
    assert filter_links(response) == {
        "All (7)": URL,
        "Open (4)": f"{URL}?show=open",
        "Needs your reply (1)": f"{URL}?show=needs-reply",
        "Closed (3)": f"{URL}?show=closed",
    }
    assert current_filter(response) == ["All (7)"]
    assert listed(response) == refs(every)

    # And each link shows just those, newest first
    open_ = my_client.get(f"{URL}?show=open")
    assert listed(open_) == refs([*received, *in_progress, *needs_reply])
    assert current_filter(open_) == ["Open (4)"]
    reply = my_client.get(f"{URL}?show=needs-reply")
    assert listed(reply) == refs(needs_reply)
    # with a way straight to the reply
    links = {e.text: e.attrs["href"] for e in elements(reply, "a")}
    reply_link = f"Reply to us about request {needs_reply[0].reference}"
    assert links[reply_link] == f"/account/requests/{needs_reply[0].reference}/#reply"
    closed = my_client.get(f"{URL}?show=closed")
    assert listed(closed) == refs([*done, *not_ours, *duplicate])


def test_the_pages_of_a_filtered_list_keep_the_filter(my_client, me, catalogue):
    sent(me, 12, Status.IN_PROGRESS)
    sent(me, 3, Status.CLOSED_FIXED)

    response = my_client.get(f"{URL}?show=open")

    pages = {e.text: e.attrs["href"] for e in elements(response, "a") if e.inside("nav")}
    assert pages["Next page"] == "?show=open&page=2"
    assert len(listed(my_client.get(f"{URL}?show=open&page=2"))) == 2


@pytest.mark.parametrize(
    "query",
    [
        "?page=abc",
        "?page=0",
        "?page=-1",
        "?page=99",
        "?page=1e3",
        "?page=%00",
        "?page=" + "9" * 400,
        "?show=everything",
        "?show=%00",
        "?show=closed&show=open&page=2&page=x",
        "?show=" + "x" * 3000,
    ],
)
def test_a_page_or_filter_that_does_not_exist_shows_the_first_page(my_client, me, catalogue, query):
    # Given 15 requests of mine (two pages)
    mine = sent(me, 15)

    # When the address asks for a page or a filter that is not there
    response = my_client.get(URL + query)

    # Then I see a first page, not an error
    assert response.status_code == 200
    shown = listed(response)
    assert shown[0] in {mine[-1].reference, mine[-2].reference}  # the newest (of all, or open)
    assert len(shown) == 10


@pytest.mark.parametrize(
    ("show", "message"),
    [
        ("", "You have not sent us any forms yet."),
        ("open", "You have no open requests."),
        ("needs-reply", "None of your requests needs a reply from you."),
        ("closed", "You have no closed requests."),
    ],
)
def test_an_empty_list_says_so(my_client, catalogue, show, message):
    response = my_client.get(f"{URL}?show={show}")

    assert message in texts(response, "p")
    assert listed(response) == []


def test_guests_requests_are_not_mine_even_with_my_email_address(my_client, me, catalogue):
    # Given a request a guest sent with my e-mail address (guests follow theirs by link)
    guest = SubmissionFactory(user=None, contact_email=me.email)

    response = my_client.get(URL)

    assert guest.reference not in response.content.decode()
    assert filter_links(response)["All (0)"] == URL


def test_your_requests_takes_the_same_queries_however_many_requests(
    my_client, me, catalogue, django_assert_max_num_queries
):
    # Given many requests of many services
    for slug in ("report-pothole", "report-noise", "report-missed-bin", "report-fly-tipping"):
        SubmissionFactory.create_batch(
            6, user=me, form_version=live_version(slug), answers={}, status=Status.IN_PROGRESS
        )
    sent(me, 3, Status.NEEDS_INFORMATION)

    # Then each page needs a handful of queries, not one per request
    for query in ("", "?page=2", "?show=open&page=3", "?show=needs-reply"):
        with django_assert_max_num_queries(6):
            response = my_client.get(URL + query)
        assert listed(response)


def test_your_requests_in_welsh(my_client, me, catalogue):
    sent(me, 2)
    sent(me, 1, Status.NEEDS_INFORMATION)

    response = my_client.get(f"/cy{URL}?show=open")

    assert response.status_code == 200
    assert texts(response, "h1") == ["Eich ceisiadau"]
    assert filter_links(response) == {
        "Y cyfan (3)": f"/cy{URL}",
        "Ar agor (3)": f"/cy{URL}?show=open",
        "Angen eich ateb (1)": f"/cy{URL}?show=needs-reply",
        "Ar gau (0)": f"/cy{URL}?show=closed",
    }
    assert card_titles(response, "h2") == ["Rhoi gwybod am gasgliad bin a fethwyd"] * 3


def test_the_account_home_shows_my_newest_requests_and_what_needs_my_reply(
    my_client, me, catalogue
):
    # Given five requests, two waiting for my reply
    mine = sent(me, 3)
    waiting = sent(me, 2, Status.NEEDS_INFORMATION)
    for n, submission in enumerate([*mine, *waiting]):
        Submission.objects.filter(pk=submission.pk).update(
            created_at=timezone.now() - timedelta(hours=10 - n)
        )

    response = my_client.get("/account/")

    # Then the three newest are there, and a link to all five
    newest = [f"/account/requests/{s.reference}/" for s in reversed([*mine, *waiting])][:3]
    assert request_links(response) == newest
    links = {e.text: e.attrs["href"] for e in elements(response, "a")}
    assert links["See all 5 of your requests"] == URL
    # And I am told two need my reply, and where to see them
    assert "2 requests need your reply" in texts(response, "p")
    assert links["See what we have asked you"] == f"{URL}?show=needs-reply"


def test_your_requests_and_a_request_page_have_no_english_left_at_cy(
    my_client, me, catalogue, english_sentences
):
    # Given requests in every state, the service with a target time
    for status in Status.values:
        sent(me, 1, status)

    # Then the list, each filter, the account's home and each request are wholly Welsh
    for show in ("", "?show=open", "?show=needs-reply", "?show=closed"):
        assert_welsh_page(my_client.get(f"/cy{URL}{show}"), english_sentences=english_sentences)
    assert_welsh_page(
        my_client.get("/cy/account/"),
        "Mae angen eich ateb ar 1 cais",
        english_sentences=english_sentences,
    )
    for submission in Submission.objects.filter(user=me):
        assert_welsh_page(
            my_client.get(f"/cy/account/requests/{submission.reference}/"),
            "Beth sy'n digwydd nesaf",
            english_sentences=english_sentences,
        )
