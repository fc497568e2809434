"""Address questions without JavaScript: find by postcode, choose one, or type it in.

Three buttons post the page back without saving it: "Find address" (action `find:<id>`),
"Enter the address manually" (`manual:<id>`) and "Search by postcode" (`search:<id>`). A hidden
`<id>-mode` says which of the three states the page showed. When a resident chooses an address,
only its UPRN is taken from the browser: the address itself is looked up again here, so lines
the browser sends alongside a UPRN are never trusted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from portal.journey.fields import AddressState, _one
from services.addresses import (
    Address,
    AddressLookupError,
    InvalidPostcodeError,
    get_provider,
    normalise_postcode,
)
from services.forms.questions import AnswerError
from services.forms.schema import Question

MODES = ("lookup", "choose", "manual")


def lookup(question: Question, postcode: str) -> AddressState:
    """Search the provider; a problem comes back as the state's error, never an exception."""
    field = f"{question.id}-lookup"
    state = AddressState(mode="lookup", postcode=postcode[:20])
    if not postcode.strip():
        state.error = AnswerError(_("Enter a postcode"), field=field, code="required")
        return state
    try:
        normalised = normalise_postcode(postcode[:20])
        found = get_provider().find_by_postcode(normalised)
    except InvalidPostcodeError:
        state.error = AnswerError(
            _("Enter a full UK postcode, like SW1A 2AA"), field=field, code="invalid"
        )
        return state
    except AddressLookupError:
        state.error = AnswerError(
            _("We could not look up addresses just now – enter the address manually"),
            field=field,
            code="lookup",
        )
        return state
    if not found:
        state.error = AnswerError(
            _(
                "We could not find an address for %(postcode)s – check the postcode or enter the "
                "address manually"
            )
            % {"postcode": normalised},
            field=field,
            code="not_found",
        )
        return state
    return AddressState(mode="choose", postcode=normalised, addresses=found)


def state_for_answer(question: Question, value: Any) -> AddressState:
    """How to show a saved answer: chosen from its postcode's list if it has a UPRN, else typed."""
    if not value:
        return AddressState()
    if value.get("uprn"):
        state = lookup(question, value.get("postcode", ""))
        if state.mode == "choose" and any(a.uprn == value["uprn"] for a in state.addresses):
            state.chosen = value["uprn"]
            return state
    return AddressState(mode="manual")


def field_data(address: Address) -> dict[str, str]:
    return {
        "line1": address.line1,
        "line2": address.line2,
        "town": address.town,
        "postcode": address.postcode,
        "uprn": address.uprn,
    }


def resolve(
    question: Question, post: Mapping[str, Any], action: str
) -> tuple[AddressState, dict[str, Any] | None, bool]:
    """Read an address question from a POST.

    Returns the state to show, the field data for the engine to clean (None when there is
    nothing to clean because of an error in the state), and whether the POST was a step within
    the question (find, manual, search) rather than an answer to save.
    """
    qid = question.id
    postcode = _one(post, f"{qid}-lookup")
    mode = _one(post, f"{qid}-mode")
    if action == f"find:{qid}":
        return lookup(question, postcode), None, True
    if action == f"manual:{qid}":
        return AddressState(mode="manual", postcode=postcode), None, True
    if action == f"search:{qid}":
        return AddressState(mode="lookup", postcode=postcode), None, True
    if mode == "manual":
        data = {f"{qid}-{part}": post.get(f"{qid}-{part}", "") for part in _LINES}
        return AddressState(mode="manual"), {**data, f"{qid}-uprn": ""}, False
    if mode == "choose":
        return _chosen(question, postcode, _one(post, f"{qid}-uprn"))
    if postcode.strip():
        # Continue pressed after typing a postcode: that is a search.
        return lookup(question, postcode), None, True
    return AddressState(), {}, False


_LINES = ("line1", "line2", "town", "postcode")


def _chosen(
    question: Question, postcode: str, uprn: str
) -> tuple[AddressState, dict[str, Any] | None, bool]:
    field = f"{question.id}-uprn"
    state = lookup(question, postcode)
    if state.mode != "choose":
        return state, None, False
    state.chosen = uprn
    if not uprn:
        state.error = AnswerError(_("Select an address"), field=field, code="required")
        return state, None, False
    try:
        address = get_provider().get(uprn[:12]) if uprn.isdigit() else None
    except AddressLookupError:
        state.error = AnswerError(
            _("We could not look up addresses just now – enter the address manually"),
            field=field,
            code="lookup",
        )
        return state, None, False
    if address is None:
        state.error = AnswerError(_("Select an address"), field=field, code="invalid")
        return state, None, False
    data = {f"{question.id}-{part}": value for part, value in field_data(address).items()}
    return state, data, False
