"""Start-up dialog of a team without passwords yet: who is at the desk (they then set one)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from desktop_helpdesk.domain.cases import MemberRole
from desktop_helpdesk.services.dto import MemberSummary
from desktop_helpdesk.ui.form_fields import dialog_buttons, named


class MemberPickerDialog(QDialog):
    """Pick the signed-in team member; the last choice is preselected. Enter confirms."""

    def __init__(
        self,
        members: Sequence[MemberSummary],
        last_member_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        named(self, "memberPickerDialog")
        self.setWindowTitle("Who is at the desk?")
        self.setMinimumSize(380, 420)
        intro = QLabel("Choose your name. The choice is remembered on this workstation.", self)
        intro.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setObjectName("memberList")
        for member in members:
            try:
                role = MemberRole(member.role).label
            except ValueError:
                role = member.role
            item = QListWidgetItem(f"{member.display_name}   ·   {role}")
            item.setData(Qt.ItemDataRole.UserRole, member.id)
            self.list.addItem(item)
            if member.id == last_member_id:
                self.list.setCurrentItem(item)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _item: self.accept())
        buttons = dialog_buttons(self, ok_text="Sign in")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)

    def chosen_member_id(self) -> int | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None
