"""Uploaded weights are read, never run: a pickled payload is refused, a state dict passes."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import pytest
import torch
from onnx import TensorProto, helper

from control_plane.lab.weight_files import onnx_signature, pt_state_dict
from schemas.errors import InvalidInput


class Payload:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (print, ("never printed",))


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _saved(obj: object, **kw: int) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer, **kw)
    return buffer.getvalue()


@pytest.mark.parametrize("protocol", [2, 4])
def test_a_pickled_payload_is_refused_without_running_it(
    tmp_path: Path, protocol: int, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _saved({"w": torch.zeros(2), "x": Payload()}, pickle_protocol=protocol)
    with pytest.raises(InvalidInput) as caught:
        pt_state_dict(_write(tmp_path, "evil.pt", data))
    assert caught.value.details["global"].endswith(".print")
    assert "never printed" not in capsys.readouterr().out


def test_a_state_dict_passes_and_a_bare_pickle_does_not(tmp_path: Path) -> None:
    state = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.LayerNorm(2)).state_dict()
    assert pt_state_dict(_write(tmp_path, "ok.pt", _saved(state))) == {"tensors": 4}
    with pytest.raises(InvalidInput):
        pt_state_dict(_write(tmp_path, "raw.pt", pickle.dumps({"a": 1})))


def test_onnx_signature_and_a_broken_graph(tmp_path: Path) -> None:
    graph = helper.make_graph(
        [helper.make_node("Relu", ["window"], ["quantiles"])],
        "tiny",
        [helper.make_tensor_value_info("window", TensorProto.FLOAT, [None, 4, 1])],
        [helper.make_tensor_value_info("quantiles", TensorProto.FLOAT, [None, 4, 1])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    signature = onnx_signature(_write(tmp_path, "m.onnx", model.SerializeToString()))
    assert signature["inputs"] == [{"name": "window", "dtype": "float32", "shape": [-1, 4, 1]}]
    with pytest.raises(InvalidInput):
        onnx_signature(_write(tmp_path, "bad.onnx", b"not a graph"))
