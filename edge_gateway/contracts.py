"""The deployments this gateway serves: held in memory, kept on disk, synced by long-poll.

Sync is a long-poll on `GET /api/gateway/snapshot?after=<revision>&wait=<s>`: the control
plane answers at once when a newer revision exists and otherwise holds the request up to
`wait` seconds before a 304. A change reaches the gateway within one round trip, an idle
gateway costs one open request, and plain HTTP passes any proxy between the line and the
control plane (no broker, no extra port).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import msgspec

from edge_gateway.auth import TokenIndex
from edge_gateway.durable import write_durably
from edge_gateway.settings import GatewaySettings
from loadstar_core.postprocess import ResolvedContract, prepare_contract
from schemas.errors import LoadstarError
from schemas.gateway import GatewayDeployment, GatewayKey, GatewaySnapshot

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("loadstar.edge_gateway.contracts")

_decode_snapshot = msgspec.json.Decoder(GatewaySnapshot).decode
_encode = msgspec.json.Encoder().encode


class Served(msgspec.Struct, frozen=True):
    """One deployment, ready for the hot path (conversions resolved once per revision)."""

    deployment: GatewayDeployment
    resolved: ResolvedContract | None
    problem: LoadstarError | None  # set when the contract itself cannot be served

    @property
    def id(self) -> str:
        return self.deployment.contract.deploymentId


def _serve(dep: GatewayDeployment) -> Served:
    try:
        return Served(dep, prepare_contract(dep.contract), None)
    except LoadstarError as exc:
        log.error("deployment %s cannot be served: %s", dep.contract.deploymentId, exc.message)
        return Served(dep, None, exc)


Keyed = tuple[Served, GatewayKey | None]  # None: the older single token (every scope)


def _token_entries(served: list[Served]) -> list[tuple[str, Keyed]]:
    entries: list[tuple[str, Keyed]] = []
    for s in served:
        entries.append((s.deployment.tokenSha256, (s, None)))
        entries.extend((key.sha256, (s, key)) for key in s.deployment.keys)
    return entries


class ContractStore:
    """The current snapshot with its lookup tables; replaced whole, never mutated."""

    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        self.snapshot: GatewaySnapshot | None = None
        self.source = "none"  # "controlPlane" | "file" | "none"
        self.control_plane = "not contacted"
        self.tokens: TokenIndex[Keyed] = TokenIndex(())
        self.by_id: dict[str, Served] = {}
        self.listeners: list[Callable[[GatewaySnapshot], None]] = []
        self._client: httpx.AsyncClient | None = None
        self.state_file = "not written"  # "ok" once saved, or why it could not be

    @property
    def revision(self) -> int:
        return -1 if self.snapshot is None else self.snapshot.revision

    def apply(self, snapshot: GatewaySnapshot, source: str) -> None:
        """Serve `snapshot` from now on (saving it is the caller's part)."""
        served = [_serve(d) for d in snapshot.deployments]
        self.tokens = TokenIndex(_token_entries(served))
        self.by_id = {s.id: s for s in served}
        self.snapshot = snapshot
        self.source = source
        for listener in self.listeners:
            listener(snapshot)
        log.info(
            "serving revision %d (%d deployments) from %s", snapshot.revision, len(served), source
        )

    # -- the local file --------------------------------------------------------------
    def save(self, snapshot: GatewaySnapshot) -> None:
        """Write the snapshot atomically: a crash leaves the old file or the new, never half.

        A failure is reported in `state_file` and logged; serving goes on from memory."""
        try:
            self._write(snapshot)
        except OSError as exc:
            self.state_file = f"error: {type(exc).__name__}: {exc}"[:300]
            log.error("could not save the snapshot to %s: %s", self.settings.state_path, exc)
        else:
            self.state_file = "ok"

    def _write(self, snapshot: GatewaySnapshot) -> None:
        write_durably(self.settings.state_path, _encode(snapshot), ".snapshot-")

    def load_file(self) -> bool:
        path = self.settings.state_path
        try:
            snapshot = _decode_snapshot(path.read_bytes())
        except FileNotFoundError:
            return False
        except (OSError, msgspec.DecodeError, msgspec.ValidationError) as exc:
            log.error("ignoring unreadable snapshot file %s: %s", path, exc)
            return False
        self.apply(snapshot, "file")
        self.state_file = "ok"
        return True

    # -- the control plane -----------------------------------------------------------
    async def fetch(self, wait: float, after: int | None = None) -> bool:
        """One long-poll; True when a snapshot was applied. Raises when none came back."""
        import httpx  # here, not at import: start-up does not wait for it (nor for rich)

        if self._client is None:
            self._client = httpx.AsyncClient()
        resp = await self._client.get(
            f"{self.settings.control_plane_url.rstrip('/')}/api/gateway/snapshot",
            params={"after": self.revision if after is None else after, "wait": wait},
            headers={"X-Gateway-Token": self.settings.sync_token},
            timeout=httpx.Timeout(wait + 10.0, connect=2.0),
        )
        if resp.status_code not in (200, 304):
            raise SyncRejected(f"HTTP {resp.status_code} {resp.text[:200]}")
        if self.control_plane != "ok":
            log.info("control plane %s answers", self.settings.control_plane_url)
            self.control_plane = "ok"
        if resp.status_code == 304:
            return False
        snapshot = _decode_snapshot(resp.content)
        self.apply(snapshot, "controlPlane")
        await asyncio.to_thread(self.save, snapshot)  # fsync stays off the event loop
        return True

    async def start(self) -> None:
        """At start-up: the local file at once when there is one (the long-poll replaces it
        within a round trip); without one, the control plane, waited for a few seconds."""
        if self.load_file():
            log.info(
                "serving the snapshot in %s until the control plane answers",
                self.settings.state_path,
            )
            return
        try:
            await asyncio.wait_for(self.fetch(0.0, after=-1), timeout=self.settings.start_wait_s)
        except Exception as exc:
            self.control_plane = _status_of(exc)
            log.warning("control plane %s: %s", self.settings.control_plane_url, self.control_plane)

    async def sync_forever(self) -> None:
        """Long-poll until cancelled; failures are reported in `control_plane`, then retried.

        Every `resync_s` it asks for the whole snapshot (`after=-1`) whatever the revision,
        so a control plane whose revision went backwards (a restored database) is followed.
        """
        full_at = time.monotonic() if self.source == "controlPlane" else None
        while True:
            started = time.monotonic()
            try:
                if full_at is None or started - full_at > self.settings.resync_s:
                    # after=-1: the control plane wins over the file, even an older revision
                    if await self.fetch(0.0, after=-1):
                        full_at = started
                else:
                    await self.fetch(self.settings.sync_wait_s)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                status = _status_of(exc)
                if status != self.control_plane:  # say it once, not every retry
                    log.warning("contract sync failed: %s", status)
                self.control_plane = status
                # never spin: at least `sync_retry_s` between failed attempts
                await asyncio.sleep(
                    max(0.0, self.settings.sync_retry_s - (time.monotonic() - started))
                )

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


class SyncRejected(Exception):
    """The control plane answered, but not with a snapshot (a wrong sync token, an error)."""


def _status_of(exc: BaseException) -> str:
    """What `/readyz` says about the control plane after a failed sync."""
    if isinstance(exc, SyncRejected):
        return f"error: {exc}"[:300]
    text = str(exc) or type(exc).__name__
    return f"unreachable: {type(exc).__name__}: {text}"[:300]
