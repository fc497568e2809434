import re

import pytest
from django.urls import reverse
from django.utils import translation

from services.models import Service
from tests.portal.accounts.helpers import title
from tests.portal.catalogue.helpers import elements, texts

_START_PAGE = re.compile(r"^(/cy)?/services/[a-z0-9-]+/$")


def outline(response) -> list[tuple[str, str]]:
    """The topic headings and the service links under them, in page order."""
    return [
        (e.tag, e.text)
        for e in elements(response, "h2", "a")
        if e.tag == "h2" or _START_PAGE.match(e.attrs.get("href", ""))
    ]


def service_links(response) -> list[str]:
    return [text for tag, text in outline(response) if tag == "a"]


def test_all_services_lists_every_live_service_under_its_topic(client, catalogue):
    # Given the seeded catalogue
    # When a resident opens All services
    response = client.get("/services/")

    # Then each topic is a heading with its services, and each service shows its summary
    assert response.status_code == 200
    page = outline(response)
    assert page[
        page.index(("h2", "Bins and recycling")) + 1 : page.index(("h2", "Roads and streets"))
    ] == [
        ("a", "Report a missed bin collection"),
        ("a", "Book a bulky waste collection"),
        ("a", "Request a replacement bin"),
    ]
    assert ("a", "Apply for a resident parking permit") in page[page.index(("h2", "Parking")) :]
    assert len(service_links(response)) == 8
    assert "Tell us about a pothole on a road, pavement or cycle lane." in texts(response, "p")
    assert title(response).startswith("All services – ")


def test_a_service_that_is_not_live_is_not_listed(client, catalogue):
    # Given a service taken offline
    Service.objects.filter(slug="report-pothole").update(is_live=False)

    # When the list is shown
    response = client.get("/services/")

    # Then it is not there, and a topic with nothing left has no heading
    assert "Report a pothole" not in service_links(response)
    assert "Report fly-tipping" in service_links(response)


def test_a_live_service_without_a_live_form_is_not_listed(client, catalogue):
    # Given a live service whose form version was withdrawn
    catalogue["report-noise"].live_version.archive()

    # When the list is shown
    response = client.get("/services/")

    # Then the service is missing, and so is its now empty topic
    assert "Report a noise problem" not in service_links(response)
    assert ("h2", "Environment and noise") not in outline(response)


def test_search_finds_services_by_words_in_the_name_or_summary_ignoring_case(client, catalogue):
    # When a resident searches for words from a summary, in another case
    response = client.get("/services/", {"q": "  DUMPED  rubbish "})

    # Then only the matching service is listed, with a count naming the query
    assert service_links(response) == ["Report fly-tipping"]
    assert "1 result for ‘DUMPED rubbish’" in texts(response, "h2")
    assert title(response).startswith("Search results for ‘DUMPED rubbish’")


def test_search_counts_several_results(client, catalogue):
    response = client.get("/services/", {"q": "bin"})

    assert set(service_links(response)) == {
        "Report a missed bin collection",
        "Request a replacement bin",
    }
    assert "2 results for ‘bin’" in texts(response, "h2")


def test_search_with_no_match_says_so_and_gives_advice(client, catalogue):
    response = client.get("/services/", {"q": "dragons"})

    assert response.status_code == 200
    assert service_links(response) == []
    assert "No services match ‘dragons’" in texts(response, "h2")
    assert "checking your spelling" in response.content.decode()


def test_an_empty_search_shows_every_service(client, catalogue):
    response = client.get("/services/", {"q": "   "})

    assert len(service_links(response)) == 8
    assert not any("result" in heading for heading in texts(response, "h2"))


def test_search_works_in_welsh_on_the_welsh_names(client, catalogue):
    # When a Welsh reader searches for a Welsh word
    response = client.get("/cy/services/", {"q": "DWLL"})

    # Then the Welsh service name is found, linking to the Welsh start page
    links = [e for e in elements(response, "a") if _START_PAGE.match(e.attrs.get("href", ""))]
    assert [(e.text, e.attrs["href"]) for e in links] == [
        ("Rhoi gwybod am dwll yn y ffordd", "/cy/services/report-pothole/")
    ]
    with translation.override("cy"):
        assert reverse("catalogue:list") == "/cy/services/"


@pytest.mark.parametrize(
    "query",
    [
        "<script>alert('x')</script>",
        '"><img src=x onerror=alert(1)>',
        "x" * 5000,
        "bin\x00\x1b[31m",
        "ŵ ŷ â 🚮 \u202e gnirts",
        "%' OR 1=1 --",
        "\\",
    ],
)
def test_odd_searches_are_shown_escaped_and_never_fail(client, catalogue, query):
    # When someone searches for markup, control characters, huge or odd Unicode input
    response = client.get("/services/", {"q": query})

    # Then the page renders, the query never appears as markup
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "\x00" not in html
    assert "\u202e" not in html
    assert len(html) < 50_000


def test_a_script_search_is_shown_back_as_text(client, catalogue):
    response = client.get("/services/", {"q": "<script>alert(1)</script>"})

    assert "No services match ‘<script>alert(1)</script>’" in texts(response, "h2")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.content.decode()


def test_a_very_long_search_is_cut_to_a_sensible_length(client, catalogue):
    response = client.get("/services/", {"q": "bin " + "x" * 1000})

    heading = next(t for t in texts(response, "h2") if "match" in t)
    assert len(heading) < 150


def test_the_service_navigation_links_to_all_services(client, catalogue):
    response = client.get("/")

    nav_links = {e.text: e.attrs["href"] for e in elements(response, "a") if e.inside("nav")}
    assert nav_links["All services"] == "/services/"


def test_all_services_takes_a_few_queries_however_many_services(
    client, catalogue, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        response = client.get("/services/", {"q": "report"})

    assert len(service_links(response)) == 4
