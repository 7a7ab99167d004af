"""A table row as a wire Struct: fields from their snake_case columns."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from control_plane.struct_rows import column_name, from_row


class Out(msgspec.Struct, kw_only=True):
    id: int
    ruleId: int
    createdAt: datetime
    note: str | None = None


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)


@given(st.lists(words, min_size=1, max_size=4))
def test_a_camel_field_reads_the_snake_column(parts: list[str]) -> None:
    field = parts[0] + "".join(p.capitalize() for p in parts[1:])
    assert column_name(field) == "_".join(parts)


@given(st.integers(), st.integers(), st.none() | words)
def test_every_field_comes_from_its_column_or_the_given_value(
    key: int, rule: int, note: str | None
) -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    row = {"id": key, "rule_id": rule, "created_at": at, "deployment_id": "extra"}
    assert from_row(Out, row) == Out(id=key, ruleId=rule, createdAt=at)
    assert from_row(Out, row, note=note).note == note
    assert from_row(Out, row, id=7).id == 7


def test_a_missing_required_column_is_named() -> None:
    with pytest.raises(KeyError, match="created_at"):
        from_row(Out, {"id": 1, "rule_id": 2})
