"""F1: every keyboard shortcut of the window, read from its actions so the list never drifts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_helpdesk.ui.form_fields import dialog_buttons, named

# Keys that live in dialogs and fields rather than on the window's actions.
DIALOG_KEYS = (
    ("Log a call", "Enter", "In the caller field: pick the highlighted contact (or start a new one)"),
    ("Log a call", "Ctrl+Enter", "Log the case"),
    ("Case", "Ctrl+Shift+V", "Paste a screenshot as an attachment"),
    ("Reply", "Ctrl+Shift+R", "Insert a canned reply at the cursor"),
    ("Reply", "Ctrl+Enter", "Send the email (queued in the mail outbox)"),
    ("Lists", "Enter", "Open the selected case"),
    ("Dialogs", "Ctrl+Tab", "Next page (Administration)"),
    ("Dialogs", "Esc", "Close without saving"),
)


def _clean(text: str) -> str:
    return text.replace("&", "").rstrip("…").rstrip(".")


def window_shortcuts(window: QWidget) -> list[tuple[str, str, str]]:
    """(what, keys, help) for every action and shortcut of ``window`` that has keys, in key order."""
    rows: dict[tuple[str, str], str] = {}
    for action in window.findChildren(QAction):
        for keys in action.shortcuts():
            text = keys.toString(QKeySequence.SequenceFormat.NativeText)
            if text and _clean(action.text()):
                rows.setdefault((_clean(action.text()), text), action.toolTip() if action.toolTip() != action.text()
                                else "")
    for shortcut in window.findChildren(QShortcut):
        text = shortcut.key().toString(QKeySequence.SequenceFormat.NativeText)
        if text and shortcut.whatsThis():
            rows.setdefault((shortcut.whatsThis(), text), "")
    return sorted(((what, keys, tip) for (what, keys), tip in rows.items()), key=lambda row: (row[1], row[0]))


class ShortcutsDialog(QDialog):
    """A table of the window's shortcuts (from its actions) and the keys of its dialogs.

    Args:
        window: the main window whose actions are listed.
    """

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        named(self, "shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts — Desktop Helpdesk")
        rows = [(keys, what, tip) for what, keys, tip in window_shortcuts(window)]
        rows += [(keys, f"{where}: {what}", "") for where, keys, what in DIALOG_KEYS]
        self.table = QTableWidget(len(rows), 3, self)
        self.table.setObjectName("shortcutsTable")
        self.table.setHorizontalHeaderLabels(["Keys", "Command", "What it does"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        intro = QLabel("Everything on the desk can be done from the keyboard. F1 shows this list.", self)
        buttons = dialog_buttons(self, QDialogButtonBox.StandardButton.Close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(820, 560)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def rows(self) -> list[tuple[str, str]]:
        """(keys, command) of every row, for tests and screen readers."""
        return [(self.table.item(r, 0).text(), self.table.item(r, 1).text()) for r in range(self.table.rowCount())]
