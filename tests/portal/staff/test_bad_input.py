"""Bad input to the workspace, from staff who may use it: tampered references and ids, junk
filters, page numbers and odd text get a clear error or an empty result, never a server error
(tests/portal/test_bad_input_everywhere.py tries the same pages as residents and guests, whom
the workspace turns away before any of this is read)."""

import re

import pytest
from django.urls import reverse

from portal.accounts.roles import DATA_PROTECTION
from tests.portal.accounts.factories import UserFactory
from tests.portal.staff.conftest import signed_in, with_mfa
from tests.portal.staff.test_access import URL_NAMES

pytestmark = pytest.mark.django_db

TAMPERED_REFERENCES = ["NOPE", "ABCD-EFGH", "%00", "ÆØÅ-ÆØÅ", "x" * 300, "%ff%fe", "..%2F.."]
JUNK_QUERY = (
    "?page=%00&q=%ff%fe&sort=-id&service=1e400&status=%00&delivery=x&submitted_from=0/0/0"
    "&person=%ff&staff=%00&seen_from=99/99/9999&x=" + "y" * 3000
)
JUNK_POST = {"text": "\x00", "reason": "\x00", "kind": "fax", "outcome": "-1", "sort": "x"}


def tampered_urls(case) -> list[str]:
    urls = []
    for name, parts in URL_NAMES.items():
        kwargs = parts(case)
        references: list[str | None] = (
            list(TAMPERED_REFERENCES) if "reference" in kwargs else [None]
        )
        for reference in references:
            if reference is not None:
                kwargs = {**kwargs, "reference": reference}
            if "delivery_id" in kwargs:
                kwargs["delivery_id"] = 99999999999999999999
            if "question_id" in kwargs:
                kwargs["question_id"] = "no-such-question"
            urls.append(reverse(name, kwargs=kwargs))
    return urls


def test_no_staff_page_answers_tampered_ids_or_junk_with_a_server_error(supervisor, waste_case):
    officer = with_mfa(UserFactory(roles=[DATA_PROTECTION]))
    answers = {}
    for who, client in (("supervisor", signed_in(supervisor)), ("officer", signed_in(officer))):
        for url in [*tampered_urls(waste_case), *[reverse(n) for n in ("staff:home",)]]:
            answers[f"{who} GET {url}"] = client.get(url + JUNK_QUERY).status_code
            answers[f"{who} POST {url}"] = client.post(url, JUNK_POST).status_code

    errors = {what: status for what, status in answers.items() if status >= 500}
    assert errors == {}
    # And a tampered reference never opens a case: no such case
    client = signed_in(supervisor)
    for reference in TAMPERED_REFERENCES:
        assert client.get(reverse("staff:case", args=[reference])).status_code == 404


@pytest.mark.parametrize("page", ["0", "-1", "1e9", "%00", "", "٣", "99999999999999999999999"])
def test_any_page_number_shows_a_real_page(waste_agent, make_case, page):
    case = make_case()
    response = signed_in(waste_agent).get(reverse("staff:home") + f"?page={page}")
    assert response.status_code == 200
    assert re.findall(r'href="/staff/cases/([A-Z0-9-]+)/"', response.content.decode()) == [
        case.reference
    ]


@pytest.mark.parametrize("q", ["%ff%fe", "%ed%a0%80", "%c0%af", "a%00b", "%e2%80%ae"])
def test_search_text_that_is_not_valid_unicode_gets_an_answer_not_an_error(
    waste_agent, make_case, q
):
    make_case()
    response = signed_in(waste_agent).get(reverse("staff:home") + f"?q={q}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html or "0 cases" in html
