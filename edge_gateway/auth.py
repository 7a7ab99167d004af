"""API tokens: `Authorization: Bearer <token>` -> SHA-256 -> the deployment it belongs to.

Tokens are 256 random bits, so a plain SHA-256 is enough (no slow hash on the hot path).
The index is keyed by a prefix of the hash for an O(1) lookup; the full hash is then
compared with `hmac.compare_digest`, so timing never tells how much of a stored hash a
guess matched.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from typing import Generic, TypeVar

from loadstar_core.digests import token_digest
from schemas.errors import Unauthorized

T = TypeVar("T")

_PREFIX = "bearer "
_BUCKET = 16  # hex chars of the hash used as the dict key


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer ...` header; UNAUTHORIZED when absent."""
    if not authorization:
        raise Unauthorized("missing Authorization: Bearer <apiToken>")
    if authorization[:7].lower() != _PREFIX or not authorization[7:].strip():
        raise Unauthorized("Authorization must be 'Bearer <apiToken>'")
    return authorization[7:].strip()


class TokenIndex(Generic[T]):
    """Maps token hashes to whatever the gateway serves for them (one entry per token)."""

    def __init__(self, entries: Iterable[tuple[str, T]]) -> None:
        self._buckets: dict[str, list[tuple[bytes, T]]] = {}
        self._size = 0
        for digest, value in entries:
            if not digest:  # an empty hash is a revoked token: it never matches
                continue
            full = digest.lower()
            self._buckets.setdefault(full[:_BUCKET], []).append((full.encode(), value))
            self._size += 1

    def __len__(self) -> int:
        return self._size

    def lookup(self, token: str) -> T:
        """The entry for `token`; UNAUTHORIZED for an unknown or revoked one."""
        digest = token_digest(token)
        wanted = digest.encode()
        for stored, value in self._buckets.get(digest[:_BUCKET], ()):
            if hmac.compare_digest(stored, wanted):
                return value
        raise Unauthorized("unknown or revoked API token")

    def authenticate(self, authorization: str | None) -> T:
        return self.lookup(bearer_token(authorization))
