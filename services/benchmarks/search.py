"""`make bench-search`: how fast the staff workspace's case search is over a million cases.

A benchmark, not a test: it prints numbers and asserts nothing. It
  1. loads --cases realistic submissions (default 1,000,000), each with its CaseIndex row and a
     delivery, and the residents behind 70% of them, into its own database with COPY (the
     secondary indexes dropped first and built after, foreign keys not checked row by row),
     once: a later run reuses them unless --reload;
  2. for each kind of query a caller gives (reference, name, e-mail, phone, postcode, address
     words) and a filtered list (no text; status, delivery state), runs the workspace's own
     search code, `services.staff.search.search_cases`, paged as the search page pages it
     (`SearchPaginator`: the count, up to COUNT_LIMIT, and the first page), as an agent of a
     team and as a supervisor, --repeats times with values drawn from the loaded cases;
  3. runs the same query shapes as plain indexed SQL, one column each and no scope (the floor;
     its count also stops at COUNT_LIMIT + 1);
  4. prints p50 and p95 of each, and the product's p95 over the floor's (target p95 < 100 ms).

It runs on a database of its own (DATABASE_URL, `portal_bench` from the Makefile; created and
migrated if missing), whose submissions, deliveries and accounts it replaces when it loads.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import io
import itertools
import json
import os
import random
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import django

from services.benchmarks.database import create_database

TARGET_MS = 100.0
BENCH_DOMAIN = "bench.example"
CHUNK = 100_000
NOT_DUE_UNTIL = "2999-01-01T00:00:00Z"
TABLES = ("accounts_user", "services_submission", "services_caseindex", "services_delivery")

# fmt: off
FIRST_NAMES = (
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Rosie", "Sophia",
    "Grace", "Freya", "Willow", "Florence", "Emily", "Ella", "Poppy", "Evie", "Elsie", "Charlotte",
    "Evelyn", "Sienna", "Sofia", "Daisy", "Phoebe", "Alice", "Harper", "Ruby", "Matilda", "Emilia",
    "Noah", "Oliver", "George", "Arthur", "Muhammad", "Leo", "Harry", "Oscar", "Archie", "Henry",
    "Theodore", "Freddie", "Jack", "Charlie", "Theo", "Alfie", "Jacob", "Thomas", "Finley", "Arlo",
    "William", "Lucas", "Roman", "Tommy", "Isaac", "Teddy", "Alexander", "Luca", "Edward", "James",
    "Joshua", "Albie", "Elijah", "Max", "Mohammed", "Reuben", "Mason", "Sebastian", "Rory", "Jude",
    "Louie", "Benjamin", "Ethan", "Adam", "Hugo", "Joseph", "Reggie", "Ronnie", "Louis", "Frankie",
    "Hudson", "Owen", "Dafydd", "Rhys", "Gwen", "Ffion", "Cerys", "Iwan", "Siôn", "Aled", "Eleri",
    "Owain", "Bethan", "Gethin", "Nia", "Tegan", "Catrin",
)
SURNAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Thomas", "Clarke", "Jackson", "Wood", "Harris", "Edwards", "Turner", "Martin", "Cooper",
    "Hill", "Ward", "Hughes", "Moore", "Clark", "King", "Harrison", "Lewis", "Baker", "Lee",
    "Allen", "Morris", "Khan", "Scott", "Watson", "Davis", "Parker", "James", "Bennett", "Young",
    "Phillips", "Richardson", "Mitchell", "Bailey", "Carter", "Cook", "Singh", "Shaw", "Bell",
    "Collins", "Morgan", "Kelly", "Begum", "Miller", "Cox", "Hussain", "Marshall", "Simpson",
    "Price", "Anderson", "Adams", "Wilkinson", "Ali", "Ahmed", "Foster", "Ellis", "Murphy",
    "Chapman", "Mason", "Gray", "Richards", "Webb", "Griffiths", "Hunt", "Palmer", "Campbell",
    "Holmes", "Mills", "Rogers", "Barnes", "Knight", "Matthews", "Barker", "Powell", "Stevens",
    "Kaur", "Fisher", "Butler", "Dixon", "Russell", "Harvey", "Pearson", "Graham", "Pritchard",
    "Llewellyn", "Rees", "Jenkins", "Howells", "Bowen", "Powell", "Owen", "Vaughan", "Lloyd",
    "Prosser", "Okafor", "Nowak", "Kowalski", "Chen", "Nguyen",
)
STREET_NAMES = (
    "Mill", "Church", "Station", "Victoria", "Park", "Oak", "Ash", "Elm", "Beech", "Willow",
    "Meadow", "Orchard", "Brook", "Manor", "Chapel", "School", "Bridge", "Castle", "Queen", "King",
    "Albert", "Windsor", "York", "Cedar", "Maple", "Hawthorn", "Rowan", "Holly", "Ivy", "Hazel",
    "Birch", "Fern", "Heather", "Primrose", "Bluebell", "Foxglove", "Clover", "Kingfisher",
    "Heron", "Swallow", "Robin", "Wren", "Lark", "Falcon", "Mount", "Hill", "Valley", "River",
    "Spring", "Well", "Green", "Common", "Forge", "Market", "Union", "Wesley", "Tudor", "Stuart",
    "Nelson", "Wellington", "Cromwell", "Shakespeare", "Milton", "Byron",
)
STREET_KINDS = (
    "Road", "Street", "Lane", "Close", "Avenue", "Way", "Drive", "Grove", "Crescent", "Place",
    "Gardens", "Terrace",
)
TOWNS = (
    "Middlehampton", "Eastbury", "Westford", "Northcote", "Southwick", "Lower Denby",
    "Upper Denby", "Kingsmead", "Ashbourne Vale", "Brookfield", "Castleton", "Hillside",
)
POSTCODE_AREAS = ("MH", "EB", "WF", "NC", "SW", "LD", "KM", "AV", "BF", "CT", "HS", "DN")
# fmt: on
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
SERVICE_WEIGHTS = (30, 8, 6, 20, 12, 10, 8, 6)  # missed bins are most of a council's reports


@dataclass(frozen=True)
class Street:
    line: str  # "Mill Lane"
    town: str
    postcodes: tuple[str, ...]
    uprn_base: int


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Case search benchmark over a million cases")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=40, help="queries per kind")
    parser.add_argument("--reload", action="store_true", help="load the cases again")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    create_database(os.environ["DATABASE_URL"])
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("bench-search needs PostgreSQL: set DATABASE_URL")
    call_command("migrate", verbosity=0)

    if args.reload or not _loaded(args.cases):
        started = time.monotonic()
        _load(args.cases)
        print(f"loaded {args.cases:,} cases in {time.monotonic() - started:.0f} s")
    else:
        print(f"reusing the {args.cases:,} cases already loaded (--reload to load again)")

    agent, supervisor = _staff()
    rng = random.Random(7)  # noqa: S311 - benchmark data, not secrets
    samples = _samples(rng, args.repeats)
    print(
        f"\n{'query':<16}{'agent p50':>10}{'p95':>8}{'supervisor p50':>16}{'p95':>8}"
        f"{'floor p50':>11}{'p95':>8}{'p95/floor':>11}  (ms; target p95 < {TARGET_MS:.0f})"
    )
    for kind, values in samples.items():
        as_agent = _timings(values, functools.partial(_product, agent, kind))
        as_supervisor = _timings(values, functools.partial(_product, supervisor, kind))
        floor = _timings(values, functools.partial(_floor, kind))
        worst = max(_p95(as_agent), _p95(as_supervisor))
        verdict = "ok" if worst < TARGET_MS else "MISSES THE TARGET"
        print(
            f"{kind:<16}{_p50(as_agent):>10.1f}{_p95(as_agent):>8.1f}"
            f"{_p50(as_supervisor):>16.1f}{_p95(as_supervisor):>8.1f}"
            f"{_p50(floor):>11.1f}{_p95(floor):>8.1f}{worst / max(_p95(floor), 0.01):>11.1f}"
            f"  {verdict}"
        )


# --- The product and the floor --------------------------------------------------------------------


def _product(user: Any, kind: str, value: str) -> int:
    """What the search page asks for: the matching cases' count and first page."""
    from services.staff.search import PAGE_SIZE, CaseQuery, SearchPaginator, search_cases

    if kind == "filtered list":
        status, delivery = value.split("|")
        query = CaseQuery(status=status, delivery=delivery)
    else:
        query = CaseQuery(text=value)
    page = SearchPaginator(search_cases(user, query), PAGE_SIZE).get_page(1)
    return len(list(page.object_list))


# kind -> the one CaseIndex column plain SQL compares with (the normalised form of `value`)
FLOOR_COLUMNS = {
    "name": "names",
    "phone": "phones",
    "postcode": "postcodes",
    "address words": "addresses",
}


def _floor(kind: str, value: str) -> int:
    """The same question as plain SQL on the one indexed column it needs, with no scope: the
    count (up to 1,001, as the page's) and the newest 25, as the page asks."""
    from django.db import connection

    with connection.cursor() as cursor:
        if kind == "reference":
            compact = value.replace(" ", "").upper()
            cursor.execute(
                "SELECT id, reference, created_at FROM services_submission WHERE reference = %s",
                [f"{compact[:4]}-{compact[4:]}"],
            )
            return len(cursor.fetchall())
        if kind == "filtered list":
            status, _ = value.split("|")
            shape = (
                "FROM services_submission s WHERE s.status = %s AND EXISTS (SELECT 1 FROM"
                " services_delivery d WHERE d.submission_id = s.id AND d.state = 'failed')"
            )
            counted = f"SELECT count(*) FROM (SELECT 1 {shape} LIMIT 1001) c"  # noqa: S608
            cursor.execute(counted, [status])
            cursor.execute(
                f"SELECT s.* {shape} ORDER BY s.created_at DESC, s.id DESC LIMIT 25",
                [status],
            )
            return len(cursor.fetchall())
        params: list[Any]
        if kind == "e-mail":  # a whole address: the GIN index of the address lists
            where, params = "string_to_array(ci.emails, ' ') @> %s", [[value.lower()]]
        else:
            where, params = f"ci.{FLOOR_COLUMNS[kind]} LIKE %s", [f"%{_normalised(kind, value)}%"]
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM services_caseindex ci WHERE {where}"  # noqa: S608
            " LIMIT 1001) c",
            params,
        )
        cursor.execute(
            "SELECT s.* FROM services_caseindex ci JOIN services_submission s"  # noqa: S608
            f" ON s.id = ci.submission_id WHERE {where}"
            " ORDER BY s.created_at DESC, s.id DESC LIMIT 25",
            params,
        )
        return len(cursor.fetchall())


def _normalised(kind: str, value: str) -> str:
    from services.staff.normalise import phone_key, postcode_key, text_key

    if kind == "phone":
        return phone_key(value) or ""
    if kind == "postcode":
        return postcode_key(value) or ""
    return text_key(value)


def _timings(values: list[str], run: Callable[[str], int]) -> list[float]:
    run(values[0])  # warm: plans, caches, the first connection
    timings = []
    for value in values:
        started = time.perf_counter()
        run(value)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def _p50(timings: list[float]) -> float:
    return statistics.median(timings)


def _p95(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=20)[18] if len(timings) >= 2 else timings[0]


# --- What is searched for -------------------------------------------------------------------------


def _samples(rng: random.Random, repeats: int) -> dict[str, list[str]]:
    """Values as a caller reads them out, from cases picked at random among those loaded."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM services_submission")
        top = cursor.fetchone()[0]
        ids = rng.sample(range(1, top + 1), repeats * 3)
        cursor.execute(
            "SELECT s.reference, u.full_name, u.email, u.phone, s.answers"
            " FROM services_submission s JOIN accounts_user u ON u.id = s.user_id"
            " WHERE s.id = ANY(%s) LIMIT %s",
            [ids, repeats],
        )
        rows = cursor.fetchall()
    kinds = ("reference", "name", "e-mail", "phone", "postcode", "address words")
    found: dict[str, list[str]] = {kind: [] for kind in kinds}
    for reference, name, email, phone, answers in rows:
        address = (answers if isinstance(answers, dict) else json.loads(answers))["address"]
        found["reference"].append(reference.lower().replace("-", " "))  # "k7wp 3xmr"
        found["name"].append(name)
        found["e-mail"].append(email)
        found["phone"].append("0" + phone[3:7] + " " + phone[7:])  # "07700 900123"
        found["postcode"].append(address["postcode"])
        found["address words"].append(address["line1"])  # "12 Mill Lane"
    statuses = ("received", "in_progress", "action_scheduled", "closed_fixed")
    found["filtered list"] = [f"{rng.choice(statuses)}|failed" for _ in range(repeats)]
    return found


def _staff() -> tuple[Any, Any]:
    """An agent whose team covers most services, and a supervisor (every team's cases)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from services.models import Service, Team

    user_model = get_user_model()
    team, _ = Team.objects.get_or_create(name="Bench streets and waste")
    team.services.set(Service.objects.order_by("pk")[:5])
    people = []
    for name, codenames in (
        ("agent", ["use_workspace"]),
        ("supervisor", ["use_workspace", "see_every_team"]),
    ):
        user, _ = user_model.objects.get_or_create(email=f"{name}@staff.{BENCH_DOMAIN}")
        user.user_permissions.set(
            Permission.objects.filter(content_type__app_label="services", codename__in=codenames)
        )
        team.members.add(user)
        people.append(user_model.objects.get(pk=user.pk))  # no cached permissions
    return people[0], people[1]


# --- Loading --------------------------------------------------------------------------------------


def _loaded(cases: int) -> bool:
    from services.models import CaseIndex, Submission

    return Submission.objects.count() == cases and CaseIndex.objects.count() == cases


def _load(cases: int) -> None:
    """Replace the bench's cases with `cases` new ones, by COPY, then build the indexes."""
    from django.core.management import call_command
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        # CASCADE: everything that names a person or a case goes too (form versions name the
        # staff who made them: the catalogue is seeded again next).
        cursor.execute(
            "TRUNCATE accounts_user, services_submission, services_caseindex,"
            " services_delivery, services_team RESTART IDENTITY CASCADE"
        )
    call_command("seed_catalogue", verbosity=0)
    versions, destination = _routing()
    rng = random.Random(2026)  # noqa: S311 - benchmark data, not secrets
    streets = _streets(rng, max(cases // 200, 100))
    users = cases * 3 // 10
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        # Foreign keys are not checked row by row while loading: the rows are made consistent.
        cursor.execute("SET LOCAL session_replication_role = replica")
        indexes = _drop_secondary_indexes(cursor)
        raw = cursor.cursor  # psycopg2's, for COPY
        started = time.monotonic()
        people = list(_people(rng, streets, users))
        _copy(raw, "accounts_user", USER_COLUMNS, [_user_row(p) for p in people])
        # In chunks, so a million cases never sit in memory at once.
        made = _cases(rng, cases, people, streets, versions)
        while chunk := list(itertools.islice(made, CHUNK)):
            _copy(raw, "services_submission", SUBMISSION_COLUMNS, [row[0] for row in chunk])
            _copy(raw, "services_caseindex", INDEX_COLUMNS, [row[1] for row in chunk])
            _copy(raw, "services_delivery", DELIVERY_COLUMNS, _deliveries(rng, chunk, destination))
        for table in ("accounts_user", "services_submission", "services_delivery"):
            _reset_sequence(cursor, table)
        copied = time.monotonic()
        for sql in indexes:
            cursor.execute(sql)
        indexed = time.monotonic()
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(
        f"  made and copied the rows in {copied - started:.0f} s, built {len(indexes)} indexes"
        f" in {indexed - copied:.0f} s, vacuumed in {time.monotonic() - indexed:.0f} s"
    )


def _routing() -> tuple[list[tuple[int, int]], Any]:
    """(service id, form version id) of each seeded form, and a destination for deliveries."""
    from services.models import Connection, Destination, FormVersion, RoutingRuleSet

    versions = [
        (version.form.service_id, version.pk)
        for version in FormVersion.objects.filter(status=FormVersion.Status.LIVE)
        .select_related("form")
        .order_by("form__service_id")
    ]
    connection, _ = Connection.objects.get_or_create(
        slug="bench-cases", defaults={"name": "Bench case system", "adapter": "webhook"}
    )
    first_form = FormVersion.objects.get(pk=versions[0][1]).form
    rule_set, _ = RoutingRuleSet.objects.get_or_create(form=first_form)
    destination, _ = Destination.objects.get_or_create(
        rule_set=rule_set, rule=None, connection=connection, defaults={"name": "Bench"}
    )
    return versions, destination


def _drop_secondary_indexes(cursor: Any) -> list[str]:
    """Drop the loaded tables' indexes that no constraint owns; return how to make them again
    (building an index once over a million rows is far quicker than keeping it up on COPY)."""
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " WHERE i.indrelid::regclass::text = ANY(%s)"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [list(TABLES)],
    )
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in found]


def _streets(rng: random.Random, count: int) -> list[Street]:
    streets = []
    for n in range(count):
        area = rng.choice(POSTCODE_AREAS)
        district = rng.randint(1, 30)
        postcodes = tuple(
            f"{area}{district} {rng.randint(1, 9)}{rng.choice(UNIT_LETTERS)}"
            f"{rng.choice(UNIT_LETTERS)}"
            for _ in range(rng.randint(1, 3))
        )
        line = f"{rng.choice(STREET_NAMES)} {rng.choice(STREET_KINDS)}"
        streets.append(Street(line, rng.choice(TOWNS), postcodes, 100_000_000_000 + n * 1000))
    return streets


def _address(rng: random.Random, street: Street) -> dict[str, Any]:
    number = rng.randint(1, 180)
    return {
        "uprn": str(street.uprn_base + number),
        "line1": f"{number} {street.line}",
        "line2": "",
        "town": street.town,
        "postcode": street.postcodes[number % len(street.postcodes)],
    }


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    email: str
    phone: str  # E.164
    address: dict[str, Any]


def _people(rng: random.Random, streets: list[Street], count: int) -> Iterator[Person]:
    for n in range(1, count + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        email = f"{first}.{last}.{n}@{BENCH_DOMAIN}".lower()
        phone = f"+447{rng.randint(100_000_000, 999_999_999)}"
        yield Person(n, f"{first} {last}", email, phone, _address(rng, rng.choice(streets)))


USER_COLUMNS = [
    "id",
    "password",
    "is_superuser",
    "is_staff",
    "is_active",
    "date_joined",
    "email",
    "full_name",
    "address",
    "phone",
]
SUBMISSION_COLUMNS = [
    "id",
    "reference",
    "contact_email",
    "contact_name",
    "channel",
    "language",
    "answers",
    "status",
    "uprn",
    "created_at",
    "form_version_id",
    "service_id",
    "user_id",
    "routing_decision",
    "routing_round",
]
INDEX_COLUMNS = ["submission_id", "names", "emails", "phones", "postcodes", "uprns", "addresses"]
DELIVERY_COLUMNS = [
    "id",
    "routing_round",
    "idempotency_key",
    "state",
    "attempts",
    "next_attempt_at",
    "external_reference",
    "last_error",
    "resolution_note",
    "created_at",
    "updated_at",
    "connection_id",
    "submission_id",
    "destination_id",
    "progress",
]


def _user_row(person: Person) -> list[Any]:
    joined = "2024-01-01T00:00:00Z"
    address = json.dumps(person.address)
    return [person.id, "!", "f", "f", "t", joined, person.email, person.name, address, person.phone]


def _cases(
    rng: random.Random,
    count: int,
    people: list[Person],
    streets: list[Street],
    versions: list[tuple[int, int]],
) -> Iterator[tuple[list[Any], list[Any], str]]:
    """(submission row, CaseIndex row, created at) for each case: 70% a resident's (their own
    address), the rest a guest's. The index row holds what services.staff.index would."""
    from services.forms.references import new_reference
    from services.staff.normalise import text_key

    weights = list(SERVICE_WEIGHTS[: len(versions)])
    now = dt.datetime.now(dt.UTC)
    references: set[str] = set()
    statuses = ("received", "in_progress", "action_scheduled", "closed_fixed", "duplicate")
    for n in range(1, count + 1):
        reference = new_reference()
        while reference in references:
            reference = new_reference()
        references.add(reference)
        service_id, version_id = rng.choices(versions, weights)[0]
        person = rng.choice(people) if rng.random() < 0.7 else None
        if person is not None:
            name, email, phone, address = person.name, person.email, person.phone, person.address
        else:
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
            email = f"guest.{n}@{BENCH_DOMAIN}"
            phone, address = "", _address(rng, rng.choice(streets))
        created = (now - dt.timedelta(seconds=rng.randint(0, 3 * 365 * 86400))).isoformat()
        answers = json.dumps({"address": address, "details": "Reported by the bench"})
        status = rng.choices(statuses, (10, 20, 10, 55, 5))[0]
        submission = [
            n, reference, email, name, "web", "en", answers, status, address["uprn"], created,
            version_id, service_id, person.id if person else None, "{}", 1,
        ]  # fmt: skip
        index = [
            n,
            text_key(name),
            email,
            phone,
            address["postcode"].replace(" ", ""),
            address["uprn"],
            text_key(f"{address['line1']} {address['town']}"),
        ]
        yield submission, index, created


def _deliveries(
    rng: random.Random, rows: list[tuple[list[Any], list[Any], str]], destination: Any
) -> list[list[Any]]:
    """One delivery per case (its id is the case's): most delivered, some waiting or failed."""
    states = ("delivered", "retrying", "failed", "pending")
    deliveries = []
    for submission, _, created in rows:
        n = submission[0]
        state = rng.choices(states, (90, 4, 4, 2))[0]
        # Waiting ones are not due for centuries: `make bench-delivery` shares this database,
        # and its worker's sweeper must not take them for real deliveries.
        due = NOT_DUE_UNTIL if state in ("retrying", "pending") else None
        deliveries.append([
            n, 1, str(uuid.uuid4()), state, 1, due, f"BO-{n}", "", "", created, created,
            destination.connection_id, n, destination.pk, "{}",
        ])  # fmt: skip
    return deliveries


def _copy(raw: Any, table: str, columns: list[str], rows: list[list[Any]]) -> None:
    """COPY rows as text: tab separated, None as NULL (the values hold no tabs, newlines or
    backslashes, being made here). Columns the bench does not choose get their field's default,
    so a field added later with a default does not break the load."""
    defaults = _column_defaults(table, columns)
    columns = [*columns, *defaults]
    tail = ["\\N" if value is None else str(value) for value in defaults.values()]
    text = "".join(
        "\t".join(["\\N" if value is None else str(value) for value in row] + tail) + "\n"
        for row in rows
    )
    raw.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.StringIO(text))


def _column_defaults(table: str, chosen: list[str]) -> dict[str, Any]:
    """column -> the database value of its field's default, for the NOT NULL columns of `table`
    that `chosen` leaves out (Django keeps defaults in Python, so COPY would leave them NULL)."""
    from django.apps import apps
    from django.db import connection

    (model,) = [m for m in apps.get_models() if m._meta.db_table == table]
    defaults = {}
    for field in model._meta.concrete_fields:
        if field.column in chosen or field.null or field.primary_key:
            continue
        # get_default() is also "" for a text field without a default, as the ORM would save it
        value = field.get_db_prep_save(field.get_default(), connection)
        if value is not None:
            defaults[field.column] = _copy_text(value)
    return defaults


def _copy_text(value: Any) -> Any:
    """A default as COPY's text format writes it."""
    if isinstance(value, bool):
        return "t" if value else "f"
    if hasattr(value, "dumps"):  # psycopg2's Json adapter, for JSONField defaults
        return value.dumps(value.adapted)
    return value


def _reset_sequence(cursor: Any, table: str) -> None:
    """The next id after the loaded ones (COPY gave ids; the sequence did not)."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    (sequence,) = cursor.fetchone()
    cursor.execute(
        f"SELECT setval(%s, COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)",  # noqa: S608
        [sequence],
    )


if __name__ == "__main__":
    main()
