"""Structured logging: one JSON object per line, each carrying the request id.

Personal data stays out of logs: django-structlog's IP logging is off (settings), user agents are
dropped, query strings and the secret in a password-reset link are left out of the logged path,
and only the user's numeric id is kept. Code must log ids and outcomes, never answers, names,
e-mail addresses or payloads.

The request id comes from the X-Request-ID header when a proxy in front of us set a sane one,
otherwise it is generated; either way it is sent back in the response's X-Request-ID header and
travels with every Celery task the request queues (django-structlog puts it in the task headers;
portal/celery.py binds it again in the worker), so one id follows a submission end to end.
"""

import re
from typing import Any

import structlog
from django.http import HttpRequest, HttpResponse
from django_structlog.middlewares import RequestMiddleware

_DROPPED_KEYS = ("user_agent", "ip", "email", "password")


def drop_personal_data(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    for key in _DROPPED_KEYS:
        event_dict.pop(key, None)
    return event_dict


SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    drop_personal_data,
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
# Paths that carry a secret: a password-reset key in the log would let a log reader reset it.
_SECRET_PATH_PATTERNS = (
    re.compile(r"(/password/reset/key/)[^/]+"),
    re.compile(r"(/confirm-email/)[^/]+"),
)


def loggable_path(request: HttpRequest) -> str:
    """The method and path of a request without its query string or any secret in the path."""
    path = request.path
    for pattern in _SECRET_PATH_PATTERNS:
        path = pattern.sub(r"\1[redacted]", path)
    return f"{request.method} {path}"


class RequestLoggingMiddleware(RequestMiddleware):
    """django-structlog's request middleware, plus a validated, echoed X-Request-ID."""

    def prepare(self, request: HttpRequest) -> None:
        upstream = request.headers.get(REQUEST_ID_HEADER)
        if upstream is not None and not _REQUEST_ID_PATTERN.fullmatch(upstream):
            # Forget the bad header so django-structlog generates a fresh id instead.
            request.META.pop("HTTP_X_REQUEST_ID", None)
            request.__dict__.pop("headers", None)
        super().prepare(request)

    def handle_response(self, request: HttpRequest, response: HttpResponse) -> None:
        request_id = structlog.contextvars.get_contextvars().get("request_id")
        if request_id:
            response[REQUEST_ID_HEADER] = request_id
        super().handle_response(request, response)

    @staticmethod
    def format_request(request: HttpRequest) -> str:
        return loggable_path(request)
