"""Write model versions into the Triton model repository, atomically.

Layout: `<repo>/<model>/config.pbtxt` and `<repo>/<model>/<version>/model.onnx` (plus the
Python-backend `model.py` for the `cpu` target). Each version folder is built under a
staging folder on the same filesystem and renamed into place, so Triton never reads half a
model; the config is replaced with `os.replace`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from triton_repo.config import Target, render_config
from triton_repo.signature import ModelSignature

BACKEND_MODEL = Path(__file__).resolve().parent / "backend" / "model.py"


def triton_model_name(model_id: str) -> str:
    """Triton model names: letters, digits, '-', '_' only."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in model_id)
    return safe.strip("_") or "model"


class TritonPublisher:
    def __init__(self, repo_dir: Path, target: Target = "cpu") -> None:
        self.repo_dir = Path(repo_dir)
        self.target = target
        self.staging = self.repo_dir.parent / ".staging"

    def version_dir(self, model: str, version: int) -> Path:
        return self.repo_dir / model / str(version)

    def has_version(self, model: str, version: int, sha256: str | None = None) -> bool:
        onnx = self.version_dir(model, version) / "model.onnx"
        if not onnx.exists():
            return False
        return sha256 is None or hashlib.sha256(onnx.read_bytes()).hexdigest() == sha256

    def publish(
        self, model: str, version: int, onnx_bytes: bytes, signature: ModelSignature
    ) -> Path:
        """Place one version and (re)write the model's config; returns the version folder."""
        self.staging.mkdir(parents=True, exist_ok=True)
        (self.repo_dir / model).mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f"{model}-{version}-", dir=self.staging))
        try:
            (stage / "model.onnx").write_bytes(onnx_bytes)
            if self.target == "cpu":
                shutil.copy2(BACKEND_MODEL, stage / "model.py")
            final = self.version_dir(model, version)
            if final.exists():
                old = Path(tempfile.mkdtemp(prefix="old-", dir=self.staging))
                os.replace(final, old / "v")
                os.replace(stage, final)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(stage, final)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
        self.write_config(model, signature)
        return final

    def write_config(self, model: str, signature: ModelSignature) -> None:
        text = render_config(model, signature, self.target)
        path = self.repo_dir / model / "config.pbtxt"
        tmp = path.with_suffix(".pbtxt.tmp")
        tmp.write_text(text)
        os.replace(tmp, path)

    def remove_version(self, model: str, version: int) -> None:
        shutil.rmtree(self.version_dir(model, version), ignore_errors=True)

    def versions(self, model: str) -> list[int]:
        folder = self.repo_dir / model
        if not folder.exists():
            return []
        return sorted(int(p.name) for p in folder.iterdir() if p.is_dir() and p.name.isdigit())

    def remove_model(self, model: str) -> None:
        shutil.rmtree(self.repo_dir / model, ignore_errors=True)
