import io
import json
import logging.config
import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.core.logging import SECRET_URL_KWARGS, build_logging_config
from portal.dashboard.tracking import make_token
from services.drafts import resume_token
from services.models import Draft
from services.seed import seed_catalogue
from tests.portal.accounts.factories import UserFactory
from tests.portal.accounts.helpers import link_from
from tests.portal.conftest import CommittingClient
from tests.portal.dashboard.factories import SubmissionFactory, live_version

CLIENT_IP = "203.0.113.77"
USER_AGENT = "ResidentsPhone/9.9 (Secret Build)"
EMAIL = "jo.bloggs@example.com"


@pytest.fixture
def json_log():
    """The production logging configuration (JSON), writing to a buffer instead of stderr."""
    stream = io.StringIO()
    config = build_logging_config(level="INFO", fmt="json")
    config["handlers"]["console"]["stream"] = stream
    logging.config.dictConfig(config)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    lines.text = stream.getvalue
    yield lines
    logging.config.dictConfig(settings.LOGGING)


@pytest.fixture
def resident_client():
    return Client(REMOTE_ADDR=CLIENT_IP, HTTP_USER_AGENT=USER_AGENT)


@pytest.mark.django_db
def test_every_request_log_line_is_json_with_the_request_id(resident_client, json_log):
    response = resident_client.get("/accounts/login/")

    assert response.status_code == 200
    events = json_log()
    assert [event["event"] for event in events] == ["request_started", "request_finished"]
    request_id = response["X-Request-ID"]
    assert uuid.UUID(request_id)
    assert all(event["request_id"] == request_id for event in events)
    assert events[1]["code"] == 200
    assert events[1]["request"] == "GET /accounts/login/"


@pytest.mark.django_db
def test_a_sign_in_attempt_logs_no_ip_user_agent_or_email(resident_client, json_log):
    # Given a resident signs in with the wrong password, their e-mail address also in the URL
    resident_client.post(
        f"/accounts/login/?email={EMAIL}",
        {"login": EMAIL, "password": "not-the-password"},
        HTTP_X_FORWARDED_FOR=CLIENT_IP,
    )

    # Then the log says what happened but holds nothing that identifies them
    text = json_log.text()
    assert json_log(), "the request was logged"
    assert CLIENT_IP not in text
    assert "ResidentsPhone" not in text
    assert EMAIL not in text
    assert "jo.bloggs" not in text
    for event in json_log():
        assert "ip" not in event
        assert "user_agent" not in event


@pytest.mark.django_db
def test_a_log_line_from_django_itself_is_json_with_the_request_id(json_log):
    # Given a POST without a CSRF token, which Django logs through the standard library logger
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=CLIENT_IP)

    response = client.post("/accounts/login/", {"login": EMAIL, "password": "x"})

    assert response.status_code == 403
    warnings = [event for event in json_log() if event["logger"] == "django.security.csrf"]
    assert warnings, json_log.text()
    assert warnings[0]["request_id"] == response["X-Request-ID"]
    assert CLIENT_IP not in json_log.text()


@pytest.mark.django_db
def test_an_upstream_request_id_is_honoured_and_echoed(client, json_log):
    response = client.get("/health/", HTTP_X_REQUEST_ID="lb-7f3a9c.01")

    assert response["X-Request-ID"] == "lb-7f3a9c.01"
    assert {event["request_id"] for event in json_log()} == {"lb-7f3a9c.01"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad_id", ["x" * 200, "two words", '{"injected": true}', "line\nbreak"], ids=repr
)
def test_an_implausible_upstream_request_id_is_replaced(client, json_log, bad_id):
    response = client.get("/health/", HTTP_X_REQUEST_ID=bad_id)

    request_id = response["X-Request-ID"]
    assert uuid.UUID(request_id)
    assert {event["request_id"] for event in json_log()} == {request_id}


@pytest.mark.django_db
def test_a_password_reset_key_in_the_path_is_not_logged(client, json_log):
    client.get("/accounts/password/reset/key/3f-c8a1b2-secretresetkey/")

    text = json_log.text()
    assert "secretresetkey" not in text
    assert "3f-c8a1b2" not in text
    assert "GET /accounts/password/reset/key/[redacted]-[redacted]/" in text


def guest_tracking_token():
    guest_request = SubmissionFactory(user=None, contact_email="guest@example.org")
    return make_token(guest_request)


def guest_resume_token():
    return resume_token(Draft.objects.create(form_version=live_version(), user=None, answers={}))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "route", "make", "logged"),
    [
        ("", "dashboard:track_view", guest_tracking_token, "GET /track/[redacted]/"),
        ("/cy", "dashboard:track_view", guest_tracking_token, "GET /cy/track/[redacted]/"),
        ("", "dashboard:track_view", lambda: "made-up.token:x", "GET /track/[redacted]/"),
        ("", "journey:resume", guest_resume_token, "GET /resume/[redacted]/"),
        ("/cy", "journey:resume", guest_resume_token, "GET /cy/resume/[redacted]/"),
        ("", "journey:resume", lambda: "made-up.token:x", "GET /resume/[redacted]/"),
    ],
    ids=["track", "track-welsh", "track-made-up", "resume", "resume-welsh", "resume-made-up"],
)
def test_a_signed_link_is_logged_with_its_token_redacted(
    client, json_log, prefix, route, make, logged
):
    # Given a guest's signed link (or a made-up one, which Django logs again as refused)
    seed_catalogue()
    token = make()
    path = prefix + reverse(route, kwargs={"token": token})

    # When it is opened
    response = client.get(path)

    # Then no log line holds the token, and the request line shows where the token was
    assert response.status_code in (200, 302, 400, 404)
    text = json_log.text()
    assert token not in text
    assert token.split(":")[0] not in text
    assert {event["request"] for event in json_log() if "request" in event} == {logged}
    if response.status_code >= 400:
        # Django's own warning ("Not Found: /resume/...") names the path too
        (warning,) = [event["event"] for event in json_log() if event["logger"] == "django.request"]
        assert warning.endswith(f": {logged.removeprefix('GET ')}")


@pytest.mark.django_db
def test_an_emailed_password_reset_link_is_logged_without_its_key(json_log, mail_through_celery):
    # Given a resident who asked for a password reset link (mailed through the message outbox)
    client = CommittingClient()
    resident = UserFactory()
    client.post(reverse("account_reset_password"), {"email": resident.email})
    link = link_from(mail_through_celery[0]).removeprefix("http://testserver")
    key = link.rstrip("/").rsplit("/", 1)[1]

    # When they open it
    response = client.get(link)

    # Then the log shows the route, not the key
    assert response.status_code == 302
    text = json_log.text()
    assert key not in text
    assert key.split("-", 1)[1] not in text
    assert "GET /accounts/password/reset/key/[redacted]-[redacted]/" in text


@pytest.mark.django_db
def test_checking_a_request_s_progress_logs_neither_its_reference_nor_the_postcode(json_log):
    # Given a guest's request
    seed_catalogue()
    guest_request = SubmissionFactory(user=None, contact_email=EMAIL)
    client = Client(REMOTE_ADDR=CLIENT_IP)

    # When its progress is checked with a wrong postcode, then the right one, and the page read
    client.post("/track/", {"reference": guest_request.reference, "postcode": "ZZ99 9ZZ"})
    found = client.post(
        "/track/", {"reference": guest_request.reference.lower(), "postcode": "zz99 1aa"}
    )
    assert client.get(found["Location"]).status_code == 200

    # Then the log shows the requests, but neither the reference nor either postcode
    text = json_log.text()
    assert {event["request"] for event in json_log() if "request" in event} == {
        "POST /track/",
        "GET /track/[redacted]/",
    }
    for secret in (guest_request.reference, guest_request.reference.replace("-", "")):
        assert secret.casefold() not in text.casefold()
    for postcode in ("ZZ99 9ZZ", "ZZ999ZZ", "ZZ99 1AA", "ZZ991AA"):
        assert postcode.casefold() not in text.casefold()


# Path parts that are not secrets: a service's slug, an id checked against the signed-in user,
# a reference shown only to its owner, the admin's own.
NOT_SECRET_URL_KWARGS = {
    "slug",
    "pk",
    "draft_id",
    "page_id",
    "reference",
    "app_label",
    "model_name",
    "object_id",
    "content_type_id",
    "id",
    "url",
    # the staff workspace and the admin: ids checked against the staff member's scope
    "delivery_id",
    "update_id",
    "question_id",
    "item_question_id",
    "number",
    "user_id",
    # the studio's: services, connections and routing, checked against the admin's role
    "service_id",
    "connection_id",
    "adapter",
    "rule_id",
    "index",
    "kind",
    "destination_id",
    "target",
    "mapping_id",
}


def url_kwargs(patterns, names=None) -> set[str]:
    names = set() if names is None else names
    for pattern in patterns:
        names.update(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            url_kwargs(pattern.url_patterns, names)
        else:
            assert isinstance(pattern, URLPattern)
    return names


def test_every_path_part_of_every_route_is_known_to_be_secret_or_not():
    # A new route with a secret named anything but `token` or `key` must be added to
    # SECRET_URL_KWARGS (portal/core/logging.py), or it would be logged in full.
    unknown = url_kwargs(get_resolver().url_patterns) - SECRET_URL_KWARGS - NOT_SECRET_URL_KWARGS
    assert unknown == set()


def test_an_exception_logged_by_celery_or_django_is_printed_as_a_traceback_in_json(json_log):
    # Given a library logging an error with its exception, as Celery's worker does
    try:
        raise AttributeError("'NoneType' object has no attribute 'hostname'")
    except AttributeError:
        logging.getLogger("celery.worker").critical("Unrecoverable error", exc_info=True)

    # Then the JSON line carries the traceback as text, not a Python object's repr
    (event,) = json_log()
    assert event["event"] == "Unrecoverable error"
    assert event["logger"] == "celery.worker"
    assert "<traceback object" not in json_log.text()
    assert "exc_info" not in event
    assert event["exception"].startswith("Traceback (most recent call last):")
    assert "AttributeError: 'NoneType' object has no attribute 'hostname'" in event["exception"]
    assert "test_logging.py" in event["exception"]
