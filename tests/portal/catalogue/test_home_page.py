"""The home page offers only what residents can use now, and shows guests how to track a request."""

import re

from services.models import Service
from tests.portal.accounts.factories import UserFactory
from tests.portal.catalogue.helpers import elements

_START_PAGE = re.compile(r"^(/cy)?/services/([a-z0-9-]+)/$")


def offered(response) -> dict[str, str]:
    """The services the page links to: name -> slug."""
    links = {}
    for link in elements(response, "a"):
        match = _START_PAGE.match(link.attrs.get("href", ""))
        if match and link.inside("main"):
            links[" ".join(link.text.split())] = match.group(2)
    return links


def test_home_page_links_only_to_live_services_that_exist(client, catalogue):
    # Given the seeded catalogue, with one service taken offline and one with no live form
    Service.objects.filter(slug="report-pothole").update(is_live=False)
    catalogue["report-noise"].live_version.archive()

    # When a visitor opens the home page
    response = client.get("/")

    # Then every service it offers opens a start page, and nothing is offered that is not there
    services = offered(response)
    assert services, "the home page offers no services"
    assert "report-pothole" not in services.values()
    assert "report-noise" not in services.values()
    for name, slug in services.items():
        start = client.get(f"/services/{slug}/")
        assert start.status_code == 200, name
    assert "council tax discount" not in response.content.decode().lower()


def test_home_page_offers_the_first_live_services_and_a_link_to_all_of_them(client, catalogue):
    # Given the seeded catalogue (more services than the home page lists)
    # When a visitor opens the home page
    response = client.get("/")

    # Then it lists the catalogue's first services, in its order, and links to the rest
    assert list(offered(response))[:2] == [
        "Report a missed bin collection",
        "Book a bulky waste collection",
    ]
    assert any(link.attrs.get("href") == "/services/" for link in elements(response, "a"))


def test_home_page_shows_guests_where_to_track_a_request(client, catalogue):
    # Given a visitor who is not signed in
    # When they open the home page
    response = client.get("/")

    # Then it links to guest tracking from the page itself, not only from an e-mail
    main_links = [link.attrs.get("href") for link in elements(response, "a") if link.inside("main")]
    assert "/track/" in main_links


def test_signed_in_residents_are_sent_to_their_account_not_to_tracking(client, catalogue):
    # Given a signed-in resident
    client.force_login(UserFactory())

    # When they open the home page
    response = client.get("/")

    # Then its main button goes to their account
    main_links = [link.attrs.get("href") for link in elements(response, "a") if link.inside("main")]
    assert "/account/" in main_links
    assert "/track/" not in main_links
