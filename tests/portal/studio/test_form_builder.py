"""The form builder's pages, one action at a time: each saves through services/forms/edits.py
and records the change; bad input and refused edits are shown and change nothing.

The seeded "Report a missed bin" form is used: pages address, which-bin (bin_type, radios),
garden-subscription (shown when bin_type is garden), the exit page no-garden-subscription,
collection-date, put-out, the exit page put-out-late and details (long_text).
"""

import re
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from services.models import (
    Connection,
    Destination,
    FormVersion,
    RoutingRule,
    RoutingRuleSet,
    Service,
)

pytestmark = pytest.mark.django_db


def url(name: str, service: Service, *args: Any) -> str:
    return reverse(f"studio:{name}", args=[service.pk, *args])


def saved(draft: FormVersion) -> dict[str, Any]:
    draft.refresh_from_db()
    return draft.schema


def question(schema: dict[str, Any], question_id: str) -> dict[str, Any]:
    return next(
        q for p in schema["pages"] for q in p.get("questions", []) if q["id"] == question_id
    )


def page_ids(schema: dict[str, Any]) -> list[str]:
    return [page["id"] for page in schema["pages"]]


def logged(draft: FormVersion) -> list[str]:
    return [entry.get_change_message() for entry in LogEntry.objects.filter(object_id=draft.pk)]


# --- versions and the draft ---------------------------------------------------------------------


def test_the_versions_page_lists_the_live_version_and_offers_a_draft(service_admin_client, service):
    page = service_admin_client.get(url("form", service)).content.decode()
    assert "Live" in page
    assert "Version 1" in page
    assert "Create a draft" in page


def test_creating_a_draft_copies_the_live_version_and_is_recorded(
    service_admin_client, service, service_admin
):
    response = service_admin_client.post(url("draft_create", service))

    assert response.status_code == 302
    draft = FormVersion.objects.get(form__service=service, status="draft")
    assert draft.schema == service.form.live_version.schema
    assert LogEntry.objects.filter(object_id=draft.pk, user=service_admin).exists()


def test_a_service_without_a_form_gets_a_draft_from_its_first_question(
    service_admin_client, service
):
    new = Service.objects.create(
        slug="new-service", name_en="New service", summary_en="New", topic=service.topic
    )
    # The type first, then the question
    response = service_admin_client.get(url("draft_create", new) + "?type=short_text")
    assert response.status_code == 200
    response = service_admin_client.post(
        url("draft_create", new) + "?type=short_text",
        {"label_en": "What is your name?", "label_cy": "Beth yw eich enw?", "required": "on"},
    )

    assert response.status_code == 302
    draft = FormVersion.objects.get(form__service=new, status="draft")
    assert question(draft.schema, "what_is_your_name")["label"]["cy"] == "Beth yw eich enw?"


def test_the_draft_lists_pages_and_questions_in_order(service_admin_client, service, draft):
    page = service_admin_client.get(url("draft", service)).content.decode()
    labels = [
        "What is the address of the missed collection?",
        "Which bin was not collected?",
        "Do you have a garden waste subscription?",
        "You need a garden waste subscription",
        "Is there anything else we should know?",
    ]
    positions = [page.index(label) for label in labels]
    assert positions == sorted(positions)
    assert "Only when ‘Which bin was not collected?’ is ‘Garden waste (brown bin)’" in page


def test_draft_pages_are_not_found_when_there_is_no_draft(service_admin_client, service):
    assert service_admin_client.get(url("draft", service)).status_code == 404
    assert service_admin_client.get(url("question_edit", service, "bin_type")).status_code == 404


# --- adding and editing questions ---------------------------------------------------------------


def test_adding_a_radios_question_to_a_page_saves_its_options(service_admin_client, service, draft):
    response = service_admin_client.post(
        url("question_add", service) + "?page=details&type=radios",
        {
            "label_en": "How full was the bin?",
            "label_cy": "Pa mor llawn oedd y bin?",
            "required": "on",
            "option_rows": "2",
            "option-0-label_en": "Full",
            "option-0-label_cy": "Llawn",
            "option-1-label_en": "Half full",
            "option-1-value": "half",
        },
    )

    assert response.status_code == 302
    added = question(saved(draft), "how_full_was_the_bin")
    assert added["options"] == [
        {"value": "full", "label": {"en": "Full", "cy": "Llawn"}},
        {"value": "half", "label": {"en": "Half full"}},
    ]
    assert "Question “How full was the bin?” added" in logged(draft)[-1]


def test_adding_a_page_puts_the_question_on_a_new_last_page(service_admin_client, service, draft):
    service_admin_client.post(
        url("question_add", service) + "?type=email",
        {"label_en": "Your email", "required": "on", "prefill": "email"},
    )
    schema = saved(draft)
    assert schema["pages"][-1]["questions"][0] == {
        "id": "your_email",
        "type": "email",
        "label": {"en": "Your email"},
        "prefill": "email",
    }


def test_a_question_without_a_label_is_refused_and_nothing_changes(
    service_admin_client, service, draft
):
    before = saved(draft)
    response = service_admin_client.post(
        url("question_add", service) + "?page=details&type=short_text", {"label_cy": "Enw"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter the question in English" in page
    assert saved(draft) == before


def test_a_choice_question_needs_an_option(service_admin_client, service, draft):
    before = saved(draft)
    response = service_admin_client.post(
        url("question_add", service) + "?page=details&type=checkboxes",
        {"label_en": "Which?", "option_rows": "2"},
    )
    assert "Enter at least one option" in response.content.decode()
    assert saved(draft) == before


def test_adding_and_removing_option_rows_saves_nothing(service_admin_client, service, draft):
    before = saved(draft)
    typed = {
        "label_en": "Which bin was not collected?",
        "option_rows": "4",
        **{f"option-{n}-label_en": f"Bin {n}" for n in range(4)},
    }
    added = service_admin_client.post(
        url("question_edit", service, "bin_type"), {**typed, "add_option": "1"}
    ).content.decode()
    assert 'name="option-4-label_en"' in added
    assert 'value="Bin 3"' in added

    removed = service_admin_client.post(
        url("question_edit", service, "bin_type"), {**typed, "remove_option": "1"}
    ).content.decode()
    assert 'value="Bin 1"' not in removed
    assert 'value="Bin 2"' in removed
    assert 'name="option-3-label_en"' not in removed
    assert saved(draft) == before


def test_editing_a_question_saves_text_rules_and_messages(service_admin_client, service, draft):
    response = service_admin_client.post(
        url("question_edit", service, "details"),
        {
            "label_en": "Anything else?",
            "label_cy": "Unrhyw beth arall?",
            "rule_max_length": "250",
            "rule_min_length": "",
            "message_too_long_en": "Keep it under 250 characters",
            "message_too_long_cy": "Cadwch o dan 250 nod",
        },
    )

    assert response.status_code == 302
    details = question(saved(draft), "details")
    assert details["label"] == {"en": "Anything else?", "cy": "Unrhyw beth arall?"}
    assert details["required"] is False
    assert details["validation"] == {"max_length": 250}
    assert details["messages"] == {
        "too_long": {"en": "Keep it under 250 characters", "cy": "Cadwch o dan 250 nod"}
    }
    assert "hint" not in details
    assert "Question “Is there anything else we should know?” changed" in logged(draft)[-1]


def test_a_refused_edit_is_shown_in_the_error_summary_and_changes_nothing(
    service_admin_client, service, draft
):
    # Given rules the schema refuses: fewer characters allowed than required
    before = saved(draft)
    response = service_admin_client.post(
        url("question_edit", service, "details"),
        {"label_en": "Anything else?", "rule_min_length": "50", "rule_max_length": "10"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "min_length is more than max_length" in page
    assert saved(draft) == before


def test_the_editor_asks_only_what_the_type_understands(service_admin_client, service, draft):
    date_page = service_admin_client.get(url("question_edit", service, "collection_date"))
    html = date_page.content.decode()
    assert 'name="rule_date"' in html
    assert 'name="rule_max_length"' not in html
    assert 'name="option-0-label_en"' not in html
    assert "Welsh missing" not in html
    assert 'name="prefill"' not in html


def test_the_editor_tags_welsh_missing(service_admin_client, service, draft):
    schema = saved(draft)
    question(schema, "details")["label"] = {"en": "Anything else?"}
    FormVersion.objects.filter(pk=draft.pk).update(schema=schema)

    page = service_admin_client.get(url("question_edit", service, "details")).content.decode()
    assert "Welsh missing" in page


def test_changing_type_says_what_was_dropped(service_admin_client, service, draft):
    response = service_admin_client.post(
        url("question_type", service, "details"), {"type": "number"}, follow=True
    )

    assert question(saved(draft), "details")["type"] == "number"
    assert "validation" not in question(saved(draft), "details")
    page = response.content.decode()
    assert "Dropped, as number questions cannot use it" in page
    assert "max_length" in page


def test_a_type_change_that_breaks_branching_is_refused(service_admin_client, service, draft):
    before = saved(draft)
    response = service_admin_client.post(
        url("question_type", service, "bin_type"), {"type": "yes_no"}
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert saved(draft) == before


# --- moving and deleting ------------------------------------------------------------------------


def test_moving_a_question_down_moves_it_to_the_next_page(service_admin_client, service, draft):
    schema = saved(draft)
    response = service_admin_client.post(
        url("question_move", service, "collection_date"), {"direction": "down"}
    )
    assert response.status_code == 302
    schema = saved(draft)
    # Its page, left empty, is removed; the question starts the next page
    assert "collection-date" not in page_ids(schema)
    put_out = next(p for p in schema["pages"] if p["id"] == "put-out")
    assert [q["id"] for q in put_out["questions"]] == ["collection_date", "put_out_by_7am"]


def test_a_move_that_breaks_branching_is_shown_and_changes_nothing(
    service_admin_client, service, draft
):
    before = saved(draft)
    # bin_type decides whether the next page is shown: it cannot join that page
    response = service_admin_client.post(
        url("question_move", service, "bin_type"), {"direction": "down"}
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert saved(draft) == before


def test_moving_a_page_up_and_at_the_top(service_admin_client, service, draft):
    service_admin_client.post(url("page_move", service, "details"), {"direction": "up"})
    assert page_ids(saved(draft))[-2:] == ["details", "put-out-late"]

    before = saved(draft)
    response = service_admin_client.post(url("page_move", service, "address"), {"direction": "up"})
    assert "The page is already at the top of the form." in response.content.decode()
    assert saved(draft) == before


def test_deleting_a_question_asks_first_then_deletes(service_admin_client, service, draft):
    confirm = service_admin_client.get(url("question_delete", service, "details"))
    assert "Yes, delete it" in confirm.content.decode()
    assert "details" in page_ids(saved(draft))

    service_admin_client.post(url("question_delete", service, "details"))
    assert "details" not in page_ids(saved(draft))
    assert "Question “Is there anything else we should know?” deleted" in logged(draft)[-1]


def test_deleting_a_question_a_condition_uses_is_refused(service_admin_client, service, draft):
    before = saved(draft)
    response = service_admin_client.post(url("question_delete", service, "bin_type"))

    page = response.content.decode()
    assert "cannot be deleted while conditions use its answers" in page
    assert saved(draft) == before


def test_deleting_a_page(service_admin_client, service, draft):
    service_admin_client.post(url("page_delete", service, "put-out-late"))
    assert "put-out-late" not in page_ids(saved(draft))


def test_deleting_a_page_asks_first_saying_what_goes_with_it(service_admin_client, service, draft):
    # Given the details page with one question, then with two
    one = service_admin_client.get(url("page_delete", service, "details")).content.decode()
    schema = saved(draft)
    details = next(p for p in schema["pages"] if p["id"] == "details")
    details["questions"].append({**details["questions"][0], "id": "more_details"})
    FormVersion.objects.filter(pk=draft.pk).update(schema=schema)
    two = service_admin_client.get(url("page_delete", service, "details")).content.decode()

    assert "Residents will no longer see it once this draft is published." in one
    assert "Its 2 questions are deleted with it." in two
    assert "Yes, delete it" in two
    assert url("draft", service) + "#page-details" in two
    assert "details" in page_ids(saved(draft))


# --- pages and branching ------------------------------------------------------------------------


def test_a_page_title_in_english_and_welsh(service_admin_client, service, draft):
    service_admin_client.post(
        url("page_edit", service, "details"), {"title_en": "More", "title_cy": "Mwy"}
    )
    details = next(p for p in saved(draft)["pages"] if p["id"] == "details")
    assert details["title"] == {"en": "More", "cy": "Mwy"}


def test_branching_offers_earlier_questions_then_their_answers(
    service_admin_client, service, draft
):
    choose = service_admin_client.get(
        url("page_branching", service, "collection-date") + "?change=1"
    )
    html = choose.content.decode()
    assert "Which bin was not collected?" in html
    assert "Is there anything else we should know?" not in html  # a later question

    answers = service_admin_client.get(
        url("page_branching", service, "collection-date") + "?question=bin_type"
    ).content.decode()
    assert "Recycling (blue bin)" in answers

    service_admin_client.post(
        url("page_branching", service, "collection-date") + "?question=bin_type",
        {"answers": ["general", "recycling"]},
    )
    page = next(p for p in saved(draft)["pages"] if p["id"] == "collection-date")
    assert page["show_if"] == {
        "question": "bin_type",
        "op": "one_of",
        "value": ["general", "recycling"],
    }


def test_branching_refuses_an_answer_the_question_cannot_give(service_admin_client, service, draft):
    before = saved(draft)
    response = service_admin_client.post(
        url("page_branching", service, "collection-date") + "?question=bin_type",
        {"answers": ["skip"]},
    )
    assert "Select answers from the list" in response.content.decode()
    assert saved(draft) == before


def test_branching_can_show_a_page_unless_an_answer_is_given_and_is_changed_in_place(
    service_admin_client, service, draft
):
    branching = url("page_branching", service, "collection-date") + "?question=bin_type"
    # When "is not" general waste is chosen
    service_admin_client.post(branching, {"match": "is_not", "answers": ["general"]})
    page = next(p for p in saved(draft)["pages"] if p["id"] == "collection-date")
    assert page["show_if"] == {"question": "bin_type", "op": "not", "value": "general"}
    # Then the draft says so, and changing it starts from it
    listed = service_admin_client.get(url("draft", service)).content.decode()
    assert "is not ‘General waste (black bin)’" in listed.replace("&lsquo;", "‘").replace(
        "&rsquo;", "’"
    )
    again = service_admin_client.get(url("page_branching", service, "collection-date"))
    html = again.content.decode()
    assert re.search(r'value="is_not" checked', html)
    assert re.search(r'value="general" checked', html)


def test_branching_on_any_answer_needs_no_answers_ticked(service_admin_client, service, draft):
    branching = url("page_branching", service, "collection-date") + "?question=bin_type"
    service_admin_client.post(branching, {"match": "answered"})
    page = next(p for p in saved(draft)["pages"] if p["id"] == "collection-date")
    assert page["show_if"] == {"question": "bin_type", "op": "answered"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"match": "is_not", "answers": ["general", "garden"]}, "Select one answer"),
        ({"match": "is"}, "Select at least one answer"),
        ({"match": "bigger", "answers": ["general"]}, "Choose how the answer is compared"),
    ],
)
def test_branching_comparisons_that_make_no_sense_are_refused(
    service_admin_client, service, draft, data, message
):
    before = saved(draft)
    response = service_admin_client.post(
        url("page_branching", service, "collection-date") + "?question=bin_type", data
    )
    assert message in response.content.decode()
    assert saved(draft) == before


def test_branching_can_be_removed(service_admin_client, service, draft):
    service_admin_client.get(
        url("page_branching", service, "garden-subscription") + "?question=always"
    )
    page = next(p for p in saved(draft)["pages"] if p["id"] == "garden-subscription")
    assert "show_if" not in page


def test_adding_an_exit_page_after_the_question_it_uses(service_admin_client, service, draft):
    response = service_admin_client.post(
        url("exit_page_add", service) + "?question=bin_type",
        {
            "answers": ["food"],
            "title_en": "Report food waste another way",
            "title_cy": "Rhowch wybod am wastraff bwyd mewn ffordd arall",
            "body_en": "Call us.",
            "body_cy": "Ffoniwch ni.",
        },
    )
    assert response.status_code == 302
    schema = saved(draft)
    assert page_ids(schema)[2] == "report-food-waste-another-way"
    assert schema["pages"][2]["show_if"] == {
        "question": "bin_type",
        "op": "equals",
        "value": "food",
    }


def test_an_exit_page_without_a_title_is_refused(service_admin_client, service, draft):
    before = saved(draft)
    response = service_admin_client.post(
        url("exit_page_add", service) + "?question=bin_type", {"answers": ["food"]}
    )
    page = response.content.decode()
    assert "Enter the exit page’s title in English" in page
    assert saved(draft) == before


# --- preview and publish ------------------------------------------------------------------------


def test_previewing_one_page_of_the_draft(service_admin_client, service, draft):
    response = service_admin_client.get(url("preview", service, draft.number) + "?page=which-bin")
    html = response.content.decode()
    assert "Which bin was not collected?" in html
    assert "When should it have been collected?" not in html
    assert "Back to the form builder" in html
    welsh = service_admin_client.get(
        url("preview", service, draft.number) + "?page=which-bin&lang=cy"
    ).content.decode()
    assert "Pa fin na chafodd ei gasglu?" in welsh


def test_publishing_shows_the_changes_then_publishes(service_admin_client, service, draft):
    schema = saved(draft)
    question(schema, "details")["label"] = {"en": "Anything else?", "cy": "Unrhyw beth arall?"}
    FormVersion.objects.filter(pk=draft.pk).update(schema=schema)

    review = service_admin_client.get(url("publish", service)).content.decode()
    assert "Changed: Anything else?" in review

    response = service_admin_client.post(url("publish", service))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == FormVersion.Status.LIVE


def test_a_refused_publish_lists_every_reason(service_admin_client, service, draft):
    schema = saved(draft)
    question(schema, "details")["label"] = {"en": "Anything else?"}
    question(schema, "bin_type")["hint"] = {"en": "The colour of its lid"}
    FormVersion.objects.filter(pk=draft.pk).update(schema=schema)

    response = service_admin_client.post(url("publish", service))

    page = response.content.decode()
    assert "The draft cannot be published yet" in page
    assert "Welsh missing on question “Anything else?”" in page
    assert "Welsh missing on question “Which bin was not collected?”" in page
    draft.refresh_from_db()
    assert draft.status == FormVersion.Status.DRAFT


def refused_links(html: str) -> dict[str, str]:
    """The error summary's reasons, each with where its link goes."""
    summary = html.split('govuk-error-summary__list">')[1].split("</ul>")[0]
    return {
        message: href
        for href, message in re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', summary)
    }


def test_a_refused_publish_links_each_reason_to_the_question_or_page_to_fix(
    service_admin_client, service, draft
):
    # Given a draft that lacks a Welsh hint, and (edited by hand) has lost the question the
    # exit page branches on
    schema = saved(draft)
    question(schema, "bin_type")["hint"] = {"en": "The colour of its lid"}
    schema["pages"] = [p for p in schema["pages"] if p["id"] != "garden-subscription"]
    FormVersion.objects.filter(pk=draft.pk).update(schema=schema)

    # When it is published
    html = service_admin_client.post(url("publish", service)).content.decode()

    # Then the Welsh links to the question's editor, the branching to its page on the draft
    links = refused_links(html.replace("&#x27;", "'").replace("&quot;", '"'))
    welsh = next(m for m in links if m.startswith("Welsh missing on question"))
    assert links[welsh] == url("question_edit", service, "bin_type")
    branching = next(m for m in links if m.startswith("The branching on exit page"))
    assert links[branching] == url("draft", service) + "#page-no-garden-subscription"
    # ...where the reason is shown beside that page
    draft_page = service_admin_client.get(url("draft", service)).content.decode()
    card = draft_page.split('id="page-no-garden-subscription"')[1].split('govuk-summary-card"')[0]
    assert "uses the answer to “Do you have a garden waste subscription?”" in card.replace(
        "&ldquo;", "“"
    )
    draft.refresh_from_db()
    assert draft.status == FormVersion.Status.DRAFT


def test_a_refused_publish_links_routing_it_would_break_to_the_rule_and_destination(
    service_admin_client, service, draft
):
    # Given a rule and a mapping reading "details", and a draft without that question
    rule_set = RoutingRuleSet.objects.create(form=service.form)
    rule = RoutingRule.objects.create(
        rule_set=rule_set, name="Detailed", condition={"question": "details", "op": "answered"}
    )
    connection = Connection.objects.create(
        name="Waste", slug="waste", adapter="webhook", owner_email="it@example.gov.uk"
    )
    destination = Destination.objects.create(
        rule_set=rule_set,
        rule=rule,
        name="Waste team",
        connection=connection,
        mapping={"notes": {"answer": "details"}},
    )
    schema = saved(draft)
    schema["pages"] = [p for p in schema["pages"] if p["id"] != "details"]
    FormVersion.objects.filter(pk=draft.pk).update(schema=schema)

    # When it is published
    html = service_admin_client.post(url("publish", service)).content.decode()

    # Then each reason links to its rule or destination on the routing page
    hrefs = set(refused_links(html).values())
    routing = url("routing", service)
    assert hrefs == {f"{routing}#rule-{rule.pk}", f"{routing}#destination-{destination.pk}"}
    # ...where each is shown beside its rule and its destination
    page = service_admin_client.get(routing).content.decode()
    rule_card = page.split(f'id="rule-{rule.pk}"')[1]
    assert "Routing would break" in rule_card.split("studio-rule-summary")[0]
    after_destination = page.split(f'id="destination-{destination.pk}"')[1]
    assert "would break" in after_destination.split("</ul>")[0]
