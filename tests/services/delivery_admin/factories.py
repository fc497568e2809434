"""Connections, routing, submissions, deliveries and attempts for the delivery admin's tests."""

from datetime import timedelta

import factory
from django.utils import timezone

from services.models import (
    Attempt,
    Connection,
    Delivery,
    Destination,
    RoutingRuleSet,
    Submission,
)
from tests.services.factories import FormVersionFactory


class ConnectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Connection

    name = factory.Sequence(lambda n: f"Back office {n}")
    slug = factory.Sequence(lambda n: f"back-office-{n}")
    adapter = "webhook"
    owner_email = factory.Sequence(lambda n: f"owner{n}@council.example.gov.uk")
    alert_after = timedelta(hours=1)


class RuleSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutingRuleSet

    form = factory.LazyAttribute(lambda _: FormVersionFactory().form)


class DestinationFactory(factory.django.DjangoModelFactory):
    """A fallback destination (no rule) unless `rule` is given."""

    class Meta:
        model = Destination

    rule_set = factory.SubFactory(RuleSetFactory)
    name = factory.Sequence(lambda n: f"Destination {n}")
    connection = factory.SubFactory(ConnectionFactory)
    mapping = factory.LazyFunction(lambda: {"reference": {"metadata": "reference"}})


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    reference = factory.Sequence(lambda n: f"MC-{n:06d}")
    form_version = factory.SubFactory(FormVersionFactory)
    service = factory.LazyAttribute(lambda o: o.form_version.form.service)
    contact_email = "jo.bloggs@example.org"
    answers = factory.LazyFunction(lambda: {"bin_type": "garden", "details": "SECRET-ANSWER"})


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    submission = factory.SubFactory(SubmissionFactory)
    destination = factory.SubFactory(DestinationFactory)
    connection = factory.LazyAttribute(lambda o: o.destination.connection)
    created_at = factory.LazyFunction(timezone.now)


class AttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attempt

    delivery = factory.SubFactory(DeliveryFactory)
    number = factory.Sequence(lambda n: n + 1)
    started_at = factory.LazyFunction(timezone.now)
    duration_ms = 100
    outcome = Attempt.Outcome.TRANSIENT
