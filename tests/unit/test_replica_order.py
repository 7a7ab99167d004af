"""Several Triton replicas: which models a replica must load, the order a call tries the
replicas, and how the settings name them (one address stays the one-replica case)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from control_plane.settings import Settings
from edge_gateway.settings import GatewaySettings
from triton_repo.replica_plan import missing_models, try_order
from triton_repo.repository import replica_urls

pairs = st.lists(st.tuples(st.sampled_from("abcde"), st.integers(1, 4)), max_size=12)


@given(pairs, pairs)
def test_a_model_is_loaded_when_any_wanted_version_is_not_ready(
    wanted: list[tuple[str, int]], ready: list[tuple[str, int]]
) -> None:
    out = missing_models(wanted, set(ready))
    assert out == sorted(set(out))  # each model once, in a stable order
    for model in "abcde":
        lacking = any(m == model and (m, v) not in ready for m, v in wanted)
        assert (model in out) == lacking


@given(st.integers(0, 10_000), st.integers(0, 8))
def test_every_replica_is_tried_once_starting_in_turn(start: int, count: int) -> None:
    order = try_order(start, count)
    assert sorted(order) == list(range(count))
    if count:
        assert order[0] == start % count


def test_successive_calls_start_on_successive_replicas() -> None:
    assert [try_order(n, 3)[0] for n in range(6)] == [0, 1, 2, 0, 1, 2]


def test_replica_addresses_are_split_trimmed_and_deduplicated() -> None:
    assert replica_urls("a:1") == ["a:1"]
    assert replica_urls(" a:1, b:2 ,a:1,") == ["a:1", "b:2"]
    assert replica_urls(["b:2", "a:1"]) == ["b:2", "a:1"]
    with pytest.raises(ValueError):
        replica_urls(" , ")


def test_control_plane_lists_every_replica_or_the_one_address() -> None:
    assert Settings.from_env({"TRITON_GRPC_URL": "t:8001"}).triton_replicas == "t:8001"
    many = Settings.from_env({"TRITON_GRPC_URLS": "t1:8001,t2:8001", "LOADSTAR_TRITON_SYNC_S": "5"})
    assert replica_urls(many.triton_replicas) == ["t1:8001", "t2:8001"]
    assert many.triton_sync_s == 5.0


def test_gateway_lists_replicas_per_protocol() -> None:
    one = GatewaySettings.from_env({"TRITON_GRPC_URL": "t:8001", "TRITON_HTTP_URL": "t:8000"})
    assert one.triton_replicas == ("t:8001", "t:8000")  # inference over HTTP by default
    grpc_only = {"TRITON_GRPC_URL": "t:8001", "LOADSTAR_GATEWAY_TRITON_PROTOCOL": "grpc"}
    assert GatewaySettings.from_env(grpc_only).triton_replicas == ("t:8001", None)
    env = {
        "TRITON_GRPC_URLS": "t1:8001,t2:8001",
        "TRITON_HTTP_URLS": "t1:8000,t2:8000",
        "LOADSTAR_GATEWAY_TRITON_PROTOCOL": "http",
    }
    assert GatewaySettings.from_env(env).triton_replicas == ("t1:8001,t2:8001", "t1:8000,t2:8000")
