"""Which rules a reading fires or resolves (pure)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from control_plane.system_alerts.rules import METRICS, RuleView, breached, evaluate, gpu_readings

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
rules = st.lists(
    st.builds(
        RuleView,
        id=st.integers(1, 50),
        name=st.just("r"),
        metric=st.sampled_from(METRICS),
        op=st.sampled_from([">", ">=", "<", "<="]),
        threshold=finite,
    ),
    unique_by=lambda r: r.id,
    max_size=8,
)
readings = st.dictionaries(st.sampled_from(METRICS), st.none() | finite)


@given(rules, readings, st.sets(st.integers(1, 50)))
def test_fire_and_resolve_partition_the_rules_with_readings(rules_, readings_, open_rules) -> None:
    fired, resolved = evaluate(rules_, readings_, open_rules)
    fired_ids = {f.rule.id for f in fired}
    for rule in rules_:
        value = readings_.get(rule.metric)
        if value is None:
            assert rule.id not in fired_ids and rule.id not in resolved
        elif breached(rule, value):
            assert (rule.id in fired_ids) == (rule.id not in open_rules)
            assert rule.id not in resolved
        else:
            assert rule.id not in fired_ids
            assert (rule.id in resolved) == (rule.id in open_rules)
    assert all(f.value == readings_[f.rule.metric] for f in fired)


@given(finite, finite)
def test_ops_mean_what_they_say(value: float, threshold: float) -> None:
    def rule(op: str) -> RuleView:
        return RuleView(1, "r", "cpu", op, threshold)

    assert breached(rule(">"), value) == (value > threshold)
    assert breached(rule(">="), value) != breached(rule("<"), value)
    assert breached(rule("<="), value) != breached(rule(">"), value)


@given(
    st.lists(
        st.tuples(
            st.floats(0, 100),
            st.none() | st.floats(0, 120),
            st.integers(0, 1 << 40),
            st.integers(1, 1 << 40),
        ),
        max_size=4,
    )
)
def test_the_hottest_gpu_counts(gpus) -> None:  # type: ignore[no-untyped-def]
    found = gpu_readings(
        [g[0] for g in gpus], [g[1] for g in gpus], [(min(g[2], g[3]), g[3]) for g in gpus]
    )
    if not gpus:
        assert set(found.values()) == {None}
        return
    assert found["gpuUtilization"] == max(g[0] for g in gpus)
    assert 0 <= found["gpuMemory"] <= 100  # type: ignore[operator]
