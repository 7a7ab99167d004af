"""`patchtst`: a PatchTST-like transformer over patches of the history, with a linear skip.

Each token embeds one patch of the target plus the same patch of every past feature
channel; a linear path from the raw history keeps the NLinear forecast as its floor.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from training.models.common import (
    CalendarEffect,
    QuantileForecaster,
    Shape,
    Window,
)


class EncoderLayer(nn.Module):
    """Pre-norm self-attention block written out, so that it exports to plain ONNX ops."""

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float) -> None:
        super().__init__()
        self.n_heads = n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.out = nn.Linear(d_model, d_model)
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.ff = nn.Sequential(nn.Linear(d_model, d_ff), nn.GELU(), nn.Linear(d_ff, d_model))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, tokens, width = x.shape
        head = width // self.n_heads
        q, k, v = self.qkv(self.norm1(x)).chunk(3, dim=-1)
        q, k, v = (t.reshape(batch, tokens, self.n_heads, head).transpose(1, 2) for t in (q, k, v))
        weights = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(head), dim=-1)
        attended = (weights @ v).transpose(1, 2).reshape(batch, tokens, width)
        x = x + self.dropout(self.out(attended))
        update: torch.Tensor = self.dropout(self.ff(self.norm2(x)))
        return x + update


class PatchForecaster(QuantileForecaster):
    patch_index: torch.Tensor

    def __init__(
        self,
        shape: Shape,
        *,
        instance_norm: str,
        patch_len: int,
        stride: int,
        d_model: int,
        n_heads: int,
        n_layers: int,
        d_ff: int,
        dropout: float,
        covariate_rank: int,
    ) -> None:
        super().__init__(shape, instance_norm)
        patch_len = min(patch_len, shape.lookback)
        stride = min(stride, patch_len)
        # As PatchTST: repeat the last value `stride` times, then cut overlapping patches.
        n_patches = (shape.lookback + stride - patch_len) // stride + 1
        starts = torch.arange(n_patches) * stride
        self.register_buffer("patch_index", starts.unsqueeze(1) + torch.arange(patch_len))
        self.stride = stride
        self.embed = nn.Linear(patch_len, d_model)
        self.use_covariates = covariate_rank > 0
        self.embed_covariates = nn.Linear(patch_len * shape.n_features, d_model, bias=False)
        nn.init.zeros_(self.embed_covariates.weight)
        self.position = nn.Parameter(torch.randn(n_patches, d_model) * 0.02)
        self.layers = nn.ModuleList(
            EncoderLayer(d_model, n_heads, d_ff, dropout) for _ in range(n_layers)
        )
        self.norm = nn.LayerNorm(d_model)
        outputs = shape.horizon * shape.n_quantiles
        self.head = nn.Linear(n_patches * d_model, outputs)
        self.head_dropout = nn.Dropout(dropout)
        self.calendar = CalendarEffect(shape) if shape.n_calendar else None

    def patches(self, series: torch.Tensor) -> torch.Tensor:
        """[B, L, C] -> [B, N, P * C]."""
        padded = torch.cat([series, series[:, -1:].expand(-1, self.stride, -1)], dim=1)
        return padded[:, self.patch_index].flatten(2)

    def correction_layers(self) -> tuple[nn.Linear, ...]:
        return (self.head,)

    def project(self, x: Window) -> torch.Tensor:
        tokens: torch.Tensor = self.embed(self.patches(x.target.unsqueeze(-1)))
        if self.use_covariates:
            tokens = tokens + self.embed_covariates(self.patches(x.past))
        hidden = tokens + self.position
        for layer in self.layers:
            hidden = layer(hidden)
        head: torch.Tensor = self.head(self.head_dropout(self.norm(hidden).flatten(1)))
        raw: torch.Tensor = head.view(-1, self.shape.horizon, self.shape.n_quantiles)
        if self.calendar is not None and x.future is not None:
            raw = raw + self.calendar(x.future)
        return raw
