"""Fixtures shared by the tests of the people-facing apps (accounts, journey, ...)."""

import time
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.test import Client, TestCase


@pytest.fixture
def one_rate_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rate limits count in fixed windows: one that ended mid-test (a slow machine sending 30
    requests) would start the count again. The clock django-ratelimit reads stands still."""
    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))


class CommittingClient(Client):
    """A test client whose requests end as real ones do: committed, with on-commit work run.

    Requests run in autocommit in production, so e-mail queued with ``transaction.on_commit``
    leaves as the request finishes. Inside a test's transaction nothing commits; this runs the
    on-commit callbacks at the end of each request instead.
    """

    def request(self, **request):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)
