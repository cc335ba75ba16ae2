"""Training loss: BCE on soft class targets plus GIoU on the assigned boxes."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from .assign import assign, resolve_categories
from .classes import category_members
from .net import distances_to_boxes

# Weights as in common anchor-free detectors: the box term matters more per positive cell.
CLASS_WEIGHT = 1.0
BOX_WEIGHT = 5.0
CATEGORY_MEMBERS = category_members()


def giou(a: torch.Tensor, b: torch.Tensor, eps: float = 1e-7) -> torch.Tensor:
    """Generalised IoU of matching boxes a, b [..., 4] -> [...]."""
    top_left = torch.maximum(a[..., :2], b[..., :2])
    bottom_right = torch.minimum(a[..., 2:], b[..., 2:])
    inter = (bottom_right - top_left).clamp(min=0).prod(-1)
    area_a = (a[..., 2:] - a[..., :2]).prod(-1)
    area_b = (b[..., 2:] - b[..., :2]).prod(-1)
    union = area_a + area_b - inter + eps
    hull = (torch.maximum(a[..., 2:], b[..., 2:]) - torch.minimum(a[..., :2], b[..., :2])).prod(-1) + eps
    iou = inter / union
    return iou - (hull - union) / hull


def detection_loss(
    logits: torch.Tensor,  # [B, N, C]
    distances: torch.Tensor,  # [B, N, 4]
    points: torch.Tensor,
    strides: torch.Tensor,
    gt_boxes: torch.Tensor,
    gt_classes: torch.Tensor,
    gt_valid: torch.Tensor,
    class_weights: torch.Tensor | None = None,  # [C]: how much a class's positives count
) -> tuple[torch.Tensor, dict[str, float]]:
    """Total loss and its parts (for the log). ``class_weights`` scale each class's positive
    term: a rare, small class (a detonator) gets few positive cells and is otherwise drowned by
    the many cells of firearms and background."""
    boxes = distances_to_boxes(points, distances)
    gt_classes = resolve_categories(logits.detach().sigmoid(), points, strides, gt_boxes, gt_classes,
                                    CATEGORY_MEMBERS)
    target = assign(logits.detach().sigmoid(), boxes.detach(), points, strides,
                    gt_boxes, gt_classes, gt_valid)
    normaliser = target.target_scores.sum().clamp(min=1.0)
    class_loss = F.binary_cross_entropy_with_logits(logits, target.target_scores, reduction="sum",
                                                    pos_weight=class_weights)
    class_loss = class_loss / normaliser
    if bool(target.foreground.any()):
        weight = target.target_scores.sum(-1)[target.foreground]
        overlap = giou(boxes[target.foreground], target.target_boxes[target.foreground])
        box_loss = ((1.0 - overlap) * weight).sum()
        box_loss = box_loss / normaliser
    else:
        box_loss = distances.sum() * 0.0
    total = CLASS_WEIGHT * class_loss + BOX_WEIGHT * box_loss
    parts = {"cls": float(class_loss.detach()), "box": float(box_loss.detach()),
             "positives": float(target.foreground.sum())}
    return total, parts
