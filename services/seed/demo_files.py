"""The demo cases' files, and what happened to them: the photos and letters residents sent, a
back office downloading one through its signed link, and staff opening them.

The files are stored as the journey stores an upload: checked by content and saved under an
unguessable name (services/forms/uploads.py), then measured into their SubmissionFile rows by
the same `file_rows` a submission uses (services/submission_files.py), so the staff workspace's
download and the back offices' links serve them like any resident's. The bytes are drawn by
services/seed/sample_files.py. Fetches are shown only for the back offices whose protocol
fetches a link (Open311's media_url); the others received the bytes inside the delivery.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable, Sequence
from typing import Any

from services.audit import name_file
from services.forms.uploads import inspect_upload, store_upload
from services.models import AccessLog, Delivery, FileFetch, Submission, SubmissionFile
from services.seed.sample_files import fly_tipping_photo, letter_pdf, pothole_photo
from services.submission_files import file_rows

# Of the cases whose form asks for a file, how many came with one (every file question here is
# optional, and many reports are made in passing, without a photo).
WITH_FILES = 0.6
# Of the cases with files, how many a member of staff opened a file of.
DOWNLOADED = 0.3
# Adapters whose back office downloads the files it is sent a link to, when the record arrives.
FETCHING_ADAPTERS = frozenset({"open311"})

Sample = Callable[[random.Random], tuple[bytes, str]]  # the bytes and the resident's name


def _photo_name(rng: random.Random, plain: str) -> str:
    """What a phone or a resident calls a photo."""
    return rng.choice(
        [plain, f"IMG_{rng.randint(1000, 9999)}.jpg", f"PXL_2026{rng.randint(10**7, 10**8)}.jpg"]
    )


SAMPLES: dict[str, Sample] = {
    "report-pothole": lambda rng: (pothole_photo(rng), _photo_name(rng, "pothole.jpg")),
    "report-fly-tipping": lambda rng: (fly_tipping_photo(rng), _photo_name(rng, "rubbish.jpg")),
}


def _letter(rng: random.Random) -> tuple[bytes, str]:
    """What any other file question gets: a letter, as a PDF (the parking permit's proof)."""
    return letter_pdf("Letter from my employer"), "letter from employer.pdf"


def add_files(rng: random.Random, submissions: Sequence[Submission]) -> list[SubmissionFile]:
    """Before the cases are saved: for a share of those whose form asks for files, store a
    file for each file question and put it in the answers. Returns the unsaved rows, whose
    `submission` is set: save them once the cases are."""
    rows: list[SubmissionFile] = []
    for submission in submissions:
        schema = submission.form_version.parsed
        questions = [question for question in schema.questions if question.type == "file"]
        if not questions or rng.random() >= WITH_FILES:
            continue
        sample = SAMPLES.get(submission.service.slug, _letter)
        for question in questions:
            data, name = sample(rng)
            upload = io.BytesIO(data)
            reference = store_upload(upload, inspect_upload(upload))
            submission.answers[question.id] = {"reference": reference, "name": name}
        for row in file_rows(schema, submission.answers):
            row.submission = submission
            row.created_at = submission.created_at
            rows.append(row)
    return rows


def fetches(rng: random.Random, files: Sequence[SubmissionFile]) -> list[FileFetch]:
    """The back offices' downloads of the files of the cases delivered to them by link: a GET
    soon after the record was made, sometimes after a HEAD to check the file first."""
    delivered = {
        delivery.submission_id: delivery
        for delivery in Delivery.objects.filter(
            submission__in={file.submission_id for file in files},
            state=Delivery.State.DELIVERED,
            connection__adapter__in=FETCHING_ADAPTERS,
        )
    }
    made: list[FileFetch] = []
    for file in files:
        delivery = delivered.get(file.submission_id)
        if delivery is None or delivery.delivered_at is None:
            continue
        at = delivery.delivered_at + dt.timedelta(seconds=rng.randint(1, 40))
        if rng.random() < 0.3:
            made.append(_fetch(file, delivery, at, "HEAD"))
            at += dt.timedelta(seconds=1)
        made.append(_fetch(file, delivery, at, "GET"))
    return made


def _fetch(file: SubmissionFile, delivery: Delivery, at: dt.datetime, method: str) -> FileFetch:
    return FileFetch(
        file=file, connection_id=delivery.connection_id, at=at, method=method, status=200
    )


def downloads(
    rng: random.Random, now: dt.datetime, files: Sequence[SubmissionFile], staff: Sequence[Any]
) -> list[AccessLog]:
    """Staff of the case's team opening a share of the cases with files and downloading one:
    the case view and the download, each in the access log (the download naming the file),
    as the workspace writes them."""
    services_of = {
        member.pk: set(member.teams.values_list("services", flat=True)) for member in staff
    }
    entries: list[AccessLog] = []
    for file in files:
        submission = file.submission
        viewers = [m for m in staff if submission.service_id in services_of[m.pk]]
        if not viewers or rng.random() >= DOWNLOADED:
            continue
        viewer = rng.choice(viewers)
        at = submission.created_at + (now - submission.created_at) * rng.uniform(0.2, 0.9)
        seen = {"actor": viewer, "submission": submission, "subject": submission.user}
        download = AccessLog(**seen, where="staff:attachment", at=at + dt.timedelta(seconds=30))
        name_file(download, file)
        entries += [AccessLog(**seen, where="staff:case", at=at), download]
    return entries
