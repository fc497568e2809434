"""The delivery hot path as SQL: a claim and a success, one round trip each.

A delivery's own work is a few short statements, and the ORM's compilation of them cost more
than the database's execution and the HTTP call together (`make bench-delivery` shows the
throughput; py-spy showed where it went). So the statements of the common case are rendered once
per process and then only executed:

    claim_and_load   lock the connection, claim the delivery if it is due and its connection's
                     breaker is closed with a call slot free, and read everything the mapping
                     and the adapter need
    record_success   the attempt, the delivery delivered (or, after a takeover, its reference
                     kept), and the breaker closed

Which deliveries may be claimed, what a claim writes and what a success writes on the breaker
are not restated here: the WHERE and SET clauses are the ORM's compilation of
services/delivery/rules.py and of services/delivery/breaker.py's success rules (which residents'
updates apply through the ORM), with stand-in values where each call's own go (`_named`). The
rarer paths (deferrals, probes, failures) stay in the ORM in claim.py, engine.py and breaker.py.
Every value is a parameter; the SQL is the subset PostgreSQL and SQLite share.

On PostgreSQL a round trip's statements are sent as one string: the server runs them as one
transaction (the advisory lock is held to its end), and, at READ COMMITTED, each with a fresh
snapshot, so the claim's count of calls in flight sees every claim committed before the lock was
granted. On SQLite (make run) they run one by one in a transaction, which SQLite serialises.
"""

from __future__ import annotations

import hashlib
import re
import uuid
import weakref
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any, cast

from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Exists, Field, Model, OuterRef, Q

from services.delivery import breaker, loading, rules
from services.models import Attempt, Connection, Delivery

# Distinguishes our advisory locks from any other user's of pg_advisory_xact_lock(int, int).
ADVISORY_LOCK_NAMESPACE = 0x0DE1

State = Delivery.State
CLOSED = Connection.Breaker.CLOSED.value

# Stand-ins for each call's values while the ORM compiles a rule: no real value equals them.
_STAND_INS: dict[str, Any] = {
    "now": datetime(1901, 2, 3, 4, 5, 6, 7, tzinfo=UTC),
    "lease_expires_at": datetime(1901, 2, 3, 4, 5, 6, 8, tzinfo=UTC),
    "token": uuid.UUID(int=0x0DE1_0DE1),
    "id": -0x0DE1,
    "stale_before": datetime(1901, 2, 3, 4, 5, 6, 9, tzinfo=UTC),
    "connection": -0x0DE2,
}


def claim_and_load(
    delivery_id: int,
    now: datetime,
    lease_expires_at: datetime,
    token: uuid.UUID,
    exclude_adapters: Sequence[str] = (),
) -> Delivery | None:
    """Claim `delivery_id` if it is due (rules.due), its connection's breaker is closed, the
    connection has a call slot free (rules.has_free_slot) and its adapter is not one of
    `exclude_adapters`; the claimed delivery with its submission, service, resident,
    destination and connection loaded, or None if any of that is not so."""
    statements, fixed = _claim_statements(db_connection.vendor, tuple(sorted(exclude_adapters)))
    params = {
        "id": delivery_id,
        "now": _datetime(now),
        "lease_expires_at": _datetime(lease_expires_at),
        "token": _uuid(token),
    }
    rows = _together(statements, params, fixed).rows
    return loading.delivery_from(rows[0]) if rows else None


def load(delivery_id: int, token: uuid.UUID) -> Delivery | None:
    """The delivery held with `token`, loaded as claim_and_load loads it."""
    select = _load_statement(db_connection.vendor)
    rows = _together([select], {"id": delivery_id, "token": _uuid(token)}).rows
    return loading.delivery_from(rows[0]) if rows else None


def insert_attempt(
    delivery_id: int,
    *,
    number: int,
    started_at: datetime,
    duration_ms: int,
    outcome: str,
    status_code: str,
    error_class: str,
    excerpt: str,
) -> None:
    attempt = _attempt(
        delivery_id, number, started_at, duration_ms, outcome, status_code, error_class, excerpt
    )
    _together([_INSERT_ATTEMPT], attempt)


def record_success(
    delivery_id: int,
    connection_id: int,
    token: uuid.UUID,
    reference: str,
    now: datetime,
    *,
    stale_before: datetime,
    number: int,
    started_at: datetime,
    duration_ms: int,
    excerpt: str = "",
) -> bool:
    """Record a successful attempt in one round trip; True if the claim `token` still held the
    delivery (it is delivered now), False if another worker took it over meanwhile.

    Taken over: if nobody holds it now (the takeover's attempt failed and it waits to retry),
    it is delivered all the same; if another worker is mid-call, its state is left to that
    worker (the back office will give it the same record) but the reference, known now, is
    kept. Either way the breaker is closed (breaker.record_success), the connection row written
    only when it must change or `last_success_at` is older than `stale_before`.

    The delivery's row is always written before the connection's, as the failure path does
    (engine, then breaker.record_failure), so the two never wait for each other in a cycle;
    the statement that says whether we held the claim comes last for its row count.
    """
    params = {
        # The excerpt is a repeat attempt's note ("ambiguous: looked up, adopted ..."), for staff.
        **_attempt(delivery_id, number, started_at, duration_ms, _SUCCEEDED, "", "", excerpt),
        "connection": connection_id,
        "token": _uuid(token),
        "reference": reference,
        "now": _datetime(now),
        "stale_before": _datetime(stale_before),
    }
    statements, constants = _success_statements(db_connection.vendor)
    return _together(statements, params, constants).rowcount == 1


# --- Rendering ----------------------------------------------------------------------------------

_DELIVERY = Delivery._meta.db_table
_CONNECTION = Connection._meta.db_table
_ATTEMPT = Attempt._meta.db_table

_INSERT_ATTEMPT = (
    f"INSERT INTO {_ATTEMPT} (delivery_id, number, started_at, duration_ms, outcome,"
    " status_code, error_class, excerpt) VALUES (%(delivery)s, %(number)s, %(started_at)s,"
    " %(duration_ms)s, %(outcome)s, %(status_code)s, %(error_class)s, %(excerpt)s)"
)
_DELIVERED = (
    "state = %(delivered)s, external_reference = %(reference)s, delivered_at = %(now)s,"
    " next_attempt_at = NULL, lease_expires_at = NULL, claim_token = NULL, last_error = ''"
)
_SUCCEEDED = Attempt.Outcome.DELIVERED.value
_SUCCESS_CONSTANTS = {
    "delivered": State.DELIVERED.value,
    "pending": State.PENDING.value,
    "retrying": State.RETRYING.value,
}
_SUCCESS = [
    _INSERT_ATTEMPT,
    # Taken over, and the takeover's attempt failed: delivered all the same.
    f"UPDATE {_DELIVERY} SET {_DELIVERED}"
    " WHERE id = %(delivery)s AND state IN (%(pending)s, %(retrying)s)",
    # Ours, or another worker's mid-call: the reference is known now.
    f"UPDATE {_DELIVERY} SET external_reference = %(reference)s"
    " WHERE id = %(delivery)s AND (claim_token = %(token)s OR external_reference = '')",
    # Ours: delivered. Its row count is the round trip's.
    f"UPDATE {_DELIVERY} SET {_DELIVERED} WHERE id = %(delivery)s AND claim_token = %(token)s",
]


@cache
def _success_statements(vendor: str) -> tuple[list[str], dict[str, Any]]:
    """The success's statements and their constants: the breaker closed between the delivery's
    writes and the last one, by breaker.record_success's own rules (`must_write_success`,
    `success_fields`) as the ORM compiles them. An UPDATE that matches no row takes no lock, so
    most successes leave the busy connection row alone."""
    now, stale_before, pk = (_STAND_INS[k] for k in ("now", "stale_before", "connection"))
    where, where_params = _where(
        Connection, breaker.must_write_success(stale_before) & Q(pk=pk), "c"
    )
    assignments, set_params = _assignments(Connection, breaker.success_fields(now), "k")
    statements = [
        *_SUCCESS[:-1],
        f"UPDATE {_CONNECTION} SET {assignments} WHERE {where}",
        _SUCCESS[-1],
    ]
    return statements, {**_SUCCESS_CONSTANTS, **where_params, **set_params}


@cache
def _claim_statements(vendor: str, excluded: tuple[str, ...]) -> tuple[list[str], dict[str, Any]]:
    """The claim's statements for this database and these excluded adapters, and the values
    compiled into them."""
    now, lease, token, pk = (_STAND_INS[k] for k in ("now", "lease_expires_at", "token", "id"))
    due = rules.due(now) & Q(pk=pk)
    gate = Connection.objects.filter(rules.has_free_slot(now), pk=OuterRef("connection_id"))
    gate = gate.filter(breaker_state=CLOSED)
    if excluded:
        gate = gate.exclude(adapter__in=excluded)
    where, where_params = _where(Delivery, due & Exists(gate), "w")
    assignments, set_params = _assignments(Delivery, rules.claimed_fields(now, lease, token), "s")
    statements = [
        f"UPDATE {_DELIVERY} SET {assignments} WHERE {where}",
        _load_statement(vendor),
    ]
    if vendor == "postgresql":
        # Serialises claims per connection, so the count of calls in flight is exact; taken by
        # a statement of its own so the UPDATE's snapshot comes after it.
        locked, lock_params = _where(Delivery, due, "l")
        statements.insert(
            0,
            f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK_NAMESPACE},"
            f" CAST(connection_id AS integer)) FROM {_DELIVERY} WHERE {locked}",
        )
        where_params.update(lock_params)
    return statements, {**where_params, **set_params}


@cache
def _load_statement(vendor: str) -> str:
    return (
        f"{loading.select()} WHERE {_DELIVERY}.id = %(id)s AND {_DELIVERY}.claim_token = %(token)s"
    )


def _where(model: type[Model], condition: Any, prefix: str) -> tuple[str, dict[str, Any]]:
    """`condition` on `model`'s table as the ORM compiles it, its values named (`_named`)."""
    query = model._default_manager.filter(condition).query
    sql, params = query.get_compiler(connection=db_connection).compile(query.where)
    return _named(sql, params, prefix)


def _assignments(
    model: type[Model], values: dict[str, Any], prefix: str
) -> tuple[str, dict[str, Any]]:
    """The SET clause of `model.objects.update(**values)` as the ORM compiles it."""
    query = model._default_manager.all().query
    compiler = query.get_compiler(connection=db_connection)
    parts, params = [], []
    for name, value in values.items():
        field = cast("Field[Any, Any]", model._meta.get_field(name))
        if hasattr(value, "resolve_expression"):
            resolved = value.resolve_expression(query, allow_joins=False, for_save=True)
            sql, more = compiler.compile(resolved)
        else:
            sql, more = "%s", [field.get_db_prep_save(value, connection=db_connection)]
        parts.append(f"{db_connection.ops.quote_name(field.column)} = {sql}")
        params.extend(more)
    return _named(", ".join(parts), params, prefix)


def _named(sql: str, params: Sequence[Any], prefix: str) -> tuple[str, dict[str, Any]]:
    """`sql` with each positional parameter named: a stand-in's by its slot (`%(now)s`), any
    other by a fixed name and value (`%(w0)s`)."""
    slots: dict[Any, str] = {}
    for slot, value in _STAND_INS.items():
        for form in (value, _adapted(value)):
            slots[form] = slot
    pieces = sql.split("%s")
    if len(pieces) != len(params) + 1 or "%(" in sql:
        raise ValueError(f"Cannot name the parameters of {sql!r}")
    named, fixed = [pieces[0]], dict[str, Any]()
    for n, (param, piece) in enumerate(zip(params, pieces[1:], strict=True)):
        known = isinstance(param, str | int | datetime | uuid.UUID) and param in slots
        slot = slots[param] if known else f"{prefix}{n}"
        if not known:
            fixed[slot] = param
        named += [f"%({slot})s", piece]
    return "".join(named), fixed


def _adapted(value: Any) -> Any:
    if isinstance(value, datetime):
        return _datetime(value)
    if isinstance(value, uuid.UUID):
        return _uuid(value)
    return value


# --- Executing ----------------------------------------------------------------------------------


class _Result:
    __slots__ = ("rowcount", "rows")

    def __init__(self, rows: list[tuple[Any, ...]], rowcount: int) -> None:
        self.rows = rows
        self.rowcount = rowcount


def _together(
    statements: Sequence[str], params: dict[str, Any], constants: dict[str, Any] | None = None
) -> _Result:
    """Run `statements` as one transaction; the last one's rows and row count. `constants` are
    parameters that are the same on every call (states, adapter names)."""
    constants = constants or {}
    if db_connection.vendor == "postgresql":
        with db_connection.cursor() as cursor:
            cursor.execute(_prepared(cursor, statements, constants), params)
            rows = cursor.fetchall() if cursor.description else []
            return _Result(rows, int(cursor.rowcount))
    with transaction.atomic(), db_connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, {**constants, **params})
        rows = cursor.fetchall() if cursor.description else []
        return _Result(rows, int(cursor.rowcount))


# The statements this process has prepared on each of its PostgreSQL connections.
_PREPARED: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def _prepared(cursor: Any, statements: Sequence[str], constants: dict[str, Any]) -> str:
    """EXECUTEs of `statements`, each PREPAREd on this connection the first time it runs.

    Planning was most of the server's CPU for each statement (the load's six-table join took
    0.8 ms to plan and 0.1 ms to run); a prepared statement is planned once per connection, or
    again only when PostgreSQL judges a plan for the values at hand is worth it."""
    done = _PREPARED.setdefault(db_connection.connection, set())
    executes = []
    for statement in statements:
        name, text, names = _preparation(statement, tuple(sorted(constants.items())))
        if name not in done:
            literals = {
                key: cursor.mogrify("%s", [value]).decode() for key, value in constants.items()
            }
            cursor.execute(f"PREPARE {name} AS {text % literals}")
            done.add(name)
        arguments = ", ".join(f"%({n})s" for n in names)
        executes.append(f"EXECUTE {name}({arguments})" if names else f"EXECUTE {name}")
    return "; ".join(executes)


@cache
def _preparation(
    statement: str, constants: tuple[tuple[str, Any], ...]
) -> tuple[str, str, tuple[str, ...]]:
    """The prepared statement's name, its text (each parameter $n, each constant a
    %(name)s for its literal) and the parameters' names in $n's order."""
    fixed = {key for key, _ in constants}
    names: list[str] = []

    def numbered(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in fixed:
            return match.group(0)
        if key not in names:
            names.append(key)
        return f"${names.index(key) + 1}"

    text = re.sub(r"%\((\w+)\)s", numbered, statement)
    digest = hashlib.sha256(repr((text, constants)).encode()).hexdigest()[:16]
    return f"delivery_{digest}", text, tuple(names)


def _attempt(
    delivery_id: int,
    number: int,
    started_at: datetime,
    duration_ms: int,
    outcome: str,
    status_code: str,
    error_class: str,
    excerpt: str,
) -> dict[str, Any]:
    return {
        "delivery": delivery_id,
        "number": number,
        "started_at": _datetime(started_at),
        "duration_ms": duration_ms,
        "outcome": outcome,
        "status_code": status_code,
        "error_class": error_class,
        "excerpt": excerpt,
    }


def _datetime(value: datetime) -> Any:
    return db_connection.ops.adapt_datetimefield_value(value)


def _uuid(value: uuid.UUID) -> Any:
    return Delivery._meta.get_field("claim_token").get_db_prep_value(value, db_connection)
