"""Property-based tests: random schemas and answers for navigation, any input for validators."""

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.forms.navigation import first_page, next_page, previous_page, prune, visible_pages
from services.forms.normalise import normalise_postcode, normalise_vehicle_registration
from services.forms.questions import QUESTION_TYPES, AnswerError, clean_answer
from services.forms.schema import parse_schema
from tests.services.helpers import question

VALUES = ["a", "b", "c"]


@st.composite
def schemas(draw):
    """Valid schemas of radios pages, some conditional on earlier answers, some exit pages."""
    pages, earlier = [], []
    for number in range(draw(st.integers(min_value=1, max_value=8))):
        qid = f"q{number}"
        condition = None
        if earlier and draw(st.booleans()):
            target = draw(st.sampled_from(earlier))
            op = draw(st.sampled_from(["equals", "one_of", "not", "answered"]))
            condition = {"question": target, "op": op}
            if op == "one_of":
                condition["value"] = draw(
                    st.lists(st.sampled_from(VALUES), min_size=1, unique=True)
                )
            elif op != "answered":
                condition["value"] = draw(st.sampled_from(VALUES))
        if condition and draw(st.integers(0, 3)) == 0:
            pages.append(
                {
                    "id": f"exit-{number}",
                    "type": "exit",
                    "title": {"en": "Stop"},
                    "body": {"en": "Stop"},
                    "show_if": condition,
                }
            )
            continue
        options = [{"value": v, "label": {"en": v}} for v in VALUES]
        page = {
            "id": f"p{number}",
            "questions": [{"id": qid, "type": "radios", "label": {"en": qid}, "options": options}],
        }
        if condition:
            page["show_if"] = condition
        pages.append(page)
        earlier.append(qid)
    if pages[0].get("type") == "exit":
        pages[0] = {
            "id": "p-first",
            "questions": [{"id": "first", "type": "yes_no", "label": {"en": "First"}}],
        }
    return parse_schema({"pages": pages})


answers_strategy = st.dictionaries(
    st.sampled_from([f"q{i}" for i in range(8)] + ["stray"]),
    st.sampled_from([*VALUES, ""]),
    max_size=9,
)


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=200)
@given(schemas(), answers_strategy)
def test_navigation_terminates_and_never_visits_a_hidden_page(schema, answers):
    visible = [p.id for p in visible_pages(schema, answers)]
    current, visited = first_page(schema, answers), []
    while current is not None:
        assert current.id in visible
        assert len(visited) <= len(schema.pages)
        visited.append(current.id)
        current = next_page(schema, answers, current.id)
    assert visited == visible


@settings(max_examples=200)
@given(schemas(), answers_strategy)
def test_back_links_retrace_the_forward_path(schema, answers):
    path = [p for p in visible_pages(schema, answers) if not p.is_exit]
    for before, after in itertools.pairwise(path):
        assert previous_page(schema, answers, after.id).id == before.id


@settings(max_examples=200)
@given(schemas(), answers_strategy)
def test_prune_is_idempotent_and_does_not_change_what_is_visible(schema, answers):
    pruned = prune(schema, answers)
    assert prune(schema, pruned) == pruned
    assert set(pruned) <= set(answers)
    assert visible_pages(schema, pruned) == visible_pages(schema, answers)


FIELD_VALUES = st.one_of(
    st.text(max_size=60),
    st.lists(st.text(max_size=20), max_size=4),
    st.none(),
    st.integers(),
    st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
)


def sample_question(qtype):
    options = [{"value": "a", "label": {"en": "A"}}, {"value": "b", "label": {"en": "B"}}]
    if qtype == "repeat":  # a list of items: a text and a choice about each, up to 3 items
        about_each = [
            {"id": "what", "type": "short_text", "label": {"en": "What"}},
            {"id": "size", "type": "radios", "label": {"en": "Size"}, "options": options},
            {"id": "when", "type": "date", "label": {"en": "When"}, "required": False},
        ]
        return question(qtype, questions=about_each, validation={"max": 3})
    return (
        question(qtype, options=options) if QUESTION_TYPES[qtype].has_options else question(qtype)
    )


@settings(max_examples=60)
@given(st.sampled_from(sorted(QUESTION_TYPES)), st.data())
def test_any_posted_data_gives_a_value_or_an_answer_error_never_another_exception(qtype, data):
    q = sample_question(qtype)
    fields = {name: data.draw(FIELD_VALUES) for name in q.kind.field_names(q)}
    lang = data.draw(st.sampled_from(["en", "cy"]))
    error = None
    try:
        value = clean_answer(q, fields, lang)
    except AnswerError as caught:
        error = caught
    if error is not None:
        assert error.message
        assert error.field in q.kind.field_names(q)
    else:
        # Whatever passed must come back unchanged through the page's own fields.
        assert clean_answer(q, q.kind.to_data(q, value)) == value


@given(st.text(max_size=20))
def test_postcode_normalisation_is_idempotent(typed):
    postcode = normalise_postcode(typed)
    if postcode is not None:
        assert normalise_postcode(postcode) == postcode
        assert postcode == postcode.upper()
        assert postcode.count(" ") == 1


@given(st.from_regex(r"[A-Za-z]{2}[0-9]{2} ?[A-Za-z]{3}", fullmatch=True))
def test_every_current_format_registration_is_accepted_and_normalised_once(typed):
    registration = normalise_vehicle_registration(typed)
    assert (
        registration
        == typed.replace(" ", "").upper()[:4] + " " + typed.replace(" ", "").upper()[4:]
    )
    assert normalise_vehicle_registration(registration) == registration
