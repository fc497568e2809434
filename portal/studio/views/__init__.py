"""The studio's pages. Each renders through `studio_page`, which gives the layout what it needs:
the primary navigation's "Studio" item marked, and the sub navigation of the sections this
person may open."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.studio.access import Section, sections_for


def studio_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, section: Section
) -> HttpResponse:
    return render(
        request,
        template,
        {
            **context,
            "active": "studio",
            "sections": sections_for(request.user),
            "section": section.key,
        },
    )
