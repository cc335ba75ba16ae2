"""The one place the UI reaches into the imaging layer for pixels, settings and tools.

The viewer, loupe and overview ask for a region of the scan at a given output size; all the
maths (window/level, colour, filters, measuring) lives in ``xrayreview.imaging.display``.
"""

from __future__ import annotations

from ..imaging.display import (
    DEFAULT,
    TOOLS,
    DisplaySettings,
    Measurement,
    PixelInfo,
    Renderer,
    applicable_tools,
    apply_tool,
    measure,
    with_level_width,
)

__all__ = ["DEFAULT", "TOOLS", "DisplaySettings", "Measurement", "PixelInfo", "Renderer", "applicable_tools",
           "apply_tool", "measure", "with_level_width"]
