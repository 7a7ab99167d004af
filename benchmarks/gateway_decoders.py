"""Ways to turn a predict body into columns, each timed alone on the gateway benchmark's body.

    .venv/bin/python -m benchmarks.gateway_decoders [--calls 2000]

The body is `gateway_bench`'s (640 raw rows, a timestamp and three numeric fields each).
CPU microseconds per call (best of 3 x calls) of: the gateway's typed decoding and its
column read (`loadstar_core/postprocess/typed.py`), the same rows transposed with
`msgspec.structs.astuple` and `zip`, polars reading the body or the decoded rows, msgspec
decoding the timestamps to `datetime` (and epoch microseconds from them), numpy and
polars parsing the timestamp strings, and a columnar body (`{"columns": {field: [...]}}`,
a form the contract does not have) decoded into lists and read into numpy. No service is
started; nothing here is used by the gateway.
"""

from __future__ import annotations

import argparse
import io
import math
import operator
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import numpy as np
import polars as pl

from benchmarks.gateway_bench_setup import bench_rows
from loadstar_core.postprocess.timestamps import parse_timestamps

SOURCES = ("value", "temp", "production")


def cpu_us(call: Callable[[], object], n: int) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for _ in range(n):
            call()
        best = min(best, (time.process_time() - started) / n * 1e6)
    return best


def row_decoder(stamp: type) -> Callable[[bytes], Any]:
    names = [f"s{j}" for j in range(len(SOURCES))]
    row = msgspec.defstruct(
        "Row",
        [("t", stamp), *((name, float, math.nan) for name in names)],
        rename={"t": "timestamp", **dict(zip(names, SOURCES, strict=True))},
        gc=False,
    )
    body = msgspec.defstruct(
        "Body",
        [("series", list[row] | None, None), ("units", dict[str, str] | None, None)],  # type: ignore[valid-type]
    )
    return msgspec.json.Decoder(body).decode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=2000)
    n = parser.parse_args().calls
    rows = bench_rows()
    body = msgspec.json.encode({"series": rows, "units": {"value": "W"}})
    series = msgspec.json.encode(rows)
    typed, dated = row_decoder(str), row_decoder(datetime)
    decoded = typed(body).series
    stamp = operator.attrgetter("t")
    getters = [operator.attrgetter(f"s{j}") for j in range(len(SOURCES))]

    def read_columns() -> object:
        values = np.empty((len(decoded), len(getters)))
        for j, get in enumerate(getters):
            values[:, j] = np.fromiter(map(get, decoded), dtype=np.float64, count=len(decoded))
        return list(map(stamp, decoded)), values

    def transposed() -> object:
        times, *values = zip(*map(msgspec.structs.astuple, decoded), strict=True)
        return times, np.array(values, dtype=np.float64).T

    texts = list(map(stamp, decoded))
    with_dates = dated(body).series
    epoch, one_us = datetime(1970, 1, 1, tzinfo=UTC), timedelta(microseconds=1)
    as_dicts = msgspec.json.decode(body)["series"]
    column_type = msgspec.defstruct(
        "Columns", [("timestamp", list[str]), *((name, list[float]) for name in SOURCES)]
    )
    columnar: Callable[[bytes], Any] = msgspec.json.Decoder(
        msgspec.defstruct("ColumnarBody", [("columns", column_type)])
    ).decode
    columnar_body = msgspec.json.encode(
        {"columns": {field: [row[field] for row in rows] for field in ("timestamp", *SOURCES)}}
    )
    columns = columnar(columnar_body).columns
    texts_series = pl.Series(texts)
    polars_format = "%Y-%m-%dT%H:%M:%S%z"
    cases: dict[str, tuple[Callable[[], object], int]] = {
        "typed decode (gateway)": (lambda: typed(body), n),
        "typed columns read (gateway)": (read_columns, n),
        "typed rows -> astuple + zip": (transposed, n),
        "decode to dicts (general path)": (lambda: msgspec.json.decode(body), n),
        "polars read_json(body)": (lambda: pl.read_json(io.BytesIO(body)), n // 10),
        "polars read_json(rows only)": (lambda: pl.read_json(io.BytesIO(series)), n // 10),
        "polars DataFrame(dict rows)": (lambda: pl.DataFrame(as_dicts), n // 10),
        "typed decode, datetime stamps": (lambda: dated(body), n),
        "datetime -> epoch us": (
            lambda: np.fromiter(
                ((d - epoch) // one_us for d in map(stamp, with_dates)),
                dtype=np.int64,
            ),
            n // 10,
        ),
        "timestamps parsed (gateway)": (lambda: parse_timestamps(texts, "timestamp"), n),
        "polars str.to_datetime": (
            lambda: texts_series.str.to_datetime(polars_format).dt.epoch("us").to_numpy(),
            n // 10,
        ),
        "columnar body decode": (lambda: columnar(columnar_body), n),
        "columnar lists -> numpy": (
            lambda: np.array([getattr(columns, f) for f in SOURCES], dtype=np.float64).T,
            n,
        ),
    }
    print(f"CPU us per call, {len(rows)} rows, best of 3")
    for name, (call, calls) in cases.items():
        print(f"  {name:<34}{cpu_us(call, calls):>8.0f}")


if __name__ == "__main__":
    main()
