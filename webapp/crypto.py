"""Sealing a visit's answers with the visit's own key (AES-256-GCM, from the `cryptography` library).

The key is made at random for each visit and lives only in that visit's session cookie; the
server keeps the sealed bytes. When the cookie is gone (exit, delete, a lost cookie) what is
left in the database, its WAL, its free pages or a backup cannot be read by anyone.

A sealed value is one format byte, a random 96-bit nonce, then the ciphertext with its tag.
Each value is bound to where it is stored (its "context", e.g. b"result:<visit>:<id>"), so a
sealed draft cannot be passed off as a result or moved to another visit.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT = b"\x01"  # AES-256-GCM with a 12-byte random nonce
KEY_BYTES = 32
_NONCE = 12


class Unreadable(Exception):
    """A sealed value that this key cannot open (another visit's, tampered with, or cut short)."""


def new_key() -> bytes:
    """Give a fresh random 256-bit key for a visit."""
    return AESGCM.generate_key(bit_length=256)


def seal(key: bytes, plain: bytes, context: bytes) -> bytes:
    """Give `plain` encrypted and authenticated under `key`, bound to `context`."""
    nonce = os.urandom(_NONCE)
    return FORMAT + nonce + AESGCM(key).encrypt(nonce, plain, context)


def unseal(key: bytes, sealed: bytes, context: bytes) -> bytes:
    """Give the plain bytes of a sealed value, or raise Unreadable."""
    if len(sealed) < 1 + _NONCE + 16 or sealed[:1] != FORMAT:
        raise Unreadable("not a sealed value of a known format")
    try:
        return AESGCM(key).decrypt(sealed[1 : 1 + _NONCE], sealed[1 + _NONCE :], context)
    except InvalidTag:
        raise Unreadable("wrong key or altered data") from None


def seal_json(key: bytes, value: Any, context: bytes) -> bytes:
    """Give a JSON value sealed (see `seal`)."""
    return seal(key, json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode(), context)


def unseal_json(key: bytes, sealed: bytes, context: bytes) -> Any:
    """Give the JSON value in a sealed value, or raise Unreadable."""
    return json.loads(unseal(key, sealed, context))


def label(key: bytes, name: str) -> str:
    """Give a name as this key's keyed hash, so which check a draft belongs to is not stored in clear."""
    return hmac.new(key, name.encode(), hashlib.sha256).hexdigest()
