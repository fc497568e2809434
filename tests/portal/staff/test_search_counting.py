"""A broad search counts its cases only so far: past COUNT_LIMIT it says "more than", and its
pages go that far (counting every case of a broad filter at a million cases costs more than
the rest of the page; `make bench-search`)."""

import re

import pytest
from django.urls import reverse

from tests.portal.staff.conftest import WASTE, signed_in

pytestmark = pytest.mark.django_db


def test_more_cases_than_are_counted_says_so(waste_agent, make_case, monkeypatch):
    monkeypatch.setattr("services.staff.search.COUNT_LIMIT", 3)
    cases = [make_case(WASTE) for _ in range(5)]
    client = signed_in(waste_agent)

    response = client.get(reverse("staff:home"))

    html = response.content.decode()
    assert "More than 3 cases" in html
    assert "narrow your search" in html
    # The pages go as far as the count: the newest three cases, on one page
    shown = re.findall(r'href="/staff/cases/([A-Z0-9-]+)/"', html)
    assert shown == [case.reference for case in reversed(cases)][:3]
    assert 'rel="next"' not in html


def test_a_count_within_the_limit_is_exact(waste_agent, make_case, monkeypatch):
    monkeypatch.setattr("services.staff.search.COUNT_LIMIT", 3)
    for _ in range(3):
        make_case(WASTE)

    html = signed_in(waste_agent).get(reverse("staff:home")).content.decode()

    assert "3 cases" in html
    assert "More than" not in html
