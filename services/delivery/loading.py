"""A claimed delivery with everything its mapping and adapter read, made from one row.

`Delivery.objects.select_related(...)` would make the same instances, but compiling that query
for every delivery cost the worker more CPU than the rest of the claim (py-spy, under
`make bench-delivery`). Here the SELECT is rendered once per process from the models' own
fields, and each row becomes the instances select_related would make: each model through
Model.from_db, each value through its field's own converters, the related objects set on their
foreign keys.

The connection's secret options are decrypted once per process for each ciphertext: the same
ciphertext always decrypts to the same options, and a changed secret is a new ciphertext.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from django.db import connection as db_connection
from django.db.models import Field, Model
from encrypted_fields.fields import EncryptedFieldMixin

from services.models import Delivery

# What the engine reads of a claimed delivery, as select_related would name it.
RELATED = (
    "submission",
    "submission__service",
    "submission__user",
    "destination",
    "connection",
)
_DECRYPTED_KEPT = 256

Converter = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True)
class _Part:
    path: str  # "" for the delivery itself
    model: type[Model]
    alias: str
    link: Field[Any, Any] | None  # the foreign key from the parent part
    parent: str
    attnames: tuple[str, ...]
    converters: tuple[tuple[Converter, ...], ...]
    columns: tuple[Any, ...]  # each field's Col, which converters are given
    pk_index: int


def select() -> str:
    """SELECT ... FROM the delivery's table joined to its related tables (no WHERE)."""
    return _select(db_connection.vendor)


def delivery_from(row: Sequence[Any]) -> Delivery:
    """The Delivery of a row of `select()`, its related objects loaded."""
    made: dict[str, Model | None] = {}
    start = 0
    for part in _parts(db_connection.vendor):
        values = list(row[start : start + len(part.attnames)])
        start += len(part.attnames)
        if values[part.pk_index] is None:  # a LEFT JOIN that found nothing
            made[part.path] = None
        else:
            for n, converters in enumerate(part.converters):
                for converter in converters:
                    values[n] = converter(values[n], part.columns[n], db_connection)
            made[part.path] = part.model.from_db(db_connection.alias, part.attnames, values)
        if part.link is not None:
            setattr(made[part.parent], part.link.name, made[part.path])
    return cast(Delivery, made[""])


@cache
def _select(vendor: str) -> str:
    qn = db_connection.ops.quote_name
    columns, joins = [], [qn(Delivery._meta.db_table)]
    for part in _parts(vendor):
        table = qn(part.alias)
        columns += [f"{table}.{qn(f.column)}" for f in _fields(part.model)]
        if part.link is not None:
            parent = _alias(part.parent)
            join = "LEFT JOIN" if part.link.null else "JOIN"
            target = part.link.target_field.column  # type: ignore[attr-defined]
            joins.append(
                f"{join} {qn(part.model._meta.db_table)} {table}"
                f" ON {table}.{qn(target)} = {qn(parent)}.{qn(part.link.column)}"
            )
    # Only the models' table and column names are interpolated.
    return f"SELECT {', '.join(columns)} FROM {' '.join(joins)}"  # noqa: S608


@cache
def _parts(vendor: str) -> tuple[_Part, ...]:
    parts = [_part("", Delivery, None, "")]
    for path in RELATED:
        parent, _, name = path.rpartition("__")
        parent_model = parts[[p.path for p in parts].index(parent)].model
        link = parent_model._meta.get_field(name)
        parts.append(_part(path, cast(type[Model], link.related_model), link, parent))  # type: ignore[arg-type]
    return tuple(parts)


def _part(path: str, model: type[Model], link: Field[Any, Any] | None, parent: str) -> _Part:
    alias = _alias(path)
    fields = _fields(model)
    return _Part(
        path=path,
        model=model,
        alias=alias,
        link=link,
        parent=parent,
        attnames=tuple(f.attname for f in fields),
        converters=tuple(_converters(f, alias) for f in fields),
        columns=tuple(f.get_col(alias) for f in fields),
        pk_index=[f.primary_key for f in fields].index(True),
    )


def _alias(path: str) -> str:
    return Delivery._meta.db_table if not path else f"loaded_{path}"


def _fields(model: type[Model]) -> list[Field[Any, Any]]:
    # In Model.from_db's order, which then needs no reordering.
    return list(model._meta.concrete_fields)


def _converters(field: Field[Any, Any], alias: str) -> tuple[Converter, ...]:
    """What the ORM applies to this column's values, in its order: the backend's, then the
    field's."""
    column = field.get_col(alias)
    found = [*db_connection.ops.get_db_converters(column), *column.get_db_converters(db_connection)]
    if isinstance(field, EncryptedFieldMixin):
        found = [_decrypted_once(found)]
    return tuple(found)


def _decrypted_once(converters: list[Converter]) -> Converter:
    kept: dict[Any, Any] = {}

    def convert(value: Any, expression: Any, connection: Any) -> Any:
        if value not in kept:
            plain = value
            for converter in converters:
                plain = converter(plain, expression, connection)
            if len(kept) >= _DECRYPTED_KEPT:
                kept.clear()
            kept[value] = plain
        # A copy: a caller changing its options must not change the next delivery's.
        return copy.deepcopy(kept[value])

    return convert
