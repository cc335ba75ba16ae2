"""Which grid cells learn which threat: a task-aligned assigner.

For each threat, the cells near it that already score that class well AND regress a box that
overlaps it well (score x IoU^6) become its positives, top-k per threat. Cells near tiny
threats (a 2 px wide detonator) still qualify: the search window is at least one stride wide.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

TOP_K = 10
SCORE_POWER = 1.0
IOU_POWER = 6.0


@dataclass
class Assignment:
    foreground: torch.Tensor  # [B, N] bool: the cell has a threat to learn
    target_boxes: torch.Tensor  # [B, N, 4] x1, y1, x2, y2 for foreground cells
    target_scores: torch.Tensor  # [B, N, C] soft class targets (0 for background)


def box_iou_pairwise(a: torch.Tensor, b: torch.Tensor, eps: float = 1e-7) -> torch.Tensor:
    """IoU of a [..., M, 4] against b [..., N, 4] -> [..., M, N]."""
    a, b = a.unsqueeze(-2), b.unsqueeze(-3)
    top_left = torch.maximum(a[..., :2], b[..., :2])
    bottom_right = torch.minimum(a[..., 2:], b[..., 2:])
    inter = (bottom_right - top_left).clamp(min=0).prod(-1)
    area_a = (a[..., 2:] - a[..., :2]).clamp(min=0).prod(-1)
    area_b = (b[..., 2:] - b[..., :2]).clamp(min=0).prod(-1)
    return inter / (area_a + area_b - inter + eps)


def candidate_cells(points: torch.Tensor, strides: torch.Tensor, gt_boxes: torch.Tensor) -> torch.Tensor:
    """[B, M, N] bool: cell centre inside the threat's box, widened to at least one stride each side."""
    centre = (gt_boxes[..., :2] + gt_boxes[..., 2:]) * 0.5  # [B, M, 2]
    half = (gt_boxes[..., 2:] - gt_boxes[..., :2]) * 0.5
    half = torch.maximum(half.unsqueeze(2), strides.view(1, 1, -1, 1))  # [B, M, N, 2]
    offset = (points.view(1, 1, -1, 2) - centre.unsqueeze(2)).abs()
    return (offset < half).all(-1)


@torch.no_grad()
def assign(
    scores: torch.Tensor,  # [B, N, C] sigmoid scores
    boxes: torch.Tensor,  # [B, N, 4] predicted x1, y1, x2, y2
    points: torch.Tensor,  # [N, 2]
    strides: torch.Tensor,  # [N]
    gt_boxes: torch.Tensor,  # [B, M, 4]
    gt_classes: torch.Tensor,  # [B, M] long
    gt_valid: torch.Tensor,  # [B, M] bool (padding is False)
) -> Assignment:
    batch, cells, num_classes = scores.shape
    if gt_boxes.shape[1] == 0 or not bool(gt_valid.any()):
        return Assignment(
            torch.zeros(batch, cells, dtype=torch.bool, device=scores.device),
            torch.zeros(batch, cells, 4, device=scores.device),
            torch.zeros_like(scores),
        )
    iou = box_iou_pairwise(gt_boxes, boxes)  # [B, M, N]
    class_scores = scores.gather(2, gt_classes.clamp(min=0).unsqueeze(1).expand(-1, cells, -1))  # [B, N, M]
    class_scores = class_scores.transpose(1, 2)  # [B, M, N]
    allowed = candidate_cells(points, strides, gt_boxes) & gt_valid.unsqueeze(-1)
    alignment = class_scores.pow(SCORE_POWER) * iou.pow(IOU_POWER) * allowed
    # Ties at zero alignment (a fresh model) fall back to the nearest-looking candidates via IoU.
    ranking = alignment + 1e-9 * iou * allowed
    k = min(TOP_K, cells)
    top = ranking.topk(k, dim=-1).indices  # [B, M, k]
    chosen = torch.zeros_like(allowed).scatter_(-1, top, True) & allowed
    # A cell claimed by several threats learns the one it overlaps most.
    claims = chosen.sum(1)  # [B, N]
    if bool((claims > 1).any()):
        best = (iou * chosen).argmax(1)  # [B, N]
        only_best = torch.zeros_like(chosen).scatter_(1, best.unsqueeze(1), True)
        chosen = torch.where((claims > 1).unsqueeze(1), only_best & chosen, chosen)
    foreground = chosen.any(1)
    owner = chosen.float().argmax(1)  # [B, N]
    target_boxes = gt_boxes.gather(1, owner.unsqueeze(-1).expand(-1, -1, 4))
    target_classes = gt_classes.gather(1, owner)
    # Soft targets: alignment normalised per threat so its best cell aims at that threat's best IoU.
    alignment = alignment * chosen
    max_alignment = alignment.amax(-1, keepdim=True)
    max_iou = (iou * chosen).amax(-1, keepdim=True)
    normalised = (alignment / (max_alignment + 1e-9) * max_iou).amax(1)  # [B, N]
    target_scores = torch.zeros_like(scores)
    target_scores.scatter_(2, target_classes.clamp(min=0).unsqueeze(-1), 1.0)
    target_scores = target_scores * (normalised * foreground).unsqueeze(-1)
    return Assignment(foreground, target_boxes, target_scores)


@torch.no_grad()
def resolve_categories(scores: torch.Tensor, points: torch.Tensor, strides: torch.Tensor,
                       gt_boxes: torch.Tensor, gt_classes: torch.Tensor,
                       members: list[list[int]]) -> torch.Tensor:
    """``gt_classes`` with every category-only code (C + k: a truth known only as category k)
    replaced by the class of category ``members[k]`` that the model scores highest on the
    truth's cells. An officer marks "firearm", not "long gun"; teaching the class the model
    already leans to keeps its classes apart while the category is learnt from the mark."""
    num_classes = scores.shape[-1]
    coded = gt_classes >= num_classes
    if not bool(coded.any()):
        return gt_classes
    allowed = candidate_cells(points, strides, gt_boxes)  # [B, M, N]
    cells = allowed.float()
    best = torch.stack([(cells * scores[..., c].unsqueeze(1)).amax(-1) for c in range(num_classes)], -1)
    in_group = torch.zeros(len(members), num_classes, dtype=torch.bool, device=scores.device)
    for k, classes in enumerate(members):
        in_group[k, classes] = True
    group = (gt_classes - num_classes).clamp(0, len(members) - 1)
    # Ties (a fresh model, cells outside the image) fall to the group's first class.
    ranked = torch.where(in_group[group], best + 1e-6, torch.full_like(best, -1.0))
    return torch.where(coded, ranked.argmax(-1), gt_classes)
