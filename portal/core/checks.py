"""Deployment checks of our own settings, run by `manage.py check --deploy` (and `make test`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

from services.messages.notify import setting_problems


@checks.register(checks.Tags.security, deploy=True)
def portal_url_is_absolute(**kwargs: Any) -> list[checks.CheckMessage]:
    """Workers have no request to build addresses from: links in e-mails and the signed links by
    which back offices fetch residents' files are made from PORTAL_URL. Unset, they would go out
    as bare paths that no one outside can follow, and nothing would say so."""
    parts = urlsplit(settings.PORTAL_URL or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return []
    return [
        checks.Error(
            "PORTAL_URL must be the portal's public address, like https://portal.example.gov.uk",
            hint="Links in e-mails and the file links back-office systems fetch are made from it.",
            id="portal.E001",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def notify_settings(**kwargs: Any) -> list[checks.CheckMessage]:
    """With NOTIFY_API_KEY set, every message goes through GOV.UK Notify: a malformed key or a
    missing template would leave them all waiting, and no callback token loses every receipt."""
    return [
        checks.Error(problem, hint="See docs/notify.md.", id="portal.E002")
        for problem in setting_problems()
    ]
