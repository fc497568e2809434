"""Fixtures shared by the tests of the people-facing apps (accounts, journey, ...)."""

import pytest
from django.test import Client, TestCase

from portal import celery_app


class CommittingClient(Client):
    """A test client whose requests end as real ones do: committed, with on-commit work run.

    Requests run in autocommit in production, so e-mail queued with ``transaction.on_commit``
    leaves as the request finishes. Inside a test's transaction nothing commits; this runs the
    on-commit callbacks at the end of each request instead.
    """

    def request(self, **request):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


@pytest.fixture
def mail_through_celery(settings, mailoutbox):
    """E-mail takes its production path, the message outbox and the send_message task, with the
    task run in the test's own process and handed to the locmem backend at the end.

    pytest-django swaps EMAIL_BACKEND for locmem, which would skip the outbox for mail sent
    through Django; put the outbox backend back. EMAIL_URL is unset in tests, so the transport
    (CELERY_EMAIL_BACKEND) would be SMTP.
    """
    settings.EMAIL_BACKEND = "portal.core.mail.OutboxEmailBackend"
    settings.CELERY_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates)
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield mailoutbox
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous
