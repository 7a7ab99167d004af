"""Detection with an input known in advance: each checked point's window gets that input's
actual readings from the point on as its forecast-period values."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np

from edge_gateway.detection import plan_windows
from edge_gateway.wire import DetectInput
from loadstar_core.postprocess import prepare_contract
from tests.unit.postprocess.builders import START, contract, rows


def known_contract() -> Any:
    inputs = [
        {"name": "load", "source": "value", "unit": "kW"},
        {"name": "production", "source": "plan", "unit": "kW", "known": True},
    ]
    return contract(inputs=inputs, lookback=4, horizon=3)


def test_each_window_takes_the_readings_after_it_as_its_future() -> None:
    stream = rows(8, value=1.0, plan=[10.0, 11, 12, 13, 14, 15, 16, 17])
    batch = plan_windows(prepare_contract(known_contract()), DetectInput(data_stream=stream))
    assert [w.grid_end_s for w in batch.windows] == [
        int((START + timedelta(hours=h)).timestamp()) for h in (3, 4, 5, 6)
    ]
    futures = [w.future for w in batch.windows]
    assert all(f is not None and f.shape == (3, 1) for f in futures)
    # the first steps are the readings; past the stream's end they are held (linear policy)
    assert [f[:, 0].tolist() for f in futures if f is not None] == [
        [14, 15, 16],
        [15, 16, 17],
        [16, 17, 17],
        [17, 17, 17],
    ]
    assert batch.steps == [1, 1, 1, 1] and batch.skipped == 0


def test_a_point_without_the_known_reading_is_skipped() -> None:
    plan: list[Any] = [10.0, 11, 12, 13, None, 15, 16, 17]
    stream = rows(8, value=1.0, plan=plan)
    batch = plan_windows(prepare_contract(known_contract()), DetectInput(data_stream=stream))
    assert batch.skipped == 1
    ends = np.array([w.grid_end_s for w in batch.windows])
    assert int((START + timedelta(hours=3)).timestamp()) not in ends
