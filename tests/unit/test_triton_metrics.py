"""Triton's Prometheus text, read into latency series: a summary quantile with no sample
yet (NaN) is left out, so the answer holds only numbers."""

from __future__ import annotations

from control_plane.deployments.triton_metrics import parse_triton_metrics

TEXT = """\
# TYPE nv_inference_request_summary_us summary
nv_inference_request_summary_us{model="m",version="1",quantile="0.5"} 1446
nv_inference_request_summary_us{model="m",version="1",quantile="0.99"} NaN
nv_inference_request_summary_us_count{model="m",version="1"} 5
nv_inference_request_summary_us_sum{model="m",version="1"} 24756
"""


def test_a_quantile_without_a_sample_is_left_out() -> None:
    (series,) = parse_triton_metrics(TEXT, "m")
    assert series.quantiles == {"request:p50": 1446.0}
    assert series.p99RequestUs is None
