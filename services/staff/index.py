"""Writes each submission's CaseIndex row: the facts a search box finds it by (see the model)."""

from __future__ import annotations

from typing import Any

from services.models import CaseIndex, Submission
from services.staff.normalise import phone_key, postcode_key, text_key

# The question types whose answers say who and where; free text is not indexed (it is what a
# resident wrote about the problem, and searching it would find cases by chance words).
_ADDRESS_PARTS = ("line1", "line2", "town")


def index_values(submission: Submission) -> dict[str, str]:
    """The CaseIndex fields for one submission, from its answers and the resident's account."""
    names: list[str] = [submission.contact_name]
    emails: list[str] = [submission.contact_email]
    phones: list[str] = [submission.contact_phone]
    postcodes: list[str] = []
    uprns: list[str] = [submission.uprn]
    addresses: list[str] = []
    # A caller who gave the agent their postal address is found by it, as an account holder is.
    _add_address(submission.contact_address, postcodes, uprns, addresses)
    user = submission.user
    if user is not None:
        names.append(user.full_name)
        emails.append(user.email)
        phones.append(user.phone)
        _add_address(user.address, postcodes, uprns, addresses)
    answers: dict[str, Any] = submission.answers if isinstance(submission.answers, dict) else {}
    for question in submission.form_version.parsed.questions:
        value = answers.get(question.id)
        if not value:
            continue
        if question.type == "address":
            _add_address(value, postcodes, uprns, addresses)
        elif question.type == "email" and isinstance(value, str):
            emails.append(value)
        elif question.type == "phone" and isinstance(value, str):
            phones.append(value)
        elif question.type == "postcode" and isinstance(value, str):
            postcodes.append(value)
        elif question.prefill == "full_name" and isinstance(value, str):
            names.append(value)
    return {
        "names": _join(text_key(name) for name in names),
        "emails": _join(email.lower() for email in emails),
        "phones": _join(phone_key(phone) or "" for phone in phones),
        "postcodes": _join(postcode_key(postcode) or "" for postcode in postcodes),
        "uprns": _join(uprns),
        "addresses": _join(text_key(line) for line in addresses),
    }


def index_submission(submission: Submission, *, created: bool = False) -> None:
    """Write the submission's row of the search index. A new submission has none yet: one INSERT
    on the resident's "Send" rather than a look-up, a savepoint and an INSERT."""
    if created:
        CaseIndex.objects.create(submission=submission, **index_values(submission))
    else:
        CaseIndex.objects.update_or_create(submission=submission, defaults=index_values(submission))


def _add_address(value: Any, postcodes: list[str], uprns: list[str], addresses: list[str]) -> None:
    if not isinstance(value, dict):
        return
    addresses.extend(str(value.get(part) or "") for part in _ADDRESS_PARTS)
    postcodes.append(str(value.get("postcode") or ""))
    uprns.append(str(value.get("uprn") or ""))


def _join(values: Any) -> str:
    """Distinct non-empty values, in order, space separated ("|" between address lines would
    not help: a search for "high street exampleton" should still find "1 high street")."""
    return " ".join(dict.fromkeys(value for value in values if value))
