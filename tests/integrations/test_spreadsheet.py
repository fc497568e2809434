"""The one rule for CSV cells: a spreadsheet shows what a resident typed, never runs it."""

import pytest

from integrations.spreadsheet import spreadsheet_safe


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        # OWASP's CSV injection cases: each leading character starts a formula.
        (
            '=HYPERLINK("http://evil.example","Click")',
            '\'=HYPERLINK("http://evil.example","Click")',
        ),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+9)*cmd|' /C calc'!A0", "'@SUM(1+9)*cmd|' /C calc'!A0"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\n=1+1", "'\n=1+1"),
    ],
)
def test_a_cell_starting_a_formula_is_prefixed_so_it_reads_as_text(typed, written):
    assert spreadsheet_safe(typed) == written


@pytest.mark.parametrize(
    "typed", ["", "Jo Bloggs", "1 Mill Lane", "2026-12-01", "a=b", "jo@example.com", "'quoted"]
)
def test_ordinary_answers_are_written_as_typed(typed):
    assert spreadsheet_safe(typed) == typed
