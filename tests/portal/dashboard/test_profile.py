import pytest

from tests.portal.accounts.factories import UserFactory
from tests.portal.accounts.helpers import error_summary_targets, title
from tests.portal.catalogue.helpers import texts

# The address is the journey's address question, typed in ("Enter the address manually").
VALID = {
    "full_name": "Ann Example",
    "phone": "07912 345678",
    "address-mode": "manual",
    "address-line1": "1 High Street",
    "address-line2": "",
    "address-town": "Exampleton",
    "address-postcode": "zz99 1aa",
    "action": "save",
}


@pytest.fixture
def me(db):
    return UserFactory(
        full_name="Ann Old",
        phone="+441214960000",
        address={
            "uprn": "999900001017",
            "line1": "6 Mill Lane",
            "line2": "",
            "town": "Middlehampton",
            "postcode": "ZZ99 1AB",
        },
    )


@pytest.fixture
def my_client(client, me):
    client.force_login(me)
    return client


def input_value(response, name: str) -> str:
    html = response.content.decode()
    marker = f'name="{name}"'
    tag = html[html.rindex("<input", 0, html.index(marker)) : html.index(">", html.index(marker))]
    return tag.split('value="', 1)[1].split('"', 1)[0] if 'value="' in tag else ""


def test_the_profile_shows_my_details_as_i_would_write_them(my_client):
    response = my_client.get("/account/profile/")

    assert response.status_code == 200
    assert input_value(response, "full_name") == "Ann Old"
    assert input_value(response, "phone") == "0121 496 0000"
    # The address found by postcode is shown chosen among the others at that postcode.
    assert input_value(response, "address-lookup") == "ZZ99 1AB"
    assert 'value="999900001017" checked' in response.content.decode()


def test_saving_valid_details_normalises_the_phone_number_and_postcode(my_client, me):
    # When I save new details
    response = my_client.post("/account/profile/", VALID, follow=True)

    # Then they are stored as every form expects them, and I am told
    me.refresh_from_db()
    assert me.full_name == "Ann Example"
    assert me.phone == "+447912345678"
    assert me.address == {
        "uprn": None,
        "line1": "1 High Street",
        "line2": "",
        "town": "Exampleton",
        "postcode": "ZZ99 1AA",
    }
    assert response.redirect_chain == [("/account/", 302)]
    assert "Your details have been saved" in texts(response, "p")


def test_an_unchanged_address_keeps_its_uprn(my_client, me):
    # Given an address chosen from the look-up
    # When I change only my name, leaving the address chosen
    my_client.post(
        "/account/profile/",
        {
            "full_name": "Ann Example",
            "phone": "",
            "address-mode": "choose",
            "address-lookup": "ZZ99 1AB",
            "address-uprn": "999900001017",
            "action": "save",
        },
    )

    # Then the address keeps its UPRN
    me.refresh_from_db()
    assert me.full_name == "Ann Example"
    assert me.address["uprn"] == "999900001017"


def test_clearing_phone_and_address_removes_them(my_client, me):
    # An empty postcode search, with nothing chosen or typed, is no address.
    my_client.post(
        "/account/profile/",
        {"full_name": "Ann Example", "phone": "", "address-mode": "lookup", "action": "save"},
    )

    me.refresh_from_db()
    assert (me.phone, me.address) == ("", {})


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"full_name": ""}, "id_full_name", "Enter your full name"),
        ({"full_name": "x" * 201}, "id_full_name", "Full name must be 200 characters or less"),
        (
            {"phone": "12345"},
            "id_phone",
            "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192",
        ),
        ({"address-town": ""}, "address-town", "Enter town or city"),
        ({"address-postcode": "not a postcode"}, "address-postcode", "Enter a real postcode"),
        (
            {"address-line1": "", "address-town": "", "address-postcode": "ZZ99 1AA"},
            "address-line1",
            "Enter address line 1, typically the building and street",
        ),
    ],
)
def test_invalid_details_are_explained_and_nothing_is_saved(my_client, me, change, field, message):
    # When I send details with one mistake
    response = my_client.post("/account/profile/", {**VALID, **change})

    # Then the GOV.UK error pattern explains it, my answers are kept, and nothing changed
    assert response.status_code == 200
    assert title(response).startswith("Error: Your details")
    assert error_summary_targets(response) == [field]
    assert message in response.content.decode()
    assert input_value(response, "full_name") == (change.get("full_name", VALID["full_name"]))
    me.refresh_from_db()
    assert me.full_name == "Ann Old"
    assert me.phone == "+441214960000"


@pytest.mark.parametrize(
    "tampered",
    [
        {"full_name": ["Ann", "Bob"]},
        {"full_name": "Ann\x00Example"},
        {"full_name": "Ann\tExample"},
        {"phone": "0" * 50_000},
        {"phone": "07912\x00345678"},
        {"address-line1": "<script>alert(1)</script>" * 20},
        {"address-postcode": "ŹŹ99 1AA"},
        {"address-mode": "choose", "address-lookup": "ZZ99 1AB", "address-uprn": "1' OR 1=1"},
        {"address-mode": "nonsense", "address-lookup": ["a", "b"]},
        {"action": "find:address", "address-lookup": "\x00" * 30},
        {"csrfmiddlewaretoken": "x", "unexpected": "field"},
    ],
)
def test_tampered_or_odd_input_never_fails_and_never_saves_bad_data(my_client, me, tampered):
    response = my_client.post("/account/profile/", {**VALID, **tampered})

    assert response.status_code in (200, 302)
    me.refresh_from_db()
    assert "\x00" not in me.full_name
    assert "\t" not in me.full_name
    assert me.phone in ("+441214960000", "+447912345678")
    assert "<script>" not in response.content.decode()


def test_the_profile_needs_me_to_be_signed_in(client, db):
    response = client.post("/account/profile/", VALID)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_finding_my_address_by_postcode_without_javascript_saves_it_with_its_uprn(my_client, me):
    # Given my details page, with a postcode typed in the look-up
    details = {"full_name": "Ann Example", "phone": "07912 345678"}

    # When I press "Find address" (a plain form post: no JavaScript)
    found = my_client.post(
        "/account/profile/",
        {
            **details,
            "address-mode": "lookup",
            "address-lookup": "zz99 1ab",
            "action": "find:address",
        },
    )

    # Then the addresses at that postcode are offered, what I typed is kept, and nothing is saved
    assert found.status_code == 200
    assert "6 Mill Lane, Middlehampton, ZZ99 1AB" in found.content.decode()
    assert input_value(found, "full_name") == "Ann Example"
    me.refresh_from_db()
    assert me.full_name == "Ann Old"

    # When I choose one and save
    saved = my_client.post(
        "/account/profile/",
        {
            **details,
            "address-mode": "choose",
            "address-lookup": "ZZ99 1AB",
            "address-uprn": "999900001010",
            "action": "save",
        },
    )

    # Then the gazetteer's address is stored with its UPRN
    assert saved.status_code == 302
    me.refresh_from_db()
    assert me.address == {
        "uprn": "999900001010",
        "line1": "2 Mill Lane",
        "line2": "",
        "town": "Middlehampton",
        "postcode": "ZZ99 1AB",
    }


def test_the_profile_offers_typing_the_address_in_when_the_postcode_is_not_found(my_client):
    response = my_client.post(
        "/account/profile/",
        {
            "full_name": "Ann",
            "address-mode": "lookup",
            "address-lookup": "ZZ99 9ZZ",
            "action": "save",
        },
    )

    # Continue after typing a postcode is a search: one that finds nothing says what to do
    assert response.status_code == 200
    assert error_summary_targets(response) == ["address-lookup"]
    assert "enter the address manually" in response.content.decode()


def test_a_typed_address_the_gazetteer_knows_is_saved_with_its_uprn(my_client, me):
    # When I type in an address that the look-up would have found
    my_client.post(
        "/account/profile/",
        {
            **VALID,
            "address-line1": "12a mill lane",
            "address-town": "Middlehampton",
            "address-postcode": "ZZ991AB",
        },
    )

    # Then it is stored as I typed it, with the UPRN of the one address it matches
    me.refresh_from_db()
    assert me.address["uprn"] == "999900001046"
    assert me.address["line1"] == "12a mill lane"
