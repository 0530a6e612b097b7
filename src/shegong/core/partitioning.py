"""Monthly range partitions of the high-volume service-record tables on PostgreSQL (docs/adr/0010).

SQLite keeps plain tables: every function here does nothing there. An app declares its table once in
``ready()``::

    partitioning.register(partitioning.Monthly("visits_visit", "visited_at", after_detach=...))

and its migration converts the existing table with ``convert(schema_editor, "visits_visit")``. From then on
``ensure()`` (the ``partitions.ensure`` schedule) keeps the current month and ``MONTHS_AHEAD`` months after it
created, and ``detach()`` takes old months out of the table for archiving, under a name of their own.

A month is a calendar month in the project's time zone (Asia/Shanghai): its partition holds the rows whose column
lies in [the 1st 00:00, the next 1st 00:00) there, or, for a date column, the month's days. Rows outside every month land in the default partition; a later
``ensure`` that creates their month moves them into it.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from . import schedules
from .tasks import scoped_task

logger = logging.getLogger(__name__)

MONTHS_AHEAD = 3
# Months before the current one that a conversion creates partitions for even when empty: a visit may be recorded
# up to a year late, so those months still receive rows.
MONTHS_BACK = 12
DEFAULT_SUFFIX = "default"
_MONTH_NAME = re.compile(r"_p(\d{4})_(\d{2})$")


@dataclass(frozen=True)
class Monthly:
    """A table partitioned by month on ``column`` (a date or timestamp column that is never null). A date column's
    partition holds the month's days; a timestamp column's holds [the 1st 00:00, the next 1st 00:00) local time.

    ``after_detach(cursor, before)`` runs after months older than ``before`` (a timestamp bound) were detached:
    the app drops what it keeps beside the rows (the visits' idempotency keys).
    """

    table: str
    column: str
    after_detach: Callable | None = None


TABLES: dict[str, Monthly] = {}


def register(table: Monthly) -> Monthly:
    TABLES[table.table] = table
    return table


def enabled(using=None) -> bool:
    return (using or connection).vendor == "postgresql"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def bound(month: datetime.date) -> datetime.datetime:
    """Midnight of the month's 1st in the project's time zone, as an aware datetime."""
    return datetime.datetime.combine(month, datetime.time.min, tzinfo=timezone.get_default_timezone())


def partition_name(table: str, month: datetime.date) -> str:
    return f"{table}_p{month:%Y_%m}"


def archive_name(table: str, month: datetime.date) -> str:
    return f"{table}_archived_{month:%Y_%m}"


@dataclass(frozen=True)
class Reference:
    """A foreign key from ``table.column`` to the partitioned table's ``referenced`` column."""

    table: str
    column: str
    name: str
    referenced: str


# Conversion ------------------------------------------------------------------------------------------------------


def convert(schema_editor, table: str, column: str, *, today: datetime.date | None = None) -> list[Reference]:
    """Turn the plain ``table`` into one partitioned by month on ``column``, keeping everything else as it was.

    Keeps: the columns with their defaults and identity (the sequence continues where it was), every index, check
    and outgoing foreign key (under the same names), and every trigger. Changes: the primary key becomes
    (id, column) and each unique constraint gains ``column`` (PostgreSQL requires the partition column in both);
    foreign keys from other tables to this one are dropped and returned, so the caller keeps their integrity
    another way (``guard_references``). Runs inside the migration's
    transaction; does nothing on SQLite.
    """
    if not enabled(schema_editor.connection):
        return []
    today = today or timezone.localdate()
    with schema_editor.connection.cursor() as cursor:
        return _convert(cursor, table, column, today)


def _fetch(cursor, sql: str, params=()) -> list[tuple]:
    cursor.execute(sql, params)
    return cursor.fetchall()


def _convert(cursor, table: str, column: str, today: datetime.date) -> list[Reference]:
    oid = _fetch(cursor, "SELECT %s::regclass::oid", [table])[0][0]
    constraints = _fetch(
        cursor,
        "SELECT conname, contype, pg_get_constraintdef(oid), "
        "ARRAY(SELECT attname FROM pg_attribute WHERE attrelid = conrelid AND attnum = ANY(conkey)) "
        "FROM pg_constraint WHERE conrelid = %s AND contype IN ('p', 'u', 'c', 'f', 'x') ORDER BY conname",
        [oid],
    )
    index_backed = {name for name, kind, _d, _c in constraints if kind in ("p", "u", "x")}
    indexes = [
        (name, definition)
        for name, definition in _fetch(
            cursor,
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s ORDER BY c.relname",
            [oid],
        )
        if name not in index_backed
    ]
    triggers = _fetch(
        cursor,
        "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s AND NOT tgisinternal "
        "ORDER BY tgname",
        [oid],
    )
    incoming = _fetch(
        cursor,
        "SELECT conrelid::regclass::text, a.attname, conname, r.attname FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "JOIN pg_attribute r ON r.attrelid = c.confrelid AND r.attnum = c.confkey[1] "
        "WHERE c.confrelid = %s AND c.contype = 'f' AND c.conrelid <> c.confrelid ORDER BY 1, 3",
        [oid],
    )
    identity = _fetch(
        cursor,
        "SELECT attname FROM pg_attribute WHERE attrelid = %s AND attidentity <> '' AND NOT attisdropped",
        [oid],
    )

    for source, _col, name, _referenced in incoming:
        cursor.execute(f"ALTER TABLE {_q(source)} DROP CONSTRAINT {_q(name)}")
    staging = f"{table}__partitioned"
    cursor.execute(
        f"CREATE TABLE {_q(staging)} (LIKE {_q(table)} INCLUDING DEFAULTS INCLUDING IDENTITY "
        f"INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE ({_q(column)})"
    )
    low = _fetch(cursor, f"SELECT min({_q(column)}) FROM {_q(table)}")[0][0]
    first = month_start(
        timezone.localtime(low).date() if isinstance(low, datetime.datetime) else low or today
    )
    first = min(first, add_months(month_start(today), -MONTHS_BACK))
    _create_partitions(cursor, staging, first, add_months(month_start(today), MONTHS_AHEAD), name_as=table)
    cursor.execute(f"CREATE TABLE {_q(table + '_' + DEFAULT_SUFFIX)} PARTITION OF {_q(staging)} DEFAULT")
    names = ", ".join(_q(c) for c in _column_names(cursor, table))
    cursor.execute(
        f"INSERT INTO {_q(staging)} ({names}) OVERRIDING SYSTEM VALUE SELECT {names} FROM {_q(table)}"
    )
    cursor.execute(f"DROP TABLE {_q(table)}")
    cursor.execute(f"ALTER TABLE {_q(staging)} RENAME TO {_q(table)}")
    for (identity_column,) in identity:
        sequence = _fetch(cursor, "SELECT pg_get_serial_sequence(%s, %s)", [table, identity_column])[0][0]
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {_q(f'{table}_{identity_column}_seq')}")
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), coalesce(max({_q(identity_column)}), 0) + 1, false) "
            f"FROM {_q(table)}",
            [table, identity_column],
        )
    for name, kind, definition, columns in constraints:
        if kind in ("p", "u"):
            keyed = ", ".join(_q(c) for c in [*columns, *([column] if column not in columns else [])])
            word = "PRIMARY KEY" if kind == "p" else "UNIQUE"
            cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {word} ({keyed})")
        else:
            cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {definition}")
    for _name, definition in indexes:
        cursor.execute(definition)
    for _name, definition in triggers:
        cursor.execute(definition)
    return [Reference(source, col, name, referenced) for source, col, name, referenced in incoming]


GUARD_FUNCTIONS = """
CREATE OR REPLACE FUNCTION shegong_partitioned_ref_check() RETURNS trigger LANGUAGE plpgsql AS $$
-- A row that refers to a partitioned table (arguments: that table, its column, the referring column) must find
-- its row there, as a foreign key would require.
-- Checked at commit: a referring row deleted (or pointed elsewhere) since is not checked, as with a foreign key.
DECLARE
    ref bigint;
    broken boolean;
BEGIN
    EXECUTE format('SELECT ($1).%I', TG_ARGV[2]) USING NEW INTO ref;
    IF ref IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format(
        'SELECT EXISTS (SELECT 1 FROM %I r WHERE r.id = ($1).id AND r.%I = $2) '
        'AND NOT EXISTS (SELECT 1 FROM %I WHERE %I = $2)',
        TG_TABLE_NAME, TG_ARGV[2], TG_ARGV[0], TG_ARGV[1]) USING NEW, ref INTO broken;
    IF broken THEN
        RAISE foreign_key_violation USING MESSAGE = format(
            '%s.%s = %s refers to no row of %s', TG_TABLE_NAME, TG_ARGV[2], ref, TG_ARGV[0]);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION shegong_partitioned_ref_release() RETURNS trigger LANGUAGE plpgsql AS $$
-- A row of a partitioned table (arguments: the table, the referenced column, then pairs of referring table and
-- column) may go only when nothing refers to it any more, or when it only moved to another partition.
DECLARE
    key bigint;
    used boolean;
    i int := 2;
BEGIN
    EXECUTE format('SELECT ($1).%I', TG_ARGV[1]) USING OLD INTO key;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I = $1)', TG_ARGV[0], TG_ARGV[1]) USING key INTO used;
    IF used THEN
        RETURN NULL;
    END IF;
    WHILE i < TG_NARGS LOOP
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I = $1)', TG_ARGV[i], TG_ARGV[i + 1])
            USING key INTO used;
        IF used THEN
            RAISE foreign_key_violation USING MESSAGE = format(
                '%s %s is still referred to from %s.%s', TG_ARGV[0], key, TG_ARGV[i], TG_ARGV[i + 1]);
        END IF;
        i := i + 2;
    END LOOP;
    RETURN NULL;
END
$$;
"""


def guard_references(schema_editor, table: str, references: list[Reference]) -> None:
    """Keep the foreign keys ``convert`` dropped by triggers, checked at commit like Django's deferred keys: a
    referring row must point at an existing row, and a row still referred to cannot be deleted."""
    if not enabled(schema_editor.connection) or not references:
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(GUARD_FUNCTIONS)
        for ref in references:
            cursor.execute(
                f"CREATE CONSTRAINT TRIGGER {_q(ref.table + '_' + ref.column + '_exists')} "
                f"AFTER INSERT OR UPDATE OF {_q(ref.column)} ON {_q(ref.table)} DEFERRABLE INITIALLY DEFERRED "
                f"FOR EACH ROW EXECUTE FUNCTION shegong_partitioned_ref_check(%s, %s, %s)",
                [table, ref.referenced, ref.column],
            )
        pairs = [value for ref in references for value in (ref.table, ref.column)]
        placeholders = ", ".join(["%s"] * (2 + len(pairs)))
        cursor.execute(
            f"CREATE CONSTRAINT TRIGGER {_q(table + '_referred')} AFTER DELETE ON {_q(table)} "
            f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            f"EXECUTE FUNCTION shegong_partitioned_ref_release({placeholders})",
            [table, references[0].referenced, *pairs],
        )


def _column_names(cursor, table: str) -> list[str]:
    return [
        name
        for (name,) in _fetch(
            cursor,
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
            "AND attgenerated = '' ORDER BY attnum",
            [table],
        )
    ]


# Keeping partitions ahead ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Partition:
    name: str
    month: datetime.date | None  # None: the default partition
    bound: str
    rows: int  # the planner's estimate (pg_class.reltuples), -1 before the first ANALYZE


def _create_partitions(
    cursor, table: str, first: datetime.date, last: datetime.date, *, name_as: str | None = None
) -> list[str]:
    """Create the month partitions from ``first`` to ``last`` (inclusive) that do not exist yet.

    Rows of such a month already in the default partition are moved into the new one (PostgreSQL refuses to attach
    a range the default partition holds rows of).
    """
    created = []
    existing = {p.name for p in _partitions(cursor, table)}
    default = _default_partition(cursor, table)
    by_day = _partition_column_is_date(cursor, table)
    month = first
    while month <= last:
        name = partition_name(name_as or table, month)
        if name not in existing:
            # A date column's month is its days from the 1st on; a timestamp's starts at midnight local time.
            start, end = (
                (month, add_months(month, 1)) if by_day else (bound(month), bound(add_months(month, 1)))
            )
            if default is None:
                cursor.execute(
                    f"CREATE TABLE {_q(name)} PARTITION OF {_q(table)} FOR VALUES FROM (%s) TO (%s)",
                    [start, end],
                )
            else:
                column = _partition_column(cursor, table)
                cursor.execute(f"LOCK TABLE {_q(table)} IN ACCESS EXCLUSIVE MODE")
                # Attaching requires the parent's check constraints on the new table already.
                cursor.execute(
                    f"CREATE TABLE {_q(name)} (LIKE {_q(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
                )
                cursor.execute(
                    f"WITH moved AS (DELETE FROM {_q(default)} WHERE {_q(column)} >= %s AND {_q(column)} < %s "
                    f"RETURNING *) INSERT INTO {_q(name)} SELECT * FROM moved",
                    [start, end],
                )
                cursor.execute(
                    f"ALTER TABLE {_q(table)} ATTACH PARTITION {_q(name)} FOR VALUES FROM (%s) TO (%s)",
                    [start, end],
                )
            created.append(name)
        month = add_months(month, 1)
    return created


def _partition_column(cursor, table: str) -> str:
    return _fetch(
        cursor,
        "SELECT a.attname FROM pg_partitioned_table p JOIN pg_attribute a ON a.attrelid = p.partrelid "
        "AND a.attnum = p.partattrs[0] WHERE p.partrelid = %s::regclass",
        [table],
    )[0][0]


def _partition_column_is_date(cursor, table: str) -> bool:
    return _fetch(
        cursor,
        "SELECT a.atttypid = 'date'::regtype FROM pg_partitioned_table p JOIN pg_attribute a "
        "ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] WHERE p.partrelid = %s::regclass",
        [table],
    )[0][0]


def _default_partition(cursor, table: str) -> str | None:
    rows = _fetch(
        cursor,
        "SELECT c.relname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partdefid "
        "WHERE p.partrelid = %s::regclass",
        [table],
    )
    return rows[0][0] if rows else None


def _partitions(cursor, table: str) -> list[Partition]:
    result = []
    for name, expression, rows in _fetch(
        cursor,
        "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), c.reltuples::bigint FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass ORDER BY c.relname",
        [table],
    ):
        found = _MONTH_NAME.search(name)
        month = datetime.date(int(found[1]), int(found[2]), 1) if found else None
        result.append(Partition(name, month, expression, rows))
    return result


def partitions(table: str) -> list[Partition]:
    """The table's partitions, months first in order, then the default one."""
    if not enabled():
        return []
    with connection.cursor() as cursor:
        found = _partitions(cursor, table)
    return sorted(found, key=lambda p: (p.month is None, p.month or datetime.date.min))


def missing(
    *, today: datetime.date | None = None, ahead: int = MONTHS_AHEAD
) -> dict[str, list[datetime.date]]:
    """The months from this one to ``ahead`` months on that a registered table has no partition for yet."""
    if not enabled():
        return {}
    this_month = month_start(today or timezone.localdate())
    wanted = [add_months(this_month, n) for n in range(ahead + 1)]
    result = {}
    for table in TABLES:
        have = {p.month for p in partitions(table)}
        gaps = [m for m in wanted if m not in have]
        if gaps:
            result[table] = gaps
    return result


def ensure(*, today: datetime.date | None = None, ahead: int = MONTHS_AHEAD) -> dict[str, list[str]]:
    """Create this month's and the next ``ahead`` months' partitions of every registered table, and a default
    partition where one is missing. Idempotent; returns the partitions it created per table."""
    if not enabled():
        return {}
    this_month = month_start(today or timezone.localdate())
    created: dict[str, list[str]] = {}
    for table in TABLES:
        with transaction.atomic(), connection.cursor() as cursor:
            names = _create_partitions(cursor, table, this_month, add_months(this_month, ahead))
            if _default_partition(cursor, table) is None:
                name = f"{table}_{DEFAULT_SUFFIX}"
                cursor.execute(f"CREATE TABLE {_q(name)} PARTITION OF {_q(table)} DEFAULT")
                names.append(name)
        if names:
            created[table] = names
    return created


@dataclass(frozen=True)
class Detached:
    table: str
    month: datetime.date
    archived_as: str


def detach(*, before: datetime.date, tables: list[str] | None = None) -> list[Detached]:
    """Detach every month partition older than the month ``before`` and rename it ``<table>_archived_YYYY_MM``.

    The detached table keeps its rows and indexes, outside the partitioned table: queries no longer see it, and an
    operator dumps it for the archive and drops it (docs/operations.md). Never touches the current month or later.
    """
    if not enabled():
        return []
    limit = month_start(before)
    if limit > month_start(timezone.localdate()):
        raise ValueError("only months before the current one can be detached")
    done = []
    for table in tables or list(TABLES):
        with transaction.atomic(), connection.cursor() as cursor:
            for partition in _partitions(cursor, table):
                if partition.month is None or partition.month >= limit:
                    continue
                archived = archive_name(table, partition.month)
                cursor.execute(f"ALTER TABLE {_q(table)} DETACH PARTITION {_q(partition.name)}")
                cursor.execute(f"ALTER TABLE {_q(partition.name)} RENAME TO {_q(archived)}")
                done.append(Detached(table, partition.month, archived))
            after = TABLES[table].after_detach if table in TABLES else None
            if after is not None and any(d.table == table for d in done):
                after(cursor, bound(limit))
    return done


@scoped_task
def ensure_ahead(*, actor_id: int | None) -> dict:
    """The ``partitions.ensure`` schedule's task: partitions for this month and the next ``MONTHS_AHEAD``."""
    created = ensure()
    for table, names in created.items():
        logger.info("partitions created for %s: %s", table, ", ".join(names))
    return created


ENSURE = schedules.Schedule(
    "partitions.ensure",
    ensure_ahead,
    lambda: bool(missing()),
    f"creates the monthly partitions of the service records up to {MONTHS_AHEAD} months ahead (PostgreSQL)",
)
