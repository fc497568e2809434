"""Sending a draft: the one transaction that turns a resident's answers into a Submission.

`submit_draft` is the single place a submission is made. It locks the draft, checks every answer
again with the form engine, writes the submission with a fresh reference, deletes the draft and
queues the acknowledgement e-mail, all in one transaction, together with a SubmissionFile row
per uploaded file (services/submission_files.py), the routing decision and one Delivery per
destination (services/delivery/outbox.py), so once a resident sees a reference everything that
must follow from it is already in the database. Delivery tasks are queued only after commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from services.delivery.outbox import create_deliveries, record_decision
from services.drafts_cleanup import delete_sent_draft
from services.forms.navigation import exit_page, prune, unanswered_required, visible_pages
from services.forms.questions import AnswerError, clean_page
from services.forms.references import new_reference
from services.forms.schema import FormSchema
from services.models import Draft, Submission, SubmissionFile
from services.notifications.preferences import remember_first_language
from services.notifications.rules import ACKNOWLEDGEMENT
from services.notifications.tell import tell_resident
from services.routing import route
from services.submission_files import StoredFileMissing, file_rows, save_file_rows

REFERENCE_ATTEMPTS = 5


class DraftGone(Exception):
    """The draft no longer exists: it was sent already (or expired and was removed)."""


class AnswersInvalid(Exception):
    """An answer that does not pass the server's checks; nothing was saved.

    `page_id` is the page to send the resident back to; `errors` maps question id -> AnswerError.
    """

    def __init__(self, page_id: str, errors: dict[str, AnswerError] | None = None) -> None:
        super().__init__(page_id)
        self.page_id = page_id
        self.errors = errors or {}


def submit_draft(
    draft: Draft,
    *,
    user: Any,
    contact_email: str,
    language: str,
    submitted_by: Any = None,
    link: str = "",
) -> Submission:
    """Send `draft` and return its Submission; raises DraftGone or AnswersInvalid.

    One transaction: lock the draft row (so two clicks on "send" make one submission: the second
    waits, then finds the draft gone), re-validate every visible answer, create the submission
    with a unique reference, route it and write its deliveries (queued on commit), delete the
    draft, and queue the acknowledgement e-mail (in the message outbox, sent after commit).
    `link` is where the resident can see the request, for the e-mail (absolute; when left out,
    their account's page for it, or a guest's signed tracking link).
    """
    with transaction.atomic():
        locked = (
            Draft.objects.select_for_update(of=("self",))
            .select_related("form_version__form__service")
            .filter(pk=draft.pk)
            .first()
        )
        if locked is None:
            raise DraftGone(str(draft.pk))
        version = locked.form_version
        answers = validated_answers(version.parsed, locked.answers, locked.uploads, language)
        files = stored_files(version.parsed, answers, language)
        owner = user if user is not None and user.is_authenticated else None
        submission = Submission(
            service=version.form.service,
            form_version=version,
            user=owner,
            contact_email=contact_email,
            contact_name=locked.contact_name,
            contact_phone=locked.contact_phone,
            contact_address=locked.contact_address,
            channel=locked.channel,
            submitted_by=submitted_by,
            language=language,
            answers=answers,
            **located(version.parsed, answers),
        )
        # Routed before the first save, so the decision is written with the submission.
        destinations, decision = route(submission)
        record_decision(submission, destinations, decision)
        _save_with_new_reference(submission)
        save_file_rows(submission, files)
        create_deliveries(submission, destinations)
        delete_sent_draft(locked, answers)
        if owner is not None:
            remember_first_language(owner, language)
        send_acknowledgement(submission, link)
    return submission


def validated_answers(
    schema: FormSchema, answers: Mapping[str, Any], uploads: list[str], lang: str
) -> dict[str, Any]:
    """The answers to submit, checked again as if each page were posted once more.

    Hidden answers are dropped first. Raises AnswersInvalid for an exit page, a missing answer,
    an answer the engine refuses, or a file that was not uploaded through this draft.
    """
    answers = prune(schema, answers)
    leaving = exit_page(schema, answers)
    if leaving is not None:
        raise AnswersInvalid(leaving.id)
    missing = unanswered_required(schema, answers)
    if missing:
        page, question = missing[0]
        message = _("Answer this question before you send your request")
        raise AnswersInvalid(page.id, {question.id: AnswerError(message, field=question.id)})
    checked: dict[str, Any] = {}
    for page in visible_pages(schema, answers):
        data: dict[str, Any] = {}
        for question in page.questions:
            if question.id in answers:
                data.update(question.kind.to_data(question, answers[question.id]))
        result = clean_page(page, data, checked, lang)
        errors = dict(result.errors)
        for question in page.questions:
            value = result.answers.get(question.id)
            if question.type == "file" and value and value["reference"] not in uploads:
                errors[question.id] = question.kind.error(question, "invalid", lang)
        if errors:
            raise AnswersInvalid(page.id, errors)
        checked.update(result.answers)
    return checked


def stored_files(schema: FormSchema, answers: Mapping[str, Any], lang: str) -> list[SubmissionFile]:
    """The submission's file rows (unsaved), measured from storage. A file whose bytes are gone
    (storage lost them since the upload) raises AnswersInvalid: the resident uploads it again."""
    try:
        return file_rows(schema, answers)
    except StoredFileMissing as gone:
        question = schema.question(gone.question_id)
        error = question.kind.error(question, "invalid", lang)
        raise AnswersInvalid(schema.page_of(question.id).id, {question.id: error}) from None


def located(schema: FormSchema, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The UPRN and coordinates routing needs, from the first address and location answers."""
    facts: dict[str, Any] = {"uprn": "", "latitude": None, "longitude": None}
    for question in schema.questions:
        value = answers.get(question.id)
        if not isinstance(value, Mapping):
            continue
        if question.type == "address" and value.get("uprn") and not facts["uprn"]:
            facts["uprn"] = value["uprn"]
        if (
            question.type == "location"
            and value.get("lat") is not None
            and facts["latitude"] is None
        ):
            facts["latitude"], facts["longitude"] = value["lat"], value["lng"]
    return facts


def _save_with_new_reference(submission: Submission) -> None:
    # References are random; a clash with an existing one is rare but possible, and the unique
    # column turns it into an IntegrityError. The savepoint keeps the outer transaction usable.
    for _attempt in range(REFERENCE_ATTEMPTS):
        submission.reference = new_reference()
        try:
            with transaction.atomic():
                submission.save(force_insert=True)
            return
        except IntegrityError:
            if Submission.objects.filter(reference=submission.reference).exists():
                continue
            raise
    raise IntegrityError("Could not find an unused reference")


def send_acknowledgement(submission: Submission, link: str = "") -> None:
    """Queue the "we have your request" message in the resident's language, in the submission's
    transaction: it is kept with the submission and sent after commit. It goes by e-mail, or by
    text message to a caller who gave only a mobile number, or by letter to one who gave neither
    but whose address is known (services/notifications/rules.py)."""
    tell_resident(submission, ACKNOWLEDGEMENT, link=link)
