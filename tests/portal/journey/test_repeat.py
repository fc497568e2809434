"""A list question ("add another") through the views, JavaScript off: one item at a time, the list
with Change and Remove, limits with clear errors, check your answers, and Welsh."""

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from services.cases import answer_rows
from services.models import Submission
from tests.portal.accounts.factories import UserFactory
from tests.portal.accounts.helpers import activate_totp
from tests.portal.journey.forms import live_service, t
from tests.portal.journey.helpers import (
    answer,
    assert_clear_error,
    draft_from,
    error_summary_targets,
    start,
    text_of,
    title,
)

pytestmark = pytest.mark.django_db

SIZES = [{"value": v, "label": t(v.title())} for v in ("small", "large")]
BULKY = {
    "pages": [
        {
            "id": "items",
            "questions": [
                {
                    "id": "items",
                    "type": "repeat",
                    "label": t("Items to collect"),
                    "item_name": {"en": "item", "cy": "eitem"},
                    "item_name_plural": {"en": "items", "cy": "eitemau"},
                    "questions": [
                        {"id": "description", "type": "short_text", "label": t("Description")},
                        {"id": "size", "type": "radios", "label": t("Size"), "options": SIZES},
                    ],
                    "validation": {"min": 2, "max": 3},
                }
            ],
        },
        {
            "id": "access",
            "show_if": {"question": "items", "op": "any_item", "field": "size", "value": ["large"]},
            "questions": [{"id": "access", "type": "long_text", "label": t("How do we get in?")}],
        },
    ]
}


@pytest.fixture
def first(client, db):
    live_service(BULKY, "bulky")
    return start(client, "bulky")


def add(client, url, description, size="small"):
    """Answer one item's page; returns where it leads (the list)."""
    return answer(client, url, {"description": description, "size": size})


def test_the_first_visit_asks_for_the_first_item_then_lists_it(client, first):
    # Given a new journey, when the resident opens the list page
    response = client.get(first)
    # Then they see the first item's questions, not an empty list
    assert 'name="description"' in response.content.decode()
    assert "Item 1" in text_of(response)
    # When they answer them
    listed = add(client, first + "?item=1", "Sofa", "large")
    # Then the list shows the item with Change and Remove links and asks about another
    page = client.get(listed)
    assert title(page).startswith("You have added 1 item")
    words = text_of(page)
    assert "Description: Sofa" in words
    assert "Size: Large" in words
    assert "Do you need to add another item?" in words
    html = page.content.decode()
    assert "?item=1" in html
    assert "?remove=1" in html


def test_each_item_is_checked_by_the_server_with_errors_next_to_its_fields(client, first):
    response = client.post(first + "?item=1", {"description": "", "size": "enormous"})
    assert_clear_error(response)
    assert error_summary_targets(response) == ["description", "size"]
    assert draft_from(first).answers == {}


def test_too_few_items_are_refused_and_yes_adds_another(client, first):
    listed = add(client, first + "?item=1", "Sofa")
    # Saying no with one item, where two are needed, gives a clear error and changes nothing
    response = client.post(listed, {"items-add-another": "no"})
    assert_clear_error(response)
    assert "You need to add at least 2 items" in text_of(response)
    # Saying nothing asks the question again
    response = client.post(listed, {})
    assert_clear_error(response)
    assert "Select yes if you need to add another item" in text_of(response)
    # Yes leads to the next item's questions
    assert answer(client, listed, {"items-add-another": "yes"}).endswith("?item=2")


def test_the_list_stops_at_its_limit_and_a_forged_item_number_is_not_found(client, first):
    for number, name in enumerate(("Sofa", "Chair", "Table"), start=1):
        add(client, f"{first}?item={number}", name)
    page = client.get(first)
    assert "You cannot add more than 3 items" in text_of(page)
    assert 'name="items-add-another"' not in page.content.decode()
    assert client.get(first + "?item=4").status_code == 404
    assert client.post(first + "?item=4", {"description": "x", "size": "small"}).status_code == 404
    for bad in ("?item=0", "?item=x", "?remove=4", "?item=1&remove=1", "?remove=-1"):
        assert client.get(first + bad).status_code == 404, bad
    assert len(draft_from(first).answers["items"]) == 3


def test_an_item_can_be_changed_and_removed_after_confirming(client, first):
    add(client, first + "?item=1", "Sofa")
    add(client, first + "?item=2", "Chair")
    # Change: the item's answers are shown again, and saving replaces it in place
    shown = client.get(first + "?item=1").content.decode()
    assert 'value="Sofa"' in shown
    add(client, first + "?item=1", "Settee", "large")
    assert draft_from(first).answers["items"][0] == {"description": "Settee", "size": "large"}
    # Remove: asked to confirm, with a clear error when not answered
    assert "Description: Chair" in text_of(client.get(first + "?remove=2"))
    assert_clear_error(client.post(first + "?remove=2", {}))
    answer(client, first + "?remove=2", {"remove": "no"})
    assert len(draft_from(first).answers["items"]) == 2
    answer(client, first + "?remove=2", {"remove": "yes"})
    assert draft_from(first).answers["items"] == [{"description": "Settee", "size": "large"}]


def test_a_complete_list_goes_on_to_the_page_its_items_call_for_and_is_sent(client, first):
    add(client, first + "?item=1", "Sofa", "large")
    add(client, first + "?item=2", "Chair")
    following = answer(client, first, {"items-add-another": "no"})
    assert following.rstrip("/").endswith("/access")  # a large item: how do we get in?
    check = answer(client, following, {"access": "Side gate"})
    # Check your answers shows the list and each item, with Change and Remove for each
    page = client.get(check)
    words = text_of(page)
    assert "Items to collect 2 items" in words
    assert "Item 1 Description: Sofa Size: Large" in words
    html = page.content.decode()
    assert "?item=2&amp;change=1" in html
    assert "?remove=2&amp;change=1" in html
    sent = client.post(check, {"contact_email": "guest@example.org"})
    assert sent.status_code == 302
    submission = Submission.objects.get()
    assert submission.answers["items"] == [
        {"description": "Sofa", "size": "large"},
        {"description": "Chair", "size": "small"},
    ]
    # Staff (the case view's rows) and the resident (their request page) read it line by line
    [row] = [row for row in answer_rows(submission) if row.question == "Items to collect"]
    assert row.answer == "1. Description: Sofa; Size: Large\n2. Description: Chair; Size: Small"
    confirmation = client.get(sent["Location"]).content.decode()
    [track] = re.findall(r'href="([^"]*/track/[^"]+)"', confirmation)
    request_page = Client().get(unescape(track)).content.decode()
    assert "1. Description: Sofa; Size: Large<br>2. Description: Chair; Size: Small" in request_page


def test_a_change_from_check_your_answers_returns_to_it(client, first):
    add(client, first + "?item=1", "Sofa", "small")
    add(client, first + "?item=2", "Chair")
    check = answer(client, first, {"items-add-another": "no"})
    assert check.endswith("/check-your-answers/")
    # Changing item 1 goes back to the list (still in "change" mode), then to check answers
    listed = add(client, first + "?item=1&change=1", "Sofa", "small")
    assert listed.endswith("?change=1")
    assert answer(client, listed, {"items-add-another": "no"}) == check
    # Removing an item from check answers leaves too few: the list says so before going on
    listed = answer(client, first + "?remove=2&change=1", {"remove": "yes"})
    response = client.post(listed, {"items-add-another": "no"})
    assert "You need to add at least 2 items" in text_of(response)
    assert client.get(check).status_code == 200  # one item still counts as answered


def test_removing_the_last_item_asks_for_the_first_again(client, first):
    add(client, first + "?item=1", "Sofa")
    answer(client, first + "?remove=1", {"remove": "yes"})
    assert 'name="description"' in client.get(first).content.decode()


def test_the_list_pages_are_in_welsh(client, first):
    welsh = "/cy" + first
    response = client.post(welsh + "?item=1", {"description": "", "size": "small"})
    assert "Description (cy)" in text_of(response)
    assert "Eitem 1" in text_of(response)
    add(client, welsh + "?item=1", "Soffa")
    words = text_of(client.get(welsh))
    assert "Rydych wedi ychwanegu 1 eitem" in words
    assert "Oes angen i chi ychwanegu eitem arall?" in words
    response = client.post(welsh, {"items-add-another": "no"})
    assert "Mae angen ychwanegu o leiaf 2 eitem" in text_of(response)


def test_the_admin_preview_shows_a_list_question_and_its_condition_in_plain_english(db):
    service = live_service(BULKY, "bulky-preview")
    admin = UserFactory(is_staff=True, is_superuser=True)
    activate_totp(admin)
    client = Client()
    client.force_login(admin)
    version = service.form.live_version
    response = client.get(reverse("admin_formversion_preview", args=[version.pk]))
    words = text_of(response)
    assert "Items to collect" in words
    assert "Description" in words
    assert "Shown only if an item of ‘Items to collect’ has ‘Size’ ‘Large’" in words


def test_an_item_the_server_refuses_on_sending_is_shown_on_the_list_linked_to_its_row(
    client, first
):
    # Given a list whose stored second item no longer passes (as if the data were tampered with)
    add(client, first + "?item=1", "Sofa")
    add(client, first + "?item=2", "Chair")
    draft = draft_from(first)
    draft.answers = {"items": [*draft.answers["items"][:1], {"description": "Chair"}]}
    draft.save()
    # When the list is shown as check your answers sends it back
    response = client.get(first + "?change=1&check=1")
    # Then the error names the item and links to its row
    assert_clear_error(response)
    assert error_summary_targets(response) == ["items-item-2"]
    assert "Item 2: Select an option" in text_of(response)
