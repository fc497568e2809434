"""The studio's Services section: the list with each service's state, and a service's start page
created and edited in English and Welsh, every change recorded, bad input changing nothing."""

from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.urls import reverse

from services.models import Service, Topic
from tests.services.delivery.conftest import make_connection, make_routed_version

pytestmark = pytest.mark.django_db


def new_service(**fields: Any) -> dict[str, Any]:
    topic = Topic.objects.get(slug="bins-and-recycling")
    return {
        "name_en": "Order a new bin",
        "name_cy": "Archebu bin newydd",
        "summary_en": "Ask for a new or replacement bin.",
        "summary_cy": "Gofyn am fin newydd neu fin newydd yn lle hen un.",
        "what_you_need_en": "Your address.",
        "what_you_need_cy": "Eich cyfeiriad.",
        "how_long_en": "It takes about 5 minutes.",
        "how_long_cy": "Mae'n cymryd tua 5 munud.",
        "other_ways_phone_en": "",
        "other_ways_phone_cy": "",
        "other_ways_in_person_en": "",
        "other_ways_in_person_cy": "",
        "slug": "",
        "topic": str(topic.pk),
        "target_working_days": "",
        **fields,
    }


def edit_data(service: Service, **changes: Any) -> dict[str, Any]:
    """The edit page's form as it comes, with `changes` typed in."""
    data = new_service(topic=str(service.topic_id))
    for name in data:
        if name not in ("slug", "topic"):
            data[name] = getattr(service, name) or ""
    data.pop("slug")
    if service.allow_guests:
        data["allow_guests"] = "on"
    if service.is_live:
        data["is_live"] = "on"
    return {**data, **changes}


def test_the_list_shows_each_service_with_its_state(service_admin_client, catalogue):
    # Given one seeded service routed somewhere, and a new one with nothing yet
    routed = make_routed_version(make_connection("https://waste.example.gov.uk/records"))
    routed.form.service.name_en = "Routed service"
    routed.form.service.save()
    Service.objects.create(
        name_en="Bare service", slug="bare", summary_en="x", topic=Topic.objects.first()
    )

    html = service_admin_client.get(reverse("studio:services")).content.decode()

    routed_row = html.split("Routed service", 1)[1].split("</tr>")[0]
    assert "Published" in routed_row
    # The form builder is a link away, from the form's state
    form_url = reverse("studio:form", args=[routed.form.service.pk])
    assert f'href="{form_url}">Published' in routed_row
    assert "Routed" in routed_row
    assert "Not routed" not in routed_row
    bare = html.split("Bare service", 1)[1].split("</tr>")[0]
    assert "Not live" in bare
    assert "No published form" in bare
    assert "Not routed" in bare
    assert "2 texts missing" in bare  # an English name and summary, no Welsh ones


def test_a_service_admin_creates_a_service_in_english_and_welsh(
    service_admin_client, service_admin, catalogue
):
    response = service_admin_client.post(reverse("studio:service_create"), new_service())

    assert response.status_code == 302
    service = Service.objects.get(slug="order-a-new-bin")  # made from the English name
    assert service.name_cy == "Archebu bin newydd"
    assert service.summary_cy.startswith("Gofyn am fin")
    assert service.how_long_en == "It takes about 5 minutes."
    assert service.topic.slug == "bins-and-recycling"
    assert not service.is_live
    entry = LogEntry.objects.get(object_id=str(service.pk))
    assert (entry.user, entry.action_flag) == (service_admin, ADDITION)


def test_a_new_service_without_its_english_name_and_summary_is_refused(
    service_admin_client, catalogue
):
    count = Service.objects.count()

    response = service_admin_client.post(
        reverse("studio:service_create"), new_service(name_en="", summary_en=" ", topic="")
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "<title>Error: " in html
    for field, message in (
        ("name_en", "Enter the service’s name in English"),
        ("summary_en", "Enter a summary in English"),
        ("topic", "Choose the topic the service is listed under"),
    ):
        assert f'<a href="#id_{field}">{message}</a>' in html  # in the summary
        assert f'id="id_{field}-error"' in html  # and beside the field
    assert Service.objects.count() == count


def test_a_new_service_cannot_be_live_before_it_is_routed(service_admin_client, catalogue):
    count = Service.objects.count()

    response = service_admin_client.post(
        reverse("studio:service_create"), new_service(is_live="on")
    )

    html = response.content.decode()
    assert response.status_code == 200
    # The model's own rule, with its own words (Service.unrouted_reason)
    assert "cannot take submissions: its form has no routing" in html
    assert 'href="#id_is_live"' in html
    assert Service.objects.count() == count


def test_a_web_address_another_service_has_is_refused(service_admin_client, catalogue):
    count = Service.objects.count()

    response = service_admin_client.post(
        reverse("studio:service_create"), new_service(slug="report-missed-bin")
    )

    assert "Another service has this web address: choose another" in response.content.decode()
    assert Service.objects.count() == count


def test_editing_a_service_saves_it_and_records_which_fields_changed(
    service_admin_client, service_admin, catalogue
):
    service = catalogue["report-missed-bin"]
    Service.objects.filter(pk=service.pk).update(allow_guests=False)
    service.refresh_from_db()
    url = reverse("studio:service_edit", args=[service.pk])

    response = service_admin_client.post(
        url, edit_data(service, summary_cy="Rhoi gwybod am fin a fethwyd.", allow_guests="on")
    )

    assert response.status_code == 302
    service.refresh_from_db()
    assert service.summary_cy == "Rhoi gwybod am fin a fethwyd."
    assert service.allow_guests
    entry = LogEntry.objects.get(object_id=str(service.pk), action_flag=CHANGE)
    assert entry.user == service_admin
    assert entry.get_change_message() == (
        "Changed Summary (Welsh) and Residents may use it without signing in."
    )


def test_bad_input_on_the_edit_page_changes_nothing(service_admin_client, catalogue):
    service = catalogue["report-missed-bin"]
    before = Service.objects.values().get(pk=service.pk)

    response = service_admin_client.post(
        reverse("studio:service_edit", args=[service.pk]),
        edit_data(service, name_en="x" * 151, summary_cy="Newydd", topic="999999"),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Name in English must be 150 characters or fewer" in html
    assert "Choose a topic from the list" in html
    # The title is the saved name, not what was typed
    assert f"Edit “{service.name_en}”" in html
    assert Service.objects.values().get(pk=service.pk) == before
    assert not LogEntry.objects.exists()


def test_a_text_with_english_and_no_welsh_is_tagged_welsh_missing(service_admin_client, catalogue):
    service = catalogue["report-missed-bin"]
    service.how_long_cy = ""
    service.how_long_en = "About 2 minutes"
    service.save()

    html = service_admin_client.get(reverse("studio:service_edit", args=[service.pk])).content
    page = html.decode()

    how_long = page.split("How long it takes</legend>")[1].split("</fieldset>")[0]
    assert "Welsh missing" in how_long
    name = page.split("Name</legend>")[1].split("</fieldset>")[0]
    assert "Welsh missing" not in name  # the seeded name has its Welsh


def test_a_service_that_does_not_exist_is_not_found(service_admin_client, db):
    assert (
        service_admin_client.get(reverse("studio:service_edit", args=[999999])).status_code == 404
    )


def test_a_service_admin_sets_the_target_time_residents_are_told(
    service_admin_client, service_admin, catalogue
):
    # Given a service with no target time
    service = catalogue["report-missed-bin"]
    Service.objects.filter(pk=service.pk).update(target_working_days=None)
    service.refresh_from_db()

    # When a service admin gives it 10 working days (spaces typed around it)
    url = reverse("studio:service_edit", args=[service.pk])
    response = service_admin_client.post(url, edit_data(service, target_working_days=" 10 "))

    # Then it is saved, and the change is recorded by the name people know it by
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.target_working_days == 10
    entry = LogEntry.objects.get(object_id=str(service.pk), action_flag=CHANGE)
    assert entry.get_change_message() == (
        "Changed Target time to respond, in working days (optional)."
    )
    # And the edit page shows it, and clearing it promises no time again
    page = service_admin_client.get(url).content.decode()
    assert 'name="target_working_days" type="text" inputmode="numeric"' in page
    assert 'value="10"' in page
    service_admin_client.post(url, edit_data(service, target_working_days=""))
    service.refresh_from_db()
    assert service.target_working_days is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ten", "Enter the target time as a whole number of working days, like 10"),
        ("1.5", "Enter the target time as a whole number of working days, like 10"),
        ("\x00", "Enter the target time as a whole number of working days, like 10"),
        ("0", "Target time must be at least 1 working day"),
        ("-3", "Target time must be at least 1 working day"),
        ("261", "Target time must be 260 working days or fewer"),
        ("9" * 40, "Target time must be 260 working days or fewer"),
    ],
)
def test_a_target_time_that_is_not_a_sensible_number_of_working_days_is_refused(
    service_admin_client, catalogue, typed, message
):
    service = catalogue["report-missed-bin"]
    before = Service.objects.values().get(pk=service.pk)

    response = service_admin_client.post(
        reverse("studio:service_edit", args=[service.pk]),
        edit_data(service, target_working_days=typed),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="#id_target_working_days">{message}</a>' in html  # in the summary
    assert 'id="id_target_working_days-error"' in html  # and beside the field
    assert "govuk-input--width-3 govuk-input--error" in html
    assert Service.objects.values().get(pk=service.pk) == before


def test_a_service_s_page_links_to_its_form_and_its_routing(service_admin_client, catalogue):
    # Given a seeded service (with a form) and a new one (without)
    seeded = catalogue["report-missed-bin"]
    new = Service.objects.create(
        name_en="New service", slug="new", summary_en="x", topic=Topic.objects.first()
    )

    page = service_admin_client.get(reverse("studio:service_edit", args=[seeded.pk])).content
    bare = service_admin_client.get(reverse("studio:service_edit", args=[new.pk])).content

    assert f'href="{reverse("studio:form", args=[seeded.pk])}"'.encode() in page
    assert f'href="{reverse("studio:routing", args=[seeded.pk])}"'.encode() in page
    assert f'href="{reverse("studio:form", args=[new.pk])}"'.encode() in bare
    assert b"/routing/" not in bare  # nothing to route until it has a form
