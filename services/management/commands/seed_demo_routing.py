"""`manage.py seed_demo_routing [--force]`: route every seeded service to a demo back office.

For `make run` and demos only. It imports services/seed/demo_routing.yaml exactly as `manage.py
routing import` would (checked in full, applied idempotently), then does what a routing file
never carries: gives the demo connections the secrets the simulators (`manage.py simulate`)
expect, sets up signed callbacks for the back offices that push status changes, makes each
demo connection's status mappings those in services/seed/demo_status_mappings.yaml, and makes
each routed service live (seed_catalogue leaves new services not live until they are routed).

The secrets are the simulators' published defaults, known to everyone who reads this file, so
it refuses to run when DEBUG is off unless --force is given: a production portal must never
hold them. Run it after seed_catalogue (the routing names the seeded services). Running it
again changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from integrations.registry import registry
from services.models import Connection, Service, StatusMapping, Submission
from services.routing.config_file import ImportProblems, import_document
from services.routing.connections import ConnectionOptionsInvalid, apply_connection_options

SEED_DIR = Path(__file__).resolve().parents[2] / "seed"
ROUTING_FILE = SEED_DIR / "demo_routing.yaml"
STATUS_MAPPINGS_FILE = SEED_DIR / "demo_status_mappings.yaml"

# What the simulators accept by default (integrations/simulators/*, and the SMTP and SFTP
# credentials `manage.py simulate` starts them with). Demo values, known to all.
DEMO_SECRETS: dict[str, dict[str, str]] = {
    "waste-system": {"password": "simulator-password"},
    "parking-system": {"password": "simulator-password"},
    "highways": {"api_key": "simulator-open311-key"},
    "crm": {"client_secret": "simulator-crm-secret"},
    "noise-team": {"password": "simulator-smtp-password"},
    "generic-cases": {"signing_secret": "simulator-signing-secret"},
    "council-tax": {"password": "simulator-sftp-password"},
}
# Back offices that push status changes to /callbacks/<slug>/ instead of being polled.
DEMO_CALLBACKS: dict[str, tuple[str, str]] = {
    "generic-cases": (Connection.CallbackAuth.HMAC, "demo-callback-secret-for-generic-cases"),
    "noise-team": (Connection.CallbackAuth.BEARER, "demo-callback-token-for-the-noise-team"),
    "council-tax": (Connection.CallbackAuth.HMAC, "demo-callback-secret-for-council-tax"),
}
MAPPING_KEYS = {"status", "portal", "reopen", "en", "cy"}


class Command(BaseCommand):
    help = "Route the seeded services to the demo back-office simulators (DEBUG only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. The demo secrets are public: never on a real portal.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off: this would give connections the simulators' public demo secrets. "
                "Use --force only on a throwaway demo portal."
            )
        mappings = read_status_mappings(STATUS_MAPPINGS_FILE)
        with transaction.atomic():
            try:
                report = import_document(ROUTING_FILE.read_text(encoding="utf-8"))
            except ImportProblems as problems:
                lines = "\n".join(f"  - {p}" for p in problems.problems)
                raise CommandError(f"{ROUTING_FILE.name} cannot be imported:\n{lines}") from None
            changes = list(report.changes)
            connections = {c.slug: c for c in Connection.objects.filter(slug__in=DEMO_SECRETS)}
            for slug, connection in connections.items():
                if set_demo_secrets(connection):
                    changes.append(f"Set the demo secrets of connection ‘{slug}’")
            for slug, rows in mappings.items():
                if slug in connections and sync_status_mappings(connections[slug], rows):
                    changes.append(f"Set the status mappings of connection ‘{slug}’")
            changes += make_routed_services_live(ROUTING_FILE.read_text(encoding="utf-8"))
        if changes:
            self.stdout.write("Demo routing:")
            for change in changes:
                self.stdout.write(f"  - {change}")
        else:
            self.stdout.write("Demo routing: no changes.")


def make_routed_services_live(routing: str) -> list[str]:
    """Make every service the routing file routes live, by the domain's own rule."""
    slugs = [form["service"] for form in yaml.safe_load(routing).get("forms") or []]
    changes = []
    for service in Service.objects.filter(slug__in=slugs, is_live=False).order_by("slug"):
        try:
            service.go_live()
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        changes.append(f"Make service ‘{service.slug}’ live")
    return changes


def set_demo_secrets(connection: Connection) -> bool:
    """Give `connection` its demo secrets and callback set-up; True if anything changed."""
    before = {"config": connection.config, "secrets": connection.secrets}
    try:
        apply_connection_options(
            connection,
            registry.get(connection.adapter),
            connection.config,
            DEMO_SECRETS[connection.slug],
        )
    except ConnectionOptionsInvalid as invalid:
        raise CommandError(f"Connection ‘{connection.slug}’: {invalid}") from None
    wanted: dict[str, Any] = {"config": connection.config, "secrets": connection.secrets}
    if connection.slug in DEMO_CALLBACKS:
        wanted["callback_auth"], wanted["callback_secret"] = DEMO_CALLBACKS[connection.slug]
    current = {**{name: getattr(connection, name) for name in wanted}, **before}
    changed = [name for name, value in wanted.items() if current[name] != value]
    if not changed:
        return False
    for name in changed:
        setattr(connection, name, wanted[name])
    connection.save(update_fields=changed)
    return True


def read_status_mappings(path: Path) -> dict[str, list[dict[str, Any]]]:
    """The file's mappings by connection slug; CommandError naming the first problem."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise CommandError(f"{path.name} is not valid YAML: {error}") from None
    if not isinstance(document, dict):
        raise CommandError(f"{path.name} must map connection slugs to lists of statuses")
    statuses = set(Submission.Status.values)
    for slug, rows in document.items():
        if not isinstance(rows, list):
            raise CommandError(f"{path.name}: ‘{slug}’ must be a list")
        for n, row in enumerate(rows, start=1):
            where = f"{path.name}: ‘{slug}’ item {n}"
            if not isinstance(row, dict) or not {"status", "portal", "en"} <= set(row):
                raise CommandError(f"{where} needs status, portal and en")
            if set(row) - MAPPING_KEYS:
                raise CommandError(f"{where}: unknown keys {sorted(set(row) - MAPPING_KEYS)}")
            if row["portal"] not in statuses:
                raise CommandError(f"{where}: portal must be one of {sorted(statuses)}")
    return document


def sync_status_mappings(connection: Connection, rows: list[dict[str, Any]]) -> bool:
    """Make the connection's mappings exactly `rows`; True if anything changed."""
    existing = {m.external_status.casefold(): m for m in connection.status_mappings.all()}
    changed = False
    listed = set()
    for row in rows:
        status = str(row["status"]).strip()
        listed.add(status.casefold())
        values = {
            "external_status": status,
            "portal_status": row["portal"],
            "reopen": bool(row.get("reopen", False)),
            "description_en": row["en"],
            "description_cy": row.get("cy", ""),
        }
        mapping = existing.get(status.casefold())
        if mapping is None:
            StatusMapping.objects.create(connection=connection, **values)
            changed = True
        elif any(getattr(mapping, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(mapping, name, value)
            mapping.save()
            changed = True
    stale = [m.pk for key, m in existing.items() if key not in listed]
    if stale:
        StatusMapping.objects.filter(pk__in=stale).delete()
        changed = True
    return changed
