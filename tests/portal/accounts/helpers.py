"""What the account tests read off pages and e-mails, in one place."""

import base64
import hashlib
import hmac
import re
import secrets
import struct
import time
from html import unescape

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse

from portal.accounts.mfa import ensure_recovery_codes, set_totp_secret

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


def generate_totp_secret() -> str:
    """A secret as an authenticator app is given one: 20 random bytes in base32."""
    return base64.b32encode(secrets.token_bytes(20)).decode()


def activate_totp(user, secret: str | None = None) -> str:
    """Give `user` an authenticator app; returns the secret the app holds."""
    secret = secret or generate_totp_secret()
    set_totp_secret(user, secret)
    return secret


def activate_recovery_codes(user) -> Authenticator:
    return ensure_recovery_codes(user)


def totp_code(secret: str, at: float) -> str:
    """The code an authenticator app shows at time `at` (RFC 6238: HMAC-SHA1, 30 s, 6 digits),
    written out here so the tests check allauth rather than reuse its own arithmetic."""
    counter = int(at) // mfa_settings.TOTP_PERIOD
    key = base64.b32decode(secret.encode("ascii"), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    digits = mfa_settings.TOTP_DIGITS
    return str(value % 10**digits).zfill(digits)


def current_totp_code(secret: str) -> str:
    # A code is good for its period only (no tolerance): one made in the period's last moments
    # would be checked in the next, and refused. Wait for the next period instead.
    period = mfa_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < 2:
        time.sleep(left + 0.05)
    return totp_code(secret, time.time())
