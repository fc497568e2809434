"""What the account tests read off pages and e-mails, in one place."""

import re
import time
from html import unescape

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse

_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
_SUMMARY = re.compile(r'<div class="govuk-error-summary".*?</ul>', re.S)
_HREF = re.compile(r'href="#([^"]+)"')


def sign_in(client: Client, email: str, password: str, **extra: str):
    """Sign in through the sign-in form, as a person would (allauth then knows how they did)."""
    return client.post(reverse("account_login"), {"login": email, "password": password, **extra})


def title(response) -> str:
    match = _TITLE.search(response.content.decode())
    assert match, "the page has no <title>"
    return " ".join(unescape(match.group(1)).split())


def error_summary_targets(response) -> list[str]:
    """The ids the page's GOV.UK error summary links to; fails if there is no summary."""
    html = response.content.decode()
    summary = _SUMMARY.search(html)
    assert summary, "the page shows no error summary"
    assert 'role="alert"' in summary.group(0)
    return _HREF.findall(summary.group(0))


def assert_clear_error(response) -> None:
    """A GOV.UK error page: 200, "Error: " title, a summary whose every link reaches an input."""
    assert response.status_code == 200
    assert title(response).startswith("Error: ")
    html = response.content.decode()
    targets = error_summary_targets(response)
    for target in targets:
        assert f'id="{target}"' in html, f"the summary links to #{target}, which is not on the page"
    assert '<span class="govuk-visually-hidden">Error:</span>' in html


def code_from(message: EmailMessage) -> str:
    """The code our e-mails put on a line of its own after a line ending in a colon."""
    match = re.search(r":\n\n(\S+)\n", str(message.body))
    assert match, f"no code in: {message.body}"
    return match.group(1)


def link_from(message: EmailMessage) -> str:
    match = re.search(r"https?://\S+", str(message.body))
    assert match, f"no link in: {message.body}"
    return match.group(0)


def current_totp_code(secret: str) -> str:
    # A code is good for its period only (no tolerance): one made in the period's last moments
    # would be checked in the next, and refused. Wait for the next period instead.
    period = mfa_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < 2:
        time.sleep(left + 0.05)
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))
