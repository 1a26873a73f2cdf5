"""Top of the case detail: number, status and priority chips, subject and the case's facts."""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from desktop_helpdesk.domain.cases import CaseStatus
from desktop_helpdesk.domain.phone_calls import tel_url
from desktop_helpdesk.domain.policy import Priority, RequestedPriority
from desktop_helpdesk.services.dto import CaseDetail
from desktop_helpdesk.ui.form_fields import named
from desktop_helpdesk.ui.widgets.flow_layout import FlowLayout
from desktop_helpdesk.ui.widgets.message_bar import restyle

_TIME = "%a %d %b %Y %H:%M"


class CaseHeader(QWidget):
    """Who, what and since when, read-only and selectable (numbers are read out on the phone).

    Signals:
        dial_requested(str): the contact's phone number link was clicked (the number as stored).

    Args:
        zone: the desk's time zone, for the received and waiting instants.
    """

    dial_requested = Signal(str)

    def __init__(self, zone: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zone = zone
        self.number_label = QLabel("", self)
        self.number_label.setObjectName("detailNumber")
        self.number_label.setProperty("role", "caseNumber")
        self.number_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_chip = QLabel("", self)
        self.status_chip.setObjectName("detailStatus")
        self.status_chip.setProperty("role", "statusChip")
        self.priority_chip = QLabel("", self)
        self.priority_chip.setObjectName("detailPriority")
        self.priority_chip.setProperty("role", "priorityChip")
        self.category_chip = QLabel("", self)
        self.category_chip.setObjectName("detailCategory")
        self.category_chip.setProperty("role", "statusChip")
        self.category_chip.setToolTip("Category (change it on the Details tab)")
        self.category_chip.hide()
        self.subject_label = QLabel("", self)
        self.subject_label.setObjectName("detailSubject")
        self.subject_label.setProperty("role", "caseSubject")
        self.subject_label.setWordWrap(True)
        # Number and chips at their full size, wrapping onto a second line in a narrow pane
        # rather than clipping the number or a chip's words.
        self._chips_row = header = FlowLayout(spacing=8)
        header.addWidget(self.number_label)
        header.addWidget(self.status_chip)
        header.addWidget(self.priority_chip)
        header.addWidget(self.category_chip)

        self.info = {}
        self._captions: list[QLabel] = []
        self._info_grid = info_grid = QGridLayout()
        info_grid.setHorizontalSpacing(16)
        info_grid.setVerticalSpacing(2)
        for position, (key, title) in enumerate(
            (
                ("client", "Client"),
                ("contact", "Contact"),
                ("assignee", "Assignee"),
                ("received", "Received"),
                ("channel", "Came in by"),
                ("waiting", "Waiting on"),
            )
        ):
            caption = QLabel(title, self)
            caption.setProperty("role", "caption")
            value = QLabel("", self)
            value.setObjectName(f"detail_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            row, col = divmod(position, 2)
            info_grid.addWidget(caption, row * 2, col)
            info_grid.addWidget(value, row * 2 + 1, col)
            self.info[key] = value
            self._captions.append(caption)
        # The contact's phone number is a tel: link: a click dials it through the softphone.
        self.info["contact"].setTextFormat(Qt.TextFormat.RichText)
        self.info["contact"].setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.info["contact"].linkActivated.connect(self._on_contact_link_activated)
        # The email address under the name and number: one long word a narrow pane elides
        # (the whole address in its tooltip) rather than cutting it at the pane's edge.
        self.email_label = ElidingLabel(self)
        self.email_label.setObjectName("detail_email")
        contact_cell = info_grid.itemAtPosition(1, 1).widget()
        info_grid.removeWidget(contact_cell)
        contact_box = QVBoxLayout()
        contact_box.setSpacing(0)
        contact_box.addWidget(contact_cell)
        contact_box.addWidget(self.email_label)
        info_grid.addLayout(contact_box, 1, 1)
        self._contact_box = contact_box
        self._phone = ""
        self._compact = False
        self._priority_words = ("", "")

        self._layout = layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addWidget(self.subject_label)
        layout.addLayout(info_grid)
        self.local_label = QLabel("", self)
        named(self.local_label, "detailClientLocal")
        self.local_label.setProperty("role", "caption")
        self.local_label.setWordWrap(True)
        self.local_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.local_label.hide()
        layout.addWidget(self.local_label)

    def show_case(self, detail: CaseDetail) -> None:
        """Fill in the case's number, chips, subject and facts."""
        self.number_label.setText(detail.number)
        self.subject_label.setText(detail.subject)
        status = CaseStatus(detail.status)
        self.status_chip.setText(status.label)
        self.status_chip.setProperty("status", status.value)
        priority = Priority(detail.effective_priority)
        requested = RequestedPriority(detail.requested_priority)
        asked = f" (asked {requested.label})" if requested.value != priority.value else ""
        self._priority_words = (f"{priority.label} priority{asked}", f"{priority.label}{asked}")
        self._show_priority_words()
        self.priority_chip.setProperty("priority", priority.value)
        for chip in (self.status_chip, self.priority_chip):
            restyle(chip)
        self._phone = detail.contact_phone
        phone = (
            # Never broken across lines: a number read out on the phone must stay whole.
            f'<a href="{escape(tel_url(detail.contact_phone))}">'
            f"{isolate(escape(unbreakable(detail.contact_phone)))}</a>"
            if detail.contact_phone else ""
        )
        contact = " · ".join(
            part
            for part in (isolate(escape(detail.contact_name)), phone)
            if part
        )
        self.email_label.set_full_text(detail.contact_email)
        self.email_label.setVisible(bool(detail.contact_email))
        self.info["client"].setText(
            isolate(detail.client_name)
            + (f"  (account manager {isolate(detail.account_manager)})" if detail.account_manager else "")
        )
        self.info["contact"].setText(contact or "—")
        self.info["assignee"].setText(isolate(detail.assignee_name) if detail.assignee_name else "Unassigned")
        received = detail.received_at.astimezone(self._zone)
        self.info["received"].setText(f"{received.strftime(_TIME)} {received.tzname()}")
        self.info["channel"].setText(detail.channel.capitalize())
        escalation = detail.open_escalation
        if escalation is not None:
            since = escalation.escalated_at.astimezone(self._zone).strftime(_TIME)
            waiting = f"{isolate(escalation.target_name)} since {since}"
            if escalation.expected_reply_at is not None:
                expected = escalation.expected_reply_at.astimezone(self._zone).strftime(_TIME)
                waiting += f" (reply expected {expected})"
        elif detail.waiting_on:
            since = detail.waiting_since.astimezone(self._zone).strftime(_TIME) if detail.waiting_since else ""
            waiting = f"{isolate(detail.waiting_on)} since {since}".strip()
        else:
            waiting = "—"
        self.info["waiting"].setText(waiting)
        # A chip beside the priority, not a fact row: the header must fit a 768-pixel screen.
        self.category_chip.setText(detail.category_name)
        self.category_chip.setVisible(bool(detail.category_name))

    def set_compact(self, compact: bool) -> None:
        """Compact: the priority chip says "High" (the chip's tooltip says "High priority"),
        so the number and both chips share one line in a laptop-width pane."""
        self._compact = compact
        self._show_priority_words()
        # Compact: each fact on its own line beside its caption (a narrow pane's two columns
        # would wrap the client's name over five lines and push the timeline out of view).
        grid = self._info_grid
        cells = [self.info["client"], self._contact_box, self.info["assignee"], self.info["received"],
                 self.info["channel"], self.info["waiting"]]
        for position, (caption, cell) in enumerate(zip(self._captions, cells, strict=True)):
            row, col = (position, 0) if compact else (divmod(position, 2)[0] * 2, position % 2)
            grid.removeWidget(caption)
            grid.addWidget(caption, row, col, Qt.AlignmentFlag.AlignTop if compact else Qt.AlignmentFlag(0))
            value_at = (position, 1) if compact else (row + 1, col)
            if isinstance(cell, QLabel):
                grid.removeWidget(cell)
                grid.addWidget(cell, *value_at)
            else:
                grid.removeItem(cell)
                grid.addLayout(cell, *value_at)
        grid.setColumnStretch(0, 0)
        grid.setColumnStretch(1, 1 if compact else 0)
        grid.setHorizontalSpacing(8 if compact else 16)
        grid.setVerticalSpacing(1 if compact else 2)
        self._layout.setSpacing(3 if compact else 6)
        self._chips_row.setSpacing(4 if compact else 8)

    def _show_priority_words(self) -> None:
        full, short = self._priority_words
        self.priority_chip.setText(short if self._compact else full)
        self.priority_chip.setToolTip(full)

    def _on_contact_link_activated(self, _link: str) -> None:
        if self._phone:
            self.dial_requested.emit(self._phone)

    def show_client_situation(self, text: str, *, holiday: bool) -> None:
        """The client's local time (and public holiday, holiday cover) when they are abroad."""
        self.local_label.setText(f"Client's local time: {text}" if text else "")
        # Red like a breach: on their holiday nobody may be there to take the call.
        self.local_label.setStyleSheet("color: #b91c1c; font-weight: 600;" if holiday else "")
        self.local_label.setVisible(bool(text))

class ElidingLabel(QLabel):
    """A one-line label that elides its text in the middle to its width, the whole text in its
    tooltip (an email address is one word: wrapping cannot help a narrow pane)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + 2, hint.height())

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(self.fontMetrics().horizontalAdvance("…") * 4, hint.height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = self.contentsRect().width()
        self.setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideMiddle, width)
                     if width > 0 else self._full)


def unbreakable(text: str) -> str:
    """``text`` with no-break spaces and hyphens, so a word-wrapped label never breaks it.

    Example:
        >>> unbreakable("+1 902-555 0143") == "+1\u00a0902\u2011555\u00a00143"
        True
    """
    return text.replace(" ", "\u00a0").replace("-", "\u2011")


def isolate(text: str) -> str:
    """``text`` as a bidirectional isolate (FSI ... PDI): a right-to-left name then keeps to
    itself and cannot reorder the phone number or words printed beside it.

    Example:
        >>> isolate("سارة") == "\u2068سارة\u2069"
        True
    """
    return f"\u2068{text}\u2069" if text else text
