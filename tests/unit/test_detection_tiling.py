"""Tiling, skipping empty tiles, merging across tile borders, resampling, progress and cancel."""

import numpy as np
import pytest

from xrayreview.detection import Options, ThreatModel, detect
from xrayreview.detection.merge import merge_tiles, nms
from xrayreview.detection.synthetic_models import dark_square_model
from xrayreview.detection.tiling import Tile, axis_starts, cut_by_edge, tile_grid
from xrayreview.scan import Scan, ScanMetadata


@pytest.fixture(scope="module")
def squares(tmp_path_factory) -> ThreatModel:
    """Finds 16×16 dark squares on a 16-px grid, in 64-px tiles (overlap 16 keeps the grid aligned)."""
    return ThreatModel.load(dark_square_model(tmp_path_factory.mktemp("m") / "squares.onnx"))


def scan_with_squares(height: int, width: int, corners: list[tuple[int, int]], pitch: float | None = None,
                      size: int = 16) -> Scan:
    rgb = np.full((height, width, 3), 255, np.uint8)
    for x, y in corners:
        rgb[y:y + size, x:x + size] = 0
    return Scan(high=np.full((height, width), 255, np.uint16), full_scale=255, colour=rgb,
                metadata=ScanMetadata(pixel_pitch_mm=pitch))


def boxes(result) -> set[tuple[float, ...]]:
    return {tuple(round(v) for v in d.box) for d in result.detections}


def test_axis_starts_cover_the_axis_with_full_tiles():
    assert axis_starts(100, 64, 16) == [0, 36]
    assert axis_starts(64, 64, 16) == [0]
    assert axis_starts(30, 64, 16) == [0]  # smaller than a tile: one short tile
    assert axis_starts(160, 64, 16) == [0, 48, 96]
    starts = axis_starts(9000, 640, 160)
    assert starts[0] == 0 and starts[-1] == 9000 - 640
    assert all(b - a <= 480 * 1.05 for a, b in zip(starts, starts[1:], strict=False))
    aligned = axis_starts(2112, 640, 160, align=32)
    assert len(aligned) == 4 and all(s % 32 == 0 for s in aligned)  # 4 tiles, not 5
    assert all(b - a <= 480 * 1.05 + 32 for a, b in zip(aligned, aligned[1:], strict=False))


def test_tile_grid_covers_every_pixel():
    tiles = tile_grid(300, 130, 64, 64, 0.25)
    covered = np.zeros((130, 300), bool)
    for t in tiles:
        assert t.w == 64 and t.h == 64
        covered[t.y:t.y + t.h, t.x:t.x + t.w] = True
    assert covered.all()


def test_each_square_found_once_wherever_it_sits(squares):
    # Inside one tile, in a tile overlap, at the scan's corners and edges.
    corners = [(16, 16), (48, 48), (96, 0), (192, 144), (0, 144), (112, 96)]
    result = detect(squares, scan_with_squares(160, 208, corners), conf=0.9)
    assert boxes(result) == {(x, y, x + 16, y + 16) for x, y in corners}


def test_scan_smaller_than_a_tile(squares):
    # The padding is grey (114) and scores 0.55, so a threshold above it sees only the square.
    result = detect(squares, scan_with_squares(40, 48, [(16, 16)]), conf=0.9)
    assert result.tiles_run == 1
    assert 0 < result.model_s <= result.elapsed_s
    assert boxes(result) == {(16, 16, 32, 32)}


def test_empty_tiles_are_skipped_and_nothing_found_there(squares):
    scan = scan_with_squares(160, 400, [(32, 32)])
    result = detect(squares, scan, conf=0.9)
    naive = detect(squares, scan, conf=0.9, options=Options(skip_empty=False, batch=1))
    assert result.tiles_skipped > 0
    assert result.tiles_run + result.tiles_skipped == naive.tiles_run
    assert boxes(result) == boxes(naive) == {(32, 32, 48, 48)}


def squares_with_sidecar(folder, sidecar: str) -> ThreatModel:
    path = dark_square_model(folder / "squares.onnx")
    path.with_suffix(".json").write_text(sidecar)
    return ThreatModel.load(path)


def test_scan_is_resampled_to_the_models_pitch(tmp_path):
    model = squares_with_sidecar(tmp_path, '{"mm_per_px": 4.0}')
    # At 2 mm/px a 32-px square is the model's 16-px square at 4 mm/px; boxes come back in scan pixels.
    scan = scan_with_squares(128, 128, [(64, 32)], pitch=2.0, size=32)
    assert boxes(detect(model, scan, conf=0.9)) == {(64, 32, 96, 64)}


def test_only_scans_coarser_than_the_models_coarsest_pitch_are_enlarged(tmp_path, squares):
    model = squares_with_sidecar(tmp_path, '{"coarsest_mm_per_px": 4.0}')
    # At 8 mm/px an 8-px square, too small for the model, is enlarged to its 16 px; boxes come
    # back in scan pixels.
    coarse = scan_with_squares(64, 64, [(16, 16)], pitch=8.0, size=8)
    assert boxes(detect(model, coarse, conf=0.9)) == {(16, 16, 24, 24)}
    assert boxes(detect(squares, coarse, conf=0.9)) == set()  # the same model without the key
    # A finer scan runs as it is: the 16-px square is found where a shrunk scan would lose it.
    fine = scan_with_squares(128, 128, [(64, 32)], pitch=2.0)
    assert boxes(detect(model, fine, conf=0.9)) == {(64, 32, 80, 48)}


def test_progress_and_cancel(squares):
    scan = scan_with_squares(160, 400, [(16, 16), (320, 96)])
    seen = []
    result = detect(squares, scan, conf=0.9, progress=lambda done, total: seen.append((done, total)),
                    options=Options(batch=2, skip_empty=False))
    assert seen[-1] == (result.tiles_run, result.tiles_run)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    stopped = detect(squares, scan, conf=0.9, should_stop=lambda: True)
    assert stopped.cancelled and stopped.tiles_run == 0 and stopped.detections == []


def test_whole_scan_pass_adds_one_run(squares):
    scan = scan_with_squares(160, 208, [(16, 16)])
    plain = detect(squares, scan, conf=0.9, options=Options(skip_empty=False))
    whole = detect(squares, scan, conf=0.9, options=Options(skip_empty=False, whole_scan=True))
    assert whole.tiles_run == plain.tiles_run + 1


def test_whole_scan_pass_skipped_where_the_scan_would_shrink_too_far(squares, monkeypatch):
    # 160 x 208 px fits a 64-px tile at 0.31: the pass runs for a limit below that, not above it.
    scan = scan_with_squares(160, 208, [(16, 16)])
    plain = detect(squares, scan, conf=0.9, options=Options(skip_empty=False))
    whole = Options(skip_empty=False, whole_scan=True)
    monkeypatch.setattr(squares.spec, "whole_scan_min_scale", 0.3)
    assert detect(squares, scan, conf=0.9, options=whole).tiles_run == plain.tiles_run + 1
    monkeypatch.setattr(squares.spec, "whole_scan_min_scale", 0.5)
    assert detect(squares, scan, conf=0.9, options=whole).tiles_run == plain.tiles_run


def test_nms_is_per_class():
    b = np.array([[0, 0, 10, 10], [1, 1, 10, 10], [0, 0, 10, 10]], np.float32)
    s = np.array([0.9, 0.8, 0.7], np.float32)
    assert list(nms(b, s, np.array([0, 0, 1]), 0.5)) == [0, 2]
    assert len(nms(np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, int), 0.5)) == 0


def test_partial_views_from_different_tiles_are_joined():
    # A whole box from tile 0 and the part of the object tile 1 saw (IoU 0.3: NMS keeps both);
    # two halves of an object seen by tiles 2 and 3; an unrelated box of another class.
    b = np.array([[100, 10, 150, 40], [100, 10, 115, 40],
                  [300, 10, 340, 40], [320, 10, 370, 40],
                  [105, 12, 112, 38]], np.float32)
    s = np.array([0.9, 0.6, 0.7, 0.8, 0.5], np.float32)
    c = np.array([0, 0, 1, 1, 2])
    sources = np.array([0, 1, 2, 3, 0])
    mb, ms, mc = merge_tiles(b, s, c, sources, 0.5)
    got = sorted((int(k), tuple(int(v) for v in box), round(float(sc), 2))
                 for box, sc, k in zip(mb, ms, mc, strict=True))
    assert got == [(0, (100, 10, 150, 40), 0.9), (1, (300, 10, 370, 40), 0.8), (2, (105, 12, 112, 38), 0.5)]


def test_a_faint_guess_from_another_tile_does_not_stretch_a_confident_mark():
    # Tile 1's faint box covers most of tile 0's confident one: joined, the mark would grow to
    # the union, which is wrong for the object the officer sees marked at the working threshold.
    b = np.array([[100, 10, 150, 40], [90, 5, 200, 60]], np.float32)
    s = np.array([0.9, 0.2], np.float32)
    mb, ms, _ = merge_tiles(b, s, np.array([0, 0]), np.array([0, 1]), 0.5)
    assert [tuple(int(v) for v in box) for box in mb] == [(100, 10, 150, 40), (90, 5, 200, 60)]
    assert [round(float(v), 2) for v in ms] == [0.9, 0.2]
    # A partner scoring near the mark is a partial view of the same object and is joined.
    s = np.array([0.9, 0.5], np.float32)
    mb, ms, _ = merge_tiles(b, s, np.array([0, 0]), np.array([0, 1]), 0.5)
    assert [tuple(int(v) for v in box) for box in mb] == [(90, 5, 200, 60)]


def test_a_weaker_mark_that_grew_never_swallows_a_better_one():
    # The best mark covers too little of either other box to join it (0.3 each). The second
    # joins the third and grows over the best; it must not then take the best in.
    b = np.array([[0, 0, 10, 10], [7, 0, 20, 30], [0, 7, 40, 30]], np.float32)
    s = np.array([0.9, 0.8, 0.7], np.float32)
    mb, ms, _ = merge_tiles(b, s, np.array([0, 0, 0]), np.array([0, 1, 2]), 0.5)
    got = [(tuple(int(v) for v in box), round(float(sc), 2)) for box, sc in zip(mb, ms, strict=True)]
    assert got == [((0, 0, 10, 10), 0.9), ((0, 0, 40, 30), 0.8)]


def test_two_whole_views_of_one_object_are_not_joined():
    # The whole-bag pass boxes a small part loosely; the tile that saw it whole boxes it tight.
    # Neither box is cut by a tile edge, so the better one stands as it is and the other goes.
    b = np.array([[100, 10, 150, 40], [90, 5, 200, 60]], np.float32)
    s = np.array([0.9, 0.5], np.float32)
    whole_views = np.array([False, False])
    mb, ms, _ = merge_tiles(b, s, np.array([0, 0]), np.array([0, 1]), 0.5, whole_views)
    assert [tuple(int(v) for v in box) for box in mb] == [(100, 10, 150, 40)]
    assert [round(float(v), 2) for v in ms] == [0.9]
    # The same pair where the tile's edge cuts the tight box: a partial view, joined.
    mb, _, _ = merge_tiles(b, s, np.array([0, 0]), np.array([0, 1]), 0.5, np.array([True, False]))
    assert [tuple(int(v) for v in box) for box in mb] == [(90, 5, 200, 60)]


def test_a_box_is_cut_only_by_tile_edges_inside_the_scan():
    tile = Tile(100, 0, 64, 64)  # in a 300 × 64 rendering: its left and right edges are inside
    b = np.array([[102, 10, 120, 30],   # reaches the left edge
                  [140, 40, 160, 63],   # reaches the right edge (within the margin) and the bottom
                  [120, 0, 140, 64],    # spans the tile's height, whose edges are the scan's
                  [115, 20, 145, 40]], np.float32)
    assert list(cut_by_edge(b, tile, 300, 64, 8.0)) == [True, True, False, False]
    assert list(cut_by_edge(b, Tile(0, 0, 300, 64), 300, 64, 8.0)) == [False] * 4


def test_boxes_one_tile_found_side_by_side_stay_apart():
    # The model's own output within one tile is trusted: two overlapping objects stay two.
    b = np.array([[0, 0, 10, 10], [5, 0, 15, 10], [0, 0, 20, 10]], np.float32)
    scores, classes = np.array([0.9, 0.8, 0.7], np.float32), np.array([0, 0, 1])
    mb, _, _ = merge_tiles(b, scores, classes, np.array([0, 0, 0]), 0.5)
    assert len(mb) == 3


def test_tiles_cover_only_the_load_and_snap_to_the_stride():
    from xrayreview.detection.tiling import Tile, block_means, busy_region, region_grid

    rgb = np.full((600, 2000, 3), 255, np.uint8)
    rgb[250:420, 700:1130] = 90  # a load in the middle of the air
    region = busy_region(block_means(rgb))
    assert region is not None
    assert region.x <= 700 and region.x + region.w >= 1130 and region.y <= 250 and region.y + region.h >= 420
    tiles = region_grid(region, 2000, 600, 256, 256, 0.25, align=32)
    assert all(t.x % 32 == 0 and t.y % 32 == 0 for t in tiles[:1])
    assert len(tiles) < len(tile_grid(2000, 600, 256, 256, 0.25))
    assert min(t.x for t in tiles) <= 700 and max(t.x + t.w for t in tiles) >= 1130
    assert busy_region(block_means(np.full((600, 2000, 3), 255, np.uint8))) is None
    # A load smaller than a tile still gets one whole tile, inside the image.
    small = region_grid(Tile(1990, 590, 8, 8), 2000, 600, 256, 256, 0.25)
    assert small == [Tile(2000 - 256, 600 - 256, 256, 256)]


def test_a_tile_hands_on_at_most_its_best_boxes(tmp_path):
    from xrayreview.detection.engine import MAX_PER_IMAGE
    from xrayreview.detection.synthetic_models import constant_model

    # 400 small disjoint boxes on a 64-px input, scores rising with the index.
    n = 400
    rows = np.zeros((5, n), np.float32)
    rows[0] = (np.arange(n) % 20) * 3 + 2
    rows[1] = (np.arange(n) // 20) * 3 + 2
    rows[2:4] = 1.0
    rows[4] = np.linspace(0.3, 0.99, n)
    model = ThreatModel.load(constant_model(tmp_path / "many.onnx", rows, metadata={"names": "{0: 'x'}"}))
    found = detect(model, scan_with_squares(64, 64, [(0, 0)]), conf=0.1).detections
    assert len(found) == MAX_PER_IMAGE
    assert min(d.score for d in found) == pytest.approx(np.linspace(0.3, 0.99, n)[-MAX_PER_IMAGE], abs=1e-6)


def shaded_scan(height: int, width: int, corners: list[tuple[int, int]], size: int = 16) -> Scan:
    """Brightness falling 0.3 grey levels per pixel from left to right (a wall growing thicker,
    beam fall-off): 19 levels across a 64-px tile, under 8 across 24 px."""
    shade = np.clip(255 - 0.3 * np.arange(width), 0, 255).astype(np.uint8)
    rgb = np.repeat(np.repeat(shade[None, :, None], height, axis=0), 3, axis=2)
    for x, y in corners:
        rgb[y:y + size, x:x + size] = 0
    return Scan(high=np.full((height, width), 255, np.uint16), full_scale=255, colour=rgb)


def test_gradual_shading_is_empty_but_a_small_object_on_it_is_not():
    from xrayreview.detection.tiling import Tile, block_means, is_uniform

    tile = Tile(64, 0, 64, 64)
    shaded = shaded_scan(64, 256, []).colour
    part = shaded[:, 64:128].astype(int)
    assert part.max() - part.min() >= 12  # the whole-tile range alone would run this tile
    assert is_uniform(block_means(shaded), tile)
    # A 4×4-px object 60 levels darker moves the mean of the 8×8 window around it by 15 levels
    # wherever it sits (across window corners too), on the shading or a flat background.
    for background in (shaded_scan(64, 256, []).colour, np.full((64, 256, 3), 200, np.uint8)):
        for x, y in ((90, 30), (94, 38), (64, 0), (124, 60), (101, 13)):
            rgb = background.copy()
            rgb[y:y + 4, x:x + 4] = (rgb[y:y + 4, x:x + 4].astype(int) - 60).clip(0).astype(np.uint8)
            assert not is_uniform(block_means(rgb), tile), (x, y)
    assert is_uniform(block_means(np.full((64, 256, 3), 200, np.uint8)), tile)


def test_shaded_tiles_are_skipped_and_threats_on_them_found(squares):
    # Squares at both ends make the whole width busy; the shaded tiles between hold one square.
    corners = [(16, 64), (208, 32), (400, 96)]
    scan = shaded_scan(160, 432, corners)
    result = detect(squares, scan, conf=0.9)
    naive = detect(squares, scan, conf=0.9, options=Options(skip_empty=False, batch=1))
    assert result.tiles_skipped >= naive.tiles_run // 2
    assert boxes(result) == boxes(naive) == {(x, y, x + 16, y + 16) for x, y in corners}


def test_colour_batch_is_padded_bottom_right_and_scaled():
    from xrayreview.detection.tiling import PAD_VALUE, to_batch

    rgb = np.random.default_rng(3).integers(0, 256, (90, 120, 3), dtype=np.uint8)
    view = rgb[10:50, 20:100]  # a tile is a view into the rendering, not a copy
    out = np.full((2, 3, 64, 96), -1, np.float32)
    for convention, order in (("rgb", [0, 1, 2]), ("bgr", [2, 1, 0])):
        batch = to_batch([view], (64, 96), convention, 3, out=out)
        assert batch.shape == (1, 3, 64, 96) and batch.dtype == np.float32
        expected = np.full((64, 96, 3), PAD_VALUE, np.float32)
        expected[:40, :80] = view
        expected = (expected[..., order] * np.float32(1 / 255)).transpose(2, 0, 1)
        np.testing.assert_array_equal(batch[0], expected)
