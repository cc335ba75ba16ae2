"""Render-time benchmark of the display pipeline (no Qt): ``python -m xrayreview.imaging.bench``.

Follows the bench suites' interface (``run(quick) -> str`` Markdown), so ``xrayreview bench``
can list it. Measures, on a 3,000 × 9,000 uint16 scan (single energy and a dual-energy pair)
at a 1920 × 1080 output: the first frame (renderer set-up plus first fit view), a redraw after
a settings change, a viewport step (pan) at several zooms, and each filter; against a naive
baseline measured in the same run (whole-scan table lookup, then an area resize to the screen).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import replace

import cv2
import numpy as np

from ..scan.model import Scan, ScanMetadata
from .display import DEFAULT, DisplaySettings, Renderer
from .standard import render_standard
from .tone import brightness_lut

SCREEN = (1920, 1080)
BASELINE = "baseline: whole-scan table + resize, per change"


def phantom(shape: tuple[int, int], dual: bool, seed: int = 0) -> Scan:
    """A cargo-like scan: smooth goods of varying thickness and material, with photon noise."""
    rng = np.random.default_rng(seed)
    h, w = shape
    y = np.linspace(0, 1, h, dtype=np.float32)[:, None]
    x = np.linspace(0, 1, w, dtype=np.float32)[None, :]
    mass = 40 * np.sin(9 * x) ** 2 + 30 * np.cos(7 * y) ** 2 + 60 * ((x * 12) % 1 < 0.3)
    # Per 10 cm-ish of goods: the low channel attenuates 10-40 % more depending on material.
    ratio = 1.1 + 0.3 * ((x * 5 + y * 3) % 1)
    counts = 30000.0
    high = np.clip(rng.poisson(np.exp(-0.03 * mass) * counts) * 2, 0, 65535).astype(np.uint16)
    if not dual:
        return Scan(high=high, full_scale=65535)
    low = np.clip(rng.poisson(np.exp(-0.03 * mass * ratio) * counts) * 2, 0, 65535).astype(np.uint16)
    meta = ScanMetadata(energy_high_kev=6000.0, energy_low_kev=4000.0)
    return Scan(high=high, low=low, full_scale=65535, metadata=meta)


def median_ms(action: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000.0


def _fit_region(scan: Scan) -> tuple[tuple[int, int, int, int], tuple[int, int]]:
    scale = min(SCREEN[0] / scan.width, SCREEN[1] / scan.height)
    return (0, 0, scan.width, scan.height), (round(scan.width * scale), round(scan.height * scale))


def _pans(renderer: Renderer, settings: DisplaySettings, zoom: float, repeats: int) -> float:
    """Median redraw for viewport steps of a tenth of the screen at ``zoom`` screen px per scan px."""
    scan = renderer.scan
    rw, rh = min(round(SCREEN[0] / zoom), scan.width), min(round(SCREEN[1] / zoom), scan.height)
    out = (round(rw * zoom), round(rh * zoom))
    step = max(rw // 10, 1)
    positions = [(i * step) % max(scan.width - rw, 1) for i in range(repeats)]
    it = iter(positions)

    def redraw() -> None:
        x0 = next(it)
        renderer.render(settings, (x0, 0, x0 + rw, rh), out)

    return median_ms(redraw, repeats)


def _settings_changes(renderer: Renderer, region, out, repeats: int) -> float:
    """Median redraw when the window moves each time (so every redraw rebuilds its table)."""
    counter = iter(range(10**6))

    def redraw() -> None:
        i = next(counter)
        settings = replace(DEFAULT, window_low=0.001 * (i % 300), gamma=1.0 + 0.003 * (i % 200))
        renderer.render(settings, region, out)

    return median_ms(redraw, repeats)


def _naive(scan: Scan, out, repeats: int) -> float:
    """Baseline: the whole scan through a table on every change, then shrunk to the screen."""
    counter = iter(range(10**6))

    def redraw() -> None:
        i = next(counter)
        lut = brightness_lut(replace(DEFAULT, window_low=0.001 * (i % 300)), scan.full_scale)
        cv2.resize(lut[scan.high], out, interpolation=cv2.INTER_AREA)

    return median_ms(redraw, repeats)


def measure_scan(scan: Scan, repeats: int) -> dict[str, float]:
    region, fit = _fit_region(scan)
    started = time.perf_counter()
    renderer = Renderer(scan)
    renderer.render(DEFAULT, region, fit)
    figures = {"first frame (set-up + fit view)": (time.perf_counter() - started) * 1000.0}
    figures["settings change, fit view"] = _settings_changes(renderer, region, fit, repeats)
    one_to_one = (0, 0, min(SCREEN[0], scan.width), min(SCREEN[1], scan.height))
    figures["settings change, 1:1"] = _settings_changes(renderer, one_to_one, SCREEN, repeats)
    for zoom in (fit[0] / scan.width, 0.5, 1.0, 4.0):
        figures[f"pan, zoom {zoom:.2g}"] = _pans(renderer, DEFAULT, zoom, repeats)
    for name, settings in {
        "grey": DisplaySettings(mode="grey"),
        "organic only": DisplaySettings(strip="organic"),
        "edge enhance": DisplaySettings(edge=True),
        "local contrast": DisplaySettings(local_contrast=True),
        "log": DisplaySettings(log_filter=True),
        "highlight": DisplaySettings(highlight=(0.1, 0.3)),
        "all filters": DisplaySettings(edge=True, local_contrast=True, log_filter=True, highlight=(0.1, 0.3)),
    }.items():
        figures[f"pan 1:1, {name}"] = _pans(renderer, settings, 1.0, repeats)
    figures[BASELINE] = _naive(scan, fit, max(repeats // 5, 3))
    return figures


def _size_independence(shape: tuple[int, int], repeats: int) -> str:
    """The same redraws on a scan 9× smaller: equal times mean cost follows the screen, not the scan."""
    small_shape = (shape[0] // 3, shape[1] // 3)
    rows = {}
    for label, size in (
        (f"{small_shape[0]:,} × {small_shape[1]:,}", small_shape),
        (f"{shape[0]:,} × {shape[1]:,}", shape),
    ):
        renderer = Renderer(phantom(size, dual=True, seed=1))
        region, fit = _fit_region(renderer.scan)
        renderer.render(DEFAULT, region, fit)
        rows[label] = (
            _settings_changes(renderer, region, fit, repeats),
            _pans(renderer, DEFAULT, 1.0, repeats),
        )
    lines = ["| dual-energy scan | settings change, fit view | pan, 1:1 |", "| --- | ---: | ---: |"]
    lines += [f"| {label} | {fit:.1f} | {pan:.1f} |" for label, (fit, pan) in rows.items()]
    return "\n".join(lines)


def run(quick: bool = False) -> str:
    shape = (600, 1800) if quick else (3000, 9000)
    repeats = 10 if quick else 60
    scans = {"single energy": phantom(shape, dual=False), "dual energy": phantom(shape, dual=True)}
    results = {name: measure_scan(scan, repeats) for name, scan in scans.items()}
    lines = [
        f"Display pipeline on a {shape[0]:,} × {shape[1]:,} uint16 scan, {SCREEN[0]}×{SCREEN[1]} "
        f"output; median of {repeats} redraws (ms).\n",
        "| | " + " | ".join(results) + " |",
        "| --- | " + " | ".join("---:" for _ in results) + " |",
    ]
    for row in next(iter(results.values())):
        lines.append(f"| {row} | " + " | ".join(f"{figures[row]:.1f}" for figures in results.values()) + " |")
    ratios = ", ".join(
        f"{name}: {figures[BASELINE] / figures['settings change, fit view']:.0f}×"
        for name, figures in results.items()
    )
    lines.append(f"\nSettings change at the fit view is faster than the baseline by {ratios}.")
    lines += ["", _size_independence(shape, repeats), ""]
    dual = scans["dual energy"]
    standard = median_ms(lambda: render_standard(dual), 1 if quick else 3)
    lines.append(
        f"\n`render_standard` (what the detector sees) of the whole dual-energy scan: {standard:.0f} ms."
    )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    print(run(quick="--quick" in sys.argv))
