"""Requests decoded into a deployment's typed rows legalize exactly as the general decoding
does: the same window and warnings, or the same error (code, message and details)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec
import numpy as np
from hypothesis import event, given, settings
from hypothesis import strategies as st

from loadstar_core.postprocess import legalize_window, prepare_contract
from loadstar_core.postprocess.typed import decode_typed
from schemas.contracts import InferenceInput
from schemas.errors import LoadstarError
from tests.unit.postprocess.builders import START, contract, iso

DEP = contract(lookback=6, maxMissingRatio=0.5)
PLAN = prepare_contract(DEP)
_decode = msgspec.json.Decoder(InferenceInput).decode

numbers = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.integers(-(2**70), 2**70),
    st.floats(-1e6, 1e6),
)
cells = st.one_of(
    numbers,
    st.none(),
    st.booleans(),
    st.sampled_from(["1.5", "", "x"]),
)
stamps = st.one_of(
    st.integers(0, 20).map(lambda h: iso(START + timedelta(minutes=30 * h))),
    st.sampled_from(["2025-07-01T01:00:00+02:00", "2025-07-01 03:00:00", "yesterday", ""]),
    st.integers(),
    st.none(),
)


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    rows: list[Any] = []
    clean = draw(st.booleans())  # numbers only: the typed path's own bodies
    for _ in range(draw(st.integers(0, 14))):
        if not clean and draw(st.integers(0, 30)) == 0:
            rows.append(draw(st.sampled_from([None, 3, "row", [1, 2]])))
            continue
        row: dict[str, Any] = {}
        if clean or draw(st.integers(0, 20)):
            row["timestamp"] = draw(
                stamps.filter(lambda s: isinstance(s, str)) if clean else stamps
            )
        for field in ("value", "temp", "production", "extra"):
            if draw(st.booleans()) or field == "value":
                row[field] = draw(numbers if clean else cells)
        rows.append(row)
    body: dict[str, Any] = {draw(st.sampled_from(["series", "historical_data"])): rows}
    if draw(st.booleans()):
        body["units"] = {"value": draw(st.sampled_from(["W", "kW", "MW", "furlong"]))}
    if draw(st.booleans()):
        body["horizon"] = draw(st.integers(-1, 6))
    return msgspec.json.encode(body)


def outcome(payload: Any) -> Any:
    try:
        legal = legalize_window(DEP, payload, PLAN)
    except LoadstarError as exc:
        return ("error", exc.code, exc.message, msgspec.json.encode(exc.details))
    return (
        legal.window.tobytes(),
        legal.grid_end_s,
        legal.filled,
        msgspec.json.encode(legal.warnings),
        legal.unit,
        legal.horizon,
    )


@settings(max_examples=600, deadline=None)
@given(bodies())
def test_typed_rows_legalize_as_the_general_decoding(body: bytes) -> None:
    typed = decode_typed(body, PLAN)
    event("typed" if typed is not None else "general")
    if typed is None:
        return  # the gateway decodes such a body the general way: nothing to compare
    assert outcome(typed) == outcome(_decode(body))


def test_the_benchmark_body_takes_the_typed_path() -> None:
    rows = [
        {"timestamp": iso(START + timedelta(minutes=15 * i)), "value": 1000.0 + i, "temp": 20}
        for i in range(40)
    ]
    body = msgspec.json.encode({"series": rows, "units": {"value": "W"}})
    typed = decode_typed(body, PLAN)
    assert typed is not None
    assert outcome(typed) == outcome(_decode(body))
    assert np.isfinite(legalize_window(DEP, typed, PLAN).window).all()


def test_nulls_and_bools_leave_the_typed_path() -> None:
    for value in ("null", "true"):
        body = b'{"series": [{"timestamp": "2025-07-01T00:00:00Z", "value": ' + value.encode()
        assert decode_typed(body + b"}]}", PLAN) is None


def test_the_fast_decode_keeps_what_the_general_one_keeps_and_refuses_the_unknown() -> None:
    """The global model's asset and the online window's entity survive the fast path (the
    data plane sends a request with an entity the general way, so its rows can be merged
    as plain rows); an unknown field is left to the general decoder, which refuses it."""
    row = {DEP.timestampField: iso(START), PLAN.sources[0]: 1.0}
    body = {"series": [row], "assetId": "line-b", "entity": "m9"}
    typed = decode_typed(msgspec.json.encode(body), PLAN)
    assert typed is not None and typed.assetId == "line-b" and typed.entity == "m9"
    assert decode_typed(msgspec.json.encode({**body, "bogus": 1}), PLAN) is None
