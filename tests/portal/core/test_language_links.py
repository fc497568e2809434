"""The language switcher links to this page in the other language, and never off the site."""

import re

import pytest

pytestmark = pytest.mark.django_db

LANGUAGE_LINK = re.compile(r'href="([^"]*)" rel="alternate" lang="(\w+)"')


def language_links(response) -> dict[str, str]:
    return {code: href for href, code in LANGUAGE_LINK.findall(response.content.decode())}


# What a browser or proxy may hand us as the path: a second slash or a backslash makes a link
# built from it protocol-relative (//evil.example/...), which the browser follows off the site.
HOSTILE_PATHS = [
    "//evil.example/x",
    "//evil.example/cookies/",
    "//evil.example/cy/cookies/",
    "/\\evil.example",
    "/\\evil.example/cookies/",
    "/\\/evil.example/cookies/",
    "///evil.example/cookies/",
    "/%2F%2Fevil.example/cookies/",
    "/%5Cevil.example/cookies/",
    "/%2f%2fevil.example/cookies/",
]


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_a_path_naming_another_host_gets_the_home_page_in_the_other_language(client, path):
    # Given a request whose path, read as a link, would name another host (sent as the path
    # itself: the test client would otherwise parse //host/ as a host, as a browser does)
    # When the page (not found) is shown
    response = client.get("/", PATH_INFO=path)

    # Then the switcher offers the Welsh home page, on this site
    assert response.status_code == 404
    assert language_links(response) == {"cy": "/cy/"}


@pytest.mark.parametrize("path", ["/cy//evil.example/cookies/", "/cy/\\evil.example/cookies/"])
def test_a_welsh_path_naming_another_host_gets_the_english_home_page(client, path):
    response = client.get("/", PATH_INFO=path)

    assert language_links(response) == {"en": "/"}


@pytest.mark.parametrize("path", ["/%2F%2Fevil.example/cookies/", "/%5C%5Cevil.example/"])
def test_an_encoded_path_naming_another_host_gets_the_home_page(client, path):
    # Given the encoded form, decoded by the server before Django sees it
    response = client.get(path)

    assert language_links(response) == {"cy": "/cy/"}


def test_a_page_links_to_itself_in_welsh_keeping_its_query(client):
    response = client.get("/cookies/?from=footer&x=%3Cb%3E")

    assert response.status_code == 200
    assert language_links(response) == {"cy": "/cy/cookies/?from=footer&amp;x=%3Cb%3E"}


def test_a_welsh_page_links_to_itself_in_english(client):
    assert language_links(client.get("/cy/cookies/")) == {"en": "/cookies/"}
