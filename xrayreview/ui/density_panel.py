"""The "density" panel: window/level, gamma and the density-highlight band as sliders."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QSlider, QWidget

from .display_state import MIN_WINDOW, DisplayState
from .rendering import DisplaySettings

STEPS = 1000  # slider resolution for a 0..1 transmission range
GAMMA_RANGE = 3.0  # gamma from 1/3 to 3, on a log scale


class DensityPanel(QWidget):
    def __init__(self, state: DisplayState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.window_low = self._slider()
        self.window_high = self._slider()
        self.gamma = self._slider(-STEPS, STEPS)
        self.highlight_on = QCheckBox("Highlight band")
        self.highlight_low = self._slider()
        self.highlight_high = self._slider()
        self.readout = QLabel()
        layout = QFormLayout(self)
        layout.addRow("Window low", self.window_low)
        layout.addRow("Window high", self.window_high)
        layout.addRow("Gamma", self.gamma)
        layout.addRow(self.highlight_on)
        layout.addRow("Band from", self.highlight_low)
        layout.addRow("Band to", self.highlight_high)
        layout.addRow(self.readout)
        sliders = (self.window_low, self.window_high, self.gamma, self.highlight_low, self.highlight_high)
        for slider in sliders:
            slider.valueChanged.connect(self._changed)
        self.highlight_on.toggled.connect(self._toggle_highlight)
        state.changed.connect(self.show_settings)
        self.show_settings(state.settings)

    def _slider(self, low: int = 0, high: int = STEPS) -> QSlider:
        slider = QSlider(Qt.Orientation.Horizontal)
        slider.setRange(low, high)
        return slider

    def show_settings(self, settings: DisplaySettings) -> None:
        """Mirror the state without echoing it back."""
        widgets = (self.window_low, self.window_high, self.gamma, self.highlight_on,
                   self.highlight_low, self.highlight_high)
        for widget in widgets:
            widget.blockSignals(True)
        self.window_low.setValue(round(settings.window_low * STEPS))
        self.window_high.setValue(round(settings.window_high * STEPS))
        self.gamma.setValue(round(math.log(settings.gamma) / math.log(GAMMA_RANGE) * STEPS))
        band = settings.highlight
        self.highlight_on.setChecked(band is not None)
        if band is not None:
            self.highlight_low.setValue(round(band[0] * STEPS))
            self.highlight_high.setValue(round(band[1] * STEPS))
        for widget in widgets:
            widget.blockSignals(False)
        self.highlight_low.setEnabled(band is not None)
        self.highlight_high.setEnabled(band is not None)
        self.readout.setText(
            f"window {settings.window_low:.3f}–{settings.window_high:.3f}, gamma {settings.gamma:.2f}"
        )

    def _toggle_highlight(self, on: bool) -> None:
        if on != (self.state.settings.highlight is not None):
            self.state.apply("highlight")  # switching on starts from the imaging layer's usual band

    def _changed(self) -> None:
        low = self.window_low.value() / STEPS
        high = max(self.window_high.value() / STEPS, low + MIN_WINDOW)
        gamma = GAMMA_RANGE ** (self.gamma.value() / STEPS)
        band = None
        if self.highlight_on.isChecked():
            low_band = self.highlight_low.value() / STEPS
            band = (low_band, max(self.highlight_high.value() / STEPS, low_band))
        self.state.update(window_low=low, window_high=min(high, 1.0), gamma=gamma, highlight=band)
