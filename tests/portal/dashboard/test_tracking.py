import re
import time
from datetime import timedelta

import pytest
from django.core import signing

from portal.dashboard import tracking
from tests.portal.accounts.helpers import error_summary_targets, title
from tests.portal.catalogue.helpers import texts
from tests.portal.dashboard.factories import SubmissionFactory

_LINK = re.compile(r"http://testserver(/(?:cy/)?track/[^/\s]+/)")
SAME_PAGE = (
    "If the details match, we have sent a link to the email address you gave with your request."
)


@pytest.fixture
def guest_request(catalogue):
    return SubmissionFactory(user=None, contact_email="Guest.Person@Example.org")


def ask_for_link(client, reference: str, email: str, ip: str = "203.0.113.5"):
    return client.post(
        "/track/", {"reference": reference, "email": email}, follow=True, REMOTE_ADDR=ip
    )


def test_matching_details_email_one_link_that_shows_the_request(
    client, guest_request, mail_through_celery
):
    # Given a guest's request
    # When they ask with the reference as they might type it and their address in another case
    response = ask_for_link(
        client, guest_request.reference.lower().replace("-", " "), "guest.person@example.ORG"
    )

    # Then they see the neutral page, and one e-mail goes to the address on the request
    assert SAME_PAGE in texts(response, "p")
    assert len(mail_through_celery) == 1
    message = mail_through_celery[0]
    assert message.to == ["Guest.Person@Example.org"]
    assert guest_request.reference in message.subject

    # And the link in it shows the request, read-only, without signing in
    (path,) = _LINK.findall(message.body)
    page = client.get(path)
    assert page.status_code == 200
    answers = dict(zip(texts(page, "dt"), texts(page, "dd"), strict=True))
    assert answers["Reference"] == guest_request.reference
    assert answers["Which bin was not collected?"] == "Garden waste (brown bin)"
    assert "<script>alert(1)" not in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0")


@pytest.mark.parametrize(
    ("reference", "email"),
    [
        ("right", "someone.else@example.org"),
        ("ABCD-EFGH", "guest.person@example.org"),
        ("not a reference at all", "guest.person@example.org"),
        ("<script>alert(1)</script>", "guest.person@example.org"),
        ("Ŵ" * 500, "guest.person@example.org"),
    ],
)
def test_details_that_do_not_match_send_nothing_but_show_the_same_page(
    client, guest_request, mail_through_celery, reference, email
):
    # When someone asks with details that do not match any request
    response = ask_for_link(
        client, guest_request.reference if reference == "right" else reference, email
    )

    # Then they see exactly what a match would show, and no e-mail is sent
    assert response.redirect_chain == [("/track/sent/", 302)]
    assert SAME_PAGE in texts(response, "p")
    assert mail_through_celery == []


def test_an_account_holder_s_request_can_be_tracked_by_its_contact_address(
    client, catalogue, mail_through_celery
):
    submission = SubmissionFactory()

    ask_for_link(client, submission.reference, submission.user.email.upper())

    assert len(mail_through_celery) == 1


@pytest.mark.parametrize(
    ("data", "targets"),
    [
        ({"reference": "", "email": ""}, ["id_reference", "id_email"]),
        ({"reference": "K7WP-3XMR", "email": "not-an-email"}, ["id_email"]),
        ({"reference": ["A", "B"], "email": "a@example.org\x00"}, ["id_email"]),
    ],
)
def test_missing_or_malformed_answers_get_the_gov_uk_error_pattern(
    client, db, mail_through_celery, data, targets
):
    response = client.post("/track/", data)

    assert response.status_code == 200
    assert title(response).startswith("Error: Check the progress of a request")
    assert error_summary_targets(response) == targets
    assert mail_through_celery == []


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


def test_an_expired_link_says_so_and_offers_a_new_one(client, guest_request, monkeypatch):
    # Given a link made eight days ago
    eight_days_ago = time.time() - timedelta(days=8).total_seconds()
    monkeypatch.setattr(signing.time, "time", lambda: eight_days_ago)
    token = tracking.make_token(guest_request)
    monkeypatch.undo()

    # When it is opened today
    response = client.get(f"/track/{token}/")

    # Then the resident is told it expired and where to get a new one
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


def test_asking_too_often_from_one_address_is_refused_with_a_clear_message(
    client, guest_request, mail_through_celery
):
    # Given five requests for links from one IP address, for different references
    for n in range(5):
        ask_for_link(client, f"ABCD-EFG{n + 2}", "x@example.org")

    # When the same address asks a sixth time, even with the right details
    response = client.post(
        "/track/",
        {"reference": guest_request.reference, "email": "guest.person@example.org"},
        REMOTE_ADDR="203.0.113.5",
    )

    # Then it is refused with a clear message and nothing is sent
    assert response.status_code == 429
    assert title(response).startswith("Error: ")
    assert "You have asked too many times. Wait 10 minutes, then try again." in (
        response.content.decode()
    )
    assert mail_through_celery == []

    # And another address is not affected
    ask_for_link(client, guest_request.reference, "guest.person@example.org", ip="198.51.100.7")
    assert len(mail_through_celery) == 1


def test_asking_too_often_about_one_reference_is_refused_from_any_address(
    client, guest_request, mail_through_celery
):
    # Given five tries at one reference from five addresses
    for n in range(5):
        ask_for_link(client, guest_request.reference, "wrong@example.org", ip=f"198.51.100.{n}")

    # When a sixth address tries it, written differently
    response = client.post(
        "/track/",
        {"reference": guest_request.reference.lower(), "email": "guest.person@example.org"},
        REMOTE_ADDR="192.0.2.1",
    )

    # Then it is refused
    assert response.status_code == 429
    assert mail_through_celery == []


def test_tracking_works_in_welsh(client, guest_request, mail_through_celery):
    response = client.post(
        "/cy/track/",
        {"reference": guest_request.reference, "email": "guest.person@example.org"},
        follow=True,
    )

    assert response.redirect_chain == [("/cy/track/sent/", 302)]
    (path,) = _LINK.findall(mail_through_celery[0].body)
    assert path.startswith("/cy/track/")
    assert client.get(path).status_code == 200


def test_asking_for_links_to_one_address_too_often_is_refused_from_any_client(
    client, guest_request, mail_through_celery
):
    # Given five links asked for with one address, for five references, from five clients
    for n in range(5):
        ask_for_link(client, f"ABCD-EFG{n + 2}", "guest.person@example.org", ip=f"198.51.100.{n}")

    # When a sixth client asks with that address and details that match
    response = client.post(
        "/track/",
        {"reference": guest_request.reference, "email": "Guest.Person@example.org"},
        REMOTE_ADDR="192.0.2.1",
    )

    # Then it is refused with a clear message, and nothing is sent to the address
    assert response.status_code == 429
    assert title(response).startswith("Error: ")
    assert "Too many emails have been sent to this address or from this device." in (
        response.content.decode()
    )
    assert mail_through_celery == []
