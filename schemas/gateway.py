"""What the control plane hands the edge gateway: every live deployment, with a revision."""

from __future__ import annotations

from schemas.base import Wire
from schemas.contracts import DeploymentContract
from schemas.watching import AnomalyPolicy


class OnlineWindow(Wire):
    """A deployment that reads its window from the feature store's online store: a predict
    request may name only the entity; `features` are the group's features the contract's
    inputs read, with the unit each is stored in."""

    group: str  # the stream feature group's name (its online keys use it)
    features: dict[str, str | None]
    points: int  # how many of each feature's last points are read
    maxAgeSeconds: float | None = None  # older newest reading: the window is stale


class GatewayKey(Wire):
    """One named API key: `sha256` is the hex SHA-256 of its 256-bit secret (a random secret
    needs no slow hash, so the check on the hot path costs microseconds). Revoked keys stay
    listed so the gateway can say so; expiry is checked by the gateway on each request."""

    id: str
    sha256: str
    scopes: list[str]
    expiresAt: float | None = None  # epoch seconds
    revoked: bool = False


class GatewayDeployment(Wire):
    """One deployment as the gateway serves it, with its API keys.

    `tokenSha256` is the older single token (every scope, no expiry); "" when the
    deployment has named keys only.
    """

    contract: DeploymentContract
    tritonModel: str
    tritonVersion: int
    revision: int
    tokenSha256: str = ""
    assetId: str | None = None
    # when anomaly events are raised; None: the default `AnomalyPolicy`
    watch: AnomalyPolicy | None = None
    keys: list[GatewayKey] = []
    onlineWindow: OnlineWindow | None = None


class GatewaySnapshot(Wire):
    """All live deployments; `revision` is the highest config revision among them."""

    revision: int
    deployments: list[GatewayDeployment]


class KeyUse(Wire):
    """When the gateway last saw each API key (key id -> epoch seconds), sent in batches."""

    used: dict[str, float]
