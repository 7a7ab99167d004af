"""The training loop: pinball loss, early stopping, per-epoch events and checkpoints.

`control()` is polled before every batch. Pausing writes a checkpoint holding the model,
the optimiser, the position inside the epoch and every random state, so a resumed run
gives the same result as one that never stopped (on the same device).
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import torch

from loadstar_core.hyperparams import CommonParams
from schemas.errors import InvalidInput
from training.augment import WindowAugmentation
from training.data import Batch, SeriesData, WindowSet
from training.graph import ForecastGraph
from training.models.common import pinball_loss

Emit = Callable[[str, dict[str, Any]], None]
Control = Callable[[], Literal["run", "pause", "stop"]]
EVAL_BATCH = 1024
TRAIN_SHARE = 0.9  # of the job's progress; evaluation and export take the rest


class TrainingPaused(Exception):
    """Raised after a pause request once the checkpoint is on disk."""

    def __init__(self, checkpoint: Path) -> None:
        super().__init__(f"training paused; checkpoint at {checkpoint}")
        self.checkpoint = checkpoint


class TrainingStopped(Exception):
    """Raised when a stop request cancels the run."""

    def __init__(self) -> None:
        super().__init__("training stopped on request")


@dataclass
class LoopState:
    """Where the loop is; everything here goes into a checkpoint."""

    epoch: int = 0
    batch: int = 0  # next batch of `epoch`
    loss_sum: float = 0.0
    loss_count: int = 0
    best_val: float = math.inf
    best_epoch: int = 0  # 0: the starting weights
    bad_epochs: int = 0
    seconds: float = 0.0
    history: list[dict[str, float]] = field(default_factory=list)
    stopped_early: bool = False


@dataclass(frozen=True)
class FitResult:
    epochs_run: int
    best_epoch: int
    best_val_loss: float
    history: list[dict[str, float]]
    seconds: float
    stopped_early: bool


def pick_device(wanted: str = "auto") -> torch.device:
    """The GPU when there is one ("auto"); "cuda" refuses to fall back to the CPU."""
    if wanted == "cuda" and not torch.cuda.is_available():
        raise InvalidInput("hyperparams ask for cuda but this worker has no GPU", {})
    if wanted == "cpu":
        return torch.device("cpu")
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _on_device(series: SeriesData, device: torch.device) -> SeriesData:
    return replace(series, values=series.values.to(device), phases=series.phases.to(device))


def evaluation_loss(
    graph: ForecastGraph, windows: WindowSet, quantiles: torch.Tensor, device: torch.device
) -> float:
    """Mean pinball loss of the uncalibrated graph over every window of a split."""
    graph.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(windows), EVAL_BATCH):
            index = torch.arange(start, min(start + EVAL_BATCH, len(windows)))
            batch = windows.batch(index)
            pred = graph.normalized(batch.window, batch.calendar, batch.future).float()
            loss = pinball_loss(pred, graph.normalize_target(batch.target), quantiles)
            total += float(loss) * len(index)
            count += len(index)
    return total / max(count, 1)


def _mixed_precision(device: torch.device) -> torch.dtype | None:
    """bfloat16 on GPUs that have it, float16 (with loss scaling) on older ones, else None."""
    if device.type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


class Trainer:
    """One model's optimisation; `fit` may be called again on a fresh Trainer to resume."""

    def __init__(
        self,
        graph: ForecastGraph,
        series: SeriesData,
        params: CommonParams,
        quantiles: list[float],
        *,
        workdir: Path,
        emit: Emit,
        control: Control | None = None,
        device: torch.device | None = None,
        identity: dict[str, Any] | None = None,
    ) -> None:
        self.device = device or pick_device()
        self.graph = graph.to(self.device)
        self.series = _on_device(series, self.device)
        self.params = params
        self.quantiles = torch.tensor(quantiles, dtype=torch.float32, device=self.device)
        self.checkpoint_path = workdir / "checkpoint.pt"
        self.emit, self.control = emit, control
        self.identity = identity or {}
        self.train, self.val = self.series.windows("train"), self.series.windows("val")
        if len(self.train) == 0 or len(self.val) == 0:
            raise InvalidInput(
                "too few rows for this lookback and horizon",
                {"trainWindows": len(self.train), "valWindows": len(self.val)},
            )
        self.optimizer = torch.optim.AdamW(
            self.graph.parameters(), lr=params.lr, weight_decay=params.weight_decay
        )
        self.amp_dtype = _mixed_precision(self.device)
        self.scaler = torch.amp.GradScaler("cuda", enabled=self.amp_dtype == torch.float16)
        self.generator = torch.Generator().manual_seed(params.seed)
        self.state = LoopState()
        self.best_weights: dict[str, torch.Tensor] = copy.deepcopy(self.graph.state_dict())
        self.epoch_generator_state = self.generator.get_state()

    def lr_at(self, epoch: int) -> float:
        """Cosine decay over the planned epochs, down to a tenth of the initial rate."""
        progress = epoch / max(self.params.epochs, 1)
        return self.params.lr * (0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * progress)))

    def keep_start(self) -> FitResult:
        """No gradient steps: the warm start is the model (its checkpoint is written)."""
        self.state.best_val = evaluation_loss(self.graph, self.val, self.quantiles, self.device)
        self.save_checkpoint()
        return FitResult(0, 0, self.state.best_val, [], 0.0, False)

    def fit(self, resume_from: Path | None = None) -> FitResult:
        if resume_from is not None:
            self._restore(resume_from)
        else:
            torch.manual_seed(self.params.seed)
            # The starting point is a candidate too: a warm start may already be the best.
            self.state.best_val = evaluation_loss(self.graph, self.val, self.quantiles, self.device)
            self.state.best_epoch = 0
        state, batch_size = self.state, self.params.batch_size
        n_batches = math.ceil(len(self.train) / batch_size)
        while state.epoch < self.params.epochs and not state.stopped_early:
            started = time.perf_counter()
            if state.batch == 0:
                self.epoch_generator_state = self.generator.get_state()
            else:
                self.generator.set_state(self.epoch_generator_state)
            order = torch.randperm(len(self.train), generator=self.generator)
            lr = self.lr_at(state.epoch)
            for group in self.optimizer.param_groups:
                group["lr"] = lr
            self.graph.train()
            while state.batch < n_batches:
                self._obey_control()
                index = order[state.batch * batch_size : (state.batch + 1) * batch_size]
                loss = self._step(self.train.batch(index, self._augmentation()))
                state.loss_sum += loss * len(index)
                state.loss_count += len(index)
                state.batch += 1
            val_loss = evaluation_loss(self.graph, self.val, self.quantiles, self.device)
            state.seconds += time.perf_counter() - started
            self._end_epoch(val_loss, lr, time.perf_counter() - started)
        self.graph.load_state_dict(self.best_weights)
        return FitResult(
            epochs_run=state.epoch,
            best_epoch=state.best_epoch,
            best_val_loss=state.best_val,
            history=state.history,
            seconds=state.seconds,
            stopped_early=state.stopped_early,
        )

    def _augmentation(self) -> Callable[[torch.Tensor], torch.Tensor] | None:
        """The job's augmentation of this training batch (seeded by epoch and batch, so a
        resumed run augments alike); validation and test windows never come here."""
        steps = self.params.augmentation
        if not steps:
            return None
        seed = (self.params.seed, self.state.epoch, self.state.batch)
        return WindowAugmentation(steps, self.series.lookback, seed)

    def _step(self, batch: Batch) -> float:
        self.optimizer.zero_grad(set_to_none=True)
        amp = self.amp_dtype is not None
        with torch.autocast(self.device.type, dtype=self.amp_dtype, enabled=amp):
            pred = self.graph.normalized(batch.window, batch.calendar, batch.future).float()
        loss = pinball_loss(pred, self.graph.normalize_target(batch.target), self.quantiles)
        self.scaler.scale(loss).backward()  # type: ignore[no-untyped-call]
        self.scaler.unscale_(self.optimizer)
        torch.nn.utils.clip_grad_norm_(self.graph.parameters(), 1.0)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        return float(loss.detach())

    def _end_epoch(self, val_loss: float, lr: float, seconds: float) -> None:
        state = self.state
        train_loss = state.loss_sum / max(state.loss_count, 1)
        # Only a clear gain counts: small validation wins of a fine-tuned model over its
        # closed-form start tend not to carry over to later data.
        if val_loss < state.best_val * (1.0 - self.params.min_improvement):
            state.best_val, state.best_epoch, state.bad_epochs = val_loss, state.epoch + 1, 0
            self.best_weights = copy.deepcopy(self.graph.state_dict())
        else:
            state.bad_epochs += 1
        state.stopped_early = state.bad_epochs >= self.params.patience
        point = {
            "epoch": float(state.epoch + 1),
            "trainLoss": train_loss,
            "valLoss": val_loss,
            "lr": lr,
            "seconds": seconds,
        }
        state.history.append(point)
        state.epoch, state.batch, state.loss_sum, state.loss_count = state.epoch + 1, 0, 0.0, 0
        done = 1.0 if state.stopped_early else state.epoch / self.params.epochs
        self.emit(
            "metric",
            {
                **point,
                "epoch": state.epoch,
                "step": state.epoch * math.ceil(len(self.train) / self.params.batch_size),
                "bestValLoss": state.best_val,
                "progress": round(TRAIN_SHARE * done, 4),
            },
        )
        self.save_checkpoint()

    def _obey_control(self) -> None:
        action = self.control() if self.control is not None else "run"
        if action == "stop":
            raise TrainingStopped()
        if action == "pause":
            self.save_checkpoint()
            raise TrainingPaused(self.checkpoint_path)

    def save_checkpoint(self) -> Path:
        payload = {
            "identity": self.identity,
            "model": self.graph.state_dict(),
            "best_weights": self.best_weights,
            "optimizer": self.optimizer.state_dict(),
            "scaler": self.scaler.state_dict(),
            "state": self.state.__dict__,
            "epoch_generator_state": self.epoch_generator_state,
            "generator_state": self.generator.get_state(),
            "torch_rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        }
        partial = self.checkpoint_path.with_suffix(".tmp")
        torch.save(payload, partial)
        partial.replace(self.checkpoint_path)
        return self.checkpoint_path

    def _restore(self, path: Path) -> None:
        payload = torch.load(path, map_location=self.device, weights_only=False)
        if payload["identity"] != self.identity:
            raise InvalidInput("the checkpoint belongs to another plan or hyperparams", {})
        own = self.graph.state_dict()
        # a checkpoint from before the window's repair lacks its buffers, which come from
        # the plan's training statistics, not from training: the graph's own are right
        older = {k: v for k, v in own.items() if k.startswith("repair.")}
        self.graph.load_state_dict({**older, **payload["model"]})
        self.best_weights = {**older, **payload["best_weights"]}
        self.optimizer.load_state_dict(payload["optimizer"])
        self.scaler.load_state_dict(payload["scaler"])
        self.state = LoopState(**payload["state"])
        self.epoch_generator_state = payload["epoch_generator_state"]
        self.generator.set_state(payload["generator_state"])
        torch.set_rng_state(payload["torch_rng"].cpu())
        if payload["cuda_rng"] and torch.cuda.is_available():
            torch.cuda.set_rng_state_all([s.cpu() for s in payload["cuda_rng"]])
