"""The strip under the window while the agent is on an outbound call: who, how long, End call."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop_helpdesk.services.phone_calls import PhoneCallInfo
from desktop_helpdesk.ui.form_fields import role_label
from desktop_helpdesk.ui.resources import icon


def call_duration_text(seconds: int) -> str:
    """``mm:ss`` (``h:mm:ss`` from an hour on), as the intake's call timer shows it."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


class OutboundCallRow(QWidget):
    """One call in progress: the callee, the case, a running timer, what was said, End call.

    Signals:
        end_requested(int, str): log the call (its id) with this summary.
        cancel_requested(int): nobody answered (its id).
    """

    end_requested = Signal(int, str)
    cancel_requested = Signal(int)

    def __init__(self, call: PhoneCallInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.call = call
        self.setObjectName(f"outboundCall{call.id}")
        self.title = QLabel(self)
        self.title.setObjectName("outboundCallTitle")
        who = call.contact_name or call.number
        self.title.setText(f"<b>On the phone with {who}</b> ({call.number}) · case {call.case_number}")
        self.timer_label = QLabel("00:00", self)
        self.timer_label.setObjectName("outboundCallTimer")
        self.timer_label.setProperty("role", "callTimer")
        self.summary_field = QLineEdit(self)
        self.summary_field.setObjectName("outboundCallSummary")
        self.summary_field.setPlaceholderText("What was said — Enter logs the call with its duration")
        self.summary_field.returnPressed.connect(self.end)
        self.end_button = QPushButton(icon("phone"), "End call and log", self)
        self.end_button.setObjectName("endCallButton")
        self.end_button.setProperty("accent", True)
        self.end_button.clicked.connect(self.end)
        self.cancel_button = QPushButton("No answer", self)
        self.cancel_button.setObjectName("noAnswerButton")
        self.cancel_button.setToolTip("Nobody answered: nothing is logged on the case")
        self.cancel_button.clicked.connect(lambda: self.cancel_requested.emit(self.call.id))
        self.error_label = role_label(self, "", "hint", "outboundCallError")
        self.error_label.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.title)
        row.addWidget(self.timer_label)
        row.addWidget(self.summary_field, 1)
        row.addWidget(self.error_label)
        row.addWidget(self.end_button)
        row.addWidget(self.cancel_button)

    def on_ticked(self, now: datetime) -> None:
        self.timer_label.setText(call_duration_text(int((now - self.call.started_at).total_seconds())))

    def end(self) -> None:
        if not self.summary_field.text().strip():
            self.show_error("Say in a line what was said")
            self.summary_field.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.set_busy(True)
        self.end_requested.emit(self.call.id, self.summary_field.text())

    def set_busy(self, busy: bool) -> None:
        for widget in (self.end_button, self.cancel_button, self.summary_field):
            widget.setEnabled(not busy)

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()


class OutboundCallBar(QWidget):
    """The outbound calls in progress, one row each (its owner hides it when there are none).

    Signals:
        end_requested(int, str), cancel_requested(int): from a row.
    """

    end_requested = Signal(int, str)
    cancel_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outboundCallBar")
        self._rows: dict[int, OutboundCallRow] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(0)

    def add_call(self, call: PhoneCallInfo, now: datetime) -> OutboundCallRow:
        if call.id in self._rows:
            return self._rows[call.id]
        row = OutboundCallRow(call, self)
        row.end_requested.connect(self.end_requested)
        row.cancel_requested.connect(self.cancel_requested)
        row.on_ticked(now)
        self._rows[call.id] = row
        self._layout.addWidget(row)
        row.summary_field.setFocus(Qt.FocusReason.OtherFocusReason)
        return row

    def remove_call(self, call_id: int) -> None:
        row = self._rows.pop(call_id, None)
        if row is not None:
            row.hide()
            row.deleteLater()

    def row(self, call_id: int) -> OutboundCallRow | None:
        return self._rows.get(call_id)

    def call_ids(self) -> list[int]:
        return list(self._rows)

    def on_ticked(self, now: datetime) -> None:
        for row in self._rows.values():
            row.on_ticked(now)
