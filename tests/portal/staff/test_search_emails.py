"""An e-mail address finds the cases that carry it whole, and never by a part of someone else's
(`services.staff.search.email_condition`: a GIN index of whole addresses at scale)."""

import re

import pytest
from django.urls import reverse

from tests.portal.accounts.factories import UserFactory
from tests.portal.staff.conftest import WASTE, signed_in

pytestmark = pytest.mark.django_db


def found(client, q: str) -> list[str]:
    response = client.get(reverse("staff:home"), {"q": q})
    assert response.status_code == 200
    return re.findall(r'href="/staff/cases/([A-Z0-9-]+)/"', response.content.decode())


def test_an_address_finds_the_case_whichever_of_its_addresses_it_is(waste_agent, make_case):
    # Given a resident whose account address differs from the one given on the form
    resident = UserFactory(email="olwen@example.org")
    case = make_case(WASTE, user=resident, contact_email="o.pritchard@work.example")
    client = signed_in(waste_agent)

    assert found(client, "OLWEN@example.org") == [case.reference]
    assert found(client, "o.pritchard@work.example") == [case.reference]


def test_part_of_an_address_finds_nobody(waste_agent, make_case):
    make_case(WASTE, user=UserFactory(email="j.smith@example.org"))
    client = signed_in(waste_agent)

    for part in ("smith@example.org", "j.smith@example", "@example.org"):
        assert found(client, part) == [], part
