"""Dual-energy colour as a 2-D lookup: (attenuation, material position) → material colour.

Each pixel of a dual-energy scan is reduced once to a 16-bit code: the high byte quantises the
high-energy attenuation (it sets how saturated the colour is), the low byte quantises the
material position 0 (organic) … 2 (metal) computed from the low/high attenuation ratio exactly
as ``material.py`` does. Brightness is not in the code: it comes from the high channel through
the tone table at full precision, so window/level never bands. A strip toggle only swaps the
65,536-entry colour table.

Why not quantise the two channels directly: at 6/4 MeV the organic and metal ratios differ by
about 3 %, finer than 8 bits per channel can resolve, while the ratio byte here resolves the
class position in 255 steps whatever the energies.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..scan.model import Scan
from .colours import SATURATION_ATTENUATION, class_colour
from .material import LOW_STARVED_ATTENUATION, MAX_ATTENUATION, MIN_ATTENUATION, MaterialScale

# Fixed-point scale of ln(attenuation): ratios become integer subtractions of table values.
LOG_SCALE = 2048.0
# Attenuation of air pixels is clamped here so its logarithm stays finite.
ATTENUATION_EPS = 1e-4
# The attenuation byte: 0..254 on a square-root scale up to MAX_ATTENUATION (fine steps where
# thin goods are), 255 = impenetrable.
ATTENUATION_LEVELS = 254
IMPENETRABLE_CODE = 255
# Faded (stripped) pixels keep this share of their darkness, so shapes stay faintly visible.
STRIP_FADE = 0.18

CLASS_NONE, CLASS_ORGANIC, CLASS_MIXED, CLASS_METAL, CLASS_IMPENETRABLE = range(5)


def _attenuation(values: np.ndarray, full_scale: int) -> np.ndarray:
    t = np.minimum(values / full_scale, 1.0)
    return -np.log(np.maximum(t, 0.5 / full_scale))


def _attenuation_code(a: np.ndarray) -> np.ndarray:
    code = np.round(np.sqrt(np.clip(a, 0.0, MAX_ATTENUATION) / MAX_ATTENUATION) * ATTENUATION_LEVELS)
    return np.where(a > MAX_ATTENUATION, IMPENETRABLE_CODE, code).astype(np.uint16)


def _code_attenuation(code: np.ndarray) -> np.ndarray:
    """Attenuation at the centre of each attenuation byte value (inverse of _attenuation_code)."""
    return (code / ATTENUATION_LEVELS) ** 2 * MAX_ATTENUATION


class MaterialCoder:
    """Tables that turn (high, low) uint16 pairs into the 16-bit colour code.

    They depend only on the full scale and the energies, so scans from one scanner share them
    (``for_scan``); TIP and training render thousands of small scans.
    """

    @classmethod
    def for_scan(cls, scan: Scan) -> MaterialCoder:
        return _coder(scan.full_scale, MaterialScale.for_scan(scan))

    def __init__(self, full_scale: int, scale: MaterialScale) -> None:
        values = np.arange(65536, dtype=np.float64)
        a = _attenuation(values, full_scale)
        # High byte of the code, already shifted, and ln(attenuation) in fixed point.
        self.high_code = (_attenuation_code(a) << 8).astype(np.uint16)
        self.log_attenuation = np.round(np.log(np.maximum(a, ATTENUATION_EPS)) * LOG_SCALE).astype(np.int16)
        # Position byte for every int16 log-ratio (indexed through its uint16 bit pattern).
        log_ratio = np.arange(65536, dtype=np.uint16).view(np.int16).astype(np.float64) / LOG_SCALE
        position = scale.position(np.exp(log_ratio))
        self.position_code = np.round(position.astype(np.float64) * 127.5).astype(np.uint8)
        # OR-ed into the code: a starved low channel forces the metal end (see material.py).
        starved = scale.rises_with_z & (a > LOW_STARVED_ATTENUATION)
        self.starved_bits = np.where(starved, 0xFF, 0).astype(np.uint16)

    def encode(self, high: np.ndarray, low: np.ndarray) -> np.ndarray:
        """uint16 code image for uint16 high/low arrays of one shape."""
        log_ratio = np.take(self.log_attenuation, low) - np.take(self.log_attenuation, high)
        code = np.take(self.high_code, high) | np.take(self.position_code, log_ratio.view(np.uint16))
        return code | np.take(self.starved_bits, low)


@lru_cache(maxsize=8)
def _coder(full_scale: int, scale: MaterialScale) -> MaterialCoder:
    return MaterialCoder(full_scale, scale)


def code_classes() -> np.ndarray:
    """Material class (CLASS_*) of every 16-bit code; uint8 (65536,)."""
    return _code_classes()


@lru_cache(maxsize=1)
def _code_classes() -> np.ndarray:
    codes = np.arange(65536, dtype=np.uint32)
    a_code, p_code = codes >> 8, codes & 0xFF
    a = _code_attenuation(a_code.astype(np.float64))
    position = p_code / 127.5
    classes = np.where(position < 0.5, CLASS_ORGANIC, np.where(position < 1.5, CLASS_MIXED, CLASS_METAL))
    classes = np.where(a < MIN_ATTENUATION, CLASS_NONE, classes)
    classes = np.where(a_code == IMPENETRABLE_CODE, CLASS_IMPENETRABLE, classes).astype(np.uint8)
    classes.flags.writeable = False
    return classes


@lru_cache(maxsize=8)
def colour_table(mode: str, strip: str | None) -> np.ndarray:
    """(65536,) uint32 packed R, G, B, offset bytes (little-endian) for every code.

    A pixel is shown as colour · brightness / 255 + offset. The colour is the standard
    rendering's chroma at full brightness ("pseudo") or white ("grey"). Codes of a class the
    strip setting fades keep only STRIP_FADE of their colour and get the rest back as a
    constant offset, which fades them towards white in the same two operations.
    """
    codes = np.arange(65536, dtype=np.uint32)
    if mode == "pseudo":
        a = _code_attenuation((codes >> 8).astype(np.float64))
        position = ((codes & 0xFF) / 127.5).astype(np.float32)
        saturation = np.clip(a / SATURATION_ATTENUATION, 0.0, 1.0)[:, None]
        # Impenetrable codes (attenuation byte 255, i.e. the last 256): the position byte is noise
        # or a starved low channel, no material. Black in the normal view either way, but
        # inverse painted them orange or blue.
        saturation[IMPENETRABLE_CODE << 8 :] = 0.0
        colour = 1.0 - saturation * (1.0 - class_colour(position))
    else:
        colour = np.ones((65536, 3))
    classes = _code_classes()
    if strip == "organic":
        faded = (classes == CLASS_MIXED) | (classes == CLASS_METAL)
    elif strip == "inorganic":
        faded = classes == CLASS_ORGANIC
    else:
        faded = np.zeros(65536, dtype=bool)
    colour = np.where(faded[:, None], colour * STRIP_FADE, colour)
    rgb = np.round(colour * 255.0).astype(np.uint32)
    offset = np.where(faded, round(255.0 * (1.0 - STRIP_FADE)), 0).astype(np.uint32)
    packed = (rgb[:, 0] | (rgb[:, 1] << 8) | (rgb[:, 2] << 16) | (offset << 24)).astype(np.uint32)
    packed.flags.writeable = False
    return packed
