"""SM4-GCM for sensitive fields, an HMAC-SM3 blind index for exact search, and the audit chain's HMAC-SM3 keys.

Keys come from the environment: ``SHEGONG_DATA_KEYS`` ("id:base64,id:base64", the first one encrypts, every one
decrypts), ``SHEGONG_INDEX_KEY`` (base64) and ``SHEGONG_AUDIT_KEYS`` ("id:base64,id:base64", the first one chains
new audit entries, every one verifies; see docs/adr/0004-keyed-audit-chain.md). Outside production, missing keys are
generated once into ``var/keys.env`` so the demo and development work out of the box.
"""

from __future__ import annotations

import base64
import functools
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

log = logging.getLogger(__name__)

TOKEN_SCHEME = "sm4gcm"
NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionError(Exception):
    pass


@dataclass(frozen=True)
class Keyring:
    data_keys: dict[str, bytes]
    current_id: str
    index_key: bytes


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _parse_versioned(spec: str, variable: str, check_length) -> tuple[dict[str, bytes], str]:
    """ "id:base64,id:base64" into {id: key} and the first id (the one that writes)."""
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        key_id, _, material = item.partition(":")
        if not key_id or not material:
            raise ImproperlyConfigured(f"{variable} entries look like id:base64key")
        raw = _b64decode(material)
        check_length(key_id, raw)
        keys[key_id] = raw
        order.append(key_id)
    if not keys:
        raise ImproperlyConfigured(f"{variable} holds no key")
    return keys, order[0]


def _sm4_length(key_id: str, raw: bytes) -> None:
    if len(raw) != 16:
        raise ImproperlyConfigured(f"SM4 key {key_id!r} must be 16 bytes, got {len(raw)}")


def parse_data_keys(spec: str) -> tuple[dict[str, bytes], str]:
    return _parse_versioned(spec, "SHEGONG_DATA_KEYS", _sm4_length)


@dataclass(frozen=True)
class AuditKeys:
    """The audit chain's HMAC-SM3 keys by version; ``current_id`` chains new entries and signs checkpoints."""

    keys: dict[str, bytes]
    current_id: str


AUDIT_KEY_MIN_BYTES = 16


def _audit_length(key_id: str, raw: bytes) -> None:
    if len(raw) < AUDIT_KEY_MIN_BYTES:
        raise ImproperlyConfigured(
            f"SHEGONG_AUDIT_KEYS key {key_id!r} must be at least {AUDIT_KEY_MIN_BYTES} bytes, got {len(raw)}"
        )


def parse_audit_keys(spec: str) -> AuditKeys:
    keys, current = _parse_versioned(spec, "SHEGONG_AUDIT_KEYS", _audit_length)
    return AuditKeys(keys, current)


def generate_key_lines(key_id: str = "k1", audit_key_id: str = "a1") -> str:
    return (
        f"SHEGONG_DATA_KEYS={key_id}:{_b64encode(os.urandom(16))}\n"
        f"SHEGONG_INDEX_KEY={_b64encode(os.urandom(32))}\n"
        f"{generate_audit_key_line(audit_key_id)}"
    )


def generate_audit_key_line(key_id: str = "a1") -> str:
    return f"SHEGONG_AUDIT_KEYS={key_id}:{_b64encode(os.urandom(32))}\n"


def _local_keys() -> dict[str, str]:
    """Read (or create once) the development key file under var/.

    A file written before the audit chain was keyed gets its audit key appended, once.
    """
    path = Path(settings.LOCAL_KEY_FILE)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(generate_key_lines())
        path.chmod(0o600)
        log.warning("Generated local development keys in %s", path)
    text = path.read_text()
    if "SHEGONG_AUDIT_KEYS=" not in text:
        text = text + ("" if text.endswith("\n") or not text else "\n") + generate_audit_key_line()
        path.write_text(text)
        log.warning("Added a local development audit key to %s", path)
    values = {}
    for line in text.splitlines():
        name, _, value = line.partition("=")
        if value:
            values[name.strip()] = value.strip()
    return values


@functools.cache
def keyring() -> Keyring:
    data_spec, index_spec = settings.DATA_KEYS, settings.INDEX_KEY
    if not (data_spec and index_spec):
        if settings.PRODUCTION:
            raise ImproperlyConfigured("SHEGONG_DATA_KEYS and SHEGONG_INDEX_KEY must be set in production.")
        local = _local_keys()
        data_spec = data_spec or local["SHEGONG_DATA_KEYS"]
        index_spec = index_spec or local["SHEGONG_INDEX_KEY"]
    keys, current = parse_data_keys(data_spec)
    index_key = _b64decode(index_spec)
    if len(index_key) < 16:
        raise ImproperlyConfigured("SHEGONG_INDEX_KEY must be at least 16 bytes")
    return Keyring(keys, current, index_key)


@functools.cache
def audit_keys() -> AuditKeys:
    """The audit chain's keys: separate from the data keys, so either can be rotated or handed over alone."""
    spec = settings.AUDIT_KEYS
    if not spec:
        if settings.PRODUCTION:
            raise ImproperlyConfigured("SHEGONG_AUDIT_KEYS must be set in production.")
        spec = _local_keys()["SHEGONG_AUDIT_KEYS"]
    return parse_audit_keys(spec)


def reset_keyring() -> None:
    keyring.cache_clear()
    audit_keys.cache_clear()


class _Engines:
    """Objects derived from one keyring, built once: the SM4 algorithm per key and a keyed HMAC-SM3 to copy.

    Rebuilt whenever ``keyring()`` returns a different ring (after ``reset_keyring`` or a cache clear).
    """

    __slots__ = ("ring", "sm4", "mac", "prefix")

    def __init__(self, ring: Keyring):
        self.ring = ring
        self.sm4 = {key_id: algorithms.SM4(key) for key_id, key in ring.data_keys.items()}
        self.mac = hmac.HMAC(ring.index_key, hashes.SM3())
        self.prefix = f"{TOKEN_SCHEME}:{ring.current_id}:"


_engines: _Engines | None = None


def _current() -> _Engines:
    global _engines
    ring = keyring()
    engines = _engines
    if engines is None or engines.ring is not ring:
        engines = _engines = _Engines(ring)
    return engines


def encrypt(plaintext: str, associated_data: str) -> str:
    engines = _current()
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(engines.sm4[engines.ring.current_id], modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(associated_data.encode())
    body = encryptor.update(plaintext.encode()) + encryptor.finalize()
    return engines.prefix + _b64encode(nonce + body + encryptor.tag)


def sealer():
    """``encrypt`` with the current key bound once, for encrypting many values in a loop (same tokens)."""
    engines = _current()
    algorithm, prefix, urandom, gcm = (
        engines.sm4[engines.ring.current_id],
        engines.prefix,
        os.urandom,
        modes.GCM,
    )

    def seal(plaintext: str, associated_data: str) -> str:
        nonce = urandom(NONCE_BYTES)
        encryptor = Cipher(algorithm, gcm(nonce)).encryptor()
        encryptor.authenticate_additional_data(associated_data.encode())
        body = encryptor.update(plaintext.encode()) + encryptor.finalize()
        return prefix + _b64encode(nonce + body + encryptor.tag)

    return seal


def indexer(domain: str):
    """``blind_index`` for one domain with the key bound once (same indexes)."""
    mac, head = _current().mac, domain.encode() + b"\x00"

    def index(normalised_value: str) -> str:
        copy = mac.copy()
        copy.update(head + normalised_value.encode())
        return copy.finalize().hex()

    return index


def token_key_id(token: str) -> str:
    scheme, key_id, _ = token.split(":", 2)
    if scheme != TOKEN_SCHEME:
        raise DecryptionError(f"unknown scheme {scheme!r}")
    return key_id


def decrypt(token: str, associated_data: str) -> str:
    try:
        scheme, key_id, payload = token.split(":", 2)
    except ValueError as exc:
        raise DecryptionError("malformed ciphertext") from exc
    if scheme != TOKEN_SCHEME:
        raise DecryptionError(f"unknown scheme {scheme!r}")
    algorithm = _current().sm4.get(key_id)
    if algorithm is None:
        raise DecryptionError(f"key {key_id!r} is not configured")
    raw = _b64decode(payload)
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithm, modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(associated_data.encode())
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode()
    except InvalidTag as exc:
        raise DecryptionError("ciphertext does not authenticate (tampered, moved or wrong key)") from exc


def encrypt_bytes(plaintext: bytes, associated_data: str) -> bytes:
    """SM4-GCM for binary values (photos): ``sm4gcm:<key id>:`` then the raw nonce, ciphertext and tag."""
    engines = _current()
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(engines.sm4[engines.ring.current_id], modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(associated_data.encode())
    body = encryptor.update(plaintext) + encryptor.finalize()
    return engines.prefix.encode() + nonce + body + encryptor.tag


def _split_binary(blob: bytes) -> tuple[str, bytes]:
    scheme, sep, rest = blob.partition(b":")
    key_id, sep2, raw = rest.partition(b":")
    if not (sep and sep2) or scheme.decode(errors="replace") != TOKEN_SCHEME:
        raise DecryptionError("malformed binary ciphertext")
    return key_id.decode(errors="replace"), raw


def binary_key_id(blob: bytes) -> str:
    return _split_binary(bytes(blob))[0]


def decrypt_bytes(blob: bytes, associated_data: str) -> bytes:
    key_id, raw = _split_binary(bytes(blob))
    algorithm = _current().sm4.get(key_id)
    if algorithm is None:
        raise DecryptionError(f"key {key_id!r} is not configured")
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("malformed binary ciphertext")
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithm, modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(associated_data.encode())
    try:
        return decryptor.update(body) + decryptor.finalize()
    except InvalidTag as exc:
        raise DecryptionError("ciphertext does not authenticate (tampered, moved or wrong key)") from exc


def blind_index(domain: str, normalised_value: str) -> str:
    """HMAC-SM3 over a domain-separated, already normalised value: equal inputs give equal indexes."""
    mac = _current().mac.copy()
    mac.update(domain.encode() + b"\x00" + normalised_value.encode())
    return mac.finalize().hex()


def hmac_sm3_hex(key: bytes, data: bytes) -> str:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize().hex()


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()
