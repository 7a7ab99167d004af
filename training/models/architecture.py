"""`architecture`: a graph drawn in the console, compiled to torch in topological order.

The graph plays the part every algorithm's network plays (`QuantileForecaster.project`):
its quantile head is a correction to the shared linear forecast, zero at the start, so a
warm-started run begins at the ridge forecast. Skip connections are Add/Concat nodes; the
order comes from `loadstar_core.architecture.resolve`, the same check the control plane ran.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from loadstar_core.architecture import ResolvedGraph, Shape, resolve
from loadstar_core.architecture.blocks import (
    ConcatParams,
    ConvParams,
    DecompositionParams,
    DropoutParams,
    LinearParams,
    MLPParams,
    Params,
    PatchParams,
    RecurrentParams,
    TransformerParams,
)
from schemas.architecture import ArchitectureGraph, ShapeContext
from training.models.common import QuantileForecaster, Window
from training.models.common import Shape as ModelShape
from training.models.patchtst import EncoderLayer


class TimeLinear(nn.Module):
    """A linear map over the time axis of [B, T, C]."""

    def __init__(self, steps: int, out: int) -> None:
        super().__init__()
        self.linear = nn.Linear(steps, out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        result: torch.Tensor = self.linear(x.transpose(1, 2)).transpose(1, 2)
        return result


class CausalConv(nn.Module):
    def __init__(self, channels: int, p: ConvParams) -> None:
        super().__init__()
        self.pad = (p.kernel - 1) * p.dilation
        self.conv = nn.Conv1d(channels, p.out, p.kernel, dilation=p.dilation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        result: torch.Tensor = self.conv(F.pad(x.transpose(1, 2), (self.pad, 0)))
        return result.transpose(1, 2)


class Recurrent(nn.Module):
    def __init__(self, kind: str, channels: int, p: RecurrentParams) -> None:
        super().__init__()
        cell = nn.GRU if kind == "gru" else nn.LSTM
        self.rnn = cell(channels, p.hidden, num_layers=p.layers, batch_first=True)
        self.last = p.output == "last"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.rnn(x)[0]
        return out[:, -1] if self.last else out


class PatchEmbedding(nn.Module):
    patch_index: torch.Tensor

    def __init__(self, shape: Shape, p: PatchParams) -> None:
        super().__init__()
        steps, channels = shape
        n_patches = (steps - p.patch_len) // p.stride + 1
        starts = torch.arange(n_patches) * p.stride
        self.register_buffer("patch_index", starts.unsqueeze(1) + torch.arange(p.patch_len))
        self.embed = nn.Linear(p.patch_len * channels, p.d_model)
        self.position = nn.Parameter(torch.randn(n_patches, p.d_model) * 0.02)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        tokens: torch.Tensor = self.embed(x[:, self.patch_index].flatten(2))
        return tokens + self.position


class Decomposition(nn.Module):
    """Centred moving average per channel, ends repeated (DLinear); or the rest."""

    def __init__(self, steps: int, p: DecompositionParams) -> None:
        super().__init__()
        self.kernel = min(p.kernel, steps)
        self.trend = p.part == "trend"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        left, right = (self.kernel - 1) // 2, self.kernel // 2
        padded = torch.cat([x[:, :1].expand(-1, left, -1), x, x[:, -1:].expand(-1, right, -1)], 1)
        trend = F.avg_pool1d(padded.transpose(1, 2), self.kernel, stride=1).transpose(1, 2)
        return trend if self.trend else x - trend


class Head(nn.Module):
    def __init__(self, shape: Shape, context: ShapeContext) -> None:
        super().__init__()
        self.linear = nn.Linear(math.prod(shape), context.horizon * context.quantiles)
        self.out = (-1, context.horizon, context.quantiles)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        result: torch.Tensor = self.linear(x.flatten(1)).view(self.out)
        return result


def build_block(kind: str, p: Params, shapes: list[Shape], ctx: ShapeContext) -> nn.Module | None:
    """The module of one node; None for the sources and the joins."""
    shape = shapes[0] if shapes else ()
    if isinstance(p, LinearParams):
        return TimeLinear(shape[0], p.out) if p.axis == "time" else nn.Linear(shape[-1], p.out)
    if isinstance(p, MLPParams):
        return nn.Sequential(
            nn.Linear(shape[-1], p.hidden),
            nn.GELU(),
            nn.Dropout(p.dropout),
            nn.Linear(p.hidden, p.out),
        )
    if isinstance(p, ConvParams):
        return CausalConv(shape[1], p)
    if isinstance(p, RecurrentParams):
        return Recurrent(kind, shape[1], p)
    if isinstance(p, PatchParams):
        return PatchEmbedding(shape, p)
    if isinstance(p, TransformerParams):
        return EncoderLayer(shape[1], p.heads, p.d_ff, p.dropout)
    if isinstance(p, DecompositionParams):
        return Decomposition(shape[0], p)
    if isinstance(p, DropoutParams):
        return nn.Dropout(p.p)
    if kind == "layernorm":
        return nn.LayerNorm(shape[-1])
    if kind == "quantileHead":
        return Head(shape, ctx)
    return None


def context_of(shape: ModelShape) -> ShapeContext:
    return ShapeContext(
        lookback=shape.lookback,
        horizon=shape.horizon,
        features=shape.n_features,
        quantiles=shape.n_quantiles,
    )


class ArchitectureForecaster(QuantileForecaster):
    """The network of a drawn graph over the target history and the plan's features."""

    def __init__(self, shape: ModelShape, *, instance_norm: str, graph: ArchitectureGraph) -> None:
        super().__init__(shape, instance_norm)
        ctx = context_of(shape)
        self.resolved: ResolvedGraph = resolve(graph, ctx)
        r = self.resolved
        self.blocks = nn.ModuleDict()
        self.keys = {node: f"n{i}" for i, node in enumerate(r.order)}
        for node in r.order:
            module = build_block(
                r.types[node], r.params[node], [r.shapes[s] for s in r.inputs[node]], ctx
            )
            if module is not None:
                self.blocks[self.keys[node]] = module
        self.concat_dims: dict[str, int] = {}
        for node in r.order:
            p = r.params[node]
            if isinstance(p, ConcatParams):
                vector = len(r.shapes[node]) == 1
                self.concat_dims[node] = -1 if p.axis == "channels" or vector else 1

    def correction_layers(self) -> tuple[nn.Linear, ...]:
        head = self.blocks[self.keys[self.resolved.head]]
        assert isinstance(head, Head)
        return (head.linear,)

    def project(self, x: Window) -> torch.Tensor:
        r = self.resolved
        values: dict[str, torch.Tensor] = {}
        for node in r.order:
            kind, sources = r.types[node], [values[s] for s in r.inputs[node]]
            if kind == "input":
                values[node] = x.target.unsqueeze(-1)
            elif kind == "features":
                values[node] = x.past
            elif kind == "add":
                total = sources[0]
                for other in sources[1:]:
                    total = total + other
                values[node] = total
            elif kind == "concat":
                values[node] = torch.cat(sources, dim=self.concat_dims[node])
            else:
                values[node] = self.blocks[self.keys[node]](sources[0])
        return values[r.head]
