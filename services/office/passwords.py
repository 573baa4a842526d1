"""Argon2id password hashes (argon2-cffi's defaults, RFC 9106's low-memory profile: 64 MiB,
3 passes) and random passwords."""
from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
MIN_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """A missing account is checked against a throw-away hash: the answer takes as long as for a
    wrong password, so the timing does not tell which names exist."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(_hasher), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=4)
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash(secrets.token_urlsafe(16))


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def random_password() -> str:
    """16 characters from a 64-letter alphabet: 96 bits, easy to copy (no quotes or spaces)."""
    return secrets.token_urlsafe(12)
