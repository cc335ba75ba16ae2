"""Nothing outside the UI layer imports Qt: the core must run headless and be testable without it."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "xrayreview"
QT_ROOTS = {"PySide6", "PyQt5", "PyQt6", "shiboken6", "pytestqt", "pyqtgraph", "qtpy"}
ALLOWED = {PACKAGE / "ui", PACKAGE / "app.py"}


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def _in_ui_layer(path: Path) -> bool:
    return any(path == allowed or allowed in path.parents for allowed in ALLOWED)


def test_no_qt_outside_ui_layer():
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(_imported_roots(path) & QT_ROOTS)
        for path in PACKAGE.rglob("*.py")
        if not _in_ui_layer(path) and _imported_roots(path) & QT_ROOTS
    }
    assert offenders == {}


def test_the_check_sees_qt_imports(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("from PySide6.QtCore import Qt\nimport numpy\n")
    assert "PySide6" in _imported_roots(sample)
