"""Every question type, through the view: GOV.UK markup, errors that say what to fix, answers
kept, and the clean answer saved."""

import io

import pytest
from PIL import Image

from tests.portal.journey.forms import EVERY_TYPE, live_service
from tests.portal.journey.helpers import (
    answer,
    assert_clear_error,
    draft_from,
    error_summary_targets,
    start,
    text_of,
    title,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey(client, db):
    live_service(EVERY_TYPE, "every-type")
    return start(client, "every-type")


def page_url(first_url, page):
    return first_url.rstrip("/").rsplit("/", 1)[0] + f"/{page}/"


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


# (page, bad POST, input the summary links to, message, good POST, saved answer)
CASES = [
    (
        "p-short",
        {"short": "ab"},
        "short",
        "3 characters or more",
        {"short": " Ada  Lovelace "},
        "Ada Lovelace",
    ),
    ("p-long", {"long": "x" * 51}, "long", "50 characters or less", {"long": "a\nb"}, "a\nb"),
    ("p-number", {"number": "eleven"}, "number", "must be a number", {"number": "7"}, 7),
    (
        "p-email",
        {"email": "not-an-email"},
        "email",
        "correct format",
        {"email": "a@EXAMPLE.org"},
        "a@example.org",
    ),
    (
        "p-phone",
        {"phone": "123"},
        "phone",
        "Enter a telephone number",
        {"phone": "07912 345678"},
        "+447912345678",
    ),
    (
        "p-postcode",
        {"postcode": "nowhere"},
        "postcode",
        "Enter a real postcode",
        {"postcode": "sw1a2aa"},
        "SW1A 2AA",
    ),
    (
        "p-date",
        {"date-day": "31", "date-month": "2", "date-year": "2020"},
        "date-day",
        "must be a real date",
        {"date-day": "1", "date-month": "2", "date-year": "2020"},
        "2020-02-01",
    ),
    ("p-radios", {"radios": "purple"}, "radios", "Select an option", {"radios": "green"}, "green"),
    (
        "p-checkboxes",
        {"checkboxes": ["red", "purple"]},
        "checkboxes",
        "Select",
        {"checkboxes": ["blue", "red"]},
        ["red", "blue"],
    ),
    ("p-select", {"select": "purple"}, "select", "Select an option", {"select": "blue"}, "blue"),
    ("p-yes-no", {"yes_no": "maybe"}, "yes_no", "Select yes or no", {"yes_no": "no"}, "no"),
    (
        "p-location",
        {"location-description": "", "location-lat": "10", "location-lng": "10"},
        "location-description",
        "Choose a location in the UK",
        {
            "location-description": "By the <b>bus stop</b>",
            "location-lat": "52.2",
            "location-lng": "-0.9",
        },
        {"lat": 52.2, "lng": -0.9, "description": "By the <b>bus stop</b>"},
    ),
    ("p-declaration", {}, "declaration", "Confirm", {"declaration": "yes"}, True),
    (
        "p-vehicle",
        {"vehicle": "ZZZZZZZZZ"},
        "vehicle",
        "real vehicle registration",
        {"vehicle": "ab12cde"},
        "AB12 CDE",
    ),
]


@pytest.mark.parametrize(
    ("page", "bad", "target", "message", "good", "saved"), CASES, ids=[c[0] for c in CASES]
)
def test_each_question_type_shows_a_clear_error_then_saves_a_clean_answer(
    client, journey, page, bad, target, message, good, saved
):
    url = page_url(journey, page)
    # Given the page renders with its question as the page heading
    shown = client.get(url)
    assert shown.status_code == 200
    assert 'class="govuk-label govuk-label--l"' in shown.content.decode() or (
        "govuk-fieldset__legend--l" in shown.content.decode()
    )

    # When the answer is wrong
    response = client.post(url, bad)

    # Then the page says what is wrong, GOV.UK style, keeping the answer given
    assert_clear_error(response)
    assert error_summary_targets(response) == [target]
    assert message in text_of(response)
    assert "govuk-form-group--error" in response.content.decode()
    for value in bad.values():
        for item in value if isinstance(value, list) else [value]:
            if item in ("ab", "31", "not-an-email", "123", "nowhere", "eleven", "ZZZZZZZZZ"):
                assert f'value="{item}"' in response.content.decode()

    # When it is put right, the clean answer is saved and the journey moves on
    answer(client, url, good)
    assert draft_from(url).answers[page.split("-", 1)[1].replace("-", "_")] == saved


def test_a_long_answer_given_wrongly_is_kept_in_the_textarea_escaped(client, journey):
    url = page_url(journey, "p-long")
    response = client.post(url, {"long": "<script>x</script>" * 5})
    assert_clear_error(response)
    assert "&lt;script&gt;x&lt;/script&gt;" in response.content.decode()
    assert "<script>x</script>" not in response.content.decode()


def test_text_inputs_carry_autocomplete_inputmode_and_widths(client, journey):
    html = client.get(page_url(journey, "p-email")).content.decode()
    assert 'type="email"' in html
    assert 'autocomplete="email"' in html
    assert 'autocomplete="tel"' in client.get(page_url(journey, "p-phone")).content.decode()
    html = client.get(page_url(journey, "p-postcode")).content.decode()
    assert 'autocomplete="postal-code"' in html
    assert "govuk-input--width-10" in html
    assert 'inputmode="decimal"' in client.get(page_url(journey, "p-number")).content.decode()
    assert 'autocomplete="name"' in client.get(journey).content.decode()
    html = client.get(page_url(journey, "p-date")).content.decode()
    assert html.count('inputmode="numeric"') == 3
    assert "govuk-date-input" in html


def test_address_found_by_postcode_is_looked_up_again_by_uprn_ignoring_posted_lines(
    client, journey
):
    url = page_url(journey, "p-address")
    # Given the postcode search
    found = client.post(url, {"address-lookup": "ZZ99 1AB", "action": "find:address"})
    assert found.status_code == 200
    assert 'name="address-uprn"' in found.content.decode()

    # When the resident chooses an address and the POST also carries forged lines
    answer(
        client,
        url,
        {
            "address-mode": "choose",
            "address-lookup": "ZZ99 1AB",
            "address-uprn": "999900001017",
            "address-line1": "10 Downing Street",
            "address-town": "London",
            "action": "continue",
        },
    )

    # Then the address saved is the gazetteer's
    saved = draft_from(url).answers["address"]
    assert saved == {
        "uprn": "999900001017",
        "line1": "6 Mill Lane",
        "line2": "",
        "town": "Middlehampton",
        "postcode": "ZZ99 1AB",
    }


def test_address_problems_are_errors_linked_to_the_right_input(client, journey):
    url = page_url(journey, "p-address")
    bad_postcode = client.post(url, {"address-lookup": "nonsense", "action": "find:address"})
    assert_clear_error(bad_postcode)
    assert error_summary_targets(bad_postcode) == ["address-lookup"]

    nothing_chosen = client.post(url, {"address-mode": "choose", "address-lookup": "ZZ99 1AB"})
    assert_clear_error(nothing_chosen)
    assert error_summary_targets(nothing_chosen) == ["address-uprn"]

    unknown_uprn = client.post(
        url, {"address-mode": "choose", "address-lookup": "ZZ99 1AB", "address-uprn": "123"}
    )
    assert_clear_error(unknown_uprn)


def test_address_can_be_typed_in_without_a_lookup(client, journey):
    url = page_url(journey, "p-address")
    manual = client.post(url, {"action": "manual:address"})
    assert 'autocomplete="address-line1"' in manual.content.decode()
    missing_town = client.post(
        url, {"address-mode": "manual", "address-line1": "1 Lane", "address-postcode": "ZZ99 1AB"}
    )
    assert_clear_error(missing_town)
    assert error_summary_targets(missing_town) == ["address-town"]
    answer(
        client,
        url,
        {
            "address-mode": "manual",
            "address-line1": "1 Lane",
            "address-town": "Town",
            "address-postcode": "zz991ab",
            "address-uprn": "999900001017",
        },
    )
    saved = draft_from(url).answers["address"]
    assert saved["uprn"] is None
    assert saved["postcode"] == "ZZ99 1AB"


def test_file_upload_is_checked_by_content_and_shown_as_uploaded(client, journey):
    url = page_url(journey, "p-file")
    html = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'class="govuk-file-upload"' in html

    # A text file named like a photo is refused
    disguised = io.BytesIO(b"#!/bin/sh\necho hello\n")
    disguised.name = "photo.jpg"
    response = client.post(url, {"file": disguised})
    assert_clear_error(response)
    assert "must be a JPG, PNG, WebP or PDF" in text_of(response)

    # A real PNG is accepted, stored and remembered by the draft
    photo = io.BytesIO(png_bytes())
    photo.name = "my photo.png"
    answer(client, url, {"file": photo})
    draft = draft_from(url)
    assert draft.answers["file"]["name"] == "my photo.png"
    assert draft.uploads == [draft.answers["file"]["reference"]]
    assert "Uploaded: my photo.png" in text_of(client.get(url))

    # Continuing without choosing again keeps it; a forged reference in the POST is ignored
    answer(client, url, {"file": "uploads/" + "A" * 32 + ".png", "file-name": "x.png"})
    assert draft_from(url).answers["file"] == draft.answers["file"]


def test_a_file_over_the_question_limit_is_refused_with_its_size(client, journey):
    url = page_url(journey, "p-file")
    big = io.BytesIO(png_bytes() + b"\0" * (1024 * 1024 + 1))
    big.name = "big.png"
    response = client.post(url, {"file": big})
    assert_clear_error(response)
    assert "smaller than 1MB" in text_of(response)


def test_a_file_over_the_upload_cap_is_dropped_while_received(client, journey, monkeypatch):
    monkeypatch.setattr("portal.journey.uploads.MAX_UPLOAD_BYTES", 100)
    url = page_url(journey, "p-file")
    photo = io.BytesIO(png_bytes() + b"\0" * 500)
    photo.name = "big.png"
    response = client.post(url, {"file": photo})
    assert_clear_error(response)
    assert "smaller than 1MB" in text_of(response)
    assert draft_from(url).uploads == []


def test_question_pages_work_in_welsh(client, journey):
    url = "/cy" + page_url(journey, "p-radios")
    response = client.post(url, {"radios": "purple"})
    assert response.status_code == 200
    assert title(response).startswith("Gwall") or title(response).startswith("Error")
    assert "Dewiswch opsiwn" in text_of(response)
    assert "Question radios (cy)" in text_of(response)


def test_only_a_location_question_brings_the_map_with_its_settings(client, journey, settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_CENTRE = (51.4816, -3.1791)
    settings.MAP_ZOOM = 12

    for url in (page_url(journey, "p-location"), "/cy" + page_url(journey, "p-location")):
        html = client.get(url).content.decode()
        assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in html
        # Numbers as the script reads them, whatever the language of the page.
        assert 'data-centre="51.4816,-3.1791"' in html
        assert 'data-zoom="12"' in html
        assert "build/leaflet/leaflet.css" in html
        assert "build/leaflet/leaflet.js" in html
    assert "leaflet" not in client.get(page_url(journey, "p-short")).content.decode()
