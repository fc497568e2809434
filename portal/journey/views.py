"""The resident's journey: start, one question page at a time, check answers, send, confirmation.

Every view loads the draft with its version, form and service in one query (`find_draft`), and
the draft points at its own form version, so publishing a new version never breaks a journey in
progress. Saving for later, continuing and resume links are in views_drafts.py.
"""

from __future__ import annotations

import uuid
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from portal.accounts.templatetags.govuk_forms import ErrorLink
from portal.core import ratelimit
from portal.journey import access, assisted, views_repeat
from portal.journey.pages import (
    PageForm,
    address_states,
    build_fields,
    check_url,
    clean_posted,
    first_to_do,
    page_url,
    post_data,
    read_post,
    stored_data,
)
from portal.journey.rendering import exit_page_context, page_context
from services.assisted import is_assisted, submit_assisted
from services.drafts import save_page, start_draft
from services.forms.navigation import (
    first_page,
    next_page,
    previous_page,
    unanswered_required,
    visible_pages,
    visible_questions,
)
from services.forms.questions import AnswerError, clean_answer, clean_page, resident_answer
from services.forms.references import is_reference
from services.forms.schema import FormSchema, Page, Question
from services.forms.text import Text, text
from services.models import Draft, Service, Submission
from services.submissions import AnswersInvalid, DraftGone, submit_draft
from services.tracking import track_path

# The e-mail address a guest gives on check-your-answers, cleaned like any e-mail question.
CONTACT_EMAIL = Question(
    id="contact_email",
    type="email",
    label=Text("Your email address", "Eich cyfeiriad e-bost"),
    name=Text("your email address", "eich cyfeiriad e-bost"),
)


def language() -> str:
    return translation.get_language() or "en"


def url_or_home(name: str) -> str:
    """The URL called `name`, or the home page while the app that provides it is not there."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return reverse("home")


def service_url(service: Service) -> str:
    """The service's start page (the catalogue app's), or the home page."""
    try:
        return reverse("catalogue:start", kwargs={"slug": service.slug})
    except NoReverseMatch:
        return reverse("home")


def load_draft(request: HttpRequest, slug: str, draft_id: uuid.UUID) -> Draft | HttpResponse:
    """The draft this request may use, or the response to give instead (sent, expired, 404)."""
    draft = access.find_draft(request, slug, draft_id)
    if draft is None:
        reference = access.sent_reference(request, draft_id)
        if reference:
            return redirect("journey:confirmation", slug=slug, reference=reference)
        raise Http404
    if access.is_expired(draft):
        return expired(request, draft.form_version.form.service)
    return draft


def expired(request: HttpRequest, service: Service) -> HttpResponse:
    context = {"service": service, "service_url": service_url(service)}
    return render(request, "journey/expired.html", context, status=410)


def _position(schema: FormSchema, page: Page) -> int:
    return schema.pages.index(page)


def where_to_resume(draft: Draft, schema: FormSchema) -> str:
    """The last page the resident saved if it still applies, else the first one left to do."""
    answers = draft.answers
    pages = visible_pages(schema, answers)
    if draft.last_page and any(p.id == draft.last_page for p in pages):
        return page_url(draft, draft.last_page)
    return first_to_do(draft, schema)


# --- Start ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, slug: str) -> HttpResponse:
    """POST starts a draft on the live version; GET shows a button to do so (after sign-in)."""
    service = Service.objects.filter(slug=slug, is_live=True).select_related("form").first()
    version = service.live_version if service is not None else None
    if service is None or version is None:
        raise Http404
    if not request.user.is_authenticated and not service.allow_guests:
        return redirect_to_login(reverse("journey:start", kwargs={"slug": slug}))
    if request.method == "GET":
        return render(request, "journey/start.html", {"service": service})
    draft = start_draft(version, user=request.user)
    if not request.user.is_authenticated:
        access.remember_draft(request, draft.id)
    return redirect(page_url(draft, first_page(version.parsed)))


# --- Question pages ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def question_page(request: HttpRequest, slug: str, draft_id: uuid.UUID, page_id: str) -> Any:
    found = load_draft(request, slug, draft_id)
    if isinstance(found, HttpResponse):
        return found
    draft = found
    schema = draft.form_version.parsed
    try:
        page = schema.page(page_id)
    except KeyError:
        raise Http404 from None
    # Only pages that apply, and not past a required question still unanswered.
    pages = visible_pages(schema, draft.answers)
    missing = [p for p, _q in unanswered_required(schema, draft.answers)]
    if page not in pages or any(_position(schema, p) < _position(schema, page) for p in missing):
        return redirect(first_to_do(draft, schema))
    if page.is_exit:
        return render(request, "journey/exit.html", exit_context(draft, schema, page))
    change = request.GET.get("change") == "1"
    lang = language()
    if views_repeat.is_list_page(page):
        back = back_url(draft, schema, page, change)
        return views_repeat.list_page(request, draft, schema, page, change, lang, back)
    if request.method == "POST":
        return post_page(request, draft, schema, page, change, lang)
    data = stored_data(schema, page, draft)
    errors: dict[str, AnswerError] = {}
    if request.GET.get("check") == "1":
        # Sent back from check-your-answers: show what the server refused, as a POST would.
        errors = clean_page(page, data, draft.answers, lang).errors
    states = address_states(schema, page, draft)
    return render_page(request, draft, schema, page, data, errors, states, change)


def post_page(
    request: HttpRequest, draft: Draft, schema: FormSchema, page: Page, change: bool, lang: str
) -> HttpResponse:
    posted = read_post(request, draft, schema, page, lang)
    if posted.step:
        if posted.files_changed:
            draft.save(update_fields=["answers", "uploads", "updated_at"])
        return render_page(
            request, draft, schema, page, posted.data, posted.errors, posted.states, change
        )
    answers, errors = clean_posted(draft, schema, page, posted, lang)
    if errors:
        if posted.files_changed:
            draft.save(update_fields=["answers", "uploads", "updated_at"])
        return render_page(request, draft, schema, page, posted.data, errors, posted.states, change)
    save_page(draft, schema, page, answers)
    if change:
        return redirect(first_to_do(draft, schema, change=True))
    following = next_page(schema, draft.answers, page.id)
    return redirect(page_url(draft, following) if following else check_url(draft))


def render_page(
    request: HttpRequest,
    draft: Draft,
    schema: FormSchema,
    page: Page,
    data: dict[str, Any],
    errors: dict[str, AnswerError],
    states: dict[str, Any],
    change: bool,
) -> HttpResponse:
    lang = language()
    service = draft.form_version.form.service
    fields = build_fields(schema, page, draft, data, errors, states, lang)
    context = {
        **page_context(service, page, fields, lang),
        **assisted.frame(draft),
        "draft": draft,
        "action": page_url(draft, page, change=change),
        "back_url": back_url(draft, schema, page, change),
    }
    return render(request, "journey/page.html", context)


def back_url(draft: Draft, schema: FormSchema, page: Page, change: bool) -> str:
    """Where a question page's Back link goes: the check, the page before, or the start."""
    previous = previous_page(schema, draft.answers, page.id)
    if change:
        return check_url(draft)
    if previous is not None:
        return page_url(draft, previous)
    if is_assisted(draft):
        return reverse("staff:assist")
    return service_url(draft.form_version.form.service)


def exit_context(draft: Draft, schema: FormSchema, page: Page) -> dict[str, Any]:
    previous = previous_page(schema, draft.answers, page.id)
    return {
        **exit_page_context(draft.form_version.form.service, page, language()),
        **assisted.frame(draft),
        "back_url": page_url(draft, previous) if previous else None,
    }


# --- Check your answers and send ---------------------------------------------------------------


def summary_rows(draft: Draft, schema: FormSchema, lang: str) -> list[dict[str, Any]]:
    rows = []
    for page in visible_pages(schema, draft.answers):
        if page.is_exit:
            continue
        for question in visible_questions(schema, page, draft.answers):
            if question.type == "repeat":
                rows.extend(views_repeat.check_rows(draft, page, question, lang))
                continue
            value = draft.answers.get(question.id)
            shown = resident_answer(question, value, lang) if value is not None else ""
            rows.append(
                {
                    "key": text(question.label, lang),
                    "lines": shown.split("\n") if shown else [],
                    "actions": [(_("Change"), page_url(draft, page, change=True))],
                }
            )
    return rows


def guest_email(draft: Draft, schema: FormSchema) -> str:
    """What to offer a guest as their contact address: one they gave, or an e-mail answer."""
    if draft.guest_email:
        return draft.guest_email
    for question in schema.questions:
        if question.type == "email" and isinstance(draft.answers.get(question.id), str):
            return str(draft.answers[question.id])
    return ""


@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, slug: str, draft_id: uuid.UUID) -> HttpResponse:
    found = load_draft(request, slug, draft_id)
    if isinstance(found, HttpResponse):
        return found
    draft = found
    schema = draft.form_version.parsed
    if first_to_do(draft, schema) != check_url(draft):
        return redirect(first_to_do(draft, schema))
    lang = language()
    email = guest_email(draft, schema)
    error: AnswerError | None = None
    status = 200
    # An agent's draft goes to the resident it was started for: no address to ask for.
    ask_email = not request.user.is_authenticated and not is_assisted(draft)
    if request.method == "POST":
        contact_email = request.user.email if request.user.is_authenticated else ""
        if ask_email:
            data = post_data(request.POST)
            raw = data.get(CONTACT_EMAIL.id)
            email = raw[:300] if isinstance(raw, str) else ""
            try:
                contact_email = clean_answer(CONTACT_EMAIL, data, lang) or ""
            except AnswerError as exc:
                error = exc
            # The acknowledgement goes to the address typed here: limited like every such e-mail.
            refused = None if error else ratelimit.use_mail_to_typed_address(request, contact_email)
            if refused is not None:
                error = AnswerError(refused.message, field=CONTACT_EMAIL.id, code="rate_limited")
                status = 429
        if error is None:
            return send(request, draft, contact_email, lang)
    context = {
        "form": PageForm(errors={"contact_email": error} if error else {}),
        "error_links": [ErrorLink(error.message, "#contact_email")] if error else [],
        "error": error,
        "service": draft.form_version.form.service,
        "draft": draft,
        "rows": summary_rows(draft, schema, lang),
        "ask_email": ask_email,
        "email": email,
        "back_url": page_url(draft, visible_pages(schema, draft.answers)[-1]),
        **assisted.frame(draft),
    }
    return render(request, "journey/check.html", context, status=status)


def send(request: HttpRequest, draft: Draft, contact_email: str, lang: str) -> HttpResponse:
    service = draft.form_version.form.service
    # Where the e-mail says to follow the request: the account; a guest's signed link needs the
    # reference, so the acknowledgement makes it (services.tracking.resident_link).
    link = ""
    if request.user.is_authenticated:
        link = request.build_absolute_uri(url_or_home("dashboard:home"))
    try:
        with transaction.atomic():
            if is_assisted(draft):  # an agent, for a resident: the resident's own details
                submission = submit_assisted(
                    draft, agent=request.user, link=assisted.account_link(request, draft)
                )
            else:
                submission = submit_draft(
                    draft,
                    user=request.user,
                    contact_email=contact_email,
                    language=lang,
                    link=link,
                )
            # Saved in the same transaction as the submission (sessions live in the database),
            # so a second click that waited for the draft's lock finds which reference it got.
            access.remember_sent(request, draft.id, submission.reference)
            request.session.save()
    except DraftGone:
        return already_sent(request, draft, service)
    except AnswersInvalid as invalid:
        return redirect(f"{page_url(draft, invalid.page_id)}?change=1&check=1")
    if submission.submitted_by_id is not None:
        return redirect(assisted.confirmation_url(submission))
    return redirect("journey:confirmation", slug=service.slug, reference=submission.reference)


def already_sent(request: HttpRequest, draft: Draft, service: Service) -> HttpResponse:
    """The draft went while this request waited: another click on "send" got there first."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(request.session.session_key)
    sent = store.get(access.SESSION_SENT, {})
    reference = sent.get(str(draft.id))
    if reference is None:
        raise Http404
    request.session[access.SESSION_SENT] = {**request.session.get(access.SESSION_SENT, {}), **sent}
    return redirect("journey:confirmation", slug=service.slug, reference=reference)


# --- Confirmation -----------------------------------------------------------------------------


@require_safe
def confirmation(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    if not is_reference(reference):  # a made-up address, never sent to the database
        raise Http404
    submission = (
        Submission.objects.select_related("service")
        .filter(reference=reference, service__slug=slug)
        .first()
    )
    if submission is None or not access.may_see(request, submission):
        raise Http404
    if submission.submitted_by_id is not None and submission.submitted_by_id == request.user.pk:
        # The agent's second click on "send": their confirmation is the workspace's.
        return redirect(assisted.confirmation_url(submission))
    context = {
        "submission": submission,
        "service": submission.service,
        "account_url": url_or_home("dashboard:home"),
        # Only the session that sent it sees this page: the guest's own way back to the request.
        "track_url": track_path(submission) if submission.user_id is None else "",
    }
    return render(request, "journey/confirmation.html", context)
