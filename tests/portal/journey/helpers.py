"""Driving a journey with the test client, and reading its pages."""

import re
from html import unescape

from django.urls import reverse

from services.models import Draft
from tests.portal.accounts.helpers import assert_clear_error, error_summary_targets, title

__all__ = ["assert_clear_error", "error_summary_targets", "title"]


def start(client, slug: str) -> str:
    """Start the service; returns the URL of its first page."""
    response = client.post(reverse("journey:start", kwargs={"slug": slug}))
    assert response.status_code == 302, response
    return response["Location"]


def answer(client, url: str, data: dict, **extra) -> str:
    """Post a page that should be accepted; returns where it leads."""
    response = client.post(url, data, **extra)
    assert response.status_code == 302, (
        f"{url} refused {data}: "
        f"{re.findall(r'govuk-error-message.*?</p>', response.content.decode(), re.S)}"
    )
    return response["Location"]


def page_id(url: str) -> str:
    return url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]


def draft_from(url: str) -> Draft:
    match = re.search(r"/([0-9a-f-]{36})/", url)
    assert match, url
    return Draft.objects.get(pk=match.group(1))


def text_of(response) -> str:
    """The page's visible words, tags removed, whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
