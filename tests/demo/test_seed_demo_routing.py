"""seed_demo_routing: DEBUG only, idempotent, and every seeded service is routed."""

import io

import pytest
from django.core.management import CommandError, call_command

from services.models import Connection, Service, StatusMapping
from services.seed import seed_catalogue

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo_routing", *args, stdout=out)
    return out.getvalue()


def test_it_refuses_to_put_public_demo_secrets_on_a_portal_with_debug_off(settings):
    settings.DEBUG = False
    seed_catalogue()

    with pytest.raises(CommandError, match="DEBUG is off"):
        seed()

    assert not Connection.objects.exists()


def test_every_seeded_service_is_routed_and_a_second_run_changes_nothing(settings):
    settings.DEBUG = True
    seed_catalogue()

    first = seed()
    second = seed()

    assert "Create connection ‘waste-system’" in first
    assert second.strip() == "Demo routing: no changes."
    for service in Service.objects.all():
        assert service.form.routing.destinations.exists(), service.slug
    waste = Connection.objects.get(slug="waste-system")
    assert waste.secrets == {"password": "simulator-password"}
    assert StatusMapping.objects.get(connection=waste, external_status="COMPLETED").portal_status
    assert Connection.objects.get(slug="generic-cases").callback_secret
