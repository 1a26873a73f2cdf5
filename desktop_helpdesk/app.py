"""Composition root (temporary minimal version until the main window lands)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setObjectName("mainWindow")
    window.setWindowTitle("Desktop Helpdesk")
    window.show()
    return app.exec()


def run() -> None:
    sys.exit(main(sys.argv[1:]))
