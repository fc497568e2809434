import pytest

from services.forms.schema import SchemaError, parse_schema
from services.forms.text import Text, text
from tests.services.helpers import page, radios
from tests.services.helpers import text as t


def errors_of(schema: dict) -> list[str]:
    with pytest.raises(SchemaError) as caught:
        parse_schema(schema)
    return caught.value.errors


def test_a_valid_schema_parses_into_pages_and_questions():
    # Given a schema with a question page and an exit page
    schema = {
        "pages": [
            page("which-bin", radios("bin_type", "general", "garden"), title=t("Bins", "Biniau")),
            {
                "id": "no-garden",
                "type": "exit",
                "title": t("Not us"),
                "body": t("Call us"),
                "show_if": {"question": "bin_type", "op": "equals", "value": "garden"},
            },
        ]
    }
    # When it is parsed
    parsed = parse_schema(schema)
    # Then its parts are reachable by id
    assert [p.id for p in parsed.pages] == ["which-bin", "no-garden"]
    assert parsed.question("bin_type").options[1].value == "garden"
    assert parsed.page("no-garden").is_exit
    assert parsed.page_of("bin_type").id == "which-bin"


def test_radios_without_options_are_refused_naming_the_question_and_page():
    errors = errors_of({"pages": [page("which-bin", radios("bin_type"))]})
    assert errors == ["Question 'bin_type' on page 'which-bin': radios need at least one option"]


@pytest.mark.parametrize(
    ("bad_question", "expected"),
    [
        ({"type": "colour"}, "unknown type 'colour'"),
        ({"type": "short_text", "validation": {"pattern": "(["}}, "pattern is not a valid regular"),
        ({"type": "number", "validation": {"min": 5, "max": 1}}, "min is more than max"),
        ({"type": "short_text", "validation": {"min_length": 9, "max_length": 2}}, "min_length is"),
        ({"type": "short_text", "validation": {"min": 1}}, "validation 'min' does not apply"),
        ({"type": "date", "validation": {"date": "yesterday"}}, "validation date must be one of"),
        ({"type": "short_text", "messages": {"too_loud": t("x")}}, "no message 'too_loud'"),
        ({"type": "short_text", "label": "Plain string"}, 'label must be {"en"'),
        ({"type": "short_text", "required": "yes"}, '"required" must be true or false'),
        ({"type": "short_text", "prefill": "address"}, "can be prefilled from full_name"),
        ({"type": "short_text", "options": []}, "do not take options"),
        ({"type": "short_text", "colour": "red"}, "unknown keys colour"),
        ({"type": "file", "validation": {"max_size_mb": 500}}, "max_size_mb must be"),
    ],
)
def test_each_kind_of_bad_question_gives_a_message_naming_it(bad_question, expected):
    # Given a question that is wrong in one way
    raw = {"id": "the_question", "label": t("Label"), **bad_question}
    # When the schema is parsed
    errors = errors_of({"pages": [page("the-page", raw)]})
    # Then the one message names the question, its page and the problem
    assert len(errors) == 1, errors
    assert errors[0].startswith("Question 'the_question' on page 'the-page': ")
    assert expected in errors[0]


def test_duplicate_question_and_page_ids_are_refused():
    schema = {
        "pages": [
            page("one", radios("bin_type", "a")),
            page("one", radios("bin_type", "b")),
        ]
    }
    errors = errors_of(schema)
    assert "Question 'bin_type' on page 'one': this id is used by an earlier question" in errors
    assert "Page id 'one' is used more than once" in errors


def test_ids_must_be_slugs():
    errors = errors_of({"pages": [page("Which Bin", radios("bin-type", "a"))]})
    assert any(e.startswith("Page 'Which Bin': id must be") for e in errors)
    assert any(e.startswith("Question 'bin-type' on page 'Which Bin': id must be") for e in errors)


def test_conditions_may_only_refer_to_questions_on_earlier_pages():
    # Given a page whose condition looks forward, and a question that looks at its own page
    schema = {
        "pages": [
            page(
                "first",
                radios("a", "x"),
                radios("b", "y", show_if={"question": "a", "op": "equals", "value": "x"}),
                show_if={"question": "c", "op": "answered"},
            ),
            page("second", radios("c", "z")),
        ]
    }
    errors = errors_of(schema)
    assert "Page 'first': show_if refers to 'c', not a question on an earlier page" in errors
    assert (
        "Question 'b' on page 'first': show_if refers to 'a', not a question on an earlier page"
        in errors
    )


def test_conditions_must_use_real_option_values():
    schema = {
        "pages": [
            page("first", radios("bin_type", "general", "garden")),
            page(
                "second",
                radios("x", "y"),
                show_if={"question": "bin_type", "op": "one_of", "value": ["garden", "purple"]},
            ),
        ]
    }
    assert errors_of(schema) == ["Page 'second': show_if: 'purple' is not an option of 'bin_type'"]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"question": "a", "op": "greater", "value": 1}, "condition op must be one of"),
        ({"question": "a", "op": "one_of", "value": "x"}, "needs a non-empty list"),
        ({"question": "a", "op": "answered", "value": "x"}, "takes no value"),
        ({"all": []}, '"all" must be the only key and a non-empty list'),
        ({"op": "equals", "value": "x"}, 'a condition needs "question"'),
        ("a == x", "a condition must be an object"),
    ],
)
def test_malformed_conditions_are_refused(condition, expected):
    schema = {"pages": [page("first", radios("a", "x")), page("second", radios("b", "y"))]}
    schema["pages"][1]["show_if"] = condition
    errors = errors_of(schema)
    assert len(errors) == 1
    assert errors[0].startswith("Page 'second': ")
    assert expected in errors[0]


def test_an_exit_page_needs_a_condition_title_and_body():
    errors = errors_of({"pages": [page("first", radios("a", "x")), {"id": "out", "type": "exit"}]})
    assert "Page 'out': an exit page needs show_if, or no one could ever continue" in errors
    assert any(e.startswith("Page 'out': title must be") for e in errors)
    assert any(e.startswith("Page 'out': body must be") for e in errors)


@pytest.mark.parametrize("schema", [{}, {"pages": "x"}, [], None, {"pages": []}])
def test_a_schema_without_pages_is_refused(schema):
    assert errors_of(schema)


def test_journey_page_names_cannot_be_used_as_page_ids():
    errors = errors_of({"pages": [page("check-your-answers", radios("a", "x"))]})
    assert errors == [
        "Page 'check-your-answers': this id is used by the journey itself; choose another"
    ]


def test_every_problem_is_reported_at_once():
    schema = {"pages": [page("p", radios("a"), {"id": "b", "type": "nope", "label": t("B")})]}
    assert len(errors_of(schema)) == 2


def test_welsh_text_falls_back_to_english():
    assert text(Text("Hello", "Helo"), "cy") == "Helo"
    assert text(Text("Hello"), "cy") == "Hello"
    assert text({"en": "Hello", "cy": ""}, "cy-gb") == "Hello"
    assert text({"en": "Hello", "cy": "Helo"}, "en") == "Hello"
    assert text(None, "en") == ""
