"""Administration page "Team": list members, add one, edit a member, set availability."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QWidget

from desktop_helpdesk.domain.cases import Availability, MemberRole
from desktop_helpdesk.services.accounts import AccountService
from desktop_helpdesk.services.dto import MemberSummary, ReassignmentResult
from desktop_helpdesk.services.permissions import Actions, may
from desktop_helpdesk.ui.admin import forms, pages
from desktop_helpdesk.ui.admin.models import member_model
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.form_fields import combo_box


def _combo(parent: QWidget, object_name: str, choices) -> QComboBox:
    return combo_box(parent, object_name, ((choice.label, choice.value) for choice in choices))


def _select_data(combo: QComboBox, value: str) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


def describe_moves(name: str, moved: list[ReassignmentResult]) -> str:
    """"3 open cases of Alice handed on: 2 to Bob, 1 unassigned." (or nothing to move)."""
    if not moved:
        return f"{name} had no open cases to hand on."
    counts: dict[str, int] = {}
    for move in moved:
        target = move.assignee_name if move.assignee_id else "Unassigned"
        counts[target] = counts.get(target, 0) + 1
    parts = ", ".join(
        f"{n} {'unassigned' if who == 'Unassigned' else 'to ' + who}" for who, n in sorted(counts.items())
    )
    plural = "case" if len(moved) == 1 else "cases"
    return f"{len(moved)} open {plural} of {name} handed on: {parts}."


class TeamPage(pages.TablePage):
    """The team table with a form for the selected member and one for a new member.

    Takes ``ui``, ``commands`` and ``parent`` as ``AdminPage`` does.
    """

    def __init__(self, ui: UiContext, commands: pages.PageCommands, parent: QWidget | None = None) -> None:
        super().__init__(ui, commands, parent, page_name="teamPage", model_factory=member_model,
                         table_name="teamTable")
        self._members: list[MemberSummary] = []
        self.table.activated.connect(self._on_table_activated)

        # -- the selected member --
        edit_box = forms.group("Selected member", self, "memberForm")
        self.name_field = forms.line_edit(edit_box, "memberNameField")
        self.email_field = forms.line_edit(edit_box, "memberEmailField", "name@company.example")
        self.role_field = _combo(edit_box, "memberRoleField", MemberRole)
        self.takes_cases_field = QCheckBox("Auto-assignment may give them new cases", edit_box)
        self.takes_cases_field.setObjectName("memberTakesCasesField")
        self.active_field = QCheckBox("Account active", edit_box)
        self.active_field.setObjectName("memberActiveField")
        self.active_field.setToolTip(
            "Deactivating keeps the member and their history and hands their open cases on"
        )
        self.reason_field = forms.line_edit(edit_box, "memberReasonField", "Optional; kept in the audit log")
        self.save_button = forms.push_button("Save changes", edit_box, "saveMemberButton", accent=True)
        self.availability_field = _combo(edit_box, "availabilityField", Availability)
        self.redistribute_field = QCheckBox("Hand their open cases to available members", edit_box)
        self.redistribute_field.setObjectName("redistributeField")
        self.availability_button = forms.push_button("Set availability", edit_box, "setAvailabilityButton")
        self.availability_button.clicked.connect(self.set_availability)
        edit_form = forms.submit_form(edit_box, [
            ("&Display name", self.name_field), ("E&mail", self.email_field), ("&Role", self.role_field),
            ("", self.takes_cases_field), ("", self.active_field), ("Rea&son", self.reason_field),
        ], self.save_button, self.save_member)
        forms.add_buddy_row(edit_form, edit_box, "A&vailability", self.availability_field,
                            forms.row(edit_box, (self.availability_field, 1), self.availability_button))
        edit_form.addRow("", self.redistribute_field)
        # Passwords: admins only (the services refuse everyone else too).
        self.temporary_password_field = forms.line_edit(edit_box, "temporaryPasswordField",
                                                  "Temporary password (8+ characters)")
        self.temporary_password_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.reset_password_button = forms.push_button("Reset password", edit_box, "resetPasswordButton")
        self.reset_password_button.setToolTip(
            "Give the member this temporary password; they choose their own at the next sign-in")
        self.reset_password_button.clicked.connect(self.reset_password)
        self.unlock_button = forms.push_button("Unlock", edit_box, "unlockButton")
        self.unlock_button.setToolTip("Lift the lock after too many wrong passwords")
        self.unlock_button.clicked.connect(self.unlock)
        self.password_label = forms.add_buddy_row(
            edit_form, edit_box, "Pass&word", self.temporary_password_field,
            forms.row(edit_box, (self.temporary_password_field, 1), self.reset_password_button, self.unlock_button))
        self.account_state = forms.hint("", edit_box)
        self.account_state.setObjectName("accountStateLabel")
        edit_form.addRow("", self.account_state)
        self._password_widgets = (self.password_label, self.temporary_password_field,
                                  self.reset_password_button, self.unlock_button)
        self._edit_box = edit_box

        # -- a new member --
        add_box = forms.group("Add a team member", self, "newMemberForm")
        self.new_username_field = forms.line_edit(add_box, "newUsernameField", "e.g. jsmith")
        self.new_name_field = forms.line_edit(add_box, "newDisplayNameField", "e.g. Jordan Smith")
        self.new_email_field = forms.line_edit(add_box, "newEmailField", "name@company.example")
        self.new_role_field = _combo(add_box, "newRoleField", MemberRole)
        self.new_takes_cases_field = QCheckBox("Takes cases", add_box)
        self.new_takes_cases_field.setObjectName("newTakesCasesField")
        self.new_takes_cases_field.setChecked(True)
        self.add_button = forms.push_button("Add member", add_box, "addMemberButton", accent=True)
        forms.submit_form(add_box, [
            ("&Username", self.new_username_field), ("&Name", self.new_name_field), ("Emai&l", self.new_email_field),
            ("R&ole", self.new_role_field), ("", self.new_takes_cases_field),
        ], self.add_button, self.add_member)

        forms.side_by_side(self, [(self.table, 1), forms.hint("Grey rows are deactivated accounts; nothing is ever deleted.", self)],
                     [edit_box, add_box], widths=(1, 0))
        edit_box.setMaximumWidth(470)
        add_box.setMaximumWidth(470)
        self._show_selected(None)

    # -- data ------------------------------------------------------------------------------
    def set_members(self, members: list[MemberSummary]) -> None:
        """Show ``members``, keeping the selected member selected."""
        self._members = list(members)
        self.set_rows(members)

    selected_member = pages.TablePage.selected_row
    select_member = pages.TablePage.select_row

    def _on_table_activated(self, _index: QModelIndex) -> None:
        # Enter on a member: straight to editing them.
        self.name_field.setFocus(Qt.FocusReason.OtherFocusReason)
        self.name_field.selectAll()

    def _show_selected(self, member: MemberSummary | None) -> None:
        self._edit_box.setEnabled(member is not None)
        self._edit_box.setTitle(f"Selected member — {member.display_name}" if member else "Selected member")
        if member is None:
            for field in (self.name_field, self.email_field, self.reason_field):
                field.clear()
            return
        self.name_field.setText(member.display_name)
        self.email_field.setText(member.email)
        _select_data(self.role_field, member.role)
        self.takes_cases_field.setChecked(member.can_take_cases)
        self.active_field.setChecked(member.active)
        _select_data(self.availability_field, member.availability)
        self.redistribute_field.setChecked(False)
        self.reason_field.clear()
        self._show_account(member)

    def _show_account(self, member: MemberSummary) -> None:
        admin = may(self._my_role(), Actions.RESET_PASSWORD)
        for widget in self._password_widgets:
            widget.setVisible(admin)
        self.temporary_password_field.clear()
        now = self._ui.clock.now()
        locked = member.locked_until is not None and member.locked_until > now
        self.unlock_button.setEnabled(admin and locked)
        if locked:
            until = member.locked_until.astimezone(self._ui.desk_zone).strftime("%H:%M %Z")
            self.account_state.setText(f"Locked after wrong passwords until {until}.")
        elif not member.has_password:
            self.account_state.setText("No password yet.")
        else:
            self.account_state.setText("")

    def _my_role(self) -> str:
        me = next((m for m in self._members if m.id == self._ui.member_id), None)
        return me.role if me is not None else ""

    # -- commands --------------------------------------------------------------------------
    def reset_password(self) -> None:
        member = self.selected_member()
        if member is None:
            return
        ui, temporary, reason = self._ui, self.temporary_password_field.text(), self.reason_field.text().strip()
        accounts = AccountService(ui.services.context)
        self._command(
            f"{member.display_name} has a temporary password; they choose their own at the next "
            "sign-in.",
            lambda: accounts.reset_password(ui.member_id, member.id, temporary, reason=reason),
            {"temporary_password": self.temporary_password_field},
        )

    def unlock(self) -> None:
        member = self.selected_member()
        if member is None:
            return
        ui, reason = self._ui, self.reason_field.text().strip()
        accounts = AccountService(ui.services.context)
        self._command(f"{member.display_name} can sign in again.",
                      lambda: accounts.unlock(ui.member_id, member.id, reason=reason))

    def add_member(self) -> None:
        ui = self._ui
        username, name, email = (self.new_username_field.text(), self.new_name_field.text(),
                                 self.new_email_field.text())
        role, takes_cases = self.new_role_field.currentData(), self.new_takes_cases_field.isChecked()

        def clear_form(_added: MemberSummary) -> None:
            for field in (self.new_username_field, self.new_name_field, self.new_email_field):
                field.clear()
            self.new_username_field.setFocus(Qt.FocusReason.OtherFocusReason)

        fields = {"username": self.new_username_field, "display_name": self.new_name_field,
                  "email": self.new_email_field, "role": self.new_role_field}
        self._command(lambda m: f"{m.display_name} joined the team as {MemberRole(m.role).label.lower()}.",
                      lambda: ui.services.team.add_member(ui.member_id, username, name, role=role, email=email,
                                                          can_take_cases=takes_cases),
                      fields, then=clear_form)

    def save_member(self) -> None:
        member = self.selected_member()
        if member is None:
            return
        # Only what changed is sent: an unchanged role must not need the admin's right to grant it.
        changes: dict[str, object] = {}
        if self.name_field.text().strip() != member.display_name:
            changes["display_name"] = self.name_field.text()
        if self.email_field.text().strip() != member.email:
            changes["email"] = self.email_field.text()
        if self.role_field.currentData() != member.role:
            changes["role"] = self.role_field.currentData()
        if self.takes_cases_field.isChecked() != member.can_take_cases:
            changes["can_take_cases"] = self.takes_cases_field.isChecked()
        if self.active_field.isChecked() != member.active:
            changes["active"] = self.active_field.isChecked()
        if not changes:
            self._command(f"Nothing to save for {member.display_name}.", lambda: member)
            return
        ui, reason = self._ui, self.reason_field.text().strip()
        self._command(
            lambda m: f"Saved {m.display_name}.",
            lambda: ui.services.team.update_member(ui.member_id, member.id, reason=reason, **changes),
            {"display_name": self.name_field, "email": self.email_field, "role": self.role_field},
        )

    def set_availability(self) -> None:
        member = self.selected_member()
        if member is None:
            return
        ui = self._ui
        availability = self.availability_field.currentData()
        redistribute = self.redistribute_field.isChecked()
        reason = self.reason_field.text().strip()
        label = Availability(availability).label.lower()

        def done(moved: list[ReassignmentResult]) -> str:
            text = f"{member.display_name} is now {label}."
            return f"{text} {describe_moves(member.display_name, moved)}" if redistribute else text

        self._command(
            done,
            lambda: ui.services.team.set_availability(
                ui.member_id, member.id, availability, redistribute=redistribute, reason=reason
            ),
        )
