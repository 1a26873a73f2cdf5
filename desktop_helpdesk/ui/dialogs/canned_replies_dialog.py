"""Canned replies for every member (agents have no Administration): their own, and the team's for supervisors."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from desktop_helpdesk.services.permissions import Actions, acting_member, may
from desktop_helpdesk.ui.admin.canned_replies_page import CannedRepliesPage
from desktop_helpdesk.ui.admin.forms import run_reported
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.form_fields import dialog_buttons
from desktop_helpdesk.ui.widgets.message_bar import MessageBar
from desktop_helpdesk.ui.workers import WorkerPool

log = logging.getLogger(__name__)


def _load(services, member_id: int) -> tuple[list, bool]:
    member = acting_member(member_id)
    replies = services.canned_replies.list_for(member_id, include_inactive=True)
    return replies, may(member.role, Actions.MANAGE_TEAM_CANNED_REPLIES)


class CannedRepliesDialog(QDialog):
    """The Canned replies page of Administration in a dialog of its own ("Manage…" in the
    Ctrl+Shift+R picker), so agents keep their own answers too.

    Signals:
        loaded(): the list was (re)read.

    Args:
        ui: services and the signed-in member.
        pool: the window's worker pool (the list is read there).
        parent: the widget it opens over.
    """

    loaded = Signal()

    def __init__(self, ui: UiContext, pool: WorkerPool, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("cannedRepliesDialog")
        self.setAccessibleName("cannedRepliesDialog")
        self.setWindowTitle("Canned replies — Desktop Helpdesk")
        self.resize(980, 560)
        self._ui = ui
        self._pool = pool
        self._closed = False
        self.message = MessageBar(self, "cannedRepliesMessage")
        self.page = CannedRepliesPage(ui, self.run, self)
        buttons = dialog_buttons(self, QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.page, 1)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        self._pool.submit(_load, self._ui.services, self._ui.member_id,
                          on_finished=self._on_list_loaded,
                          on_failed=lambda error: self.message.show_text(
                              f"Could not read the canned replies: {error}", error=True))

    def _on_list_loaded(self, loaded: tuple[list, bool]) -> None:
        if self._closed:
            return
        replies, may_manage_team = loaded
        self.page.set_replies(replies, may_manage_team)
        self.loaded.emit()

    def run(self, done_text: str | Callable[[Any], str], command: Callable[[], Any],
            fields: Mapping[str, QWidget] | None = None) -> Any:
        """Run the page's command as Administration does: say what happened, or show the
        refusal and focus the field it names."""
        done, result = run_reported(self.message.show_text, done_text, command, fields)
        if done:
            self.reload()
        return result

    def message_text(self) -> str:
        return self.message.shown_text()

    def done(self, result: int) -> None:
        self._closed = True
        super().done(result)
