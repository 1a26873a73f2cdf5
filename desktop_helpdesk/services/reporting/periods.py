"""Which cases a report covers and how its rows are grouped: date ranges, filters, periods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from desktop_helpdesk.domain.policy import LabelledEnum
from desktop_helpdesk.domain.sla import BusinessCalendar


class Grouping(LabelledEnum):
    """How report rows are grouped."""

    # Labelled as the report's first column is headed.
    NONE = "all", "All cases"
    PRIORITY = "priority"
    MEMBER = "member", "Team member"
    CLIENT = "client"
    CHANNEL = "channel"
    CATEGORY = "category"
    DAY = "day"
    WEEK = "week", "Week of"
    MONTH = "month"

    @property
    def is_period(self) -> bool:
        return self in (Grouping.DAY, Grouping.WEEK, Grouping.MONTH)


@dataclass(frozen=True)
class DateRange:
    """An inclusive range of Halifax calendar dates.

    Raises:
        ValueError: if ``end`` is before ``start``.
    """

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"date range ends ({self.end}) before it starts ({self.start})")

    def utc_bounds(self, calendar: BusinessCalendar) -> tuple[datetime, datetime]:
        """The UTC instants of local midnight starting ``start`` and ending ``end``."""
        zone = calendar.zone
        first = datetime.combine(self.start, time(0), tzinfo=zone)
        after = datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=zone)
        return first.astimezone(UTC), after.astimezone(UTC)

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def describe(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


@dataclass(frozen=True)
class ReportFilter:
    """Which cases a report covers: received within ``dates``, optionally narrowed."""

    dates: DateRange
    priority: str | None = None
    member_id: int | None = None
    client_id: int | None = None
    channel: str | None = None
    category_id: int | None = None


def period_start(day: date, grouping: Grouping, not_before: date | None = None) -> date:
    """The first day of the period (day, ISO week, month) containing ``day``, no earlier
    than ``not_before`` (a report's first day: a 1-30 November report's first week starts
    on 1 November, not on Monday 26 October, outside the report).

    Example:
        >>> period_start(date(2026, 11, 1), Grouping.WEEK), period_start(
        ...     date(2026, 11, 1), Grouping.WEEK, not_before=date(2026, 11, 1))
        (datetime.date(2026, 10, 26), datetime.date(2026, 11, 1))
    """
    if grouping is Grouping.WEEK:
        start = day - timedelta(days=day.weekday())
    elif grouping is Grouping.MONTH:
        start = day.replace(day=1)
    else:
        start = day
    return max(start, not_before) if not_before is not None else start


def period_starts(dates: DateRange, grouping: Grouping) -> list[date]:
    """Every period start touching ``dates``, in order (empty periods included)."""
    seen: list[date] = []
    for day in dates.days():
        start = period_start(day, grouping, not_before=dates.start)
        if not seen or seen[-1] != start:
            seen.append(start)
    return seen
