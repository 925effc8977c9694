"""Rows inserted at the speed of the database, for the imports the size of a province.

On PostgreSQL, COPY: Django's bulk_create prepares every value of every row through the
field's whole save path (pre_save, get_db_prep_save, the compiler's placeholders), which
is most of the time of a 50,000-row import. The rows given here were already checked by
the service (full_clean, the rules), so that only the conversion to text remains, done by
the csv module in C (COPY's CSV format). Other databases (SQLite in `make run`) get
bulk_create.

`insert_new` and `insert_tuples` take rows as plain tuples of the values of `columns` (field
attnames, in that order), and the columns every row shares once, as `defaults`: a service
writing 50,000 rows builds no model instance and no dict per row.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import connection, models


class _Null(int):
    """COPY's NULL as the csv module writes it: unquoted \\N (None would be written as "",
    the same as an empty string). A number to the csv module, so it is never quoted."""

    def __str__(self) -> str:
        return "\\N"

    __repr__ = __str__


NULL = _Null()


def _copy(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """COPY the rows in CSV: every text quoted (a tab, new line, quote or backslash in it
    kept as it is), numbers and booleans bare, NULL as bare \\N; dates and times as their
    ISO text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    writer.writerows([NULL if value is None else value for value in row] for row in rows)
    buffer.seek(0)
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {table} ({quoted}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer
        )


def _json_columns(model: type[models.Model], names: Sequence[str]) -> list[int]:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    return [i for i, name in enumerate(names) if isinstance(fields[name], models.JSONField)]


def _as_json(value: Any) -> Any:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """Primary keys for `count` new rows, from the table's own sequence (one query)."""
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def insert(
    model: type[models.Model], objects: Sequence[models.Model], *, ids: bool = False
) -> None:
    """Insert unsaved instances of `model`, already checked. With `ids`, each is given its
    primary key first, so that rows inserted next can point at it."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objects, batch_size=500)
        return
    if ids:
        for obj, pk in zip(objects, _allocate_ids(model, len(objects)), strict=True):
            obj.pk = pk
    fields = [f for f in model._meta.concrete_fields if ids or not f.primary_key]
    # auto_now / auto_now_add: what save() would set.
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for obj in objects:
        for field in stamped:
            field.pre_save(obj, add=True)
        obj._state.adding, obj._state.db = False, connection.alias
    attnames = [f.attname for f in fields]
    rows = [[getattr(obj, name) for name in attnames] for obj in objects]
    for i in _json_columns(model, attnames):
        for row in rows:
            row[i] = _as_json(row[i])
    _copy(model._meta.db_table, [str(f.column) for f in fields], rows)


def insert_rows(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows given as {column attname: value} (a many-to-many table's, history rows),
    all with the same keys."""
    if not rows:
        return
    names = list(rows[0])
    insert_tuples(model, names, [[row[name] for name in names] for row in rows])


def insert_tuples(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    defaults: Mapping[str, Any] | None = None,
) -> None:
    """Insert rows of `model` given as tuples of the values of `columns` (attnames), each
    followed by the values of `defaults`, the columns every row shares. The values are
    the model's own (dates, numbers, texts, dicts for a JSON field), already checked."""
    defaults = dict(defaults or {})
    names = [*columns, *defaults]
    shared = tuple(defaults.values())
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            (model(**dict(zip(names, (*row, *shared), strict=True))) for row in rows),
            batch_size=500,
        )
        return
    jsons = _json_columns(model, names)
    if jsons:
        rows = [
            [_as_json(value) if i in jsons else value for i, value in enumerate((*row, *shared))]
            for row in rows
        ]
        shared = ()
    else:
        rows = list(rows)
    if not rows:
        return
    fields = {f.attname: str(f.column) for f in model._meta.concrete_fields}
    _copy(
        model._meta.db_table,
        [fields[name] for name in names],
        ((*row, *shared) for row in rows) if shared else rows,
    )


def insert_new(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    defaults: Mapping[str, Any] | None = None,
) -> list[int]:
    """insert_tuples for rows that other rows will point at: each is given a primary key
    first (on PostgreSQL from the table's sequence, one query), and the keys are returned
    in the order of the rows."""
    if not rows:
        return []
    defaults = dict(defaults or {})
    if connection.vendor != "postgresql":
        objects = [model(**dict(zip(columns, row, strict=True)), **defaults) for row in rows]
        model._default_manager.bulk_create(objects, batch_size=500)
        return [obj.pk for obj in objects]
    ids = _allocate_ids(model, len(rows))
    insert_tuples(
        model,
        [model._meta.pk.attname, *columns],
        ((pk, *row) for pk, row in zip(ids, rows, strict=True)),
        defaults=defaults,
    )
    return ids
