"""Bad input on every admin page: an error or a refusal, never a 500.

For each model the admin site registers, as a superuser (who sees every page): the list with
junk in its query string, the add form and an existing object's change form sent nothing, the
change form sent junk values, and actions on ids that are not ids. A page may answer anything
but a server error.
"""

from __future__ import annotations

from typing import Any

import pytest
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from services.audit import record_access
from services.models import Attempt, Delivery, Team
from services.seed import seed_catalogue
from tests.portal.accounts.factories import UserFactory
from tests.services.delivery.conftest import make_connection, make_routed_version, submit
from tests.services.delivery_admin.conftest import signed_in

pytestmark = pytest.mark.django_db

JUNK_QUERIES = (
    "?q=%00",
    "?q=" + "x" * 5000,
    "?o=99",
    "?o=abc",
    "?p=abc",
    "?p=-1",
    "?e=1",
    "?all=&id__exact=abc",
    "?created_at__gte=not-a-date",
    "?_to_field=password",
)
JUNK_VALUES = ("\x00", "x" * 10_000, "-1", "{", "9" * 40)


@pytest.fixture
def superuser_client():
    return signed_in(UserFactory(is_staff=True, is_superuser=True))


@pytest.fixture
def one_of_everything(superuser_client):
    """At least one object of every registered model."""
    seed_catalogue()
    connection = make_connection("https://cases.example.gov.uk/records")
    submission = submit(make_routed_version(connection))
    delivery = Delivery.objects.get(submission=submission)
    Attempt.objects.create(
        delivery=delivery, number=1, started_at=timezone.now(), duration_ms=5, outcome="delivered"
    )
    record_access(UserFactory(is_staff=True), where="test", submission=submission)
    Team.objects.create(name="Contact centre", all_services=True)
    UserSession.objects.create(
        user=UserFactory(),
        ip="192.0.2.1",
        session_key="a-session",
        user_agent="Test",
        created_at=timezone.now(),
        last_seen_at=timezone.now(),
        data={},
    )


def registered() -> list[Any]:
    return [pytest.param(model, id=model._meta.label) for model in admin.site._registry]


def url(model: type[Model], view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", registered())
def test_no_admin_page_answers_bad_input_with_a_server_error(
    superuser_client, one_of_everything, model
):
    client = superuser_client
    answers: dict[str, int] = {}

    for query in JUNK_QUERIES:
        answers[f"list {query}"] = client.get(url(model, "changelist") + query).status_code
    answers["add, nothing sent"] = client.post(url(model, "add"), {}).status_code
    for action in ("delete_selected", "no_such_action"):
        answers[f"action {action} on junk"] = client.post(
            url(model, "changelist"), {"action": action, "_selected_action": ["abc", "\x00"]}
        ).status_code

    existing = model._default_manager.order_by("pk").first()
    assert existing is not None, "one_of_everything should make one"
    change = url(model, "change", existing.pk)
    answers["change, nothing sent"] = client.post(change, {}).status_code
    form = client.get(change).context
    fields = list(form["adminform"].form.fields) if form and "adminform" in form else []
    for value in JUNK_VALUES:
        answers[f"change, {value[:5]!r}"] = client.post(
            change, dict.fromkeys(fields, value)
        ).status_code

    errors = {what: status for what, status in answers.items() if status >= 500}
    assert errors == {}
