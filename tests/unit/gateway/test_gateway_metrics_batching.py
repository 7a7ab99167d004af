"""The gateway notes its observations on the hot path and puts them into the Prometheus
metrics when they are read: a scrape shows every request answered before it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from edge_gateway.metrics import _FLUSH_AT, GatewayMetrics

ROUTE = "/api/inference/predict"


def sample(text: str, name: str, **labels: str) -> float:
    """The value of `name{labels}` in the Prometheus text (labels sorted, as written)."""
    inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    prefix = name + "{" + inner + "} "
    values = [float(line[len(prefix) :]) for line in text.splitlines() if line.startswith(prefix)]
    return values[0] if values else 0.0


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["dep-a", "dep-b", "-"]),
            st.sampled_from(["OK", "NOT_FOUND"]),
            st.floats(0, 3),
        ),
        max_size=30,
    )
)
def test_a_scrape_counts_every_request_noted_before_it(
    requests: list[tuple[str, str, float]],
) -> None:
    metrics = GatewayMetrics()
    for deployment, code, seconds in requests:
        metrics.observe_request(deployment, ROUTE, code, seconds)
        metrics.observe_stage(ROUTE, "decode", seconds / 2)
        metrics.count_triton_calls(deployment, code, 2)
    text = metrics.render().decode()
    for deployment in {d for d, _, _ in requests}:
        for code in {c for d, c, _ in requests if d == deployment}:
            mine = [s for d, c, s in requests if (d, c) == (deployment, code)]
            labels = {"deployment": deployment, "route": ROUTE, "code": code}
            assert sample(text, "loadstar_gateway_requests_total", **labels) == len(mine)
            total = sample(text, "loadstar_gateway_request_seconds_sum", **labels)
            assert abs(total - sum(mine)) <= 1e-9 * max(1.0, sum(mine))
            calls = {"deployment": deployment, "outcome": code}
            assert sample(text, "loadstar_gateway_triton_calls_total", **calls) == 2 * len(mine)
    stage = {"route": ROUTE, "stage": "decode"}
    assert sample(text, "loadstar_gateway_stage_seconds_count", **stage) == len(requests)
    assert metrics.render().decode() == text  # reading again adds nothing


def test_observations_are_put_in_without_a_scrape_past_the_bound() -> None:
    metrics = GatewayMetrics()
    for _ in range(_FLUSH_AT):
        metrics.observe_stage(ROUTE, "legalize", 0.001)
    count = metrics.registry.get_sample_value(
        "loadstar_gateway_stage_seconds_count", {"route": ROUTE, "stage": "legalize"}
    )
    assert count == _FLUSH_AT
    metrics.observe_stage(ROUTE, "legalize", 0.001)  # noted, not yet put in
    assert (
        metrics.registry.get_sample_value(
            "loadstar_gateway_stage_seconds_count", {"route": ROUTE, "stage": "legalize"}
        )
        == _FLUSH_AT
    )
