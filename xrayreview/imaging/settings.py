"""What the officer has asked the display to do, and the named tools that change it.

Settings are immutable values: the UI keeps one, hands it to the renderer, and replaces it
through ``apply_tool`` when a toolbar button or shortcut fires. All imaging decisions (what a
preset means, what toggles what) live here so the UI holds none.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

MODES = ("pseudo", "grey")
STRIPS = (None, "organic", "inorganic")


@dataclass(frozen=True)
class DisplaySettings:
    """One display state. Window bounds and the highlight band are transmission fractions 0..1."""

    mode: str = "pseudo"  # "pseudo": material colours (dual) / colour map (single) | "grey"
    window_low: float = 0.0
    window_high: float = 1.0
    gamma: float = 1.0  # "density": above 1 darker, below 1 lighter
    inverse: bool = False
    strip: str | None = None  # None | "organic" | "inorganic": the other classes fade to near-white
    edge: bool = False
    local_contrast: bool = False
    log_filter: bool = False  # brightness linear in attenuation (ln T) instead of transmission
    highlight: tuple[float, float] | None = None  # transmission band painted in HIGHLIGHT_COLOUR

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"display mode must be one of {MODES}, not {self.mode!r}")
        if self.strip not in STRIPS:
            raise ValueError(f"strip must be one of {STRIPS}, not {self.strip!r}")
        if not 0.0 <= self.window_low < self.window_high <= 1.0:
            raise ValueError("window must satisfy 0 <= low < high <= 1")
        if not 0.05 <= self.gamma <= 20.0:
            raise ValueError("gamma must be between 0.05 and 20")
        if self.highlight is not None:
            # A list from a form field would make the settings unhashable (tables are cached by them).
            object.__setattr__(self, "highlight", tuple(float(v) for v in self.highlight))
            lo, hi = self.highlight
            if not 0.0 <= lo <= hi <= 1.0:
                raise ValueError("highlight band must satisfy 0 <= low <= high <= 1")

    @property
    def needs_margin(self) -> bool:
        """Neighbourhood filters need pixels beyond the viewport to avoid border artefacts."""
        return self.edge or self.local_contrast


DEFAULT = DisplaySettings()
# Opens up dense areas: only the darkest fifth of transmission is spread over the grey range.
HIGH_PENETRATION = DisplaySettings(window_low=0.0, window_high=0.3, gamma=0.9)
# Shows thin organic detail: the near-air range is stretched and darkened.
LOW_PENETRATION = DisplaySettings(window_low=0.4, window_high=1.0, gamma=1.5)
# A band that catches thick organic goods and light metals in most baggage and cargo scans.
DEFAULT_HIGHLIGHT = (0.08, 0.25)

# Steps for the keyboard window/level and density tools.
LEVEL_STEP = 0.05
GAMMA_STEP = 1.15
MIN_WIDTH = 0.01


@dataclass(frozen=True)
class Tool:
    name: str
    label: str
    shortcut: str
    tip: str


# The tool vocabulary: the UI builds toolbar actions and shortcuts from this table.
TOOLS: tuple[Tool, ...] = (
    Tool("pseudo", "Colour", "P", "Material colours (dual energy) or a colour map (single energy)"),
    Tool("grey", "Grey", "G", "Grey scale"),
    Tool("inverse", "Inverse", "I", "Negative image"),
    Tool("high_penetration", "High penetration", "H", "Open up dense areas"),
    Tool("low_penetration", "Low penetration", "L", "Show thin organic detail"),
    Tool("organic_only", "Organic only", "O", "Fade everything but organic material (dual energy)"),
    Tool("inorganic_only", "Inorganic only", "N", "Fade organic material (dual energy)"),
    Tool("edge", "Edge enhance", "E", "Sharpen edges (unsharp mask)"),
    Tool("local_contrast", "Local contrast", "C", "Adaptive local contrast (CLAHE)"),
    Tool("log_filter", "Log", "Shift+L", "Brightness linear in attenuation"),
    Tool("highlight", "Density highlight", "D", "Mark pixels in a transmission band"),
    Tool("brighter", "Brighter", "]", "Move the window towards dense areas"),
    Tool("darker", "Darker", "[", "Move the window towards thin areas"),
    Tool("more_contrast", "More contrast", "}", "Narrow the window"),
    Tool("less_contrast", "Less contrast", "{", "Widen the window"),
    Tool("denser", "Denser", ".", "Raise gamma (darker mid-tones)"),
    Tool("lighter", "Lighter", ",", "Lower gamma (lighter mid-tones)"),
    Tool("reset", "Reset", "R", "Back to the standard view"),
)
TOOL_NAMES = frozenset(tool.name for tool in TOOLS)


def with_window(settings: DisplaySettings, low: float, high: float) -> DisplaySettings:
    """Window from two bounds, each clamped into 0..1, kept at least MIN_WIDTH wide (mouse drags)."""
    low, high = sorted((min(max(float(low), 0.0), 1.0), min(max(float(high), 0.0), 1.0)))
    if high - low < MIN_WIDTH:
        low = min(low, 1.0 - MIN_WIDTH)
        high = low + MIN_WIDTH
    return replace(settings, window_low=low, window_high=high)


def with_level_width(settings: DisplaySettings, level: float, width: float) -> DisplaySettings:
    """Window from its centre and width, the way radiology consoles drag it."""
    return with_window(settings, level - width / 2.0, level + width / 2.0)


def with_highlight(settings: DisplaySettings, band: tuple[float, float] | None) -> DisplaySettings:
    if band is None:
        return replace(settings, highlight=None)
    lo, hi = sorted(min(max(float(v), 0.0), 1.0) for v in band)
    return replace(settings, highlight=(lo, hi))


def _preset(settings: DisplaySettings, preset: DisplaySettings) -> DisplaySettings:
    """Apply a window/gamma preset; applying it again goes back to the standard window."""
    key = (preset.window_low, preset.window_high, preset.gamma)
    if (settings.window_low, settings.window_high, settings.gamma) == key:
        preset = DEFAULT
    return replace(settings, window_low=preset.window_low, window_high=preset.window_high, gamma=preset.gamma)


def _shift_window(settings: DisplaySettings, by: float) -> DisplaySettings:
    """Slide the window, keeping its width, stopping at either end."""
    width = settings.window_high - settings.window_low
    low = min(max(settings.window_low + by, 0.0), 1.0 - width)
    return replace(settings, window_low=low, window_high=min(low + width, 1.0))


def _scale_window(settings: DisplaySettings, factor: float) -> DisplaySettings:
    level = (settings.window_low + settings.window_high) / 2.0
    width = min((settings.window_high - settings.window_low) * factor, 1.0)
    return with_level_width(settings, level, width)


def _toggle_strip(settings: DisplaySettings, strip: str) -> DisplaySettings:
    return replace(settings, strip=None if settings.strip == strip else strip)


def apply_tool(settings: DisplaySettings, tool: str) -> DisplaySettings:
    """The settings after one press of a named tool (see TOOLS); unknown names raise ValueError."""
    if tool not in TOOL_NAMES:
        raise ValueError(f"unknown display tool {tool!r}")
    actions = {
        "pseudo": lambda s: replace(s, mode="pseudo"),
        "grey": lambda s: replace(s, mode="pseudo" if s.mode == "grey" else "grey"),
        "inverse": lambda s: replace(s, inverse=not s.inverse),
        "high_penetration": lambda s: _preset(s, HIGH_PENETRATION),
        "low_penetration": lambda s: _preset(s, LOW_PENETRATION),
        "organic_only": lambda s: _toggle_strip(s, "organic"),
        "inorganic_only": lambda s: _toggle_strip(s, "inorganic"),
        "edge": lambda s: replace(s, edge=not s.edge),
        "local_contrast": lambda s: replace(s, local_contrast=not s.local_contrast),
        "log_filter": lambda s: replace(s, log_filter=not s.log_filter),
        "highlight": lambda s: replace(s, highlight=None if s.highlight else DEFAULT_HIGHLIGHT),
        # Window tools move in transmission: "brighter" shows denser material, so the window
        # slides towards low transmission.
        "brighter": lambda s: _shift_window(s, -LEVEL_STEP),
        "darker": lambda s: _shift_window(s, LEVEL_STEP),
        "more_contrast": lambda s: _scale_window(s, 0.8),
        "less_contrast": lambda s: _scale_window(s, 1.25),
        "denser": lambda s: replace(s, gamma=min(s.gamma * GAMMA_STEP, 20.0)),
        "lighter": lambda s: replace(s, gamma=max(s.gamma / GAMMA_STEP, 0.05)),
        "reset": lambda s: DEFAULT,
    }
    return actions[tool](settings)
