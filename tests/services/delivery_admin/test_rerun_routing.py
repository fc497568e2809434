"""Re-running routing after a case's service changed: a new round, old deliveries kept."""

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from services.delivery.actions import ActionRefused, rerun_routing
from services.models import Delivery, RoutingRule
from tests.services.delivery_admin.factories import (
    DeliveryFactory,
    DestinationFactory,
    RuleSetFactory,
    SubmissionFactory,
)
from tests.services.factories import FormVersionFactory

pytestmark = pytest.mark.django_db

State = Delivery.State


def service_routed_to(*names):
    """A service whose form's routing sends everything to destinations called `names`."""
    version = FormVersionFactory()
    rule_set = RuleSetFactory(form=version.form)
    rule = RoutingRule.objects.create(rule_set=rule_set, name="Everything", condition={})
    destinations = [DestinationFactory(rule_set=rule_set, rule=rule, name=n) for n in names]
    return version, destinations


def routed_submission(version, destinations, state=State.PENDING):
    submission = SubmissionFactory(
        form_version=version,
        routing_round=1,
        routing_decision={
            "routed": True,
            "destinations": [d.name for d in destinations],
            "reasons": ["Rule “Everything” matched"],
            "round": 1,
        },
    )
    deliveries = [
        DeliveryFactory(submission=submission, destination=d, state=state) for d in destinations
    ]
    return submission, deliveries


@pytest.fixture
def queued(monkeypatch):
    ids = []
    monkeypatch.setattr(
        "services.delivery.outbox.queue_deliveries", lambda batch: ids.extend(batch)
    )
    return ids


def test_rerun_after_a_service_change_makes_a_new_round_and_keeps_the_old(
    service_admin, queued, django_capture_on_commit_callbacks
):
    # Given a submission routed to the waste system, still pending, whose service then changed
    waste_version, (waste,) = service_routed_to("Waste")
    highways_version, (highways,) = service_routed_to("Highways")
    submission, (old,) = routed_submission(waste_version, [waste])
    submission.service = highways_version.form.service
    submission.save()

    # When a service admin re-runs routing
    with django_capture_on_commit_callbacks(execute=True):
        result = rerun_routing(submission, service_admin, "Moved to highways: it is a pothole")

    # Then round 2 sends it to highways, queued after commit
    submission.refresh_from_db()
    assert submission.routing_round == 2
    assert submission.routing_decision["destinations"] == ["Highways"]
    assert submission.routing_decision["routed"] is True
    assert any("Everything" in reason for reason in submission.routing_decision["reasons"])
    new = Delivery.objects.get(submission=submission, routing_round=2)
    assert new.destination == highways
    assert new.state == State.PENDING
    assert queued == [new.pk]
    assert result.created == [new]
    # And round 1's delivery is kept, cancelled with the note, and its decision is kept too
    old.refresh_from_db()
    assert old.state == State.CANCELLED
    assert "Moved to highways" in old.resolution_note
    assert old.resolved_by == service_admin
    assert submission.routing_decision["previous_rounds"][0]["destinations"] == ["Waste"]
    assert Delivery.objects.filter(submission=submission).count() == 2
    assert LogEntry.objects.filter(object_id=str(submission.pk), user=service_admin).exists()
    assert "round 2" in result.summary()


@pytest.mark.parametrize("state", [State.DELIVERED, State.FAILED, State.RETRYING, State.RESOLVED])
def test_a_destination_chosen_again_is_not_sent_the_case_twice(state, service_admin, queued):
    # Given a submission whose delivery to the waste system is done, failed or on its way
    version, (waste,) = service_routed_to("Waste")
    submission, (old,) = routed_submission(version, [waste], state=state)

    # When routing is re-run and chooses the waste system again
    result = rerun_routing(submission, service_admin, "Checking the location")

    # Then no second delivery to it is made (a new one would carry a new idempotency key)
    submission.refresh_from_db()
    assert submission.routing_round == 2
    assert submission.routing_decision["routed"] is True
    assert submission.routing_decision["carried_over"] == ["Waste"]
    assert Delivery.objects.filter(submission=submission).count() == 1
    old.refresh_from_db()
    assert old.state == state
    assert result.kept == [old]
    assert result.created == []


def test_finished_deliveries_to_a_destination_no_longer_chosen_are_left_as_history(
    service_admin, queued
):
    waste_version, (waste,) = service_routed_to("Waste")
    highways_version, _ = service_routed_to("Highways")
    submission, (old,) = routed_submission(waste_version, [waste], state=State.DELIVERED)
    submission.service = highways_version.form.service
    submission.save()

    rerun_routing(submission, service_admin, "Moved")

    old.refresh_from_db()
    assert old.state == State.DELIVERED
    assert Delivery.objects.filter(submission=submission, routing_round=2).count() == 1


def test_a_service_without_routing_leaves_the_case_not_routed_and_listed(service_admin, queued):
    waste_version, (waste,) = service_routed_to("Waste")
    submission, (old,) = routed_submission(waste_version, [waste])
    submission.service = FormVersionFactory().form.service  # no routing rules at all
    submission.save()

    rerun_routing(submission, service_admin, "Moved")

    submission.refresh_from_db()
    assert submission.routing_decision["routed"] is False
    assert "not routed" in submission.routing_decision["reasons"][0]
    old.refresh_from_db()
    assert old.state == State.CANCELLED


def test_rerun_is_refused_while_a_delivery_it_would_cancel_is_being_sent(service_admin, queued):
    waste_version, (waste,) = service_routed_to("Waste")
    highways_version, _ = service_routed_to("Highways")
    submission, (old,) = routed_submission(waste_version, [waste], state=State.IN_FLIGHT)
    Delivery.objects.filter(pk=old.pk).update(
        lease_expires_at=timezone.now() + timezone.timedelta(minutes=1)
    )
    submission.service = highways_version.form.service
    submission.save()

    with pytest.raises(ActionRefused, match="being sent right now"):
        rerun_routing(submission, service_admin, "Moved")

    submission.refresh_from_db()
    assert submission.routing_round == 1
    assert Delivery.objects.filter(submission=submission).count() == 1
    assert queued == []


@pytest.mark.parametrize("note", ["", "  "])
def test_rerun_needs_a_note(note, service_admin, queued):
    version, (waste,) = service_routed_to("Waste")
    submission, _ = routed_submission(version, [waste])

    with pytest.raises(ActionRefused, match="note"):
        rerun_routing(submission, service_admin, note)
    submission.refresh_from_db()
    assert submission.routing_round == 1
