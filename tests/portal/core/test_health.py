import json

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from portal.celery import app as celery_app

CLOSED_REDIS_PORT_URL = "redis://127.0.0.1:6390/0"


@pytest.fixture
def broker_url():
    """Lets a test point the Celery app at another broker, restoring the real one after."""
    original = celery_app.conf.broker_url

    def point_at(url: str) -> None:
        celery_app.conf.update(broker_url=url)

    yield point_at
    celery_app.conf.update(broker_url=original)


@pytest.mark.django_db
def test_healthy_portal_answers_200_with_every_check_passing(client):
    response = client.get("/health/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "checks": {"database": {"ok": True}, "broker": {"ok": True}, "migrations": {"ok": True}},
    }


@pytest.mark.django_db
def test_health_sets_no_cookie_and_is_not_cached(client):
    response = client.get("/health/")

    assert response.cookies == {}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_unreachable_broker_gives_503_not_a_crash(client, broker_url):
    # Given the broker is a Redis that is not running
    broker_url(CLOSED_REDIS_PORT_URL)

    # When a load balancer polls the health check
    response = client.get("/health/")

    # Then it is told the portal is unhealthy and why, without any error text
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["broker"] == {"ok": False, "detail": "unavailable"}
    assert body["checks"]["database"] == {"ok": True}
    assert "6390" not in response.content.decode()


@pytest.mark.django_db
def test_unapplied_migration_is_reported(client):
    # Given the latest sessions migration is recorded as not applied (rolled back after the test)
    latest = MigrationRecorder.Migration.objects.filter(app="sessions").order_by("-applied").first()
    assert latest is not None
    latest.delete()

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == {
        "ok": False,
        "detail": "1 unapplied migration(s)",
    }


def test_unreachable_database_gives_503_not_a_crash(client, django_db_setup, django_db_blocker):
    # Given the database server cannot be reached (a real connection attempt to a closed port)
    settings_dict = connection.settings_dict
    original = dict(settings_dict)
    with django_db_blocker.unblock():
        connection.close()
        if connection.vendor == "sqlite":
            settings_dict["NAME"] = "/nonexistent/dir/db.sqlite3"
        else:
            settings_dict.update({"HOST": "127.0.0.1", "PORT": "6391"})
        try:
            # When the health check is polled
            response = client.get("/health/")
        finally:
            connection.close()
            settings_dict.update(original)

    # Then it reports the database (and so the migrations) as failing, with no error text
    assert response.status_code == 503
    checks = json.loads(response.content)["checks"]
    assert checks["database"] == {"ok": False, "detail": "unavailable"}
    assert checks["migrations"] == {"ok": False, "detail": "unavailable"}
    assert checks["broker"] == {"ok": True}
    assert "6391" not in response.content.decode()


@pytest.mark.django_db
def test_health_is_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/accounts/login/").status_code == 301
    assert client.get("/health/").status_code == 200
