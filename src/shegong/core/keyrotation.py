"""Re-encrypt every sensitive value under the current data key."""

from __future__ import annotations

from django.apps import apps
from django.db import transaction

from . import crypto
from .fields import EncryptedBinaryField, associated_data, encrypted_fields


def rotate(batch_size: int = 500) -> dict[str, int]:
    ring = crypto.keyring()
    counts: dict[str, int] = {}
    for model in apps.get_models():
        fields = encrypted_fields(model)
        if not fields:
            continue
        manager = model._default_manager  # the caller (`shegong keys rotate`) runs unscoped
        # Rows with encrypted bytes (photos, up to a few MB each) come a few at a time, and only the columns
        # rotation needs.
        binary = any(isinstance(f, EncryptedBinaryField) for f in fields)
        size = min(batch_size, 20) if binary else batch_size
        columns = ["pk", "uid", *(f.attname for f in fields)]
        changed = 0
        last_pk = None
        while True:
            queryset = manager.order_by("pk")
            if last_pk is not None:
                queryset = queryset.filter(pk__gt=last_pk)
            batch = list(queryset.only(*columns)[:size])
            if not batch:
                break
            with transaction.atomic():
                for row in batch:
                    updates = {}
                    for field in fields:
                        token = row.__dict__.get(field.attname)
                        if not token or field.token_key_id(token) == ring.current_id:
                            continue
                        updates[field.attname] = field.reseal(token, associated_data(row, field))
                    if updates:
                        manager.filter(pk=row.pk).update(**updates)
                        changed += 1
            last_pk = batch[-1].pk
        counts[model._meta.label] = changed
    return counts
