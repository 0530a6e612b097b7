"""Bulk inserts of plain rows for imports and ledgers: COPY on PostgreSQL, ``bulk_create`` elsewhere.

These write rows the caller has already validated and scoped; they never read, so they need no region scope.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import connection, models


def copy_rows(model, columns: list[str], rows: Iterable[tuple]) -> None:
    """PostgreSQL's COPY of ``rows`` into the model's table; ``columns`` are database column names."""
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        with cursor.copy(
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
        ) as copy:
            write = copy.write_row
            for row in rows:
                write(row)


def reserve_ids(model, count: int) -> list[int]:
    """PostgreSQL: take ``count`` ids from the table's sequence, for rows about to be COPYed with their ids."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def insert_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Insert plain rows (attnames in ``columns``): COPY on PostgreSQL, bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        fields = [model._meta.get_field(c) for c in columns]
        json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
        if json_at:  # COPY takes JSON as its text
            rows = [tuple(json.dumps(v) if i in json_at else v for i, v in enumerate(row)) for row in rows]
        copy_rows(model, [f.column for f in fields], rows)
    else:
        model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=2000
        )
