"""manage.py routing export / import: a round trip, idempotence, and bad files change nothing."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import CommandError, call_command

from integrations.registry import registry
from services.models import Connection, Destination, RoutingRule, RoutingRuleSet
from tests.services.routing.helpers import AnyFieldsAdapter, TicketAdapter, live_form

pytestmark = pytest.mark.django_db

DOCUMENT: dict[str, Any] = {
    "version": 1,
    "connections": [
        {
            "slug": "tickets",
            "name": "Ticket system",
            "adapter": "ticket",
            "owner_email": "it@example.gov.uk",
            "active": True,
            "options": {"url": "https://tickets.example.gov.uk/api", "queue": "waste"},
            "limits": {"max_concurrency": 2, "attempt_budget": "12h", "alert_after": "30m"},
        },
        {
            "slug": "crm",
            "name": "CRM",
            "adapter": "anything",
            "owner_email": "crm@example.gov.uk",
            "options": {"url": "https://crm.example.gov.uk"},
        },
    ],
    "forms": [
        {
            "service": "missed-bin",
            "mode": "all_match",
            "rules": [
                {
                    "name": "Garden waste",
                    "condition": {"question": "bin_type", "op": "equals", "value": "garden"},
                    "destinations": [
                        {
                            "name": "Garden tickets",
                            "connection": "tickets",
                            "mapping": {
                                "reference": {"meta": "reference"},
                                "service_code": {
                                    "answer": "bin_type",
                                    "transforms": [{"lookup": {"garden": "GW01"}, "default": "X"}],
                                },
                            },
                        }
                    ],
                },
                {
                    "name": "North",
                    "active": False,
                    "condition": {"postcode_district": ["NN1", "NN2"]},
                    "destinations": [],
                },
            ],
            "fallback": [
                {"name": "CRM", "connection": "crm", "mapping": {"case": {"meta": "reference"}}}
            ],
        }
    ],
}


@pytest.fixture(autouse=True)
def adapters():
    with registry.replaced(TicketAdapter, AnyFieldsAdapter):
        yield


@pytest.fixture
def form():
    return live_form("missed-bin")


def write(tmp_path: Path, document: Any, name: str = "routing.yaml") -> str:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else yaml.safe_dump(document))
    return str(path)


def run(*args: str) -> str:
    out = StringIO()
    call_command("routing", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def snapshot() -> list[Any]:
    """Everything routing import may change, for asserting that nothing did."""
    return [
        list(Connection.objects.order_by("pk").values()),
        list(RoutingRuleSet.objects.order_by("pk").values("pk", "form_id", "mode")),
        list(RoutingRule.objects.order_by("pk").values()),
        list(Destination.objects.order_by("pk").values()),
    ]


def test_import_creates_everything_and_says_which_secrets_to_set(form, tmp_path):
    output = run("import", write(tmp_path, DOCUMENT))
    assert "Create connection ‘tickets’ (Ticket system)" in output
    assert "Create rule ‘Garden waste’ of ‘missed-bin’" in output
    assert "Note: Connection ‘tickets’ is new: set its secrets in the admin: api_key" in output
    tickets = Connection.objects.get(slug="tickets")
    assert tickets.secrets == {}
    assert tickets.max_concurrency == 2
    rule_set = RoutingRuleSet.objects.get(form=form)
    assert rule_set.mode == "all_match"
    assert [r.name for r in rule_set.rules.order_by("order")] == ["Garden waste", "North"]
    assert not rule_set.rules.get(name="North").is_active
    assert Destination.objects.get(name="CRM").rule is None


def test_export_import_export_is_identical_and_a_second_import_changes_nothing(form, tmp_path):
    run("import", write(tmp_path, DOCUMENT))
    first = run("export")
    assert "api_key" not in first
    exported = write(tmp_path, first, "exported.yaml")

    again = run("import", exported)
    assert again.startswith("No changes")
    assert run("export") == first
    assert (
        yaml.safe_load(first)["forms"][0]["rules"][0]["destinations"][0]["mapping"]
        == (DOCUMENT["forms"][0]["rules"][0]["destinations"][0]["mapping"])
    )


def test_export_to_a_file(form, tmp_path):
    run("import", write(tmp_path, DOCUMENT))
    target = tmp_path / "out.yaml"
    run("export", str(target))
    assert yaml.safe_load(target.read_text())["connections"][0]["slug"] == "crm"


def test_secrets_are_kept_on_import_and_never_exported(form, tmp_path):
    run("import", write(tmp_path, DOCUMENT))
    Connection.objects.filter(slug="tickets").update(secrets={"api_key": "s3cret"})
    tickets = Connection.objects.get(slug="tickets")
    tickets.secrets = {"api_key": "s3cret"}
    tickets.save()
    assert "s3cret" not in run("export")
    run("import", write(tmp_path, DOCUMENT))
    assert Connection.objects.get(slug="tickets").secrets == {"api_key": "s3cret"}


def test_rules_and_destinations_left_out_of_the_file_are_deleted(form, tmp_path):
    run("import", write(tmp_path, DOCUMENT))
    smaller = yaml.safe_load(yaml.safe_dump(DOCUMENT))
    smaller["forms"][0]["rules"] = smaller["forms"][0]["rules"][:1]
    smaller["forms"][0]["fallback"] = []
    output = run("import", write(tmp_path, smaller))
    assert "Delete rule ‘North’ of ‘missed-bin’" in output
    assert "Delete destination ‘CRM’ of ‘missed-bin’" in output
    assert list(RoutingRule.objects.values_list("name", flat=True)) == ["Garden waste"]
    # Connections are not deleted: other forms or portals may use them.
    assert Connection.objects.filter(slug="crm").exists()


def test_a_dry_run_reports_the_changes_and_makes_none(form, tmp_path):
    before = snapshot()
    output = run("import", write(tmp_path, DOCUMENT), "--dry-run")
    assert output.startswith("Dry run: these changes would be made (nothing was changed):")
    assert "Create destination ‘CRM’ of ‘missed-bin’" in output
    assert snapshot() == before


def changed(document: Any, path: list[Any], value: Any) -> Any:
    copy = yaml.safe_load(yaml.safe_dump(document))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


TICKET_MAPPING = ["forms", 0, "rules", 0, "destinations", 0, "mapping"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            "version: 1\nconnections:\n  - slug: a\n    name: b: c\n",
            "The file is not valid YAML at line 4, column 12: mapping values are not allowed here",
        ),
        (
            changed(DOCUMENT, ["connections", 0, "adaptor"], "ticket"),
            "connections[1] (‘tickets’): unknown key ‘adaptor’",
        ),
        (
            changed(
                DOCUMENT,
                TICKET_MAPPING,
                {"reference": {"meta": "reference"}, "colour": {"const": "g"}},
            ),
            "Field ‘colour’: Ticket system has no field ‘colour’",
        ),
        (
            changed(
                DOCUMENT,
                ["forms", 0, "rules", 1, "condition"],
                {"area": {"name": "N", "polygon": [[0, 0]]}},
            ),
            "Rule ‘North’: area ‘N’: polygon needs at least 3 points",
        ),
        (
            changed(
                DOCUMENT,
                ["forms", 0, "rules", 0, "condition"],
                {"question": "bin_colour", "op": "answered"},
            ),
            "Rule ‘Garden waste’: question ‘bin_colour’ is not in the form",
        ),
        (
            changed(DOCUMENT, ["forms", 0, "service"], "no-such-service"),
            "there is no service ‘no-such-service’",
        ),
        (changed(DOCUMENT, ["connections", 1, "adapter"], "fax"), "there is no adapter ‘fax’"),
        (
            # /callbacks/notify/ is GOV.UK Notify's: this connection would never get its updates
            changed(DOCUMENT, ["connections", 1, "slug"], "notify"),
            "connections[2] (‘notify’): ‘notify’ is kept for GOV.UK Notify's delivery receipts",
        ),
        (
            changed(DOCUMENT, ["forms", 0, "fallback", 0, "connection"], "nowhere"),
            "there is no connection ‘nowhere’ in the file or the portal",
        ),
        (
            changed(DOCUMENT, ["connections", 0, "options"], {"url": "not a url"}),
            "option ‘url’: Enter a valid URL.",
        ),
        (
            changed(
                DOCUMENT, ["connections", 0, "options"], {"url": "https://me:pw@x.example/api"}
            ),
            "option ‘url’: Remove the user name and password from the address",
        ),
        (
            changed(DOCUMENT, ["connections", 0, "options", "api_key"], "leak"),
            "‘api_key’ is a secret, never in the routing file: set it in the admin",
        ),
        (
            changed(DOCUMENT, ["connections", 0, "options", "read_timout"], 5),
            "option ‘read_timout’: There is no such option; those of Ticket system are: url,",
        ),
    ],
)
def test_a_bad_file_exits_non_zero_and_changes_nothing(form, tmp_path, document, message):
    run("import", write(tmp_path, DOCUMENT))  # something there already, which must survive
    before = snapshot()
    with pytest.raises(CommandError) as raised:
        run("import", write(tmp_path, document, "bad.yaml"))
    assert "nothing was changed" in str(raised.value)
    assert message in str(raised.value)
    assert snapshot() == before


def test_a_bad_file_changes_nothing_even_when_most_of_it_is_good(form, tmp_path):
    before = snapshot()
    bad = changed(DOCUMENT, TICKET_MAPPING, {"colour": {"const": "g"}})
    with pytest.raises(CommandError) as raised:
        run("import", write(tmp_path, bad))
    assert "Field ‘reference’ is required by Ticket system: map it" in str(raised.value)
    assert snapshot() == before == [[], [], [], []]


def test_the_command_exits_non_zero_from_the_command_line(form, tmp_path):
    import subprocess
    import sys

    path = write(tmp_path, "forms: [\n")
    result = subprocess.run(
        [sys.executable, "manage.py", "routing", "import", path],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "The file is not valid YAML" in result.stderr


class WebhookLike(AnyFieldsAdapter):
    id = "webhook"
    name = "JSON webhook (test)"


def test_the_documented_example_imports_cleanly(tmp_path):
    live_form("report-a-missed-bin")
    document = (Path(__file__).parents[3] / "docs" / "routing.md").read_text()
    example = document.split("```yaml\n", 1)[1].split("```", 1)[0]
    with registry.replaced(WebhookLike):
        output = run("import", write(tmp_path, example))
        assert "Create destination ‘Contact centre CRM’ of ‘report-a-missed-bin’" in output
        assert run("import", write(tmp_path, example)).startswith("No changes")
