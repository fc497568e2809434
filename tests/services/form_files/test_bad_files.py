"""manage.py forms import: every kind of bad file gets a clear error, changes nothing, exits
non-zero, and never shows a traceback."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.core.management import CommandError

from tests.services.form_files.helpers import forms, snapshot, write
from tests.services.form_files.test_import import document, version
from tests.services.routing.helpers import live_form

pytestmark = pytest.mark.django_db


def changed(change: Any) -> dict[str, Any]:
    """The good document with `change(document, service)` applied."""
    data = document(version(1, "live"))
    change(data, data["services"][0])
    return data


def two_live(data: dict[str, Any], service: dict[str, Any]) -> None:
    service["versions"] = [version(1, "live"), version(2, "live")]


def same_number(data: dict[str, Any], service: dict[str, Any]) -> None:
    service["versions"] = [version(1, "draft"), version(1, "archived")]


def invalid_schema(data: dict[str, Any], service: dict[str, Any]) -> None:
    service["versions"][0]["schema"]["pages"][0]["questions"][0]["options"] = []


BAD_FILES = {
    "not JSON": ('{"format_version": 1,\n  "services": [}', "not valid JSON at line 2, column 16"),
    "NaN": ('{"format_version": NaN}', "The file is not valid JSON: NaN is not a JSON value"),
    "not an object": ("[1, 2]", "The file: must be an object of keys and values"),
    "no format version": ({"services": []}, "The file: ‘format_version’ is required"),
    "another format version": (
        {"format_version": 2},
        "The file: format_version must be 1, not ‘2’: it was written by a different version",
    ),
    "an unknown key": (
        changed(lambda d, s: s.update(colour="red")),
        "services[1] (‘missed-bin’): unknown key ‘colour’ (known: slug, topic, order,",
    ),
    "a missing key": (
        changed(lambda d, s: s.pop("summary")),
        "services[1] (‘missed-bin’): ‘summary’ is required",
    ),
    "services not a list": (
        {"format_version": 1, "services": {"slug": "x"}},
        "The file: ‘services’ must be a list",
    ),
    "an unknown topic": (
        changed(lambda d, s: s.update(topic="parks")),
        "services[1] (‘missed-bin’): there is no topic ‘parks’ in the file or the portal",
    ),
    "a bad slug": (
        changed(lambda d, s: s.update(slug="Missed bin!")),
        "slug must be lower-case letters, digits, hyphens or underscores",
    ),
    "a duplicate service": (
        changed(lambda d, s: d["services"].append(copy.deepcopy(s))),
        "services[2] (‘missed-bin’): another entry in the file has the same slug",
    ),
    "a name too long": (
        changed(lambda d, s: s.update(name={"en": "x" * 151})),
        "services[1] (‘missed-bin’): name (en): Ensure this value has at most 150 characters",
    ),
    "no English name": (
        changed(lambda d, s: s.update(name={"en": "", "cy": "Enw"})),
        "services[1] (‘missed-bin’): name (en): This field cannot be blank.",
    ),
    "an unknown language": (
        changed(lambda d, s: s.update(summary={"en": "Tell us.", "fr": "Dites-nous."})),
        "summary: unknown language ‘fr’ (known: en, cy)",
    ),
    "a text that is not text": (
        changed(lambda d, s: s.update(how_long="5 minutes")),
        "how_long must be an object of languages and texts",
    ),
    "a flag that is not true or false": (
        changed(lambda d, s: s.update(live="yes")),
        "services[1] (‘missed-bin’): live must be true or false",
    ),
    "a negative order": (
        changed(lambda d, s: s.update(order=-1)),
        "order must be a whole number, 0 or more",
    ),
    "a retention period in words": (
        changed(lambda d, s: s.update(retention_days="two years")),
        "services[1] (‘missed-bin’): retention_days must be a whole number of days, or null",
    ),
    "a target time of no days": (
        changed(lambda d, s: s.update(target_working_days=0)),
        "target working days: Ensure this value is greater than or equal to 1.",
    ),
    "a topic without an English name": (
        changed(lambda d, s: d["topics"][0].update(name={"cy": "Biniau"})),
        "topics[1] (‘bins’): name (en): This field cannot be",
    ),
    "an invalid schema": (
        changed(invalid_schema),
        "services[1] (‘missed-bin’), versions[1] (version 1): Question 'bin_type' on page "
        "'which-bin': radios need at least one option",
    ),
    "a version number of 0": (
        changed(lambda d, s: s["versions"][0].update(number=0)),
        "number must be a whole number, 1 or more",
    ),
    "two versions with one number": (
        changed(same_number),
        "versions[2] (version 1): another version of ‘missed-bin’ in the file has number 1",
    ),
    "two live versions": (
        changed(two_live),
        "services[1] (‘missed-bin’): only one version can be live, not 2 (versions [1, 2])",
    ),
    "an unknown state": (
        changed(lambda d, s: s["versions"][0].update(status="published")),
        "status must be draft, live, archived, not ‘published’",
    ),
}


@pytest.mark.parametrize(("content", "message"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_is_refused_with_a_clear_message_and_changes_nothing(tmp_path, content, message):
    # Given a portal with a service, and a bad file
    live_form("missed-bin")
    before = snapshot()

    # When it is imported
    with pytest.raises(CommandError) as refused:
        forms("import", write(tmp_path, content))

    # Then the command fails (exit status 1) saying what is wrong, and nothing changed
    assert refused.value.returncode == 1
    assert "nothing was changed" in str(refused.value)
    assert message in str(refused.value)
    assert "Traceback" not in str(refused.value)
    assert snapshot() == before


def test_every_problem_is_listed_at_once(tmp_path):
    # Given a file with three problems in different places
    data = changed(lambda d, s: s.update(topic="parks", live="yes"))
    data["services"][0]["versions"][0]["status"] = "published"

    # When it is imported
    with pytest.raises(CommandError) as refused:
        forms("import", write(tmp_path, data))

    # Then all three are listed
    assert "has 3 problems; nothing was changed:" in str(refused.value)


def test_a_file_that_cannot_be_read_is_refused(tmp_path):
    # Given a missing file and one that is not UTF-8
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes('{"format_version": 1, "x": "Caf\xe9"}'.encode("latin-1"))

    # When each is imported, then the command says it cannot read it
    for path in (str(tmp_path / "missing.json"), str(latin1)):
        with pytest.raises(CommandError, match=f"Cannot read {path}"):
            forms("import", path)
