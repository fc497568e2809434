import io

import pytest
from django.core.management import call_command
from django.utils import translation

from services.forms.navigation import first_page, next_page
from services.forms.schema import parse_schema
from services.models import FormVersion, Service
from services.seed import SERVICES, _publish_if_changed, seed_catalogue

REQUIRED_SLUGS = {
    "report-missed-bin",
    "report-pothole",
    "report-fly-tipping",
    "book-bulky-waste",
    "request-replacement-bin",
    "report-noise",
    "tell-us-you-moved",
    "apply-resident-parking-permit",
}


@pytest.mark.parametrize("seed", SERVICES, ids=lambda s: s.slug)
def test_every_seeded_schema_is_valid_and_welsh_throughout(seed):
    schema = parse_schema(seed.schema)
    texts = [q.label for q in schema.questions] + [
        o.label for q in schema.questions for o in q.options
    ]
    texts += [p.title for p in schema.pages if p.title] + [p.body for p in schema.pages if p.body]
    assert all(text.cy for text in texts), [text.en for text in texts if not text.cy]


@pytest.mark.parametrize("seed", SERVICES, ids=lambda s: s.slug)
def test_every_seeded_schema_branches_or_ends_in_an_exit_somewhere(seed):
    schema = parse_schema(seed.schema)
    assert any(p.show_if is not None for p in schema.pages)


@pytest.mark.django_db
def test_seeding_creates_the_eight_services_each_with_a_live_form():
    seed_catalogue()
    assert set(Service.objects.values_list("slug", flat=True)) >= REQUIRED_SLUGS
    for service in Service.objects.all():
        assert service.live_version is not None
        assert first_page(service.live_version.parsed).id


@pytest.mark.django_db
def test_seeding_twice_changes_nothing():
    seed_catalogue()
    call_command("seed_catalogue", stdout=io.StringIO())
    assert Service.objects.count() == len(SERVICES)
    assert FormVersion.objects.count() == len(SERVICES)


@pytest.mark.django_db
def test_a_changed_seed_schema_is_published_as_a_new_version_archiving_the_old():
    seed_catalogue()
    changed = {"pages": [dict(p) for p in SERVICES[0].schema["pages"]]}
    changed["pages"][-1] = {**changed["pages"][-1], "id": "anything-else"}
    service = Service.objects.get(slug=SERVICES[0].slug)
    _publish_if_changed(service, changed)
    versions = list(service.form.versions.order_by("number").values_list("number", "status"))
    assert versions == [(1, "archived"), (2, "live")]


@pytest.mark.django_db
def test_service_text_is_translated():
    seed_catalogue()
    service = Service.objects.get(slug="report-pothole")
    with translation.override("cy"):
        assert service.name == "Rhoi gwybod am dwll yn y ffordd"
    with translation.override("en"):
        assert service.name == "Report a pothole"


def test_the_parking_journey_reaches_the_declaration():
    schema = parse_schema(
        next(s for s in SERVICES if s.slug == "apply-resident-parking-permit").schema
    )
    answers = {"in_zone": "yes", "registered_keeper": "yes"}
    page, path = first_page(schema), []
    while page is not None:
        path.append(page.id)
        page = next_page(schema, answers, page.id)
    assert path == ["in-zone", "address", "vehicle", "keeper", "length", "confirm"]
