"""A model's tensor signature: what Triton's config and the clients need to know."""

from __future__ import annotations

from typing import Literal

import msgspec

from schemas.base import Wire

TritonDType = Literal["FP32", "FP64", "INT64", "INT32"]


class TensorSpec(Wire):
    """One tensor without the batch axis: `dims` are the per-sample dims."""

    name: str
    dims: list[int]
    dtype: TritonDType = "FP32"


class ModelSignature(Wire):
    inputs: list[TensorSpec]
    outputs: list[TensorSpec]

    @classmethod
    def from_onnx(cls, model_bytes: bytes) -> ModelSignature:
        """Read names and dims (batch axis dropped) from an ONNX graph."""
        import onnx

        model = onnx.load_from_string(model_bytes)
        initializers = {i.name for i in model.graph.initializer}

        def specs(values: list[onnx.ValueInfoProto]) -> list[TensorSpec]:
            out = []
            for v in values:
                if v.name in initializers:
                    continue
                dims = [
                    d.dim_value if d.dim_value > 0 else -1 for d in v.type.tensor_type.shape.dim
                ]
                elem = v.type.tensor_type.elem_type
                dtype: TritonDType = {1: "FP32", 11: "FP64", 7: "INT64", 6: "INT32"}.get(
                    elem, "FP32"
                )  # type: ignore[assignment]
                out.append(TensorSpec(name=v.name, dims=dims[1:], dtype=dtype))
            return out

        return cls(inputs=specs(list(model.graph.input)), outputs=specs(list(model.graph.output)))


def encode(sig: ModelSignature) -> dict[str, object]:
    return msgspec.to_builtins(sig)  # type: ignore[no-any-return]
