"""Parse Triton's Prometheus metrics into per model-version latency figures (pure)."""

from __future__ import annotations

import math
from collections import defaultdict

from prometheus_client.parser import text_string_to_metric_families

from control_plane.deployments.schemas import LatencySeries

COUNTERS = {
    "nv_inference_request_success": "requestSuccess",
    "nv_inference_request_failure": "requestFailure",
    "nv_inference_count": "inferenceCount",
    "nv_inference_exec_count": "execCount",
    "nv_inference_request_duration_us": "requestDurationUs",
    "nv_inference_queue_duration_us": "queueDurationUs",
    "nv_inference_compute_input_duration_us": "computeInputDurationUs",
    "nv_inference_compute_infer_duration_us": "computeInferDurationUs",
    "nv_inference_compute_output_duration_us": "computeOutputDurationUs",
}


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 2) if den > 0 else None


def parse_triton_metrics(text: str, model: str) -> list[LatencySeries]:
    """Every version of `model` found in a metrics scrape, with means and summary quantiles."""
    values: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(COUNTERS.values(), 0.0))
    quantiles: dict[str, dict[str, float]] = defaultdict(dict)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.labels.get("model") != model:
                continue
            version = sample.labels.get("version", "")
            name = sample.name.removesuffix("_total")
            if name in COUNTERS:
                values[version][COUNTERS[name]] = float(sample.value)
            elif (  # a summary with no sample yet reports NaN: no value, not a number
                name.endswith("_summary_us")
                and "quantile" in sample.labels
                and math.isfinite(sample.value)
            ):
                stage = name.removeprefix("nv_inference_").removesuffix("_summary_us")
                quantiles[version][f"{stage}:p{float(sample.labels['quantile']) * 100:g}"] = float(
                    sample.value
                )
    series = []
    for version in sorted(set(values) | set(quantiles)):
        v = values[version]
        success = v["requestSuccess"]
        compute = (
            v["computeInputDurationUs"] + v["computeInferDurationUs"] + v["computeOutputDurationUs"]
        )
        q = quantiles.get(version, {})
        series.append(
            LatencySeries(
                model=model,
                version=version,
                **v,  # type: ignore[arg-type]
                meanRequestUs=_ratio(v["requestDurationUs"], success),
                meanQueueUs=_ratio(v["queueDurationUs"], success),
                meanComputeUs=_ratio(compute, v["execCount"]),
                p99RequestUs=q.get("request:p99"),
                quantiles=q,
            )
        )
    return series
