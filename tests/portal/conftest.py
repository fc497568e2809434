"""Fixtures shared by the tests of the people-facing apps (accounts, journey, ...)."""

from django.test import Client, TestCase


class CommittingClient(Client):
    """A test client whose requests end as real ones do: committed, with on-commit work run.

    Requests run in autocommit in production, so e-mail queued with ``transaction.on_commit``
    leaves as the request finishes. Inside a test's transaction nothing commits; this runs the
    on-commit callbacks at the end of each request instead.
    """

    def request(self, **request):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)
