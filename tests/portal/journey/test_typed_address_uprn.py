"""A typed-in address reaches the back office with its UPRN when the gazetteer knows it."""

import pytest

from services.models import Submission
from tests.portal.journey.helpers import answer, draft_from, page_id, start

pytestmark = pytest.mark.django_db


def send_replacement_bin(client, line1: str, postcode: str) -> Submission:
    url = start(client, "request-replacement-bin")
    draft = draft_from(url)
    url = answer(
        client,
        url,
        {
            "bin_address-mode": "manual",
            "bin_address-line1": line1,
            "bin_address-town": "Middlehampton",
            "bin_address-postcode": postcode,
        },
    )
    url = answer(client, url, {"bin_type": "general"})
    url = answer(client, url, {"reason": "lost"})
    assert page_id(url) == "check-your-answers"
    client.post(url, {"contact_email": "guest@example.org"})
    return Submission.objects.get(answers__has_key="bin_address", form_version=draft.form_version)


def test_a_typed_address_that_matches_one_gazetteer_address_is_sent_with_its_uprn(
    client, catalogue, mail
):
    # Given a resident who types their address instead of finding it by postcode
    # When they send the form
    submission = send_replacement_bin(client, "6 mill lane", "zz99 1ab")

    # Then the answer the back office gets carries the property's UPRN, and their own words
    address = submission.answers["bin_address"]
    assert address["uprn"] == "999900001017"
    assert address["line1"] == "6 mill lane"


def test_a_typed_address_matching_several_is_sent_without_a_uprn(client, catalogue, mail):
    # "Flat 1" at ZZ99 1AD is in four buildings: guessing would send the crew to the wrong one
    submission = send_replacement_bin(client, "Flat 1", "ZZ99 1AD")

    assert submission.answers["bin_address"]["uprn"] is None
