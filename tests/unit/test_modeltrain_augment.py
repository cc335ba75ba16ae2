"""Training augmentation keeps boxes on the things they mark (no torch needed)."""

from __future__ import annotations

import numpy as np

from xrayreview.modeltrain.augment import augment, clip_boxes, flip_rotate, photometric, rescale


def _scene() -> tuple[np.ndarray, np.ndarray]:
    image = np.full((160, 160, 3), 255, np.uint8)
    image[20:40, 30:110] = (40, 60, 200)  # a blue bar: something metal
    return image, np.array([[30.0, 20.0, 110.0, 40.0]], np.float32)


def _inside_is_dark(image: np.ndarray, box: np.ndarray) -> bool:
    x1, y1, x2, y2 = np.round(box).astype(int)
    return image[y1:y2, x1:x2].mean() < 120 and image.mean() > 150


def test_flips_and_turns_move_the_box_with_the_object() -> None:
    image, boxes = _scene()
    for seed in range(12):
        out, moved = flip_rotate(image, boxes, np.random.default_rng(seed))
        assert _inside_is_dark(out, moved[0])


def test_rescale_keeps_the_object_inside_its_box_and_the_tile_size() -> None:
    image, boxes = _scene()
    for seed in range(12):
        out, moved, kept = rescale(image, boxes, np.random.default_rng(seed), 160)
        assert out.shape == (160, 160, 3)
        if len(kept):
            assert _inside_is_dark(out, moved[0])


def test_boxes_mostly_outside_the_tile_are_dropped() -> None:
    boxes = np.array([[-90.0, 0.0, 10.0, 10.0], [5.0, 5.0, 50.0, 50.0], [60.0, 60.0, 61.0, 90.0]], np.float32)
    clipped, kept = clip_boxes(boxes, 100, 100)
    assert kept.tolist() == [1]
    assert clipped.tolist() == [[5.0, 5.0, 50.0, 50.0]]


def test_photometric_changes_look_not_shape() -> None:
    image, _ = _scene()
    outputs = [photometric(image, np.random.default_rng(seed)) for seed in range(20)]
    assert all(o.shape == image.shape and o.dtype == np.uint8 for o in outputs)
    assert any(not np.array_equal(o, image) for o in outputs)


def test_full_chain_returns_a_square_tile_and_matching_classes() -> None:
    image, boxes = _scene()
    out, moved, classes = augment(image, boxes, np.array([2]), np.random.default_rng(3), 128)
    assert out.shape == (128, 128, 3)
    assert len(moved) == len(classes)


def test_small_training_crops_mostly_keep_a_threat_in_view() -> None:
    image = np.full((640, 640, 3), 255, np.uint8)
    image[500:540, 60:120] = (40, 60, 200)
    boxes = np.array([[60.0, 500.0, 120.0, 540.0]], np.float32)
    kept = 0
    for seed in range(30):
        out, moved, _ = rescale(image, boxes, np.random.default_rng(seed), 320)
        assert out.shape == (320, 320, 3)
        if len(moved):
            kept += 1
            assert _inside_is_dark(out, moved[0])
    assert kept >= 15
