"""The wire policy every contract shares: camelCase, unknown fields refused, defaults omitted."""

from __future__ import annotations

import msgspec


class Wire(
    msgspec.Struct, rename="camel", forbid_unknown_fields=True, omit_defaults=True, kw_only=True
):
    """Base of every DTO on the wire."""
