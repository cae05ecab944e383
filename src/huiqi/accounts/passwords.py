"""Password hashing with Argon2id (argon2-cffi's defaults, RFC 9106's low-memory profile).

>>> stored = hash_password("correct horse battery")
>>> stored.startswith("$argon2id$"), verify_password(stored, "correct horse battery")
(True, True)
>>> verify_password(stored, "wrong"), verify_password("not a hash", "wrong")
(False, False)
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches ``stored``; a damaged hash is a mismatch, never an error."""
    try:
        return HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    return HASHER.hash("huiqi-no-such-user")


def burn_time(password: str) -> None:
    """Spend what a real check costs, so an unknown user name is not faster to answer."""
    verify_password(_dummy_hash(), password)
