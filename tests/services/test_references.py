import re

from hypothesis import given
from hypothesis import strategies as st

from services.forms.references import (
    ALPHABET,
    REFERENCE_MAX_LENGTH,
    is_reference,
    new_reference,
    normalise_reference,
)


def test_the_alphabet_leaves_out_characters_people_confuse():
    assert not set("IOQ01") & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET) == 31


def test_a_new_reference_is_two_groups_of_four():
    reference = new_reference()
    assert re.fullmatch(rf"[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}", reference)
    assert len(reference) == REFERENCE_MAX_LENGTH


def test_new_references_differ():
    assert len({new_reference() for _ in range(1000)}) == 1000


def test_what_residents_type_is_normalised():
    assert normalise_reference("k7wp-3xmr") == "K7WP-3XMR"
    assert normalise_reference(" K7WP 3XMR ") == "K7WP-3XMR"
    assert normalise_reference("k7wp3xmr") == "K7WP-3XMR"
    assert normalise_reference("K7WP\u20133XMR") == "K7WP-3XMR"


def test_things_that_cannot_be_references_give_none():
    assert normalise_reference("K7WP-3XM") is None
    assert normalise_reference("K7WP-3XMO") is None
    assert normalise_reference("K7WP-3XM1") is None
    assert normalise_reference("") is None


def test_every_new_reference_normalises_to_itself():
    for reference in (new_reference() for _ in range(200)):
        assert normalise_reference(reference) == reference
        assert is_reference(reference)


@given(
    st.text(alphabet=ALPHABET, min_size=8, max_size=8),
    st.sampled_from(["", " ", "-", "  -  "]),
    st.booleans(),
)
def test_any_spacing_and_case_normalise_to_the_same_reference(chars, separator, lower):
    typed = chars[:4] + separator + chars[4:]
    typed = typed.lower() if lower else typed
    assert normalise_reference(typed) == f"{chars[:4]}-{chars[4:]}"


@given(st.text(max_size=60))
def test_normalising_anything_gives_a_reference_or_none_and_is_idempotent(typed):
    result = normalise_reference(typed)
    assert result is None or (is_reference(result) and normalise_reference(result) == result)
