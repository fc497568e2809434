"""The repeating question ("add another"): its schema, its answers and conditions on them."""

import pytest

from services.forms.conditions import evaluate
from services.forms.questions import AnswerError, clean_answer, display_answer, resident_answer
from services.forms.schema import SchemaError, parse_schema
from services.forms.types_repeat import clean_item, counted_item_name, item_data
from services.routing.conditions import describe, validate_condition
from tests.services.helpers import page, radios
from tests.services.helpers import text as t


def bulky_items(**extra):
    """A list of bulky waste items: each a description and a size."""
    return {
        "id": "items",
        "type": "repeat",
        "label": t("Items to collect", "Eitemau i'w casglu"),
        "item_name": t("item", "eitem"),
        "item_name_plural": t("items", "eitemau"),
        "questions": [
            {"id": "description", "type": "short_text", "label": t("Description", "Disgrifiad")},
            {
                **radios("size", "small", "large"),
                "label": t("Size", "Maint"),
            },
            {"id": "bought", "type": "date", "label": t("Bought"), "required": False},
        ],
        "validation": {"min": 1, "max": 3},
        **extra,
    }


def schema_with(*questions, extra_pages=()):
    return {"pages": [page("items", *questions), *extra_pages]}


def the_list(**extra):
    return parse_schema(schema_with(bulky_items(**extra))).question("items")


def errors_of(schema) -> list[str]:
    with pytest.raises(SchemaError) as caught:
        parse_schema(schema)
    return caught.value.errors


def error_of(question, data, lang="en") -> AnswerError:
    with pytest.raises(AnswerError) as caught:
        clean_answer(question, data, lang)
    return caught.value


SOFA = {"description": "Sofa", "size": "large"}
CHAIR = {"description": "Chair", "size": "small", "bought": "2024-03-05"}


def test_a_list_of_items_parses_with_its_sub_questions_and_names():
    question = the_list()
    assert [sub.id for sub in question.questions] == ["description", "size", "bought"]
    assert question.item_name.get("cy") == "eitem"
    assert (question.validation.min, question.validation.max) == (1, 3)


def test_the_answer_is_a_list_of_dicts_that_round_trips_through_its_fields():
    question = the_list()
    data = question.kind.to_data(question, [SOFA, CHAIR])
    assert data["items-2-bought-day"] == "5"
    assert clean_answer(question, data) == [SOFA, CHAIR]


def test_every_item_is_checked_and_the_error_names_the_item():
    question = the_list()
    data = question.kind.to_data(question, [SOFA, CHAIR])
    data["items-2-size"] = "enormous"
    error = error_of(question, data)
    assert error.message == "Item 2: Select an option"
    assert error.field == "items-2-size"  # the item's own input, one of the list's fields
    assert error_of(question, data, "cy").message == "Eitem 2: Dewiswch opsiwn"


def test_too_few_and_too_many_items_are_refused_with_clear_messages():
    question = the_list(validation={"min": 2, "max": 3})
    assert error_of(question, {}).message == "Add at least one item"
    one = question.kind.to_data(question, [SOFA])
    assert error_of(question, one).message == "You need to add at least 2 items"
    assert error_of(question, one, "cy").message == "Mae angen ychwanegu o leiaf 2 eitem"
    four = {f"items-{n}-description": "x" for n in range(1, 5)}
    assert error_of(question, four).message == "You can add up to 3 items"


def test_a_gap_in_the_item_numbers_is_refused_not_a_500():
    question = the_list()
    data = {"items-1-description": "a", "items-1-size": "small", "items-3-description": "b"}
    assert error_of(question, data).code == "invalid"
    assert error_of(question, {"items-1-description": ["a", "b"]}).code == "item"


def test_one_item_is_cleaned_from_its_sub_questions_own_fields():
    question = the_list()
    item, errors = clean_item(question, {"description": "Sofa", "size": "large"})
    assert (item, errors) == (SOFA, {})
    item, errors = clean_item(question, {"description": "", "size": "huge"}, "cy")
    assert set(errors) == {"description", "size"}
    assert clean_item(question, item_data(question, CHAIR))[0] == CHAIR


def test_the_list_reads_as_one_line_per_item_for_staff_and_residents():
    question = the_list()
    assert display_answer(question, [SOFA, CHAIR]) == (
        "1. Description: Sofa; Size: Large\n"
        "2. Description: Chair; Size: Small; Bought: 5 March 2024"
    )
    assert resident_answer(question, [SOFA], "cy") == "1. Disgrifiad: Sofa; Maint: Large"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"validation": {"min": 4, "max": 3}}, "min is more items than max"),
        ({"validation": {"max": 51}}, "max must be a whole number of items from 1 to 50"),
        ({"required": False}, "a list of items is always required"),
        ({"questions": []}, '"questions" must list the questions asked about each item'),
    ],
)
def test_the_schema_refuses_insane_limits_and_empty_lists(change, problem):
    errors = errors_of(schema_with(bulky_items(**change)))
    assert any(problem in error for error in errors), errors


def test_sub_questions_need_unique_ids_simple_types_and_no_conditions():
    repeated = bulky_items()
    repeated["questions"] = [
        {"id": "what", "type": "short_text", "label": t("What")},
        {"id": "what", "type": "short_text", "label": t("What again")},
        {"id": "where", "type": "address", "label": t("Where")},
        {
            "id": "when",
            "type": "date",
            "label": t("When"),
            "show_if": {"question": "what", "op": "answered"},
        },
    ]
    errors = errors_of(schema_with(repeated))
    assert (
        "Question 'what' in 'items' on page 'items': this id is used by an earlier question"
        in errors
    )
    assert any("'where' in 'items'" in e and "must be one of short_text" in e for e in errors)
    assert any("'when' in 'items'" in e and "unknown keys show_if" in e for e in errors)


def test_sub_question_ids_may_repeat_ids_used_elsewhere_in_the_form():
    schema = schema_with(
        bulky_items(),
        extra_pages=[page("more", {"id": "description", "type": "long_text", "label": t("More")})],
    )
    assert parse_schema(schema).question("description").type == "long_text"


def test_a_list_of_items_is_alone_on_its_page():
    errors = errors_of(
        schema_with(bulky_items(), {"id": "other", "type": "short_text", "label": t("x")})
    )
    assert "Page 'items': a list of items must be the only question on its page" in errors


def test_only_list_questions_take_sub_questions():
    errors = errors_of(
        schema_with({"id": "x", "type": "short_text", "label": t("x"), "questions": []})
    )
    assert any("unknown keys questions" in e for e in errors)


# --- conditions ---------------------------------------------------------------------------------

ANY_LARGE = {"question": "items", "op": "any_item", "field": "size", "value": ["large"]}
AT_LEAST_TWO = {"question": "items", "op": "count_at_least", "value": 2}


def test_any_item_holds_when_some_item_has_one_of_the_values():
    assert evaluate(ANY_LARGE, {"items": [CHAIR, SOFA]})
    assert not evaluate(ANY_LARGE, {"items": [CHAIR]})
    assert not evaluate(ANY_LARGE, {})


def test_count_at_least_counts_the_items():
    assert evaluate(AT_LEAST_TWO, {"items": [CHAIR, SOFA]})
    assert not evaluate(AT_LEAST_TWO, {"items": [CHAIR]})
    assert not evaluate(AT_LEAST_TWO, {"items": "not a list"})


def test_a_later_page_may_be_shown_on_a_condition_about_the_list():
    extra = [
        page("how", {"id": "access", "type": "long_text", "label": t("Access")}, show_if=ANY_LARGE)
    ]
    parse_schema(schema_with(bulky_items(), extra_pages=extra))


@pytest.mark.parametrize(
    ("condition", "problem"),
    [
        ({**ANY_LARGE, "field": "colour"}, "'colour' is not a question about each item of 'items'"),
        ({**ANY_LARGE, "value": ["huge"]}, "'huge' is not an option of 'items' → 'size'"),
        ({"question": "items", "op": "equals", "value": "x"}, "use any_item or count_at_least"),
        ({"question": "items", "op": "count_at_least", "value": 4}, "takes at most 3 items"),
        ({"question": "items", "op": "count_at_least", "value": 0}, "a whole number of 1 or more"),
        ({"question": "items", "op": "any_item", "value": ["large"]}, 'needs "field"'),
    ],
)
def test_conditions_about_a_list_are_checked_in_forms_and_routing(condition, problem):
    extra = [
        page("how", {"id": "access", "type": "long_text", "label": t("Access")}, show_if=condition)
    ]
    assert any(problem in e for e in errors_of(schema_with(bulky_items(), extra_pages=extra)))
    schema = parse_schema(schema_with(bulky_items()))
    assert any(problem in p for p in validate_condition(condition, schema, name="Big"))


def test_list_ops_are_refused_on_a_question_that_is_not_a_list():
    schema = parse_schema({"pages": [page("p", radios("bin", "a", "b"))]})
    condition = {"question": "bin", "op": "count_at_least", "value": 2}
    assert validate_condition(condition, schema) == [
        "Condition: 'bin' is not a list of items, so 'count_at_least' does not apply to it"
    ]


def test_routing_describes_list_conditions_in_plain_english():
    assert describe(ANY_LARGE) == "an item of ‘items’ has ‘size’ one of ‘large’"
    assert describe(AT_LEAST_TWO) == "‘items’ has at least 2 items"


def test_after_a_number_welsh_keeps_the_item_name_singular():
    question = the_list()
    assert [counted_item_name(question, n, "en") for n in (1, 2)] == ["item", "items"]
    assert [counted_item_name(question, n, "cy") for n in (1, 2)] == ["eitem", "eitem"]
