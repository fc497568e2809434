"""Sessions that fail like the database they live in.

Django's database session store turns any database error while saving an existing session into
`UpdateError`, which `SessionMiddleware` raises as `SessionInterrupted`: a 400 "Bad request",
meant for a session that a sign-out in another tab deleted. When the database cannot be reached
(stopped, restarting, failing over), that tells a resident their request was wrong when it was
the council's outage, and it hides the outage from monitoring. The fault suite met it: a resident
pressing "Send" during a PostgreSQL restart got a 400 instead of the 503 "try again" page.
"""

from __future__ import annotations

from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, except that a session that could not be saved because the database is
    unreachable fails with the database's own error, which `server_error` answers with 503."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        try:
            return super().process_response(request, response)
        except SessionInterrupted as interrupted:
            unreachable = _database_unreachable(interrupted)
            if unreachable is None:
                raise  # a session really deleted by a concurrent sign-out: Django's 400
            raise unreachable from interrupted


def _database_unreachable(error: BaseException) -> BaseException | None:
    """The OperationalError or InterfaceError behind `error`, if the chain of exceptions that
    led to it holds one."""
    seen = error.__context__
    while seen is not None:
        if isinstance(seen, OperationalError | InterfaceError):
            return seen
        seen = seen.__context__
    return None
