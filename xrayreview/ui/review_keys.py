"""The decision panel's keys: one window-wide shortcut per review action and per reason code."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from ..decisions import REASONS

# Single letters the image tools use (P, G, I, C, R, F, M, 1 …) stay theirs; the review's keys
# are the free letters, Shift+letter for the three decisions and F1–F7 for the reasons.
KEYS = {
    "clear": "Shift+C", "refer": "Shift+R", "rescan": "Shift+U",
    "next_mark": "T", "confirm": "Y", "dismiss": "X",
    "draw": "B", "own_category": "K", "remove_own": "Backspace", "note": "W",
    "correct_last": "Shift+Z",
}
REASON_KEYS = {code: f"F{i + 1}" for i, code in enumerate(REASONS)}


def review_actions(owner: QWidget, slots: dict[str, Callable[[], None]],
                   toggle_reason: Callable[[str], None]) -> dict[str, QAction]:
    """An action per named slot (``KEYS``) and per reason (``REASON_KEYS``), added to ``owner``."""
    actions = {name: _action(owner, name, KEYS[name], slot) for name, slot in slots.items()}
    for code, key in REASON_KEYS.items():
        actions[f"reason:{code}"] = _action(owner, f"reason {code}", key,
                                            lambda _checked=False, c=code: toggle_reason(c))
    return actions


def _action(owner: QWidget, name: str, key: str, slot: Callable[..., None]) -> QAction:
    action = QAction(name, owner)
    action.setShortcut(QKeySequence(key))
    # The whole window: the officer's focus is on the scan, not on this panel.
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.triggered.connect(slot)
    owner.addAction(action)
    return action
