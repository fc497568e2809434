"""Files in mappings: a file question's answer is the file itself (a DeliveryFile), its parts
are facts about it, and a `files` source makes a list of them."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from integrations.base import DeliveryFile, PermanentError
from services.delivery.files import delivery_file
from services.file_links import file_for_link
from services.forms.schema import parse_schema
from services.models import Connection, SubmissionFile
from services.routing.mapping import (
    MappingContext,
    MappingError,
    build_payload,
    mapping_context_for,
    validate_mapping,
)
from services.routing.preview import preview_payload
from tests.file_samples import jpeg_bytes, pdf_bytes, stored_upload
from tests.services.helpers import page
from tests.services.routing.helpers import AnyFieldsAdapter, live_form, make_submission, q

SCHEMA = parse_schema(
    {
        "pages": [
            page(
                "report",
                q("short_text", "summary"),
                q("file", "photo"),
                q("file", "close_up", required=False),
                q("file", "letter", required=False),
            )
        ]
    }
)
PHOTO = DeliveryFile.from_bytes("photo", "pothole.jpg", "image/jpeg", jpeg_bytes())
LETTER = DeliveryFile.from_bytes("letter", "letter.pdf", "application/pdf", pdf_bytes())
ANSWERS = {
    "summary": "Deep pothole",
    "photo": {"reference": "uploads/" + "a" * 32 + ".jpg", "name": "IMG_1.jpg"},
    "letter": {"reference": "uploads/" + "b" * 32 + ".pdf", "name": "letter.pdf"},
}


def context(**extra: Any) -> MappingContext:
    values: dict[str, Any] = {
        "answers": ANSWERS,
        "schema": SCHEMA,
        "files": {"photo": PHOTO, "letter": LETTER},
        **extra,
    }
    return MappingContext(**values)


def one(spec: dict[str, Any], **extra: Any) -> Any:
    return build_payload({"field": spec}, context(**extra))["field"]


# --- building ------------------------------------------------------------------------------------


def test_a_file_answer_maps_to_the_file_itself():
    assert one({"answer": "photo"}) is PHOTO


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        ("name", "pothole.jpg"),
        ("content_type", "image/jpeg"),
        ("size", PHOTO.size),
        ("sha256", PHOTO.sha256),
    ],
)
def test_a_file_part_is_a_fact_about_it(part, expected):
    assert one({"answer": "photo", "part": part}) == expected


def test_the_files_source_lists_the_answered_files_asked_for_in_that_order():
    assert one({"files": ["letter", "close_up", "photo"]}) == [LETTER, PHOTO]


def test_all_files_lists_every_answered_file_in_the_forms_order():
    assert one({"files": "all"}) == [PHOTO, LETTER]


def test_a_template_shows_a_file_by_its_name_and_display_too():
    assert one({"template": "See {answer.photo} ({answer.photo.size} bytes)"}) == (
        f"See pothole.jpg ({PHOTO.size} bytes)"
    )
    assert one({"answer": "letter", "transforms": [{"display": True}]}) == "letter.pdf"


def test_an_unanswered_file_is_none_or_the_default():
    assert one({"answer": "close_up"}) is None
    assert one({"answer": "close_up", "default": "none sent"}) == "none sent"


def test_the_retired_reference_part_fails_saying_why_instead_of_sending_nothing():
    with pytest.raises(MappingError) as raised:
        one({"answer": "photo", "part": "reference"})
    assert "it exposed where the file is stored" in str(raised.value)


def test_a_file_answer_without_its_record_fails_rather_than_going_missing():
    with pytest.raises(MappingError) as raised:
        one({"files": "all"}, files={"photo": PHOTO})
    assert "Field ‘field’: the file answering ‘letter’ has no record" in raised.value.errors


# --- validating ----------------------------------------------------------------------------------


def problems(spec: dict[str, Any]) -> list[str]:
    return validate_mapping({"field": spec}, adapter_class=AnyFieldsAdapter, schema=SCHEMA)


@pytest.mark.parametrize(
    "spec",
    [
        {"answer": "photo"},
        {"answer": "photo", "part": "sha256"},
        {"files": ["photo", "letter"]},
        {"files": "all"},
        {"template": "{answer.photo.name}"},
    ],
)
def test_good_file_mappings_have_no_problems(spec):
    assert problems(spec) == []


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"answer": "photo", "part": "reference"},
            "Field ‘field’: the ‘reference’ part is gone: it exposed where the file is stored; "
            "map the file itself (leave out ‘part’) or its name",
        ),
        (
            {"template": "{answer.photo.reference}"},
            "Field ‘field’: the ‘reference’ part is gone: it exposed where the file is stored; "
            "map the file itself (leave out ‘part’) or its name",
        ),
        (
            {"answer": "photo", "part": "colour"},
            "Field ‘field’: ‘colour’ is not a part of a file answer "
            "(parts: name, content_type, size, sha256)",
        ),
        (
            {"files": ["photo", "summary"]},
            "Field ‘field’: question ‘summary’ is a short_text question, not a file question",
        ),
        ({"files": ["nowhere"]}, "Field ‘field’: question ‘nowhere’ is not in the form"),
        (
            {"files": "some"},
            'Field ‘field’: files needs a list of file question ids, or "all"',
        ),
        ({"files": []}, 'Field ‘field’: files needs a list of file question ids, or "all"'),
        (
            {"files": "all", "transforms": [{"join": ", "}]},
            "Field ‘field’: unknown keys transforms (allowed: files)",
        ),
        (
            {"answer": "photo", "transforms": [{"upper": True}]},
            "Field ‘field’: transform 1: upper needs text, but the value here is a file "
            "(use a part)",
        ),
    ],
)
def test_bad_file_mappings_say_what_is_wrong(spec, message):
    assert problems(spec) == [message]


# --- from a submission ---------------------------------------------------------------------------


@pytest.fixture
def storage(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    from django.core.files.storage import default_storage

    return default_storage


def file_row(submission, question_id: str, answer: dict[str, str], storage) -> SubmissionFile:
    with storage.open(answer["reference"], "rb") as handle:
        data = handle.read()
    return SubmissionFile.objects.create(
        submission=submission,
        question_id=question_id,
        name=answer["name"],
        storage_name=answer["reference"],
        content_type="image/jpeg",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


@pytest.mark.django_db
def test_a_submissions_files_reach_the_mapping_bound_to_the_connection(storage):
    # Given a submission with a stored photo and its row
    photo = stored_upload(jpeg_bytes(), "pothole.jpg", storage)
    submission = make_submission(live_form(), answers={**_bin_answers(), "photo": photo})
    row = file_row(submission, "photo", photo, storage)
    connection = Connection.objects.create(name="C", slug="c", adapter="webhook")

    # When its mapping context is made for the connection
    files = mapping_context_for(submission, connection.pk).files

    # Then the photo reads as its stored bytes and links to itself for that connection only
    (found,) = files.values()
    with storage.open(photo["reference"], "rb") as handle:
        assert found.read() == handle.read()
    token = found.signed_url().rstrip("/").rsplit("/", 1)[-1]
    assert file_for_link(token) == (row, connection.pk)
    # and without a connection (a case page reading the profile) no file is looked up
    assert mapping_context_for(submission).files == {}


def _bin_answers() -> dict[str, Any]:
    from tests.services.routing.helpers import ANSWERS as BIN_ANSWERS

    return {key: value for key, value in BIN_ANSWERS.items() if key != "photo"}


@pytest.mark.django_db
def test_a_file_deleted_by_retention_cannot_be_read_or_linked_and_says_when(storage):
    from datetime import UTC, datetime

    photo = stored_upload(jpeg_bytes(), "pothole.jpg", storage)
    submission = make_submission(live_form(), answers={**_bin_answers(), "photo": photo})
    row = file_row(submission, "photo", photo, storage)
    row.deleted_at = datetime(2027, 3, 4, 12, 0, tzinfo=UTC)
    sent = delivery_file(row, connection_id=1)

    for use in (sent.read, sent.signed_url):
        with pytest.raises(PermanentError) as raised:
            use()
        assert raised.value.message == (
            "The file 'pothole.jpg' was deleted under the retention policy on 4 March 2027, "
            "so it can no longer be sent"
        )


@pytest.mark.django_db
def test_bytes_missing_from_storage_are_permanent_and_a_storage_failure_transient(storage):
    from integrations.base import TransientError

    photo = stored_upload(jpeg_bytes(), "pothole.jpg", storage)
    submission = make_submission(live_form(), answers={**_bin_answers(), "photo": photo})
    row = file_row(submission, "photo", photo, storage)
    storage.delete(photo["reference"])
    with pytest.raises(PermanentError, match="is no longer stored"):
        delivery_file(row, 1).read()

    class Broken:
        def open(self, name: str, mode: str) -> Any:
            raise PermissionError("storage unavailable")

    with pytest.raises(TransientError, match="could not be read from storage: PermissionError"):
        delivery_file(row, 1, storage=Broken()).read()


@pytest.mark.django_db
def test_the_payload_preview_shows_files_as_their_facts_without_reading_or_linking(storage):
    from services.models import Destination, RoutingRuleSet

    form = live_form()
    photo = stored_upload(jpeg_bytes(), "pothole.jpg", storage)
    submission = make_submission(form, answers={**_bin_answers(), "photo": photo})
    row = file_row(submission, "photo", photo, storage)
    connection = Connection.objects.create(name="C", slug="c", adapter="webhook")
    destination = Destination.objects.create(
        rule_set=RoutingRuleSet.objects.create(form=form),
        name="D",
        connection=connection,
        mapping={"photo": {"answer": "photo"}, "files": {"files": "all"}},
    )

    result = preview_payload(destination, submission.reference)

    facts = {"name": "pothole.jpg", "content_type": "image/jpeg", "size": row.size}
    facts["sha256"] = row.sha256
    assert result["payload"] == {"photo": {"file": facts}, "files": [{"file": facts}]}
