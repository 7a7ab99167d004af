"""The stream runner: at every new grid point of a running stream, a forecast from the
online window, through the gateway's path (the same legalization and Triton call as
`/api/inference/predict`), anomaly detection, a stored result and a live push.

Anomalies: the target's readings at the new point checked against the interval the
previous point's forecast gave for that time (`loadstar_core.postprocess.anomalies`).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

import msgspec
import redis.asyncio as aioredis

from control_plane.deployments.predict import predict
from control_plane.deployments.service import get_row
from control_plane.feature_store.online import OnlineStore
from control_plane.feature_store.registry import get_group
from control_plane.streams.sources import get_source
from control_plane.streams.tables import StreamResultRow, StreamRow
from loadstar_core.feature_store.grid import due_points
from loadstar_core.postprocess.anomalies import find_anomalies
from loadstar_core.postprocess.units import resolve_conversion
from schemas.contracts import DeploymentContract, InferenceInput, InferenceOutput
from schemas.errors import LoadstarError
from schemas.feature_plan import FREQUENCY_SECONDS
from triton_repo.pool import Forecaster

log = logging.getLogger("loadstar.streams")
_ENCODE = msgspec.json.Encoder()


def channel(namespace: str, deployment_id: str) -> str:
    return f"{namespace}:stream:{deployment_id}"


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class StreamRunner:
    def __init__(self, online: OnlineStore, inference: Forecaster, namespace: str) -> None:
        self.online = online
        self.inference = inference
        self.namespace = namespace
        self.client: aioredis.Redis = online.client
        self.previous: dict[str, InferenceOutput] = {}

    async def run(self, every_seconds: float = 1.0) -> None:
        while True:
            await self.tick()
            await asyncio.sleep(every_seconds)

    async def tick(self) -> None:
        for stream in await StreamRow.select().where(StreamRow.status == "running"):
            try:
                await self.advance(stream)
            except LoadstarError as exc:
                log.warning("stream %s: %s", stream["id"], exc.message)
                await StreamRow.update(error=exc.message[:2000]).where(StreamRow.id == stream["id"])
            except Exception:
                log.exception("stream %s failed at this tick", stream["id"])

    async def advance(self, stream: dict[str, Any]) -> None:
        deployment = await get_row(stream["deployment_id"])
        contract = msgspec.convert(deployment["contract"], DeploymentContract)
        source = await get_source(stream["source_id"], None)
        group = await get_group(source.groupId)
        step = FREQUENCY_SECONDS[contract.frequency]
        sources = {i.source for i in contract.inputs}
        units = {f.name: f.unit for f in group.features if f.unit and f.name in sources}
        series: dict[float, dict[str, Any]] = {}
        for feature in group.features:
            points = await self.online.window(
                stream["entity"], group.name, feature.name, group.lookback
            )
            for when, value in points:
                t = _epoch(when)
                series.setdefault(t, {})[feature.name] = value
        last = stream["last_point"]
        due = due_points(None if last is None else int(last.timestamp()), series, step)
        for point in due:
            await self.forecast_point(stream, deployment, contract, series, units, point, step)

    async def forecast_point(
        self,
        stream: dict[str, Any],
        deployment: dict[str, Any],
        contract: DeploymentContract,
        series: dict[float, dict[str, Any]],
        units: dict[str, str],
        point: int,
        step: int,
    ) -> None:
        times = sorted(t for t in series if t < point + step)
        rows = [{contract.timestampField: _iso(t), **series[t]} for t in times]
        readings = [r for t, r in zip(times, rows, strict=True) if t >= point]
        payload = InferenceInput(
            series=rows, units=units or None, deploymentId=stream["deployment_id"]
        )
        event: dict[str, Any] = {
            "deploymentId": stream["deployment_id"],
            "streamId": stream["id"],
            "point": _iso(point),
            "readings": readings,
        }
        try:
            output = await predict(
                contract,
                deployment["triton_model"],
                deployment["model_version"],
                payload,
                self.inference,
            )
        except LoadstarError as exc:  # too little data yet, a unit, Triton: say so, go on
            event |= {"type": "error", "message": exc.message}
        except Exception as exc:  # a fault of ours: logged, and the stream moves on
            log.exception("stream %s: forecast at %s failed", stream["id"], event["point"])
            event |= {"type": "error", "message": f"{type(exc).__name__}: {exc}"[:500]}
        else:
            event |= {
                "type": "forecast",
                "forecast": msgspec.to_builtins(output),
                "anomalies": self._anomalies(stream["id"], contract, readings, units),
            }
            self.previous[stream["id"]] = output
        await StreamResultRow.insert(
            StreamResultRow(
                stream_id=stream["id"],
                deployment_id=stream["deployment_id"],
                point=datetime.fromtimestamp(point, UTC),
                event=event,
            )
        )
        await StreamRow.update(
            last_point=datetime.fromtimestamp(point, UTC),
            error="" if event["type"] == "forecast" else event["message"][:2000],
        ).where(StreamRow.id == stream["id"])
        await self.client.publish(
            channel(self.namespace, stream["deployment_id"]), _ENCODE.encode(event)
        )

    def _anomalies(
        self,
        stream_id: str,
        contract: DeploymentContract,
        readings: list[dict[str, Any]],
        units: dict[str, str],
    ) -> list[dict[str, Any]]:
        before = self.previous.get(stream_id)
        target = next((i.source for i in contract.inputs if i.name == contract.target.name), None)
        if before is None or target is None:
            return []
        forecast_at = {v.t: i for i, v in enumerate(before.values)}
        # readings in the feature's unit, the forecast in the target's output unit
        into = resolve_conversion(units.get(target, before.unit), before.unit, target)
        hits = [
            (r[contract.timestampField], into.factor * float(r[target]) + into.offset)
            for r in readings
            if r.get(target) is not None and r[contract.timestampField] in forecast_at
        ]
        if not hits or "p05" not in before.intervals or "p95" not in before.intervals:
            return []
        index = [forecast_at[t] for t, _ in hits]
        found = find_anomalies(
            [t for t, _ in hits],
            [v for _, v in hits],
            [before.intervals["p05"][i] for i in index],
            [before.values[i].y for i in index],
            [before.intervals["p95"][i] for i in index],
        )
        return [msgspec.to_builtins(a) for a in found]
