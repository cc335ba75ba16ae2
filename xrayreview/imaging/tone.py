"""Brightness lookup tables: window/level, gamma, log and inverse folded into one table.

A scan's pixel value indexes the table directly (65,536 entries for uint16, 256 for the
channels of an RGB file), so a settings change costs one small table rebuild and the viewport
costs one lookup.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from .material import MAX_ATTENUATION
from .settings import DisplaySettings

# Transmission data is shown through this gamma so thick goods stay readable (the station's
# standard look). Files that are already a rendering (8-bit pseudo-colour) are shown as they are.
BRIGHTNESS_GAMMA = 0.35
# Below this transmission the beam is gone: shown black whatever the window.
IMPENETRABLE_TRANSMISSION = float(np.exp(-MAX_ATTENUATION))
# Single-energy pseudo-colour: OpenCV's "inferno" map, perceptually uniform with lightness
# rising monotonically, so dark stays dense and air stays bright as in the grey view.
SINGLE_ENERGY_COLOUR_MAP = cv2.COLORMAP_INFERNO


def tone_curve(t: np.ndarray, settings: DisplaySettings, *, rendered: bool, floor: float) -> np.ndarray:
    """Brightness 0..1 for transmission ``t`` (float array in 0..1).

    ``rendered`` marks values that are already a display rendering (keep their own curve and no
    impenetrable cut); ``floor`` is the smallest transmission the data can express.
    """
    lo, hi = settings.window_low, settings.window_high
    t = np.clip(t, 0.0, 1.0)
    if settings.log_filter:
        # Equal steps of material thickness give equal steps of grey, from no material down to
        # the impenetrable limit (not down to one count, which would waste half the grey range).
        lo_log = max(lo, floor, IMPENETRABLE_TRANSMISSION)
        log_t = np.log(np.maximum(t, floor))
        w = (log_t - np.log(lo_log)) / max(np.log(hi) - np.log(lo_log), 1e-6)
        exponent = settings.gamma
    else:
        # A denormal width (0 .. 5e-324) would overflow to inf with a numpy warning; widths
        # below 1e-12 are far under one count of a 16-bit scan, so the result is the same step.
        w = (t - lo) / max(hi - lo, 1e-12)
        exponent = settings.gamma * (1.0 if rendered else BRIGHTNESS_GAMMA)
    b = np.clip(w, 0.0, 1.0) ** exponent
    if not rendered:
        b = np.where(t < IMPENETRABLE_TRANSMISSION, 0.0, b)
    if settings.inverse:
        b = 1.0 - b
    return b


def brightness_lut(settings: DisplaySettings, full_scale: int, *, rendered: bool = False) -> np.ndarray:
    """uint8 brightness for every uint16 value of a channel whose full transmission is ``full_scale``."""
    return _brightness_lut(_tone_key(settings), full_scale, rendered)


def channel_lut(settings: DisplaySettings) -> np.ndarray:
    """256-entry uint8 table for the channels of an 8-bit RGB rendering."""
    return _brightness_lut(_tone_key(settings), 255, True)[:256]


def _tone_key(settings: DisplaySettings) -> DisplaySettings:
    """Only the fields that shape the tone curve, so other toggles reuse the cached table."""
    return DisplaySettings(
        window_low=settings.window_low,
        window_high=settings.window_high,
        gamma=settings.gamma,
        inverse=settings.inverse,
        log_filter=settings.log_filter,
    )


@lru_cache(maxsize=32)
def _brightness_lut(settings: DisplaySettings, full_scale: int, rendered: bool) -> np.ndarray:
    values = np.arange(65536, dtype=np.float64)
    t = values / full_scale
    floor = 0.5 / full_scale  # half a count: zero counts stay finite in the log view
    b = tone_curve(t, settings, rendered=rendered, floor=floor)
    lut = np.round(b * 255.0).astype(np.uint8)
    lut.flags.writeable = False
    return lut


@lru_cache(maxsize=4)
def palette(mode: str) -> np.ndarray:
    """(256, 3) uint8 RGB: what each brightness level looks like in a single-energy mode."""
    ramp = np.arange(256, dtype=np.uint8)
    if mode == "grey":
        table = np.repeat(ramp[:, None], 3, axis=1)
    else:
        bgr = cv2.applyColorMap(ramp[:, None], SINGLE_ENERGY_COLOUR_MAP)[:, 0, :]
        table = bgr[:, ::-1]
    table = np.ascontiguousarray(table)
    table.flags.writeable = False
    return table
