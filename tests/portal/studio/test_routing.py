"""The routing editor: each action through the studio's pages, what it stores, what it records,
and that bad input and unrouting changes are refused or asked about and change nothing."""

from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.urls import reverse

from services.models import Connection, Destination, RoutingRule, RoutingRuleSet, Service
from tests.services.delivery_admin.factories import DeliveryFactory

pytestmark = pytest.mark.django_db


def make_connection(name: str, slug: str) -> Connection:
    return Connection.objects.create(
        name=name,
        slug=slug,
        adapter="webhook",
        config={"url": f"https://{slug}.example.gov.uk/records"},
        owner_email="it@example.gov.uk",
    )


@pytest.fixture
def garden_team(db: None) -> Connection:
    return make_connection("Garden waste team (e-mail)", "garden-team")


@pytest.fixture
def waste_system(db: None) -> Connection:
    return make_connection("Waste system", "waste-system")


@pytest.fixture
def missed_bin(catalogue: dict[str, Service]) -> Service:
    return catalogue["report-missed-bin"]


@pytest.fixture
def routed(missed_bin: Service, waste_system: Connection, garden_team: Connection) -> RoutingRule:
    """A live service: a garden-waste rule to the garden team, the waste system as fallback."""
    rule_set = RoutingRuleSet.objects.create(form=missed_bin.form)
    Destination.objects.create(
        rule_set=rule_set, name="Waste system", connection=waste_system, mapping={"a": {"const": 1}}
    )
    rule = RoutingRule.objects.create(
        rule_set=rule_set,
        name="Garden waste",
        order=1,
        condition={"question": "bin_type", "op": "equals", "value": "garden"},
    )
    Destination.objects.create(
        rule_set=rule_set, rule=rule, name="Garden team", connection=garden_team
    )
    missed_bin.is_live = True
    missed_bin.save()
    return rule


def url(name: str, service: Service, **kwargs: Any) -> str:
    return reverse(f"studio:{name}", kwargs={"service_id": service.pk, **kwargs})


def logged(obj: Any, action: int) -> bool:
    return LogEntry.objects.filter(
        object_id=str(obj.pk), content_type__model=obj._meta.model_name, action_flag=action
    ).exists()


def test_the_routing_page_lists_rules_in_plain_english_with_their_destinations(
    service_admin_client, missed_bin, routed
):
    page = service_admin_client.get(url("routing", missed_bin)).content.decode()
    assert "When ‘Which bin was not collected?’ is ‘Garden waste (brown bin)’ →" in page
    assert "Garden team (Garden waste team (e-mail))" in page
    assert "First matching rule only" in page
    assert "Waste system" in page  # the fallback
    assert ">On<" in page


def test_adding_a_rule_stores_it_last_with_a_destination_from_the_chosen_connection(
    service_admin_client, service_admin, missed_bin, routed, waste_system
):
    response = service_admin_client.post(
        url("routing_rule_create", missed_bin),
        {"name": "Phoned in", "match": "all", "destinations": [waste_system.pk]},
    )
    rule = RoutingRule.objects.get(name="Phoned in")
    assert response["Location"] == url("routing_rule_edit", missed_bin, rule_id=rule.pk)
    assert (rule.order, rule.is_active, rule.condition) == (2, False, {})
    destination = rule.destinations.get()
    # The same back office as the fallback: it starts with the fallback's field mapping
    assert (destination.connection, destination.mapping) == (waste_system, {"a": {"const": 1}})
    assert destination.name == "Waste system (Phoned in)"
    assert logged(rule, ADDITION)
    assert logged(destination, ADDITION)


def test_a_rule_name_already_used_is_refused_and_nothing_is_added(
    service_admin_client, missed_bin, routed
):
    response = service_admin_client.post(
        url("routing_rule_create", missed_bin), {"name": "Garden waste", "match": "all"}
    )
    assert response.status_code == 200
    assert "Another rule of this form is called “Garden waste”" in response.content.decode()
    assert RoutingRule.objects.count() == 1


def test_adding_an_answer_condition_offers_the_questions_own_choices_and_stores_one_of(
    service_admin_client, missed_bin, routed
):
    add = url("routing_condition_add", missed_bin, rule_id=routed.pk, kind="answer")
    page = service_admin_client.get(add + "?question=bin_type").content.decode()
    assert "Food waste (green caddy)" in page

    service_admin_client.post(
        add + "?question=bin_type", {"op": "is", "values": ["food", "garden"]}
    )
    routed.refresh_from_db()
    added = routed.condition["all"][1]
    assert added == {"question": "bin_type", "op": "one_of", "value": ["food", "garden"]}
    assert logged(routed, CHANGE)


def test_a_second_condition_combines_with_the_first_and_removing_it_restores_the_first(
    service_admin_client, missed_bin, routed
):
    first = dict(routed.condition)
    service_admin_client.post(
        url("routing_condition_add", missed_bin, rule_id=routed.pk, kind="channel"),
        {"channels": ["phone"]},
    )
    routed.refresh_from_db()
    assert routed.condition == {"all": [first, {"channel": ["phone"]}]}

    service_admin_client.post(
        url("routing_condition_remove", missed_bin, rule_id=routed.pk, index=1)
    )
    routed.refresh_from_db()
    assert routed.condition == first


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("postcode_district", {"districts": "NN1, 12X"}, "‘12X’ is not a postcode district"),
        ("time", {"weekdays": ["0"], "start": "25:00", "end": "18:00"}, "24-hour time"),
        ("area", {"name": "North", "points": "0, 0\n1, 1"}, "polygon needs at least 3 points"),
        ("area", {"name": "North", "points": "north-ish"}, "Line 1 is not a longitude"),
        ("channel", {"channels": ["fax"]}, "Select a valid choice"),
        ("answer", {"op": "is"}, "Choose at least one answer"),
    ],
)
def test_a_condition_that_validate_condition_refuses_is_shown_next_to_its_field_and_not_saved(
    service_admin_client, missed_bin, routed, kind, data, message
):
    before = dict(routed.condition)
    add = url("routing_condition_add", missed_bin, rule_id=routed.pk, kind=kind)
    response = service_admin_client.post(add + "?question=bin_type", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'class="govuk-error-message"' in page
    routed.refresh_from_db()
    assert routed.condition == before


def test_a_time_window_is_stored_in_the_condition_language(
    service_admin_client, missed_bin, routed
):
    service_admin_client.post(
        url("routing_condition_add", missed_bin, rule_id=routed.pk, kind="time"),
        {"weekdays": ["5", "6"], "start": "", "end": ""},
    )
    routed.refresh_from_db()
    assert routed.condition["all"][1] == {"time": {"weekdays": [5, 6]}}


def test_moving_a_rule_down_swaps_it_with_the_next(service_admin_client, missed_bin, routed):
    second = RoutingRule.objects.create(rule_set=routed.rule_set, name="Phoned in", order=2)
    service_admin_client.post(
        url("routing_rule_move", missed_bin, rule_id=routed.pk), {"direction": "down"}
    )
    assert list(routed.rule_set.rules.values_list("name", flat=True)) == [
        "Phoned in",
        "Garden waste",
    ]
    assert logged(routed, CHANGE)
    # At the top already: moving up changes nothing
    service_admin_client.post(
        url("routing_rule_move", missed_bin, rule_id=second.pk), {"direction": "up"}
    )
    assert list(routed.rule_set.rules.values_list("name", flat=True)) == [
        "Phoned in",
        "Garden waste",
    ]


def test_editing_a_rule_changes_its_name_and_destinations_and_keeps_its_condition(
    service_admin_client, missed_bin, routed, waste_system
):
    condition = dict(routed.condition)
    service_admin_client.post(
        url("routing_rule_edit", missed_bin, rule_id=routed.pk),
        {
            "name": "Garden bins",
            "is_active": "on",
            "match": "any",
            "destinations": [waste_system.pk],
        },
    )
    routed.refresh_from_db()
    assert (routed.name, routed.condition) == ("Garden bins", condition)
    assert [d.connection for d in routed.destinations.all()] == [waste_system]


def test_deleting_a_rule_deletes_it_and_its_destinations_and_records_it(
    service_admin_client, missed_bin, routed
):
    destination = routed.destinations.get()
    service_admin_client.post(url("routing_rule_delete", missed_bin, rule_id=routed.pk))
    assert not RoutingRule.objects.filter(pk=routed.pk).exists()
    assert not Destination.objects.filter(pk=destination.pk).exists()
    assert logged(routed, DELETION)
    assert logged(destination, DELETION)


def test_removing_the_fallback_of_a_live_service_asks_first_and_changes_nothing(
    service_admin_client, missed_bin, routed
):
    # Given the garden rule switched off, the fallback is the only way a case goes anywhere
    RoutingRule.objects.filter(pk=routed.pk).update(is_active=False)
    settings_url = url("routing_settings", missed_bin)

    response = service_admin_client.post(settings_url, {"mode": "all_match", "fallback": []})
    assert response.status_code == 200
    assert "cannot take submissions" in response.content.decode()
    rule_set = RoutingRuleSet.objects.get()
    assert rule_set.mode == "first_match"
    assert rule_set.destinations.filter(rule=None).count() == 1

    # Confirmed: saved
    service_admin_client.post(
        settings_url, {"mode": "all_match", "fallback": [], "leave_unrouted": "on"}
    )
    rule_set.refresh_from_db()
    assert rule_set.mode == "all_match"
    assert not rule_set.destinations.filter(rule=None).exists()


def test_a_destination_with_deliveries_is_not_removed(service_admin_client, missed_bin, routed):
    DeliveryFactory(destination=routed.destinations.get())
    response = service_admin_client.post(url("routing_rule_delete", missed_bin, rule_id=routed.pk))
    assert response.status_code == 200
    assert "has deliveries, so it cannot be removed" in response.content.decode()
    assert RoutingRule.objects.filter(pk=routed.pk).exists()


def test_a_rule_of_another_service_is_not_found(service_admin_client, catalogue, routed):
    other = catalogue["report-pothole"]
    response = service_admin_client.get(url("routing_rule_edit", other, rule_id=routed.pk))
    assert response.status_code == 404


def test_an_answer_condition_is_changed_in_place_from_what_it_is(
    service_admin_client, missed_bin, routed
):
    # Given the garden rule's condition, a second part after it
    RoutingRule.objects.filter(pk=routed.pk).update(
        condition={
            "all": [
                {"question": "bin_type", "op": "equals", "value": "garden"},
                {"channel": ["phone"]},
            ]
        }
    )
    edit = url("routing_condition_edit", missed_bin, rule_id=routed.pk, index=0)

    # The rule's page offers to change it, and its page starts from what it is
    rule_page = service_admin_client.get(
        url("routing_rule_edit", missed_bin, rule_id=routed.pk)
    ).content.decode()
    assert f'href="{edit}"' in rule_page
    html = service_admin_client.get(edit).content.decode()
    assert 'value="is" checked' in html
    assert 'value="garden" checked' in html

    # When it is changed to "is not" general or garden
    response = service_admin_client.post(edit, {"op": "is_not", "values": ["general", "garden"]})

    # Then it is changed in its place, the other part kept, and recorded
    assert response.status_code == 302
    routed.refresh_from_db()
    assert routed.condition == {
        "all": [
            {"not": {"question": "bin_type", "op": "one_of", "value": ["general", "garden"]}},
            {"channel": ["phone"]},
        ]
    }
    assert logged(routed, CHANGE)


def test_a_time_window_is_changed_in_place(service_admin_client, missed_bin, routed):
    RoutingRule.objects.filter(pk=routed.pk).update(
        condition={"time": {"weekdays": [0, 1], "from": "08:00", "to": "18:00"}}
    )
    edit = url("routing_condition_edit", missed_bin, rule_id=routed.pk, index=0)
    html = service_admin_client.get(edit).content.decode()
    assert 'value="08:00"' in html

    service_admin_client.post(edit, {"weekdays": ["5", "6"], "start": "", "end": ""})

    routed.refresh_from_db()
    assert routed.condition == {"time": {"weekdays": [5, 6]}}


def test_a_changed_condition_with_bad_input_is_refused_and_changes_nothing(
    service_admin_client, missed_bin, routed
):
    edit = url("routing_condition_edit", missed_bin, rule_id=routed.pk, index=0)
    response = service_admin_client.post(edit, {"op": "is", "values": []})
    assert "Choose at least one answer" in response.content.decode()
    routed.refresh_from_db()
    assert routed.condition == {"question": "bin_type", "op": "equals", "value": "garden"}


def test_a_condition_that_is_not_there_or_not_built_here_is_not_found(
    service_admin_client, missed_bin, routed
):
    assert (
        service_admin_client.get(
            url("routing_condition_edit", missed_bin, rule_id=routed.pk, index=3)
        ).status_code
        == 404
    )
    RoutingRule.objects.filter(pk=routed.pk).update(condition={"any": [{"all": [{}]}]})
    assert (
        service_admin_client.get(
            url("routing_condition_edit", missed_bin, rule_id=routed.pk, index=0)
        ).status_code
        == 404
    )
