"""The studio's field mapping editor: a destination's fields and their sources, a field changed
from lists (answers and their parts, a lookup table of the question's own choices), problems
shown before anything is saved, a field removed, a new field added, and the payload preview."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from services.models import AccessLog, Connection, Destination, RoutingRuleSet, Service, Submission

pytestmark = pytest.mark.django_db

DESCRIPTION = {"template": "Missed {answer.bin_type} bin"}


@pytest.fixture
def destination(catalogue: dict[str, Service]) -> Destination:
    """The missed-bin form (seeded, published) sent to a SOAP case system, which requires its
    Description and declares numbers for its coordinates."""
    connection = Connection.objects.create(
        name="Waste system",
        slug="waste-system",
        adapter="soap_case",
        config={"wsdl_url": "https://waste.example.gov.uk/CaseService?wsdl"},
        owner_email="waste@example.gov.uk",
    )
    rule_set = RoutingRuleSet.objects.create(form=catalogue["report-missed-bin"].form)
    return Destination.objects.create(
        rule_set=rule_set,
        name="Waste team",
        connection=connection,
        mapping={"Description": DESCRIPTION, "UPRN": {"answer": "collection_address"}},
    )


def field_url(destination: Destination, target: str) -> str:
    return reverse("studio:destination_mapping_field", args=[destination.pk, target])


def overview_url(destination: Destination) -> str:
    return reverse("studio:destination_mapping", args=[destination.pk])


def mapping_of(destination: Destination) -> dict[str, Any]:
    destination.refresh_from_db()
    return dict(destination.mapping)


# --- the list -----------------------------------------------------------------------------------


def test_the_list_shows_each_declared_field_with_its_type_and_source_in_plain_english(
    service_admin_client, destination
):
    page = service_admin_client.get(overview_url(destination)).content.decode()

    assert "Field mapping: Waste team" in page
    assert "Sent to Waste system (SOAP case system)" in page
    # Every field the back office declares, mapped or not, with a link to change it
    for name in ("ServiceCode", "Description", "UPRN", "Easting", "Latitude", "Attachments"):
        assert f'href="{field_url(destination, name)}"' in page
    assert "The text “Missed {answer.bin_type} bin”" in page
    assert "Number" in page  # Latitude's type
    assert "Not sent" in page


def test_the_list_shows_the_problems_validate_mapping_finds_before_anything_is_sent(
    service_admin_client, destination
):
    # Given a mapping without its required field and with a whole address where text is wanted
    destination.mapping = {"UPRN": {"answer": "collection_address"}}
    destination.save()

    page = service_admin_client.get(overview_url(destination)).content.decode()

    assert "This mapping has 2 problems" in page
    assert "Field ‘Description’ is required by SOAP case system: map it" in page
    assert "Required: not mapped" in page
    assert (
        "SOAP case system takes text in ‘UPRN’, but this gives an address (use a part, or join)"
        in page
    )


# --- changing a field ---------------------------------------------------------------------------


def test_a_field_is_mapped_to_an_answer_part_and_the_change_is_recorded(
    service_admin_client, service_admin, destination
):
    # When the UPRN is mapped to the address's UPRN part
    response = service_admin_client.post(
        field_url(destination, "UPRN"),
        {"source": "answer", "answer": "collection_address.uprn", "action": "save"},
    )

    # Then the mapping holds the admin's JSON, in its place, and the history says who did it
    assert response.status_code == 302
    assert response["Location"] == overview_url(destination)
    assert mapping_of(destination) == {
        "Description": DESCRIPTION,
        "UPRN": {"answer": "collection_address", "part": "uprn"},
    }
    entry = LogEntry.objects.get(object_id=str(destination.pk))
    assert entry.user_id == service_admin.pk
    assert "field mapping (UPRN)" in entry.get_change_message()


def test_a_lookup_table_is_edited_as_the_questions_own_choices_beside_codes(
    service_admin_client, destination
):
    # Given the page for a field fed by the bin question shows its four choices
    destination.mapping = {**destination.mapping, "ServiceCode": {"answer": "bin_type"}}
    destination.save()
    page = service_admin_client.get(field_url(destination, "ServiceCode")).content.decode()
    assert "Garden waste (brown bin)" in page
    assert 'name="lookup_garden"' in page

    # When codes are typed for two of them, with a code for the others
    response = service_admin_client.post(
        field_url(destination, "ServiceCode"),
        {
            "source": "answer",
            "answer": "bin_type",
            "lookup_general": "RES",
            "lookup_garden": " GDN ",
            "lookup_default": "OTHER",
            "case": "lower",
            "action": "save",
        },
    )

    # Then the lookup and the case are stored in the order they apply
    assert response.status_code == 302
    assert mapping_of(destination)["ServiceCode"] == {
        "answer": "bin_type",
        "transforms": [
            {"lookup": {"general": "RES", "garden": "GDN"}, "default": "OTHER"},
            {"lower": True},
        ],
    }


def test_show_its_choices_shows_another_questions_table_without_saving(
    service_admin_client, destination
):
    before = mapping_of(destination)

    response = service_admin_client.post(
        field_url(destination, "ServiceCode"),
        {"source": "answer", "answer": "bin_type", "action": "choices"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="lookup_recycling"' in page
    assert "There is a problem" not in page
    assert mapping_of(destination) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "save"}, "Select where the value comes from"),
        ({"source": "answer", "answer": ""}, "Choose the answer to send"),
        ({"source": "const", "const": ""}, "Enter the value to send"),
        ({"source": "answer", "answer": "no_such_question"}, "Select a valid choice"),
        (
            {"source": "template", "template": "Bin {answer.colour}"},
            "question ‘colour’ is not in the form",
        ),
        (
            {"source": "answer", "answer": "bin_type", "date_format": "%d/%m/%Y"},
            "date_format needs a date (a date answer or meta submitted_at), but the value here "
            "is text",
        ),
        ({"source": "meta", "meta": "reference", "truncate": "0"}, "1 or more"),
        (
            {"source": "answer", "answer": "collection_address.postcode"},
            "SOAP case system takes a number in ‘Latitude’, but this gives text",
        ),
        (
            {"source": "answer", "answer": "collection_date", "date_format": "custom"},
            "Enter the date format",
        ),
    ],
)
def test_bad_input_is_explained_beside_the_field_and_changes_nothing(
    service_admin_client, destination, data, message
):
    before = mapping_of(destination)
    changes = LogEntry.objects.count()

    response = service_admin_client.post(field_url(destination, "Latitude"), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert mapping_of(destination) == before
    assert LogEntry.objects.count() == changes


def test_a_fixed_value_is_stored_as_the_type_the_field_declares(service_admin_client, destination):
    service_admin_client.post(
        field_url(destination, "Easting"), {"source": "const", "const": "482000", "action": "save"}
    )
    service_admin_client.post(
        field_url(destination, "ServiceCode"), {"source": "const", "const": "MISSED_BIN"}
    )

    mapping = mapping_of(destination)
    assert mapping["Easting"] == {"const": 482000}
    assert mapping["ServiceCode"] == {"const": "MISSED_BIN"}


def test_a_field_is_no_longer_sent_once_removed(service_admin_client, destination):
    response = service_admin_client.post(field_url(destination, "UPRN"), {"action": "remove"})

    assert response.status_code == 302
    assert mapping_of(destination) == {"Description": DESCRIPTION}
    assert "field mapping (UPRN)" in LogEntry.objects.get().get_change_message()


def test_the_page_of_a_stored_field_shows_its_source_and_transforms(
    service_admin_client, destination
):
    destination.mapping = {
        **destination.mapping,
        "ContactName": {
            "meta": "submitted_at",
            "transforms": [{"date_format": "%d/%m/%Y"}, {"upper": True}, {"truncate": 10}],
        },
    }
    destination.save()

    form = service_admin_client.get(field_url(destination, "ContactName")).context["form"]

    assert form["source"].value() == "meta"
    assert form["meta"].value() == "submitted_at"
    assert form["date_format"].value() == "%d/%m/%Y"
    assert form["case"].value() == "upper"
    assert form["truncate"].value() == 10
    assert form.unshown == []


def test_a_name_the_back_office_does_not_have_is_not_a_page(service_admin_client, destination):
    response = service_admin_client.get(field_url(destination, "Colour"))

    assert response.status_code == 302
    assert response["Location"] == overview_url(destination)


# --- adding a field (back offices that take any field) ------------------------------------------


def test_a_new_field_is_added_for_a_back_office_that_takes_any_field(
    service_admin_client, destination
):
    destination.connection.adapter = "webhook"
    destination.connection.save()
    url = reverse("studio:destination_mapping_new", args=[destination.pk])

    # A name already mapped is refused, and nothing changes
    taken = service_admin_client.post(url, {"name": "UPRN", "source": "meta", "meta": "uprn"})
    assert "“UPRN” is mapped already" in taken.content.decode()

    # A new one is added beside the others, named as typed
    response = service_admin_client.post(
        url, {"name": "Where", "source": "answer", "answer": "collection_address", "join": ", "}
    )
    assert response.status_code == 302
    mapping = mapping_of(destination)
    assert set(mapping) == {"Description", "UPRN", "Where"}
    assert mapping["Where"] == {"answer": "collection_address", "transforms": [{"join": ", "}]}


def test_a_new_field_a_declared_back_office_does_not_take_is_refused(
    service_admin_client, destination
):
    url = reverse("studio:destination_mapping_new", args=[destination.pk])

    response = service_admin_client.post(url, {"name": "Colour", "source": "const", "const": "x"})

    assert "SOAP case system has no field ‘Colour’" in response.content.decode()
    assert "Colour" not in mapping_of(destination)


# --- the preview --------------------------------------------------------------------------------


def submission_for(destination: Destination, reference: str = "MB-1001") -> Submission:
    service = destination.rule_set.form.service
    version = service.form.live_version
    assert version is not None
    return Submission.objects.create(
        reference=reference,
        service=service,
        form_version=version,
        answers={
            "bin_type": "garden",
            "collection_address": {
                "uprn": "100031234567",
                "line1": "1 High Street",
                "town": "Northampton",
                "postcode": "NN1 1AA",
            },
        },
        contact_email="sam@example.com",
    )


def test_the_preview_shows_the_payload_for_a_recent_submission_as_a_table_and_is_audited(
    service_admin_client, service_admin, destination
):
    # Given a recent submission, offered in the list
    submission = submission_for(destination)
    destination.mapping = {
        "Description": DESCRIPTION,
        "UPRN": {"answer": "collection_address", "part": "uprn"},
    }
    destination.save()
    page = service_admin_client.get(overview_url(destination)).content.decode()
    assert '<option value="MB-1001"' in page
    assert not AccessLog.objects.exists()  # nothing of a resident's was shown yet

    # When it is previewed
    page = service_admin_client.get(overview_url(destination), {"reference": "mb-1001"})
    text = page.content.decode()

    # Then each field is a row of the table, and the look is recorded
    assert sorted(page.context["result"]["rows"]) == [
        ("Description", ["Missed Garden waste (brown bin) bin"]),
        ("UPRN", ["100031234567"]),
    ]
    assert "<table" in text
    assert "Missed Garden waste (brown bin) bin" in text
    access = AccessLog.objects.get()
    assert (access.actor, access.submission, access.where) == (
        service_admin,
        submission,
        "studio:payload_preview",
    )


def test_the_preview_says_why_a_payload_cannot_be_made(service_admin_client, destination):
    submission_for(destination)
    destination.mapping = {
        "Description": {"answer": "bin_type", "transforms": [{"lookup": {"general": "RES"}}]}
    }
    destination.save()

    response = service_admin_client.get(overview_url(destination), {"reference": "MB-1001"})

    assert "the lookup table has no entry for ‘garden’ and no default" in (
        response.content.decode()
    )


def test_an_unknown_reference_is_explained_and_nothing_is_recorded(
    service_admin_client, destination
):
    response = service_admin_client.get(overview_url(destination), {"reference": "NOPE-1"})

    assert "There is no submission with reference ‘NOPE-1’." in response.content.decode()
    assert not AccessLog.objects.exists()


def test_file_questions_are_mapped_to_a_field_that_carries_files(
    service_admin_client, catalogue, destination
):
    # Given the pothole form (it asks for a photo) sent to the same back office
    rule_set = RoutingRuleSet.objects.create(form=catalogue["report-pothole"].form)
    potholes = Destination.objects.create(
        rule_set=rule_set,
        name="Highways",
        connection=destination.connection,
        mapping={"Description": {"template": "Pothole"}},
    )
    page = service_admin_client.get(field_url(potholes, "Attachments")).content.decode()
    assert 'name="file_questions" type="checkbox" value="photo"' in page

    # When the photo question is picked for the attachments
    response = service_admin_client.post(
        field_url(potholes, "Attachments"), {"source": "files", "file_questions": ["photo"]}
    )

    # Then the field carries the list of files, as the admin would write it
    assert response.status_code == 302
    assert mapping_of(potholes)["Attachments"] == {"files": ["photo"]}


def test_files_are_not_offered_for_a_form_that_asks_for_none(service_admin_client, destination):
    page = service_admin_client.get(field_url(destination, "Attachments")).content.decode()

    assert 'value="files"' not in page
