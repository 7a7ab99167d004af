"""What a named API key costs the gateway per request, measured in-process.

    .venv/bin/python -m benchmarks.key_auth_bench [--keys 1000] [--requests 200000]

One deployment with `--keys` named keys (and the older single token) in the token index;
per request: the bearer header parsed, SHA-256 of the secret, the bucket lookup and
constant-time compare, then for a named key its revocation, expiry and scope checks and
the "last used" note (one dict write; sending happens off the path). Reported as wall
time per call, the best of three runs.
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
import timeit
from functools import partial
from pathlib import Path

from benchmarks.gateway_bench_setup import bench_contract
from edge_gateway.contracts import ContractStore
from edge_gateway.dataplane import DataPlane
from edge_gateway.key_usage import KeyUsage
from edge_gateway.metrics import GatewayMetrics
from edge_gateway.settings import GatewaySettings
from schemas.gateway import GatewayDeployment, GatewayKey, GatewaySnapshot


def _sha(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200_000)
    args = parser.parse_args()
    settings = GatewaySettings(state_path=Path(tempfile.mkdtemp()) / "s.json", sync_enabled=False)
    store = ContractStore(settings)
    keys = [
        GatewayKey(
            id=f"k{i}", sha256=_sha(f"s{i}"), scopes=["predict"], expiresAt=time.time() + 3600
        )
        for i in range(args.keys)
    ]
    dep = GatewayDeployment(
        contract=bench_contract(),
        tokenSha256=_sha("legacy"),
        tritonModel="m",
        tritonVersion=1,
        revision=1,
        keys=keys,
    )
    store.apply(GatewaySnapshot(revision=1, deployments=[dep]), "file")
    metrics = GatewayMetrics()
    plain = DataPlane(store, None, metrics, None, None)  # type: ignore[arg-type]
    noting = DataPlane(store, None, metrics, None, KeyUsage(settings))  # type: ignore[arg-type]
    middle = f"s{args.keys // 2}"
    print(f"{'check':28s} {'us/request':>10s}")
    for label, plane, secret in (
        ("older single token", plain, "legacy"),
        ("named key", plain, middle),
        ("named key + last used", noting, middle),
    ):
        call = partial(plane.authenticate, f"Bearer {secret}")
        runs = timeit.repeat(call, number=args.requests, repeat=3)
        print(f"{label:28s} {min(runs) / args.requests * 1e6:10.2f}")


if __name__ == "__main__":
    main()
