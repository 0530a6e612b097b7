"""Moving existing columns to encrypted storage, for migrations (which, like commands, run outside any scope)."""

from __future__ import annotations

import json
import uuid

from django.db import models

from shegong.core import crypto


def seal_existing_rows(connection, table: str, text_columns=(), binary_columns=()) -> None:
    """For a migration that moves columns to encrypted storage: give rows without a ``uid`` one, and seal the
    values still held in clear, with the same associated data the fields use."""
    quote = connection.ops.quote_name
    uid_field = models.UUIDField()
    columns = ["id", "uid", *text_columns, *binary_columns]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)}")  # noqa: S608
        rows = cursor.fetchall()
        for pk, raw_uid, *values in rows:
            uid = uuid.UUID(str(raw_uid)) if raw_uid else uuid.uuid4()
            updates: dict[str, object] = {"uid": uid_field.get_db_prep_value(uid, connection)}
            for column, value in zip(text_columns, values[: len(text_columns)], strict=True):
                if value and not str(value).startswith(crypto.TOKEN_SCHEME + ":"):
                    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                    updates[column] = crypto.encrypt(text, f"{table}.{column}:{uid}")
            for column, value in zip(binary_columns, values[len(text_columns) :], strict=True):
                if value and not bytes(value).startswith(crypto.TOKEN_SCHEME.encode() + b":"):
                    updates[column] = crypto.encrypt_bytes(bytes(value), f"{table}.{column}:{uid}")
            assignments = ", ".join(f"{quote(column)} = %s" for column in updates)
            cursor.execute(
                f"UPDATE {quote(table)} SET {assignments} WHERE {quote('id')} = %s",  # noqa: S608
                [*updates.values(), pk],
            )
