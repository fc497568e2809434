"""`manage.py routing export [FILE|-]` and `manage.py routing import FILE [--dry-run]`.

Routing as configuration code, so a council promotes routing from test to production safely:
export from one portal, review the YAML, import into the other. Import checks everything first
and changes nothing, exiting non-zero, if anything is wrong. The format: docs/routing.md.

Connection secrets come from a secrets file (--secrets) and/or environment variables
(--secrets-from-env), so a deploy can import routing with nobody at the admin.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from services.management.imports import read_text, refused, write_report, write_text
from services.routing.config_file import (
    ImportProblems,
    export_yaml,
    import_document,
    read_secrets,
)


class Command(BaseCommand):
    help = "Export or import routing (connections, rules, destinations, mappings) as YAML."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help="Write all routing as YAML (no secrets).")
        export.add_argument("file", nargs="?", default="-", help="Where to write; - for stdout.")
        load = actions.add_parser("import", help="Check a YAML file and apply it.")
        load.add_argument("file", help="The YAML file; - for stdin.")
        load.add_argument(
            "--dry-run", action="store_true", help="Check and show the changes; change nothing."
        )
        load.add_argument(
            "--secrets",
            metavar="FILE",
            help="A YAML file of connection secrets (slug: {option: value}); never exported.",
        )
        load.add_argument(
            "--secrets-from-env",
            action="store_true",
            help="Take secrets from ROUTING_SECRET_<SLUG>_<OPTION> environment variables.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            self.export(options["file"])
        else:
            self.load(
                options["file"],
                dry_run=options["dry_run"],
                secrets_file=options["secrets"],
                from_env=options["secrets_from_env"],
            )

    def export(self, target: str) -> None:
        write_text(target, export_yaml(), self.stdout, self.stderr)
        if target != "-":
            self.stderr.write(f"Wrote routing to {target}")

    def load(
        self, source: str, *, dry_run: bool, secrets_file: str | None = None, from_env: bool = False
    ) -> None:
        text = read_text(source)
        try:
            secrets = read_secrets(read_text(secrets_file)) if secrets_file else None
            report = import_document(
                text,
                dry_run=dry_run,
                secrets=secrets,
                environ=os.environ if from_env else None,
            )
        except ImportProblems as problems:
            raise refused(source, problems) from None
        write_report(report, self.stdout)
