"""How SLA clocks look: words and colours per state, durations, and readings for list rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from PySide6.QtGui import QColor

from desktop_helpdesk.domain.calendar import POLICY_CLOSE, POLICY_OPEN
from desktop_helpdesk.domain.policy import SlaPolicy, Target
from desktop_helpdesk.domain.sla import (
    BusinessCalendar,
    ClockReading,
    ClockState,
    paused_since,
    read_clock,
)
from desktop_helpdesk.services.case_list_columns import CaseRow


@dataclass(frozen=True)
class StateLook:
    """Words and colours for one clock state (never colour alone)."""

    words: str
    foreground: QColor
    background: QColor
    row_background: QColor | None


STATE_LOOKS: dict[ClockState, StateLook] = {
    ClockState.ON_TRACK: StateLook("On track", QColor("#166534"), QColor("#dcfce7"), None),
    ClockState.DUE_SOON: StateLook(
        "Due soon", QColor("#92400e"), QColor("#fef3c7"), QColor("#fff7e0")
    ),
    ClockState.BREACHED: StateLook(
        "Overdue", QColor("#991b1b"), QColor("#fee2e2"), QColor("#fde8e8")
    ),
    ClockState.MET: StateLook("Met", QColor("#1e3a8a"), QColor("#e0e7ff"), None),
    ClockState.MET_LATE: StateLook("Met late", QColor("#7c2d12"), QColor("#ffedd5"), None),
    ClockState.PAUSED: StateLook("Paused", QColor("#5b21b6"), QColor("#ede9fe"), None),
}

# One business day of the policy's opening hours, in minutes (8:00-16:30: 510).
BUSINESS_DAY_MINUTES = (
    POLICY_CLOSE.hour * 60 + POLICY_CLOSE.minute - POLICY_OPEN.hour * 60 - POLICY_OPEN.minute
)

_SHORT_TARGETS = {Target.ACKNOWLEDGE: "Ack", Target.RESPOND: "Respond", Target.RESOLVE: "Resolve"}

# Worst first: the row takes the look of its most urgent running clock.
_URGENCY = (ClockState.BREACHED, ClockState.DUE_SOON, ClockState.ON_TRACK, ClockState.PAUSED)


def format_duration(amount: timedelta) -> str:
    """A business duration as people read it: "45m", "3h 05m", and from one business day
    (8.5 h, the policy's 8:00-16:30) on, business days and hours: "24d 4h" rather than
    "208h" (sign dropped)."""
    minutes = int(abs(amount).total_seconds() // 60)
    if minutes >= BUSINESS_DAY_MINUTES:
        # Minutes stop mattering once more than a business day is at stake.
        days, rest = divmod(minutes, BUSINESS_DAY_MINUTES)
        return f"{days}d {rest // 60}h"
    hours, minutes = divmod(minutes, 60)
    if hours == 0:
        return f"{minutes}m"
    return f"{hours}h {minutes:02d}m"


def describe_remaining(reading: ClockReading) -> str:
    """ "2h 10m left", "overdue by 25m", "met 1h 05m early" and so on."""
    if reading.state is ClockState.MET:
        return "met on time"
    if reading.state is ClockState.MET_LATE:
        return f"met {format_duration(reading.remaining)} late"
    if reading.remaining < timedelta(0):
        return f"overdue by {format_duration(reading.remaining)}"
    if reading.state is ClockState.PAUSED:
        return f"paused, {format_duration(reading.remaining)} left"
    return f"{format_duration(reading.remaining)} left"


@dataclass(frozen=True)
class RowSla:
    """The list's view of a case's clocks at one instant: the next target and the row's state."""

    target: Target | None
    reading: ClockReading | None
    row_state: ClockState | None

    @property
    def text(self) -> str:
        """Long form for tooltips: "Acknowledge: 20m left"."""
        if self.target is None or self.reading is None:
            return "—"
        return f"{self.target.label}: {describe_remaining(self.reading)}"

    @property
    def short_text(self) -> str:
        """Compact form for the list column, state in words first: "Due soon · Ack 20m left"."""
        if self.target is None or self.reading is None:
            return "—"
        reading = self.reading
        words = STATE_LOOKS[reading.state].words
        name = _SHORT_TARGETS[self.target]
        if reading.remaining < timedelta(0):
            return f"{words} · {name} {format_duration(reading.remaining)} late"
        return f"{words} · {name} {format_duration(reading.remaining)} left"

    @property
    def compact_text(self) -> str:
        """The list column on a laptop: the state word only where the rest does not already
        say it ("Resolve 24d 6h late" is overdue, "Ack 40m left" on track), so never by
        colour alone: "Due soon · Ack 20m" (due soon is never late), "Paused · 2d 3h left"."""
        if self.target is None or self.reading is None:
            return "—"
        reading = self.reading
        name = _SHORT_TARGETS[self.target]
        if reading.remaining < timedelta(0) and reading.state is ClockState.BREACHED:
            return f"{name} {format_duration(reading.remaining)} late"
        if reading.state is ClockState.ON_TRACK:
            return f"{name} {format_duration(reading.remaining)} left"
        if reading.state is ClockState.DUE_SOON and reading.remaining >= timedelta(0):
            return f"{STATE_LOOKS[reading.state].words} · {name} {format_duration(reading.remaining)}"
        if reading.state is ClockState.PAUSED:
            # Only the resolution clock pauses (waiting on the client): the name adds nothing.
            side = "late" if reading.remaining < timedelta(0) else "left"
            return f"{STATE_LOOKS[reading.state].words} · {format_duration(reading.remaining)} {side}"
        return self.short_text


class SlaReader:
    """Reads a case's clocks from its row without touching the database (safe for the tick).

    Args:
        calendar: business calendar (with closures) loaded when the list was refreshed.
        policy: budgets per priority and target.
        due_soon_share: share of a budget after which a running clock is due soon.
    """

    def __init__(self, calendar: BusinessCalendar, policy: SlaPolicy, due_soon_share: float) -> None:
        self.calendar = calendar
        self.policy = policy
        self.due_soon_share = due_soon_share

    def read(self, row: CaseRow, target: Target, now: datetime) -> ClockReading:
        """One clock of a list row (or a case detail's ``row``) at ``now`` (a paused clock is frozen)."""
        return read_clock(
            self.calendar,
            target=target,
            due_at=row.due_at(target),
            now=now,
            budget=self.policy.budget(row.priority, target),
            met_at=row.met_at(target),
            paused_since=paused_since(target, row.resolve_paused_at),
            due_soon_share=self.due_soon_share,
        )

    def read_all(self, row: CaseRow, now: datetime) -> dict[Target, ClockReading]:
        """All three clocks of ``row``."""
        return {target: self.read(row, target, now) for target in Target}

    def row_sla(self, row: CaseRow, now: datetime) -> RowSla:
        """The next unmet clock and the most urgent state among the running ones."""
        if not row.is_open:
            return RowSla(None, None, None)
        readings = [self.read(row, t, now) for t in Target if row.met_at(t) is None]
        if not readings:
            return RowSla(None, None, None)
        states = {reading.state for reading in readings}
        row_state = next((state for state in _URGENCY if state in states), None)
        running = [r for r in readings if r.state is not ClockState.PAUSED] or readings
        shown = min(running, key=lambda r: r.due_at)
        return RowSla(shown.target, shown, row_state)
