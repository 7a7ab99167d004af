"""A library `.onnx` weight registered as a model version, deployable like a trained one.

The graph's signature (read at upload) is checked against the serving contract of a
feature plan (or against a declared signature, itself checked against the contract); the
file is copied beside the registry's other artifacts so the version outlives the weight;
the version's card carries the plan (what a deployment builds from) and its source, and
lineage records `weight -> modelVersion`.
"""

from __future__ import annotations

import msgspec

from control_plane.adapters.object_store import ObjectStore
from control_plane.features.service import get_feature_plan
from control_plane.lab.schemas import RegisterWeight
from control_plane.lab.weight_contract import checked_signature
from control_plane.lab.weights import get_weight, object_key
from control_plane.lineage import external
from control_plane.lineage.records import Ref, version_id
from control_plane.lineage.schemas import ExternalEdgeIn, ExternalNodeIn, NodeRefIn
from control_plane.registry import service as registry
from control_plane.registry.schemas import CreateVersion, ModelVersionOut, VersionArtifact
from schemas.errors import InvalidInput

NODE_TYPE = "weight"


def artifact_key(weight_id: str) -> str:
    return f"registry/weights/{weight_id}/model.onnx"


async def register_weight(
    store: ObjectStore, weight_id: str, body: RegisterWeight, user: str
) -> ModelVersionOut:
    weight = await get_weight(weight_id)
    if weight.format != "onnx":
        raise InvalidInput(
            "only an .onnx weight can be registered: a .pt state dict becomes a version by "
            "training a run from it (weightId), which exports ONNX",
            {"field": "weightId", "format": weight.format},
        )
    registry.check_model_name(body.modelName, "modelName")
    plan = await get_feature_plan(body.featurePlanId)
    signature = checked_signature(weight.signature, plan, body.signature or None)
    data = await store.get_bytes(object_key(weight_id, "onnx"))
    key = artifact_key(weight_id)
    await store.put_bytes(key, data)
    uri = store.uri(key)
    version = await registry.register_version(
        body.modelName,
        CreateVersion(
            artifactUri=uri,
            signature=signature,
            metrics=weight.metrics,
            artifacts=[
                VersionArtifact(name="model.onnx", uri=uri, sha256=weight.sha256, bytes=len(data))
            ],
            card={
                "plan": msgspec.to_builtins(plan),
                "source": {"kind": "weight", "weightId": weight_id, "sha256": weight.sha256},
            },
            description=body.description or f"registered from weight {weight.name}",
            featurePlanId=body.featurePlanId,
        ),
        user,
        store=store,
        create_model=True,
        model_description=body.description,
    )
    await _record_lineage(weight_id, weight.name, version, user)
    return version


async def _record_lineage(weight_id: str, name: str, version: ModelVersionOut, user: str) -> None:
    if not await external.exists(Ref(NODE_TYPE, weight_id)):
        await external.create_node(
            ExternalNodeIn(type=NODE_TYPE, id=weight_id, name=name, metadata={"library": True}),
            user,
        )
    await external.create_edge(
        ExternalEdgeIn(
            from_=NodeRefIn(type=NODE_TYPE, id=weight_id),
            to=NodeRefIn(type="modelVersion", id=version_id(version.name, version.version)),
            metadata={"registeredBy": user},
        ),
        user,
    )
