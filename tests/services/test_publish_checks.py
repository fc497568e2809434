"""Publishing a draft is refused, with every reason, while its Welsh is missing or it would break
branching or routing; the refused draft stays a draft and the live version stays live."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.contrib.admin.sites import site
from django.contrib.messages.storage.fallback import FallbackStorage

from services.catalogue import publish_version
from services.forms import edits
from services.forms.publish_checks import (
    PublishProblem,
    PublishRefused,
    find_publish_problems,
    welsh_missing,
)
from services.models import Connection, Destination, FormVersion, RoutingRule, RoutingRuleSet
from services.models.forms import VersionStateError
from services.seed import SERVICES
from tests.services.factories import FormVersionFactory, ServiceFactory
from tests.services.test_form_edits import bins, t

pytestmark = pytest.mark.django_db


def live_bins_service(schema: dict[str, Any] | None = None) -> FormVersion:
    version: Any = FormVersionFactory(
        form__service=ServiceFactory(is_live=False), schema=schema or bins()
    )
    publish_version(version)
    return version


def draft(live: FormVersion, schema: dict[str, Any]) -> FormVersion:
    copy_of_live = FormVersion.new_draft_from(live)
    copy_of_live.schema = schema
    copy_of_live.save()
    return copy_of_live


def refusal(version: FormVersion) -> list[str]:
    with pytest.raises(PublishRefused) as caught:
        publish_version(version)
    version.refresh_from_db()
    assert version.status == FormVersion.Status.DRAFT
    return caught.value.messages


def test_every_missing_welsh_text_is_named_and_publishing_is_refused():
    # Given a draft whose new question, option, hint, message and exit page lack Welsh
    live = live_bins_service()
    schema = edits.add_question(
        live.schema,
        "when",
        {
            "type": "radios",
            "label": {"en": "How big?"},
            "hint": {"en": "Roughly", "cy": " "},
            "options": [{"value": "big", "label": {"en": "Big"}}],
            "messages": {"required": {"en": "Say how big"}},
        },
    ).schema
    schema = edits.edit_page(schema, "not-subscribed", body={"en": "Subscribe first."}).schema
    # When it is published
    messages = refusal(draft(live, schema))
    # Then each gap is named where the admin will find it
    assert messages == [
        "Welsh missing on exit page “You need a subscription”: the text.",
        "Welsh missing on question “How big?”: the question text.",
        "Welsh missing on question “How big?”: the hint.",
        "Welsh missing on question “How big?”: option “Big”.",
        "Welsh missing on question “How big?”: the “required” error message.",
    ]
    # And the live version is still the live one
    live.refresh_from_db()
    assert live.status == FormVersion.Status.LIVE


def test_welsh_gaps_say_which_page_and_question_for_the_builder_to_mark():
    schema = bins()
    schema["pages"][3]["questions"][1]["validation"] = {
        "pattern": "[a-z]+",
        "pattern_message": {"en": "Letters only"},
    }
    schema["pages"][0]["title"] = {"en": "Bins", "cy": ""}
    gaps = [(g.page_id, g.question_id, g.what) for g in welsh_missing(schema)]
    assert gaps == [
        ("which-bin", None, "title"),
        ("when", "details", "validation.pattern_message"),
    ]


def test_every_seeded_form_has_its_welsh():
    for seed in SERVICES:
        assert welsh_missing(seed.schema) == [], seed.slug


def test_branching_on_a_question_the_draft_removed_is_refused_plainly():
    # Given a draft, edited by hand, that removed the question an exit page depends on
    live = live_bins_service()
    schema = copy.deepcopy(live.schema)
    del schema["pages"][1]
    # When it is published, the reason names the exit page and the removed question, once
    assert refusal(draft(live, schema)) == [
        "The branching on exit page “You need a subscription” uses the answer to “Do you "
        "subscribe?”, which this draft removes. Change or remove that condition first."
    ]


def test_other_schema_problems_still_refuse_publishing():
    live = live_bins_service()
    schema = copy.deepcopy(live.schema)
    schema["pages"][3]["questions"][0]["validation"] = {"date": "someday"}
    with pytest.raises(VersionStateError, match="validation date must be one of"):
        publish_version(draft(live, schema))


def route_bins(live: FormVersion) -> None:
    """A rule on the bin type and a destination mapping the date and the details."""
    connection = Connection.objects.create(
        name="Waste",
        slug="waste",
        adapter="webhook",
        config={"url": "https://waste.example.gov.uk/cases"},
        owner_email="it@example.gov.uk",
    )
    rule_set = RoutingRuleSet.objects.create(form=live.form)
    rule = RoutingRule.objects.create(
        rule_set=rule_set,
        name="Garden",
        condition={"question": "bin_type", "op": "equals", "value": "garden"},
    )
    Destination.objects.create(
        rule_set=rule_set,
        rule=rule,
        name="Garden team",
        connection=connection,
        mapping={
            "missed": {"answer": "missed_on", "transforms": [{"date_format": "%d/%m/%Y"}]},
            "notes": {"template": "{answer.details}"},
        },
    )


def test_routing_and_mappings_the_draft_would_break_refuse_publishing():
    # Given routed bins, and a draft that drops "details", makes the date text, and drops garden
    live = live_bins_service()
    route_bins(live)
    schema = edits.delete_question(live.schema, "details").schema
    schema = edits.change_type(schema, "missed_on", "short_text").schema
    schema = edits.delete_page(schema, "not-subscribed").schema
    schema = edits.delete_page(schema, "subscription").schema
    schema = edits.edit_question(
        schema, "bin_type", options=[{"value": "general", "label": t("General")}]
    ).schema
    # When it is published, every break is named (a mapping's fields in the order stored)
    assert sorted(refusal(draft(live, schema))) == [
        "Routing would break: Rule ‘Garden’: ‘garden’ is not an option of question ‘bin_type’ "
        "(options: general)",
        "The field mapping of destination “Garden team” would break: Field ‘missed’: transform "
        "1: date_format needs a date (a date answer or meta submitted_at), but the value here "
        "is text",
        "The field mapping of destination “Garden team” would break: Field ‘notes’: question "
        "‘details’ is not in the form",
    ]


def concerns(problems: list[PublishProblem]) -> set[tuple[Any, ...]]:
    return {(p.page_id, p.question_id, p.rule, p.destination, p.welsh) for p in problems}


def test_each_reason_says_which_question_or_page_it_concerns():
    # Given a draft that lacks a Welsh hint and removes the question the exit page branches on
    live = live_bins_service()
    schema = copy.deepcopy(live.schema)
    schema["pages"][0]["questions"][0]["hint"] = {"en": "The lid’s colour"}
    del schema["pages"][1]

    # When the reasons are found, each is tied to its question or page
    assert concerns(find_publish_problems(draft(live, schema))) == {
        ("which-bin", "bin_type", None, None, True),
        ("not-subscribed", None, None, None, False),
    }


def test_each_routing_reason_says_which_rule_or_destination_it_concerns():
    # Given routed bins and a draft that drops "details" and the garden option
    live = live_bins_service()
    route_bins(live)
    schema = edits.delete_question(live.schema, "details").schema
    schema = edits.delete_page(schema, "not-subscribed").schema
    schema = edits.delete_page(schema, "subscription").schema
    schema = edits.edit_question(
        schema, "bin_type", options=[{"value": "general", "label": t("General")}]
    ).schema

    # When the reasons are found, each is tied to its rule or destination
    assert concerns(find_publish_problems(draft(live, schema))) == {
        (None, None, "Garden", None, False),
        (None, None, None, "Garden team", False),
    }


def test_a_draft_that_keeps_what_routing_reads_publishes():
    live = live_bins_service()
    route_bins(live)
    schema = edits.add_question(live.schema, "when", {"type": "email", "label": t("E-mail")})
    new = draft(live, schema.schema)
    publish_version(new)
    new.refresh_from_db()
    assert new.status == FormVersion.Status.LIVE


def test_the_admin_shows_every_reason_a_draft_is_refused(rf, admin_user):
    # Given a draft whose page title and hint lack Welsh
    live = live_bins_service()
    schema = copy.deepcopy(live.schema)
    schema["pages"][0]["title"] = {"en": "Bins"}
    schema["pages"][3]["questions"][1]["hint"] = {"en": "Optional"}
    version = draft(live, schema)
    request = rf.post("/")
    request.user = admin_user
    request.session = {}
    request._messages = FallbackStorage(request)
    # When an admin publishes it with the admin's action
    site._registry[FormVersion].publish(request, FormVersion.objects.filter(pk=version.pk))
    # Then each reason is a message of its own, and it stays a draft
    shown = [str(m) for m in request._messages]
    assert shown == [
        f"{version}: Welsh missing on page “Bins”: the title.",
        f"{version}: Welsh missing on question “Anything else?”: the hint.",
    ]
    version.refresh_from_db()
    assert version.status == FormVersion.Status.DRAFT
