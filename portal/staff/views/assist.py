"""Submit for a resident ("assisted digital"): an agent fills a service's form in for a caller.

The agent chooses the service, the channel and the language to write to the resident in
(`start`), then whom they act for: a resident's account found by a search (`resident`), or a
caller's details typed in (`caller`). Either starts an assisted draft (services/assisted.py)
and hands over to the resident's own journey, which frames its pages for the agent
(portal/journey/assisted.py) and sends the draft to `sent`, where the agent reads the
reference out. `stop` throws an unfinished draft away.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal.accounts.templatetags.govuk_forms import error_links
from portal.dashboard import profile_address
from portal.journey.fields import Field
from portal.journey.pages import error_links as field_error_links
from portal.journey.pages import page_url, post_data
from portal.staff.access import workspace_view
from portal.staff.assist_forms import (
    CALLER_ADDRESS,
    LANGUAGE_CHOICES,
    CallerForm,
    PickResidentForm,
    ResidentSearchForm,
    StartForm,
)
from services.assisted import Caller, acting_for, start_assisted_draft
from services.audit import record_access, record_people
from services.drafts_cleanup import delete_draft
from services.forms.navigation import first_page
from services.forms.references import normalise_reference
from services.models import Channel, Draft, OutgoingMessage
from services.notifications.rules import ACKNOWLEDGEMENT
from services.staff.resident_accounts import find_residents
from services.staff.scope import cases_visible_to


@workspace_view
@require_safe
def start(request: HttpRequest) -> HttpResponse:
    """Which service, which channel, which language; checked, then on to whom."""
    form = StartForm(request.GET or None, user=request.user)
    if form.is_valid():
        return redirect(f"{reverse('staff:assist_resident')}?{form.query_string()}")
    return render(request, "staff/assist/start.html", {"form": form, "active": "assist"})


def _chosen(request: HttpRequest) -> StartForm | HttpResponseRedirect:
    """The first step's choices from the query string, or back to that step to fix them (a
    tampered or stale link, a service no longer theirs to assist with)."""
    form = StartForm(request.GET, user=request.user)
    if form.is_valid():
        return form
    return redirect(f"{reverse('staff:assist')}?{request.GET.urlencode()}")


def _chosen_context(chosen: StartForm) -> dict[str, Any]:
    data = chosen.cleaned_data
    return {
        "chosen": data,
        "chosen_channel": Channel(data["channel"]).label,
        "chosen_language": dict(LANGUAGE_CHOICES)[data["language"]],
        "query": chosen.query_string(),
    }


def _begin(request: HttpRequest, chosen: StartForm, caller: Caller) -> HttpResponse:
    data = chosen.cleaned_data
    version = data["service"].live_version
    if version is None:  # taken off line since the first step
        return redirect(f"{reverse('staff:assist')}?{request.GET.urlencode()}")
    draft = start_assisted_draft(
        version,
        agent=request.user,
        caller=caller,
        channel=data["channel"],
        language=data["language"],
    )
    return redirect(page_url(draft, first_page(version.parsed)))


@workspace_view
@require_http_methods(["GET", "HEAD", "POST"])
def resident(request: HttpRequest) -> HttpResponse:
    """Find the resident's account (GET ?q=); pick one (POST) to start the form for them."""
    chosen = _chosen(request)
    if isinstance(chosen, HttpResponseRedirect):
        return chosen
    pick = PickResidentForm(request.POST if request.method == "POST" else None)
    if pick.is_valid():
        person = pick.cleaned_data["resident"]
        record_access(request.user, where="staff:assist_resident_picked", subject=person)
        return _begin(request, chosen, Caller.of_resident(person))
    search = ResidentSearchForm(request.GET)
    found = None
    if search.is_valid() and search.cleaned_data["q"]:
        found = find_residents(search.cleaned_data["q"])
        record_people(request.user, where="staff:assist_residents", people=found)
    return render(
        request,
        "staff/assist/resident.html",
        {
            **_chosen_context(chosen),
            "search": search,
            # The form whose errors the page shows: the pick that was posted, else the search.
            "form": pick if pick.is_bound else search,
            "found": found,
            "active": "assist",
        },
    )


@workspace_view
@require_http_methods(["GET", "HEAD", "POST"])
def caller(request: HttpRequest) -> HttpResponse:
    """A caller's details typed in: no account needed. Their postal address is the journey's
    address question (find by postcode, or type it in), with or without JavaScript."""
    chosen = _chosen(request)
    if isinstance(chosen, HttpResponseRedirect):
        return chosen
    lang = get_language() or "en"
    if request.method != "POST":
        return _caller_page(
            request, chosen, CallerForm(), profile_address.shown(None, lang, CALLER_ADDRESS)
        )
    address = profile_address.posted(post_data(request.POST), lang, CALLER_ADDRESS)
    if address.step:
        # A button within the address question: show its next state, keep what was typed
        # elsewhere, and judge nothing yet.
        typed = {name: request.POST.get(name, "") for name in ("full_name", "email", "phone")}
        return _caller_page(request, chosen, CallerForm(initial=typed), address.field)
    # An address with a problem of its own (an address not chosen yet) is one being given.
    form = CallerForm(request.POST, has_address=address.value != {})
    if form.is_valid() and address.value is not None:
        data = form.cleaned_data
        caller = Caller(data["full_name"], data["email"], data["phone"], address=address.value)
        return _begin(request, chosen, caller)
    return _caller_page(request, chosen, form, address.field)


def _caller_page(
    request: HttpRequest, chosen: StartForm, form: CallerForm, address: Field
) -> HttpResponse:
    return render(
        request,
        "staff/assist/caller.html",
        {
            **_chosen_context(chosen),
            "form": form,
            "address": address,
            "error_links": [*error_links(form), *field_error_links([address])],
            "active": "assist",
        },
    )


@workspace_view
@require_POST
def stop(request: HttpRequest, draft_id: uuid.UUID) -> HttpResponse:
    """Throw away the agent's unfinished draft for a resident; nothing is sent."""
    draft = (
        Draft.objects.select_related("user")
        .filter(pk=draft_id, created_by_id=request.user.pk)
        .first()
    )
    caller = acting_for(draft) if draft is not None else None
    if draft is None or caller is None:
        raise Http404
    delete_draft(draft)
    messages.success(
        request, _("You stopped acting for %(name)s. Nothing was sent.") % {"name": caller.name}
    )
    return redirect("staff:assist")


@workspace_view
@require_safe
def sent(request: HttpRequest, reference: str) -> HttpResponse:
    """The reference to read out, for the agent who sent it (and may still see the case)."""
    canonical = normalise_reference(reference)
    submission = (
        cases_visible_to(request.user)
        .filter(reference=canonical, submitted_by_id=request.user.pk)
        .select_related("service", "user")
        .first()
        if canonical is not None
        else None
    )
    if submission is None:
        raise Http404
    record_access(
        request.user, where="staff:assist_sent", submission=submission, subject=submission.user
    )
    # A caller with neither an e-mail address nor a mobile number is sent the reference by post.
    letter = OutgoingMessage.objects.filter(
        submission=submission, kind=ACKNOWLEDGEMENT, channel=OutgoingMessage.Channel.LETTER
    ).first()
    return render(
        request,
        "staff/assist/sent.html",
        {
            "submission": submission,
            "name": (
                (submission.user.full_name or submission.user.email)
                if submission.user
                else submission.contact_name
            ),
            "language": dict(LANGUAGE_CHOICES).get(submission.language, submission.language),
            "letter_address": ", ".join(letter.content.get("address_lines", []))
            if letter is not None
            else "",
            "active": "assist",
        },
    )
