"""Ctrl+Shift+R: pick a canned reply by typing part of its title, Enter inserts it."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_helpdesk.domain.templates import TemplateError, render_template
from desktop_helpdesk.services.canned_replies import CannedReply
from desktop_helpdesk.ui.form_fields import dialog_buttons, named

CANNED_REPLY_KEYS = "Ctrl+Shift+R"


class CannedReplyPicker(QDialog):
    """The team's and the member's canned replies, filtered as the member types; the chosen
    one's text (placeholders filled for the case) is previewed below the list.

    Signals:
        chosen(object): the ``CannedReply`` picked (Enter, double-click or Insert).

    Args:
        replies: the replies offered.
        values: the case's placeholder values (for the preview).
        parent: the widget the picker belongs to.
        manage: opens the canned-reply editor (no Manage… button when None).
    """

    chosen = Signal(object)

    def __init__(self, replies: list[CannedReply], values: Mapping[str, str], parent: QWidget,
                 manage: Callable[[], None] | None = None) -> None:
        super().__init__(parent)
        named(self, "cannedReplyPicker")
        self.setWindowTitle("Insert a canned reply")
        self.resize(560, 460)
        self._replies = list(replies)
        self._values = dict(values)
        self.filter_field = QLineEdit(self)
        self.filter_field.setObjectName("cannedFilterField")
        self.filter_field.setPlaceholderText("Type part of a title, then Enter")
        self.filter_field.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setObjectName("cannedList")
        self.preview = QPlainTextEdit(self)
        self.preview.setObjectName("cannedPreview")
        self.preview.setReadOnly(True)
        where = "with Manage…" if manage is not None else "in Administration → Canned replies"
        self.empty_note = QLabel(f"No canned replies yet. Save common answers {where}: your own, or the "
                                 "team's (supervisors and admins).", self)
        self.empty_note.setObjectName("cannedEmptyNote")
        self.empty_note.setWordWrap(True)
        self.empty_note.setVisible(not self._replies)
        self.buttons = dialog_buttons(self, QDialogButtonBox.StandardButton.Cancel,
                                      on_accepted=self._on_buttons_accepted)
        self.insert_button = self.buttons.addButton("Insert", QDialogButtonBox.ButtonRole.AcceptRole)
        self.insert_button.setObjectName("cannedInsertButton")
        if manage is not None:
            manage_button = self.buttons.addButton("Manage…", QDialogButtonBox.ButtonRole.ActionRole)
            manage_button.setObjectName("cannedManageButton")
            manage_button.setAutoDefault(False)
            manage_button.clicked.connect(lambda: (self.reject(), manage()))
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter_field)
        layout.addWidget(self.empty_note)
        layout.addWidget(self.list, 2)
        layout.addWidget(QLabel("As it will read for this case:", self))
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.buttons)
        self.filter_field.textChanged.connect(self._on_filter_field_text_changed)
        self.list.currentItemChanged.connect(self._on_list_current_item_changed)
        self.list.itemActivated.connect(lambda _item: self._on_buttons_accepted())
        # Arrow keys move through the list while the typing stays in the filter field.
        for keys, step in (("Down", 1), ("Up", -1)):
            shortcut = QShortcut(QKeySequence(keys), self.filter_field)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(lambda step=step: self._move(step))
        self._fill("")
        self.filter_field.setFocus()

    def _fill(self, typed: str) -> None:
        self.list.clear()
        words = typed.lower().split()
        for reply in self._replies:
            haystack = f"{reply.title} {reply.body}".lower()
            if all(word in haystack for word in words):
                item = QListWidgetItem(f"{reply.title}{'' if reply.shared else '  (mine)'}", self.list)
                item.setData(Qt.ItemDataRole.UserRole, reply)
        if self.list.count():
            self.list.setCurrentRow(0)
        else:
            self.preview.clear()
        self.insert_button.setEnabled(self.list.count() > 0)

    def _move(self, step: int) -> None:
        if self.list.count():
            self.list.setCurrentRow(max(0, min(self.list.count() - 1, self.list.currentRow() + step)))

    def current_reply(self) -> CannedReply | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _on_filter_field_text_changed(self, text: str) -> None:
        self._fill(text)

    def _on_list_current_item_changed(self, current, _previous) -> None:
        reply = current.data(Qt.ItemDataRole.UserRole) if current is not None else None
        if reply is None:
            self.preview.clear()
            return
        try:
            self.preview.setPlainText(render_template(reply.body, self._values))
        except TemplateError as exc:
            self.preview.setPlainText(str(exc))

    def _on_buttons_accepted(self) -> None:
        reply = self.current_reply()
        if reply is None:
            return
        self.accept()
        self.chosen.emit(reply)
