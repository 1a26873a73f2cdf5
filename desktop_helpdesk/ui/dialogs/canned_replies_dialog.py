"""Canned replies for every member (agents have no Administration): their own, and the team's for supervisors."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop_helpdesk.services.permissions import Actions, acting_member, may
from desktop_helpdesk.ui.admin.canned_replies_page import CannedRepliesPage
from desktop_helpdesk.ui.admin.pages import PagesDialog
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.workers import WorkerPool


def _load(services, member_id: int) -> tuple[list, bool]:
    member = acting_member(member_id)
    replies = services.canned_replies.list_for(member_id, include_inactive=True)
    return replies, may(member.role, Actions.MANAGE_TEAM_CANNED_REPLIES)


class CannedRepliesDialog(PagesDialog):
    """The Canned replies page of Administration in a dialog of its own ("Manage…" in the
    Ctrl+Shift+R picker), so agents keep their own answers too. Its commands run as
    Administration's do (``commands``).

    Signals:
        loaded(): the list was (re)read.

    Args:
        ui: services and the signed-in member.
        pool: the window's worker pool (the list is read and saved there).
        parent: the widget it opens over.
    """

    def __init__(self, ui: UiContext, pool: WorkerPool, parent: QWidget) -> None:
        super().__init__(pool, parent, name="cannedRepliesDialog", title="Canned replies")
        self.resize(980, 560)
        self._ui = ui
        self.page = CannedRepliesPage(ui, self.commands, self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.page, 1)
        layout.addWidget(self.close_button_box())
        self.reload()

    def reload(self) -> None:
        self._pool.submit(_load, self._ui.services, self._ui.member_id,
                          on_finished=self._on_list_loaded,
                          on_failed=lambda error: self.message.show_text(
                              f"Could not read the canned replies: {error}", error=True),
                          owner=self)

    def _on_list_loaded(self, loaded: tuple[list, bool]) -> None:
        if self._closed:
            return
        replies, may_manage_team = loaded
        self.page.set_replies(replies, may_manage_team)
        self.loaded.emit()
