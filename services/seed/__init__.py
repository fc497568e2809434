# ruff: noqa: E501  (seeded prose reads better unbroken than split mid-sentence)
"""The seeded catalogue: realistic topics, services and live forms for demos and tests.

`seed_catalogue()` is idempotent: topics and services are updated by slug, and a form gets a
new live version only when its seeded schema differs from the live one (the old version is
archived, never edited). Welsh text is a plausible translation that NEEDS REVIEW.

A new service is seeded NOT live: a service may only take submissions once its routing sends
them somewhere (Service.unrouted_reason). `make run` then runs `seed_demo_routing`, which routes
every seeded service to a demo back office and makes it live; a council routes them itself
(`routing import`, the admin) and makes them live in the admin. A service already live stays so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from services.catalogue import publish_version
from services.models import Form, FormVersion, Service, Topic
from services.seed.council_tax import MOVING_HOME
from services.seed.environment import NOISE
from services.seed.parking import RESIDENT_PERMIT
from services.seed.streets import FLY_TIPPING, POTHOLE
from services.seed.waste import BULKY_WASTE, MISSED_BIN, REPLACEMENT_BIN

TOPICS = [
    # slug, order, English, Welsh
    ("bins-and-recycling", 1, "Bins and recycling", "Biniau ac ailgylchu"),
    ("roads-and-streets", 2, "Roads and streets", "Ffyrdd a strydoedd"),
    ("environment", 3, "Environment and noise", "Yr amgylchedd a sŵn"),
    ("council-tax", 4, "Council Tax", "Treth Gyngor"),
    ("parking", 5, "Parking", "Parcio"),
]

PHONE = (
    "Call 01234 567890, Monday to Friday, 9am to 5pm.",
    "Ffoniwch 01234 567890, dydd Llun i ddydd Gwener, 9am i 5pm.",
)
IN_PERSON = (
    "Visit the Civic Centre, High Street, Monday to Friday, 9am to 4pm.",
    "Ewch i'r Ganolfan Ddinesig, Stryd Fawr, dydd Llun i ddydd Gwener, 9am i 4pm.",
)


@dataclass(frozen=True)
class SeedService:
    slug: str
    topic: str
    order: int
    name: tuple[str, str]
    summary: tuple[str, str]
    what_you_need: tuple[str, str]
    how_long: tuple[str, str]
    schema: dict[str, Any]
    allow_guests: bool = True


# The demo council's target times, in working days (shown on each request: services/my_requests.py).
# Typical of English and Welsh councils' published service standards; a service not named here
# promises no time.
TARGET_WORKING_DAYS = {
    "report-missed-bin": 2,
    "request-replacement-bin": 10,
    "report-pothole": 5,
    "report-fly-tipping": 3,
    "report-noise": 5,
    "tell-us-you-moved": 10,
    "apply-resident-parking-permit": 10,
}

SERVICES = [
    SeedService(
        "report-missed-bin",
        "bins-and-recycling",
        1,
        ("Report a missed bin collection", "Rhoi gwybod am gasgliad bin a fethwyd"),
        (
            "Tell us if we did not empty your bin on collection day.",
            "Rhowch wybod i ni os na wnaethom wagio'ch bin ar y diwrnod casglu.",
        ),
        (
            "You need your address and the date of the missed collection. Wait until the end of collection day before reporting.",
            "Mae angen eich cyfeiriad a dyddiad y casgliad a fethwyd. Arhoswch tan ddiwedd y diwrnod casglu cyn rhoi gwybod.",
        ),
        ("It takes about 3 minutes.", "Mae'n cymryd tua 3 munud."),
        MISSED_BIN,
    ),
    SeedService(
        "book-bulky-waste",
        "bins-and-recycling",
        2,
        ("Book a bulky waste collection", "Archebu casgliad gwastraff swmpus"),
        (
            "Book a collection of up to 5 large household items, such as furniture or fridges.",
            "Archebwch gasgliad o hyd at 5 eitem fawr o'r cartref, fel dodrefn neu oergelloedd.",
        ),
        (
            "You need a list of the items and a date at least one day from now.",
            "Mae angen rhestr o'r eitemau a dyddiad o leiaf un diwrnod o nawr.",
        ),
        ("It takes about 5 minutes.", "Mae'n cymryd tua 5 munud."),
        BULKY_WASTE,
        False,
    ),
    SeedService(
        "request-replacement-bin",
        "bins-and-recycling",
        3,
        ("Request a replacement bin", "Gofyn am fin newydd"),
        (
            "Ask for a new bin if yours is damaged, stolen or missing.",
            "Gofynnwch am fin newydd os yw'ch un chi wedi'i ddifrodi, ei ddwyn neu ar goll.",
        ),
        (
            "If your bin was stolen, you need a crime reference number from the police.",
            "Os cafodd eich bin ei ddwyn, mae angen cyfeirnod trosedd gan yr heddlu.",
        ),
        ("It takes about 3 minutes.", "Mae'n cymryd tua 3 munud."),
        REPLACEMENT_BIN,
    ),
    SeedService(
        "report-pothole",
        "roads-and-streets",
        1,
        ("Report a pothole", "Rhoi gwybod am dwll yn y ffordd"),
        (
            "Tell us about a pothole on a road, pavement or cycle lane.",
            "Rhowch wybod i ni am dwll mewn ffordd, palmant neu lôn feicio.",
        ),
        (
            "You need to know where the pothole is. A photo helps.",
            "Mae angen i chi wybod ble mae'r twll. Mae llun yn helpu.",
        ),
        ("It takes about 3 minutes.", "Mae'n cymryd tua 3 munud."),
        POTHOLE,
    ),
    SeedService(
        "report-fly-tipping",
        "roads-and-streets",
        2,
        ("Report fly-tipping", "Rhoi gwybod am dipio anghyfreithlon"),
        (
            "Tell us about rubbish dumped on public land.",
            "Rhowch wybod i ni am sbwriel wedi'i adael ar dir cyhoeddus.",
        ),
        (
            "You need to know where it is and what was dumped. A photo helps.",
            "Mae angen i chi wybod ble mae a beth a adawyd. Mae llun yn helpu.",
        ),
        ("It takes about 4 minutes.", "Mae'n cymryd tua 4 munud."),
        FLY_TIPPING,
    ),
    SeedService(
        "report-noise",
        "environment",
        1,
        ("Report a noise problem", "Rhoi gwybod am broblem sŵn"),
        (
            "Complain about noise from a neighbour, business or alarm.",
            "Cwyno am sŵn gan gymydog, busnes neu larwm.",
        ),
        (
            "You need to know where the noise comes from and when it happens.",
            "Mae angen i chi wybod o ble mae'r sŵn yn dod a phryd mae'n digwydd.",
        ),
        ("It takes about 5 minutes.", "Mae'n cymryd tua 5 munud."),
        NOISE,
    ),
    SeedService(
        "tell-us-you-moved",
        "council-tax",
        1,
        ("Tell us you have moved home", "Rhoi gwybod i ni eich bod wedi symud cartref"),
        (
            "Update your Council Tax when you move in to, out of or within the area.",
            "Diweddarwch eich Treth Gyngor pan fyddwch yn symud i mewn i'r ardal, allan ohoni neu o fewn iddi.",
        ),
        (
            "You need your old and new addresses and the date you moved.",
            "Mae angen eich hen gyfeiriad a'ch cyfeiriad newydd a'r dyddiad y gwnaethoch symud.",
        ),
        ("It takes about 5 minutes.", "Mae'n cymryd tua 5 munud."),
        MOVING_HOME,
        False,
    ),
    SeedService(
        "apply-resident-parking-permit",
        "parking",
        1,
        ("Apply for a resident parking permit", "Gwneud cais am drwydded parcio i breswylwyr"),
        (
            "Apply for a permit to park in your resident parking zone.",
            "Gwnewch gais am drwydded i barcio yn eich parth parcio i breswylwyr.",
        ),
        (
            "You need your vehicle registration number. If the vehicle is not registered to you, you need a letter from its owner.",
            "Mae angen rhif cofrestru eich cerbyd. Os nad yw'r cerbyd wedi'i gofrestru i chi, mae angen llythyr gan ei berchennog.",
        ),
        ("It takes about 5 minutes.", "Mae'n cymryd tua 5 munud."),
        RESIDENT_PERMIT,
        False,
    ),
]


@transaction.atomic
def seed_catalogue() -> list[Service]:
    """Create or update the seeded topics, services and live form versions; returns the services."""
    topics = {}
    for slug, order, name_en, name_cy in TOPICS:
        topics[slug], _ = Topic.objects.update_or_create(
            slug=slug, defaults={"order": order, "name_en": name_en, "name_cy": name_cy}
        )
    services = []
    for seed in SERVICES:
        service, _ = Service.objects.update_or_create(
            slug=seed.slug,
            defaults={
                "topic": topics[seed.topic],
                "order": seed.order,
                "allow_guests": seed.allow_guests,
                "target_working_days": TARGET_WORKING_DAYS.get(seed.slug),
                **_bilingual("name", seed.name),
                **_bilingual("summary", seed.summary),
                **_bilingual("what_you_need", seed.what_you_need),
                **_bilingual("how_long", seed.how_long),
                **_bilingual("other_ways_phone", PHONE),
                **_bilingual("other_ways_in_person", IN_PERSON),
            },
        )
        _publish_if_changed(service, seed.schema)
        services.append(service)
    return services


def _bilingual(field: str, values: tuple[str, str]) -> dict[str, str]:
    return {f"{field}_en": values[0], f"{field}_cy": values[1]}


def _publish_if_changed(service: Service, schema: dict[str, Any]) -> None:
    form, _ = Form.objects.get_or_create(service=service)
    live = form.live_version
    if live is not None and live.schema == schema:
        return
    draft = FormVersion.objects.create(form=form, schema=schema)
    publish_version(draft)
