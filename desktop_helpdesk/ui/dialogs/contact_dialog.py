"""The contact editor: name, numbers, addresses, notes; deactivate, move to another client and
merge a duplicate (the services refuse what the member's role does not allow)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_helpdesk.services.contact_editing import ContactDetails
from desktop_helpdesk.services.errors import ServiceError
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.form_fields import button_row, form_row, line_field, named, text_box
from desktop_helpdesk.ui.messages import friendly_message
from desktop_helpdesk.ui.workers import WorkerPool

log = logging.getLogger(__name__)
_FIELD_LABELS = {"contact_name": "Name", "email": "Email", "phone": "Phone", "notes": "Notes",
                 "reason": "Reason", "client": "Client", "survivor": "Merge into"}


def _lines(box: QPlainTextEdit) -> list[str]:
    return [line.strip() for line in box.toPlainText().splitlines() if line.strip()]


class ContactDialog(QDialog):
    """Edits one contact; each command runs on the pool and the form shows the result.

    Signals:
        loaded(): the contact (and the pick lists) were read and shown.
        command_finished(bool): a command ended (True done, False refused).
        contact_changed(int): a command changed this contact.

    Args:
        ui: services and the signed-in member.
        pool: the window's worker pool.
        contact_id: the contact to edit.
        parent: the window.
    """

    loaded = Signal()
    command_finished = Signal(bool)
    contact_changed = Signal(int)

    def __init__(self, ui: UiContext, pool: WorkerPool, contact_id: int, parent: QWidget) -> None:
        super().__init__(parent)
        named(self, "contactDialog")
        self.setWindowTitle("Contact")
        self.setMinimumWidth(560)
        self._ui = ui
        self._pool = pool
        self._contact_id = contact_id
        self.details: ContactDetails | None = None

        self.title = QLabel("", self)
        self.title.setProperty("role", "dialogTitle")
        self.failing = QLabel("", self)
        self.failing.setObjectName("contactFailingMark")
        self.failing.setStyleSheet("color: #b91c1c; font-weight: 600;")
        self.failing.setWordWrap(True)
        self.failing.hide()
        self.message = QLabel("", self)
        self.message.setObjectName("contactMessage")
        self.message.setWordWrap(True)
        form = QFormLayout()
        self.name = form_row(form, "&Name", self._line("contactNameField"))
        self.email = form_row(form, "&Email", self._line("contactEmailField"))
        self.phone = form_row(form, "&Phone", self._line("contactPhoneField"))
        self.other_emails = form_row(form, "Other e&mails", self._box("contactOtherEmailsField", "One address per line"))
        self.other_phones = form_row(form, "Other p&hones", self._box("contactOtherPhonesField", "One number per line"))
        self.notes = form_row(form, "N&otes", self._box("contactNotesField", "Anything the desk should know about them"))
        self.save_button = self._button("Save", "saveContactButton", self.save)
        self.active_button = self._button("Deactivate", "contactActiveButton", self.toggle_active)
        form.addRow("", button_row(self.active_button, self.save_button))

        supervisor = QGroupBox("Supervisors: move or merge", self)
        self.move_client = QComboBox(supervisor)
        self.move_client.setObjectName("moveClientField")
        self.merge_into = QComboBox(supervisor)
        self.merge_into.setObjectName("mergeContactField")
        self.reason = self._line("contactReasonField", supervisor)
        self.reason.setPlaceholderText("Why (kept in the audit)")
        self.move_button = self._button("Move to client", "moveContactButton", self.move, supervisor)
        self.merge_button = self._button("Merge into", "mergeContactButton", self.merge, supervisor)
        moves = QFormLayout(supervisor)
        moves.addRow("&Reason", self.reason)
        move_row = QHBoxLayout()
        move_row.addWidget(self.move_client, 1)
        move_row.addWidget(self.move_button)
        moves.addRow("Cl&ient", move_row)
        merge_row = QHBoxLayout()
        merge_row.addWidget(self.merge_into, 1)
        merge_row.addWidget(self.merge_button)
        moves.addRow("Duplicate &of", merge_row)

        close = QPushButton("Close", self)
        close.setObjectName("closeContactButton")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.failing)
        layout.addWidget(self.message)
        layout.addLayout(form)
        layout.addWidget(supervisor)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        self._busy(True)
        self.reload()

    # -- construction helpers ------------------------------------------------------------------
    def _line(self, name: str, parent: QWidget | None = None) -> QLineEdit:
        return line_field(parent or self, name)

    def _box(self, name: str, placeholder: str) -> QPlainTextEdit:
        return text_box(self, name, placeholder, height=54)

    def _button(self, text: str, name: str, slot: Callable, parent: QWidget | None = None) -> QPushButton:
        button = QPushButton(text, parent or self)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    # -- loading -------------------------------------------------------------------------------
    def reload(self) -> None:
        services, contact_id = self._ui.services, self._contact_id

        def read():
            details = services.contact_editing.details(contact_id)
            clients = [(c.name, c.id) for c in services.contacts.list_clients() if c.id != details.client_id]
            others = [(c.name, c.contact_id) for c in services.contacts.list_contacts(details.client_id)
                      if c.contact_id != contact_id]
            return details, clients, others

        self._pool.submit(read, on_finished=self._on_read, on_failed=self._on_failed)

    def _on_read(self, result) -> None:
        details, clients, others = result
        self.details = details
        self.title.setText(f"{details.name} at {details.client_name} — {details.cases} cases"
                           + ("" if details.active else " (deactivated)"))
        self.failing.setText(f"⚠ Mail to {details.email} is failing: {details.email_failing}"
                             if details.email_failing else "")
        self.failing.setVisible(bool(details.email_failing))
        self.name.setText(details.name)
        self.email.setText(details.email)
        self.phone.setText(details.phone)
        self.other_emails.setPlainText("\n".join(details.other_emails))
        self.other_phones.setPlainText("\n".join(details.other_phones))
        self.notes.setPlainText(details.notes)
        self.active_button.setText("Deactivate" if details.active else "Reactivate")
        for combo, items in ((self.move_client, clients), (self.merge_into, others)):
            combo.clear()
            for text, value in items:
                combo.addItem(text, value)
        self._busy(False)
        self.loaded.emit()

    # -- commands ------------------------------------------------------------------------------
    def _run(self, done: str, command: Callable[[], object]) -> None:
        self._busy(True)
        self._pool.submit(command, on_finished=lambda _r: self._on_done(done), on_failed=self._on_failed)

    def _on_done(self, done: str) -> None:
        self.message.setText(done)
        self.contact_changed.emit(self._contact_id)
        self.command_finished.emit(True)
        self.reload()

    def _on_failed(self, error: Exception) -> None:
        self._busy(False)
        field = _FIELD_LABELS.get(getattr(error, "field", ""), "")
        text = friendly_message(error) if isinstance(error, ServiceError) else str(error)
        if field and not text.startswith(field):
            text = f"{field}: {getattr(error, 'message', text)}"
        self.message.setText(text)
        log.info("contact command refused: %s", error)
        self.command_finished.emit(False)

    def _busy(self, busy: bool) -> None:
        for button in (self.save_button, self.active_button, self.move_button, self.merge_button):
            button.setEnabled(not busy)

    def save(self) -> None:
        editing, me, contact_id = self._ui.services.contact_editing, self._ui.member_id, self._contact_id
        values = {"name": self.name.text(), "email": self.email.text(), "phone": self.phone.text(),
                  "other_emails": _lines(self.other_emails), "other_phones": _lines(self.other_phones),
                  "notes": self.notes.toPlainText()}
        self._run("Contact saved.", lambda: editing.update_contact(me, contact_id, **values))

    def toggle_active(self) -> None:
        if self.details is None:
            return
        editing, me, contact_id = self._ui.services.contact_editing, self._ui.member_id, self._contact_id
        active = not self.details.active
        self._run("Contact reactivated." if active else "Contact deactivated; their cases keep them.",
                  lambda: editing.set_active(me, contact_id, active))

    def move(self) -> None:
        editing, me, contact_id = self._ui.services.contact_editing, self._ui.member_id, self._contact_id
        client_id, reason = self.move_client.currentData(), self.reason.text()
        if client_id is None:
            self.message.setText("Client: there is no other client to move to")
            return
        self._run(f"Moved to {self.move_client.currentText()}.",
                  lambda: editing.move_contact(me, contact_id, client_id, reason=reason))

    def merge(self) -> None:
        editing, me, contact_id = self._ui.services.contact_editing, self._ui.member_id, self._contact_id
        survivor_id, reason = self.merge_into.currentData(), self.reason.text()
        if survivor_id is None:
            self.message.setText("Merge into: this client has no other contact")
            return
        self._busy(True)
        # After a merge the survivor is the contact the form shows.
        self._pool.submit(lambda: editing.merge_contacts(me, contact_id, survivor_id, reason=reason),
                          on_finished=self._on_merged, on_failed=self._on_failed)

    def _on_merged(self, survivor: ContactDetails) -> None:
        merged_from = self._contact_id
        self._contact_id = survivor.id
        self.message.setText(f"Merged into {survivor.name}; the duplicate is deactivated.")
        self.contact_changed.emit(merged_from)
        self.command_finished.emit(True)
        self.reload()
