"""One SLA clock on the case detail: time left or overdue by, due instants, state in words."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QFrame, QLabel, QWidget

from desktop_helpdesk.domain.policy import Target
from desktop_helpdesk.domain.sla import ClockReading, ClockState
from desktop_helpdesk.ui.sla_display import STATE_LOOKS, describe_remaining
from desktop_helpdesk.ui.widgets.flow_layout import FlowLayout

OBJECT_NAMES = {
    Target.ACKNOWLEDGE: "slaAcknowledge",
    Target.RESPOND: "slaRespond",
    Target.RESOLVE: "slaResolve",
}
_TIME_FORMAT = "%a %d %b %H:%M"


def desk_time(instant: datetime, desk_zone: ZoneInfo) -> str:
    """ "Mon 19 Oct 14:35 ADT": desk time with the zone's own abbreviation (AST/ADT)."""
    local = instant.astimezone(desk_zone)
    return f"{local.strftime(_TIME_FORMAT)} {local.tzname()}"


def due_text(due_at: datetime, desk_zone: ZoneInfo, local_zone=None) -> str:
    """ "Due Wed 25 Nov 11:00 AST" plus the workstation's own time when its offset differs."""
    desk = due_at.astimezone(desk_zone)
    text = f"Due {desk_time(due_at, desk_zone)}"
    local = due_at.astimezone(local_zone) if local_zone is not None else due_at.astimezone()
    if local.utcoffset() != desk.utcoffset():
        same_day = local.date() == desk.date()
        shown = local.strftime("%H:%M" if same_day else _TIME_FORMAT)
        text += f"\n({shown} your time)"
    return text


class SlaCountdown(QFrame):
    """Countdown for one target; the state shows as a coloured chip *with* its name.

    Args:
        target: which clock this widget shows.
        desk_zone: the support desk's time zone (Halifax).
        local_zone: the workstation's zone (None: the system's).
    """

    def __init__(
        self, target: Target, desk_zone: ZoneInfo, local_zone=None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._target = target
        self._desk_zone = desk_zone
        self._local_zone = local_zone
        self._reading: ClockReading | None = None
        self.setObjectName(OBJECT_NAMES[target])
        self.setAccessibleName(OBJECT_NAMES[target])
        self.setProperty("slaCard", True)
        self.setFrameShape(QFrame.Shape.StyledPanel)

        self._title = QLabel(target.label, self)
        self._title.setProperty("role", "slaTitle")
        self._state = QLabel("", self)
        self._state.setObjectName(f"{OBJECT_NAMES[target]}State")
        self._state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._state.setProperty("role", "stateChip")
        self._remaining = QLabel("—", self)
        self._remaining.setObjectName(f"{OBJECT_NAMES[target]}Remaining")
        self._remaining.setProperty("role", "slaRemaining")
        self._due = QLabel("", self)
        self._due.setProperty("role", "slaDue")
        self._due.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Wrapping lets three cards share a laptop-width detail panel.
        self._due.setWordWrap(True)
        self._remaining.setWordWrap(True)

        # The state chip follows the title, or goes under it on a narrow card: the title's
        # words are never cut.
        top = FlowLayout(spacing=6)
        top.addWidget(self._title)
        top.addWidget(self._state)
        self._layout = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self._layout.setSpacing(4)
        self._layout.addLayout(top)
        self._layout.addWidget(self._remaining, 1)
        self._layout.addWidget(self._due)
        self._compact = False
        self.set_compact(False)
        self.show_reading(None)

    def set_compact(self, compact: bool) -> None:
        """Compact: one line (name, state chip, time left) with the due and met instants in
        the tooltip, so a 768-pixel screen keeps room for the timeline; roomy: a card."""
        self._compact = compact
        self._layout.setDirection(QBoxLayout.Direction.LeftToRight if compact else QBoxLayout.Direction.TopToBottom)
        self._layout.setContentsMargins(*((8, 2, 8, 2) if compact else (10, 8, 10, 8)))
        self._layout.setSpacing(8 if compact else 4)
        self._remaining.setWordWrap(not compact)
        self._remaining.setAlignment(
            (Qt.AlignmentFlag.AlignRight if compact else Qt.AlignmentFlag.AlignLeft) | Qt.AlignmentFlag.AlignVCenter
        )
        self._due.setVisible(not compact)

    @property
    def target(self) -> Target:
        return self._target

    @property
    def reading(self) -> ClockReading | None:
        return self._reading

    def state(self) -> ClockState | None:
        return self._reading.state if self._reading is not None else None

    def state_words(self) -> str:
        """What the chip says, e.g. "Overdue" (tests and screen readers read this)."""
        return self._state.text()

    def remaining_text(self) -> str:
        return self._remaining.text()

    def show_reading(self, reading: ClockReading | None) -> None:
        """Show a clock reading (None: no case selected)."""
        self._reading = reading
        if reading is None:
            self._state.setText("")
            self._state.setVisible(False)
            self._remaining.setText("—")
            self._due.setText("")
            if self.styleSheet():
                self.setStyleSheet("")
            self.setAccessibleDescription(f"{self._target.label}: no case")
            self.setToolTip("")
            return
        look = STATE_LOOKS[reading.state]
        self._state.setVisible(True)
        self._state.setText(look.words)
        self._remaining.setText(describe_remaining(reading))
        if reading.met_at is not None:
            met = desk_time(reading.met_at, self._desk_zone)
            self._due.setText(f"Met {met}\n{due_text(reading.due_at, self._desk_zone, self._local_zone)}")
        else:
            self._due.setText(due_text(reading.due_at, self._desk_zone, self._local_zone))
        fg, bg = look.foreground.name(), look.background.name()
        # Per-state colours are data-driven, so they are set here rather than in style.qss.
        sheet = (
            f"SlaCountdown {{ border: 1px solid {fg}; border-left: 5px solid {fg};"
            f" border-radius: 6px; background: #ffffff; }}"
            f" QLabel[role='stateChip'] {{ color: {fg}; background: {bg};"
            f" border-radius: 9px; padding: 1px 8px; font-weight: 600; }}"
            f" QLabel[role='slaRemaining'] {{ color: {fg}; }}"
        )
        # Setting a style sheet re-polishes the card (milliseconds): only when the state's
        # colours change, not on every tick or case.
        if sheet != self.styleSheet():
            self.setStyleSheet(sheet)
        self.setAccessibleDescription(
            f"{self._target.label}: {look.words}, {describe_remaining(reading)}"
        )
        # The whole reading, due and met instants included (the compact line leaves them out).
        self.setToolTip(f"{self._target.label}: {look.words}, {describe_remaining(reading)}\n{self._due.text()}")
