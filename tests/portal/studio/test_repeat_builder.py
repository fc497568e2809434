"""The form builder with a list question ("add another"): added on a page of its own with its
first question about each item, item names and limits in English and Welsh, then its questions
about each item added, edited, moved and deleted; bad input is shown and changes nothing; the
list travels through forms as files unchanged."""

from typing import Any

import pytest

from services.form_files import as_json, export_document, import_document
from services.models import FormVersion
from tests.portal.studio.test_form_builder import question, saved, url

pytestmark = pytest.mark.django_db


NEW_LIST = {
    "label_en": "What do you need collected?",
    "label_cy": "Beth sydd angen i ni ei gasglu?",
    "required": "on",
    "first_item_question_en": "Describe the item",
    "first_item_question_cy": "Disgrifiwch yr eitem",
    "item_name_en": "item",
    "item_name_cy": "eitem",
    "item_name_plural_en": "items",
    "rule_min": "1",
    "rule_max": "5",
}
SIZES = {
    "label_en": "How big is it?",
    "label_cy": "Pa mor fawr yw hi?",
    "required": "on",
    "option_rows": "2",
    "option-0-label_en": "Small",
    "option-0-label_cy": "Bach",
    "option-1-label_en": "Large",
    "option-1-label_cy": "Mawr",
}


def add_list(client: Any, service: Any) -> None:
    response = client.post(url("question_add", service) + "?type=repeat", NEW_LIST)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_a_list_is_added_on_a_new_page_with_its_first_question_about_each_item(
    service_admin_client, service, draft
):
    add_list(service_admin_client, service)

    listed = question(saved(draft), "what_do_you_need_collected")
    assert listed["type"] == "repeat"
    assert listed["questions"] == [
        {
            "id": "description",
            "type": "short_text",
            "label": {"en": "Describe the item", "cy": "Disgrifiwch yr eitem"},
        }
    ]
    assert listed["item_name"] == {"en": "item", "cy": "eitem"}
    assert listed["validation"] == {"min": 1, "max": 5}
    # The draft lists what is asked about each item, and that Welsh is missing (the plural)
    page = service_admin_client.get(url("draft", service)).content.decode()
    assert "Asked about each item" in page
    assert "Describe the item" in page
    assert "Welsh missing" in page
    # A list is always answered (its fewest items say how many): no "must answer it" box
    editor = service_admin_client.get(url("question_edit", service, "what_do_you_need_collected"))
    assert "Residents must answer it" not in editor.content.decode()
    assert "Fewest items" in editor.content.decode()


def test_a_list_without_its_first_question_or_with_insane_limits_is_refused(
    service_admin_client, service, draft
):
    before = saved(draft)
    response = service_admin_client.post(
        url("question_add", service) + "?type=repeat",
        {**NEW_LIST, "first_item_question_en": ""},
    )
    assert "Enter the first question about each item in English" in response.content.decode()
    response = service_admin_client.post(
        url("question_add", service) + "?type=repeat", {**NEW_LIST, "rule_min": "6"}
    )
    assert response.status_code == 200
    assert "min is more items than max" in response.content.decode()
    assert saved(draft) == before


def test_questions_about_each_item_are_added_edited_moved_and_deleted(
    service_admin_client, service, draft
):
    add_list(service_admin_client, service)
    list_id = "what_do_you_need_collected"
    # Only the simple types are offered
    chooser = service_admin_client.get(url("item_question_add", service, list_id)).content.decode()
    assert 'value="radios"' in chooser
    assert 'value="file"' not in chooser
    # A radios question with its options, in English and Welsh
    response = service_admin_client.post(
        url("item_question_add", service, list_id) + "?type=radios", SIZES
    )
    assert response.status_code == 302
    items = question(saved(draft), list_id)["questions"]
    assert [item["id"] for item in items] == ["description", "how_big_is_it"]
    assert items[1]["options"][1] == {"value": "large", "label": {"en": "Large", "cy": "Mawr"}}
    # Edited: no custom messages nor prefill are offered for a question about each item
    edit = url("item_question_edit", service, list_id, "description")
    assert "Error messages" not in service_admin_client.get(edit).content.decode()
    service_admin_client.post(
        edit, {"label_en": "What is it?", "label_cy": "Beth yw e?", "required": "on"}
    )
    assert question(saved(draft), list_id)["questions"][0]["label"]["en"] == "What is it?"
    # Moved down, then the last one cannot be deleted
    service_admin_client.post(
        url("item_question_move", service, list_id, "description"), {"direction": "down"}
    )
    assert [i["id"] for i in question(saved(draft), list_id)["questions"]] == [
        "how_big_is_it",
        "description",
    ]
    service_admin_client.post(url("item_question_delete", service, list_id, "how_big_is_it"))
    lonely = url("item_question_delete", service, list_id, "description")
    response = service_admin_client.post(lonely)
    assert "asks at least one question about each item" in response.content.decode()
    assert [i["id"] for i in question(saved(draft), list_id)["questions"]] == ["description"]


def test_bad_input_on_a_question_about_each_item_is_shown_and_changes_nothing(
    service_admin_client, service, draft
):
    add_list(service_admin_client, service)
    list_id = "what_do_you_need_collected"
    before = saved(draft)
    response = service_admin_client.post(
        url("item_question_add", service, list_id) + "?type=radios",
        {"label_en": "Size", "option_rows": "2"},
    )
    assert "Enter at least one option" in response.content.decode()
    assert (
        service_admin_client.get(url("item_question_add", service, "bin_type")).status_code == 404
    )
    missing = url("item_question_edit", service, list_id, "no_such_question")
    assert service_admin_client.get(missing).status_code == 404
    bad_move = url("item_question_move", service, list_id, "description")
    assert service_admin_client.post(bad_move, {"direction": "sideways"}).status_code == 200
    assert saved(draft) == before


def test_a_list_travels_through_forms_as_files_unchanged(service_admin_client, service, draft):
    add_list(service_admin_client, service)
    service_admin_client.post(
        url("item_question_add", service, "what_do_you_need_collected") + "?type=radios", SIZES
    )
    schema = saved(draft)
    document, _notes = export_document([service.slug], all_versions=True)
    FormVersion.objects.filter(pk=draft.pk).update(schema={"pages": []})
    import_document(as_json(document))
    assert saved(draft) == schema
