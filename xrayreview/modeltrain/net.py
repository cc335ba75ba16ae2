"""The reference detector: a small depthwise-separable backbone, an FPN and a decoupled head.

Anchor-free: every cell of the stride-8/16/32 grids predicts class scores and the distances
from its centre to the four box sides. Sized so one 640 x 640 tile stays well under 1 GFLOP:
threats are small in cargo scans, so the stride-8 level carries most of the work.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

STRIDES: tuple[int, ...] = (8, 16, 32)


@dataclass(frozen=True)
class NetConfig:
    num_classes: int
    # Output channels of the stride-4, 8, 16 and 32 stages and blocks in each.
    widths: tuple[int, int, int, int] = (32, 64, 128, 224)
    depths: tuple[int, int, int, int] = (1, 2, 4, 2)
    neck: int = 96


def conv_bn(c_in: int, c_out: int, k: int = 1, s: int = 1, groups: int = 1,
            act: bool = True) -> nn.Sequential:
    layers: list[nn.Module] = [
        nn.Conv2d(c_in, c_out, k, s, k // 2, groups=groups, bias=False),
        nn.BatchNorm2d(c_out),
    ]
    if act:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


class SeparableBlock(nn.Module):
    """Depthwise 3x3 then pointwise 1x1, with a residual when the shape allows."""

    def __init__(self, c_in: int, c_out: int, stride: int = 1, kernel: int = 3) -> None:
        super().__init__()
        self.depthwise = conv_bn(c_in, c_in, kernel, stride, groups=c_in)
        self.pointwise = conv_bn(c_in, c_out, 1, act=stride == 1 and c_in == c_out)
        self.residual = stride == 1 and c_in == c_out
        self.act = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.pointwise(self.depthwise(x))
        return self.act(y + x) if self.residual else self.act(y)


def stage(c_in: int, c_out: int, depth: int) -> nn.Sequential:
    blocks: list[nn.Module] = [SeparableBlock(c_in, c_out, stride=2)]
    # Alternate 3x3 and 5x5 depthwise kernels: a wider view for long thin guns and wires at little cost.
    blocks += [SeparableBlock(c_out, c_out, kernel=5 if i % 2 else 3) for i in range(depth)]
    return nn.Sequential(*blocks)


class Head(nn.Module):
    """Separate class and box branches for one pyramid level."""

    def __init__(self, channels: int, num_classes: int) -> None:
        super().__init__()
        self.cls_branch = nn.Sequential(*[SeparableBlock(channels, channels) for _ in range(2)])
        self.box_branch = nn.Sequential(*[SeparableBlock(channels, channels) for _ in range(2)])
        self.cls_out = nn.Conv2d(channels, num_classes, 1)
        self.box_out = nn.Conv2d(channels, 4, 1)
        # Start with a low score everywhere (most cells are background), as focal-loss detectors do.
        nn.init.constant_(self.cls_out.bias, -4.6)
        nn.init.constant_(self.box_out.bias, 1.0)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.cls_out(self.cls_branch(x)), self.box_out(self.box_branch(x))


class ThreatDetector(nn.Module):
    """forward(images) -> (class logits [B, N, nc], side distances in pixels [B, N, 4]).

    ``images`` are RGB in 0..1, [B, 3, H, W] with H and W multiples of 32. Cells are ordered
    level by level (stride 8 first), row-major within a level, matching ``anchor_points``.
    """

    def __init__(self, config: NetConfig) -> None:
        super().__init__()
        self.config = config
        w, d = config.widths, config.depths
        self.stem = nn.Sequential(conv_bn(3, 16, 3, 2), SeparableBlock(16, w[0], stride=2))
        self.stage4 = nn.Sequential(*[SeparableBlock(w[0], w[0]) for _ in range(d[0])])
        self.stage8 = stage(w[0], w[1], d[1])
        self.stage16 = stage(w[1], w[2], d[2])
        self.stage32 = stage(w[2], w[3], d[3])
        n = config.neck
        self.lateral = nn.ModuleList([conv_bn(c, n) for c in w[1:]])
        self.smooth = nn.ModuleList([SeparableBlock(n, n) for _ in STRIDES])
        self.down = nn.ModuleList([SeparableBlock(n, n, stride=2) for _ in STRIDES[1:]])
        self.heads = nn.ModuleList([Head(n, config.num_classes) for _ in STRIDES])

    def features(self, images: torch.Tensor) -> list[torch.Tensor]:
        c4 = self.stage4(self.stem(images))
        c8 = self.stage8(c4)
        c16 = self.stage16(c8)
        c32 = self.stage32(c16)
        p32 = self.lateral[2](c32)
        p16 = self.lateral[1](c16) + F.interpolate(p32, scale_factor=2.0, mode="nearest")
        p8 = self.lateral[0](c8) + F.interpolate(p16, scale_factor=2.0, mode="nearest")
        p8 = self.smooth[0](p8)
        # Bottom-up path: the coarse levels see the fine detail that finds small metal parts.
        p16 = self.smooth[1](p16 + self.down[0](p8))
        p32 = self.smooth[2](p32 + self.down[1](p16))
        return [p8, p16, p32]

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        logits, distances = [], []
        for level, (feature, stride) in enumerate(zip(self.features(images), STRIDES, strict=True)):
            cls, box = self.heads[level](feature)
            logits.append(cls.flatten(2))
            # softplus keeps distances positive with a smooth gradient; scaled by the level's stride.
            distances.append(F.softplus(box.flatten(2)) * stride)
        return torch.cat(logits, 2).transpose(1, 2), torch.cat(distances, 2).transpose(1, 2)


def anchor_points(height: int, width: int,
                  device: torch.device | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Cell centres [N, 2] (x, y in pixels) and their strides [N], in the model's output order."""
    points, strides = [], []
    for stride in STRIDES:
        ys, xs = torch.meshgrid(
            torch.arange(height // stride, device=device, dtype=torch.float32),
            torch.arange(width // stride, device=device, dtype=torch.float32),
            indexing="ij",
        )
        grid = torch.stack([xs.flatten(), ys.flatten()], 1)
        points.append((grid + 0.5) * stride)
        strides.append(torch.full((grid.shape[0],), float(stride), device=device))
    return torch.cat(points), torch.cat(strides)


def distances_to_boxes(points: torch.Tensor, distances: torch.Tensor) -> torch.Tensor:
    """(left, top, right, bottom) distances from cell centres -> (x1, y1, x2, y2) boxes."""
    top_left = points - distances[..., :2]
    bottom_right = points + distances[..., 2:]
    return torch.cat([top_left, bottom_right], -1)
