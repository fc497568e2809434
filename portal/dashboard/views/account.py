"""The signed-in resident's own requests and unfinished forms. Every query is filtered by the
resident, so another person's reference or draft is simply not found (404).

"Your requests" lists them a page at a time, newest first, open, closed or waiting for the
resident's reply (services/my_requests.py decides which is which and counts them). It is chosen
with links, so it works without JavaScript. Whatever else the address holds is no error: a page
that does not exist gives the first page, a filter that is not one gives all the requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from portal.core.paging import page_numbers
from portal.dashboard.request_page import request_page_context
from portal.dashboard.views import resident
from services import my_requests
from services.drafts_cleanup import delete_draft
from services.forms.references import normalise_reference
from services.models import Draft, Submission
from services.my_requests import Show

# The account's home shows the newest few; "Your requests" has them all, a page at a time.
RECENT_ON_HOME = 3
PAGE_SIZE = 10


@never_cache
@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    me = resident(request)
    drafts = _unfinished(request).order_by("-updated_at")
    return render(
        request,
        "dashboard/home.html",
        {
            "recent": list(my_requests.requests_of(me)[:RECENT_ON_HOME]),
            "counts": my_requests.request_counts(me),
            "drafts": drafts,
        },
    )


@dataclass(frozen=True)
class FilterLink:
    show: Show
    label: str
    count: int
    current: bool


# In the order residents scan them: everything, then what is still going on, then what needs
# them, then what is done.
# (A context of their own: "All", "Open" and "Closed" are Django's words too, elsewhere.)
FILTER_LABELS: dict[Show, Promise] = {
    Show.ALL: pgettext_lazy("requests filter", "All"),
    Show.OPEN: pgettext_lazy("requests filter", "Open"),
    Show.NEEDS_REPLY: pgettext_lazy("requests filter", "Needs your reply"),
    Show.CLOSED: pgettext_lazy("requests filter", "Closed"),
}


@never_cache
@login_required
@require_safe
def requests(request: HttpRequest) -> HttpResponse:
    me = resident(request)
    show = Show.parse(request.GET.get("show"))
    counts = my_requests.request_counts(me)
    paginator = Paginator(my_requests.requests_of(me, show), PAGE_SIZE)
    page = paginator.page(_page_number(request.GET.get("page"), paginator))
    return render(
        request,
        "dashboard/requests.html",
        {
            "show": show,
            "filters": [
                FilterLink(choice, str(label), counts.of(choice), choice == show)
                for choice, label in FILTER_LABELS.items()
            ],
            "page": page,
            "page_numbers": page_numbers(paginator, page),
        },
    )


def _page_number(value: str | None, paginator: Paginator[Submission]) -> int:
    """The page asked for if there is one; otherwise (not a number, none that high) the first."""
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return number if 1 <= number <= paginator.num_pages else 1


@never_cache
@login_required
@require_safe
def submission_detail(request: HttpRequest, reference: str) -> HttpResponse:
    canonical = normalise_reference(reference)
    if canonical is None:
        raise Http404("Not a reference")
    submission = get_object_or_404(
        my_requests.with_timeline(Submission.objects.all()),
        reference=canonical,
        user=resident(request),
    )
    return render(
        request,
        "dashboard/submission.html",
        request_page_context(submission, guest_view=False),
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def draft_delete(request: HttpRequest, draft_id: UUID) -> HttpResponse:
    draft = get_object_or_404(_unfinished(request), pk=draft_id)
    if request.method == "POST":
        service_name = draft.service.name
        delete_draft(draft)
        messages.success(
            request,
            _("Your unfinished form ‘%(service)s’ has been deleted") % {"service": service_name},
        )
        return redirect("dashboard:home")
    return render(request, "dashboard/draft_delete.html", {"draft": draft})


def _unfinished(request: HttpRequest) -> QuerySet[Draft]:
    # A draft an agent is filling in for the resident is the agent's until it is sent.
    return Draft.objects.filter(
        user=resident(request), created_by__isnull=True, expires_at__gt=timezone.now()
    ).select_related("form_version__form__service")
