"""Check the progress of a request: a reference and a postcode (or, for a request without an
address, the e-mail address or phone number given) lead to the request's page; anything else
gets one answer and changes nothing; tries are rate limited. And the signed links themselves."""

import re
import time
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone
from django_ratelimit import core as ratelimit_core

from portal.dashboard import tracking
from services.models import OutgoingMessage, Submission
from tests.portal.accounts.helpers import error_summary_targets, title
from tests.portal.catalogue.helpers import texts
from tests.portal.dashboard.factories import SubmissionFactory

NO_MATCH = "We could not find a request with that reference and postcode"
POSTCODE = "ZZ99 1AA"  # the missed bin's collection address (MISSED_BIN_ANSWERS)
_TRACK_PAGE = re.compile(r"/(?:cy/)?track/[^/]+/")


@pytest.fixture
def guest_request(catalogue):
    return SubmissionFactory(user=None, contact_email="Guest.Person@Example.org")


def check(client, reference: str, postcode: str, ip: str = "203.0.113.5", prefix: str = ""):
    return client.post(
        f"{prefix}/track/", {"reference": reference, "postcode": postcode}, REMOTE_ADDR=ip
    )


def answers_on(page) -> dict[str, str]:
    return dict(zip(texts(page, "dt"), texts(page, "dd"), strict=True))


@pytest.mark.parametrize(
    ("typed_reference", "typed_postcode"),
    [
        (lambda ref: ref, POSTCODE),
        (lambda ref: ref.lower().replace("-", " "), "zz991aa"),
        (lambda ref: ref.replace("-", ""), "  zz99   1aa "),
        (lambda ref: " " + ref.lower().replace("-", "\u2013") + " ", "Zz99 1Aa"),
    ],
    ids=["as-printed", "lower-case-spaced", "no-dash", "en-dash"],
)
def test_a_guest_sees_their_request_with_its_reference_and_postcode_however_typed(
    client, guest_request, typed_reference, typed_postcode
):
    # When a guest gives the reference and postcode as they might type them
    response = check(client, typed_reference(guest_request.reference), typed_postcode)

    # Then they are sent to the request's own page, the one its e-mails link to
    assert response.status_code == 302
    assert _TRACK_PAGE.fullmatch(response["Location"])
    page = client.get(response["Location"])
    assert page.status_code == 200
    answers = answers_on(page)
    assert answers["Reference"] == guest_request.reference
    assert answers["Which bin was not collected?"] == "Garden waste (brown bin)"


@pytest.mark.parametrize(
    ("contact", "typed"),
    [
        ({"contact_email": "Caller@Example.org"}, "caller@example.ORG"),
        ({"contact_email": "", "contact_phone": "+447700900982"}, "07700 900982"),
        ({"contact_email": "", "contact_phone": "01970 600000"}, "+44 1970 600000"),
    ],
    ids=["email", "mobile", "landline"],
)
def test_a_request_without_an_address_is_found_by_the_email_address_or_phone_number_given(
    client, catalogue, contact, typed
):
    # Given a request that carries no address (and so no postcode)
    case = SubmissionFactory(user=None, answers={"bin_type": "garden"}, **contact)

    # When the caller gives its reference and the e-mail address or number they gave
    response = check(client, case.reference, typed)

    # Then they see it
    assert response.status_code == 302
    assert answers_on(client.get(response["Location"]))["Reference"] == case.reference


@pytest.mark.parametrize(
    ("reference", "postcode"),
    [
        ("right", "ZZ99 1AB"),  # the right request, a postcode next door
        ("right", "guest.person@example.org"),  # it has an address: its postcode is asked for
        ("right", "07700 900982"),
        ("ABCD-EFGH", POSTCODE),  # no such request
        ("other", POSTCODE),  # another guest's request at another address
    ],
)
def test_details_that_do_not_match_get_one_error_whichever_part_is_wrong_and_change_nothing(
    client, guest_request, reference, postcode
):
    # Given another guest's request elsewhere
    other = SubmissionFactory(
        user=None,
        contact_email="other@example.org",
        answers={"collection_address": {"line1": "2 Low Road", "postcode": "ZZ99 9ZZ"}},
    )
    typed = {"right": guest_request.reference, "other": other.reference}.get(reference, reference)
    before = list(Submission.objects.order_by("pk").values())

    # When someone gives details that name no request
    response = check(client, typed, postcode)

    # Then they get the one generic error, linked to the first question, and nothing changes
    assert response.status_code == 200
    assert title(response).startswith("Error: Check the progress of a request")
    assert error_summary_targets(response) == ["id_reference"]
    assert NO_MATCH in texts(response, "a")
    assert list(Submission.objects.order_by("pk").values()) == before
    assert not OutgoingMessage.objects.exists()
    # And the page shows nothing of either request (only what was typed, to correct)
    page = response.content.decode()
    assert texts(response, "dd") == []
    assert "High Street" not in page
    assert "Low Road" not in page


@pytest.mark.parametrize(
    ("data", "targets"),
    [
        ({"reference": "", "postcode": ""}, ["id_reference", "id_postcode"]),
        ({"reference": "not a reference", "postcode": POSTCODE}, ["id_reference"]),
        ({"reference": "K7WP-3XMR", "postcode": "the house with the red door"}, ["id_postcode"]),
        ({"reference": ["A", "B"], "postcode": "ZZ99\x001AA"}, ["id_reference", "id_postcode"]),
        ({"reference": "Ŵ" * 5000, "postcode": "\u202e" * 3000}, ["id_reference", "id_postcode"]),
        ({"reference": "K7WP-3XMR\x00", "postcode": "a@b.c" + "x" * 100_000}, None),
        ({"reference": "<script>alert(1)</script>", "postcode": "𝟚𝟘𝟚"}, None),
        ({}, ["id_reference", "id_postcode"]),
    ],
    ids=["empty", "bad-reference", "not-postcode", "lists-and-nul", "huge", "odd", "html", "none"],
)
def test_missing_or_malformed_answers_get_the_gov_uk_error_pattern_never_a_500(
    client, guest_request, data, targets
):
    response = client.post("/track/", data)

    assert response.status_code == 200
    assert title(response).startswith("Error: Check the progress of a request")
    if targets is not None:
        assert error_summary_targets(response) == targets
    assert "<script>alert(1)" not in response.content.decode()


def test_a_request_made_in_an_account_sends_the_visitor_to_sign_in_instead(client, catalogue):
    # Given a request a resident sent from their account
    case = SubmissionFactory()

    # When someone gives its reference and postcode
    response = check(client, case.reference, POSTCODE)

    # Then they are asked to sign in, and the request is shown only after that, in the account
    account_page = f"/account/requests/{case.reference}/"
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={account_page}"
    assert not _TRACK_PAGE.search(response["Location"])


def test_the_signed_in_owner_goes_straight_to_their_request(client, catalogue):
    case = SubmissionFactory()
    client.force_login(case.user)

    response = check(client, case.reference, POSTCODE)

    assert response.status_code == 302
    assert response["Location"] == f"/account/requests/{case.reference}/"
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("gone", ["anonymised_at", "detached_at", "deleted"])
def test_an_anonymised_or_deleted_request_is_not_found(client, guest_request, gone):
    # Given a request retention anonymised, whose resident deleted their account, or deleted
    if gone == "deleted":
        guest_request.delete()
    else:
        Submission.objects.filter(pk=guest_request.pk).update(**{gone: timezone.now()})

    # When its reference and postcode are given
    response = check(client, guest_request.reference, POSTCODE)

    # Then it is not found, as if it had never been
    assert response.status_code == 200
    assert NO_MATCH in texts(response, "a")


@pytest.mark.usefixtures("one_rate_window")
def test_trying_too_often_from_one_address_is_refused_with_a_clear_page(client, guest_request):
    # Given five tries from one address, for different references
    for n in range(5):
        check(client, f"ABCD-EFG{n + 2}", POSTCODE)

    # When the same address tries a sixth time, even with the right details
    response = check(client, guest_request.reference, POSTCODE)

    # Then it is refused with a page that says how long to wait
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 600
    assert texts(response, "h1") == ["You have tried too many times"]
    assert "You have asked too many times. Wait 10 minutes, then try again." in texts(response, "p")
    assert guest_request.reference not in response.content.decode()

    # And another address is not affected
    assert check(client, guest_request.reference, POSTCODE, ip="198.51.100.7").status_code == 302


@pytest.mark.usefixtures("one_rate_window")
def test_trying_one_reference_too_often_is_refused_from_any_address(client, guest_request):
    # Given five tries at one reference from five addresses
    for n in range(5):
        check(client, guest_request.reference, "ZZ99 9ZZ", ip=f"198.51.100.{n}")

    # When a sixth address tries it, written differently, with the right postcode
    response = check(client, guest_request.reference.lower(), POSTCODE, ip="192.0.2.1")

    # Then it is refused
    assert response.status_code == 429


def test_a_reference_tried_with_too_many_wrong_postcodes_in_a_day_is_refused_until_tomorrow(
    client, guest_request, monkeypatch
):
    # Given ten wrong postcodes for one reference, five in each of two ten-minute windows, all
    # early in the reference's day (django-ratelimit staggers each key's windows)
    now = ratelimit_core._get_window(guest_request.reference, 86400) - 86400 + 5
    for window in range(2):
        monkeypatch.setattr(ratelimit_core.time, "time", lambda w=window: now + w * 660)
        for n in range(5):
            response = check(client, guest_request.reference, f"ZZ99 {n}ZZ", ip=f"192.0.2.{n}")
            assert response.status_code == 200

    # When the right postcode is given in a later window
    monkeypatch.setattr(ratelimit_core.time, "time", lambda: now + 3 * 660)
    response = check(client, guest_request.reference, POSTCODE, ip="198.51.100.9")

    # Then it is refused for the day
    assert response.status_code == 429
    assert "You have tried too many times with this reference number. Try again tomorrow." in texts(
        response, "p"
    )


def test_checking_progress_works_in_welsh(client, guest_request):
    response = check(client, guest_request.reference, POSTCODE, prefix="/cy")

    assert response.status_code == 302
    assert response["Location"].startswith("/cy/track/")
    assert client.get(response["Location"]).status_code == 200


def test_the_welsh_page_says_no_match_in_welsh(client, guest_request):
    response = check(client, guest_request.reference, "ZZ99 9ZZ", prefix="/cy")

    assert "Ni allem ddod o hyd i gais gyda’r cyfeirnod a’r cod post hynny" in texts(response, "a")


def test_an_altered_link_is_refused_kindly(client, guest_request):
    token = tracking.make_token(guest_request)
    other = SubmissionFactory(user=None, contact_email="other@example.org")
    forged = token.replace(guest_request.reference, other.reference)

    for path in (
        f"/track/{forged}/",
        "/track/nonsense/",
        f"/track/{token}x/",
        "/track/%F0%9F%92%A9/",
    ):
        response = client.get(path)
        assert response.status_code == 400, path
        assert texts(response, "h1") == ["This link does not work"]
        assert not any(other.reference in text for text in texts(response, "main"))


def test_a_link_signed_for_something_else_does_not_work(client, guest_request):
    # A value signed with the same key but another salt (say, a resume link) is not a tracking link
    token = signing.TimestampSigner(salt="journey.resume").sign(guest_request.reference)

    assert client.get(f"/track/{token}/").status_code == 400


def test_an_expired_link_says_so_and_where_to_find_the_request_again(
    client, guest_request, monkeypatch
):
    # Given a link made eight days ago
    eight_days_ago = time.time() - timedelta(days=8).total_seconds()
    monkeypatch.setattr(signing.time, "time", lambda: eight_days_ago)
    token = tracking.make_token(guest_request)
    monkeypatch.undo()

    # When it is opened today
    response = client.get(f"/track/{token}/")

    # Then the resident is told it expired and where to find their request again
    assert response.status_code == 400
    assert texts(response, "h1") == ["This link has expired"]
    assert "/track/" in re.findall(r'href="([^"]+)"', response.content.decode())


def test_a_link_six_days_old_still_works(client, guest_request, monkeypatch):
    six_days_ago = time.time() - timedelta(days=6).total_seconds()
    monkeypatch.setattr(signing.time, "time", lambda: six_days_ago)
    token = tracking.make_token(guest_request)
    monkeypatch.undo()

    assert client.get(f"/track/{token}/").status_code == 200


def test_a_link_to_a_deleted_request_does_not_work(client, guest_request):
    token = tracking.make_token(guest_request)
    guest_request.delete()

    assert client.get(f"/track/{token}/").status_code == 400
