"""What `manage.py routing import` and `manage.py forms import` share: reading the file, and
saying what changed or why nothing did, in the same words and with the same exit codes."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import CommandError, OutputWrapper

from services.routing.config_file import ImportProblems, Report


def read_text(source: str) -> str:
    """The file's text, or stdin's for "-"; CommandError if it cannot be read."""
    try:
        return sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"Cannot read {source}: {error}") from None


def write_text(target: str, text: str, stdout: OutputWrapper, stderr: OutputWrapper) -> None:
    """Write `text` to the file, or to stdout for "-"; CommandError if it cannot be written."""
    if target == "-":
        stdout.write(text, ending="")
        return
    try:
        Path(target).write_text(text, encoding="utf-8")
    except OSError as error:
        raise CommandError(f"Cannot write {target}: {error.strerror}") from None


def refused(source: str, problems: ImportProblems) -> CommandError:
    """The error (exit status 1) listing every problem of the file."""
    count = len(problems.problems)
    lines = "\n".join(f"  - {p}" for p in problems.problems)
    return CommandError(
        f"{source} has {count} problem{'s' if count != 1 else ''}; nothing was changed:\n{lines}"
    )


def write_report(report: Report, stdout: OutputWrapper) -> None:
    """Each change (or that there is none), then each note."""
    if not report.changes:
        stdout.write("No changes: the portal already matches the file.")
    else:
        stdout.write(
            "Dry run: these changes would be made (nothing was changed):"
            if report.dry_run
            else "Changed:"
        )
        for change in report.changes:
            stdout.write(f"  - {change}")
    for note in report.notes:
        stdout.write(f"Note: {note}")
