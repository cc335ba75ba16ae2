"""The one place the UI reaches into the imaging layer for pixels.

The viewer, loupe and overview ask for a region of the scan at a given output size; the maths
(window/level, colour, filters) lives in ``xrayreview.imaging``. Until the imaging display
pipeline lands this falls back to the station's standard rendering, so the UI can be built
against a stable interface.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..scan.model import Scan

try:  # pragma: no cover - which branch runs depends on the imaging layer's progress
    from ..imaging.settings import DEFAULT, TOOLS, DisplaySettings, apply_tool
except ImportError:  # pragma: no cover
    @dataclass(frozen=True)
    class DisplaySettings:  # type: ignore[no-redef]
        mode: str = "pseudo"
        window_low: float = 0.0
        window_high: float = 1.0
        gamma: float = 1.0
        inverse: bool = False
        strip: str | None = None
        edge: bool = False
        local_contrast: bool = False
        log_filter: bool = False
        highlight: tuple[float, float] | None = None

    @dataclass(frozen=True)
    class Tool:
        name: str
        label: str
        shortcut: str
        tip: str

    DEFAULT = DisplaySettings()
    TOOLS = (Tool("pseudo", "Colour", "P", "Pseudo-colour"), Tool("grey", "Grey", "G", "Grey scale"),
             Tool("inverse", "Inverse", "I", "Negative image"), Tool("reset", "Reset", "R", "Standard view"))

    def apply_tool(settings: DisplaySettings, tool: str) -> DisplaySettings:  # type: ignore[no-redef]
        if tool == "reset":
            return DEFAULT
        if tool in ("grey", "pseudo"):
            return replace(settings, mode=tool)
        if tool == "inverse":
            return replace(settings, inverse=not settings.inverse)
        return settings

try:  # pragma: no cover
    from ..imaging.display import Renderer, measure  # type: ignore[attr-defined]

    HAVE_DISPLAY = True
except ImportError:  # pragma: no cover
    HAVE_DISPLAY = False
    import cv2

    from ..imaging.material import material_at
    from ..imaging.standard import render_standard

    @dataclass(frozen=True)
    class PixelInfo:
        raw: tuple
        transmission: tuple
        material: str | None

    @dataclass(frozen=True)
    class Measurement:
        length: float
        unit: str

    def measure(scan: Scan, p0, p1):  # type: ignore[no-redef]
        px = float(np.hypot(p1[0] - p0[0], p1[1] - p0[1]))
        pitch = scan.metadata.pixel_pitch_mm
        return Measurement(px * pitch, "mm") if pitch else Measurement(px, "px")

    class Renderer:  # type: ignore[no-redef]
        def __init__(self, scan: Scan) -> None:
            self.scan = scan

        def render(self, settings, region, out_size) -> np.ndarray:
            x0, y0, x1, y1 = region
            w, h = out_size
            ys = np.linspace(y0, y1 - 1, h).astype(np.intp)
            xs = np.linspace(x0, x1 - 1, w).astype(np.intp)
            scan = self.scan
            sub = Scan(
                high=scan.high[np.ix_(ys, xs)],
                full_scale=scan.full_scale,
                low=None if scan.low is None else scan.low[np.ix_(ys, xs)],
                colour=None if scan.colour is None else scan.colour[np.ix_(ys, xs)],
                metadata=scan.metadata,
            )
            rgb = render_standard(sub)
            if settings.mode == "grey":
                grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
                rgb = np.repeat(grey[:, :, None], 3, axis=2)
            if settings.inverse:
                rgb = 255 - rgb
            return np.ascontiguousarray(rgb)

        def pixel_info(self, x: int, y: int):
            scan = self.scan
            t = (min(float(scan.high[y, x]) / scan.full_scale, 1.0),)
            if scan.low is not None:
                t += (min(float(scan.low[y, x]) / scan.full_scale, 1.0),)
            material = material_at(scan, x, y) if scan.low is not None else None
            return PixelInfo(scan.raw_value(x, y), t, material)


__all__ = ["DEFAULT", "TOOLS", "DisplaySettings", "HAVE_DISPLAY", "Renderer", "apply_tool", "measure"]
