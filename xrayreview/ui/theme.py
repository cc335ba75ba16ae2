"""A dark theme for a dim screening room: Fusion style with a low-glare palette."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

_COLOURS = {
    QPalette.ColorRole.Window: (37, 38, 41),
    QPalette.ColorRole.WindowText: (208, 208, 208),
    QPalette.ColorRole.Base: (26, 27, 29),
    QPalette.ColorRole.AlternateBase: (44, 45, 48),
    QPalette.ColorRole.ToolTipBase: (50, 50, 54),
    QPalette.ColorRole.ToolTipText: (220, 220, 220),
    QPalette.ColorRole.Text: (208, 208, 208),
    QPalette.ColorRole.Button: (48, 49, 53),
    QPalette.ColorRole.ButtonText: (208, 208, 208),
    QPalette.ColorRole.BrightText: (255, 90, 90),
    QPalette.ColorRole.Link: (110, 160, 230),
    QPalette.ColorRole.Highlight: (196, 122, 38),  # amber: visible without being bright
    QPalette.ColorRole.HighlightedText: (20, 20, 20),
    QPalette.ColorRole.PlaceholderText: (120, 120, 120),
}
_DISABLED = (110, 110, 110)


def apply_dark_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    palette = QPalette()
    for role, rgb in _COLOURS.items():
        palette.setColor(role, QColor(*rgb))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(*_DISABLED))
    app.setPalette(palette)
    app.setStyleSheet("QToolBar { spacing: 2px; } QToolButton:checked { background: #6b4a1e; }")
