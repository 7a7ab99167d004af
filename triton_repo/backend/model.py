"""Triton Python-backend model that serves the version folder's `model.onnx` with onnxruntime.

Used for the `cpu` target (hosts without Triton's onnxruntime backend). Requests that
arrive together (dynamic batching) are concatenated into one onnxruntime call.
"""

import json
import os

import numpy as np
import onnxruntime as ort
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def initialize(self, args):
        config = json.loads(args["model_config"])
        folder = os.path.join(args["model_repository"], args["model_version"])
        options = ort.SessionOptions()
        options.intra_op_num_threads = int(os.environ.get("LOADSTAR_ORT_THREADS", "1"))
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(
            os.path.join(folder, "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self.input_names = [i["name"] for i in config["input"]]
        self.output_names = [o["name"] for o in config["output"]]

    def execute(self, requests):
        feeds = {name: [] for name in self.input_names}
        sizes = []
        for request in requests:
            n = None
            for name in self.input_names:
                array = pb_utils.get_input_tensor_by_name(request, name).as_numpy()
                feeds[name].append(array)
                n = array.shape[0]
            sizes.append(n)
        batch = {name: np.ascontiguousarray(np.concatenate(parts)) for name, parts in feeds.items()}
        outputs = self.session.run(self.output_names, batch)
        responses = []
        start = 0
        for n in sizes:
            tensors = [
                pb_utils.Tensor(name, np.ascontiguousarray(out[start : start + n]))
                for name, out in zip(self.output_names, outputs, strict=True)
            ]
            responses.append(pb_utils.InferenceResponse(output_tensors=tensors))
            start += n
        return responses

    def finalize(self):
        self.session = None
