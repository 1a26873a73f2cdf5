"""Small forms for case commands: escalate, wait on client, resolve, reopen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_helpdesk.domain.cases import RESOLUTION_CHANNELS, EscalationTarget
from desktop_helpdesk.ui import form_fields


class CaseActionDialog(QDialog):
    """A titled form with OK/Cancel; subclasses add fields and return them from ``values()``.

    Opened with ``open()`` (window-modal, not blocking), so the caller connects ``accepted``.
    """

    def __init__(self, object_name: str, title: str, intro: str, ok_text: str, parent: QWidget) -> None:
        super().__init__(parent)
        form_fields.named(self, object_name)
        self.setWindowTitle(title)
        self.setMinimumWidth(440)
        self.form = QFormLayout()
        self.form.setSpacing(8)
        intro_label = QLabel(intro, self)
        intro_label.setWordWrap(True)
        self.buttons = form_fields.dialog_buttons(self, ok_text=ok_text)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("okButton")
        layout = QVBoxLayout(self)
        layout.addWidget(intro_label)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)

    def values(self) -> dict:
        raise NotImplementedError


def _text_box(name: str, parent: QWidget, placeholder: str) -> QPlainTextEdit:
    return form_fields.text_box(parent, name, placeholder, height=90)


class EscalateDialog(CaseActionDialog):
    """Who the case goes to and why, and when a reply is expected: typed and shown in desk
    time with its zone (as every time on the desk), whatever the workstation's zone.

    Args:
        parent: the Qt parent.
        zone: the desk's time zone (None: the workstation's, for old callers).
        now: the current instant (the injected clock); the default expectation is a day later.
    """

    def __init__(self, parent: QWidget, zone: ZoneInfo | None = None, now: datetime | None = None) -> None:
        super().__init__(
            "escalateDialog",
            "Escalate case",
            "Hand the case to another department or to the client's own IT team. "
            "The case shows who it waits on and since when.",
            "Escalate",
            parent,
        )
        self.kind = form_fields.combo_box(
            self, "escalationKindField", ((t.label, t.value) for t in EscalationTarget))
        self.target_name = form_fields.line_field(
            self, "escalationTargetField", "e.g. Development, Network team, Acme IT (Joe)")
        self.reason = _text_box("escalationReasonField", self, "Why, and what was tried already")
        self._zone = zone
        self.expect_reply = QCheckBox("Reply expected by", self)
        self.expect_reply.setObjectName("expectReplyField")
        tomorrow = ((now or datetime.now(UTC)) + timedelta(days=1)).astimezone(zone)
        self.expected_reply = QDateTimeEdit(_wall_clock(tomorrow), self)
        self.expected_reply.setObjectName("expectedReplyField")
        self.expected_reply.setCalendarPopup(True)
        self.expected_reply.setDisplayFormat("ddd dd MMM yyyy HH:mm")
        self.expected_reply.setEnabled(False)
        self.expect_reply.toggled.connect(self.expected_reply.setEnabled)
        self._city = zone.key.rsplit("/", 1)[-1].replace("_", " ") if zone is not None else "your"
        self.zone_label = QLabel(f"{tomorrow.tzname()} ({self._city} time)", self)
        self.zone_label.setObjectName("expectedReplyZone")
        self.expected_reply.dateTimeChanged.connect(self._on_expected_reply_changed)
        reply_row = QHBoxLayout()
        reply_row.addWidget(self.expected_reply, 1)
        reply_row.addWidget(self.zone_label)
        self.form.addRow("Escalate to", self.kind)
        self.form.addRow("Team or person", self.target_name)
        self.form.addRow("Reason", self.reason)
        self.form.addRow(self.expect_reply, reply_row)

    def _expected_instant(self) -> datetime:
        wall = self.expected_reply.dateTime().toPython().replace(tzinfo=None)
        return wall.replace(tzinfo=self._zone) if self._zone is not None else wall.astimezone()

    def _on_expected_reply_changed(self, *_args) -> None:
        # AST or ADT, as the chosen day has it.
        self.zone_label.setText(f"{self._expected_instant().tzname()} ({self._city} time)")

    def values(self) -> dict:
        expected = None
        if self.expect_reply.isChecked():
            # The editor holds desk wall-clock time; the services want an aware instant.
            expected = self._expected_instant()
        return {
            "target_kind": self.kind.currentData(),
            "target_name": self.target_name.text().strip(),
            "reason": self.reason.toPlainText().strip(),
            "expected_reply_at": expected,
        }


class AnswerDialog(CaseActionDialog):
    """The answer that came back from the department or client IT the case was escalated to."""

    def __init__(self, parent: QWidget, waiting_on: str) -> None:
        super().__init__(
            "answerDialog",
            "Answer received",
            f"Record what {waiting_on} answered. The case goes back to In progress.",
            "Record answer",
            parent,
        )
        self.answer = _text_box("answerField", self, "What they found or did")
        self.form.addRow("Answer", self.answer)

    def values(self) -> dict:
        return {"answer": self.answer.toPlainText().strip()}


class WaitOnClientDialog(CaseActionDialog):
    """Why the case waits on the client (the resolution clock pauses if the team set it so)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(
            "waitOnClientDialog",
            "Wait on client",
            "The case waits for the client. The reason is kept with the pause so the "
            "timeline explains the resolution due time.",
            "Wait on client",
            parent,
        )
        self.reason = _text_box("waitReasonField", self, "What the client needs to send or do")
        self.form.addRow("Reason", self.reason)

    def values(self) -> dict:
        return {"reason": self.reason.toPlainText().strip()}


class ResolveDialog(CaseActionDialog):
    """The resolution and how the client was told; when told by email (and email is set up
    and the contact has an address) a checked box also emails the resolution.

    When email is off (no SMTP server), choosing Email says so: nothing is sent from the
    desk, so it is for a client the member emailed themselves.

    Args:
        parent: the Qt parent.
        contact_email: the contact's address ("" when none, or when email is not set up).
        mail_configured: the desk can send email.
    """

    def __init__(self, parent: QWidget, contact_email: str = "", *, mail_configured: bool = True) -> None:
        super().__init__(
            "resolveDialog",
            "Resolve case",
            "Describe the resolution and how the client was told. The case stays searchable.",
            "Resolve",
            parent,
        )
        self.summary = _text_box("resolutionField", self, "What fixed it")
        self.told_via = form_fields.combo_box(
            self, "toldViaField", ((c.label, c.value) for c in RESOLUTION_CHANNELS))
        self.email_client = form_fields.named(
            QCheckBox(f"Email the resolution to {contact_email}", self), "emailResolutionField")
        self.email_client.setChecked(True)
        self._contact_email = contact_email
        self._mail_configured = mail_configured
        self.email_off_note = form_fields.role_label(
            self,
            "Email is off on this desk (no mail server is set up): nothing will be sent from "
            "here. Choose Email only if you emailed the client yourself; the timeline will say so.",
            "hint",
            "emailOffNote",
        )
        self.email_off_note.setWordWrap(True)
        self.form.addRow("Resolution", self.summary)
        self.form.addRow("Client told by", self.told_via)
        self.form.addRow("", self.email_client)
        self.form.addRow("", self.email_off_note)
        self.told_via.currentIndexChanged.connect(self._on_told_via_changed)
        # Email is the usual way to tell the client (policy), so it is offered first.
        email_index = self.told_via.findData("email")
        if contact_email and email_index >= 0:
            self.told_via.setCurrentIndex(email_index)
        self._on_told_via_changed()

    def _offers_email(self) -> bool:
        return bool(self._contact_email) and self.told_via.currentData() == "email"

    def _on_told_via_changed(self) -> None:
        self.email_client.setVisible(self._offers_email())
        self.email_off_note.setVisible(
            not self._mail_configured and self.told_via.currentData() == "email"
        )

    def values(self) -> dict:
        return {
            "summary": self.summary.toPlainText().strip(),
            "told_via": self.told_via.currentData(),
            "email_client": self._offers_email() and self.email_client.isChecked(),
        }


class ReopenDialog(CaseActionDialog):
    """Why a resolved or closed case comes back (a new resolution target starts now)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(
            "reopenDialog",
            "Reopen case",
            "Reopening starts a new resolution target from now; the history is kept.",
            "Reopen",
            parent,
        )
        self.reason = _text_box("reopenReasonField", self, "Why the case is reopened")
        self.form.addRow("Reason", self.reason)

    def values(self) -> dict:
        return {"reason": self.reason.toPlainText().strip()}


def _wall_clock(instant: datetime) -> QDateTime:
    """The wall-clock reading of an aware instant as a zone-less QDateTime for an editor."""
    return QDateTime(
        QDate(instant.year, instant.month, instant.day), QTime(instant.hour, instant.minute)
    )


class ReasonDialog(CaseActionDialog):
    """One reason line for a command the audit must explain (taking a colleague's case,
    handing a case back)."""

    def __init__(self, parent: QWidget, object_name: str, title: str, intro: str, ok_text: str,
                 placeholder: str) -> None:
        super().__init__(object_name, title, intro, ok_text, parent)
        self.reason = form_fields.line_field(self, "reasonField", placeholder)
        self.form.addRow("&Reason", self.reason)

    def values(self) -> dict:
        return {"reason": self.reason.text().strip()}


class MergeDialog(CaseActionDialog):
    """The number of the case this duplicate goes into, and why."""

    def __init__(self, parent: QWidget, number: str) -> None:
        super().__init__(
            "mergeDialog",
            f"Merge {number} into another case",
            f"{number} closes as a duplicate. Its interactions and attachments move to the case "
            "you name, its audit is read with that case's, and its number keeps finding it. "
            "The SLA counts from the earlier receipt of the two.",
            "Merge",
            parent,
        )
        self.survivor = form_fields.line_field(
            self, "survivorField", "Case number, e.g. 2026-00042 or 42")
        self.reason = form_fields.line_field(
            self, "reasonField", "e.g. Same caller reported it by phone and email")
        self.form.addRow("&Into case", self.survivor)
        self.form.addRow("&Reason", self.reason)

    def values(self) -> dict:
        return {"survivor": self.survivor.text().strip(), "reason": self.reason.text().strip()}
