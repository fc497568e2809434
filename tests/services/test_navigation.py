import pytest

from services.forms.navigation import (
    evaluate,
    exit_page,
    first_page,
    is_complete,
    next_page,
    previous_page,
    prune,
    unanswered_required,
    visible_pages,
    visible_questions,
)
from services.forms.questions import clean_page
from services.forms.schema import parse_schema
from tests.services.helpers import page, radios
from tests.services.helpers import text as t

# A replacement-bin style journey: reason -> (stolen: reported? -> exit | crime ref) -> details
SCHEMA = parse_schema(
    {
        "pages": [
            page("reason", radios("reason", "damaged", "stolen", "lost")),
            page(
                "reported",
                radios("reported", "yes", "no"),
                show_if={"question": "reason", "op": "equals", "value": "stolen"},
            ),
            {
                "id": "report-first",
                "type": "exit",
                "title": t("Report it first"),
                "body": t("Call 101"),
                "show_if": {
                    "all": [
                        {"question": "reason", "op": "equals", "value": "stolen"},
                        {"question": "reported", "op": "equals", "value": "no"},
                    ]
                },
            },
            page(
                "crime-ref",
                {"id": "crime_ref", "type": "short_text", "label": t("Crime reference")},
                show_if={"question": "reported", "op": "equals", "value": "yes"},
            ),
            page(
                "details",
                {"id": "details", "type": "long_text", "label": t("Details"), "required": False},
                {
                    "id": "damage",
                    "type": "short_text",
                    "label": t("Damage"),
                    "show_if": {"question": "reason", "op": "one_of", "value": ["damaged"]},
                },
            ),
        ]
    }
)


def ids(pages):
    return [p.id if p else None for p in pages]


def test_the_journey_starts_on_the_first_page():
    assert first_page(SCHEMA).id == "reason"
    assert previous_page(SCHEMA, {}, "reason") is None


def test_pages_whose_condition_fails_are_skipped():
    answers = {"reason": "damaged"}
    assert next_page(SCHEMA, answers, "reason").id == "details"
    assert ids(visible_pages(SCHEMA, answers)) == ["reason", "details"]
    assert previous_page(SCHEMA, answers, "details").id == "reason"
    assert next_page(SCHEMA, answers, "details") is None


def test_a_branch_leads_through_its_own_pages():
    answers = {"reason": "stolen", "reported": "yes"}
    assert next_page(SCHEMA, answers, "reason").id == "reported"
    assert next_page(SCHEMA, answers, "reported").id == "crime-ref"
    assert previous_page(SCHEMA, answers, "crime-ref").id == "reported"


def test_an_exit_page_is_shown_when_its_condition_holds_and_nothing_follows_it():
    answers = {"reason": "stolen", "reported": "no"}
    assert next_page(SCHEMA, answers, "reported").id == "report-first"
    assert next_page(SCHEMA, answers, "report-first") is None
    assert exit_page(SCHEMA, answers).id == "report-first"
    assert not is_complete(SCHEMA, answers)
    assert ids(visible_pages(SCHEMA, answers))[-1] == "report-first"


def test_questions_on_a_page_can_be_shown_by_earlier_answers():
    details = SCHEMA.page("details")
    assert [q.id for q in visible_questions(SCHEMA, details, {"reason": "damaged"})] == [
        "details",
        "damage",
    ]
    assert [q.id for q in visible_questions(SCHEMA, details, {"reason": "lost"})] == ["details"]


def test_unanswered_required_lists_only_visible_questions():
    missing = unanswered_required(SCHEMA, {"reason": "stolen", "reported": "yes"})
    assert [(p.id, q.id) for p, q in missing] == [("crime-ref", "crime_ref")]
    assert is_complete(SCHEMA, {"reason": "lost"})


def test_changing_an_answer_prunes_answers_that_no_longer_apply():
    # Given a resident who went down the "stolen" branch
    answers = {"reason": "stolen", "reported": "yes", "crime_ref": "AB/123", "details": "x"}
    # When they change the reason from check-your-answers
    answers["reason"] = "lost"
    # Then the stolen branch's answers are dropped
    assert prune(SCHEMA, answers) == {"reason": "lost", "details": "x"}


def test_prune_drops_unknown_questions_and_blank_answers():
    assert prune(SCHEMA, {"reason": "lost", "hacker": "1", "details": ""}) == {"reason": "lost"}


def test_unknown_page_ids_raise_key_error():
    with pytest.raises(KeyError):
        next_page(SCHEMA, {}, "nope")


def test_clean_page_cleans_only_visible_questions_and_collects_errors():
    details = SCHEMA.page("details")
    result = clean_page(details, {"details": "  hi ", "damage": ""}, {"reason": "damaged"})
    assert result.answers == {"details": "hi"}
    assert list(result.errors) == ["damage"]
    result = clean_page(details, {"details": "", "damage": "ignored"}, {"reason": "lost"})
    assert result.is_valid
    assert result.answers == {}


@pytest.mark.parametrize(
    ("condition", "answers", "expected"),
    [
        ({"question": "a", "op": "equals", "value": "x"}, {"a": "x"}, True),
        ({"question": "a", "op": "equals", "value": "x"}, {"a": ["y", "x"]}, True),
        ({"question": "a", "op": "one_of", "value": ["x", "z"]}, {"a": ["y"]}, False),
        ({"question": "a", "op": "one_of", "value": ["x", "z"]}, {"a": "z"}, True),
        ({"question": "a", "op": "not", "value": "x"}, {}, True),
        ({"question": "a", "op": "not", "value": "x"}, {"a": "x"}, False),
        ({"question": "a", "op": "answered"}, {"a": []}, False),
        ({"question": "a", "op": "answered"}, {"a": "0"}, True),
        (
            {"any": [{"question": "a", "op": "answered"}, {"question": "b", "op": "answered"}]},
            {"b": 1},
            True,
        ),
        (
            {"all": [{"question": "a", "op": "answered"}, {"question": "b", "op": "answered"}]},
            {"b": 1},
            False,
        ),
    ],
)
def test_conditions_evaluate_as_documented(condition, answers, expected):
    assert evaluate(condition, answers) is expected


def test_a_malformed_raw_condition_raises_value_error():
    with pytest.raises(ValueError, match="op must be one of"):
        evaluate({"question": "a", "op": "is"}, {})
