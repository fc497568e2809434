import pytest

from services.forms.questions import AnswerError, clean_answer, display_answer
from tests.services.helpers import question
from tests.services.helpers import text as t

OPTIONS = [
    {"value": "general", "label": t("General waste", "Gwastraff cyffredinol")},
    {"value": "garden", "label": t("Garden waste")},
    {"value": "food", "label": t("Food waste", "Gwastraff bwyd")},
]


def error_of(q, data, lang="en") -> AnswerError:
    with pytest.raises(AnswerError) as caught:
        clean_answer(q, data, lang)
    return caught.value


@pytest.mark.parametrize("qtype", ["radios", "select"])
def test_a_single_choice_accepts_only_its_options(qtype):
    q = question(qtype, name=t("which bin was missed"), options=OPTIONS)
    assert clean_answer(q, {"answer": "garden"}) == "garden"
    assert error_of(q, {"answer": "purple"}).message == "Select which bin was missed"
    assert error_of(q, {}).message == "Select which bin was missed"
    assert error_of(q, {"answer": ["general", "garden"]}).code == "invalid"


def test_a_choice_is_displayed_by_its_label_with_welsh_falling_back_to_english():
    q = question("radios", options=OPTIONS)
    assert display_answer(q, "general", "cy") == "Gwastraff cyffredinol"
    assert display_answer(q, "garden", "cy") == "Garden waste"


def test_checkboxes_return_the_chosen_values_in_schema_order_without_duplicates():
    q = question("checkboxes", options=OPTIONS)
    assert clean_answer(q, {"answer": ["food", "general", "food"]}) == ["general", "food"]
    assert clean_answer(q, {"answer": "garden"}) == ["garden"]
    assert display_answer(q, ["general", "food"]) == "General waste\nFood waste"


def test_checkboxes_refuse_unknown_values_and_nothing_chosen():
    q = question("checkboxes", options=OPTIONS)
    assert error_of(q, {"answer": ["general", "purple"]}).message == "Select at least one option"
    assert error_of(q, {"answer": []}).code == "required"
    assert error_of(q, {"answer": [{"x": 1}]}).code == "invalid"
    assert error_of(q, {"answer": ["general"] * 50}).code == "invalid"


def test_checkboxes_limits():
    q = question("checkboxes", options=OPTIONS, validation={"min": 2, "max": 2})
    assert error_of(q, {"answer": ["food"]}).message == "Select at least 2 options"
    assert (
        error_of(q, {"answer": ["food", "general", "garden"]}).message
        == "Select no more than 2 options"
    )


def test_yes_no_gives_yes_or_no_and_the_select_if_message():
    q = question("yes_no", name=t("if the noise is still happening"))
    assert clean_answer(q, {"answer": "yes"}) == "yes"
    assert clean_answer(q, {"answer": "no"}) == "no"
    assert error_of(q, {"answer": "maybe"}).message == "Select if the noise is still happening"
    assert error_of(question("yes_no"), {}).message == "Select yes or no"
    assert display_answer(q, "yes", "cy") == "Ie"


def test_a_declaration_must_be_ticked():
    q = question("declaration")
    assert clean_answer(q, {"answer": "yes"}) is True
    assert error_of(q, {}).message == "Confirm that you agree with the declaration"
    assert error_of(q, {"answer": ["yes", "yes"]}).code == "required"
    assert error_of(q, {"answer": "no"}).code == "required"


def test_options_on_a_yes_no_question_are_a_schema_error():
    from services.forms.schema import SchemaError

    with pytest.raises(SchemaError):
        question("yes_no", options=OPTIONS)
