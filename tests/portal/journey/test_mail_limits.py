"""E-mail to an address a guest types in (resume links, acknowledgements) is rate limited per
client and per address, with the GOV.UK error pattern, and nothing is sent once over."""

import pytest
from django.urls import reverse

from portal.core.ratelimit import MAIL_PER_ADDRESS, MAIL_PER_CLIENT
from services.models import Submission
from tests.portal.accounts.helpers import error_summary_targets, title
from tests.portal.conftest import CommittingClient
from tests.portal.journey.helpers import answer, draft_from, start, text_of
from tests.portal.journey.test_flow import replacement_bin_to_check

pytestmark = pytest.mark.django_db

TOO_MANY = (
    "Too many emails have been sent to this address or from this device. "
    "Wait 60 minutes, then try again."
)


def save_url(client) -> str:
    """A guest's new pothole draft, saved for later: the page asking where to send the link."""
    url = start(client, "report-pothole")
    url = answer(client, url, {"immediate_danger": "no"})
    return reverse(
        "journey:save", kwargs={"slug": "report-pothole", "draft_id": draft_from(url).id}
    )


def ask_for_resume_link(client, save: str, email: str, ip: str):
    return client.post(save, {"step": "email", "contact_email": email}, REMOTE_ADDR=ip)


def test_resume_links_to_one_address_stop_at_its_limit_from_any_client(catalogue, mail):
    # Given five resume links sent to one address, each asked for from a different address
    for n in range(5):
        client = CommittingClient(REMOTE_ADDR=f"198.51.100.{n}")
        sent = ask_for_resume_link(
            client, save_url(client), "victim@example.org", f"198.51.100.{n}"
        )
        assert "We have sent you a link" in text_of(sent)
    assert len(mail) == 5

    # When a sixth client asks for one to the same address, written differently
    client = CommittingClient(REMOTE_ADDR="192.0.2.1")
    response = ask_for_resume_link(client, save_url(client), " Victim@Example.org", "192.0.2.1")

    # Then it is refused with the GOV.UK error pattern on the address box, and nothing is sent
    assert response.status_code == 429
    assert title(response).startswith("Error: ")
    assert error_summary_targets(response) == ["contact_email"]
    assert TOO_MANY in text_of(response)
    assert len(mail) == 5


def test_resume_links_from_one_client_stop_at_its_limit_for_any_address(catalogue, mail):
    # Given one client that has had resume links sent to ten different addresses
    client = CommittingClient(REMOTE_ADDR="203.0.113.9")
    save = save_url(client)
    for n in range(10):
        sent = ask_for_resume_link(client, save, f"person{n}@example.org", "203.0.113.9")
        assert sent.status_code == 200
    assert len(mail) == 10

    # When it asks for an eleventh
    response = ask_for_resume_link(client, save, "another@example.org", "203.0.113.9")

    # Then it is refused and nothing is sent
    assert response.status_code == 429
    assert TOO_MANY in text_of(response)
    assert len(mail) == 10


def test_the_limits_are_per_hour_as_the_message_says():
    assert MAIL_PER_CLIENT.minutes == MAIL_PER_ADDRESS.minutes == 60


def test_a_guest_s_acknowledgement_address_counts_towards_the_same_limit(catalogue, mail):
    # Given five resume links sent to one address
    for n in range(5):
        client = CommittingClient()
        ask_for_resume_link(client, save_url(client), "victim@example.org", f"198.51.100.{n}")

    # When a guest sends a request giving that address for the acknowledgement
    client = CommittingClient()
    url = replacement_bin_to_check(client)
    response = client.post(url, {"contact_email": "victim@example.org"}, REMOTE_ADDR="192.0.2.7")

    # Then the check page says why, and nothing is sent or submitted
    assert response.status_code == 429
    assert error_summary_targets(response) == ["contact_email"]
    assert TOO_MANY in text_of(response)
    assert not Submission.objects.exists()
    assert len(mail) == 5


def test_the_refusal_is_in_welsh_on_the_welsh_pages(catalogue, mail):
    for n in range(5):
        client = CommittingClient()
        ask_for_resume_link(client, save_url(client), "victim@example.org", f"198.51.100.{n}")

    client = CommittingClient()
    save = save_url(client).replace("/", "/cy/", 1)
    response = ask_for_resume_link(client, save, "victim@example.org", "192.0.2.1")

    assert response.status_code == 429
    assert "Mae gormod o negeseuon e-bost wedi'u hanfon" in text_of(response)
