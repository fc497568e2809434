"""An e-mail connection's options are checked when an admin saves them, with clear messages."""

import pytest
from rest_framework.exceptions import ValidationError

from integrations.email.adapter import EmailAdapter
from integrations.registry import registry

VALID = {
    "to": "team@council.example",
    "from_email": "portal@council.example",
    "host": "smtp.council.example",
}


def errors_for(**options) -> dict:
    with pytest.raises(ValidationError) as failure:
        EmailAdapter.validate_config(options)
    detail = failure.value.detail
    assert isinstance(detail, dict)
    return {name: [str(m) for m in messages] for name, messages in detail.items()}


def test_the_smallest_valid_options_get_safe_defaults():
    config = EmailAdapter.validate_config(VALID)

    assert config == {
        **VALID,
        "to": ["team@council.example"],
        "subject_template": "{service}: {reference}",
        "port": 587,
        "security": "starttls",
        "timeout": 20.0,
        "max_attachment_bytes": 15 * 1024 * 1024,
    }


def test_several_recipients_may_be_given_as_text_or_a_list_and_repeats_are_dropped():
    as_text = EmailAdapter.validate_config({**VALID, "to": "a@x.example; b@x.example\na@x.example"})
    as_list = EmailAdapter.validate_config({**VALID, "to": ["a@x.example", "b@x.example"]})

    assert as_text["to"] == as_list["to"] == ["a@x.example", "b@x.example"]


@pytest.mark.parametrize("to", ["", "not-an-address", ["ok@x.example", "nope"], 42])
def test_bad_recipients_are_refused(to):
    assert "to" in errors_for(**{**VALID, "to": to})


@pytest.mark.parametrize("template", ["{0.__class__}", "{reference!r}", "{reference:>99}", "{"])
def test_a_subject_template_may_only_name_fields(template):
    assert "subject_template" in errors_for(**{**VALID, "subject_template": template})


def test_unencrypted_mail_is_only_allowed_to_this_machine():
    errors = errors_for(**{**VALID, "security": "none"})

    assert "only sent unencrypted to this machine" in errors["security"][0]
    assert EmailAdapter.validate_config({**VALID, "host": "127.0.0.1", "security": "none"})


def test_a_password_needs_a_user_name():
    assert errors_for(**{**VALID, "password": "p"}) == {
        "username": ["Enter the user name that goes with the password."]
    }


def test_the_password_is_a_secret_kept_encrypted_and_write_only():
    assert EmailAdapter.secret_option_names() == frozenset({"password"})


def test_the_adapter_is_registered_and_takes_any_fields():
    assert registry.get("email") is EmailAdapter
    assert EmailAdapter.accepts_any_fields
    assert not EmailAdapter.batched
