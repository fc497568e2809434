"""What a draft changes since the live version, and which routing it affects, as an admin reads it
before publishing."""

from __future__ import annotations

import copy
from typing import Any

from services.forms import edits
from services.forms.changes import DestinationUse, RuleUse, routing_affected, summarise_changes
from tests.services.test_form_edits import bins, t


def draft_of(live: dict[str, Any]) -> dict[str, Any]:
    """The draft an admin makes: delete "details", add an e-mail question, change the bins."""
    schema = edits.delete_question(live, "details").schema
    schema = edits.add_question(
        schema, "when", {"type": "email", "label": t("Your e-mail?")}
    ).schema
    schema = edits.edit_question(
        schema,
        "bin_type",
        label=t("Which bin was missed?"),
        required=False,
        options=[
            {"value": "garden", "label": t("Garden waste")},
            {"value": "food", "label": t("Food")},
        ],
    ).schema
    schema = edits.change_type(schema, "missed_on", "short_text").schema
    return edits.delete_page(schema, "not-subscribed").schema


def test_added_removed_and_changed_questions_are_listed_with_what_changed():
    # Given the live form and a draft of it
    live = bins()
    # When the changes are summarised
    summary = summarise_changes(live, draft_of(live))
    # Then each addition, removal and change is there, in plain words
    assert [(c.question_id, c.label.en) for c in summary.added] == [("your_e_mail", "Your e-mail?")]
    assert [c.question_id for c in summary.removed] == ["details"]
    changed = {c.question_id: c.details for c in summary.changed}
    assert changed["bin_type"] == (
        "Question text changed from “Which bin?”",
        "Option “Garden waste” relabelled",
        "Option “Food” added",
        "Option “General” removed",
        "Now optional",
    )
    assert changed["missed_on"] == (
        "Type changed from date to short_text",
        "Answer rules changed",
    )
    assert set(changed) == {"bin_type", "missed_on"}
    assert [title.en for title in summary.exit_pages_removed] == ["You need a subscription"]
    assert summary.retyped == {"missed_on": ("date", "short_text")}


def test_branching_and_moves_are_changes_too_and_an_unchanged_draft_has_none():
    live = bins()
    assert summarise_changes(live, copy.deepcopy(live)).is_empty
    draft = edits.set_question_show_if(
        live, "details", {"question": "bin_type", "op": "equals", "value": "garden"}
    ).schema
    draft = edits.move_question(draft, "subscribed", "which-bin").schema
    changed = {c.question_id: c.details for c in summarise_changes(live, draft).changed}
    assert changed == {
        "details": ("When it is asked changed (branching)",),
        "subscribed": ("When its page is shown changed (branching)", "Moved to another page"),
    }


def test_with_nothing_live_every_question_is_added():
    summary = summarise_changes(None, bins())
    assert [c.question_id for c in summary.added] == [
        "bin_type",
        "subscribed",
        "missed_on",
        "details",
    ]
    assert not summary.removed


def test_routing_that_reads_a_removed_or_retyped_question_is_named():
    # Given routing reading the bin, the date, the details (removed) and a question left alone
    live = bins()
    summary = summarise_changes(live, draft_of(live))
    rules = [
        RuleUse("Garden", {"all": [{"question": "bin_type", "op": "equals", "value": "garden"}]}),
        RuleUse("Old ones", {"not": {"question": "missed_on", "op": "answered"}}),
        RuleUse(
            "Details", {"any": [{"question": "details", "op": "answered"}, {"channel": ["web"]}]}
        ),
        RuleUse("North", {"postcode_district": ["NN1"]}),
    ]
    destinations = [
        DestinationUse(
            "Waste system",
            {
                "when": {"answer": "missed_on", "transforms": [{"date_format": "%d/%m/%Y"}]},
                "notes": {"template": "{answer.details} ({meta.reference})"},
                "bin": {"answer": "bin_type"},
                "ref": {"meta": "reference"},
            },
        )
    ]
    # When what the change affects is worked out
    warnings = routing_affected(summary, rules, destinations)
    # Then each use of a removed or re-typed question is named, and nothing else
    assert warnings == [
        "Routing rule “Old ones” checks the answer to “When was it missed?”, which changes "
        "from date to short_text.",
        "Routing rule “Details” checks the answer to “Anything else?”, which this draft removes.",
        "Destination “Waste system” fills its field “when” from the answer to “When was it "
        "missed?”, which changes from date to short_text.",
        "Destination “Waste system” fills its field “notes” from the answer to “Anything "
        "else?”, which this draft removes.",
    ]


def test_routing_is_unaffected_when_nothing_it_reads_changes():
    live = bins()
    summary = summarise_changes(live, edits.delete_question(live, "details").schema)
    rules = [RuleUse("Garden", {"question": "bin_type", "op": "equals", "value": "garden"})]
    assert routing_affected(summary, rules, [DestinationUse("Bad", "not a mapping")]) == []
