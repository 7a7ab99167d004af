"""Windows read from the feature store's online store (Redis), for deployments whose
predict requests may name only the entity (`GatewayDeployment.onlineWindow`).

The key layout and the window rules are `loadstar_core.feature_store.online_window`'s, the
same the control plane writes with; one pipelined round trip reads every feature.
"""

from __future__ import annotations

import time

import redis.asyncio as aioredis

from loadstar_core.feature_store.online_window import decode_member, window_key, window_rows
from schemas.contracts import InferenceInput
from schemas.errors import InvalidInput, ServiceUnavailable
from schemas.feature_plan import FREQUENCY_SECONDS
from schemas.gateway import GatewayDeployment


class OnlineWindows:
    def __init__(self, url: str | None, namespace: str) -> None:
        self.client = None if url is None else aioredis.Redis.from_url(url)
        self.namespace = namespace

    async def fill(
        self, dep: GatewayDeployment, payload: InferenceInput, asset_id: str | None
    ) -> InferenceInput:
        """`payload` with its series read from the online window, when the deployment has
        one; unchanged otherwise."""
        spec = dep.onlineWindow
        if spec is None:
            return payload
        entity = payload.entity or asset_id or dep.assetId
        if payload.entity is None and (payload.series or payload.historical_data):
            return payload  # a whole window sent, as without the setting
        if not entity:
            raise InvalidInput(
                "name the entity whose online window to read (`entity`, or the asset path)",
                {"field": "entity"},
            )
        if self.client is None:
            raise ServiceUnavailable(
                "this gateway has no online store configured", {"field": "entity"}
            )
        stored = {f: u for f, u in spec.features.items() if u}
        given = payload.units or {}
        for field, unit in given.items():
            if field in stored and stored[field] != unit:
                raise InvalidInput(
                    f"{field} is stored in {stored[field]}; send it in the same unit",
                    {"field": f"units.{field}", "stored": stored[field]},
                )
        features = list(spec.features)
        try:
            async with self.client.pipeline(transaction=False) as pipe:
                for feature in features:
                    key = window_key(self.namespace, spec.group, entity, feature)
                    pipe.zrange(key, -spec.points, -1)
                found = await pipe.execute()
        except (aioredis.ConnectionError, aioredis.TimeoutError) as exc:
            raise ServiceUnavailable(
                "the online store does not answer", {"cause": str(exc)[:200]}
            ) from exc
        windows = {
            f: [decode_member(m) for m in members]
            for f, members in zip(features, found, strict=True)
        }
        contract = dep.contract
        rows = window_rows(
            windows,
            contract.timestampField,
            entity=entity,
            lookback=contract.lookback,
            step=FREQUENCY_SECONDS[contract.frequency],
            now=time.time(),
            max_age_seconds=spec.maxAgeSeconds,
            newer=payload.series or [],
        )
        return InferenceInput(
            series=rows,
            units={**stored, **given} or None,
            horizon=payload.horizon,
            timestamp=payload.timestamp,
            deploymentId=payload.deploymentId,
            future=payload.future,
            entity=entity,
            assetId=payload.assetId,
            asset_id=payload.asset_id,
        )

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()
