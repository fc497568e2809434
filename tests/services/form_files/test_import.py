"""manage.py forms import: what it creates and changes, dry runs, idempotence, and published
versions that never change."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.core.management import CommandError

from services.models import FormVersion, Service, Topic
from tests.services.factories import SIMPLE_SCHEMA
from tests.services.form_files.helpers import forms, snapshot, write
from tests.services.routing.helpers import live_form
from tests.services.test_going_live import a_service_with_a_live_form, route

pytestmark = pytest.mark.django_db


def schema(label: str = "What is your name?") -> dict[str, Any]:
    changed = copy.deepcopy(SIMPLE_SCHEMA)
    changed["pages"][0]["questions"][0]["label"] = {"en": label, "cy": "Beth yw eich enw?"}
    return changed


def document(*versions: dict[str, Any], **service: Any) -> dict[str, Any]:
    return {
        "format_version": 1,
        "topics": [{"slug": "bins", "order": 2, "name": {"en": "Bins", "cy": "Biniau"}}],
        "services": [
            {
                "slug": "missed-bin",
                "topic": "bins",
                "name": {"en": "Report a missed bin", "cy": "Rhoi gwybod am fin a fethwyd"},
                "summary": {"en": "Tell us.", "cy": "Dywedwch wrthym."},
                "allow_guests": True,
                "live": False,
                "versions": list(versions),
                **service,
            }
        ],
    }


def version(number: int, status: str, questions: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"number": number, "status": status, "schema": questions or schema()}


def test_import_creates_the_topic_service_and_versions_and_says_so(tmp_path):
    # Given a file with an archived, a live and a draft version of a new service
    path = write(
        tmp_path,
        document(
            version(1, "archived", schema("First")),
            version(2, "live"),
            version(3, "draft", schema("Next")),
        ),
    )

    # When it is imported
    output = forms("import", path)

    # Then each is created as the file says, and listed
    assert output.splitlines() == [
        "Changed:",
        "  - Create topic ‘bins’",
        "  - Create service ‘missed-bin’",
        "  - Create version 1 of ‘missed-bin’ (archived)",
        "  - Create version 2 of ‘missed-bin’ (live)",
        "  - Create version 3 of ‘missed-bin’ (draft)",
        "  - Publish version 2 of ‘missed-bin’",
    ]
    service = Service.objects.get(slug="missed-bin")
    assert service.topic == Topic.objects.get(slug="bins", name_cy="Biniau", order=2)
    assert (service.name_en, service.summary_cy) == ("Report a missed bin", "Dywedwch wrthym.")
    assert service.allow_guests
    assert not service.is_live
    versions = service.form.versions.order_by("number")
    assert [(v.number, v.status) for v in versions] == [(1, "archived"), (2, "live"), (3, "draft")]
    assert versions[0].schema == schema("First")
    assert versions[2].schema == schema("Next")
    assert service.form.next_number() == 4


def test_a_dry_run_lists_the_changes_and_changes_nothing(tmp_path):
    # Given an existing portal and a file that changes it
    live_form("missed-bin")
    before = snapshot()
    path = write(tmp_path, document(version(5, "live")))

    # When it is imported with --dry-run
    output = forms("import", path, "--dry-run")

    # Then the changes are listed but nothing changed
    assert output.startswith("Dry run: these changes would be made (nothing was changed):")
    assert "  - Publish version 5 of ‘missed-bin’" in output
    assert snapshot() == before


def test_importing_the_same_file_again_changes_nothing(tmp_path):
    # Given a file imported once
    path = write(tmp_path, document(version(1, "archived"), version(2, "live")))
    forms("import", path)
    before = snapshot()

    # When it is imported again
    output = forms("import", path)

    # Then nothing changes, not even a timestamp
    assert output == "No changes: the portal already matches the file.\n"
    assert snapshot() == before


def test_a_published_version_with_other_questions_is_refused_and_nothing_changes(tmp_path):
    # Given version 1 is live in the portal
    live_form("missed-bin")
    before = snapshot()
    changed = document(version(1, "live", schema("A question the portal never asked")))
    changed["services"][0]["summary"] = {"en": "Changed", "cy": "Wedi newid"}

    # When a file gives version 1 other questions (and changes the summary too)
    with pytest.raises(CommandError) as refused:
        forms("import", write(tmp_path, changed))

    # Then the import is refused, saying why and what to do, and nothing changed
    assert "nothing was changed" in str(refused.value)
    assert (
        "services[1] (‘missed-bin’), version 1: version 1 is live here with different "
        "questions, and a published version never changes: give the changed form a new "
        "version number"
    ) in str(refused.value)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("stored", "in_file", "message"),
    [
        ("archived", "live", "version 1 is archived here and cannot be made live again"),
        ("live", "draft", "version 1 is live here, and cannot become a draft again"),
        ("archived", "draft", "version 1 is archived here, and cannot become a draft again"),
    ],
)
def test_a_published_version_cannot_go_back(tmp_path, stored, in_file, message):
    # Given version 1 is live or archived in the portal
    form = live_form("missed-bin")
    stored_version = form.versions.get()
    if stored == "archived":
        stored_version.archive()
    before = snapshot()

    # When the file gives it a state it cannot go back to, with the same questions
    path = write(tmp_path, document(version(1, in_file, stored_version.schema)))
    with pytest.raises(CommandError) as refused:
        forms("import", path)

    # Then it is refused and nothing changed
    assert message in str(refused.value)
    assert snapshot() == before


def test_a_draft_in_the_portal_takes_the_questions_of_the_file(tmp_path):
    # Given version 2 is a draft in the portal
    form = live_form("missed-bin")
    draft = FormVersion.new_draft_from(form.versions.get())

    # When the file gives version 2 other questions
    output = forms("import", write(tmp_path, document(version(2, "draft", schema("Edited")))))

    # Then the draft has them
    assert "  - Update the questions of draft version 2 of ‘missed-bin’" in output
    draft.refresh_from_db()
    assert draft.schema == schema("Edited")
    assert draft.status == "draft"


def test_a_newer_live_version_archives_the_one_live_in_the_portal(tmp_path):
    # Given version 1 is live in the portal
    form = live_form("missed-bin")

    # When a file with only version 2, live, is imported
    output = forms("import", write(tmp_path, document(version(2, "live", schema("New")))))

    # Then version 2 is live and version 1 archived, and the output says both
    assert "  - Publish version 2 of ‘missed-bin’" in output
    assert "  - Archive version 1 of ‘missed-bin’ (replaced by version 2)" in output
    assert [(v.number, v.status) for v in form.versions.order_by("number")] == [
        (1, "archived"),
        (2, "live"),
    ]


def test_a_service_live_in_the_file_is_made_live_only_once_routed(tmp_path):
    # Given a new service the file marks live
    path = write(tmp_path, document(version(1, "live"), live=True))

    # When it is imported into a portal without its routing
    output = forms("import", path)

    # Then it is created not live, with a note saying what to do
    service = Service.objects.get(slug="missed-bin")
    assert not service.is_live
    assert (
        "Note: Service ‘missed-bin’ is live in the file but was left not live here. "
        "“Report a missed bin” cannot take submissions: its form has no routing"
    ) in output
    assert output.rstrip().endswith(
        "Import its routing (manage.py routing import), then this file again."
    )


def test_a_routed_service_live_in_the_file_is_made_live(tmp_path):
    # Given a service that is routed but not live
    service = a_service_with_a_live_form(slug="missed-bin")
    route(service)

    # When the file says it is live
    output = forms("import", write(tmp_path, document(live=True)))

    # Then it is made live
    assert "  - Make service ‘missed-bin’ live" in output
    service.refresh_from_db()
    assert service.is_live


def test_a_service_not_live_in_the_file_is_taken_offline(tmp_path):
    # Given a live service
    service = a_service_with_a_live_form(slug="missed-bin")
    route(service)
    service.go_live()

    # When the file says it is not live
    output = forms("import", write(tmp_path, document(live=False)))

    # Then it is no longer live
    assert "  - Update service ‘missed-bin’: " in output
    assert output.splitlines()[-1].endswith(", live")
    service.refresh_from_db()
    assert not service.is_live


def test_changed_texts_are_named_with_their_language(tmp_path):
    # Given the service was imported
    forms("import", write(tmp_path, document()))

    # When a file changes its Welsh name only
    changed = document(name={"en": "Report a missed bin", "cy": "Enw newydd"})
    output = forms("import", write(tmp_path, changed))

    # Then the change names the text and the language
    assert output.splitlines() == ["Changed:", "  - Update service ‘missed-bin’: name (cy)"]
    assert Service.objects.get(slug="missed-bin").name_cy == "Enw newydd"
