"""A SubmissionFile row for each file answer of the submissions made before rows were made with
them (services/submission_files.py makes them now).

Self-contained on purpose, as a migration must mean the same thing however the code changes
later: a file answer is recognised by its shape ({"reference": "uploads/<32>.<ext>", "name": ...},
what services/forms/types_file.py stores), its type comes from the extension the upload check
chose by content, and its size and SHA-256 from the stored bytes. Bytes already gone from
storage make a row marked deleted (size 0, no hash), so the case still lists the file and a
delivery that needs it fails saying why. Reversing deletes the rows.
"""

import hashlib
import re
import unicodedata

from django.core.files.storage import default_storage
from django.db import migrations
from django.utils import timezone

REFERENCE = re.compile(r"uploads/[A-Za-z0-9_-]{32}\.(jpg|png|webp|pdf)")
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "pdf": "application/pdf",
}
UNSAFE = re.compile(r"[^\w.\- ()]+")
BATCH = 500


def safe_name(name, extension):
    # As integrations.files.safe_filename did when this was written.
    name = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = UNSAFE.sub("_", name).strip(" ._") or "file"
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem[: 100 - len(extension) - 1].strip(" ._") or "file"
    return f"{stem}.{extension}"


def measured(storage_name):
    digest, size = hashlib.sha256(), 0
    with default_storage.open(storage_name, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def file_answers(answers):
    for question_id, value in (answers or {}).items():
        if (
            isinstance(value, dict)
            and set(value) == {"reference", "name"}
            and isinstance(value["reference"], str)
            and REFERENCE.fullmatch(value["reference"])
        ):
            yield question_id, value


def backfill(apps, schema_editor):
    Submission = apps.get_model("services", "Submission")
    SubmissionFile = apps.get_model("services", "SubmissionFile")
    rows = []
    without_rows = Submission.objects.filter(files__isnull=True).order_by("pk")
    for submission in without_rows.only("pk", "answers", "created_at").iterator(BATCH):
        for question_id, answer in file_answers(submission.answers):
            reference = answer["reference"]
            extension = reference.rsplit(".", 1)[1]
            row = SubmissionFile(
                submission_id=submission.pk,
                question_id=question_id[:100],
                name=safe_name(answer["name"], extension),
                storage_name=reference,
                content_type=CONTENT_TYPES[extension],
                size=0,
                sha256="",
                created_at=submission.created_at,
            )
            try:
                row.size, row.sha256 = measured(reference)
            except FileNotFoundError:
                row.deleted_at = timezone.now()
            rows.append(row)
        if len(rows) >= BATCH:
            SubmissionFile.objects.bulk_create(rows, ignore_conflicts=True)
            rows = []
    SubmissionFile.objects.bulk_create(rows, ignore_conflicts=True)


def remove(apps, schema_editor):
    # Every row, including those submissions made since: backfill makes them all again from
    # the answers and the stored bytes if this is applied once more.
    apps.get_model("services", "SubmissionFile").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0013_submission_files_and_delivery_progress"),
    ]

    operations = [migrations.RunPython(backfill, remove)]
