"""`manage.py forms export [--service SLUG ...] [--version N | --all-versions] [-o FILE]` and
`manage.py forms import FILE [--dry-run]`.

Forms as files, beside `manage.py routing export/import`: export services, their start pages
and their forms' versions as JSON, keep it in version control or share it with another council,
and import it elsewhere. Import checks everything first and changes nothing, exiting non-zero,
if anything is wrong. The code is services/form_files.py; the format: docs/forms-as-files.md.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from services.form_files import ExportRefused, as_json, export_document, import_document
from services.management.imports import read_text, refused, write_report, write_text
from services.routing.config_file import ImportProblems


class Command(BaseCommand):
    help = "Export or import services and their forms' versions as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help="Write services and their forms as JSON.")
        export.add_argument(
            "--service",
            dest="services",
            metavar="SLUG",
            action="extend",
            nargs="+",
            help="Only these services (repeat or list several); all services by default.",
        )
        which = export.add_mutually_exclusive_group()
        which.add_argument(
            "--version",
            dest="number",
            metavar="N",
            type=int,
            help="Version N of each service, whatever its state (the live version by default).",
        )
        which.add_argument(
            "--all-versions", action="store_true", help="Every version: live, archived, drafts."
        )
        export.add_argument(
            "-o", "--output", default="-", metavar="FILE", help="Where to write; - for stdout."
        )
        load = actions.add_parser("import", help="Check a JSON file and apply it.")
        load.add_argument("file", help="The JSON file; - for stdin.")
        load.add_argument(
            "--dry-run", action="store_true", help="Check and show the changes; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            self.export(
                options["services"],
                number=options["number"],
                all_versions=options["all_versions"],
                target=options["output"],
            )
        else:
            self.load(options["file"], dry_run=options["dry_run"])

    def export(
        self, services: list[str] | None, *, number: int | None, all_versions: bool, target: str
    ) -> None:
        if number is not None and number < 1:
            raise CommandError("--version must be a version number, 1 or more")
        try:
            document, notes = export_document(services, number=number, all_versions=all_versions)
        except ExportRefused as refusal:
            raise CommandError("\n".join(refusal.problems)) from None
        write_text(target, as_json(document), self.stdout, self.stderr)
        for note in notes:
            self.stderr.write(f"Note: {note}")
        if target != "-":
            count = len(document["services"])
            self.stderr.write(f"Wrote {count} service{'s' if count != 1 else ''} to {target}")

    def load(self, source: str, *, dry_run: bool) -> None:
        text = read_text(source)
        try:
            report = import_document(text, dry_run=dry_run)
        except ImportProblems as problems:
            raise refused(source, problems) from None
        write_report(report, self.stdout)
