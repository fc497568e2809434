"""Guests can find their way back to a request: the confirmation page and the acknowledgement
e-mail take them straight to it by a signed link, not to a form to fill in first."""

import re

import pytest
from django.test import Client

from services.models import Submission
from tests.portal.catalogue.helpers import texts
from tests.portal.journey.test_flow import replacement_bin_to_check

pytestmark = pytest.mark.django_db

_TRACK_LINK = re.compile(r"(/(?:cy/)?track/[^/\s\"]+/)")


def links(response) -> list[str]:
    return re.findall(r'href="([^"]+)"', response.content.decode())


def test_guest_confirmation_page_links_straight_to_the_request(client, catalogue, mail):
    # Given a guest who has just sent a request
    check = replacement_bin_to_check(client)
    sent = client.post(check, {"contact_email": "guest@example.org"})
    confirmation = client.get(sent["Location"])
    reference = Submission.objects.get().reference

    # When they follow the confirmation page's link, even from another browser
    [track] = [link for link in links(confirmation) if _TRACK_LINK.fullmatch(link)]
    response = Client().get(track)

    # Then it shows their request, and the page also says where to check its progress
    assert response.status_code == 200
    assert reference in " ".join(texts(response, "h1", "dd"))
    assert "/track/" in links(confirmation)


def test_guest_acknowledgement_email_links_straight_to_the_request(client, catalogue, mail):
    # Given a guest who sent a request
    check = replacement_bin_to_check(client)
    client.post(check, {"contact_email": "guest@example.org"})
    reference = Submission.objects.get().reference

    # When they open the link in the e-mail we sent them
    [message] = mail
    match = _TRACK_LINK.search(str(message.body))
    assert match, message.body
    response = Client().get(match.group(1))

    # Then it is their request, not the page asking for a reference and address
    assert response.status_code == 200
    assert reference in " ".join(texts(response, "h1", "dd"))


def test_signed_in_confirmation_sends_residents_to_their_account_not_a_tracking_link(
    signed_in, catalogue, mail
):
    # Given a signed-in resident who has just sent a request
    check = replacement_bin_to_check(signed_in)
    confirmation = signed_in.get(signed_in.post(check)["Location"])

    # Then the page links to their account and carries no tracking link
    assert "/account/" in links(confirmation)
    assert not [link for link in links(confirmation) if "/track/" in link]
