"""Welsh: the cy catalogue is complete and compiled, and the resident's pages are Welsh at /cy/.

The catalogue tests read locale/cy/LC_MESSAGES/django.po and the committed django.mo; run
`make messages` after adding or changing a translatable string, translate what it adds, and commit
both files. The page tests render real pages with the committed .mo.
"""

import os
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import polib  # type: ignore[import-untyped]
import pytest
from django.urls import reverse
from django.utils import translation

from tests.portal.accounts.factories import UserFactory
from tests.portal.accounts.helpers import error_summary_targets, title
from tests.portal.conftest import CommittingClient
from tests.services.seeding import nothing_queued, seed_live_catalogue

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCALE = REPO_ROOT / "locale" / "cy" / "LC_MESSAGES"
PO_PATH = LOCALE / "django.po"
MO_PATH = LOCALE / "django.mo"

# What must come through a translation unchanged: Python and str.format placeholders, "%%",
# and HTML tags with their attributes.
_PLACEHOLDER = re.compile(
    r"%\([A-Za-z0-9_]+\)[sdifr]|%[sdifr%]|\{[A-Za-z0-9_]*\}|</?[A-Za-z][^>]*>"
)
_WELSH_PLURAL_FORMS = "nplurals=4; plural=(n==1) ? 0 : (n==2) ? 1 : (n != 8 && n != 11) ? 2 : 3;"


def _po() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def _live(catalogue) -> list[polib.POEntry | polib.MOEntry]:
    return [e for e in catalogue if not e.obsolete]


def _placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))


def _translations(entry: polib.POEntry | polib.MOEntry) -> dict[int, str]:
    return dict(entry.msgstr_plural) if entry.msgid_plural else {0: entry.msgstr}


# --- The catalogue --------------------------------------------------------------------------------


def test_the_catalogue_has_the_welsh_header_and_says_it_needs_review():
    po = _po()
    assert not po.metadata_is_fuzzy, "a fuzzy header is ignored by msgfmt"
    assert po.metadata["Language"] == "cy"
    assert po.metadata["Plural-Forms"] == _WELSH_PLURAL_FORMS
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    assert "review" in po.header.lower()
    assert "welsh speaker" in po.header.lower()


def test_every_entry_is_translated_and_none_is_fuzzy():
    po = _po()
    entries = _live(po)
    assert len(entries) > 500, "the catalogue looks truncated"
    untranslated = [e.msgid for e in entries if not all(_translations(e).values())]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert untranslated == [], "run `make messages` and translate these"
    assert fuzzy == [], "fuzzy entries are not used at runtime: check them and drop the flag"


def test_plural_entries_have_all_four_welsh_forms():
    plurals = [e for e in _live(_po()) if e.msgid_plural]
    assert plurals
    for entry in plurals:
        assert sorted(entry.msgstr_plural) == [0, 1, 2, 3], entry.msgid


def test_every_translation_keeps_the_placeholders_and_html_of_its_msgid():
    mismatches = []
    for entry in _live(_po()):
        for form, text in _translations(entry).items():
            source = entry.msgid_plural if entry.msgid_plural and form > 0 else entry.msgid
            if _placeholders(text) != _placeholders(source):
                mismatches.append((entry.msgid, form, _placeholders(source), _placeholders(text)))
    assert mismatches == []


def test_the_placeholder_check_catches_a_lost_or_renamed_placeholder():
    # The check above is only as good as this comparison.
    assert _placeholders("Wait %(minutes)s minutes") != _placeholders("Arhoswch funudau")
    assert _placeholders("Key nr. {number}") != _placeholders("Allwedd rhif {num}")
    assert _placeholders('<a href="%(url)s">x</a>') != _placeholders('<a href="%(link)s">x</a>')
    assert _placeholders("400%% zoom") == _placeholders("chwyddo 400%%")


def test_the_committed_mo_is_the_compiled_po():
    assert MO_PATH.exists(), "compile with `make messages` and commit django.mo"
    po_entries = {
        (e.msgctxt, e.msgid): _translations(e) for e in _live(_po()) if "fuzzy" not in e.flags
    }
    mo = polib.mofile(str(MO_PATH))
    mo_entries = {(e.msgctxt, e.msgid): _translations(e) for e in mo if e.msgid}
    assert mo_entries == po_entries, "django.mo is stale: run `make messages` and commit it"
    assert mo.metadata.get("Plural-Forms") == _WELSH_PLURAL_FORMS


def test_every_string_marked_for_translation_is_in_the_catalogue(tmp_path):
    # makemessages (as `make messages` runs it) over a copy of the source, so the committed
    # catalogue is left alone; a string marked in code but missing from django.po would be
    # shown in English on a Welsh page.
    if shutil.which("xgettext") is None:
        pytest.fail("makemessages needs GNU gettext: apt-get install gettext (.ci/run does)")
    for part in ("manage.py", "portal", "services", "integrations", "templates", "locale"):
        source = REPO_ROOT / part
        if source.is_dir():
            shutil.copytree(source, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / part)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "cy", "--no-location"],
        cwd=tmp_path,
        env={**os.environ, "DEBUG": "true", "PYTHONPATH": str(tmp_path)},
        check=True,
        capture_output=True,
    )
    extracted = polib.pofile(str(tmp_path / "locale" / "cy" / "LC_MESSAGES" / "django.po"))
    committed = {(e.msgctxt, e.msgid) for e in _live(_po())}
    missing = [e.msgid for e in _live(extracted) if (e.msgctxt, e.msgid) not in committed]
    assert missing == [], "run `make messages`, translate what it adds and commit both files"


# --- Pages at /cy/ --------------------------------------------------------------------------------


@pytest.fixture
def client():
    return CommittingClient()


@pytest.fixture
def catalogue(db, monkeypatch):
    nothing_queued(monkeypatch)
    return {service.slug: service for service in seed_live_catalogue()}


@pytest.fixture(scope="module")
def english_sentences() -> list[str]:
    """Our English msgids of three words or more that are not the same in Welsh.

    If one of these is on a /cy/ page, something on that page was not translated.
    """
    sentences = []
    for entry in _live(_po()):
        plain = not _PLACEHOLDER.search(entry.msgid)
        if plain and len(entry.msgid.split()) >= 3 and entry.msgstr != entry.msgid:
            sentences.append(" ".join(entry.msgid.split()))
    return sentences


def _text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def assert_welsh_page(response, *welsh: str, english_sentences: list[str]) -> str:
    """A 200 page in Welsh: lang="cy", the given Welsh text, none of our English sentences."""
    assert response.status_code == 200, response
    html = response.content.decode()
    assert '<html lang="cy"' in html
    text = _text(response)
    for words in welsh:
        assert words in text, f"{words!r} is not on the page"
    # The switcher offers English, named in English, at the page's English address.
    assert 'hreflang="en"' in html
    leftovers = [sentence for sentence in english_sentences if sentence in text]
    assert leftovers == [], "these are shown in English on a Welsh page"
    return text


def _cy(name: str, **kwargs) -> str:
    with translation.override("cy"):
        return reverse(name, kwargs=kwargs or None)


def test_the_welsh_addresses_are_under_cy():
    assert _cy("home") == "/cy/"
    assert _cy("catalogue:list") == "/cy/services/"
    assert _cy("account_login") == "/cy/accounts/login/"


@pytest.mark.django_db
def test_home_page_in_welsh(client, english_sentences):
    response = client.get("/cy/")
    text = assert_welsh_page(
        response,
        "Rhoi gwybod, gofyn neu wneud cais",
        "Neidio i'r prif gynnwys",
        "Pob gwasanaeth",
        "Datganiad hygyrchedd",
        english_sentences=english_sentences,
    )
    assert "Report, request or apply" not in text
    assert 'href="/"' in response.content.decode()  # English version of this page


def test_all_services_and_a_start_page_in_welsh(client, catalogue, english_sentences):
    response = client.get("/cy/services/")
    assert_welsh_page(
        response,
        "Chwilio am wasanaeth",
        "Biniau ac ailgylchu",
        "Rhoi gwybod am gasgliad bin a fethwyd",
        english_sentences=english_sentences,
    )

    response = client.get("/cy/services/report-missed-bin/")
    assert_welsh_page(
        response,
        "Rhoi gwybod am gasgliad bin a fethwyd",
        "Beth sydd ei angen arnoch",
        "Faint o amser mae'n ei gymryd",
        "Ffyrdd eraill o wneud hyn",
        "Ffoniwch 01234 567890",
        english_sentences=english_sentences,
    )
    assert title(response).startswith("Rhoi gwybod am gasgliad bin a fethwyd – ")


def test_a_journey_in_welsh_question_page_error_summary_and_check_your_answers(
    client, catalogue, english_sentences
):
    # Given a resident starting the replacement bin service in Welsh
    response = client.post(_cy("journey:start", slug="request-replacement-bin"))
    assert response.status_code == 302
    first = response["Location"]
    assert first.startswith("/cy/services/request-replacement-bin/")

    # Then its question page is in Welsh
    assert_welsh_page(
        client.get(first),
        "Beth yw eich cyfeiriad?",
        "Parhau",
        english_sentences=english_sentences,
    )

    # And an answer that is missing gives a Welsh error summary and a Welsh "Error:" title
    address = {
        "bin_address-mode": "manual",
        "bin_address-line1": "1 Lane",
        "bin_address-town": "Town",
        "bin_address-postcode": "ZZ99 1AB",
    }
    response = client.post(first, {**address, "bin_address-line1": ""})
    text = assert_welsh_page(response, "Mae problem wedi codi", english_sentences=english_sentences)
    assert title(response).startswith("Gwall: ")
    assert '<span class="govuk-visually-hidden">Gwall:</span>' in response.content.decode()
    assert error_summary_targets(response)
    assert "There is a problem" not in text

    # When the journey is answered in Welsh
    response = client.post(first, address)
    assert response.status_code == 302
    response = client.post(response["Location"], {"bin_type": "general"})
    assert response.status_code == 302
    response = client.post(response["Location"], {"reason": "lost"})
    assert response.status_code == 302
    check = response["Location"]
    assert check.startswith("/cy/")
    assert "check-your-answers" in check

    # Then check-your-answers is in Welsh, with the Welsh questions and answers
    assert_welsh_page(
        client.get(check),
        "Gwiriwch eich atebion cyn anfon eich cais",
        "Pa fin sydd ei angen arnoch?",
        "Mae ar goll",
        "Newid",
        english_sentences=english_sentences,
    )


@pytest.mark.django_db
def test_allauth_sign_in_page_and_its_errors_in_welsh(client, english_sentences):
    # allauth's own template and form, translated by our catalogue (allauth ships no cy)
    response = client.get("/cy/accounts/login/")
    assert_welsh_page(
        response,
        "Mewngofnodi",
        "E-bost",
        "Cyfrinair",
        "Wedi anghofio eich cyfrinair?",
        english_sentences=english_sentences,
    )

    UserFactory(email="ada@example.com")
    response = client.post("/cy/accounts/login/", {"login": "ada@example.com", "password": "x"})
    text = assert_welsh_page(response, english_sentences=english_sentences)
    assert "Nid yw'r cyfeiriad e-bost a/neu'r cyfrinair a roesoch yn gywir." in text
    assert title(response).startswith("Gwall: ")


@pytest.mark.django_db
def test_sign_up_shows_django_password_rules_in_welsh(client, english_sentences):
    # Django's cy catalogue lacks the password validators' texts: ours has them.
    response = client.get("/cy/accounts/signup/")
    assert_welsh_page(
        response,
        "Creu cyfrif",
        "Ni all eich cyfrinair fod yn rhifau yn unig.",
        "Rhaid i'ch cyfrinair gynnwys o leiaf 10 nod.",
        english_sentences=english_sentences,
    )
    response = client.post(
        "/cy/accounts/signup/",
        {"email": "new@example.com", "password1": "1234567", "password2": "1234567"},
    )
    text = assert_welsh_page(response, english_sentences=english_sentences)
    assert "Mae'r cyfrinair hwn yn rhy fyr. Rhaid iddo gynnwys o leiaf 10 nod." in text
    assert "Mae'r cyfrinair hwn yn rhifau yn unig." in text


@pytest.mark.django_db
def test_your_account_in_welsh(client, english_sentences):
    client.force_login(UserFactory())
    response = client.get("/cy/account/")
    assert_welsh_page(
        response,
        "Eich cyfrif",
        "Eich ceisiadau",
        "Ffurflenni nad ydych wedi'u gorffen",
        "Allgofnodi",
        english_sentences=english_sentences,
    )


@pytest.mark.django_db
def test_the_english_pages_stay_english(client):
    response = client.get("/")
    html = response.content.decode()
    assert '<html lang="en' in html
    assert "Report, request or apply" in _text(response)
    assert 'href="/cy/"' in html
    assert 'hreflang="cy"' in html
