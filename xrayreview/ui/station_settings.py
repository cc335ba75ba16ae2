"""Where the station remembers window geometry and dock layout between runs."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from ..paths import data_dir


def station_settings() -> QSettings:
    """An ini file in the station's data folder, so tests (XRAYREVIEW_DATA) never touch the user's."""
    return QSettings(str(data_dir() / "station.ini"), QSettings.Format.IniFormat)
