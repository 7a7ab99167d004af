"""How an API token is stored and compared: its SHA-256 in hex, never the token itself.

The control plane writes the digest when it issues a token; the gateway computes the same
digest from a request's Bearer token to look it up. One function, so they cannot drift.
"""

from __future__ import annotations

import hashlib


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
