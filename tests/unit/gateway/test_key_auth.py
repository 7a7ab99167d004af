"""The gateway's check of a named API key: scopes, expiry, revocation, the older single
token, and one dict write per request for "last used"."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest

from edge_gateway.contracts import ContractStore
from edge_gateway.dataplane import DataPlane
from edge_gateway.key_usage import KeyUsage
from edge_gateway.metrics import GatewayMetrics
from edge_gateway.settings import GatewaySettings
from schemas.errors import Forbidden, Unauthorized
from schemas.gateway import GatewayDeployment, GatewayKey, GatewaySnapshot
from tests.unit.postprocess.builders import contract


def sha(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def plane(tmp_path: Path, *keys: GatewayKey, legacy: str = "") -> DataPlane:
    settings = GatewaySettings(state_path=tmp_path / "s.json", sync_enabled=False)
    store = ContractStore(settings)
    dep = GatewayDeployment(
        contract=contract(),
        tokenSha256=sha(legacy) if legacy else "",
        tritonModel="m",
        tritonVersion=1,
        revision=1,
        keys=list(keys),
    )
    store.apply(GatewaySnapshot(revision=1, deployments=[dep]), "file")
    return DataPlane(store, None, GatewayMetrics(), None, KeyUsage(settings))  # type: ignore[arg-type]


def bearer(secret: str) -> str:
    return f"Bearer {secret}"


def test_a_live_key_answers_and_its_use_is_noted(tmp_path: Path) -> None:
    p = plane(tmp_path, GatewayKey(id="k1", sha256=sha("s1"), scopes=["predict"]))
    before = time.time()
    assert p.authenticate(bearer("s1")).id == "dep-1"
    assert p.usage is not None and p.usage.used["k1"] >= before


def test_a_key_without_the_scope_is_forbidden(tmp_path: Path) -> None:
    p = plane(tmp_path, GatewayKey(id="k1", sha256=sha("s1"), scopes=["predict"]))
    with pytest.raises(Forbidden, match="may not detect"):
        p.authenticate(bearer("s1"), "detect")
    assert p.usage is not None and "k1" not in p.usage.used


def test_expired_and_revoked_keys_get_a_clear_401(tmp_path: Path) -> None:
    p = plane(
        tmp_path,
        GatewayKey(id="old", sha256=sha("s1"), scopes=["predict"], expiresAt=time.time() - 1),
        GatewayKey(id="gone", sha256=sha("s2"), scopes=["predict"], revoked=True),
        GatewayKey(id="soon", sha256=sha("s3"), scopes=["predict"], expiresAt=time.time() + 60),
    )
    with pytest.raises(Unauthorized, match="expired at"):
        p.authenticate(bearer("s1"))
    with pytest.raises(Unauthorized, match="was revoked"):
        p.authenticate(bearer("s2"))
    with pytest.raises(Unauthorized, match="unknown or revoked"):
        p.authenticate(bearer("never-issued"))
    assert p.authenticate(bearer("s3")).id == "dep-1"


def test_the_older_single_token_keeps_every_scope(tmp_path: Path) -> None:
    p = plane(tmp_path, legacy="tok")
    assert p.authenticate(bearer("tok"), "detect").id == "dep-1"
