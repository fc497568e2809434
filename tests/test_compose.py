"""docker-compose.yml cannot be started here (no Docker engine), so check what it promises."""

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PORTAL_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_stack_has_web_worker_beat_postgres_and_redis(compose):
    assert {"web", "worker", "beat", "postgres", "redis", "migrate"} <= set(compose["services"])
    assert compose["services"]["postgres"]["image"] == "postgres:16"
    assert compose["services"]["redis"]["image"] == "redis:7"


@pytest.mark.parametrize("name", [*PORTAL_SERVICES, "postgres", "redis"])
def test_every_long_running_service_has_a_health_check(compose, name):
    healthcheck = compose["services"][name]["healthcheck"]

    assert healthcheck["test"][0] in ("CMD", "CMD-SHELL")
    assert healthcheck["interval"]
    assert healthcheck["retries"] >= 3


def test_web_is_healthy_only_when_health_says_so(compose):
    web = compose["services"]["web"]

    probe = " ".join(web["healthcheck"]["test"])
    assert "/health/" in probe
    assert "gunicorn" in web["command"]
    assert "portal/gunicorn.conf.py" in web["command"]


@pytest.mark.parametrize("name", PORTAL_SERVICES)
def test_portal_services_wait_for_healthy_dependencies_and_migrations(compose, name):
    depends_on = compose["services"][name]["depends_on"]

    assert depends_on["postgres"] == {"condition": "service_healthy"}
    assert depends_on["redis"] == {"condition": "service_healthy"}
    assert depends_on["migrate"] == {"condition": "service_completed_successfully"}


@pytest.mark.parametrize("name", [*PORTAL_SERVICES, "migrate"])
def test_portal_services_take_secrets_from_an_env_file_and_redis_from_the_stack(compose, name):
    service = compose["services"][name]

    assert service["env_file"] == [{"path": "portal.env", "required": True}]
    assert service["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert "SECRET_KEY" not in service["environment"]


def test_the_env_file_example_names_what_the_stack_needs():
    example = (ROOT / "portal.env.example").read_text()
    names = {line.split("=", 1)[0] for line in example.splitlines() if "=" in line}

    assert {
        "SECRET_KEY",
        "FIELD_ENCRYPTION_KEYS",
        "DATABASE_URL",
        "POSTGRES_PASSWORD",
        "ALLOWED_HOSTS",
    } <= names


def test_data_lives_in_named_volumes(compose):
    volumes = compose["volumes"]

    assert {"pgdata", "redisdata", "uploads", "beat"} <= set(volumes)
    assert "pgdata:/var/lib/postgresql/data" in compose["services"]["postgres"]["volumes"]
    assert "redisdata:/data" in compose["services"]["redis"]["volumes"]
    assert "uploads:/app/var/private" in compose["services"]["web"]["volumes"]
    assert "beat:/app/var/beat" in compose["services"]["beat"]["volumes"]


def test_gunicorn_is_reachable_only_through_the_local_proxy(compose):
    assert compose["services"]["web"]["ports"] == ["127.0.0.1:8000:8000"]


def test_the_image_runs_gunicorn_as_an_unprivileged_user():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "FROM python:3.11-slim" in dockerfile
    assert "uv sync --locked --no-dev" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    assert "\nUSER portal\n" in dockerfile
    assert 'CMD ["gunicorn", "--config", "portal/gunicorn.conf.py", "portal.wsgi"]' in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "node_modules", "var", ".git"} <= set(ignored)
