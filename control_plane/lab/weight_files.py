"""What an uploaded weight file is, checked without running anything in it.

`.onnx`: `onnx.checker` and the graph's input/output signature. `.pt`: a torch zip
archive whose pickle may only rebuild tensors in (ordered) dicts; its opcodes are read
with `pickletools` and never executed, so a pickled payload is refused here. The worker
later loads the state dict with `torch.load(weights_only=True)` all the same.
"""

from __future__ import annotations

import pickletools
import zipfile
from pathlib import Path
from typing import Any

import onnx

from schemas.errors import InvalidInput

_ALLOWED_GLOBALS = {
    ("collections", "OrderedDict"),
    ("torch._utils", "_rebuild_tensor_v2"),
    ("torch._utils", "_rebuild_parameter"),
    ("torch", "Size"),
}
_TORCH_TYPES = ("Storage", "float", "bfloat16", "half", "int", "long", "bool", "double")


def onnx_signature(path: Path) -> dict[str, Any]:
    """The graph's inputs and outputs; INVALID_INPUT when onnx.checker refuses it."""
    try:
        onnx.checker.check_model(str(path))
        model = onnx.load(str(path), load_external_data=False)
    except Exception as error:  # the checker raises several kinds; all mean "not valid ONNX"
        raise InvalidInput(f"not a valid ONNX model: {error}", {"field": "file"}) from error

    def tensors(values: Any) -> list[dict[str, Any]]:
        out = []
        for value in values:
            kind = value.type.tensor_type
            dims = [d.dim_value if d.HasField("dim_value") else -1 for d in kind.shape.dim]
            dtype = onnx.helper.tensor_dtype_to_np_dtype(kind.elem_type).name
            out.append({"name": value.name, "dtype": dtype, "shape": dims})
        return out

    initialisers = {i.name for i in model.graph.initializer}
    inputs = [v for v in model.graph.input if v.name not in initialisers]
    return {
        "inputs": tensors(inputs),
        "outputs": tensors(model.graph.output),
        "opset": max((o.version for o in model.opset_import), default=0),
    }


def _allowed(module: str, name: str) -> bool:
    if (module, name) in _ALLOWED_GLOBALS:
        return True
    return module == "torch" and name.endswith(_TORCH_TYPES)


def pt_state_dict(path: Path) -> dict[str, Any]:
    """Check a torch zip archive holds only tensors in dicts; how many tensors it has."""
    try:
        with zipfile.ZipFile(path) as archive:
            pickles = [n for n in archive.namelist() if n.endswith("/data.pkl") or n == "data.pkl"]
            if len(pickles) != 1:
                raise InvalidInput(
                    "a .pt weight is a torch.save archive with one data.pkl", {"field": "file"}
                )
            data = archive.read(pickles[0])
    except zipfile.BadZipFile as error:
        raise InvalidInput(
            "a .pt weight must be a torch.save zip archive (a state dict)", {"field": "file"}
        ) from error
    strings: list[str] = []
    tensors = 0
    try:
        for opcode, arg, _ in pickletools.genops(data):
            if opcode.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
                strings.append(str(arg))
            elif opcode.name in ("GLOBAL", "STACK_GLOBAL", "INST"):
                if opcode.name == "STACK_GLOBAL":
                    module, name = (strings[-2], strings[-1]) if len(strings) > 1 else ("", "")
                else:
                    module, _, name = str(arg).partition(" ")
                if not _allowed(module, name):
                    raise InvalidInput(
                        f"the .pt file refers to {module}.{name}: only a state dict of tensors "
                        "is accepted, never other pickled objects",
                        {"field": "file", "global": f"{module}.{name}"},
                    )
            elif opcode.name == "BINPERSID":  # one stored tensor (its storage)
                tensors += 1
            elif opcode.name == "OBJ":
                raise InvalidInput(
                    "the .pt file builds objects: only a state dict is accepted", {"field": "file"}
                )
    except ValueError as error:
        raise InvalidInput(f"the .pt pickle is malformed: {error}", {"field": "file"}) from error
    return {"tensors": tensors}
