"""seed_demo_routing: DEBUG only, idempotent, every seeded service is routed, and every file a
seeded form asks for is carried to each back office its service goes to."""

import io

import pytest
from django.core.management import CommandError, call_command

from integrations.base import DeliveryFile, files_in
from services.models import Connection, Destination, Service, StatusMapping
from services.routing.mapping import MappingContext, build_payload
from services.seed import seed_catalogue
from tests.file_samples import pdf_bytes

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo_routing", *args, stdout=out)
    return out.getvalue()


def test_it_refuses_to_put_public_demo_secrets_on_a_portal_with_debug_off(settings):
    settings.DEBUG = False
    seed_catalogue()

    with pytest.raises(CommandError, match="DEBUG is off"):
        seed()

    assert not Connection.objects.exists()


def test_every_seeded_service_is_routed_and_a_second_run_changes_nothing(settings):
    settings.DEBUG = True
    seed_catalogue()

    first = seed()
    second = seed()

    assert "Create connection ‘waste-system’" in first
    assert second.strip() == "Demo routing: no changes."
    for service in Service.objects.all():
        assert service.form.routing.destinations.exists(), service.slug
    waste = Connection.objects.get(slug="waste-system")
    assert waste.secrets == {"password": "simulator-password"}
    assert StatusMapping.objects.get(connection=waste, external_status="COMPLETED").portal_status
    assert Connection.objects.get(slug="generic-cases").callback_secret


def test_every_seeded_file_question_reaches_each_back_office_its_service_goes_to(settings):
    # Given the catalogue and the demo routing, as `make run` seeds them
    settings.DEBUG = True
    seed_catalogue()
    seed()
    checked = []
    for destination in Destination.objects.select_related("rule_set__form__service", "connection"):
        version = destination.rule_set.form.live_version
        assert version is not None
        schema = version.parsed
        asked = [question.id for question in schema.questions if question.type == "file"]
        if not asked:
            continue
        # When every file question is answered, and only those (so a file's route does not
        # hang on another answer)
        files = {
            question: DeliveryFile.from_bytes(
                question, f"{question}.pdf", "application/pdf", pdf_bytes()
            )
            for question in asked
        }
        answers = {question: {"reference": f"uploads/{question}.pdf"} for question in asked}
        context = MappingContext(answers=answers, schema=schema, files=files)

        # Then the destination's payload carries each of them, for its adapter to send
        sent = [upload.id for upload in files_in(build_payload(destination.mapping, context))]
        where = f"{destination.rule_set.form.service.slug} -> {destination.connection.slug}"
        assert sorted(sent) == sorted(asked), where
        checked.append(where)

    assert sorted(checked) == [
        "apply-resident-parking-permit -> generic-cases",
        "apply-resident-parking-permit -> parking-system",
        "report-fly-tipping -> crm",
        "report-pothole -> highways",
    ]
