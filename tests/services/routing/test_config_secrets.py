"""routing import with connection secrets from a secrets file or the environment, unattended."""

from __future__ import annotations

from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command

from integrations.registry import registry
from services.models import Connection
from services.routing.config_file import secret_env_name
from tests.services.routing.helpers import AnyFieldsAdapter, TicketAdapter, live_form
from tests.services.routing.test_config_file import DOCUMENT, snapshot, write

pytestmark = pytest.mark.django_db

ENV_NAME = "ROUTING_SECRET_TICKETS_API_KEY"
CRM_ENV_NAME = "ROUTING_SECRET_CRM_API_KEY"  # the other connection in DOCUMENT has a secret too


@pytest.fixture(autouse=True)
def adapters():
    with registry.replaced(TicketAdapter, AnyFieldsAdapter):
        yield


@pytest.fixture(autouse=True)
def form():
    return live_form("missed-bin")


def run(*args: str) -> str:
    out = StringIO()
    call_command("routing", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_environment_variable_is_named_after_the_connection_and_the_option():
    assert secret_env_name("tickets", "api_key") == ENV_NAME
    assert secret_env_name("waste-system", "client.secret") == (
        "ROUTING_SECRET_WASTE_SYSTEM_CLIENT_SECRET"
    )


def test_a_secret_from_the_environment_is_stored_and_named_but_never_shown(tmp_path, monkeypatch):
    # Given the secrets in the deploy's environment
    monkeypatch.setenv(ENV_NAME, "env-s3cret")
    monkeypatch.setenv(CRM_ENV_NAME, "crm-s3cret")

    # When routing is imported with --secrets-from-env
    output = run("import", write(tmp_path, DOCUMENT), "--secrets-from-env")

    # Then the connection has it, the output names it without its value, and export leaves it out
    assert Connection.objects.get(slug="tickets").secrets == {"api_key": "env-s3cret"}
    assert "Set secrets of ‘tickets’: api_key" in output
    assert "set its secrets in the admin" not in output
    assert "env-s3cret" not in output
    assert "env-s3cret" not in run("export")


def test_a_secret_from_a_secrets_file_is_stored_and_a_changed_one_replaces_it(tmp_path):
    # Given a secrets file beside the routing file
    secrets = write(
        tmp_path, {"tickets": {"api_key": "file-s3cret"}, "crm": {"api_key": "c"}}, "secrets.yaml"
    )

    # When routing is imported with it
    run("import", write(tmp_path, DOCUMENT), "--secrets", secrets)

    # Then the connection has the secret
    assert Connection.objects.get(slug="tickets").secrets == {"api_key": "file-s3cret"}
    # And importing again with a rotated secret replaces it, and nothing else changes
    rotated = write(
        tmp_path, {"tickets": {"api_key": "rotated"}, "crm": {"api_key": "c"}}, "rotated.yaml"
    )
    output = run("import", write(tmp_path, DOCUMENT), "--secrets", rotated)
    assert output.splitlines()[:2] == ["Changed:", "  - Set secrets of ‘tickets’: api_key"]
    assert Connection.objects.get(slug="tickets").secrets == {"api_key": "rotated"}
    # And the same secret again is no change at all
    assert run("import", write(tmp_path, DOCUMENT), "--secrets", rotated).startswith("No changes")


def test_the_environment_wins_over_the_secrets_file(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_NAME, "from-env")
    secrets = write(
        tmp_path, {"tickets": {"api_key": "from-file"}, "crm": {"api_key": "c"}}, "secrets.yaml"
    )

    run("import", write(tmp_path, DOCUMENT), "--secrets", secrets, "--secrets-from-env")

    assert Connection.objects.get(slug="tickets").secrets == {"api_key": "from-env"}


def test_an_unattended_import_missing_a_secret_says_which_and_changes_nothing(
    tmp_path, monkeypatch
):
    # Given no secret for the ticket system anywhere
    monkeypatch.delenv(ENV_NAME, raising=False)
    monkeypatch.setenv(CRM_ENV_NAME, "crm-s3cret")
    before = snapshot()

    # When routing is imported unattended
    with pytest.raises(CommandError) as error:
        run("import", write(tmp_path, DOCUMENT), "--secrets-from-env")

    # Then it is refused, naming the secret and where to give it, and nothing changed
    message = str(error.value)
    assert "nothing was changed" in message
    assert f"secret ‘api_key’ is not set: give it in the secrets file or as {ENV_NAME}" in message
    assert snapshot() == before


def test_a_stored_secret_counts_as_set_for_an_unattended_import(tmp_path, monkeypatch):
    # Given secrets stored by an earlier import
    monkeypatch.delenv(ENV_NAME, raising=False)
    monkeypatch.delenv(CRM_ENV_NAME, raising=False)
    given = {"tickets": {"api_key": "x"}, "crm": {"api_key": "c"}}
    run("import", write(tmp_path, DOCUMENT), "--secrets", write(tmp_path, given, "s.yaml"))

    # When routing is imported unattended with none in the environment, nothing is missing

    assert run("import", write(tmp_path, DOCUMENT), "--secrets-from-env").startswith("No changes")


@pytest.mark.parametrize(
    ("secrets", "message"),
    [
        ({"nowhere": {"api_key": "x"}}, "there is no connection ‘nowhere’ in the routing file"),
        ({"tickets": {"url": "x"}}, "the secrets file gives ‘url’, not a secret of this adapter"),
        ({"tickets": {"api_key": 42}}, "must map each secret option to its text value"),
        ({"tickets": "x"}, "must map each secret option to its text value"),
        (["tickets"], "must map connection slugs to their secrets"),
        ("tickets: [unclosed", "not valid YAML"),
    ],
)
def test_a_bad_secrets_file_is_refused_clearly_and_changes_nothing(tmp_path, secrets, message):
    before = snapshot()
    path = write(
        tmp_path, secrets if isinstance(secrets, str) else yaml.safe_dump(secrets), "s.yaml"
    )

    with pytest.raises(CommandError) as error:
        run("import", write(tmp_path, DOCUMENT), "--secrets", path)

    assert message in str(error.value)
    assert "nothing was changed" in str(error.value)
    assert snapshot() == before


def test_a_missing_secrets_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*absent\.yaml"):
        run("import", write(tmp_path, DOCUMENT), "--secrets", str(tmp_path / "absent.yaml"))
    assert not Connection.objects.exists()
