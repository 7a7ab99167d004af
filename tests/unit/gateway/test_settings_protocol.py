"""Which path the gateway's inference calls take to Triton, from the environment."""

from __future__ import annotations

import msgspec
import pytest

from edge_gateway.settings import GatewaySettings


def test_inference_goes_over_http_unless_grpc_is_selected() -> None:
    assert GatewaySettings.from_env({}).triton_protocol == "http"
    chosen = GatewaySettings.from_env({"LOADSTAR_GATEWAY_TRITON_PROTOCOL": "grpc"})
    assert chosen.triton_protocol == "grpc"
    assert chosen.triton_url == "127.0.0.1:8001"  # gRPC endpoint unchanged


def test_an_unknown_protocol_is_refused_at_start_up() -> None:
    with pytest.raises(msgspec.ValidationError):
        GatewaySettings.from_env({"LOADSTAR_GATEWAY_TRITON_PROTOCOL": "udp"})
