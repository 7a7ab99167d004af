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


class GatewayDeployment(Wire):
    """One deployment as the gateway serves it.

    `tokenSha256` is the hex SHA-256 of the 256-bit API token: a random token needs no slow
    hash, so the check on the hot path costs microseconds (compared in constant time).
    """

    contract: DeploymentContract
    tokenSha256: str
    tritonModel: str
    tritonVersion: int
    revision: int
    assetId: str | None = None
    # when anomaly events are raised; None: the default `AnomalyPolicy`
    watch: AnomalyPolicy | None = None
    onlineWindow: OnlineWindow | None = None


class GatewaySnapshot(Wire):
    """All live deployments; `revision` is the highest config revision among them."""

    revision: int
    deployments: list[GatewayDeployment]
