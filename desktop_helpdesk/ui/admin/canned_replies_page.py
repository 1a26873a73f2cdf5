"""Administration page "Canned replies": the team's answers (supervisors and admins) and each member's own."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QFormLayout, QHBoxLayout, QPlainTextEdit, QWidget

from desktop_helpdesk.domain.templates import PLACEHOLDERS
from desktop_helpdesk.services.canned_replies import CannedReply
from desktop_helpdesk.ui.admin import forms, pages
from desktop_helpdesk.ui.admin.models import canned_reply_model
from desktop_helpdesk.ui.context import UiContext


class CannedRepliesPage(pages.TablePage):
    """The team's canned replies and the member's own in a table; one form writes a new one or
    changes the selected one; retire hides it from the picker (Ctrl+Shift+R).

    Takes ``ui``, ``commands`` and ``parent`` as ``AdminPage`` does.
    """

    def __init__(self, ui: UiContext, commands: pages.PageCommands, parent: QWidget | None = None) -> None:
        super().__init__(ui, commands, parent, page_name="cannedRepliesPage", model_factory=canned_reply_model,
                         table_name="cannedRepliesTable")
        self._may_manage_team = False
        box = forms.group("Canned reply", self, "cannedReplyForm")
        self.title_field = forms.line_edit(box, "cannedTitleField", "e.g. Clear the browser cache")
        self.body_field = QPlainTextEdit(box)
        self.body_field.setObjectName("cannedBodyField")
        self.body_field.setPlaceholderText("Hi {contact_first_name}, …")
        self.shared_box = QCheckBox("For the whole team (supervisors and admins)", box)
        self.shared_box.setObjectName("cannedSharedBox")
        self.add_button = forms.push_button("Add as new", box, "addCannedReplyButton", accent=True)
        self.add_button.clicked.connect(self.add_reply)
        self.save_button = forms.push_button("Save changes", box, "saveCannedReplyButton")
        self.save_button.clicked.connect(self.save_selected)
        self.retire_button = forms.push_button("Retire", box, "retireCannedReplyButton")
        self.retire_button.clicked.connect(self.toggle_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.retire_button)
        buttons.addStretch(1)
        # The buttons come before the text, which takes the rest: on a laptop the tall
        # Administration pages scroll, and the buttons must stay in view.
        form = QFormLayout(box)
        form.addRow("&Title", self.title_field)
        form.addRow("", self.shared_box)
        form.addRow("", buttons)
        form.addRow("&Text", self.body_field)

        forms.side_by_side(self, [(self.table, 1)], [
            (box, 1),
            forms.hint("Agents insert these with Ctrl+Shift+R in the reply composer (Ctrl+R on a case) or in a note. "
                 "Placeholders are filled for the case: " + ", ".join("{" + name + "}" for name in PLACEHOLDERS)
                 + ". Your own replies are seen only by you.", self),
        ], widths=(2, 3))
        self._show_selected(None)

    def set_replies(self, replies: list[CannedReply], may_manage_team: bool) -> None:
        self._may_manage_team = may_manage_team
        self.shared_box.setEnabled(may_manage_team)
        self.set_rows(replies)

    selected_reply = pages.TablePage.selected_row
    select_reply = pages.TablePage.select_row

    def _show_selected(self, reply: CannedReply | None) -> None:
        changeable = reply is not None and (not reply.shared or self._may_manage_team)
        self.save_button.setEnabled(changeable)
        self.retire_button.setEnabled(changeable)
        self.retire_button.setText("Offer again" if reply is not None and not reply.active else "Retire")
        if reply is not None:
            self.title_field.setText(reply.title)
            self.body_field.setPlainText(reply.body)
            self.shared_box.setChecked(reply.shared)

    def add_reply(self) -> None:
        ui = self._ui
        title, body, shared = self.title_field.text(), self.body_field.toPlainText(), self.shared_box.isChecked()
        self._command(
            lambda r: f"Canned reply \u201c{r.title}\u201d added{' for the team' if r.shared else ''}.",
            lambda: ui.services.canned_replies.add(ui.member_id, title, body, shared=shared),
            {"title": self.title_field, "body": self.body_field},
            then=self.select_when_listed,
        )

    def save_selected(self) -> None:
        ui, title, body = self._ui, self.title_field.text(), self.body_field.toPlainText()
        self._command_on_selected(
            lambda _old, saved: f"Canned reply \u201c{saved.title}\u201d saved.",
            lambda reply: ui.services.canned_replies.update(ui.member_id, reply.id, title=title, body=body),
            {"title": self.title_field, "body": self.body_field},
        )

    def toggle_selected(self) -> None:
        ui = self._ui
        self._command_on_selected(
            lambda _old, r: f"\u201c{r.title}\u201d is {'offered again' if r.active else 'retired'}.",
            lambda reply: ui.services.canned_replies.update(ui.member_id, reply.id, active=not reply.active),
        )
