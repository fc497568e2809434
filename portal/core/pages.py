"""The portal's own pages: the statements every public sector site must publish, and error pages.

Error pages never touch the session or the database (their templates empty the account links),
so they still render when PostgreSQL is the thing that failed.
"""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/accessibility.html")


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/privacy.html")


@require_safe
def cookies(request: HttpRequest) -> HttpResponse:
    # The names come from settings so the page stays true if an operator renames a cookie.
    return render(
        request,
        "pages/cookies.html",
        {
            "session_cookie_name": settings.SESSION_COOKIE_NAME,
            "session_cookie_hours": settings.SESSION_COOKIE_AGE // 3600,
            "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
            "messages_cookie_name": "messages",
        },
    )


@require_safe
def contact(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/contact.html")


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's own handler renders 500.html without the request, so with no council name.

    A database that cannot be reached (stopped, restarting, failing over) makes the service
    unavailable for a while rather than broken: 503, so that load balancers, monitoring and
    people see "try again later" for what it is. Django calls this inside its except block, so
    the exception being handled is the one that failed the request."""
    unreachable = isinstance(sys.exception(), OperationalError | InterfaceError)
    return render(request, "500.html", status=503 if unreachable else 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Shown when a form is sent without a valid CSRF token: most often an expired session or a
    page left open for hours. The reason is for developers only and is not shown."""
    return render(request, "403_csrf.html", status=403)
