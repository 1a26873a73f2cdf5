"""F1 lists the window's shortcuts, read from its actions (so new commands appear by themselves)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desktop_helpdesk.ui import admin
from tests.ui.conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


def test_f1_shows_every_command_with_its_keys(qtbot, window):
    admin.install(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    dialog = window.findChild(QDialog, "shortcutsDialog")
    assert dialog is not None and dialog.isVisible()
    rows = dict((command, keys) for keys, command in dialog.rows())
    expected = {
        "Log a call": "Ctrl+N",
        "Assign to me": "Ctrl+Shift+M",
        "Hand back": "Ctrl+Shift+H",
        "Merge into": "Ctrl+Shift+G",
        "Administration": "Ctrl+Shift+A",
        "Export list": "Ctrl+E",
        "Keyboard shortcuts": "F1",
        "My cases": "Ctrl+1",
        "Log a call: Log the case": "Ctrl+Enter",
    }
    for command, keys in expected.items():
        assert rows.get(command) == keys, command
    dialog.reject()
