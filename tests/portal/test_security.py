"""The HTTP security of every page: headers, cookies, and the production settings behind them.

The production defaults are read from a fresh process started with a production environment (see
`production_settings`), then applied to this test process, so a weakened default fails here even
though the test suite itself runs with relaxed settings such as SECURE_SSL_REDIRECT=false.
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.portal.accounts.factories import PASSWORD, UserFactory

REPO_ROOT = Path(__file__).resolve().parents[2]

PAGES = [
    "/",
    "/cy/",
    "/accessibility-statement/",
    "/privacy-notice/",
    "/cookies/",
    "/contact/",
    "/accounts/login/",
    "/accounts/signup/",
    "/this-page-does-not-exist/",
]

# The settings that make a response secure; their production values come from a fresh process.
SECURITY_SETTINGS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
]


def production_env(**overrides: str) -> dict[str, str]:
    """The environment an operator would give the portal: nothing relaxed, nothing for tests."""
    env = {
        key: value
        for key, value in os.environ.items()
        # Whatever this test run relaxed (the browser tests allow Django's ORM beside Playwright's
        # event loop) must not reach a process that stands for production.
        if key
        not in {
            "SECURE_SSL_REDIRECT",
            "SECURE_COOKIES",
            "SECURE_HSTS_SECONDS",
            "DEBUG",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="portal.example.gov.uk",
        PORTAL_URL="https://portal.example.gov.uk",
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    env.update(overrides)
    return env


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def production_settings() -> dict[str, object]:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{name: getattr(settings, name) for name in {SECURITY_SETTINGS!r}}}))"
    )
    result = run_python(code, production_env())
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def production(settings, production_settings):
    """This process, with the production values of every security setting."""
    for name, value in production_settings.items():
        if name != "DEBUG":
            setattr(settings, name, value)
    # These tests read headers, not the asset pipeline: no collectstatic manifest is needed.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return settings


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


# --- Production defaults --------------------------------------------------------------------------


def test_production_defaults_are_secure(production_settings):
    assert production_settings["DEBUG"] is False
    assert production_settings["SECURE_SSL_REDIRECT"] is True
    assert production_settings["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert production_settings["SESSION_COOKIE_SECURE"] is True
    assert production_settings["CSRF_COOKIE_SECURE"] is True
    assert production_settings["X_FRAME_OPTIONS"] == "DENY"


def test_deploy_check_passes_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_secret_key_is_required_when_debug_is_off():
    env = production_env()
    del env["SECRET_KEY"]

    result = run_python("import django; django.setup()", env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_an_encryption_key_for_connection_secrets_is_required_when_debug_is_off():
    env = production_env()
    env.pop("FIELD_ENCRYPTION_KEYS", None)

    result = run_python("import django; django.setup()", env)

    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must be set when DEBUG is off" in result.stderr


def test_debug_gets_a_development_secret_key_without_one():
    env = production_env(DEBUG="true")
    del env["SECRET_KEY"]

    result = run_python(
        "import django; from django.conf import settings; django.setup(); "
        "print(len(settings.SECRET_KEY))",
        env,
    )

    assert result.returncode == 0, result.stderr


# --- Headers on every page ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_strict_content_security_policy(production, client, path):
    response = client.get(path, secure=True)

    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in policy[directive]
        assert "'unsafe-eval'" not in policy[directive]
        assert "*" not in policy[directive]
    nonces = [value for value in policy["script-src"] if value.startswith("'nonce-")]
    assert len(nonces) == 1


def _policy_in_a_fresh_process(**overrides: str) -> dict[str, list[str]]:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps(settings.CONTENT_SECURITY_POLICY['DIRECTIVES'], default=str))"
    )
    result = run_python(code, production_env(**overrides))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.django_db
def test_img_src_allows_the_map_tile_server_and_nothing_else_new(production, client):
    response = client.get("/", secure=True)

    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["img-src"] == ["'self'", "data:", "https://tile.openstreetmap.org"]


def test_another_tile_server_adds_its_scheme_and_host_to_img_src_only():
    default = _policy_in_a_fresh_process()
    # Subdomains "{s}", a port, a path and a key in the query: only the origin is allowed.
    tiles = "https://{s}.tiles.example.org:8443/styles/{z}/{x}/{y}.png?key=secret"

    policy = _policy_in_a_fresh_process(MAP_TILE_URL=tiles)

    assert policy["img-src"] == ["'self'", "data:", "https://*.tiles.example.org:8443"]
    assert {k: v for k, v in policy.items() if k != "img-src"} == {
        k: v for k, v in default.items() if k != "img-src"
    }


def test_tiles_from_the_portal_itself_add_nothing_to_the_policy():
    policy = _policy_in_a_fresh_process(MAP_TILE_URL="/tiles/{z}/{x}/{y}.png")

    assert policy["img-src"] == ["'self'", "data:"]


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("MAP_TILE_URL", "https://tiles.{s}.example.org/{z}/{x}/{y}.png"),
        ("COUNCIL_LOGO_URL", "javascript:alert(1)"),
    ],
)
def test_an_image_address_that_cannot_be_allowed_by_origin_is_refused_at_start_up(setting, value):
    result = run_python("import django; django.setup()", production_env(**{setting: value}))

    assert result.returncode != 0
    assert f"{setting} must be an http(s) URL whose host has no placeholders" in result.stderr


def test_a_logo_on_another_host_adds_that_origin_to_img_src_only():
    default = _policy_in_a_fresh_process()

    policy = _policy_in_a_fresh_process(
        COUNCIL_LOGO_URL="https://cdn.council.example/brand/logo.svg?v=2"
    )

    assert policy["img-src"] == [
        "'self'",
        "data:",
        "https://tile.openstreetmap.org",
        "https://cdn.council.example",
    ]
    assert {k: v for k, v in policy.items() if k != "img-src"} == {
        k: v for k, v in default.items() if k != "img-src"
    }


def test_a_logo_served_by_the_portal_or_the_tile_host_adds_nothing_new():
    own = _policy_in_a_fresh_process(COUNCIL_LOGO_URL="/static/logo.svg")
    shared = _policy_in_a_fresh_process(COUNCIL_LOGO_URL="https://tile.openstreetmap.org/logo.png")

    assert (
        own["img-src"]
        == shared["img-src"]
        == [
            "'self'",
            "data:",
            "https://tile.openstreetmap.org",
        ]
    )


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_every_inline_script_carries_the_nonce_of_its_response(production, client, path):
    response = client.get(path, secure=True)

    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
    assert nonce is not None
    scripts = re.findall(r"<script\b([^>]*)>", response.content.decode())
    assert scripts, "the page should have the js-enabled script"
    for attributes in scripts:
        if 'type="application/json"' in attributes:
            continue  # a data block, never executed, so outside the policy
        assert "src=" in attributes or f'nonce="{nonce.group(1)}"' in attributes, attributes


@pytest.mark.django_db
def test_nonce_differs_on_every_response(production, client):
    first = client.get("/", secure=True).headers["Content-Security-Policy"]
    second = client.get("/", secure=True).headers["Content-Security-Policy"]

    assert re.search(r"'nonce-[^']+'", first).group() != re.search(r"'nonce-[^']+'", second).group()


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_the_security_headers(production, client, path):
    response = client.get(path, secure=True)

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_secure_requests_get_strict_transport_security(production, client):
    response = client.get("/", secure=True)

    hsts = response.headers["Strict-Transport-Security"]
    max_age = int(re.search(r"max-age=(\d+)", hsts).group(1))
    assert max_age >= 31_536_000
    assert "includeSubDomains" in hsts


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_in_production(production, client):
    response = client.get("/accessibility-statement/")

    assert response.status_code == 301
    assert response.headers["Location"] == "https://testserver/accessibility-statement/"


@pytest.mark.django_db
def test_health_check_is_exempt_from_the_https_redirect(production, client):
    # Load balancers probe over plain HTTP inside the network.
    response = client.get("/health/")

    assert response.status_code != 301


# --- Cookies --------------------------------------------------------------------------------------


def assert_locked_down(cookie):
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_csrf_cookie_is_secure_http_only_and_same_site(production, client):
    response = client.get("/accounts/login/", secure=True)

    assert_locked_down(response.cookies["csrftoken"])


@pytest.mark.django_db
def test_session_cookie_is_secure_http_only_and_same_site(production, client):
    user = UserFactory()
    client.get("/accounts/login/", secure=True)

    response = client.post(
        "/accounts/login/", {"login": user.email, "password": PASSWORD}, secure=True
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert_locked_down(response.cookies["sessionid"])
