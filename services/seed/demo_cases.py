"""Demo teams and a few hundred realistic cases, so the staff workspace is worth looking at in
`make run`: residents and guests, sent online and by phone, delivered, retrying and failed,
with status updates from the back offices, notes, logged calls and access-log entries, and
photos and letters (services/seed/demo_files.py) that staff and back offices download.

Written with bulk_create (a few hundred rows of each kind in a handful of INSERTs), so `make run`
starts quickly; the search index rows are written here too, since bulk_create sends no
post_save. Cases are made only once: a second run finds them (by the residents' e-mail domain,
DEMO_DOMAIN) and adds nothing. Every name, address and phone number is made up: the addresses
are the demo gazetteer's (services/addresses/data), the numbers Ofcom's drama range.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from services.forms.references import new_reference
from services.models import (
    AccessLog,
    Attempt,
    CaseActivity,
    CaseIndex,
    CaseUpdate,
    Channel,
    Delivery,
    Destination,
    FileFetch,
    FormVersion,
    Service,
    StatusMapping,
    Submission,
    SubmissionFile,
    Team,
)
from services.seed.demo_files import add_files, downloads, fetches
from services.staff.index import index_values

# team -> the services its agents handle
DEMO_TEAMS: dict[str, tuple[str, ...]] = {
    "Streets and waste": (
        "report-missed-bin",
        "book-bulky-waste",
        "request-replacement-bin",
        "report-pothole",
        "report-fly-tipping",
    ),
    "Environmental health": ("report-noise",),
    "Revenues": ("tell-us-you-moved",),
}
STREETS_AND_WASTE = "Streets and waste"
REVENUES = "Revenues"

DEMO_CASES = 400
DEMO_DOMAIN = "residents.example"
GAZETTEER = Path(__file__).resolve().parents[1] / "addresses" / "data" / "demo_gazetteer.csv"

# fmt: off
FIRST_NAMES = (
    "Olwen", "Aled", "Bethan", "Carys", "Dafydd", "Eleri", "Gareth", "Huw", "Ieuan", "Megan",
    "Rhys", "Siân", "Tomos", "Amira", "Ben", "Chloe", "Daniel", "Ellie", "Faisal", "Grace",
    "Harry", "Isla", "Jack", "Kiran", "Leah", "Mohammed", "Niamh", "Oliver", "Priya", "Rosa",
    "Sam", "Tariq", "Uma", "Victor", "Wei", "Yasmin", "Zoe",
)
SURNAMES = (
    "Pritchard", "Jones", "Williams", "Davies", "Evans", "Thomas", "Roberts", "Hughes", "Lewis",
    "Morgan", "Griffiths", "Price", "Khan", "Patel", "Smith", "Taylor", "Brown", "Wilson",
    "Walker", "Wright", "Green", "Hall", "Clarke", "Ahmed", "Okafor", "Nowak", "Murphy", "Kelly",
    "Singh", "Chen",
)
# fmt: on


@dataclass(frozen=True)
class Place:
    uprn: str
    line1: str
    line2: str
    town: str
    postcode: str
    lat: float
    lng: float

    def address(self) -> dict[str, Any]:
        return {
            "uprn": self.uprn,
            "line1": self.line1,
            "line2": self.line2,
            "town": self.town,
            "postcode": self.postcode,
        }

    def location(self, what: str) -> dict[str, Any]:
        street = self.line2 or self.line1
        return {"lat": self.lat, "lng": self.lng, "description": f"{what} outside {street}"}


def seed_demo_teams() -> dict[str, Team]:
    """The demo teams, covering their services (any not seeded yet are left out)."""
    teams = {}
    for name, slugs in DEMO_TEAMS.items():
        team, _ = Team.objects.get_or_create(name=name)
        team.services.set(Service.objects.filter(slug__in=slugs))
        teams[name] = team
    return teams


def demo_cases_exist() -> bool:
    return Submission.objects.filter(contact_email__iendswith=f"@{DEMO_DOMAIN}").exists()


@transaction.atomic
def seed_demo_cases(*, staff: Sequence[Any], count: int = DEMO_CASES, seed: int = 12) -> int:
    """Make `count` demo cases of the demo teams' routed services, once; return how many were
    made (0 when they exist already or nothing is routed yet). `staff` write the notes, take
    the calls and appear in the access log: the first is the one who submits phoned-in forms."""
    if demo_cases_exist() or not staff:
        return 0
    routes = _routes()
    if not routes:
        return 0
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    now = timezone.now()
    places = _places()
    residents = _residents(rng, places, count // 3)
    mappings = _status_mappings([route.destination.connection_id for route in routes])

    submissions: list[Submission] = []
    destination_of: dict[str, Destination] = {}  # by reference
    for _ in range(count):
        route = rng.choice(routes)
        service, destination = route.service, route.destination
        place = rng.choice(places)
        resident = rng.choice(residents) if rng.random() < 0.7 else None
        created = now - dt.timedelta(minutes=rng.randint(5, 60 * 24 * 90))
        phoned = rng.random() < 0.15
        submissions.append(
            Submission(
                reference=new_reference(),
                service=service,
                form_version=route.version,
                user=resident,
                contact_email=resident.email if resident else _email(rng, _name(rng)),
                channel=Channel.PHONE if phoned else Channel.WEB,
                submitted_by=staff[0] if phoned else None,
                language="cy" if rng.random() < 0.1 else "en",
                answers=ANSWERS[service.slug](rng, place, created),
                uprn=place.uprn,
                latitude=place.lat,
                longitude=place.lng,
                created_at=created,
                routing_decision={
                    "round": 1,
                    "decided_at": created.isoformat(),
                    "routed": True,
                    "destinations": [destination.name],
                    "reasons": [f"Every {service.name.lower()} goes to {destination.name}"],
                },
                routing_round=1,
            )
        )
        destination_of[submissions[-1].reference] = destination
    # Their own random source, so adding files left every other demo fact as it was.
    files_rng = random.Random(seed + 1)  # noqa: S311 - demo data, not secrets
    files = add_files(files_rng, submissions)
    Submission.objects.bulk_create(submissions)
    SubmissionFile.objects.bulk_create(files)
    CaseIndex.objects.bulk_create(
        CaseIndex(submission=submission, **index_values(submission)) for submission in submissions
    )
    _deliver(rng, now, submissions, destination_of, mappings)
    _casework(rng, now, submissions, staff)
    FileFetch.objects.bulk_create(fetches(files_rng, files))
    AccessLog.objects.bulk_create(downloads(files_rng, now, files, staff))
    Submission.objects.bulk_update(submissions, ["status"])
    return len(submissions)


# --- What the cases are made of -------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    service: Service
    version: FormVersion
    destination: Destination


def _routes() -> list[Route]:
    """Where each demo team's service sends its cases: its live form and first destination."""
    slugs = [slug for slugs in DEMO_TEAMS.values() for slug in slugs if slug in ANSWERS]
    routes: dict[str, Route] = {}
    for destination in (
        Destination.objects.filter(rule_set__form__service__slug__in=slugs)
        .select_related("connection", "rule_set__form__service")
        .order_by("pk")
    ):
        service = destination.rule_set.form.service
        if service.slug not in routes and (version := service.live_version) is not None:
            routes[service.slug] = Route(service, version, destination)
    return list(routes.values())


def _places() -> list[Place]:
    with GAZETTEER.open(encoding="utf-8", newline="") as file:
        return [
            Place(
                row["UPRN"],
                row["ADDRESS_LINE_1"],
                row["ADDRESS_LINE_2"],
                row["TOWN"],
                row["POSTCODE"],
                float(row["LATITUDE"]),
                float(row["LONGITUDE"]),
            )
            for row in csv.DictReader(file)
        ]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def _email(rng: random.Random, name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    first, last = plain.split(" ", 1)
    return f"{first}.{last}{rng.randint(1, 999)}@{DEMO_DOMAIN}"


def _phone(rng: random.Random) -> str:
    return f"+447700900{rng.randint(0, 999):03d}"  # Ofcom's range for drama: never a real line


def _residents(rng: random.Random, places: list[Place], count: int) -> list[Any]:
    """Residents with accounts (who cannot sign in: no password is usable)."""
    user_model = get_user_model()
    residents: list[Any] = []
    emails: set[str] = set()
    while len(residents) < max(count, 1):
        name = _name(rng)
        email = _email(rng, name)
        if email in emails:
            continue
        emails.add(email)
        resident = user_model(
            email=email,
            full_name=name,
            phone=_phone(rng) if rng.random() < 0.8 else "",
            address=rng.choice(places).address(),
        )
        resident.set_unusable_password()
        residents.append(resident)
    return list(user_model.objects.bulk_create(residents))


def _status_mappings(connection_ids: list[int]) -> dict[int, list[StatusMapping]]:
    """Each connection's statuses in the order a case moves through them (no reopenings)."""
    found: dict[int, list[StatusMapping]] = {pk: [] for pk in connection_ids}
    for mapping in StatusMapping.objects.filter(
        connection_id__in=connection_ids, reopen=False
    ).order_by("pk"):
        found[mapping.connection_id].append(mapping)
    return found


def _progress(mappings: list[StatusMapping]) -> list[StatusMapping]:
    """The open statuses in order, then one closing status: the path of a typical case."""
    closed = {
        Submission.Status.CLOSED_FIXED,
        Submission.Status.CLOSED_NOT_COUNCIL,
        Submission.Status.DUPLICATE,
    }
    open_ = [m for m in mappings if m.portal_status not in closed]
    closing = [m for m in mappings if m.portal_status == Submission.Status.CLOSED_FIXED]
    return open_ + closing[:1]


def _deliver(
    rng: random.Random,
    now: dt.datetime,
    submissions: list[Submission],
    destination_of: dict[str, Destination],
    mappings: dict[int, list[StatusMapping]],
) -> None:
    """One delivery per case: most delivered (a few after a retry), some waiting to retry,
    some failed for good; delivered ones get the back office's status updates."""
    deliveries: list[Delivery] = []
    attempts: list[tuple[Delivery, list[Attempt]]] = []
    updates: list[CaseUpdate] = []
    for submission in submissions:
        destination = destination_of[submission.reference]
        connection = destination.connection
        created = submission.created_at
        recent = now - created < dt.timedelta(days=2)
        roll = rng.random()
        state = (
            Delivery.State.RETRYING
            if recent and roll < 0.4
            else Delivery.State.FAILED
            if roll < 0.08
            else Delivery.State.DELIVERED
        )
        tries = _attempts(rng, state, created)
        delivery = Delivery(
            submission=submission,
            destination=destination,
            connection=connection,
            state=state,
            attempts=len(tries),
            first_attempt_at=tries[0].started_at,
            created_at=created,
            idempotency_key=uuid.uuid4(),
        )
        if state == Delivery.State.DELIVERED:
            delivery.delivered_at = tries[-1].started_at + dt.timedelta(seconds=1)
            delivery.external_reference = (
                f"{connection.slug[:3].upper()}-{rng.randint(10**5, 10**6)}"
            )
            delivery.next_attempt_at = None
        elif state == Delivery.State.RETRYING:
            # Hours ahead: `make run`'s worker retries them later, not all at start-up.
            delivery.next_attempt_at = now + dt.timedelta(minutes=rng.randint(60, 600))
            delivery.last_error = "The back office answered 503 Service Unavailable"
            delivery.alerted_at = now  # the demo sends no alert e-mails at start-up
        else:
            delivery.next_attempt_at = None
            delivery.last_error = "The back office refused the record (400): a field is invalid"
            delivery.alerted_at = tries[-1].started_at
        deliveries.append(delivery)
        attempts.append((delivery, tries))
        if state == Delivery.State.DELIVERED:
            updates += _updates(rng, now, submission, delivery, mappings[connection.pk])
    Delivery.objects.bulk_create(deliveries)
    for delivery, tries in attempts:
        for attempt in tries:
            attempt.delivery = delivery
    Attempt.objects.bulk_create(attempt for _, tries in attempts for attempt in tries)
    CaseUpdate.objects.bulk_create(updates)


def _attempts(rng: random.Random, state: str, created: dt.datetime) -> list[Attempt]:
    if state == Delivery.State.DELIVERED:
        failures = 1 if rng.random() < 0.15 else 0
    else:
        failures = rng.randint(1, 4)
    tries = []
    at = created + dt.timedelta(seconds=rng.randint(1, 20))
    for number in range(1, failures + 2):
        last = number == failures + 1
        if last and state == Delivery.State.RETRYING:
            break
        if not last:
            outcome, code, error = Attempt.Outcome.TRANSIENT, "503", "TransientError"
        elif state == Delivery.State.FAILED:
            outcome, code, error = Attempt.Outcome.PERMANENT, "400", "PermanentError"
        else:
            outcome, code, error = Attempt.Outcome.DELIVERED, "201", ""
        tries.append(
            Attempt(
                number=number,
                started_at=at,
                duration_ms=rng.randint(80, 2500),
                outcome=outcome,
                status_code=code,
                error_class=error,
            )
        )
        at += dt.timedelta(minutes=2**number)
    return tries


def _updates(
    rng: random.Random,
    now: dt.datetime,
    submission: Submission,
    delivery: Delivery,
    mappings: list[StatusMapping],
) -> list[CaseUpdate]:
    path = _progress(mappings)
    if not path or rng.random() < 0.25:
        return []
    age = now - submission.created_at
    steps = path[: rng.randint(1, len(path))]
    updates = []
    for number, mapping in enumerate(steps, start=1):
        occurred = submission.created_at + age * number / (len(steps) + 1)
        updates.append(
            CaseUpdate(
                submission=submission,
                connection=delivery.connection,
                update_id=f"demo-{submission.reference}-{number}",
                external_status=mapping.external_status,
                portal_status=mapping.portal_status,
                occurred_at=occurred,
                received_at=occurred,
                public_text_en=mapping.description_en,
                public_text_cy=mapping.description_cy,
                applied=True,
                outcome=CaseUpdate.Outcome.APPLIED,
                source=(
                    CaseUpdate.Source.CALLBACK
                    if delivery.connection.callback_auth
                    else CaseUpdate.Source.POLL
                ),
            )
        )
    submission.status = steps[-1].portal_status
    return updates


NOTES = (
    "Resident says the crew came but missed the side alley; asked the depot to check.",
    "Checked with the back-office team: this is already on tomorrow's schedule.",
    "Same address reported last month; linked in the back office.",
    "Resident prefers a call after 5pm.",
)
CALLS = (
    ("Resident rang for an update; read out the latest status.", CaseActivity.Outcome.RESOLVED),
    ("Called back about access to the property; no answer.", CaseActivity.Outcome.NO_ANSWER),
    ("Left a voicemail asking them to confirm the location.", CaseActivity.Outcome.LEFT_MESSAGE),
    (
        "Resident unhappy with the wait; promised a call from the team.",
        CaseActivity.Outcome.FOLLOW_UP,
    ),
)


def _casework(
    rng: random.Random, now: dt.datetime, submissions: list[Submission], staff: Sequence[Any]
) -> None:
    """Notes and logged contacts on some cases, and the access-log rows of staff opening
    them, so the timeline and the audit log have something to show."""
    activities: list[CaseActivity] = []
    seen: list[AccessLog] = []
    for submission in submissions:

        def later(submission: Submission = submission) -> dt.datetime:
            """A moment between the case's sending and now."""
            return submission.created_at + (now - submission.created_at) * rng.random()

        if rng.random() < 0.3:
            author = rng.choice(staff)
            if rng.random() < 0.5:
                activities.append(
                    CaseActivity(
                        submission=submission,
                        author=author,
                        kind=CaseActivity.Kind.NOTE,
                        text=rng.choice(NOTES),
                        at=later(),
                    )
                )
            else:
                text, outcome = rng.choice(CALLS)
                activities.append(
                    CaseActivity(
                        submission=submission,
                        author=author,
                        kind=CaseActivity.Kind.PHONE,
                        outcome=outcome,
                        text=text,
                        at=later(),
                    )
                )
        if rng.random() < 0.5:
            seen += _views(rng, submission, staff, later)
    CaseActivity.objects.bulk_create(activities)
    AccessLog.objects.bulk_create(seen)


def _views(
    rng: random.Random,
    submission: Submission,
    staff: Sequence[Any],
    later: Callable[[], dt.datetime],
) -> list[AccessLog]:
    viewer = rng.choice(staff)
    at = later()
    where = ["staff:search", "staff:case"] + (["staff:timeline"] if rng.random() < 0.5 else [])
    # A supervisor opening a Revenues case is outside their own team: they said why.
    reason = (
        "Resident phoned the main line; the revenues desk was closed"
        if viewer is not staff[0] and submission.service.slug in DEMO_TEAMS[REVENUES]
        else ""
    )
    return [
        AccessLog(
            actor=viewer,
            submission=submission,
            subject=submission.user,
            where=place,
            reason="" if place == "staff:search" else reason,
            at=at + dt.timedelta(seconds=20 * n),
        )
        for n, place in enumerate(where)
    ]


# --- Answers, per service -------------------------------------------------------------------------


def _day(rng: random.Random, created: dt.datetime, back: int = 6) -> str:
    return (created.date() - dt.timedelta(days=rng.randint(0, back))).isoformat()


def _missed_bin(rng: random.Random, place: Place, created: dt.datetime) -> dict[str, Any]:
    bin_type = rng.choice(["general", "recycling", "food", "garden"])
    answers: dict[str, Any] = {
        "collection_address": place.address(),
        "bin_type": bin_type,
        "collection_date": _day(rng, created, 2),
        "put_out_by_7am": "yes",
        "details": rng.choice(
            ["", "Bin was left at the kerb by the gate.", "Whole street missed."]
        ),
    }
    if bin_type == "garden":
        answers["garden_subscription"] = "yes"
    return answers


def _bulky_waste(rng: random.Random, place: Place, created: dt.datetime) -> dict[str, Any]:
    return {
        "collection_address": place.address(),
        "items": rng.sample(["sofa", "armchair", "mattress", "bed-frame"], rng.randint(1, 2)),
        "preferred_date": (created.date() + dt.timedelta(days=rng.randint(5, 20))).isoformat(),
        "where_left": rng.choice(["Front garden", "By the side gate", "On the driveway"]),
    }


def _replacement_bin(rng: random.Random, place: Place, created: dt.datetime) -> dict[str, Any]:
    return {
        "bin_address": place.address(),
        "bin_type": rng.choice(["general", "recycling", "food"]),
        "reason": "damaged",
        "damage": rng.choice(["The lid has snapped off.", "Cracked down one side; it leaks."]),
    }


def _pothole(rng: random.Random, place: Place, created: dt.datetime) -> dict[str, Any]:
    return {
        "immediate_danger": "no",
        "pothole_location": place.location("Pothole in the road"),
        "surface": rng.choice(["road", "pavement", "cycle-lane"]),
        "pothole_size": rng.choice(["small", "medium", "large"]),
    }


def _fly_tipping(rng: random.Random, place: Place, created: dt.datetime) -> dict[str, Any]:
    return {
        "private_land": "no",
        "tipping_location": place.location("Rubbish dumped on the verge"),
        "waste_type": rng.sample(["household", "garden", "building", "furniture"], 2),
        "amount": rng.choice(["single", "car-boot", "van"]),
        "witnessed": "no",
    }


def _noise(rng: random.Random, place: Place, created: dt.datetime) -> dict[str, Any]:
    return {
        "noise_type": rng.choice(["music", "dog", "alarm", "construction"]),
        "source": f"A neighbour near {place.line2 or place.line1}",
        "times": rng.sample(["morning", "afternoon", "evening", "night"], 2),
        "started": _day(rng, created, 30),
        "ongoing": "yes",
        "frequency": rng.choice(["daily", "weekly", "occasionally"]),
        "effect": "We cannot sleep and the children are tired at school.",
    }


def _moved(rng: random.Random, place: Place, created: dt.datetime) -> dict[str, Any]:
    return {
        "liable": "yes",
        "old_address": place.address(),
        "move_date": _day(rng, created, 40),
        "moving_to": "away",
        "tenure": rng.choice(["own", "rent-private", "rent-social"]),
        "other_adults": "no",
        "forwarding_address": {
            "uprn": None,
            "line1": f"{rng.randint(1, 90)} Station Road",
            "line2": "",
            "town": "Cardiff",
            "postcode": "CF10 1AA",
        },
    }


ANSWERS: dict[str, Callable[[random.Random, Place, dt.datetime], dict[str, Any]]] = {
    "report-missed-bin": _missed_bin,
    "book-bulky-waste": _bulky_waste,
    "request-replacement-bin": _replacement_bin,
    "report-pothole": _pothole,
    "report-fly-tipping": _fly_tipping,
    "report-noise": _noise,
    "tell-us-you-moved": _moved,
}
