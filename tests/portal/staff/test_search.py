"""Case search: one box finds a case by anything a caller reads out; filters narrow the list."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from services.models import AccessLog, Channel, Delivery, Submission
from tests.portal.accounts.factories import UserFactory
from tests.portal.staff.conftest import WASTE, signed_in
from tests.services.delivery_admin.factories import DeliveryFactory

pytestmark = pytest.mark.django_db

ADDRESS = {
    "uprn": "100023336956",
    "line1": "10 Downing Street",
    "line2": "",
    "town": "London",
    "postcode": "SW1A 2AA",
}


def found(client, **params) -> list[str]:
    """The references the search lists, in order."""
    response = client.get(reverse("staff:home"), params)
    assert response.status_code == 200
    return re.findall(r'href="/staff/cases/([A-Z0-9-]+)/"', response.content.decode())


@pytest.fixture
def agent_client(waste_agent):
    return signed_in(waste_agent)


@pytest.fixture
def resident_case(make_case):
    resident = UserFactory(
        full_name="Olwen Pritchard", email="olwen.p@example.org", phone="+447700900982"
    )
    answers = {
        "collection_address": ADDRESS,
        "bin_type": "garden",
        "garden_subscription": "yes",
        "collection_date": "2026-01-05",
        "put_out_by_7am": "yes",
    }
    return make_case(WASTE, user=resident, answers=answers)


@pytest.fixture
def other_case(make_case):
    return make_case(WASTE, user=UserFactory(full_name="Bryn Jones", email="bryn@example.org"))


@pytest.mark.parametrize(
    "typed",
    ["{ref}", "{lower}", "{compact}", " {lower_compact} ", "{spaced}"],
)
def test_a_reference_is_found_however_it_is_typed(agent_client, resident_case, other_case, typed):
    reference = resident_case.reference
    text = typed.format(
        ref=reference,
        lower=reference.lower(),
        compact=reference.replace("-", ""),
        lower_compact=reference.replace("-", "").lower(),
        spaced=reference.replace("-", " "),
    )
    assert found(agent_client, q=text) == [reference]


@pytest.mark.parametrize(
    "typed",
    [
        "Olwen Pritchard",
        "olwen pritchard",
        "PRITCHARD",
        "olwen.p@example.org",
        "OLWEN.P@EXAMPLE.ORG",
        "07700 900982",
        "07700900982",
        "+44 7700 900 982",
        "(07700) 900-982",
        "0044 7700 900982",
        "SW1A 2AA",
        "sw1a2aa",
        "100023336956",
        "Downing Street",
        "10 downing street",
    ],
)
def test_a_case_is_found_by_what_a_caller_reads_out(agent_client, resident_case, other_case, typed):
    assert found(agent_client, q=typed) == [resident_case.reference]


@pytest.mark.parametrize("typed", ["Nobody Atall", "zz99 9zz", "07000 000000", "x@y.z", "ab"])
def test_text_that_matches_nothing_lists_nothing(agent_client, resident_case, other_case, typed):
    assert found(agent_client, q=typed) == []


def test_an_empty_search_lists_every_visible_case_newest_first(
    agent_client, resident_case, other_case, streets_case
):
    Submission.objects.filter(pk=resident_case.pk).update(
        created_at=timezone.now() - dt.timedelta(days=3)
    )
    assert found(agent_client) == [other_case.reference, resident_case.reference]
    assert found(agent_client, sort="oldest") == [resident_case.reference, other_case.reference]


def test_filters_narrow_the_list(agent_client, make_case, resident_case, other_case):
    # Given a phoned-in case that was closed, whose delivery failed
    Submission.objects.filter(pk=other_case.pk).update(
        status=Submission.Status.CLOSED_FIXED, channel=Channel.PHONE
    )
    phoned = other_case.reference

    assert found(agent_client, status="closed_fixed") == [phoned]
    assert found(agent_client, channel="phone") == [phoned]
    assert found(agent_client, channel="web") == [resident_case.reference]
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert len(found(agent_client, submitted_from=today, submitted_to=today)) == 2
    assert found(agent_client, submitted_to="1/1/2000") == []


def test_the_delivery_filter_finds_cases_by_the_state_of_their_deliveries(
    agent_client, resident_case, other_case
):
    DeliveryFactory(submission=resident_case, state=Delivery.State.FAILED)
    DeliveryFactory(submission=other_case, state=Delivery.State.DELIVERED)

    assert found(agent_client, delivery="failed") == [resident_case.reference]
    assert found(agent_client, delivery="delivered") == [other_case.reference]
    assert found(agent_client, delivery="retrying") == []


def test_results_come_in_pages_and_a_page_past_the_end_shows_the_last(agent_client, make_case):
    cases = [make_case(WASTE) for _ in range(27)]
    first, second = found(agent_client), found(agent_client, page="2")
    assert len(first) == 25
    assert len(second) == 2
    assert set(first) | set(second) == {case.reference for case in cases}
    assert found(agent_client, page="99999999999999999999") == second
    assert found(agent_client, page="junk") == first


def test_a_search_page_uses_the_same_number_of_queries_whatever_it_lists(agent_client, make_case):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert agent_client.get(reverse("staff:home")).status_code == 200
        return len(captured)

    make_case(WASTE)
    one = queries()
    for _ in range(30):
        make_case(WASTE)
    assert queries() == one


def test_each_case_a_search_lists_is_recorded_in_the_access_log(
    waste_agent, agent_client, resident_case, other_case
):
    found(agent_client, q="Pritchard")
    rows = AccessLog.objects.filter(actor=waste_agent, where="staff:search")
    assert [row.submission for row in rows] == [resident_case]


@pytest.mark.parametrize(
    "params",
    [
        {"q": "a\x00b"},
        {"q": "x" * 201},
        {"service": "junk"},
        {"service": "99999999999999999999999"},
        {"status": "open; drop table"},
        {"channel": "carrier pigeon"},
        {"delivery": "lost"},
        {"submitted_from": "31/2/2026"},
        {"submitted_from": "2/3/2026", "submitted_to": "1/3/2026"},
        {"sort": "password"},
    ],
)
def test_bad_input_gets_a_clear_error_and_lists_nothing(agent_client, resident_case, params):
    response = agent_client.get(reverse("staff:home"), params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "<title>Error:" in html
    assert resident_case.reference not in re.findall(r"/staff/cases/([A-Z0-9-]+)/", html)


@pytest.mark.parametrize(
    "text", ["ÆØÅ ßẞ", "🗑️🚮", "‮evil", "%", "_", "\\", "' OR 1=1 --", "a" * 200]
)
def test_odd_text_is_searched_for_as_text(agent_client, resident_case, text):
    assert found(agent_client, q=text) == []


def test_a_service_outside_the_agents_teams_is_not_offered_or_accepted(
    agent_client, catalogue, streets_case
):
    streets = streets_case.service
    response = agent_client.get(reverse("staff:home"))
    assert f'value="{streets.pk}"' not in response.content.decode()
    response = agent_client.get(reverse("staff:home"), {"service": streets.pk})
    assert "Select a service from the list" in response.content.decode()


def test_a_guest_is_listed_by_the_name_they_gave_or_else_their_email(agent_client, make_case):
    make_case(WASTE, user=None, contact_name="Gwen Ellis", contact_email="gwen@example.org")
    make_case(WASTE, user=None, contact_name="", contact_email="no.name@example.org")

    page = agent_client.get(reverse("staff:home")).content.decode()

    assert "Gwen Ellis" in page
    assert "gwen@example.org" not in page
    assert "no.name@example.org" in page
