"""How we contact you: the page, what it saves, what it refuses, and the language switcher."""

import re
from html import unescape

import pytest

from services.models import NotificationPreference
from tests.portal.accounts.factories import UserFactory
from tests.portal.accounts.helpers import error_summary_targets, title
from tests.portal.test_welsh import assert_welsh_page, english_sentences  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/account/notifications/"
MOBILE = "+447912345678"
VALID = {
    "status_update": "sms",
    "information_request": "both",
    "reminder": "none",
    "language": "cy",
}


@pytest.fixture
def me(db):
    return UserFactory(phone=MOBILE)


@pytest.fixture
def my_client(client, me):
    client.force_login(me)
    return client


def text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def checked(response, name: str) -> list[str]:
    html = response.content.decode()
    return re.findall(rf'name="{name}" type="radio" value="([a-z_]+)" checked', html)


def options(response, name: str) -> list[str]:
    return re.findall(rf'name="{name}" type="radio" value="([a-z_]+)"', response.content.decode())


def saved(user) -> dict[str, str]:
    return dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel"))


def test_the_account_home_links_to_the_page(my_client):
    response = my_client.get("/account/")
    assert f'href="{URL}"' in response.content.decode()
    assert "Change how we contact you" in text(response)


def test_the_page_shows_email_and_the_page_language_until_i_choose(my_client):
    response = my_client.get(URL)

    assert response.status_code == 200
    assert title(response).startswith("How we contact you")
    for kind in ("status_update", "information_request", "reminder"):
        assert checked(response, kind) == ["email"]
    assert checked(response, "language") == ["en"]
    # With a mobile number, texts are offered; "none" is not offered for information requests.
    assert options(response, "status_update") == ["email", "sms", "both", "none"]
    assert options(response, "information_request") == ["email", "sms", "both"]


def test_without_a_mobile_number_texts_are_not_offered_and_the_page_says_how_to_get_them(client):
    client.force_login(UserFactory(phone="+441214960000"))  # a landline

    response = client.get(URL)

    assert options(response, "status_update") == ["email", "none"]
    assert options(response, "information_request") == ["email"]
    assert "To get text messages, add a UK mobile number to your details" in text(response)


def test_saving_keeps_every_choice_and_the_language_and_goes_home_in_it(my_client, me):
    # When I choose texts, Welsh, and no reminders
    response = my_client.post(URL, VALID, follow=True)

    # Then they are kept, and I am back at my account, in Welsh, told so in Welsh
    assert saved(me) == {"status_update": "sms", "information_request": "both", "reminder": "none"}
    me.refresh_from_db()
    assert me.language == "cy"
    assert response.redirect_chain == [("/cy/account/", 302)]
    assert "Mae eich dewisiadau wedi cael eu cadw" in text(response)

    # And the page shows them chosen next time
    again = my_client.get(URL)
    assert checked(again, "status_update") == ["sms"]
    assert checked(again, "reminder") == ["none"]
    assert checked(again, "language") == ["cy"]


def test_saving_again_changes_the_choices_not_adds_to_them(my_client, me):
    my_client.post(URL, VALID)
    my_client.post(URL, {**VALID, "status_update": "email", "language": "en"})

    assert saved(me)["status_update"] == "email"
    assert NotificationPreference.objects.filter(user=me).count() == 3


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"status_update": ""},
            "status_update",
            "Select how we should tell you when the status of your request changes",
        ),
        (
            {"information_request": "none"},
            "information_request",
            "Select how we should tell you when we need more information",
        ),
        ({"reminder": "pigeon"}, "reminder", "Select how we should send you reminders"),
        ({"language": "fr"}, "language", "Select the language we should write to you in"),
        ({"language": ["en", "cy\x00"]}, "language", "Select the language we should write to"),
    ],
    ids=["nothing-chosen", "none-where-not-allowed", "unknown-choice", "unknown-language", "nul"],
)
def test_bad_input_gets_an_error_and_changes_nothing(my_client, me, change, field, message):
    response = my_client.post(URL, {**VALID, **change})

    assert response.status_code == 200
    assert error_summary_targets(response) == [f"id_{field}_0"]
    assert message in text(response)
    me.refresh_from_db()
    assert (me.language, saved(me)) == ("", {})


def test_sms_cannot_be_chosen_without_a_mobile_number(client):
    # Given a resident whose number is a landline (a post made before they changed it, or forged)
    resident = UserFactory(phone="+441214960000")
    client.force_login(resident)

    response = client.post(URL, {**VALID, "status_update": "sms", "information_request": "email"})

    assert error_summary_targets(response) == ["id_status_update_0"]
    assert saved(resident) == {}


def test_a_saved_text_choice_shows_as_email_once_the_mobile_number_has_gone(my_client, me):
    my_client.post(URL, VALID)
    me.phone = ""
    me.save()

    response = my_client.get(URL)

    assert checked(response, "status_update") == ["email"]
    assert checked(response, "information_request") == ["email"]


def test_the_page_needs_signing_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_page_in_welsh(my_client, english_sentences):  # noqa: F811
    response = my_client.get("/cy" + URL)
    assert_welsh_page(
        response,
        "Sut rydym yn cysylltu â chi",
        "Pan fydd statws eich cais yn newid",
        "Ym mha iaith y dylem ysgrifennu atoch?",
        "Cadw eich dewisiadau",
        english_sentences=english_sentences,
    )
    assert checked(response, "language") == ["cy"]  # the page's language, until I choose


def test_the_welsh_page_shows_its_errors_in_welsh(my_client, me):
    response = my_client.post("/cy" + URL, {**VALID, "reminder": ""})

    assert "Dewiswch sut y dylem anfon nodiadau atgoffa atoch" in text(response)
    assert saved(me) == {}


# --- The language switcher --------------------------------------------------------------------


def test_switching_a_page_to_welsh_signed_in_makes_welsh_my_language(my_client, me):
    # When I follow the switcher from my account page in English to the same page in Welsh
    my_client.get("/cy/account/", HTTP_REFERER="http://testserver/account/")

    # Then Welsh is my language for everything sent to me
    me.refresh_from_db()
    assert me.language == "cy"

    # And switching back to English makes English my language
    my_client.get("/account/profile/", HTTP_REFERER="http://testserver/cy/account/profile/")
    me.refresh_from_db()
    assert me.language == "en"


@pytest.mark.parametrize(
    "referer",
    [
        "",  # typed in, or a bookmark
        "https://elsewhere.example/account/",  # a link on another site
        "http://testserver/cy/services/",  # another page of ours (the switcher keeps the page)
        "http://testserver/cy/account/",  # the same language: no switch
    ],
    ids=["no-referer", "another-site", "another-page", "same-language"],
)
def test_only_the_switcher_changes_my_language(my_client, me, referer):
    extra = {"HTTP_REFERER": referer} if referer else {}
    my_client.get("/cy/account/", **extra)
    me.refresh_from_db()
    assert me.language == ""


def test_a_guest_switching_language_stores_nothing(client, db):
    response = client.get("/cy/", HTTP_REFERER="http://testserver/")
    assert response.status_code == 200
