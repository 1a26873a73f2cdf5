"""Window geometry, splitter and column layout kept between runs in an injected QSettings."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings


class UiState:
    """Only UI state lives here (never team data, which is in the database).

    Args:
        settings: where to keep it (an INI file in the user's data folder; a temp file in tests).
    """

    _KEYS = ("mainWindow/geometry", "mainWindow/splitter", "mainWindow/caseHeader")

    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    def save(self, window) -> None:
        """Remember the window's size, panel split and column widths."""
        self._settings.setValue(self._KEYS[0], window.saveGeometry())
        self._settings.setValue(self._KEYS[1], window.splitter.saveState())
        self._settings.setValue(self._KEYS[2], window.table.horizontalHeader().saveState())
        self._settings.sync()

    def restore(self, window) -> bool:
        """Apply what was saved; False when nothing was (first start)."""
        geometry, splitter, header = (self._settings.value(key) for key in self._KEYS)
        if not isinstance(geometry, QByteArray):
            return False
        window.restoreGeometry(geometry)
        if isinstance(splitter, QByteArray):
            window.splitter.restoreState(splitter)
            density = getattr(window, "density", None)
            if density is not None:
                density.keep_splitter(splitter)
        if isinstance(header, QByteArray):
            window.table.horizontalHeader().restoreState(header)
            fitter = getattr(window, "column_fitter", None)
            if fitter is not None:
                fitter.keep_current_widths()
        return True
