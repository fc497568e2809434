"""The audit log: the data protection officer finds who saw a person's data, or what a staff
member looked at, and exports it as CSV for a subject access request. Reading it is recorded."""

import csv
import datetime as dt
import io
import re

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from portal.accounts.roles import DATA_PROTECTION, SYSTEM_ADMIN
from services.audit import record_access
from services.models import AccessLog, SubmissionFile
from tests.portal.accounts.factories import UserFactory
from tests.portal.staff.conftest import STREETS, WASTE, signed_in, with_mfa
from tests.services.stored_files import pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db

AUDIT = "/staff/audit/"
EXPORT = "/staff/audit/export/"


@pytest.fixture
def officer():
    return with_mfa(UserFactory(roles=[DATA_PROTECTION], full_name="Dee Protection"))


@pytest.fixture
def client(officer):
    return signed_in(officer)


@pytest.fixture
def olwen():
    return UserFactory(full_name="Olwen Pritchard", email="olwen.p@example.org")


@pytest.fixture
def history(make_case, olwen, waste_agent, streets_agent, supervisor):
    """Olwen's two cases seen by the two agents and, with a reason, the supervisor; someone
    else's case seen by the waste agent. Oldest first, a day apart."""
    bin_case = make_case(WASTE, user=olwen)
    pothole = make_case(STREETS, user=olwen)
    other = make_case(WASTE, user=UserFactory(full_name="Bryn Jones"))
    now = timezone.now()
    seen = [
        (waste_agent, bin_case, "staff:case", ""),
        (streets_agent, pothole, "staff:attachment", ""),
        (supervisor, pothole, "staff:timeline", "Resident phoned; streets desk closed"),
        (waste_agent, other, "staff:search", ""),
    ]
    entries = []
    for days_ago, (actor, case, where, reason) in zip((4, 3, 2, 1), seen, strict=True):
        entry = record_access(actor, where=where, submission=case, subject=case.user, reason=reason)
        AccessLog.objects.filter(pk=entry.pk).update(at=now - dt.timedelta(days=days_ago))
        entries.append(entry)
    return {"bin": bin_case, "pothole": pothole, "other": other, "entries": entries}


def listed(response) -> list[str]:
    """The case references of the entries listed, in order."""
    assert response.status_code == 200
    body = response.content.decode().split("<tbody", 1)
    return (
        re.findall(r'class="staff-nowrap">([A-Z0-9]{4}-[A-Z0-9]{4})<', body[-1])
        if len(body) > 1
        else []
    )


@pytest.mark.parametrize("person", ["olwen.p@example.org", "OLWEN.P@EXAMPLE.ORG", "Pritchard"])
def test_an_officer_finds_who_saw_a_residents_data_newest_first(client, history, person):
    response = client.get(AUDIT, {"person": person})

    assert listed(response) == [
        history["pothole"].reference,
        history["pothole"].reference,
        history["bin"].reference,
    ]
    html = response.content.decode()
    assert "3 entries" in html
    for shown in ("Sue Pervisor", "Stan Streets", "Wendy Waste"):
        assert shown in html
    for place in ("Case timeline", "File downloaded", "Case details"):
        assert place in html
    assert "Resident phoned; streets desk closed" in html
    assert "Bryn Jones" not in html


def test_an_officer_finds_the_entries_of_one_case_by_its_reference(client, history):
    reference = history["bin"].reference
    response = client.get(AUDIT, {"person": reference.lower().replace("-", " ")})
    assert listed(response) == [reference]


def test_an_officer_finds_what_a_staff_member_saw_within_dates(client, history, waste_agent):
    assert listed(client.get(AUDIT, {"staff": waste_agent.email})) == [
        history["other"].reference,
        history["bin"].reference,
    ]
    assert listed(client.get(AUDIT, {"staff": "wendy"})) == [
        history["other"].reference,
        history["bin"].reference,
    ]
    today = timezone.localdate()
    three_days_ago = (today - dt.timedelta(days=3)).strftime("%d/%m/%Y")
    assert listed(client.get(AUDIT, {"staff": "Wendy", "seen_from": three_days_ago})) == [
        history["other"].reference
    ]
    assert listed(client.get(AUDIT, {"seen_to": three_days_ago})) == [
        history["pothole"].reference,
        history["bin"].reference,
    ]


def test_searching_the_log_is_recorded_once_per_case_shown(client, officer, history):
    client.get(AUDIT, {"person": "olwen.p@example.org"})

    rows = AccessLog.objects.filter(actor=officer)
    assert {(row.where, row.submission_id, row.subject_id) for row in rows} == {
        ("staff:audit_search", history["bin"].pk, history["bin"].user_id),
        ("staff:audit_search", history["pothole"].pk, history["pothole"].user_id),
    }
    # And the officer's own search is in the log the next time, newest first
    html = client.get(AUDIT, {"person": "olwen.p@example.org"}).content.decode()
    assert "5 entries" in html
    assert "Audit log search" in html


def test_the_log_comes_in_pages(client, officer, waste_agent, waste_case):
    for _ in range(55):
        record_access(waste_agent, where="staff:case", submission=waste_case)
    first = client.get(AUDIT, {"staff": "Wendy"})
    second = client.get(AUDIT, {"staff": "Wendy", "page": "2"})
    assert len(listed(first)) == 50
    assert len(listed(second)) == 5
    assert len(listed(client.get(AUDIT, {"staff": "Wendy", "page": "99999999999999"}))) == 5
    assert len(listed(client.get(AUDIT, {"staff": "Wendy", "page": "junk"}))) == 50


def test_the_export_is_a_csv_of_every_matching_entry_and_is_recorded(
    client, officer, history, supervisor
):
    response = client.get(EXPORT, {"person": "Pritchard"})

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="access-log-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["When", "Staff member", "Staff e-mail address", "What was seen"]
    assert [row[5] for row in rows[1:]] == [
        history["pothole"].reference,
        history["pothole"].reference,
        history["bin"].reference,
    ]
    assert rows[1][1:4] == ["Sue Pervisor", supervisor.email, "Case timeline"]
    assert rows[1][7:9] == ["", ""]  # it names no file
    assert rows[1][9:] == ["Olwen Pritchard", "olwen.p@example.org", history["entries"][2].reason]
    assert set(AccessLog.objects.filter(actor=officer).values_list("where", "submission_id")) == {
        ("staff:audit_export", history["bin"].pk),
        ("staff:audit_export", history["pothole"].pk),
    }


def test_a_download_names_its_file_on_the_page_and_in_the_export_even_once_deleted(
    client, streets_agent, make_case, olwen, stored_files
):
    # Given Olwen's pothole case with a photo and a file she sent with a reply, the second
    # downloaded by the streets agent
    case = make_case(STREETS, user=olwen)
    stored_files(case, "photo", png_bytes(), "hole.png")
    reply = stored_files(case, "reply-3-1", pdf_bytes(), "more-photos.pdf")
    record_access(streets_agent, where="staff:attachment", submission=case, file=reply)
    described = "“Sent with the resident’s reply”, file 2 of 2"

    # When the officer looks for who saw Olwen's data, then the entry says which file it was
    response = client.get(AUDIT, {"person": "Pritchard"})
    assert listed(response) == [case.reference]
    html = response.content.decode()
    assert "File downloaded" in html
    assert f"{described}: more-photos.pdf" in html
    # and so does the export, in a column of its own and the file's name in the next
    header, *rows = csv.reader(io.StringIO(export_of(client, "Pritchard")))
    assert header[7:9] == ["File", "File name"]
    assert download_row(rows)[7:9] == [described, "more-photos.pdf"]

    # When retention has deleted the case's files (anonymising it deletes their rows)
    SubmissionFile.objects.filter(submission=case).delete()

    # Then the entry still says which file it was, and that it is gone, without its name
    html = client.get(AUDIT, {"person": case.reference}).content.decode()
    assert f"{described}. Since deleted" in html
    assert "more-photos.pdf" not in html
    _, *rows = csv.reader(io.StringIO(export_of(client, case.reference)))
    assert download_row(rows)[7:9] == [described, "Since deleted"]


def export_of(client, person: str) -> str:
    response = client.get(EXPORT, {"person": person})
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


def download_row(rows: list[list[str]]) -> list[str]:
    """The export's one download entry (the officer's own searches are entries too)."""
    [row] = [row for row in rows if row[4] == "staff:attachment"]
    return row


def test_a_cell_that_would_be_a_formula_is_exported_as_text(client, supervisor, make_case):
    case = make_case(WASTE, user=UserFactory(full_name='=HYPERLINK("http://evil.example")'))
    record_access(supervisor, where="staff:case", submission=case, reason="+SUM(A1:A9)")

    response = client.get(EXPORT, {"person": case.reference})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][9] == '\'=HYPERLINK("http://evil.example")'
    assert rows[1][11] == "'+SUM(A1:A9)"


@pytest.mark.parametrize("url", [AUDIT, EXPORT])
@pytest.mark.parametrize(
    "params",
    [
        {"person": "a\x00b"},
        {"staff": "x" * 201},
        {"seen_from": "31/2/2026"},
        {"seen_from": "2/3/2026", "seen_to": "1/3/2026"},
    ],
)
def test_bad_input_gets_a_clear_error_lists_nothing_and_records_nothing(
    client, officer, history, url, params
):
    response = client.get(url, params)

    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "<title>Error:" in html
    assert listed(response) == []
    assert not AccessLog.objects.filter(actor=officer).exists()


@pytest.mark.parametrize("text", ["ÆØÅ ßẞ", "🗑️🚮", "‮evil", "%", "_", "\\", "' OR 1=1 --"])
def test_odd_text_is_searched_for_as_text(client, history, text):
    response = client.get(AUDIT, {"person": text, "staff": text})
    assert listed(response) == []
    assert "0 entries" in response.content.decode()


def test_a_system_admin_may_search_the_log_too(history):
    admin = with_mfa(UserFactory(roles=[SYSTEM_ADMIN], is_staff=True))
    assert listed(signed_in(admin).get(AUDIT, {"person": "Pritchard"})) != []


def test_the_officer_sees_no_cases_and_is_offered_only_the_log(client, history):
    assert client.get(reverse("staff:home")).status_code == 403
    assert client.get(reverse("staff:case", args=[history["bin"].reference])).status_code == 403
    html = client.get(AUDIT).content.decode()
    assert 'href="/staff/audit/" aria-current="page"' in html
    assert ">Cases<" not in html


def test_the_audit_page_uses_the_same_number_of_queries_whatever_it_lists(
    client, waste_agent, make_case, stored_files, django_assert_num_queries
):
    def entries(count: int) -> None:
        # Each a download naming its file: the file's name is shown too
        for _ in range(count):
            case = make_case(WASTE)
            file = stored_files(case, "photo", png_bytes(), "bin.png")
            record_access(waste_agent, where="staff:attachment", submission=case, file=file)

    entries(1)
    client.get(AUDIT)  # the first request fills Django's content-type and permission caches
    with django_assert_num_queries(QUERIES_PER_AUDIT_PAGE):
        assert client.get(AUDIT).status_code == 200
    entries(30)
    with django_assert_num_queries(QUERIES_PER_AUDIT_PAGE):
        assert client.get(AUDIT).status_code == 200


# The session and the user; is the user council staff (asked by the MFA middleware, the role
# check and the navigation) and have they a second factor; their permissions (user and group);
# the count and the page of entries; one INSERT recording the cases shown.
QUERIES_PER_AUDIT_PAGE = 11


def test_every_place_the_code_records_is_said_in_words():
    # Each `where` our code writes to the access log (a literal at its call) has a label, so the
    # officer never reads a code such as "staff:residents" in place of what was seen
    from pathlib import Path

    from services.audit_search import PLACES

    root = Path(__file__).resolve().parents[3]
    written = re.compile(r"""(?:where|audit_where)\s*=\s*["']((?:staff|admin):[a-z_]+)["']""")
    places = {
        place
        for folder in ("portal", "services")
        for path in (root / folder).rglob("*.py")
        for place in written.findall(path.read_text())
    }

    assert places, "the pattern finds the places the code records"
    assert places - PLACES.keys() == set()
