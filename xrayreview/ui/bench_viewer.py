"""`xrayreview bench viewer`: first frame and redraw times of the station's viewer.

Each figure is measured side by side in one run with (a) a naive viewer that renders the whole
scan and converts it to a full-size QPixmap on every change, and (b) pyqtgraph's ImageView on
the same array. Every step ends with a synchronous repaint of a real (offscreen) window, so
the times include Qt's drawing, not just the numpy work.
"""

from __future__ import annotations

import gc
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import tifffile

from ..scan.loader import load_scan
from ..scan.model import Scan
from .rendering import DEFAULT, DisplaySettings, Renderer

VIEW_SIZE = (1600, 900)
FULL_SIZE = (9000, 3000)  # (width, height): a truck-length cargo scan
QUICK_SIZE = (3000, 1000)
ZOOMS = ("fit", 1.0, 4.0)  # screen pixels per scan pixel (fit: the whole scan in view)


# -- test scans -----------------------------------------------------------------------------------

def _transmission(width: int, height: int, seed: int) -> np.ndarray:
    """Smooth random goods with boxes and bars: transmission 0..1, float32."""
    rng = np.random.default_rng(seed)
    coarse = rng.random((max(2, height // 150), max(2, width // 150)), dtype=np.float32)
    smooth = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)
    attenuation = 0.2 + 1.5 * np.clip(smooth, 0, 1)
    for _ in range(60):
        x, y = int(rng.integers(0, width - 200)), int(rng.integers(0, height - 200))
        w, h = int(rng.integers(20, 400)), int(rng.integers(20, 300))
        attenuation[y:y + h, x:x + w] += float(rng.uniform(0.2, 2.5))
    t = np.exp(-attenuation)
    t += rng.normal(0.0, 0.004, t.shape).astype(np.float32)
    return np.clip(t, 0.0, 1.0)


def write_scans(folder: Path, size: tuple[int, int]) -> tuple[Path, Path]:
    """A 16-bit single-energy TIFF and a dual-energy TIFF pair (NAME_high/NAME_low) of ``size``."""
    width, height = size
    t = _transmission(width, height, 7)
    single = folder / "truck.tif"
    tifffile.imwrite(single, np.round(t * 65000).astype(np.uint16))
    low = np.exp(np.log(np.maximum(t, 1e-6)) * 1.3)
    high_path, low_path = folder / "truck2_high.tif", folder / "truck2_low.tif"
    tifffile.imwrite(high_path, np.round(t * 65000).astype(np.uint16))
    tifffile.imwrite(low_path, np.round(low * 65000).astype(np.uint16))
    return single, high_path


# -- the three viewers, behind one small interface -----------------------------------------------

class StationViewer:
    name = "station"

    def __init__(self) -> None:
        from .viewer import ScanView  # noqa: PLC0415

        self.view = ScanView()
        self.view.resize(*VIEW_SIZE)
        self.view.show()

    def open(self, path: Path) -> Scan:
        scan = load_scan(path)
        self.view.set_scan(scan, Renderer(scan), DEFAULT)
        return scan

    def set_settings(self, settings: DisplaySettings) -> None:
        self.view.set_settings(settings)

    def zoom(self, zoom: float | str) -> None:
        if zoom == "fit":
            self.view.fit()
        else:
            self.view.set_zoom(float(zoom), self.view.visible_rect().center())

    def zoom_step(self, factor: float) -> None:
        self.view.zoom_by(factor, self.view.visible_rect().center())

    def pan_step(self, fraction: float) -> None:
        self.view.pan(fraction, 0.0)

    def paint(self) -> None:
        self.view.viewport().repaint()

    def close(self) -> None:
        self.view.close()
        self.view.deleteLater()
        _settle()


class NaiveViewer(StationViewer):
    """Whole scan rendered at full size, a full-size QImage and QPixmap on every change."""

    name = "naive"

    def __init__(self) -> None:
        from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene, QGraphicsView  # noqa: PLC0415

        self.view = QGraphicsView()
        self.view.setScene(QGraphicsScene(self.view))
        self.item = QGraphicsPixmapItem()
        self.view.scene().addItem(self.item)
        self.view.resize(*VIEW_SIZE)
        self.view.show()

    def open(self, path: Path) -> Scan:
        self.scan = load_scan(path)
        self.renderer = Renderer(self.scan)
        self.view.scene().setSceneRect(0, 0, self.scan.width, self.scan.height)
        self.set_settings(DEFAULT)
        self.zoom("fit")
        return self.scan

    def set_settings(self, settings: DisplaySettings) -> None:
        from PySide6.QtGui import QImage, QPixmap  # noqa: PLC0415

        full = (0, 0, self.scan.width, self.scan.height)
        self.rgb = self.renderer.render(settings, region=full, out_size=(self.scan.width, self.scan.height))
        h, w, _ = self.rgb.shape
        image = QImage(self.rgb.data, w, h, int(self.rgb.strides[0]), QImage.Format.Format_RGB888)
        self.item.setPixmap(QPixmap.fromImage(image))

    def zoom(self, zoom: float | str) -> None:
        self.view.resetTransform()
        if zoom == "fit":
            scale = min(VIEW_SIZE[0] / self.scan.width, VIEW_SIZE[1] / self.scan.height)
        else:
            scale = float(zoom)
        self.view.scale(scale, scale)
        self.view.centerOn(self.scan.width / 2, self.scan.height / 2)

    def zoom_step(self, factor: float) -> None:
        self.view.scale(factor, factor)

    def pan_step(self, fraction: float) -> None:
        bar = self.view.horizontalScrollBar()
        bar.setValue(bar.value() + round(fraction * self.view.viewport().width()))


class PyqtgraphViewer(StationViewer):
    """pyqtgraph's ImageView given the (high-energy) uint16 array, as many would use it."""

    name = "pyqtgraph"

    def __init__(self) -> None:
        import pyqtgraph as pg  # noqa: PLC0415 - an optional, benchmark-only dependency

        pg.setConfigOptions(imageAxisOrder="row-major")
        self.imv = pg.ImageView()
        self.imv.resize(*VIEW_SIZE)
        self.imv.show()
        self.view = self.imv.ui.graphicsView
        self.box = self.imv.getView()

    def open(self, path: Path) -> Scan:
        self.scan = load_scan(path)
        self.imv.setImage(self.scan.high)
        return self.scan

    def set_settings(self, settings: DisplaySettings) -> None:
        full = self.scan.full_scale
        self.imv.setLevels(settings.window_low * full, settings.window_high * full)

    def zoom(self, zoom: float | str) -> None:
        self.box.autoRange(padding=0)
        if zoom != "fit":
            fit = min(self.view.width() / self.scan.width, self.view.height() / self.scan.height)
            self.box.scaleBy((fit / float(zoom), fit / float(zoom)))

    def zoom_step(self, factor: float) -> None:
        self.box.scaleBy((1 / factor, 1 / factor))

    def pan_step(self, fraction: float) -> None:
        (x0, x1), _ = self.box.viewRange()
        self.box.translateBy(x=(x1 - x0) * fraction)

    def close(self) -> None:
        self.imv.close()
        self.imv.deleteLater()
        _settle()

    def paint(self) -> None:
        from PySide6.QtWidgets import QApplication  # noqa: PLC0415

        QApplication.processEvents()  # pyqtgraph applies range changes on the next event loop turn
        self.view.viewport().repaint()


# -- measuring ------------------------------------------------------------------------------------

def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000.0


def _timed(step: Callable[[], None], viewer: StationViewer) -> float:
    started = time.perf_counter()
    step()
    viewer.paint()
    return time.perf_counter() - started


def _settle() -> None:
    """Run pending events, deferred deletes included, so one viewer's leftovers never time another's."""
    from PySide6.QtCore import QCoreApplication, QEvent  # noqa: PLC0415

    QCoreApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


def measure_viewer(kind: type[StationViewer], path: Path, repeats: int) -> dict[str, float]:
    """Median milliseconds for first frame, level change, zoom and pan steps at each zoom."""
    results: dict[str, float] = {}
    firsts = []
    for _ in range(max(3, repeats // 3)):
        viewer = kind()
        _settle()
        firsts.append(_timed(lambda v=viewer: v.open(path), viewer))
        viewer.close()
        _settle()
    results["first frame (read file + show)"] = _median_ms(firsts)
    viewer = kind()
    viewer.open(path)
    _settle()
    levels = [replace(DEFAULT, window_low=0.02 * (i % 5), window_high=1.0 - 0.03 * (i % 7))
              for i in range(1, repeats + 1)]
    for zoom in ZOOMS:
        label = "fit" if zoom == "fit" else f"{zoom:g}:1"
        viewer.zoom(zoom)
        viewer.paint()
        tool = [_timed(lambda s=s: viewer.set_settings(s), viewer) for s in levels]
        results[f"redraw after level change, zoom {label}"] = _median_ms(tool)
        zooms = [_timed(lambda i=i: viewer.zoom_step(1.25 if i % 2 == 0 else 0.8), viewer)
                 for i in range(repeats)]
        results[f"redraw after zoom step, zoom {label}"] = _median_ms(zooms)
        pans = [_timed(lambda i=i: viewer.pan_step(0.3 if (i // 3) % 2 == 0 else -0.3), viewer)
                for i in range(repeats)]
        results[f"redraw after pan step, zoom {label}"] = _median_ms(pans)
        # The same steps right after a level change: nothing rendered before can be reused.
        cold_zooms, cold_pans = [], []
        for i, settings in enumerate(levels):
            viewer.set_settings(settings)
            viewer.paint()
            cold_zooms.append(_timed(lambda i=i: viewer.zoom_step(0.8 if i % 2 == 0 else 1.25), viewer))
            viewer.set_settings(levels[-1 - i])
            viewer.paint()
            cold_pans.append(_timed(lambda i=i: viewer.pan_step(0.3 if (i // 3) % 2 == 0 else -0.3), viewer))
        results[f"redraw after zoom step, just after a level change, zoom {label}"] = _median_ms(cold_zooms)
        results[f"redraw after pan step, just after a level change, zoom {label}"] = _median_ms(cold_pans)
        viewer.set_settings(DEFAULT)
    viewer.close()
    _settle()
    return results


def _table(title: str, rows: dict[str, dict[str, float]]) -> str:
    names = list(rows)
    lines = [f"### {title}", "",
             "| median, ms | station | naive | pyqtgraph | naive ÷ station | pyqtgraph ÷ station |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for metric in rows[names[0]]:
        s, n, p = (rows[name][metric] for name in ("station", "naive", "pyqtgraph"))
        lines.append(f"| {metric} | {s:.1f} | {n:.1f} | {p:.1f} | {n / s:.1f}× | {p / s:.1f}× |")
    return "\n".join(lines) + "\n"


def run(quick: bool) -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication  # noqa: PLC0415

    app = QApplication.instance() or QApplication([])
    size = QUICK_SIZE if quick else FULL_SIZE
    repeats = 5 if quick else 21
    sections = []
    with tempfile.TemporaryDirectory(prefix="xrayreview-bench-") as tmp:
        single, pair = write_scans(Path(tmp), size)
        for title, path in ((f"16-bit single energy, {size[0]:,} × {size[1]:,}", single),
                            (f"dual-energy pair (two 16-bit TIFFs), {size[0]:,} × {size[1]:,}", pair)):
            load_scan(path)  # once untimed, so every viewer reads from the same warm file cache
            rows = {kind.name: measure_viewer(kind, path, repeats)
                    for kind in (StationViewer, NaiveViewer, PyqtgraphViewer)}
            sections.append(_table(title, rows))
    _settle()
    del app
    return _preamble(size, repeats) + "\n".join(sections)


def _preamble(size: tuple[int, int], repeats: int) -> str:
    return (
        f"Viewer window {VIEW_SIZE[0]} × {VIEW_SIZE[1]} (offscreen Qt platform), scans {size[0]:,} × "
        f"{size[1]:,} px written as TIFF files; each row is the median of {repeats} steps (first "
        "frame: of fresh windows), every step ending with a synchronous repaint of the window.\n\n"
        "- **station**: renders only the visible region plus a margin at screen resolution "
        "(`xrayreview.imaging.display.Renderer`), wrapped in a QImage without a copy.\n"
        "- **naive**: renders the whole scan at full size and builds a full-size QImage and QPixmap "
        "on every change; zoom and pan only transform the view.\n"
        "- **pyqtgraph**: `pyqtgraph.ImageView` with the same uint16 (high-energy) array and a "
        "level change through `setLevels` (it has no material colours).\n\n"
        "First frame includes reading and decoding the file (`load_scan`, warm file cache) and "
        "building the renderer. Zoomed in (1:1 and closer) the station keeps scan-resolution tiles "
        "per display setting, so repeated zoom and pan steps reuse them; the rows \"just after a "
        "level change\" show the same steps when nothing can be reused. Targets: first frame "
        "≤ 300 ms; redraw ≤ 10 ms at any zoom and faster than pyqtgraph.\n\n"
        f"Load average when the run started: {_load()} (the machine may be shared; medians "
        "resist but do not remove that noise).\n\n"
    )


def _load() -> str:
    try:
        return " / ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "unknown"
