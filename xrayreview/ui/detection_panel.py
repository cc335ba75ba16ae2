"""The detector's panel: model and progress, confidence slider, hide switch, list of marks."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from ..detection import Detection
from .detection_overlay import colour_for

SLIDER_STEPS = 100  # confidence in hundredths
# Letters the image tools and the decision panel leave free.
HIDE_KEY = "V"
RUN_KEY = "Shift+D"


class DetectionPanel(QWidget):
    """Controls only: it says what the officer asked for and shows what it is given."""

    threshold_changed = Signal(float)
    marks_hidden = Signal(bool)
    auto_run_changed = Signal(bool)
    run_requested = Signal()
    stop_requested = Signal()
    detection_chosen = Signal(object)  # Detection

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = QLabel("No detector model")
        self.status.setWordWrap(True)
        # What the model is known to do, kept in view: marks are read differently from a model
        # that finds six threats in ten than from one that finds ninety-five.
        self.known_performance = QLabel()
        self.known_performance.setWordWrap(True)
        self.known_performance.setVisible(False)
        font = self.known_performance.font()
        if font.pointSizeF() > 0:  # -1 where the font is sized in pixels
            font.setPointSizeF(font.pointSizeF() * 0.9)
            self.known_performance.setFont(font)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.progress.setTextVisible(True)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(1, SLIDER_STEPS - 1)
        self.slider.setValue(25)
        self.slider.setToolTip("Show marks at or above this confidence (no re-run needed)")
        self.slider_value = QLabel()
        self.hide_box = QCheckBox("Hide marks")
        self.hide_box.setToolTip("Look at the scan without the detector's marks")
        self.auto_box = QCheckBox("Detect when a scan opens")
        self.auto_box.setChecked(True)
        self.run_button = QPushButton("Detect now")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop the detector on this scan (its marks so far are dropped)")
        self.stop_button.setVisible(False)
        self.list = QListWidget()
        self.list.setToolTip("Click a mark to centre and zoom on it")
        self.detections: list[Detection] = []
        # The same switches as actions, so the keyboard works wherever the focus is in the window.
        self.hide_action = QAction("Hide detector marks", self)
        self.hide_action.setCheckable(True)
        self.hide_action.setShortcut(QKeySequence(HIDE_KEY))
        self.hide_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.hide_action.toggled.connect(self.hide_box.setChecked)
        self.hide_box.toggled.connect(self.hide_action.setChecked)
        self.hide_box.setText(f"Hide marks ({HIDE_KEY})")
        self.run_action = QAction("Run the detector on this scan", self)
        self.run_action.setShortcut(QKeySequence(RUN_KEY))
        self.run_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.run_action.triggered.connect(self.run_requested)
        self.run_button.setText(f"Detect now ({RUN_KEY})")
        self.addActions([self.hide_action, self.run_action])

        row = QHBoxLayout()
        row.addWidget(QLabel("Confidence"))
        row.addWidget(self.slider, 1)
        row.addWidget(self.slider_value)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.known_performance)
        layout.addWidget(self.progress)
        layout.addLayout(row)
        layout.addWidget(self.hide_box)
        layout.addWidget(self.auto_box)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button, 1)
        buttons.addWidget(self.stop_button)
        layout.addLayout(buttons)
        layout.addWidget(self.list, 1)

        self.slider.valueChanged.connect(self._slider_moved)
        self.hide_box.toggled.connect(self.marks_hidden)
        self.auto_box.toggled.connect(self.auto_run_changed)
        self.run_button.clicked.connect(self.run_requested)
        self.stop_button.clicked.connect(self.stop_requested)
        self.list.itemClicked.connect(self._chosen)
        self.list.itemActivated.connect(self._chosen)
        self._slider_moved(self.slider.value())

    @property
    def threshold(self) -> float:
        return self.slider.value() / SLIDER_STEPS

    def set_threshold(self, threshold: float) -> None:
        self.slider.setValue(round(min(max(threshold, 0.01), 0.99) * SLIDER_STEPS))

    def set_status(self, text: str) -> None:
        self.status.setText(text)

    def set_known_performance(self, text: str) -> None:
        """The model's measured performance as its makers state it; empty text hides the line."""
        self.known_performance.setText(text)
        self.known_performance.setVisible(bool(text))

    def set_running(self, running: bool) -> None:
        self.stop_button.setVisible(running)
        if not running:
            self.progress.setVisible(False)

    def set_progress(self, done: int, total: int) -> None:
        self.progress.setVisible(done < total)
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"tile {done} of {total}")

    def set_detections(self, detections: list[Detection]) -> None:
        self.detections = sorted(detections, key=lambda d: -d.score)
        self.set_running(False)
        self._fill()

    def clear(self) -> None:
        self.detections = []
        self.list.clear()

    def _slider_moved(self, value: int) -> None:
        self.slider_value.setText(f"{value / SLIDER_STEPS:.2f}")
        self._fill()
        self.threshold_changed.emit(value / SLIDER_STEPS)

    def _fill(self) -> None:
        self.list.clear()
        threshold = self.threshold
        for detection in self.detections:
            if detection.score < threshold:
                continue
            item = QListWidgetItem(f"{detection.label}  {detection.score:.2f}  "
                                   f"({detection.category.replace('_', ' ')})")
            item.setData(Qt.ItemDataRole.UserRole, detection)
            item.setIcon(_swatch(colour_for(detection.category)))
            self.list.addItem(item)

    def _chosen(self, item: QListWidgetItem) -> None:
        self.detection_chosen.emit(item.data(Qt.ItemDataRole.UserRole))


def _swatch(colour: QColor) -> QIcon:
    """A small square of the mark's colour: readable on light and dark themes alike."""
    pixmap = QPixmap(12, 12)
    pixmap.fill(colour)
    return QIcon(pixmap)
