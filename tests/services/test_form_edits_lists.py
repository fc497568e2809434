"""The pure edits of a list question ("add another") and its questions about each item."""

import copy

import pytest

from services.forms import edits
from services.forms.changes import summarise_changes
from services.forms.edits import EditError
from services.forms.publish_checks import welsh_missing
from services.forms.schema import parse_schema
from tests.services.test_form_edits_properties import WITH_A_LIST, text


@pytest.fixture
def schema():
    return copy.deepcopy(WITH_A_LIST)


def items_of(schema):
    return parse_schema(schema).question("items").questions


def test_a_question_about_each_item_is_added_with_an_id_made_from_its_label(schema):
    edited = edits.add_item_question(
        schema, "items", {"type": "number", "label": text("How heavy?")}, position=1
    )
    assert edited.question_id == "how_heavy"
    assert [sub.id for sub in items_of(edited.schema)] == ["what", "how_heavy", "size"]
    assert [sub.id for sub in items_of(schema)] == ["what", "size"]  # the given one is untouched
    again = edits.add_item_question(edited.schema, "items", {"type": "date", "label": text("What")})
    assert again.question_id == "what_2"


def test_only_simple_types_may_be_asked_about_each_item(schema):
    with pytest.raises(EditError) as refused:
        edits.add_item_question(schema, "items", {"type": "file", "label": text("Photo")})
    assert "must be one of short_text" in refused.value.errors[0]


def test_an_item_question_is_edited_moved_and_deleted(schema):
    edited = edits.edit_item_question(schema, "items", "what", label=text("Describe it"), hint=None)
    assert items_of(edited.schema)[0].label.en == "Describe it"
    moved = edits.move_item_question(edited.schema, "items", "what", 1)
    assert [sub.id for sub in items_of(moved.schema)] == ["size", "what"]
    deleted = edits.delete_item_question(moved.schema, "items", "what")
    assert [sub.id for sub in items_of(deleted.schema)] == ["size"]


def test_an_item_question_a_condition_uses_or_the_last_one_cannot_be_deleted(schema):
    with pytest.raises(EditError) as refused:
        edits.delete_item_question(schema, "items", "size")
    message = refused.value.errors[0]
    assert "cannot be deleted while conditions use its answers" in message
    assert "on page “Access”" in message
    lonely = edits.delete_item_question(
        edits.set_page_show_if(schema, "big", None).schema, "items", "size"
    ).schema
    with pytest.raises(EditError, match="at least one question about each item"):
        edits.delete_item_question(lonely, "items", "what")


def test_the_list_names_its_items_and_limits_through_edit_question(schema):
    edited = edits.edit_question(
        schema,
        "items",
        item_name=text("thing"),
        item_name_plural=text("things"),
        validation={"min": 2, "max": 4},
    )
    question = parse_schema(edited.schema).question("items")
    assert (question.item_name.en, question.validation.max) == ("thing", 4)
    with pytest.raises(EditError, match="min is more items than max"):
        edits.edit_question(schema, "items", validation={"min": 5, "max": 4})
    with pytest.raises(EditError):
        edits.edit_question(schema, "name", item_name=text("thing"))


def test_a_list_cannot_change_type_nor_a_question_become_a_list(schema):
    with pytest.raises(EditError, match="add a new question instead"):
        edits.change_type(schema, "items", "short_text")
    with pytest.raises(EditError, match="add a new question instead"):
        edits.change_type(schema, "name", "repeat")


def test_a_list_is_added_on_a_page_of_its_own(schema):
    new_list = {
        "type": "repeat",
        "label": text("Bags"),
        "questions": [{"id": "colour", "type": "short_text", "label": text("Colour")}],
    }
    edited = edits.add_page(schema, new_list)
    assert parse_schema(edited.schema).question("bags").type == "repeat"
    with pytest.raises(EditError, match="only question on its page"):
        edits.add_question(schema, "name", new_list)


def test_branching_choices_leave_lists_out(schema):
    choices = edits.branching_choices(schema, "big")
    assert [choice.question_id for choice in choices] == ["name"]


def test_welsh_missing_counts_the_questions_about_each_item(schema):
    english_only = edits.edit_item_question(schema, "items", "size", label={"en": "Size"}).schema
    english_only = edits.edit_question(english_only, "items", item_name={"en": "bag"}).schema
    gaps = [gap for gap in welsh_missing(english_only) if gap.question_id == "items"]
    assert [gap.what for gap in gaps] == [
        "item_name",
        "questions.size.label",
        "questions.size.options.a",  # the options were in English only all along
        "questions.size.options.b",
    ]
    assert "the question “Size” about each item: the question text" in gaps[1].message


def test_the_publish_summary_says_what_changed_in_a_list(schema):
    edited = edits.add_item_question(schema, "items", {"type": "number", "label": text("Weight")})
    edited = edits.edit_question(edited.schema, "items", item_name=text("bag"))
    edited = edits.edit_item_question(edited.schema, "items", "what", label=text("Describe it"))
    summary = summarise_changes(schema, edited.schema)
    (changed,) = [change.details for change in summary.changed if change.question_id == "items"]
    assert "Question “Weight” about each item added" in changed
    assert "Question “Describe it” about each item changed" in changed
    assert "What the items are called changed" in changed
