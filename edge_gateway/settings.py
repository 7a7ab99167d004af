"""Gateway settings, read from the environment only when the app is created."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import msgspec

from loadstar_core.secrets_policy import MODE_VARIABLE, check_secrets

ENV_VARS: dict[str, str] = {
    "control_plane_url": "LOADSTAR_CONTROL_PLANE_URL",
    "sync_token": "LOADSTAR_GATEWAY_SYNC_TOKEN",
    "state_path": "LOADSTAR_GATEWAY_STATE",
    "sync_wait_s": "LOADSTAR_GATEWAY_SYNC_WAIT_S",
    "sync_retry_s": "LOADSTAR_GATEWAY_SYNC_RETRY_S",
    "start_wait_s": "LOADSTAR_GATEWAY_START_WAIT_S",
    "resync_s": "LOADSTAR_GATEWAY_RESYNC_S",
    "triton_url": "TRITON_GRPC_URL",
    "triton_http_url": "TRITON_HTTP_URL",
    "triton_urls": "TRITON_GRPC_URLS",
    "triton_http_urls": "TRITON_HTTP_URLS",
    "triton_protocol": "LOADSTAR_GATEWAY_TRITON_PROTOCOL",
    "triton_timeout_s": "LOADSTAR_TRITON_TIMEOUT_S",
    "max_body_bytes": "LOADSTAR_GATEWAY_MAX_BODY_BYTES",
    "ws_buffer_rows": "LOADSTAR_GATEWAY_WS_BUFFER_ROWS",
    "mode": MODE_VARIABLE,
    "record": "LOADSTAR_GATEWAY_RECORD",
    "spool_path": "LOADSTAR_GATEWAY_SPOOL",
    "record_flush_s": "LOADSTAR_GATEWAY_RECORD_FLUSH_S",
    "record_retry_max_s": "LOADSTAR_GATEWAY_RECORD_RETRY_MAX_S",
    "key_use_flush_s": "LOADSTAR_GATEWAY_KEY_USE_FLUSH_S",
    "online_store_url": "LOADSTAR_GATEWAY_ONLINE_STORE_URL",
    "online_namespace": "LOADSTAR_NAMESPACE",
}


class GatewaySettings(msgspec.Struct, frozen=True, kw_only=True):
    control_plane_url: str = "http://127.0.0.1:8080"
    sync_token: str = "loadstar-gateway-sync-dev-token"
    # The last good snapshot, written atomically after every change.
    state_path: Path = Path(".run/gateway/snapshot.json")
    # Long-poll: how long the control plane holds an idle request before answering 304.
    sync_wait_s: float = 30.0
    # Pause before retrying after the control plane failed to answer.
    sync_retry_s: float = 2.0
    # With no snapshot file, how long start-up waits for the control plane's first answer.
    start_wait_s: float = 3.0
    # How often the whole snapshot is asked for regardless of revision (see contracts.py).
    resync_s: float = 300.0
    triton_url: str = "127.0.0.1:8001"
    # How inference calls reach Triton: "http" (Triton's HTTP endpoint at `triton_http_url`
    # with binary tensors: a third of a gRPC call's CPU, and the only way the gateway meets
    # its latency goal, see edge_gateway/README.md) or "grpc". Readiness and model
    # configuration always use gRPC.
    triton_protocol: Literal["grpc", "http"] = "http"
    triton_http_url: str = "127.0.0.1:8000"
    # Several Triton replicas (comma-separated, the HTTP ones in the same order): calls go
    # round robin and fail over on an unavailable replica. Unset: the one address above.
    triton_urls: str = ""
    triton_http_urls: str = ""
    # Every Triton call is bounded by this (the gRPC deadline, the HTTP call's timeout).
    triton_timeout_s: float = 2.0
    max_body_bytes: int = 8 * 1024 * 1024
    # Rows a WebSocket connection keeps; 0 means 4 x (lookback x rows per grid step).
    ws_buffer_rows: int = 0
    # Recording: readings, forecasts and anomaly events shipped to the control plane,
    # spooled in `spool_path` until it stored them (see recorder.py).
    record: bool = True
    spool_path: Path | None = None  # None: `spool/` beside the snapshot file
    record_flush_s: float = 1.0
    record_retry_max_s: float = 30.0
    # How often the API keys' "last used" times are sent to the control plane.
    key_use_flush_s: float = 10.0
    # The feature store's online store (Redis), for deployments with an online window;
    # unset: `REDIS_URL` when that is set, else none (such requests are then refused).
    online_store_url: str | None = None
    online_namespace: str = "loadstar"
    # False in tests that drive `ContractStore` themselves.
    sync_enabled: bool = True
    # "development" allows the public default sync token; anything else refuses it
    mode: str = "production"

    def check_secrets(self) -> None:
        """Refuse to run outside development mode with the sync token at its default."""
        default = GatewaySettings().sync_token
        check_secrets(self.mode, [("LOADSTAR_GATEWAY_SYNC_TOKEN", self.sync_token, default)])

    @property
    def triton_replicas(self) -> tuple[str, str | None]:
        """The gRPC addresses and, for the "http" protocol, the HTTP ones (comma-separated)."""
        grpc = self.triton_urls or self.triton_url
        if self.triton_protocol != "http":
            return grpc, None
        return grpc, self.triton_http_urls or self.triton_http_url

    @property
    def spool(self) -> Path:
        return self.spool_path or self.state_path.parent / "spool"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> GatewaySettings:
        """Unset variables keep their defaults."""
        env = os.environ if env is None else env
        raw = {field: env[var] for field, var in ENV_VARS.items() if var in env}
        if "online_store_url" not in raw and "REDIS_URL" in env:
            raw["online_store_url"] = env["REDIS_URL"]
        return msgspec.convert(raw, cls, strict=False, dec_hook=_paths)


def _paths(kind: type, value: object) -> object:
    if kind is Path and isinstance(value, str):
        return Path(value)
    raise NotImplementedError(kind)
