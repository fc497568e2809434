"""The portal's own pages and error pages, through Django's test client."""

import re
import socket

import pytest
from django.db import connections
from django.template.loader import render_to_string
from django.test import Client
from django.urls import path
from django.utils.functional import SimpleLazyObject

import portal.urls


def boom(request):
    raise RuntimeError("something broke")


def database_down(request):
    # A real connection to a port where no PostgreSQL listens, as when the server is stopped.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    default = connections["default"]
    unreachable = default.__class__({**default.settings_dict, "PORT": str(port)})
    unreachable.ensure_connection()


# The real URLs plus two that fail, with the real 500 handler.
urlpatterns = [
    path("boom/", boom),
    path("database-down/", database_down),
    *portal.urls.urlpatterns,
]
handler500 = portal.urls.handler500


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """These tests read pages, not the asset pipeline: no collectstatic manifest is needed."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.COUNCIL_NAME = "Anytown Council"


def title(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.content.decode(), re.DOTALL)
    assert match, "the page has no <title>"
    return match.group(1)


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/accessibility-statement/", "Accessibility statement for the Anytown Council"),
        ("/privacy-notice/", "Privacy notice"),
        ("/cookies/", "Cookies"),
        ("/contact/", "Contact us"),
    ],
)
def test_statement_pages_are_branded_for_the_council(client, path, heading):
    response = client.get(path)

    assert response.status_code == 200
    assert heading in response.content.decode()
    assert title(response).endswith(" – Anytown Council")


def test_cookies_page_names_the_cookies_actually_set(client, settings):
    settings.SESSION_COOKIE_NAME = "council_session"

    page = client.get("/cookies/").content.decode()

    assert "<code>council_session</code>" in page
    assert "<code>csrftoken</code>" in page


def test_each_page_links_to_its_own_welsh_version_and_back(client):
    english = client.get("/cookies/").content.decode()
    welsh = client.get("/cy/cookies/").content.decode()

    assert 'href="/cy/cookies/" rel="alternate" lang="cy" hreflang="cy"' in english
    assert 'href="/cookies/" rel="alternate" lang="en" hreflang="en"' in welsh
    assert '<html lang="cy"' in welsh


def test_page_not_found_offers_the_home_page_in_the_other_language(client):
    english = client.get("/no-such-page/")
    welsh = client.get("/cy/no-such-page/")

    assert english.status_code == welsh.status_code == 404
    assert title(english) == "Page not found – Anytown Council"
    assert 'href="/cy/" rel="alternate" lang="cy"' in english.content.decode()
    assert 'href="/" rel="alternate" lang="en"' in welsh.content.decode()


ERROR_TEMPLATES = ["400.html", "403.html", "404.html", "500.html", "403_csrf.html"]


@pytest.mark.parametrize("template", ERROR_TEMPLATES)
def test_error_pages_never_touch_the_session_or_the_database(rf, template):
    # No django_db mark, so any query fails the test; reading the user fails it too.
    request = rf.get("/somewhere/")
    request.user = SimpleLazyObject(lambda: pytest.fail("the error page read the signed-in user"))

    page = render_to_string(template, request=request)

    assert "Anytown Council" in page
    assert 'id="main-content"' in page
    assert "Sign in" not in page


@pytest.mark.urls("tests.portal.core.test_pages")
def test_server_error_page_is_branded_and_hides_the_details():
    client = Client(raise_request_exception=False)

    response = client.get("/boom/")

    assert response.status_code == 500
    page = response.content.decode()
    assert title(response) == "Sorry, there is a problem with the service – Anytown Council"
    assert "something broke" not in page
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    assert f'<script nonce="{nonce}">' in page


@pytest.mark.django_db  # the request may try to connect; nothing is reached
@pytest.mark.urls("tests.portal.core.test_pages")
def test_a_database_that_cannot_be_reached_is_a_503_with_the_same_page_not_a_500():
    # Given PostgreSQL stopped (a restart, a failover) under a request
    client = Client(raise_request_exception=False)

    # When the request cannot reach it
    response = client.get("/database-down/")

    # Then it is "unavailable for now", not a fault of the service, on the same page
    assert response.status_code == 503
    assert title(response) == "Sorry, there is a problem with the service – Anytown Council"
    assert "connection" not in response.content.decode().lower()


@pytest.mark.django_db
def test_form_sent_without_a_csrf_token_gets_a_friendly_page():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"login": "a@example.org", "password": "x"})

    assert response.status_code == 403
    assert title(response) == "Sorry, we could not send your form – Anytown Council"
    assert "Find out about our cookies" in response.content.decode()
