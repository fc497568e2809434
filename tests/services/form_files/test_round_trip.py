"""Export -> import of every seeded form and the demo routing into an empty database
reproduces them exactly (issue #13, "Done when")."""

from __future__ import annotations

import copy
from io import StringIO

import pytest
from django.core.management import call_command

from services.catalogue import publish_version
from services.form_files import export_document
from services.models import (
    Connection,
    Destination,
    Form,
    FormVersion,
    RoutingRule,
    RoutingRuleSet,
    Service,
    StatusMapping,
    Topic,
)
from services.routing import config_file
from tests.services.form_files.helpers import catalogue_rows, forms

pytestmark = pytest.mark.django_db


def seeded_portal_with_every_kind_of_version() -> None:
    """The demo portal (`make run`), plus a republished form and a draft, so that live,
    archived and draft versions all travel."""
    call_command("seed_catalogue", stdout=StringIO())
    call_command("seed_demo_routing", "--force", stdout=StringIO())
    noise = Service.objects.get(slug="report-noise").form.live_version
    assert noise is not None
    republished = copy.deepcopy(noise.schema)
    republished["pages"][0]["questions"][0]["hint"] = {"en": "Choose one", "cy": "Dewiswch un"}
    publish_version(FormVersion.objects.create(form=noise.form, schema=republished))
    pothole = Service.objects.get(slug="report-pothole").form.live_version
    assert pothole is not None
    FormVersion.new_draft_from(pothole)


def empty_the_catalogue_and_routing() -> None:
    # Children first: connections and topics are protected while anything points at them.
    Destination.objects.all().delete()
    RoutingRule.objects.all().delete()
    RoutingRuleSet.objects.all().delete()
    StatusMapping.objects.all().delete()
    Connection.objects.all().delete()
    FormVersion.objects.all().delete()
    Form.objects.all().delete()
    Service.objects.all().delete()
    Topic.objects.all().delete()


def test_every_seeded_form_and_the_demo_routing_survive_export_and_import_into_an_empty_portal(
    tmp_path,
):
    # Given the demo portal with live, archived and draft versions, exported to files
    seeded_portal_with_every_kind_of_version()
    before = catalogue_rows()
    forms_before, _notes = export_document(all_versions=True)
    routing_before = config_file.export_document()
    assert {v["status"] for v in before["versions"]} == {"live", "archived", "draft"}
    assert len(before["services"]) == 8
    assert all(s["is_live"] for s in before["services"])
    forms_file, routing_file = str(tmp_path / "forms.json"), str(tmp_path / "routing.yaml")
    forms("export", "--all-versions", "-o", forms_file)
    call_command("routing", "export", routing_file, stderr=StringIO())

    # When everything is deleted and the files imported as a deploy would: the forms, their
    # routing, then the forms again to make the routed services live
    empty_the_catalogue_and_routing()
    assert Topic.objects.count() == Service.objects.count() == FormVersion.objects.count() == 0
    first = forms("import", forms_file)
    call_command("routing", "import", routing_file, stdout=StringIO())
    second = forms("import", forms_file)

    # Then every stored value is as it was, and exports the same files
    assert "was left not live here" in first
    assert second.count("Make service") == 8
    assert catalogue_rows() == before
    assert export_document(all_versions=True) == (forms_before, [])
    assert config_file.export_document() == routing_before
    assert forms("import", forms_file) == "No changes: the portal already matches the file.\n"


def test_exporting_twice_gives_the_same_bytes_in_a_stable_diff_friendly_form(tmp_path):
    # Given the seeded catalogue
    call_command("seed_catalogue", stdout=StringIO())

    # When it is exported twice
    first, second = forms("export", "--all-versions"), forms("export", "--all-versions")

    # Then the text is identical, indented, with sorted keys and Welsh as itself
    assert first == second
    assert first.startswith('{\n  "format_version": 1,\n  "services": [\n')
    assert "Rhoi gwybod am dwll yn y ffordd" in first
    assert first.endswith("}\n")
