"""Bad input on every page of the portal outside the admin: never a server error.

Every URL pattern, allauth's included (the Django admin has a test of its own), is
requested with each of its path parts real and made up, by a visitor and by a signed-in
resident who owns the real draft and request: GET with a junk query string, POST with nothing
and POST with junk. A page may answer anything but a 5xx.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from services.models import Draft, FormVersion
from services.submissions import submit_draft
from tests.portal.accounts.factories import UserFactory
from tests.portal.conftest import CommittingClient
from tests.services.factories import FormVersionFactory

pytestmark = pytest.mark.django_db

SKIPPED_PREFIXES = ("admin/", "cy/")  # tested elsewhere, or the same views again
JUNK_QUERY = "?page=abc&q=%00&next=//evil.example&lang=xx&" + "x=" + "y" * 3000
JUNK_POST = {
    "answer": "\x00",
    "action": "no-such-action",
    "email": "\x00@example.org",
    "postcode": "\x00" * 3,
    "reference": "R" * 5000,
    "token": "%00",
    "uprn": "-1",
    "continue": "\x00",
    "change": "../../etc/passwd",
}


def routes() -> list[str]:
    def walk(patterns: Any, prefix: str = "") -> Iterator[str]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    return sorted(
        {
            route
            for route in walk(get_resolver().url_patterns)
            if not route.startswith(SKIPPED_PREFIXES)
        }
    )


@pytest.fixture
def world(db):
    """A resident with a draft and a sent request, and the values to put in each path part."""
    resident = UserFactory()
    version = FormVersionFactory(status=FormVersion.Status.LIVE, published_at=timezone.now())
    service = version.form.service
    draft = Draft.objects.create(form_version=version, user=resident, answers={})
    sent = submit_draft(
        Draft.objects.create(form_version=version, user=resident, answers={"bin_type": "garden"}),
        user=resident,
        contact_email=resident.email,
        language="en",
    )
    return {
        "resident": resident,
        "parts": {
            "slug": [service.slug, "no-such-service"],
            "draft_id": [str(draft.pk), str(uuid.uuid4())],
            "page_id": [version.parsed.pages[0].id, "no-such-page"],
            "reference": [sent.reference, "NOPE-0000", "%00"],
            "token": ["not-a-token", "x" * 500],
            # the staff workspace's
            "question_id": ["photo", "no-such-question"],
            "item_question_id": ["description", "no-such-question"],
            "delivery_id": ["1", "99999999999999999999"],
            "update_id": ["1", "99999999999999999999"],
            "user_id": [str(resident.pk), "99999999999999999999"],
            # the studio's
            "service_id": [str(service.pk), "99999999999999999999"],
            "connection_id": ["1", "99999999999999999999"],
            "adapter": ["webhook", "no-such-adapter"],
            "rule_id": ["1", "99999999999999999999"],
            "destination_id": ["1", "99999999999999999999"],
            "index": ["0", "99999999999999999999"],
            "kind": ["channel", "no-such-kind"],
            "number": ["1", "99999999999999999999"],
            "target": ["ServiceCode", "no/such/field%00"],
            "mapping_id": ["1", "99999999999999999999"],
            # allauth's
            "key": ["set-password", "%00"],
            "uidb36": ["1", "zzzzzzzzzzzz"],
            "pk": ["1", "99999999999"],
        },
    }


# A path part: "<slug:slug>" in a path(), "(?P<key>.+)" in a re_path().
PART = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def urls_for(route: str, parts: dict[str, list[str]]) -> list[str]:
    route = route.removeprefix("^").removesuffix("$")
    names = [a or b for a, b in PART.findall(route)]
    urls = []
    for choice in range(max((len(parts[name]) for name in names), default=1)):

        def value(match: re.Match[str], choice: int = choice) -> str:
            options = parts[match.group(1) or match.group(2)]
            return options[min(choice, len(options) - 1)]

        urls.append("/" + PART.sub(value, route))
    return urls


@pytest.mark.parametrize("route", routes())
def test_no_page_answers_bad_input_with_a_server_error(world, route):
    visitor = CommittingClient()
    resident = CommittingClient()
    resident.force_login(world["resident"])
    answers: dict[str, int] = {}

    for url in urls_for(route, world["parts"]):
        for who, client in (("visitor", visitor), ("resident", resident)):
            answers[f"{who} GET {url}"] = client.get(url + JUNK_QUERY).status_code
            answers[f"{who} POST {url} (nothing)"] = client.post(url, {}).status_code
            answers[f"{who} POST {url} (junk)"] = client.post(url, JUNK_POST).status_code
            answers[f"{who} POST {url} (not a form)"] = client.post(
                url, b"\xff\xfe{", content_type="application/json"
            ).status_code

    errors = {what: status for what, status in answers.items() if status >= 500}
    assert errors == {}
