"""gunicorn settings for production: `gunicorn --config portal/gunicorn.conf.py portal.wsgi`.

Every value can be changed from the environment, so one image serves a small council and a
shared service alike. The portal is stateless, so scale out with more containers before more
workers per container.
"""

import multiprocessing
import os
import sys
from pathlib import Path

# Runs outside Django: make the project importable for the logging configuration.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.core.logging import build_logging_config


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


bind = f"0.0.0.0:{_int('PORT', 8000)}"

# Sync workers: the portal's requests are short and its slow work is in Celery. Two per core plus
# one is gunicorn's rule of thumb; the cap keeps a big host from opening more database connections
# than PostgreSQL allows (each worker holds one, CONN_MAX_AGE keeps it open).
workers = _int("WEB_CONCURRENCY", min(multiprocessing.cpu_count() * 2 + 1, 12))
worker_class = "sync"

# A request that takes this long is stuck (the back office is reached from the worker, never from
# a request); the worker is killed and replaced rather than left holding a connection.
timeout = _int("GUNICORN_TIMEOUT", 30)
# On SIGTERM (a deploy), requests in flight get this long to finish.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Behind a load balancer that reuses connections, keep them a little longer than it does.
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then, so a slow leak never becomes an outage; jitter avoids all at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# Only the proxy in front may say which scheme and address the client used; anyone else could
# claim HTTPS. Set to the proxy's address (or "*" when only the proxy can reach the container).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Containers are managed by the orchestrator, not by gunicornc: no control socket to guard.
control_socket_disable = True

# No access log: django-structlog already logs each request as JSON with its request id, and
# gunicorn's access log would add every client's IP address and user agent.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "INFO").lower()
# gunicorn's own messages (boot, worker timeouts) as the same JSON lines as the portal's.
logconfig_dict = build_logging_config(
    level=os.environ.get("LOG_LEVEL", "INFO"), fmt=os.environ.get("LOG_FORMAT", "json")
)
logconfig_dict["loggers"].update(
    {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
    }
)
