"""Rows inserted at the speed of the database, for the imports the size of a province.

On PostgreSQL, COPY: Django's bulk_create prepares every value of every row through the
field's whole save path (pre_save, get_db_prep_save, the compiler's placeholders), which
is most of the time of a 50,000-row import. The rows given here were already checked by
the service (full_clean, the rules), so that only the conversion to text remains. Other
databases (SQLite in `make run`) get bulk_create.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: Any) -> str:
    """A value in COPY's text format: \\N for NULL, t/f, JSON as text, and the four
    characters the format uses (backslash, tab, newline, carriage return) escaped."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    return str(value).translate(_ESCAPES)


def _copy(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(map(_text, row)))
        buffer.write("\n")
    buffer.seek(0)
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({quoted}) FROM STDIN", buffer)


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
    _copy(
        model._meta.db_table,
        [str(f.column) for f in fields],
        ([getattr(obj, name) for name in attnames] for obj in objects),
    )


def insert_rows(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows given as {column attname: value} (a many-to-many table's, history rows),
    all with the same keys."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create((model(**row) for row in rows), batch_size=500)
        return
    names = list(rows[0])
    columns = {f.attname: str(f.column) for f in model._meta.concrete_fields}
    _copy(
        model._meta.db_table,
        [columns[name] for name in names],
        ([row[name] for name in names] for row in rows),
    )
