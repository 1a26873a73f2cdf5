"""Desktop notifications when one of my cases turns due soon or overdue (business hours only)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from desktop_helpdesk.domain.sla import BusinessCalendar
from desktop_helpdesk.services.case_queries import Queue

_RANK = {Queue.DUE_SOON: 1, Queue.OVERDUE: 2}


class SlaNotifier:
    """Raises one notification per case and crossing (into due soon, into overdue).

    The first observation is the baseline: cases already late when the app starts are shown
    by the queue counts, not by a burst of pop-ups.

    Args:
        show: ``show(title, message)``, e.g. ``QSystemTrayIcon.showMessage`` (faked in tests).
    """

    def __init__(self, show: Callable[[str, str], None]) -> None:
        self._show = show
        self._known: dict[int, Queue] | None = None
        self.sent: list[tuple[int, Queue]] = []

    @property
    def last_case_id(self) -> int | None:
        """The case of the latest notification (clicking the message opens it)."""
        return self.sent[-1][0] if self.sent else None

    def observe(
        self, attention: dict[int, tuple[str, str, Queue]], now: datetime, calendar: BusinessCalendar
    ) -> None:
        """Compare with the previous observation and notify new crossings.

        Args:
            attention: ``CaseQueries.attention`` for the signed-in member.
            now: the current instant.
            calendar: tells whether the desk is open (no pop-ups at night).
        """
        previous = self._known
        self._known = {case_id: queue for case_id, (_n, _s, queue) in attention.items()}
        # Outside business hours crossings are recorded as seen; the morning shows the counts.
        if previous is None or not calendar.is_open(now):
            return
        for case_id, (number, subject, queue) in attention.items():
            before = previous.get(case_id)
            if before is not None and _RANK[before] >= _RANK[queue]:
                continue
            self.sent.append((case_id, queue))
            if queue is Queue.OVERDUE:
                self._show(f"Case {number} is overdue", subject)
            else:
                self._show(f"Case {number} is due soon", subject)
