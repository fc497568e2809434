"""Saving a draft for later, continuing it, and the resume link a guest gets by e-mail."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from portal.accounts.templatetags.govuk_forms import ErrorLink
from portal.core import ratelimit
from portal.journey import access
from portal.journey.pages import PageForm, clean_posted, post_data, read_post
from portal.journey.views import (
    CONTACT_EMAIL,
    expired,
    language,
    load_draft,
    url_or_home,
    where_to_resume,
)
from services.assisted import is_assisted
from services.drafts import draft_id_from_token, resume_token, save_page
from services.forms.navigation import visible_pages
from services.forms.questions import AnswerError, clean_answer
from services.messages.outbox import queue_message
from services.models import Draft


@require_safe
def continue_draft(request: HttpRequest, draft_id: uuid.UUID) -> HttpResponse:
    """A signed-in resident's "Continue" link from their account."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    draft = (
        Draft.objects.select_related("form_version__form__service")
        .filter(pk=draft_id, user=request.user)
        .first()
    )
    if draft is None:
        raise Http404
    if access.is_expired(draft):
        return expired(request, draft.form_version.form.service)
    return redirect(where_to_resume(draft, draft.form_version.parsed))


@require_safe
def resume(request: HttpRequest, token: str) -> HttpResponse:
    """A guest's resume link: the signed draft id goes into this session."""
    draft_id = draft_id_from_token(token[:200])
    draft = (
        Draft.objects.select_related("form_version__form__service")
        .filter(pk=draft_id, user__isnull=True)
        .first()
        if draft_id is not None
        else None
    )
    if draft is None:
        return render(request, "journey/resume_invalid.html", status=404)
    if access.is_expired(draft):
        return expired(request, draft.form_version.form.service)
    access.remember_draft(request, draft.id)
    return redirect(where_to_resume(draft, draft.form_version.parsed))


@require_POST
def save(request: HttpRequest, slug: str, draft_id: uuid.UUID) -> HttpResponse:
    """ "Save and come back later": keep what is valid on the page, then say how to come back."""
    found = load_draft(request, slug, draft_id)
    if isinstance(found, HttpResponse):
        return found
    draft = found
    if is_assisted(draft):  # the resident is on the phone: there is no later to save for
        raise Http404
    if request.POST.get("step") == "email":
        return send_resume_link(request, draft)
    save_valid_answers(request, draft)
    if request.user.is_authenticated:
        messages.success(
            request,
            _("Your answers have been saved. You can continue from your account."),
        )
        return redirect(url_or_home("dashboard:home"))
    context = {"draft": draft, "service": draft.form_version.form.service, "email": ""}
    context["email"] = draft.guest_email
    return render(request, "journey/save_email.html", context)


def save_valid_answers(request: HttpRequest, draft: Draft) -> None:
    """Keep the answers on the posted page that pass; leave the others as they were."""
    schema = draft.form_version.parsed
    page_id = post_data(request.POST).get("page")
    page = next(
        (p for p in visible_pages(schema, draft.answers) if p.id == page_id and not p.is_exit),
        None,
    )
    if page is None:
        return
    lang = language()
    posted = read_post(request, draft, schema, page, lang)
    if posted.step:
        if posted.files_changed:
            draft.save(update_fields=["answers", "uploads", "updated_at"])
        return
    answers, errors = clean_posted(draft, schema, page, posted, lang)
    for question_id in errors:
        if question_id in draft.answers:
            answers[question_id] = draft.answers[question_id]
    save_page(draft, schema, page, answers)


def send_resume_link(request: HttpRequest, draft: Draft) -> HttpResponse:
    lang = language()
    service = draft.form_version.form.service
    data = post_data(request.POST)
    raw = data.get(CONTACT_EMAIL.id)
    typed = raw[:300] if isinstance(raw, str) else ""
    try:
        email = clean_answer(CONTACT_EMAIL, data, lang)
    except AnswerError as error:
        return _ask_for_email_again(request, draft, typed, error)
    # Anyone with a draft could otherwise make the portal e-mail any address, without end.
    refused = ratelimit.use_mail_to_typed_address(request, email)
    if refused is not None:
        too_many = AnswerError(refused.message, field=CONTACT_EMAIL.id, code="rate_limited")
        return _ask_for_email_again(request, draft, typed, too_many, status=429)
    draft.guest_email = email
    draft.save(update_fields=["guest_email", "updated_at"])
    link = request.build_absolute_uri(
        reverse("journey:resume", kwargs={"token": resume_token(draft)})
    )
    context = {"service_name": service.name, "link": link, "expires_at": draft.expires_at}
    queue_message(
        kind="resume_link",
        recipient=email,
        subject=_("Continue your request: %(service)s") % {"service": service.name},
        body=render_to_string("journey/email/resume.txt", context),
        html=render_to_string("journey/email/resume.html", context),
        language=lang,
    )
    return render(
        request,
        "journey/save_sent.html",
        {"service": service, "email": email, "expires_at": draft.expires_at},
    )


def _ask_for_email_again(
    request: HttpRequest, draft: Draft, typed: str, error: AnswerError, status: int = 200
) -> HttpResponse:
    context = {
        "form": PageForm(errors={CONTACT_EMAIL.id: error}),
        "error_links": [ErrorLink(error.message, f"#{CONTACT_EMAIL.id}")],
        "error": error,
        "draft": draft,
        "service": draft.form_version.form.service,
        "email": typed,
    }
    return render(request, "journey/save_email.html", context, status=status)
