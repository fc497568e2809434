"""The resident's request page shows what happened, in the council's words, in their language."""

from html import unescape

import pytest

from services.models import CaseUpdate
from services.updates.apply import apply_updates
from tests.portal.accounts.factories import UserFactory
from tests.portal.conftest import CommittingClient
from tests.services.updates.helpers import case_sent_to, connection_with_mappings, update

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident_and_case():
    resident = UserFactory()
    connection = connection_with_mappings()
    case = case_sent_to(connection, "HW-1", reference="K7WP-3XMR", user=resident)
    apply_updates(
        connection,
        [
            update("U1", "HW-1", "OPEN", 0),
            update("U2", "HW-1", "FIXED", 60, description="Crew 4, Mr Jones's drive"),
            update("U3", "HW-1", "WEIRD", 90),
        ],
        CaseUpdate.Source.CALLBACK,
    )
    client = CommittingClient()
    client.force_login(resident)
    return client, case


def test_the_timeline_shows_each_change_newest_first_in_plain_english(resident_and_case):
    client, case = resident_and_case

    page = client.get(f"/account/requests/{case.reference}/").content.decode()

    fixed = page.index("Our crew has fixed the pothole")
    looking = page.index("We are looking into it")
    received = page.index("We received your request")
    assert fixed < looking < received
    assert "1 May 2025" in page
    assert "Closed – done" in page  # the status tag
    assert "Crew 4" not in page  # the back office's notes are for staff
    assert "WEIRD" not in page


def test_the_timeline_is_in_welsh_on_the_welsh_page(resident_and_case):
    client, case = resident_and_case

    page = unescape(client.get(f"/cy/account/requests/{case.reference}/").content.decode())

    assert "Mae ein criw wedi trwsio'r twll" in page
    assert "Rydym yn ymchwilio" in page
    assert "Our crew has fixed the pothole" not in page
    assert "Cynnydd" in page
    assert "Cawsom eich cais" in page
