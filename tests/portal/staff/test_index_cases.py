"""`manage.py index_cases` indexes the submissions saved without the signal (older ones, bulk
loads), so the search finds them by name as well as by reference."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from services.models import CaseIndex
from tests.portal.accounts.factories import UserFactory
from tests.portal.staff.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_unindexed_submissions_are_indexed_once_and_then_found(waste_agent, make_case):
    # Given a case whose index entry is missing (as for one saved before the index existed)
    case = make_case(user=UserFactory(full_name="Gwenllian Rhys"))
    CaseIndex.objects.filter(submission=case).delete()
    client = signed_in(waste_agent)
    search = reverse("staff:home")
    assert case.reference not in re.findall(
        r"/staff/cases/([A-Z0-9-]+)/", client.get(search, {"q": "rhys"}).content.decode()
    )

    # When the command runs (twice)
    out = StringIO()
    call_command("index_cases", stdout=out)
    call_command("index_cases", stdout=out)

    # Then it indexed the one case, once, and the search finds it by name
    assert out.getvalue().splitlines() == ["Indexed 1 submissions.", "Indexed 0 submissions."]
    found = re.findall(
        r"/staff/cases/([A-Z0-9-]+)/", client.get(search, {"q": "rhys"}).content.decode()
    )
    assert found == [case.reference]
