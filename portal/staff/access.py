"""Who may open a workspace page at all; which cases they then see is services/staff/scope.py."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.views.decorators.cache import never_cache

from services.staff.scope import may_use_workspace

View = Callable[..., HttpResponseBase]


def workspace_view(view: View) -> View:
    """Signed in, council staff, with the workspace permission; never cached (personal data).

    Council staff are the people RequireStaffMFAMiddleware holds to MFA, so requiring it here
    means nobody reaches the workspace on a password alone, even one given the permission
    directly rather than through a staff role.
    """

    @wraps(view)
    @never_cache
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (user.is_council_staff and may_use_workspace(user)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
