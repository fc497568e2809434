"""Who may open a workspace page at all, and the one way its pages look a case up (within
services/staff/scope.py's visible cases)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase
from django.views.decorators.cache import never_cache

from services.audit_search import may_search_access_log
from services.forms.references import normalise_reference
from services.models import Submission
from services.retention import may_see_retention
from services.staff.scope import cases_visible_to, may_use_workspace

View = Callable[..., HttpResponseBase]


def staff_view(may_open: Callable[[Any], bool]) -> Callable[[View], View]:
    """A decorator: signed in, council staff, and `may_open(user)`; never cached.

    Council staff are the people RequireStaffMFAMiddleware holds to MFA, so requiring it here
    means nobody reaches a staff page on a password alone, even one given a page's permission
    directly rather than through a staff role. Each part of the workspace (the contact centre's
    pages, the studio) says who may open it with its own `may_open`.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        @never_cache
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (user.is_council_staff and may_open(user)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def workspace_view(view: View) -> View:
    """The contact centre's pages: staff with the workspace permission (services.use_workspace)."""
    return staff_view(may_use_workspace)(view)


def retention_view(view: View) -> View:
    """The retention page: system admins and the data protection officer
    (services.retention.may_see_retention)."""
    return staff_view(may_see_retention)(view)


def audit_view(view: View) -> View:
    """The audit log's pages: signed in, allowed to search the log (services.audit_search says
    who), never cached. Contact-centre agents and supervisors are refused."""

    @wraps(view)
    @never_cache
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not may_search_access_log(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def visible_case(request: HttpRequest, reference: str) -> Submission:
    """The case if this person may see it; 404 alike for no such case and not theirs to see."""
    canonical = normalise_reference(reference)
    if canonical is None:  # no such reference can exist: no query needed
        raise Http404
    try:
        return (
            cases_visible_to(request.user)
            .select_related("service", "form_version", "user")
            .get(reference=canonical)
        )
    except Submission.DoesNotExist as error:
        raise Http404 from error
