"""The reply composer (Ctrl+R on a case): addressees, subject, template body with a live preview,
canned replies (Ctrl+Shift+R) and the case's files; sent through the mail outbox."""

from __future__ import annotations

import html
import logging
from dataclasses import replace

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_helpdesk.domain.cases import file_size_text
from desktop_helpdesk.domain.templates import PLACEHOLDERS, TemplateError, render_template
from desktop_helpdesk.services.drafts import Draft, reply_key
from desktop_helpdesk.services.errors import ServiceError, ValidationError
from desktop_helpdesk.services.replies import ReplyStart
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.dialogs.canned_picker import CANNED_REPLY_KEYS, CannedReplyPicker
from desktop_helpdesk.ui.dialogs.canned_replies_dialog import CannedRepliesDialog
from desktop_helpdesk.ui.form_fields import dialog_buttons, line_field, named, role_label
from desktop_helpdesk.ui.messages import friendly_message
from desktop_helpdesk.ui.timers import single_shot_timer
from desktop_helpdesk.ui.widgets.message_bar import MessageBar
from desktop_helpdesk.ui.workers import WorkerPool

log = logging.getLogger(__name__)

SEND_KEYS = "Ctrl+Return"
DRAFT_SAVE_MS = 500
_FIELD_LABELS = {"to": "To", "cc": "Cc", "subject": "Subject", "body": "Message", "attachments": "Attachments"}


class ReplyDialog(QDialog):
    """Writes an email to the client of one case. What it starts from (the contact, the team's
    reply template, the case's fields and files) is read on the worker pool; the preview is
    rendered by the domain's template renderer as the member types; Send runs
    ``CaseService.send_reply`` on the pool, which queues the email in the mail outbox.

    Signals:
        loaded(): the starting point is on screen.
        sent(int): the reply was queued (the case id).
        send_failed(str): the service refused it (the message shown).

    Args:
        ui: services, clock and the signed-in member.
        pool: the window's worker pool.
        case_id: the case replied to.
        parent: the case panel.
    """

    loaded = Signal()
    sent = Signal(int)
    send_failed = Signal(str)

    def __init__(self, ui: UiContext, pool: WorkerPool, case_id: int, parent: QWidget) -> None:
        super().__init__(parent)
        named(self, "replyDialog")
        self.setWindowTitle("Reply to the client — Desktop Helpdesk")
        self._ui = ui
        self._pool = pool
        self._case_id = case_id
        self._start: ReplyStart | None = None
        self._sending = False
        self._closed = False
        self._filling = False
        self._draft_saving = False
        self._draft_queued: dict | None = None
        self._build()
        # The typed reply is kept as a draft (closing, a crash or Cancel never loses it);
        # sending discards it.
        self._draft_timer = single_shot_timer(self, "replyDraftTimer", DRAFT_SAVE_MS, self.save_draft)
        for field in (self.to_field, self.cc_field, self.subject_field):
            field.textEdited.connect(self._on_field_edited)
        self.body_edit.textChanged.connect(self._on_field_edited)
        self.attachments.itemChanged.connect(self._on_field_edited)
        self.resize(_fitting_size(parent))
        member_id, services, drafts = ui.member_id, ui.services, ui.drafts
        self._pool.submit(
            lambda: (services.replies.start(member_id, case_id), drafts.load(member_id, reply_key(case_id))),
            on_finished=self._on_start_loaded, on_failed=self._on_start_failed)

    # -- construction ----------------------------------------------------------------------
    def _build(self) -> None:
        self.problem_bar = MessageBar(self, "replyMailProblem")
        self.message = MessageBar(self, "replyMessage")
        self.message.show_text("Reading the case…")

        self.to_field = line_field(self, "replyToField", "name@client.example")
        self.failing_mark = role_label(self, "", "warning", "replyFailingMark")
        self.failing_mark.setWordWrap(True)
        self.failing_mark.hide()
        self.cc_field = line_field(self, "replyCcField", "Further addresses, separated by commas")
        self.subject_field = line_field(self, "replySubjectField")
        self.subject_field.setToolTip("Keep the [Case …] tag: the client's answer then threads back onto the case "
                                      "(it is added again if removed)")
        self.body_edit = QPlainTextEdit(self)
        self.body_edit.setObjectName("replyBodyEdit")
        self.body_edit.setToolTip("Placeholders such as {case_number} or {contact_name} are filled in when sent. "
                                  f"{CANNED_REPLY_KEYS} inserts a canned reply.")
        self.attachments = QListWidget(self)
        self.attachments.setObjectName("replyAttachments")
        self.attachments.setMaximumHeight(90)
        self.canned_button = QLabel(f"<a href='#'>Insert a canned reply… ({CANNED_REPLY_KEYS})</a>", self)
        self.canned_button.setObjectName("replyCannedLink")
        self.canned_button.linkActivated.connect(lambda _link: self.open_canned_picker())
        canned = QShortcut(QKeySequence(CANNED_REPLY_KEYS), self)
        canned.setContext(Qt.ShortcutContext.WindowShortcut)
        canned.activated.connect(self.open_canned_picker)

        form = QFormLayout()
        form.setSpacing(6)
        # The address and its bounce mark in one field widget, so the form labels it (with its key).
        to_box = QWidget(self)
        to_row = QVBoxLayout(to_box)
        to_row.setContentsMargins(0, 0, 0, 0)
        to_row.setSpacing(2)
        to_row.addWidget(self.to_field)
        to_row.addWidget(self.failing_mark)
        to_box.setFocusProxy(self.to_field)
        to_label = QLabel("&To", self)
        to_label.setBuddy(self.to_field)
        # Qt sizes the label by the text's advance, a pixel short of the "o" it draws.
        to_label.setMinimumWidth(to_label.fontMetrics().boundingRect("To").width() + 4)
        form.addRow(to_label, to_box)
        form.addRow("&Cc", self.cc_field)
        form.addRow("&Subject", self.subject_field)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(form)
        body_head = QHBoxLayout()
        body_label = QLabel("&Message", left)
        body_label.setBuddy(self.body_edit)
        body_head.addWidget(body_label)
        body_head.addStretch(1)
        body_head.addWidget(self.canned_button)
        left_layout.addLayout(body_head)
        left_layout.addWidget(self.body_edit, 1)
        attach_label = QLabel("&Attach files of the case (tick to send):", left)
        attach_label.setBuddy(self.attachments)
        left_layout.addWidget(attach_label)
        left_layout.addWidget(self.attachments)

        self.preview_subject = QLabel("", self)
        self.preview_subject.setObjectName("replyPreviewSubject")
        self.preview_subject.setWordWrap(True)
        self.preview_subject.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview = QPlainTextEdit(self)
        self.preview.setObjectName("replyPreview")
        self.preview.setReadOnly(True)
        self.preview_problem = MessageBar(self, "replyPreviewProblem")
        placeholders = role_label(self, "Placeholders: " + ", ".join("{" + name + "}" for name in PLACEHOLDERS),
                                  "hint", "replyPlaceholders")
        placeholders.setWordWrap(True)
        placeholders.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(QLabel("<b>Preview</b> — what the client will read", right))
        right_layout.addWidget(self.preview_subject)
        right_layout.addWidget(self.preview_problem)
        right_layout.addWidget(self.preview, 1)
        right_layout.addWidget(placeholders)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("replySplitter")
        splitter.setChildrenCollapsible(False)
        splitter.setHandleWidth(14)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([560, 440])

        self.buttons = dialog_buttons(self, QDialogButtonBox.StandardButton.Cancel, on_accepted=self.send)
        self.send_button = self.buttons.addButton("Send", QDialogButtonBox.ButtonRole.AcceptRole)
        self.send_button.setObjectName("replySendButton")
        self.send_button.setToolTip(f"Queue the email in the outbox and log it on the case ({SEND_KEYS})")
        self.send_button.setEnabled(False)
        send = QShortcut(QKeySequence(SEND_KEYS), self)
        send.setContext(Qt.ShortcutContext.WindowShortcut)
        send.activated.connect(self.send)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.problem_bar)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.buttons)
        self.body_edit.textChanged.connect(self._on_body_edit_text_changed)
        self.subject_field.textChanged.connect(self._on_body_edit_text_changed)

    # -- loading ---------------------------------------------------------------------------
    @property
    def start(self) -> ReplyStart | None:
        return self._start

    def _on_start_loaded(self, loaded: tuple[ReplyStart, Draft | None]) -> None:
        if self._closed:
            return
        start, draft = loaded
        self._start = start
        self._filling = True
        self.message.hide()
        self.to_field.setText(start.to)
        self.cc_field.setPlaceholderText(
            f"e.g. {', '.join(start.other_addresses)}" if start.other_addresses
            else "Further addresses, separated by commas")
        if start.other_addresses:
            # The contact's other addresses complete as the member types.
            completer = QCompleter(list(start.other_addresses), self.cc_field)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            self.cc_field.setCompleter(completer)
        if start.email_failing:
            self.failing_mark.setText(f"⚠ Mail to this address failed: {start.email_failing}")
        self.failing_mark.setVisible(bool(start.email_failing))
        self.subject_field.setText(start.subject)
        self.body_edit.setPlainText(start.body_template)
        # The cursor waits on the empty line after the greeting, where the answer goes.
        cursor = self.body_edit.textCursor()
        greeting_end = start.body_template.find("\n\n")
        cursor.setPosition(greeting_end + 2 if greeting_end >= 0 else 0)
        self.body_edit.setTextCursor(cursor)
        self.attachments.clear()
        for attachment in start.attachments:
            item = QListWidgetItem(f"{attachment.filename}  ({file_size_text(attachment.size)})", self.attachments)
            item.setData(Qt.ItemDataRole.UserRole, attachment.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        if not start.attachments:
            QListWidgetItem("The case has no files.", self.attachments).setFlags(Qt.ItemFlag.NoItemFlags)
        if start.is_closed:
            self.problem_bar.show_text("The case is closed: reopen it to reply from the desk.", error=True)
        elif start.mail_problem:
            # Said plainly, and nothing can be sent: a reply must never look sent when it is not.
            self.problem_bar.show_text(f"{start.mail_problem}. You can write here, but nothing can be sent.",
                                       error=True)
        else:
            self.problem_bar.hide()
        self.send_button.setEnabled(not start.mail_problem and not start.is_closed)
        if draft is not None and not draft.is_empty:
            self._restore_draft(draft)
        self._filling = False
        self.update_preview()
        self.body_edit.setFocus()
        self.loaded.emit()

    def _restore_draft(self, draft: Draft) -> None:
        fields = draft.fields
        self.to_field.setText(str(fields.get("to", self.to_field.text())))
        self.cc_field.setText(str(fields.get("cc", "")))
        self.subject_field.setText(str(fields.get("subject", self.subject_field.text())))
        self.body_edit.setPlainText(str(fields.get("body", "")))
        chosen = set(fields.get("attachment_ids", []))
        for row in range(self.attachments.count()):
            item = self.attachments.item(row)
            if item.data(Qt.ItemDataRole.UserRole) in chosen:
                item.setCheckState(Qt.CheckState.Checked)
        saved = draft.saved_at.astimezone(self._ui.desk_zone).strftime("%a %d %b %H:%M")
        self.message.show_text(f"Your unsent reply from {saved} is back. Send it, or Cancel to keep it for later.")

    def _on_start_failed(self, error: Exception) -> None:
        if not self._closed:
            self.message.show_text(friendly_message(error) if isinstance(error, ServiceError)
                                   else "Could not read the case; see the log file.", error=True)

    # -- preview and canned replies -------------------------------------------------------
    def update_preview(self) -> None:
        """Render the body for the case (the same renderer the send uses)."""
        if self._start is None:
            return
        self.preview_subject.setText(f"<b>Subject:</b> {html.escape(self.subject_field.text())}")
        try:
            self.preview.setPlainText(render_template(self.body_edit.toPlainText(), self._start.values))
        except TemplateError as exc:
            self.preview_problem.show_text(f"Message: {exc}", error=True)
            return
        self.preview_problem.hide()

    def _on_body_edit_text_changed(self, *_args) -> None:
        self.update_preview()

    # -- drafts ----------------------------------------------------------------------------
    def _on_field_edited(self, *_args) -> None:
        if not self._filling and self._start is not None and not self._sending:
            self._draft_timer.start()

    def draft_fields(self) -> dict:
        """What was typed, as a draft (empty when it is still what the composer started with)."""
        start = self._start
        if start is None:
            return {}
        fields = {"to": self.to_field.text(), "cc": self.cc_field.text(), "subject": self.subject_field.text(),
                  "body": self.body_edit.toPlainText(), "attachment_ids": list(self.chosen_attachment_ids())}
        untouched = (fields["to"] == start.to and not fields["cc"].strip() and fields["subject"] == start.subject
                     and fields["body"] == start.body_template and not fields["attachment_ids"])
        return {} if untouched else fields

    def save_draft(self) -> None:
        """Keep the typed reply in the database (on the pool, one save at a time)."""
        self._draft_timer.stop()
        if self._start is None or self._sending:
            return
        self._draft_queued = self.draft_fields()
        if not self._draft_saving:
            self._write_next_draft()

    def _write_next_draft(self) -> None:
        if self._draft_queued is None:
            return
        fields, self._draft_queued = self._draft_queued, None
        self._draft_saving = True
        drafts, member_id, key = self._ui.drafts, self._ui.member_id, reply_key(self._case_id)
        self._pool.submit(
            lambda: drafts.save(member_id, key, fields) if fields else drafts.discard(member_id, key),
            on_finished=self._on_draft_written,
            on_failed=lambda error: (log.warning("reply draft not saved: %s", error), self._on_draft_written(None)),
        )

    def _on_draft_written(self, _result) -> None:
        self._draft_saving = False
        self._write_next_draft()

    def open_canned_picker(self) -> CannedReplyPicker | None:
        """Ctrl+Shift+R: choose a canned reply; its text goes in at the cursor."""
        if self._start is None:
            return None
        picker = CannedReplyPicker(list(self._start.canned), self._start.values, self, manage=self.manage_canned_replies)
        picker.chosen.connect(self._on_picker_chosen)
        picker.finished.connect(picker.deleteLater)
        picker.open()
        return picker

    def manage_canned_replies(self) -> CannedRepliesDialog:
        """"Manage…" in the picker: the member's (and, for supervisors, the team's) canned
        replies; the picker offers the changed list when the editor closes."""
        dialog = CannedRepliesDialog(self._ui, self._pool, self)
        dialog.finished.connect(self._on_canned_replies_dialog_finished)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _on_canned_replies_dialog_finished(self, _result: int) -> None:
        services, member_id = self._ui.services, self._ui.member_id
        self._pool.submit(services.canned_replies.list_for, member_id, on_finished=self._on_canned_reloaded)

    def _on_canned_reloaded(self, replies: list) -> None:
        if self._start is not None and not self._closed:
            self._start = replace(self._start, canned=tuple(replies))

    def _on_picker_chosen(self, reply) -> None:
        # The text goes in as written: its placeholders show filled in the preview and are
        # filled by the same renderer when the email is sent.
        self.body_edit.insertPlainText(reply.body)
        self.body_edit.setFocus()

    # -- sending ---------------------------------------------------------------------------
    def chosen_attachment_ids(self) -> tuple[int, ...]:
        ids = []
        for row in range(self.attachments.count()):
            item = self.attachments.item(row)
            if item.checkState() == Qt.CheckState.Checked and item.data(Qt.ItemDataRole.UserRole) is not None:
                ids.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return tuple(ids)

    def send(self) -> bool:
        """Queue the email (on the pool); the dialog closes once the outbox has it."""
        start = self._start
        if start is None or self._sending or not self.send_button.isEnabled():
            return False
        ui, case_id = self._ui, self._case_id
        reply = dict(to=self.to_field.text(), cc=self.cc_field.text(), subject=self.subject_field.text(),
                     body=self.body_edit.toPlainText(), attachment_ids=self.chosen_attachment_ids())
        self._draft_timer.stop()
        self._sending = True
        self.send_button.setEnabled(False)
        self.message.show_text("Sending to the outbox…")

        def send_and_forget_draft():
            result = ui.services.cases.send_reply(ui.member_id, case_id, **reply)
            ui.drafts.discard(ui.member_id, reply_key(case_id))
            return result

        self._pool.submit(
            send_and_forget_draft,
            on_finished=self._on_sent,
            on_failed=self._on_send_failed,
        )
        return True

    def _on_sent(self, _result) -> None:
        self._sending = False
        if self._closed:
            return
        self.sent.emit(self._case_id)
        self.accept()

    def _on_send_failed(self, error: Exception) -> None:
        self._sending = False
        if self._closed:
            return
        self.send_button.setEnabled(True)
        if isinstance(error, ValidationError):
            text = f"{_FIELD_LABELS.get(error.field, error.field)}: {error.message}"
            field = {"to": self.to_field, "cc": self.cc_field, "subject": self.subject_field,
                     "body": self.body_edit, "attachments": self.attachments}.get(error.field)
            if field is not None:
                field.setFocus()
        elif isinstance(error, ServiceError):
            text = friendly_message(error)
        else:
            text = "The email could not be queued; see the log file."
        self.message.show_text(text, error=True)
        self.send_failed.emit(text)

    def message_text(self) -> str:
        return self.message.shown_text()

    def done(self, result: int) -> None:
        if self._draft_timer.isActive():
            self.save_draft()  # Cancel keeps what was typed for next time
        self._draft_timer.stop()
        self._closed = True
        super().done(result)


# Room a laptop keeps for the title bar and the task bar.
_WINDOW_CHROME = 72


def _fitting_size(parent: QWidget | None) -> QSize:
    """1100 x 680, or less on a smaller screen (a 1366 x 768 laptop keeps the Send button in reach)."""
    if parent is not None and parent.window().isVisible():
        room = parent.window().size()
    else:
        screen = QGuiApplication.primaryScreen()
        room = screen.availableGeometry().size() if screen is not None else QSize(1280, 800)
    return QSize(min(1100, room.width() - 24), min(680, room.height() - _WINDOW_CHROME))
