"""The sign-in pages speak GOV.UK English: sentence case, plain words, one banner at a time.

allauth's own English ("Sign Up", "Remember Me", "Two-Factor Authentication") is replaced in
locale/en; these tests read every allauth page the project exposes, as a resident meets them.
"""

import re
from html import unescape

import pytest
from django.urls import reverse

from tests.portal.accounts.helpers import code_from, sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-new-password-for-tests"

SIGNED_OUT_PAGES = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_request_login_code",
]
SIGNED_IN_PAGES = [
    "account_email",
    "account_change_password",
    "account_logout",
    "account_reauthenticate",
    "mfa_index",
    "mfa_activate_totp",
    "mfa_generate_recovery_codes",
    "mfa_add_webauthn",
    "usersessions_list",
]
# Words that may keep their capital after the first: names and the abbreviations allauth uses.
PROPER = {"My", "Council", "English", "Cymraeg", "IP", "QR", "PIN"}
LIBRARY_WORDING = re.compile(
    r"Sign Up|Sign In|Sign Out|Remember Me|Two-Factor|two-factor|logged in|Reset My|Forgot your"
)
# Text people read as a label: headings, labels, legends, buttons, table headings, the title.
_LABELS = re.compile(
    r"<(h1|h2|h3|label|legend|button|th|summary|title)\b[^>]*>(.*?)</\1>", re.S | re.I
)


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def not_sentence_case(html: str) -> list[str]:
    """Labels on the page with a capitalised word after the first (other than a name)."""
    found = []
    for _tag, inner in _LABELS.findall(html):
        label = _text(inner).split(" – ")[0]  # a title ends with the council's name
        words = [w.strip("?.,:()'‘’") for w in label.split()[1:]]
        if any(w[:1].isupper() and w not in PROPER and "@" not in w for w in words):
            found.append(label)
    return found


def main_text(html: str) -> str:
    match = re.search(r"<main.*?</main>", html, re.S)
    assert match, "the page has no <main>"
    return _text(match.group(0))


def assert_govuk_wording(response, name: str) -> None:
    assert response.status_code == 200, f"{name}: {response.status_code}"
    html = response.content.decode()
    assert not_sentence_case(html) == [], name
    assert not LIBRARY_WORDING.search(main_text(html)), f"{name}: {main_text(html)}"


@pytest.mark.parametrize("name", SIGNED_OUT_PAGES)
def test_signed_out_account_pages_use_sentence_case_and_plain_words(client, name):
    # Given a visitor who is not signed in
    # When they open a page of signing in or up
    response = client.get(reverse(name))

    # Then it reads in GOV.UK style, not the library's title case
    assert_govuk_wording(response, name)


@pytest.mark.parametrize("name", SIGNED_IN_PAGES)
def test_signed_in_account_and_2_step_verification_pages_use_sentence_case(
    client, resident, password, name
):
    # Given a signed-in resident who has just confirmed their password (as the 2-step pages ask)
    sign_in(client, resident.email, password)
    assert client.post(reverse("account_reauthenticate"), {"password": password}).status_code == 302

    # When they open an account or 2-step verification page
    response = client.get(reverse(name))

    # Then it reads in GOV.UK style
    assert_govuk_wording(response, name)


def test_sign_in_and_2_step_pages_say_create_an_account_remember_me_and_2_step_verification(
    client, resident, password
):
    # Given the sign-in page and, once signed in, the 2-step verification page
    login = main_text(client.get(reverse("account_login")).content.decode())
    sign_in(client, resident.email, password)
    mfa = client.get(reverse("mfa_index")).content.decode()

    # Then they use the GOV.UK words
    assert "Remember me" in login
    assert "create an account" in login
    assert "2-step verification" in main_text(mfa)


def sign_up(client, email: str):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )


def test_confirm_email_page_names_the_address_the_code_was_sent_to(client, mailoutbox):
    # Given someone who has just signed up
    response = sign_up(client, "new.resident@example.org")

    # When they reach the page asking for the code
    page = main_text(client.get(response["Location"]).content.decode())

    # Then it says where the code went
    assert "We have sent a code to new.resident@example.org" in page


def test_confirming_an_email_address_shows_one_success_banner(client, mailoutbox):
    # Given someone who has signed up and was e-mailed a code
    sign_up(client, "new.resident@example.org")

    # When they enter the code (which confirms the address and signs them in)
    response = client.post(
        reverse("account_email_verification_sent"),
        {"code": code_from(mailoutbox[0])},
        follow=True,
    )

    # Then the page they land on shows a single success banner
    html = response.content.decode()
    assert html.count("govuk-notification-banner--success") == 1
    assert "You have confirmed new.resident@example.org." in main_text(html)
