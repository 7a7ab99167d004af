"""Generate a complete `config.pbtxt` for a model, per serving target.

`cpu`: Python backend running onnxruntime (what the local stack serves).
`gpu`: Triton's onnxruntime backend on KIND_GPU, optionally with TensorRT.
The config is complete because the server runs with auto-complete disabled.
"""

from __future__ import annotations

from typing import Literal

from triton_repo.signature import ModelSignature, TensorSpec

Target = Literal["cpu", "gpu"]


def _tensor(kind: str, spec: TensorSpec) -> str:
    dims = ", ".join(str(d) for d in spec.dims)
    return f'  {{ name: "{spec.name}" data_type: TYPE_{spec.dtype} dims: [ {dims} ] }}'


def render_config(
    name: str,
    signature: ModelSignature,
    target: Target = "cpu",
    *,
    max_batch_size: int = 64,
    preferred_batch_sizes: tuple[int, ...] = (8, 16, 32),
    max_queue_delay_us: int = 200,
    instances: int = 1,
    tensorrt: bool = False,
    tensorrt_precision: Literal["FP16", "FP32"] = "FP16",
) -> str:
    """Render the config; every loaded version folder is served (`all`), so rolling back
    is a change of the version clients ask for, not a reload."""
    preferred = [b for b in preferred_batch_sizes if b <= max_batch_size]
    lines = [f'name: "{name}"']
    if target == "cpu":
        lines.append('backend: "python"')
    else:
        lines.append('platform: "onnxruntime_onnx"')
        lines.append('backend: "onnxruntime"')
    lines.append(f"max_batch_size: {max_batch_size}")
    lines.append("input [\n" + ",\n".join(_tensor("input", s) for s in signature.inputs) + "\n]")
    lines.append("output [\n" + ",\n".join(_tensor("output", s) for s in signature.outputs) + "\n]")
    lines.append(
        "dynamic_batching {\n"
        f"  preferred_batch_size: [ {', '.join(str(b) for b in preferred)} ]\n"
        f"  max_queue_delay_microseconds: {max_queue_delay_us}\n"
        "}"
    )
    lines.append("version_policy: { all { } }")
    kind = "KIND_CPU" if target == "cpu" else "KIND_GPU"
    gpus = "" if target == "cpu" else " gpus: [ 0 ]"
    lines.append(f"instance_group [ {{ kind: {kind} count: {instances}{gpus} }} ]")
    if target == "gpu":
        if tensorrt:
            lines.append(
                "optimization { execution_accelerators {\n"
                "  gpu_execution_accelerator : [ {\n"
                '    name : "tensorrt"\n'
                f'    parameters {{ key: "precision_mode" value: "{tensorrt_precision}" }}\n'
                '    parameters { key: "max_workspace_size_bytes" value: "1073741824" }\n'
                '    parameters { key: "trt_engine_cache_enable" value: "1" }\n'
                "  } ]\n"
                "} }"
            )
        warm_inputs = "\n".join(
            f'    inputs {{ key: "{s.name}" value: {{ data_type: TYPE_{s.dtype} '
            f"dims: [ {', '.join(str(d) for d in s.dims)} ] zero_data: true }} }}"
            for s in signature.inputs
        )
        lines.append(
            f'model_warmup [ {{\n    name: "zeros"\n    batch_size: 1\n{warm_inputs}\n}} ]'
        )
    return "\n".join(lines) + "\n"
