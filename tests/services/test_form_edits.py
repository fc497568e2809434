"""The form builder's edits as pure functions: each gives a new schema parse_schema accepts, never
changes the one it was given, and refuses what would break the form with a message saying why."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from services.forms import edits
from services.forms.edits import EditError
from services.forms.schema import RESERVED_PAGE_IDS, parse_schema


def t(en: str, cy: str = "") -> dict[str, str]:
    return {"en": en, "cy": cy or f"{en} (cy)"}


def bins() -> dict[str, Any]:
    """Which bin (radios) -> garden subscription (yes/no, garden only) -> exit if none -> date."""
    return {
        "pages": [
            {
                "id": "which-bin",
                "questions": [
                    {
                        "id": "bin_type",
                        "type": "radios",
                        "label": t("Which bin?"),
                        "options": [
                            {"value": "general", "label": t("General")},
                            {"value": "garden", "label": t("Garden")},
                        ],
                        "messages": {"required": t("Select the bin")},
                    }
                ],
            },
            {
                "id": "subscription",
                "show_if": {"question": "bin_type", "op": "equals", "value": "garden"},
                "questions": [
                    {"id": "subscribed", "type": "yes_no", "label": t("Do you subscribe?")}
                ],
            },
            {
                "id": "not-subscribed",
                "type": "exit",
                "title": t("You need a subscription"),
                "body": t("Subscribe first."),
                "show_if": {"question": "subscribed", "op": "equals", "value": "no"},
            },
            {
                "id": "when",
                "questions": [
                    {
                        "id": "missed_on",
                        "type": "date",
                        "label": t("When was it missed?"),
                        "validation": {"date": "today_or_past"},
                    },
                    {
                        "id": "details",
                        "type": "short_text",
                        "label": t("Anything else?"),
                        "required": False,
                        "validation": {"max_length": 100},
                    },
                ],
            },
        ]
    }


def page_ids(schema: dict[str, Any]) -> list[str]:
    return [page["id"] for page in schema["pages"]]


def question_ids(schema: dict[str, Any]) -> list[str]:
    return [q.id for q in parse_schema(schema).questions]


def refused(edit: Any, schema: dict[str, Any], *args: Any, **kwargs: Any) -> str:
    """The message of an edit that must be refused, having checked it changed nothing."""
    before = copy.deepcopy(schema)
    with pytest.raises(EditError) as caught:
        edit(schema, *args, **kwargs)
    assert schema == before
    return "; ".join(caught.value.errors)


# --- questions ----------------------------------------------------------------------------------


def test_adding_a_question_makes_its_id_from_the_label_and_leaves_the_input_alone():
    # Given a form
    schema = bins()
    before = copy.deepcopy(schema)
    # When a question is added to the last page, first
    edited = edits.add_question(
        schema, "when", {"type": "email", "label": t("Your e-mail address?")}, position=0
    )
    # Then it is there with an id from its label, and the schema given is unchanged
    assert edited.question_id == "your_e_mail_address"
    assert question_ids(edited.schema)[2] == "your_e_mail_address"
    assert schema == before


def test_a_new_question_id_is_unique_and_a_label_in_welsh_letters_or_digits_still_gives_one():
    schema = bins()
    assert edits.new_question_id(schema, "Which bin?") == "which_bin"
    added = edits.add_question(schema, "when", {"type": "short_text", "label": t("Bin type")})
    assert added.question_id == "bin_type_2"  # "bin_type" is taken
    assert edits.new_question_id(added.schema, "Bin type!") == "bin_type_3"
    assert edits.new_question_id(bins(), "Ŵyr neu ŵyres?") == "wyr_neu_wyres"
    assert edits.new_question_id(bins(), "2024 tax") == "q_2024_tax"
    assert edits.new_question_id(bins(), "???") == "q"
    long_id = edits.new_question_id(bins(), "How many bulky items would you like us to collect")
    assert long_id == "how_many_bulky_items_would_you"  # whole words, 30 characters
    assert len(long_id) <= edits.ID_LENGTH


def test_a_new_page_id_avoids_the_journeys_own_pages_and_existing_ones():
    for reserved in sorted(RESERVED_PAGE_IDS):
        made = edits.new_page_id(bins(), reserved.replace("-", " "))
        assert made not in RESERVED_PAGE_IDS
        assert made.startswith(reserved)
    assert edits.new_page_id(bins(), "Which bin") == "which-bin-2"


def test_a_question_the_schema_refuses_is_refused_naming_the_problem():
    message = refused(
        edits.add_question, bins(), "when", {"type": "radios", "label": t("Pick one")}
    )
    assert "radios need at least one option" in message
    assert "unknown type" in refused(
        edits.add_question, bins(), "when", {"type": "nonsense", "label": t("Pick one")}
    )
    assert "label in English" in refused(edits.add_question, bins(), "when", {"type": "email"})
    assert "made from its label" in refused(
        edits.add_question, bins(), "when", {"id": "x", "type": "email", "label": t("E")}
    )
    assert "no page “nowhere”" in refused(
        edits.add_question, bins(), "nowhere", {"type": "email", "label": t("E")}
    )
    assert "exit page has no questions" in refused(
        edits.add_question, bins(), "not-subscribed", {"type": "email", "label": t("E")}
    )
    assert "from 0 to 2" in refused(
        edits.add_question, bins(), "when", {"type": "email", "label": t("E")}, position=3
    )


def test_editing_a_question_changes_only_what_is_given_and_none_removes_a_key():
    edited = edits.edit_question(bins(), "details", label=t("Tell us more"), validation=None)
    details = parse_schema(edited.schema).question("details")
    assert details.label.en == "Tell us more"
    assert details.validation.max_length is None
    assert details.required is False


def test_editing_refuses_keys_with_their_own_edit_and_values_the_schema_refuses():
    assert "type cannot be changed here" in refused(
        edits.edit_question, bins(), "details", type="email"
    )
    assert "min_length is more than max_length" in refused(
        edits.edit_question, bins(), "details", validation={"min_length": 9, "max_length": 2}
    )
    # An option a later page's condition uses cannot be removed.
    message = refused(
        edits.edit_question, bins(), "bin_type", options=[{"value": "general", "label": t("G")}]
    )
    assert "'garden' is not an option of 'bin_type'" in message


def test_moving_a_question_to_another_page_removes_the_page_it_leaves_empty_and_says_so():
    # Given "details" moved to the first page, then "bin_type" moved down beside it
    edited = edits.move_question(bins(), "missed_on", "which-bin", 0)
    assert question_ids(edited.schema)[:2] == ["missed_on", "bin_type"]
    assert edited.notes == ()
    # When the only question of a page is moved away, that page goes
    schema = edits.delete_page(
        edits.delete_page(bins(), "not-subscribed").schema, "subscription"
    ).schema
    edited = edits.move_question(schema, "bin_type", "when", 1)
    assert page_ids(edited.schema) == ["when"]
    assert question_ids(edited.schema) == ["missed_on", "bin_type", "details"]
    assert edited.notes == ("Page “which-bin” had no questions left, so it was removed.",)


def test_moving_a_question_after_a_condition_that_uses_it_is_refused_naming_it():
    message = refused(edits.move_question, bins(), "bin_type", "when")
    assert "The condition on page “Do you subscribe?” uses the answer to “Which bin?”" in message
    # Nor may a question join the page whose condition uses it.
    message = refused(edits.move_question, bins(), "bin_type", "subscription")
    assert "must be on an earlier page" in message


def test_deleting_a_question_a_condition_uses_is_refused_naming_every_dependant():
    message = refused(edits.delete_question, bins(), "subscribed")
    assert message == (
        "Question “Do you subscribe?” cannot be deleted while conditions use its answers: on "
        "exit page “You need a subscription”. Change or remove those conditions first."
    )


def test_deleting_a_question_removes_it_and_a_page_left_empty():
    edited = edits.delete_question(bins(), "details")
    assert question_ids(edited.schema) == ["bin_type", "subscribed", "missed_on"]
    edited = edits.delete_question(edited.schema, "missed_on")
    assert page_ids(edited.schema) == ["which-bin", "subscription", "not-subscribed"]
    assert "had no questions left" in edited.notes[0]


def test_the_last_question_cannot_be_deleted():
    schema = {
        "pages": [{"id": "only", "questions": [{"id": "a", "type": "email", "label": t("E")}]}]
    }
    assert "at least one question" in refused(edits.delete_question, schema, "a")
    assert "at least one question" in refused(edits.delete_page, schema, "only")


# --- changing type ------------------------------------------------------------------------------


def test_radios_to_text_drops_the_options_and_says_which():
    edited = edits.change_type(bins(), "bin_type", "long_text")
    question = parse_schema(edited.schema).question("bin_type")
    assert question.type == "long_text"
    assert question.options == ()
    assert question.messages["required"].en == "Select the bin"  # text questions have it too
    assert edited.notes == (
        "Dropped, as long_text questions cannot use it: the options (General, Garden).",
    )


def test_a_change_of_type_keeps_the_rules_the_new_type_shares_and_drops_the_others():
    # short_text -> long_text keeps max_length
    edited = edits.change_type(bins(), "details", "long_text")
    assert parse_schema(edited.schema).question("details").validation.max_length == 100
    assert edited.notes == ()
    # short_text -> number drops it
    edited = edits.change_type(bins(), "details", "number")
    assert "validation" not in edited.schema["pages"][3]["questions"][1]
    assert "the “max_length” rule" in edited.notes[0]
    # checkboxes' min/max count boxes, a number's bound the answer: never carried across
    schema = edits.edit_question(bins(), "details", validation=None).schema
    schema = edits.change_type(schema, "details", "number").schema
    schema = edits.edit_question(schema, "details", validation={"min": 1, "max": 5}).schema
    edited = edits.change_type(
        schema, "details", "checkboxes", options=[{"value": "a", "label": t("A")}]
    )
    assert "validation" not in edited.schema["pages"][3]["questions"][1]
    assert "“max” rule" in edited.notes[0]
    assert "“min” rule" in edited.notes[0]


def test_a_type_with_options_needs_them_but_yes_no_answers_become_options():
    assert "radios questions need options" in refused(
        edits.change_type, bins(), "details", "radios"
    )
    edited = edits.change_type(bins(), "subscribed", "radios")
    options = parse_schema(edited.schema).question("subscribed").options
    assert [(o.value, o.label.en, o.label.cy) for o in options] == [
        ("yes", "Yes", "Ie"),
        ("no", "No", "Na"),
    ]
    # and the exit page's condition on "no" still holds
    assert parse_schema(edited.schema).page("not-subscribed").show_if is not None


def test_a_change_of_type_that_loses_answers_a_condition_uses_is_refused():
    message = refused(edits.change_type, bins(), "bin_type", "yes_no")
    assert message == (
        "“Which bin?” cannot become a yes_no question while conditions use answers it could no "
        "longer give: on page “Do you subscribe?” (‘garden’). Change those conditions first."
    )
    assert "no question type “bogus”" in refused(edits.change_type, bins(), "bin_type", "bogus")
    assert "take no options" in refused(
        edits.change_type, bins(), "details", "email", options=[{"value": "a", "label": t("A")}]
    )


def test_a_prefill_the_new_type_cannot_use_is_dropped():
    schema = edits.add_question(
        bins(), "when", {"type": "email", "label": t("E-mail"), "prefill": "email"}
    ).schema
    edited = edits.change_type(schema, "e_mail", "short_text")
    assert parse_schema(edited.schema).question("e_mail").prefill is None
    assert "prefilling from the resident's email" in edited.notes[0]


# --- pages and branching ------------------------------------------------------------------------


def test_adding_a_page_puts_a_first_question_on_it():
    edited = edits.add_page(
        bins(), {"type": "postcode", "label": t("Your postcode?")}, title=t("Where"), position=0
    )
    assert edited.page_id == "where"
    assert edited.question_id == "your_postcode"
    assert page_ids(edited.schema)[0] == "where"


def test_moving_pages_keeps_conditions_after_what_they_use():
    edited = edits.move_page(bins(), "when", 0)
    assert page_ids(edited.schema) == ["when", "which-bin", "subscription", "not-subscribed"]
    message = refused(edits.move_page, bins(), "not-subscribed", 0)
    assert "exit page “You need a subscription” uses the answer to “Do you subscribe?”" in message
    assert "from 0 to 3" in refused(edits.move_page, bins(), "when", 4)


def test_deleting_a_page_whose_questions_a_condition_uses_is_refused():
    message = refused(edits.delete_page, bins(), "subscription")
    assert message.startswith("Page “Do you subscribe?” cannot be deleted while conditions")
    edited = edits.delete_page(bins(), "not-subscribed")
    assert "not-subscribed" not in page_ids(edited.schema)


def test_editing_a_page_sets_and_clears_its_title_and_only_an_exit_page_has_a_body():
    edited = edits.edit_page(bins(), "when", title=t("Dates"))
    assert parse_schema(edited.schema).page("when").title.en == "Dates"
    edited = edits.edit_page(edited.schema, "when", title=None)
    assert parse_schema(edited.schema).page("when").title is None
    assert "Only an exit page has a body" in refused(edits.edit_page, bins(), "when", body=t("x"))
    assert "with the English filled in" in refused(
        edits.edit_page, bins(), "not-subscribed", body={"en": ""}
    )


def test_branching_is_set_and_cleared_and_may_only_use_earlier_questions():
    condition = {"question": "bin_type", "op": "one_of", "value": ["general", "garden"]}
    edited = edits.set_page_show_if(bins(), "when", condition)
    assert parse_schema(edited.schema).page("when").show_if is not None
    edited = edits.set_page_show_if(edited.schema, "when", None)
    assert parse_schema(edited.schema).page("when").show_if is None
    edited = edits.set_question_show_if(
        bins(), "details", {"question": "subscribed", "op": "answered"}
    )
    assert parse_schema(edited.schema).question("details").show_if is not None
    assert "must be on an earlier page" in refused(
        edits.set_question_show_if, bins(), "details", {"question": "missed_on", "op": "answered"}
    )
    assert "'compost' is not an option of 'bin_type'" in refused(
        edits.set_page_show_if,
        bins(),
        "when",
        {"question": "bin_type", "op": "equals", "value": "compost"},
    )
    assert "needs a condition" in refused(edits.set_page_show_if, bins(), "not-subscribed", None)


def test_an_exit_page_goes_after_the_questions_its_condition_uses():
    edited = edits.add_exit_page(
        bins(),
        t("We do not collect general waste"),
        t("Call us."),
        {"question": "bin_type", "op": "equals", "value": "general"},
    )
    assert edited.page_id == "we-do-not-collect-general"
    assert page_ids(edited.schema)[:2] == ["which-bin", "we-do-not-collect-general"]
    assert "show_if" in refused(
        edits.add_exit_page, bins(), t("Stop"), t("Stop."), {"question": "nope", "op": "answered"}
    )


def test_branching_choices_are_earlier_questions_with_their_answers():
    choices = edits.branching_choices(bins(), "when")
    assert [c.question_id for c in choices] == ["bin_type", "subscribed"]
    assert [(v, label.en) for v, label in choices[0].answers or ()] == [
        ("general", "General"),
        ("garden", "Garden"),
    ]
    assert [v for v, _label in choices[1].answers or ()] == ["yes", "no"]
    assert edits.branching_choices(bins(), "which-bin") == []
    with pytest.raises(EditError):
        edits.branching_choices(bins(), "nowhere")


def test_a_draft_with_old_problems_can_still_be_edited_but_gains_no_new_ones():
    # Given a hand-edited draft whose date question has an unknown rule
    schema = bins()
    schema["pages"][3]["questions"][0]["validation"] = {"date": "someday"}
    # When an unrelated edit is made, it is allowed
    edited = edits.edit_question(schema, "details", label=t("More"))
    assert edited.schema["pages"][3]["questions"][1]["label"]["en"] == "More"
    # But an edit bringing a new problem is refused, naming only that problem
    message = refused(edits.edit_question, schema, "details", validation={"min_length": 0})
    assert "min_length must be a whole number of 1 or more" in message
    assert "someday" not in message


def test_anything_but_a_schema_is_refused_clearly():
    assert 'list of "pages"' in refused(edits.delete_question, {"pages": "no"}, "a")
