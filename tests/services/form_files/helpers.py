"""Running `manage.py forms` and reading the catalogue back, for the forms-as-files tests."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command

from services.models import Form, FormVersion, Service, Topic

# The portal's own bookkeeping, which a file never carries.
NOT_IN_FILES = {"id", "topic", "created_at", "published_at", "created_by"}


def forms(*args: str) -> str:
    """Run `manage.py forms ...`; its standard output."""
    out = StringIO()
    call_command("forms", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def write(tmp_path: Path, document: Any, name: str = "forms.json") -> str:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return str(path)


def catalogue_rows() -> dict[str, list[dict[str, Any]]]:
    """Every stored value of topics, services and versions (every column, by natural keys), to
    compare two portals."""

    def columns(model: type[Topic] | type[Service] | type[FormVersion]) -> list[str]:
        return [f.attname for f in model._meta.concrete_fields if f.name not in NOT_IN_FILES]

    return {
        "topics": list(Topic.objects.order_by("slug").values(*columns(Topic))),
        "services": list(Service.objects.order_by("slug").values("topic__slug", *columns(Service))),
        "versions": list(
            FormVersion.objects.order_by("form__service__slug", "number").values(
                "form__service__slug", *[c for c in columns(FormVersion) if c != "form_id"]
            )
        ),
    }


def snapshot() -> list[Any]:
    """Everything `forms import` may change, ids and timestamps included: to assert that
    nothing did."""
    return [
        list(model.objects.order_by("pk").values()) for model in (Topic, Service, Form, FormVersion)
    ]
