"""Encrypted model fields and their blind index.

An ``EncryptedField`` holds SM4-GCM ciphertext in the database. Its associated data binds the ciphertext to the
table, the column and the row's ``uid``, so a value copied to another row or column no longer decrypts. Reading the
attribute decrypts lazily; assigning a plain string marks it for encryption on save. Encrypted columns cannot be
filtered on: search goes through a ``BlindIndexField`` that holds HMAC-SM3 of the normalised plaintext.
``EncryptedJSONField`` seals a JSON value's text the same way, and ``EncryptedBinaryField`` seals bytes (photos).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from . import crypto


class Sealed(str):
    """Ciphertext as read from the database, not yet decrypted."""

    __slots__ = ()


class EncryptedFieldLookupError(TypeError):
    pass


def associated_data(instance: models.Model, field: models.Field) -> str:
    uid = getattr(instance, "uid", None)
    if uid is None:
        raise TypeError(f"{type(instance).__name__} needs a `uid` field to hold encrypted values")
    return f"{instance._meta.db_table}.{field.column}:{uid}"


def opener(model: type[models.Model], name: str) -> Callable[[object], str]:
    """Decrypt ``row.<name>`` of a row read without its model (a ``values_list(..., named=True)`` row carrying
    ``uid``), with the associated data the instance attribute would use; a blank value stays blank."""
    field = model._meta.get_field(name)
    if not isinstance(field, EncryptedField):
        raise TypeError(f"{model.__name__}.{name} is not an encrypted text field")
    prefix, open_ = f"{model._meta.db_table}.{field.column}:", field.open

    def value(row) -> str:
        token = getattr(row, name)
        return open_(token, prefix + str(row.uid)) if token else ""

    return value


class SealedBytes(bytes):
    """Binary ciphertext as read from the database, not yet decrypted."""

    __slots__ = ()


class _EncryptedDescriptor:
    def __init__(self, field: EncryptedField | EncryptedBinaryField):
        self.field = field

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__.get(self.field.attname)
        if isinstance(value, (Sealed, SealedBytes)):
            value = self.field.open(value, associated_data(instance, self.field))
            instance.__dict__[self.field.attname] = value
            instance.__dict__[self.field.attname + "__sealed"] = True
        return value

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class EncryptedField(models.TextField):
    description = "SM4-GCM encrypted text"

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only)
        setattr(cls, self.attname, _EncryptedDescriptor(self))

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return Sealed(value)

    # The plaintext <-> token conversions; subclasses change what the plaintext is (text, JSON).
    def open(self, token: Sealed, aad: str):
        return crypto.decrypt(str(token), aad) if token else ""

    def seal(self, value, aad: str) -> Sealed:
        return Sealed(crypto.encrypt(str(value), aad))

    # What key rotation needs: which key sealed a stored token, and the same plaintext under the current key.
    def token_key_id(self, token) -> str:
        return crypto.token_key_id(str(token))

    def reseal(self, token, aad: str) -> Sealed:
        return Sealed(crypto.encrypt(crypto.decrypt(str(token), aad), aad))

    def pre_save(self, model_instance, add):
        value = model_instance.__dict__.get(self.attname)
        if value is None or value == "":
            return value
        if isinstance(value, Sealed):
            return value
        return self.seal(value, associated_data(model_instance, self))

    def get_prep_value(self, value):
        if value is None or value == "" or isinstance(value, Sealed):
            return None if value is None else str(value)
        raise EncryptedFieldLookupError(
            f"{self.model.__name__}.{self.name} is encrypted: search it through its blind index, "
            "and write it through the model, not a queryset update"
        )

    def to_python(self, value):
        return value

    def value_to_string(self, obj):
        return "***"


class EncryptedJSONField(EncryptedField):
    """A JSON value stored as SM4-GCM ciphertext of its JSON text. It cannot be queried: keep any flag a list or
    a selector needs in a plain column beside it."""

    description = "SM4-GCM encrypted JSON"

    def open(self, token: Sealed, aad: str):
        if not token:
            return self.get_default()
        return json.loads(crypto.decrypt(str(token), aad))

    def seal(self, value, aad: str) -> Sealed:
        text = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
        return Sealed(crypto.encrypt(text, aad))

    def validate(self, value, model_instance):
        # An empty dict or list is a value, not a blank text.
        if value in ({}, []) and self.blank:
            return
        super().validate(value, model_instance)


class EncryptedBinaryField(models.BinaryField):
    """Bytes (a photo) stored as SM4-GCM ciphertext; decrypted when the attribute is read."""

    description = "SM4-GCM encrypted bytes"

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only)
        setattr(cls, self.attname, _EncryptedDescriptor(self))

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return SealedBytes(bytes(value))

    def open(self, token: SealedBytes, aad: str) -> bytes:
        return crypto.decrypt_bytes(token, aad) if token else b""

    def token_key_id(self, token) -> str:
        return crypto.binary_key_id(bytes(token))

    def reseal(self, token, aad: str) -> SealedBytes:
        return SealedBytes(crypto.encrypt_bytes(crypto.decrypt_bytes(bytes(token), aad), aad))

    def pre_save(self, model_instance, add):
        value = model_instance.__dict__.get(self.attname)
        if value is None or isinstance(value, SealedBytes) or not len(value):
            return value
        return SealedBytes(crypto.encrypt_bytes(bytes(value), associated_data(model_instance, self)))

    def get_prep_value(self, value):
        if value is None or isinstance(value, SealedBytes) or not len(value):
            return value
        raise EncryptedFieldLookupError(
            f"{self.model.__name__}.{self.name} is encrypted: write it through the model, not a queryset update"
        )

    def to_python(self, value):
        return value

    def value_to_string(self, obj):
        return "***"


class BlindIndexField(models.CharField):
    """HMAC-SM3 of another field's normalised plaintext, filled on save."""

    def __init__(
        self,
        *args,
        source: str = "",
        domain: str = "",
        normaliser: Callable[[str], str] | None = None,
        **kwargs,
    ):
        self.source = source
        self.domain = domain or source
        self.normaliser = normaliser
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["domain"] = self.domain
        # __init__ defaults db_index to True, so an explicit False must survive the round trip through migrations.
        kwargs["db_index"] = self.db_index
        return name, path, args, kwargs

    def compute(self, plaintext: str | None) -> str | None:
        if not plaintext:
            return None
        value = self.normaliser(plaintext) if self.normaliser else plaintext.strip()
        return crypto.blind_index(self.domain, value)

    def pre_save(self, model_instance, add):
        value = self.compute(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


class SensitiveModel(models.Model):
    """Base for models with encrypted fields: ``uid`` is the row identity bound into the ciphertext."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


def encrypted_fields(model: type[models.Model]) -> list[EncryptedField | EncryptedBinaryField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, (EncryptedField, EncryptedBinaryField))]


def blind_index_for(model: type[models.Model], field_name: str, plaintext: str) -> str | None:
    field = model._meta.get_field(field_name)
    assert isinstance(field, BlindIndexField)
    return field.compute(plaintext)
