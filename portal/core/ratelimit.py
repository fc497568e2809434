"""Every rate limit the portal sets itself, through one mechanism: django-ratelimit's counters in
the Django cache (Redis in production and in tests), used only through its public get_usage().

(allauth limits its own pages, sign-in and sign-up, password reset, login codes, with
ACCOUNT_RATE_LIMITS in settings; the client's address is found the same way for both.)

A limit is a name and a rate ("5/10m": five in a window of ten minutes). `use()` counts one use
against a key and says whether that was one too many; `peek()` asks without counting. Keys are
hashed into the cache key, so no e-mail address or IP address is stored in the cache.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from allauth.account.adapter import get_adapter
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage

ASKED_TOO_OFTEN = _("You have asked too many times. Wait %(minutes)s minutes, then try again.")


@dataclass(frozen=True)
class Limit:
    group: str
    rate: str
    # What a person refused is told (GOV.UK style: what happened, what to do); %(minutes)s is
    # the window.
    message: str | Promise = ASKED_TOO_OFTEN

    @property
    def minutes(self) -> int:
        """The window, rounded up to whole minutes: the longest anyone refused has to wait."""
        period = self.rate.partition("/")[2]
        number = "".join(ch for ch in period if ch.isdigit()) or "1"
        unit = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[-1]]
        return max(1, math.ceil(int(number) * unit / 60))


@dataclass(frozen=True)
class Refused:
    """Over a limit: how long until the window ends (for Retry-After) and what to tell people."""

    limit: Limit
    retry_after: int

    @property
    def message(self) -> str:
        return str(self.limit.message) % {"minutes": self.limit.minutes}


class _Client:
    """The key that stands for the client's address (django-ratelimit's "ip"); an object of its
    own so that no typed-in key (a reference, an address) can be taken for it."""


CLIENT = _Client()
Key = str | _Client


def client_ip(request: HttpRequest) -> str:
    """The client's address as allauth's sign-in limits see it: behind TRUSTED_PROXY_COUNT
    proxies, taken from X-Forwarded-For. Set as RATELIMIT_IP_META_KEY, so CLIENT uses it."""
    return get_adapter(request).get_client_ip(request)


def _usage(request: HttpRequest, limit: Limit, key: Key, *, increment: bool) -> Refused | None:
    usage = get_usage(
        request,
        group=limit.group,
        key="ip" if isinstance(key, _Client) else lambda _group, _request: key,
        rate=limit.rate,
        increment=increment,
    )
    if usage is None:
        return None
    # A use is over once the count passes the limit; a peek, once one more use would.
    over = usage["should_limit"] if increment else usage["count"] >= usage["limit"]
    if not over:
        return None
    # time_left is -1 when the cache could not be reached: refusing then is the safe side.
    return Refused(limit, retry_after=max(1, int(usage["time_left"])))


def use(request: HttpRequest, limit: Limit, key: Key) -> Refused | None:
    """Count one use of `limit` by `key` (CLIENT for the client's address); Refused if over."""
    return _usage(request, limit, key, increment=True)


def peek(request: HttpRequest, limit: Limit, key: Key) -> Refused | None:
    """Whether `key` is already over `limit`, without counting a use."""
    return _usage(request, limit, key, increment=False)


def use_all(request: HttpRequest, uses: list[tuple[Limit, Key]]) -> Refused | None:
    """Count one use against each (limit, key), all of them even once one is over (so a refused
    request still counts everywhere); the first refusal, if any."""
    refusals = [use(request, limit, key) for limit, key in uses]
    return next((refusal for refusal in refusals if refusal is not None), None)


# E-mail to an address the person asking typed in (a resume link, a tracking link): limited per
# client and per address, across every action that sends one, so the portal cannot be made to
# flood a mailbox from one place or from many.
TOO_MANY_EMAILS = _(
    "Too many emails have been sent to this address or from this device. "
    "Wait %(minutes)s minutes, then try again."
)
MAIL_PER_CLIENT = Limit("mail-to-typed-address:client", "10/h", TOO_MANY_EMAILS)
MAIL_PER_ADDRESS = Limit("mail-to-typed-address:address", "5/h", TOO_MANY_EMAILS)


def use_mail_to_typed_address(request: HttpRequest, address: str) -> Refused | None:
    """Count one e-mail about to be sent to `address`, typed by the client; Refused (send
    nothing) if the client or the address has had too many."""
    return use_all(
        request,
        [(MAIL_PER_CLIENT, CLIENT), (MAIL_PER_ADDRESS, address.strip().casefold())],
    )
