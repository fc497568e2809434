"""Hints that are true without JavaScript and on any day, and answers read back in a resident's
words (a pin, not its coordinates)."""

from datetime import date

import pytest
from django.utils import timezone, translation

from portal.journey.fields import build_field, date_example
from tests.portal.dashboard.factories import SubmissionFactory
from tests.portal.journey.forms import EVERY_TYPE, live_service
from tests.portal.journey.helpers import answer, start, text_of

pytestmark = pytest.mark.django_db


def hint_of(response, question_id: str) -> str:
    html = response.content.decode()
    start_tag = html.index(f'id="{question_id}-hint"')
    return text_of_fragment(html[html.index(">", start_tag) + 1 : html.index("</div>", start_tag)])


def text_of_fragment(fragment: str) -> str:
    return " ".join(fragment.split())


def test_location_hint_without_javascript_describes_the_text_box_not_the_map(client, catalogue):
    # Given a resident reporting a pothole, with no JavaScript (the test client runs none)
    first = start(client, "report-pothole")
    location = answer(client, first, {"immediate_danger": "no"})

    # When the location question is shown
    response = client.get(location)

    # Then its hint tells them to describe the place, and says nothing of a map they cannot see
    hint = hint_of(response, "pothole_location")
    assert hint.startswith("Describe where it is")
    assert "map" not in hint.lower()


def report_pothole(client) -> str:
    """Answer every page of the pothole form, putting a pin down; returns check your answers."""
    url = answer(client, start(client, "report-pothole"), {"immediate_danger": "no"})
    url = answer(
        client,
        url,
        {
            "pothole_location-description": "Outside the library",
            "pothole_location-lat": "51.48123456",
            "pothole_location-lng": "-3.17912345",
        },
    )
    url = answer(client, url, {"surface": "road"})
    url = answer(client, url, {"pothole_size": "small"})
    return answer(client, url, {})


def test_check_your_answers_shows_a_location_as_its_description_and_a_pin(client, catalogue):
    # Given a resident who described a pothole's place and put a pin on the map
    check = report_pothole(client)

    # When they check their answers
    page = text_of(client.get(check))

    # Then the location reads as their words and "Pin on map", never as coordinates
    assert "Where is the pothole? Outside the library Pin on map" in page
    assert "51.48" not in page
    assert "-3.17" not in page


def test_my_request_shows_a_location_as_its_description_and_a_pin(client, catalogue, resident):
    # Given a sent pothole report with a description and a pin
    submission = SubmissionFactory(
        user=resident,
        form_version=catalogue["report-pothole"].live_version,
        answers={
            "immediate_danger": "no",
            "pothole_location": {"lat": 51.481234, "lng": -3.179123, "description": "By the bank"},
            "surface": "road",
            "pothole_size": "small",
        },
    )
    client.force_login(resident)

    # When the resident opens it in their account
    page = text_of(client.get(f"/account/requests/{submission.reference}/"))

    # Then the location is their description and a pin, not coordinates
    assert "By the bank Pin on map" in page
    assert "51.48" not in page


@pytest.mark.parametrize(
    ("rule", "today", "expected"),
    [
        (None, date(2026, 12, 2), date(2025, 12, 2)),  # a Tuesday a year back
        ("past", date(2026, 12, 7), date(2025, 12, 5)),  # a year back is a Sunday: the Friday
        ("today_or_past", date(2026, 3, 1), date(2025, 2, 28)),
        ("future", date(2026, 12, 5), date(2026, 12, 28)),  # three weeks on is a Saturday: Monday
        ("today_or_future", date(2026, 12, 2), date(2026, 12, 23)),
    ],
)
def test_date_examples_are_near_today_allowed_by_the_rule_and_on_a_weekday(rule, today, expected):
    example = date_example(rule, today)

    assert example == expected
    assert example.weekday() < 5
    assert (example < today) if rule in (None, "past", "today_or_past") else (example > today)


def test_date_hint_gives_an_example_from_about_a_year_ago_not_a_fixed_year(client, catalogue):
    # Given a resident reporting a missed bin, on the page asking when it should have been emptied
    live_service(EVERY_TYPE, "every-type")
    first = start(client, "every-type")
    date_page = first.rstrip("/").rsplit("/", 1)[0] + "/p-date/"

    # When the date question is shown
    hint = hint_of(client.get(date_page), "date")

    # Then its example is the computed one, written as it is typed
    example = date_example("past", timezone.localdate())
    assert hint == f"For example, {example.day} {example.month} {example.year}"


def test_seeded_date_hints_keep_their_own_words_and_add_a_computed_example(catalogue):
    # Given the bulky waste form, whose collection date must be in the future
    schema = catalogue["book-bulky-waste"].live_version.parsed
    question = next(q for q in schema.questions if q.id == "preferred_date")

    # When its field is built for the page
    with translation.override("en"):
        field = build_field(question, {}, None, "en", heading=True)

    # Then the council's sentence stays, followed by an example in the next few weeks
    example = date_example("future", timezone.localdate())
    assert field.hint == (
        f"We collect Monday to Friday. For example, {example.day} {example.month} {example.year}"
    )
