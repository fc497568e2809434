"""What journey/page.html and journey/exit.html show for one page, apart from any draft.

The resident's journey (views.py) adds the draft's own links (the form's action, the back link)
to these; the admin's form preview (preview.py) renders every page of a version with the same
fields and the same question partials, so staff see exactly what residents will.
"""

from __future__ import annotations

from typing import Any

from portal.journey.fields import Field
from portal.journey.pages import PageForm, error_links
from services.forms.schema import Page
from services.forms.text import text
from services.models import Service


def page_context(service: Service, page: Page, fields: list[Field], lang: str) -> dict[str, Any]:
    """A question page's context: its fields, heading, error summary and what it needs loaded.

    A page with one question uses the question's label as its heading (the partial renders it
    as the <h1>); otherwise the page's title, or the service's name when it has none.
    """
    heading = fields[0].label if len(fields) == 1 else text(page.title, lang)
    return {
        "form": PageForm(errors={f.id: f.error for f in fields if f.error}),
        "error_links": error_links(fields),
        "fields": fields,
        "page": page,
        "page_heading": heading or service.name,
        "service": service,
        "multipart": any(f.question.type == "file" for f in fields),
        "has_location": any(f.question.type == "location" for f in fields),
    }


def exit_page_context(service: Service, page: Page, lang: str) -> dict[str, Any]:
    """An exit page's context: its title and body in `lang`."""
    return {"service": service, "title": text(page.title, lang), "body": text(page.body, lang)}
