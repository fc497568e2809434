"""Structured logging: one JSON object per line, each carrying the request id.

Personal data stays out of logs: django-structlog's IP logging is off (settings), user agents are
dropped, query strings are left out of the logged path and the secrets in signed links (tracking,
resume, password reset) out of every log line (redact_secret_paths), and only the user's numeric
id is kept. Code must log ids and outcomes, never answers, names, e-mail addresses or payloads.

The request id comes from the X-Request-ID header when a proxy in front of us set a sane one,
otherwise it is generated; either way it is sent back in the response's X-Request-ID header and
travels with every Celery task the request queues (django-structlog puts it in the task headers;
portal/celery.py binds it again in the worker), so one id follows a submission end to end.
"""

import re
from contextvars import ContextVar
from typing import Any

import structlog
from django.http import HttpRequest, HttpResponse
from django_structlog.middlewares import RequestMiddleware

from portal.core.localised_urls import path_language, resolve_path, reverse_match

_DROPPED_KEYS = ("user_agent", "ip", "email", "password")


def drop_personal_data(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    for key in _DROPPED_KEYS:
        event_dict.pop(key, None)
    return event_dict


# The names URL patterns give a secret path part: our signed links (guest tracking, resuming a
# draft) name theirs `token`; allauth's password reset and e-mail confirmation links name theirs
# `key` (and the user's id beside a reset key `uidb36`). A new route whose secret is named `token`
# is redacted without anyone remembering this list; tests/portal/core/test_logging.py walks every
# route and fails on a path part it has not been told is secret or not.
SECRET_URL_KWARGS = frozenset({"token", "key", "uidb36"})
# Letters only, so that it fits any converter or regex a secret part may have.
_PLACEHOLDER = "REDACTED"
# The path being served and its loggable form, for redact_secret_paths; a ContextVar (like
# structlog's own context), so that each thread or task sees its own request.
_current_paths: ContextVar[tuple[str, str] | None] = ContextVar("current_paths", default=None)


def loggable_path(request: HttpRequest) -> str:
    """The method and path of a request without its query string or any secret in the path."""
    return f"{request.method} {_redacted_path(request)}"


def _redacted_path(request: HttpRequest) -> str:
    """The path with each secret part replaced by [redacted]: the URL pattern the path resolves
    to says which parts are secret, and the path is written again from that pattern."""
    urlconf = getattr(request, "urlconf", None)
    match = resolve_path(request.path_info, urlconf=urlconf)
    if match is None:
        return request.path  # no route, so no route's secret
    secrets = SECRET_URL_KWARGS.intersection(match.kwargs)
    if not secrets:
        return request.path
    kwargs = {
        name: _PLACEHOLDER if name in secrets else value for name, value in match.kwargs.items()
    }
    rebuilt = reverse_match(match, path_language(request.path_info), kwargs, urlconf=urlconf)
    if rebuilt is None:
        return "/[redacted]"  # cannot tell the secret part from the rest: log none of the path
    return rebuilt.replace(_PLACEHOLDER, "[redacted]")


def redact_secret_paths(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """Every log line written while a request with a secret in its path is served shows the
    redacted path instead: django-structlog's request lines, and Django's own ("Not Found: ...",
    "Forbidden (CSRF ...): ...")."""
    paths = _current_paths.get()
    if paths is None:
        return event_dict
    secret, redacted = paths
    for key, value in event_dict.items():
        if isinstance(value, str) and secret in value:
            event_dict[key] = value.replace(secret, redacted)
    return event_dict


SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    drop_personal_data,
    redact_secret_paths,
]


def build_logging_config(level: str, fmt: str) -> dict[str, Any]:
    """The LOGGING dict for Django; also configures structlog to hand over to stdlib logging."""
    structlog.configure(
        processors=[
            *SHARED_PROCESSORS,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    # A record from the standard library (Celery's "Unrecoverable error", Django's
                    # request errors) carries its exception as exc_info, which JSON would print
                    # as "<traceback object at ...>": render it as text, as ours are.
                    structlog.processors.format_exc_info,
                    renderer,
                ],
                "foreign_pre_chain": SHARED_PROCESSORS,
            },
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "structured"},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.server": {"level": "WARNING"},
            "django.db.backends": {"level": "WARNING"},
        },
    }


REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id is kept only if it looks like an id (a UUID, a trace id), so a client cannot write
# arbitrary text or megabytes into every log line.
_REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:=-]{1,128}")


class RequestLoggingMiddleware(RequestMiddleware):
    """django-structlog's request middleware, plus a validated, echoed X-Request-ID."""

    def prepare(self, request: HttpRequest) -> None:
        upstream = request.headers.get(REQUEST_ID_HEADER)
        if upstream is not None and not _REQUEST_ID_PATTERN.fullmatch(upstream):
            # Forget the bad header so django-structlog generates a fresh id instead.
            request.META.pop("HTTP_X_REQUEST_ID", None)
            request.__dict__.pop("headers", None)
        path = _redacted_path(request)
        _current_paths.set((request.path, path) if path != request.path else None)
        super().prepare(request)

    def handle_response(self, request: HttpRequest, response: HttpResponse) -> None:
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        if request_id:
            response[REQUEST_ID_HEADER] = request_id
        super().handle_response(request, response)

    @staticmethod
    def format_request(request: HttpRequest) -> str:
        return loggable_path(request)
