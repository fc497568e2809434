"""Whole journeys through seeded services, signed in and as a guest."""

import pytest
from django.urls import reverse

from services.models import Draft, Submission
from tests.portal.journey.helpers import answer, draft_from, page_id, start, text_of, title

pytestmark = pytest.mark.django_db


def test_guest_reports_a_missed_bin_and_gets_a_reference_by_email(client, catalogue, mail):
    # Given a guest on the missed bin service
    url = start(client, "report-missed-bin")
    assert page_id(url) == "address"

    # When they find their address by postcode and choose it
    response = client.post(
        url, {"collection_address-lookup": "zz99 1ab", "action": "find:collection_address"}
    )
    assert response.status_code == 200
    assert "6 Mill Lane" in text_of(response)
    url = answer(
        client,
        url,
        {
            "collection_address-mode": "choose",
            "collection_address-lookup": "ZZ99 1AB",
            "collection_address-uprn": "999900001017",
            "action": "continue",
        },
    )
    # ...and answer the rest
    url = answer(client, url, {"bin_type": "recycling"})
    assert page_id(url) == "collection-date"
    url = answer(
        client,
        url,
        {"collection_date-day": "1", "collection_date-month": "1", "collection_date-year": "2024"},
    )
    url = answer(client, url, {"put_out_by_7am": "yes"})
    url = answer(client, url, {"details": "Behind the gate <script>alert(1)</script>"})
    assert page_id(url) == "check-your-answers"

    # Then check-your-answers lists the answers, escaped
    check = client.get(url)
    html = check.content.decode()
    assert "6 Mill Lane<br>Middlehampton<br>ZZ99 1AB" in html
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    # When they give their e-mail address and send
    response = client.post(url, {"contact_email": "guest@example.org"})

    # Then they see the confirmation with the reference, and it is e-mailed to them
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert response["Location"] == reverse(
        "journey:confirmation",
        kwargs={"slug": "report-missed-bin", "reference": submission.reference},
    )
    confirmation = client.get(response["Location"])
    assert submission.reference in text_of(confirmation)
    assert title(confirmation).startswith("Request sent")
    assert submission.user is None
    assert submission.contact_email == "guest@example.org"
    assert submission.uprn == "999900001017"
    assert submission.answers["collection_address"]["line1"] == "6 Mill Lane"
    assert submission.answers["details"] == "Behind the gate <script>alert(1)</script>"
    assert not Draft.objects.exists()
    assert len(mail) == 1
    assert mail[0].to == ["guest@example.org"]
    assert submission.reference in mail[0].subject
    assert submission.reference in mail[0].body
    html_part = mail[0].alternatives[0][0]
    assert submission.reference in html_part


def test_signed_in_resident_gets_their_profile_prefilled_and_can_change_it(
    signed_in, catalogue, resident, mail
):
    client = signed_in
    # Given a signed-in resident whose profile has an address and phone
    url = start(client, "report-noise")
    draft = draft_from(url)
    # Then the draft starts with their phone number from the profile
    assert draft.user == resident
    assert draft.answers == {"phone": "+447911123456"}

    # When they go through the journey
    url = answer(client, url, {"noise_type": "music"})
    url = answer(client, url, {"source": "Number 4, the flat upstairs"})
    url = answer(client, url, {"times": ["evening", "night"]})
    url = answer(client, url, {"started-day": "3", "started-month": "2", "started-year": "2025"})
    url = answer(client, url, {"ongoing": "yes"})
    assert page_id(url) == "how-often"
    url = answer(client, url, {"frequency": "daily"})
    url = answer(client, url, {"effect": "I cannot sleep"})
    assert page_id(url) == "phone"
    phone_page = client.get(url)
    assert 'value="07911 123456"' in phone_page.content.decode()
    url = answer(client, url, {"phone": "07912 345 678"})
    assert page_id(url) == "check-your-answers"

    # And send without being asked for an e-mail address
    response = client.post(url)
    submission = Submission.objects.get()
    assert submission.user == resident
    assert submission.contact_email == resident.email
    assert submission.answers["phone"] == "+447912345678"
    assert client.get(response["Location"]).status_code == 200
    assert mail[0].to == [resident.email]
