"""Bulk inserts of plain rows for imports and ledgers: COPY on PostgreSQL, one ``executemany`` INSERT elsewhere.

These write rows the caller has already validated and scoped; they never read, so they need no region scope.
"""

from __future__ import annotations

import itertools
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


def next_ids(model, count: int) -> list[int]:
    """Ids for ``count`` rows about to be inserted with their ids. Call it inside the write transaction.

    PostgreSQL takes them from the sequence; SQLite continues after the highest id the table has ever had (its
    AUTOINCREMENT counter), which is safe because the transaction holds SQLite's only write lock."""
    if connection.vendor == "postgresql":
        return reserve_ids(model, count)
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
            f"coalesce((SELECT max(id) FROM {connection.ops.quote_name(table)}), 0))",
            [table],
        )
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


# Values the database driver cannot take as Python gives them (dates as text on SQLite, UUIDs as hex, JSON).
_CONVERTED = {"DateField", "DateTimeField", "TimeField", "UUIDField", "JSONField", "DecimalField"}


def execute_rows(model, columns: list[str], rows: Iterable[tuple], batch: int = 5000) -> None:
    """One INSERT executed for many rows (``executemany``), on any database; ``columns`` are column names and
    the values are final (already encrypted or indexed), converted only as each column's field stores them."""
    by_column = {f.column: f for f in model._meta.concrete_fields}
    fields = [by_column[c] for c in columns]
    convert = [(i, f) for i, f in enumerate(fields) if f.get_internal_type() in _CONVERTED]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )

    def prepared(row: tuple) -> tuple:
        if not convert:
            return row
        values = list(row)
        for i, field in convert:
            if values[i] is not None:
                values[i] = field.get_db_prep_save(values[i], connection)
        return tuple(values)

    iterator = iter(rows)
    with connection.cursor() as cursor:
        while chunk := list(itertools.islice(iterator, batch)):
            cursor.executemany(sql, [prepared(row) for row in chunk])


def insert_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Insert plain rows (attnames in ``columns``): COPY on PostgreSQL, ``executemany`` elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        fields = [model._meta.get_field(c) for c in columns]
        json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
        if json_at:  # COPY takes JSON as its text
            rows = [tuple(json.dumps(v) if i in json_at else v for i, v in enumerate(row)) for row in rows]
        copy_rows(model, [f.column for f in fields], rows)
    else:
        execute_rows(model, [model._meta.get_field(c).column for c in columns], rows)
