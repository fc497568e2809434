"""manage.py forms export: which services and versions, and clear refusals."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from services.models import FormVersion, Service
from tests.services.form_files.helpers import forms

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    """The seeded catalogue, with a draft version 2 of the pothole form."""
    call_command("seed_catalogue", stdout=StringIO())
    live = Service.objects.get(slug="report-pothole").form.live_version
    assert live is not None
    FormVersion.new_draft_from(live)


def exported(*args: str) -> dict:
    return json.loads(forms("export", *args))


def test_by_default_every_service_with_its_live_version_and_the_topics_it_uses(catalogue):
    document = exported()

    assert len(document["services"]) == 8
    pothole = next(s for s in document["services"] if s["slug"] == "report-pothole")
    assert [(v["number"], v["status"]) for v in pothole["versions"]] == [(1, "live")]
    assert all([v["status"] for v in s["versions"]] == ["live"] for s in document["services"])
    assert [t["slug"] for t in document["topics"]] == sorted(
        {s["topic"] for s in document["services"]}
    )


def test_only_the_services_named_with_the_version_asked_for(catalogue):
    document = exported(
        "--service", "report-pothole", "--service", "report-noise", "--version", "1"
    )
    two = exported("--service", "report-pothole", "--version", "2")
    every = exported("--service", "report-pothole", "report-noise", "--all-versions")

    assert [s["slug"] for s in document["services"]] == ["report-noise", "report-pothole"]
    assert [t["slug"] for t in document["topics"]] == ["environment", "roads-and-streets"]
    assert [(v["number"], v["status"]) for v in two["services"][0]["versions"]] == [(2, "draft")]
    assert [[(v["number"], v["status"]) for v in s["versions"]] for s in every["services"]] == [
        [(1, "live")],
        [(1, "live"), (2, "draft")],
    ]


def test_unknown_services_and_missing_versions_are_all_named(catalogue):
    with pytest.raises(CommandError) as refused:
        forms("export", "--service", "report-pothole", "report-noise", "parks", "--version", "2")

    assert str(refused.value).splitlines() == [
        "There is no service ‘parks’",
        "Service ‘report-noise’ has no version 2",
    ]


def test_a_service_without_a_live_version_is_exported_without_versions_and_said_so(catalogue):
    Service.objects.get(slug="report-noise").form.versions.get().archive()
    err = StringIO()

    call_command("forms", "export", "--service", "report-noise", stdout=StringIO(), stderr=err)

    assert "Note: Service ‘report-noise’ has no live version" in err.getvalue()


def test_export_writes_the_file_named(catalogue, tmp_path):
    target = tmp_path / "forms.json"
    err = StringIO()

    call_command("forms", "export", "-o", str(target), stdout=StringIO(), stderr=err)

    assert json.loads(target.read_text(encoding="utf-8"))["format_version"] == 1
    assert f"Wrote 8 services to {target}" in err.getvalue()


def test_version_and_all_versions_cannot_be_asked_for_together(catalogue):
    with pytest.raises(CommandError, match="not allowed with argument"):
        forms("export", "--version", "1", "--all-versions")


def test_a_version_number_below_one_is_refused(catalogue):
    with pytest.raises(CommandError, match="--version must be a version number, 1 or more"):
        forms("export", "--version", "0")
