"""Prometheus metrics of one gateway: requests by deployment, route and code; stage latencies.

Each app owns its registry (several apps can live in one test process). A request's
observations are only noted on the hot path (a list append each) and put into the
histograms and counters in one go when `/metrics` is read, or every few thousand
observations; a scrape sees every request answered before it, as before.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST

# Seconds; dense below 10 ms where the gateway lives, coarse up to the Triton timeout.
_BUCKETS = (
    0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.0075,
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
)  # fmt: skip
STAGES = ("decode", "legalize", "triton", "format")
_FLUSH_AT = 4096  # observations noted before they are put into the metrics anyway


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "loadstar_gateway_requests",
            "Requests answered, by deployment, route and code (OK or the error code)",
            ["deployment", "route", "code"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "loadstar_gateway_request_seconds",
            "Time from body received to answer encoded",
            ["deployment", "route", "code"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.stage = Histogram(
            "loadstar_gateway_stage_seconds",
            "Time per stage of the hot path",
            ["route", "stage"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.triton_calls = Counter(
            "loadstar_gateway_triton_calls",
            "Inference calls sent to Triton, by deployment and outcome",
            ["deployment", "outcome"],
            registry=self.registry,
        )
        self.triton_batch = Histogram(
            "loadstar_gateway_triton_batch_size",
            "Windows per Triton call",
            ["route"],
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
            registry=self.registry,
        )
        self.contract_revision = Gauge(
            "loadstar_gateway_contract_revision",
            "Revision of the deployment snapshot being served",
            registry=self.registry,
        )
        self._request_children: dict[tuple[str, str, str], tuple[Counter, Histogram]] = {}
        self._stage_children: dict[tuple[str, str], Histogram] = {}
        self._call_children: dict[tuple[str, str], Counter] = {}
        self._requests: list[tuple[str, str, str, float]] = []
        self._stages: list[tuple[str, str, float]] = []
        self._calls: list[tuple[str, str, int]] = []

    def observe_request(self, deployment: str, route: str, code: str, seconds: float) -> None:
        self._requests.append((deployment, route, code, seconds))
        if len(self._requests) >= _FLUSH_AT:
            self.flush()

    def observe_stage(self, route: str, stage: str, seconds: float) -> None:
        self._stages.append((route, stage, seconds))
        if len(self._stages) >= _FLUSH_AT:
            self.flush()

    def count_triton_calls(self, deployment: str, outcome: str, calls: int = 1) -> None:
        self._calls.append((deployment, outcome, calls))
        if len(self._calls) >= _FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        """Puts every observation noted so far into the histograms and counters."""
        requests, self._requests = self._requests, []
        for deployment, route, code, seconds in requests:
            key = (deployment, route, code)
            children = self._request_children.get(key)
            if children is None:
                children = (self.requests.labels(*key), self.latency.labels(*key))
                self._request_children[key] = children
            children[0].inc()
            children[1].observe(seconds)
        stages, self._stages = self._stages, []
        for route, stage, seconds in stages:
            child = self._stage_children.get((route, stage))
            if child is None:
                child = self._stage_children[route, stage] = self.stage.labels(route, stage)
            child.observe(seconds)
        calls, self._calls = self._calls, []
        for deployment, outcome, count in calls:
            counter = self._call_children.get((deployment, outcome))
            if counter is None:
                counter = self.triton_calls.labels(deployment, outcome)
                self._call_children[deployment, outcome] = counter
            counter.inc(count)

    def render(self) -> bytes:
        self.flush()
        return generate_latest(self.registry)
