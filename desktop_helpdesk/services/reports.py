"""Supervisor reports computed from stored case events in business time (no Qt).

Every report is a plain dataclass with a ``table()`` method giving a generic ``ReportTable``
(title, filters used, typed columns, rows), so CSV, XLSX and PDF exports share one code path.

Definitions used throughout (the tests check figures against these by hand):

* **Business time** is ``BusinessCalendar.elapsed`` (Mon-Fri 08:00-16:30 Halifax, minus holidays
  and closures). ``BusinessCalendar.business_positions`` gives the same figures in O(log days)
  per instant, for whole batches of stored instants.
* **Outcome of one SLA target at ``as_of``**: *met on time* when met at or before ``as_of`` and
  no business time passed between the due and met instants (a reply at 20:00 to a target due
  at 16:30 that day is on time); *met late* when met with business time past due; *breached*
  when unmet at ``as_of`` and business time has passed beyond the due instant; *still open*
  when unmet and not yet breached. A paused resolution clock (waiting on client) is judged at
  the instant the pause began, so waiting on the client never breaches the target.
* **Percentages** are fractions in ``[0, 1]``: each outcome's share is its count divided by the
  number of cases in the group (the four shares add up to 1); *compliance* is met on time
  divided by decided targets (on time + late + breached), ``None`` when nothing was decided.
* **Percentiles** use the nearest-rank method: the p-th percentile of n sorted values is the
  value at 1-based rank ``ceil(p * n / 100)``. The median is the 50th percentile, so for an
  even count it is the lower of the two middle values (always an observed duration).
* **Time to acknowledge / respond** is business time from ``received_at`` to the met instant;
  **time to resolve** is the same less the business time the resolution clock was paused
  waiting on the client (ended pauses recorded in ``SlaPauseRecord.business_seconds``).
* **Periods** group cases by the Halifax date they were received: day, ISO week (labelled by
  its Monday) or month (labelled by its first day). Empty periods are listed with zeros.
* **Waiting on others**: an escalation waits from ``escalated_at`` to ``answered_at`` (or
  ``as_of``); waiting on the client from a pause's start to its end (or ``as_of``).
* **Backlog** at the end of a day counts cases received by then and neither resolved nor
  closed by then (stored instants; a reopened case's earlier resolution was cleared).
* Stored instants are read as whole epoch seconds computed by SQLite, so outcomes are
  judged to the second.
"""

from __future__ import annotations

import bisect
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from peewee import SqliteDatabase, fn

from desktop_helpdesk.domain.cases import (
    OPEN_STATUS_VALUES,
    Availability,
    CaseStatus,
    EscalationTarget,
    IntakeChannel,
    InteractionChannel,
)
from desktop_helpdesk.domain.clock import Clock
from desktop_helpdesk.domain.policy import Priority
from desktop_helpdesk.domain.sla import BusinessCalendar, Target
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.permissions import Actions, acting_member, require
from desktop_helpdesk.storage.db import database
from desktop_helpdesk.storage.records import (
    CaseRecord,
    CategoryRecord,
    ClientRecord,
    EscalationRecord,
    InteractionRecord,
    SlaPauseRecord,
    TeamMemberRecord,
)
from desktop_helpdesk.storage.target_columns import DUE_COLUMNS, MET_COLUMNS

TARGETS: tuple[Target, ...] = (Target.ACKNOWLEDGE, Target.RESPOND, Target.RESOLVE)
TARGET_LABELS = {t: t.label for t in TARGETS}
CHANNEL_LABELS = {c.value: c.label for c in IntakeChannel}
AVAILABILITY_LABELS = {a.value: a.label for a in Availability}
UNASSIGNED_LABEL = "Unassigned"
UNCATEGORISED_LABEL = "No category"
_INTERACTION_CHANNELS = frozenset(c.value for c in InteractionChannel)
_NAIVE_EPOCH = datetime(1970, 1, 1)
_HOUR = 3600.0


class ColumnKind(StrEnum):
    """How a report cell is typed in exports."""

    TEXT = "text"
    INTEGER = "integer"
    PERCENT = "percent"  # a fraction in [0, 1]
    HOURS = "hours"  # business hours as a float
    DATE = "date"
    MONTH = "month"  # a date on the first of its month
    DATETIME = "datetime"  # an aware UTC datetime, shown in Halifax time


@dataclass(frozen=True)
class Column:
    """One column of a report table: its header and cell type."""

    header: str
    kind: ColumnKind = ColumnKind.TEXT


@dataclass(frozen=True)
class ReportTable:
    """The generic tabular form of every report (and of case lists) that exports consume."""

    title: str
    filters: tuple[tuple[str, str], ...]
    columns: tuple[Column, ...]
    rows: list[tuple[Any, ...]]
    generated_at: datetime


class Grouping(StrEnum):
    """How report rows are grouped."""

    NONE = "all"
    PRIORITY = "priority"
    MEMBER = "member"
    CLIENT = "client"
    CHANNEL = "channel"
    CATEGORY = "category"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"

    @property
    def label(self) -> str:
        return _GROUPING_HEADERS[self]

    @property
    def is_period(self) -> bool:
        return self in (Grouping.DAY, Grouping.WEEK, Grouping.MONTH)


_GROUPING_HEADERS = {
    Grouping.NONE: "All cases",
    Grouping.PRIORITY: "Priority",
    Grouping.MEMBER: "Team member",
    Grouping.CLIENT: "Client",
    Grouping.CHANNEL: "Channel",
    Grouping.CATEGORY: "Category",
    Grouping.DAY: "Day",
    Grouping.WEEK: "Week of",
    Grouping.MONTH: "Month",
}


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


def nearest_rank(sorted_values: Sequence[float], percentile: int) -> float | None:
    """The nearest-rank percentile of already sorted values.

    Args:
        sorted_values: values in ascending order.
        percentile: 1..100.

    Returns:
        The value at 1-based rank ``ceil(percentile * n / 100)``, or None when empty.

    Example:
        ``nearest_rank([1, 2, 3, 4], 50) == 2`` and ``nearest_rank([1, 2, 3, 4], 90) == 4``.
    """
    count = len(sorted_values)
    if count == 0:
        return None
    rank = max(1, -(-percentile * count // 100))
    return sorted_values[rank - 1]


def share(part: int, whole: int) -> float | None:
    """A percentage as a fraction.

    Args:
        part: the count of interest.
        whole: the count it is a share of.

    Returns:
        ``part / whole``, or None when ``whole`` is zero (nothing to divide).
    """
    return part / whole if whole else None


def epoch_seconds(value: Any) -> float | None:
    """Seconds since 1970 UTC of a stored instant.

    Args:
        value: SQLite text (naive UTC), a naive UTC datetime (PostgreSQL) or an aware one.

    Returns:
        Epoch seconds, or None for None.
    """
    if value is None:
        return None
    if isinstance(value, str):
        # Stored as naive UTC text; fromisoformat is ~20x faster than strptime on 100k rows.
        return (datetime.fromisoformat(value) - _NAIVE_EPOCH).total_seconds()
    if value.tzinfo is not None:
        return value.timestamp()
    return (value - _NAIVE_EPOCH).total_seconds()


def utc_from_epoch(seconds: float) -> datetime:
    """The aware UTC datetime of epoch ``seconds``."""
    return datetime.fromtimestamp(seconds, UTC)


def stored_instant(value: Any) -> datetime | None:
    """An aware UTC datetime from a raw stored instant (SQLite text or a datetime)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class BusinessTimeIndex:
    """Business positions and Halifax dates of instants given as epoch seconds.

    Business positions come from ``BusinessCalendar.business_position(s)``, so
    ``index.position(b) - index.position(a) == calendar.elapsed(a, b)`` (as seconds), with
    holidays, closures and daylight saving from the one place that defines them. What the
    index adds is a table of local midnights, so the local date of an instant is one binary
    search instead of a time-zone conversion per case. It grows on demand.
    """

    def __init__(self, calendar: BusinessCalendar, first_day: date, last_day: date) -> None:
        self._zone = calendar.zone
        self._days: list[date] = []
        self._starts: list[float] = []  # epoch of local midnight per day
        # The calendar's own bound methods: the report loops call them per late target, so no
        # wrapper layer in between.
        self.position = calendar.business_position
        self.positions = calendar.business_positions
        self._build(first_day - timedelta(days=1), last_day + timedelta(days=1))

    def _build(self, first_day: date, last_day: date) -> None:
        days, starts = [], []
        day = first_day
        while day <= last_day:
            days.append(day)
            starts.append(datetime.combine(day, time(0), tzinfo=self._zone).timestamp())
            day += timedelta(days=1)
        self._days, self._starts = days, starts

    def _ensure(self, seconds: float) -> None:
        if self._starts[0] <= seconds < self._starts[-1] + 86_400:
            return
        local_day = utc_from_epoch(seconds).astimezone(self._zone).date()
        first = min(self._days[0], local_day) - timedelta(days=31)
        last = max(self._days[-1], local_day) + timedelta(days=31)
        self._build(first, last)

    def local_date(self, seconds: float) -> date:
        """The Halifax calendar date of the instant ``seconds`` (epoch)."""
        starts = self._starts
        if not starts[0] <= seconds < starts[-1]:
            self._ensure(seconds)
            starts = self._starts
        return self._days[bisect.bisect_right(starts, seconds) - 1]

    def elapsed_hours(self, start: float, end: float) -> float:
        """Business hours between two instants given as epoch seconds."""
        return (self.position(end) - self.position(start)) / _HOUR


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


# ---------------------------------------------------------------------------------------------
# Loading cases: one query, raw values, converted once.


@dataclass(slots=True)
class _CaseFacts:
    """The columns reports need for one case: instants as epoch seconds, per-target values as
    tuples in ``TARGETS`` order, and their business positions once ``_attach_positions`` ran."""

    case_id: int
    number: str
    priority: str
    channel: str
    status: str
    assignee_id: int | None
    client_id: int
    received: float
    due: tuple[float, float, float]
    met: tuple[float | None, float | None, float | None]
    paused: float | None
    closed: float | None
    received_pos: float = 0.0
    due_pos: tuple[float, float, float] = (0.0, 0.0, 0.0)
    met_pos: tuple = (None, None, None)
    paused_pos: float | None = None
    category_id: int | None = None


_CASE_COLUMNS = (
    CaseRecord.id,
    CaseRecord.number,
    CaseRecord.effective_priority,
    CaseRecord.channel,
    CaseRecord.status,
    CaseRecord.assignee,
    CaseRecord.client,
    CaseRecord.category,
)
_CASE_INSTANTS = (
    CaseRecord.received_at,
    *DUE_COLUMNS,
    *MET_COLUMNS,
    CaseRecord.resolve_paused_at,
    CaseRecord.closed_at,
)


def raw_rows(query) -> list[tuple]:
    """Run a peewee query and return raw DB-API rows, skipping per-field Python conversion."""
    sql, params = query.sql()
    return database.execute_sql(sql, params).fetchall()


def epoch_sql(column):
    """SQL giving a stored instant as epoch seconds, computed by the database engine.

    Parsing 900,000 timestamps in Python costs about a second; the engine does it in C.
    SQLite 3.38+ ``unixepoch`` gives whole seconds (reports judge outcomes to the second:
    a reply within the same second as its due instant is on time); older SQLite falls back to
    ``julianday``, rounded to the millisecond because it carries ~10 microseconds of error.
    """
    if isinstance(database.obj, SqliteDatabase):
        if sqlite3.sqlite_version_info >= (3, 38, 0):
            return fn.unixepoch(column)
        return fn.ROUND((fn.julianday(column) - 2440587.5) * 86400.0, 3)
    return fn.date_part("epoch", column)


def _load_cases(where, index: BusinessTimeIndex | None = None) -> list[_CaseFacts]:
    """Load the cases matching ``where`` in one query (and their business positions)."""
    query = (CaseRecord.select(*_CASE_COLUMNS, *(epoch_sql(c) for c in _CASE_INSTANTS))
             .where(where).order_by(CaseRecord.id))
    facts = []
    append = facts.append
    for row in raw_rows(query):
        (case_id, number, priority, channel, status, assignee, client, category, received,
         ack_due, resp_due, res_due, ack_at, resp_at, res_at, paused, closed) = row
        append(_CaseFacts(case_id, number, priority, channel, status, assignee, client,
                          received, (ack_due, resp_due, res_due), (ack_at, resp_at, res_at),
                          paused, closed, category_id=category))
    if index is not None:
        _attach_positions(index, facts)
    return facts


def _attach_positions(index: BusinessTimeIndex, cases: list[_CaseFacts]) -> None:
    flat: list[float | None] = []
    extend = flat.extend
    for case in cases:
        extend((case.received, *case.due, *case.met, case.paused))
    positions = index.positions(flat)
    for number, case in enumerate(cases):
        at = number * 8
        case.received_pos = positions[at]
        case.due_pos = tuple(positions[at + 1:at + 4])
        case.met_pos = tuple(positions[at + 4:at + 7])
        case.paused_pos = positions[at + 7]


def _filter_condition(calendar: BusinessCalendar, report_filter: ReportFilter):
    start, end = report_filter.dates.utc_bounds(calendar)
    condition = (CaseRecord.received_at >= start) & (CaseRecord.received_at < end)
    if report_filter.priority:
        condition &= CaseRecord.effective_priority == report_filter.priority
    if report_filter.member_id is not None:
        condition &= CaseRecord.assignee == report_filter.member_id
    if report_filter.client_id is not None:
        condition &= CaseRecord.client == report_filter.client_id
    if report_filter.channel:
        condition &= CaseRecord.channel == report_filter.channel
    if report_filter.category_id is not None:
        condition &= CaseRecord.category == report_filter.category_id
    return condition


def _names(model, column) -> dict[int, str]:
    return dict(raw_rows(model.select(model.id, column)))


class Outcome(StrEnum):
    """The result of one SLA target at the report instant."""

    MET_ON_TIME = "met_on_time"
    MET_LATE = "met_late"
    BREACHED = "breached"
    STILL_OPEN = "still_open"


OUTCOME_LABELS = {
    Outcome.MET_ON_TIME: "Met on time",
    Outcome.MET_LATE: "Met late",
    Outcome.BREACHED: "Breached",
    Outcome.STILL_OPEN: "Still open",
}


_OUTCOME_ORDER = (Outcome.MET_ON_TIME, Outcome.MET_LATE, Outcome.BREACHED, Outcome.STILL_OPEN)


def _outcome_code(case: _CaseFacts, target: int, as_of: float, as_of_pos: float,
                  position: Callable[[float], float]) -> int:
    """Index into ``_OUTCOME_ORDER`` for target number ``target``.

    Wall-clock order settles most targets (met before due: on time; unmet and not yet due:
    open); business positions are only computed for the rest, where a late-looking instant
    may still fall in the closed hours right after the due instant.
    """
    due = case.due[target]
    met = case.met[target]
    if met is not None and met <= as_of:
        if met <= due:
            return 0
        return 0 if position(met) <= position(due) else 1
    judged, judged_pos = as_of, as_of_pos
    if target == 2 and case.paused is not None and case.paused <= as_of:
        judged, judged_pos = case.paused, None
    if judged <= due:
        return 3
    if judged_pos is None:
        judged_pos = position(judged)
    return 2 if judged_pos > position(due) else 3


def _tally(cases: Iterable[_CaseFacts], as_of: float, as_of_pos: float,
           position: Callable[[float], float]) -> dict[Target, TargetOutcomes]:
    counts = [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
    for case in cases:
        for target in (0, 1, 2):
            counts[target][_outcome_code(case, target, as_of, as_of_pos, position)] += 1
    return {t: TargetOutcomes(*counts[n]) for n, t in enumerate(TARGETS)}


# ---------------------------------------------------------------------------------------------
# Report dataclasses


@dataclass(frozen=True)
class TargetOutcomes:
    """Counts of each outcome for one SLA target within one group."""

    met_on_time: int = 0
    met_late: int = 0
    breached: int = 0
    still_open: int = 0

    @property
    def total(self) -> int:
        return self.met_on_time + self.met_late + self.breached + self.still_open

    @property
    def decided(self) -> int:
        return self.met_on_time + self.met_late + self.breached

    @property
    def compliance(self) -> float | None:
        """Met on time / (on time + late + breached); None when nothing is decided yet."""
        return share(self.met_on_time, self.decided)

    def count(self, outcome: Outcome) -> int:
        return getattr(self, outcome.value)

    def share_of(self, outcome: Outcome) -> float | None:
        """The outcome's count divided by all cases in the group."""
        return share(self.count(outcome), self.total)


@dataclass(frozen=True)
class SlaGroupRow:
    """SLA outcomes of the cases in one group."""

    group: Any  # str, or the period's first date when grouped by period
    cases: int
    targets: dict[Target, TargetOutcomes]


@dataclass(frozen=True)
class SlaComplianceReport:
    """SLA compliance per target: met on time / met late / breached / still open."""

    report_filter: ReportFilter
    grouping: Grouping
    as_of: datetime
    generated_at: datetime
    rows: list[SlaGroupRow]
    total: SlaGroupRow
    filter_text: tuple[tuple[str, str], ...] = ()

    def table(self) -> ReportTable:
        columns = [
            _group_column(self.grouping),
            Column("Target"),
            Column("Cases", ColumnKind.INTEGER),
        ]
        for outcome in Outcome:
            columns.append(Column(OUTCOME_LABELS[outcome], ColumnKind.INTEGER))
            columns.append(Column(f"{OUTCOME_LABELS[outcome]} %", ColumnKind.PERCENT))
        columns.append(Column("Compliance %", ColumnKind.PERCENT))
        rows = []
        for group_row in [*self.rows, self.total]:
            for target in TARGETS:
                outcomes = group_row.targets[target]
                cells: list[Any] = [group_row.group, TARGET_LABELS[target], group_row.cases]
                for outcome in Outcome:
                    cells += [outcomes.count(outcome), outcomes.share_of(outcome)]
                cells.append(outcomes.compliance)
                rows.append(tuple(cells))
        return ReportTable(
            "SLA compliance", self.filter_text, tuple(columns), rows, self.generated_at
        )


@dataclass(frozen=True)
class DurationStats:
    """Nearest-rank median and 90th percentile of business hours for one target."""

    measured: int
    median_hours: float | None
    p90_hours: float | None


@dataclass(frozen=True)
class SlaTimesGroupRow:
    group: Any
    targets: dict[Target, DurationStats]


@dataclass(frozen=True)
class SlaTimesReport:
    """Median and 90th percentile business time to acknowledge, respond and resolve."""

    report_filter: ReportFilter
    grouping: Grouping
    as_of: datetime
    generated_at: datetime
    rows: list[SlaTimesGroupRow]
    total: SlaTimesGroupRow
    filter_text: tuple[tuple[str, str], ...] = ()

    def table(self) -> ReportTable:
        columns = (
            _group_column(self.grouping),
            Column("Target"),
            Column("Cases measured", ColumnKind.INTEGER),
            Column("Median (business h)", ColumnKind.HOURS),
            Column("90th percentile (business h)", ColumnKind.HOURS),
        )
        rows = []
        for group_row in [*self.rows, self.total]:
            for target in TARGETS:
                stats = group_row.targets[target]
                rows.append((group_row.group, TARGET_LABELS[target], stats.measured,
                             stats.median_hours, stats.p90_hours))
        return ReportTable(
            "Time to meet each target", self.filter_text, columns, rows,
            self.generated_at,
        )


@dataclass(frozen=True)
class WaitingRow:
    """Time spent waiting on one party (an escalation target, or the client)."""

    waiting_on: str
    kind: str  # "Internal department" | "Client IT" | "Client (paused)"
    periods: int
    still_waiting: int
    total_hours: float
    median_hours: float | None
    p90_hours: float | None


@dataclass(frozen=True)
class WaitingReport:
    """Escalations and waiting on client that began in the range, in business hours."""

    report_filter: ReportFilter
    as_of: datetime
    generated_at: datetime
    escalations: int
    rows: list[WaitingRow]
    filter_text: tuple[tuple[str, str], ...] = ()

    def table(self) -> ReportTable:
        columns = (
            Column("Waiting on"),
            Column("Kind"),
            Column("Periods", ColumnKind.INTEGER),
            Column("Still waiting", ColumnKind.INTEGER),
            Column("Total (business h)", ColumnKind.HOURS),
            Column("Median (business h)", ColumnKind.HOURS),
            Column("90th percentile (business h)", ColumnKind.HOURS),
        )
        rows = [(r.waiting_on, r.kind, r.periods, r.still_waiting, r.total_hours,
                 r.median_hours, r.p90_hours) for r in self.rows]
        return ReportTable("Escalations and waiting on others", self.filter_text, columns, rows,
                           self.generated_at)


@dataclass(frozen=True)
class BacklogDay:
    """Cases open at the end of one Halifax day, with that day's inflow and outflow."""

    day: date
    logged: int
    resolved: int
    open_at_end: int


@dataclass(frozen=True)
class BacklogReport:
    """Open cases (received, not yet resolved or closed) at the end of each day."""

    dates: DateRange
    generated_at: datetime
    days: list[BacklogDay]
    filter_text: tuple[tuple[str, str], ...] = ()

    def table(self) -> ReportTable:
        columns = (
            Column("Day", ColumnKind.DATE),
            Column("Logged", ColumnKind.INTEGER),
            Column("Resolved or closed", ColumnKind.INTEGER),
            Column("Open at end of day", ColumnKind.INTEGER),
        )
        rows = [(d.day, d.logged, d.resolved, d.open_at_end) for d in self.days]
        return ReportTable("Backlog over time", self.filter_text, columns, rows, self.generated_at)


@dataclass(frozen=True)
class ChannelRow:
    group: Any
    by_channel: dict[str, int]
    total: int


@dataclass(frozen=True)
class ChannelReport:
    """Cases logged per intake channel, grouped by period or another grouping."""

    report_filter: ReportFilter
    grouping: Grouping
    generated_at: datetime
    channels: tuple[str, ...]
    rows: list[ChannelRow]
    total: ChannelRow
    filter_text: tuple[tuple[str, str], ...] = ()

    def table(self) -> ReportTable:
        columns = (
            _group_column(self.grouping),
            *(Column(CHANNEL_LABELS.get(c, c.title()), ColumnKind.INTEGER) for c in self.channels),
            Column("Total", ColumnKind.INTEGER),
        )
        rows = [
            (row.group, *(row.by_channel.get(c, 0) for c in self.channels), row.total)
            for row in [*self.rows, self.total]
        ]
        return ReportTable("Cases logged per channel", self.filter_text, columns, rows,
                           self.generated_at)


@dataclass(frozen=True)
class ClientSummaryRow:
    """One client's cases in the range, their SLA results and the latest interaction."""

    client_id: int
    client: str
    account_manager: str
    cases: int
    open_now: int
    closed: int  # resolved or closed by ``as_of``
    compliance: dict[Target, float | None]
    missed: int  # targets met late or breached, over all three targets of the client's cases
    last_interaction_at: datetime | None
    last_interaction: str


@dataclass(frozen=True)
class ClientSummaryReport:
    """Per client summary for account managers."""

    report_filter: ReportFilter
    as_of: datetime
    generated_at: datetime
    rows: list[ClientSummaryRow]
    filter_text: tuple[tuple[str, str], ...] = ()

    def table(self) -> ReportTable:
        columns = (
            Column("Client"),
            Column("Account manager"),
            Column("Cases", ColumnKind.INTEGER),
            Column("Open", ColumnKind.INTEGER),
            Column("Resolved/closed", ColumnKind.INTEGER),
            *(Column(f"{TARGET_LABELS[t]} compliance %", ColumnKind.PERCENT) for t in TARGETS),
            Column("Targets missed", ColumnKind.INTEGER),
            Column("Last interaction", ColumnKind.DATETIME),
            Column("Last interaction summary"),
        )
        rows = [
            (r.client, r.account_manager, r.cases, r.open_now, r.closed,
             *(r.compliance[t] for t in TARGETS), r.missed, r.last_interaction_at,
             r.last_interaction)
            for r in self.rows
        ]
        return ReportTable("Client summary", self.filter_text, columns, rows, self.generated_at)


@dataclass(frozen=True)
class MemberWorkload:
    """One team member's open queue at an instant."""

    member_id: int | None  # None: the unassigned queue
    name: str
    availability: str
    open_cases: int = 0
    high: int = 0
    medium: int = 0
    due_soon: int = 0
    overdue: int = 0
    waiting_on_client: int = 0
    escalated: int = 0


@dataclass(frozen=True)
class OldestWaitingAcknowledgement:
    case_id: int
    number: str
    received_at: datetime
    waiting_hours: float  # business hours since receipt


@dataclass(frozen=True)
class WorkloadReport:
    """Team workload and queue review at ``as_of``."""

    as_of: datetime
    generated_at: datetime
    members: list[MemberWorkload]
    unassigned: MemberWorkload
    oldest_waiting_acknowledgement: OldestWaitingAcknowledgement | None
    filter_text: tuple[tuple[str, str], ...] = ()

    def table(self) -> ReportTable:
        columns = (
            Column("Team member"),
            Column("Availability"),
            Column("Open", ColumnKind.INTEGER),
            Column("High", ColumnKind.INTEGER),
            Column("Medium", ColumnKind.INTEGER),
            Column("Due soon", ColumnKind.INTEGER),
            Column("Overdue", ColumnKind.INTEGER),
            Column("Waiting on client", ColumnKind.INTEGER),
            Column("Escalated", ColumnKind.INTEGER),
        )
        rows = [
            (m.name, AVAILABILITY_LABELS.get(m.availability, m.availability), m.open_cases,
             m.high, m.medium, m.due_soon, m.overdue, m.waiting_on_client, m.escalated)
            for m in [*self.members, self.unassigned]
        ]
        filters = list(self.filter_text)
        oldest = self.oldest_waiting_acknowledgement
        if oldest is not None:
            filters.append((
                "Oldest waiting acknowledgement",
                f"{oldest.number} ({oldest.waiting_hours:.1f} business h)",
            ))
        filters.append(("Unassigned open cases", str(self.unassigned.open_cases)))
        return ReportTable("Team workload", tuple(filters), columns, rows, self.generated_at)


def _duration_stats(hours: list[list[float]]) -> dict[Target, DurationStats]:
    stats = {}
    for target, values in zip(TARGETS, hours, strict=True):
        values = sorted(values)
        stats[target] = DurationStats(len(values), nearest_rank(values, 50),
                                      nearest_rank(values, 90))
    return stats


def _group_column(grouping: Grouping) -> Column:
    if grouping in (Grouping.DAY, Grouping.WEEK):
        return Column(grouping.label, ColumnKind.DATE)
    if grouping is Grouping.MONTH:
        return Column(grouping.label, ColumnKind.MONTH)
    return Column(grouping.label)


# ---------------------------------------------------------------------------------------------
# Live workload: SQL on refresh, pure arithmetic per tick.


@dataclass(frozen=True, slots=True)
class OpenCaseClock:
    """An open case reduced to what the per-second workload tick needs (business positions)."""

    case_id: int
    number: str
    assignee_id: int | None
    priority: str
    status: str
    received: float  # epoch
    acknowledged: bool
    overdue_after: float | None  # business position past which the case is overdue
    due_soon_from: float | None  # business position from which it is due soon


@dataclass(frozen=True)
class MemberInfo:
    member_id: int
    name: str
    availability: str
    role: str
    can_take_cases: bool


@dataclass
class WorkloadSnapshot:
    """Open cases and members loaded from the database; ``summarize`` is SQL-free."""

    members: list[MemberInfo]
    cases: list[OpenCaseClock]
    index: BusinessTimeIndex = field(repr=False)

    def summarize(self, now: datetime) -> tuple[list[MemberWorkload], MemberWorkload,
                                                OldestWaitingAcknowledgement | None]:
        """Count each member's open queue at ``now`` from the loaded clocks (no queries)."""
        position = self.index.position(now.timestamp())
        counts: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        oldest: OpenCaseClock | None = None
        for case in self.cases:
            bucket = counts[case.assignee_id]
            bucket["open"] += 1
            bucket[case.priority] += 1
            if case.overdue_after is not None and position > case.overdue_after:
                bucket["overdue"] += 1
            elif case.due_soon_from is not None and position >= case.due_soon_from:
                bucket["due_soon"] += 1
            if case.status == CaseStatus.WAITING_ON_CLIENT:
                bucket["waiting"] += 1
            elif case.status == CaseStatus.ESCALATED:
                bucket["escalated"] += 1
            if not case.acknowledged and (oldest is None or case.received < oldest.received):
                oldest = case

        def workload(member_id, name, availability) -> MemberWorkload:
            bucket = counts.get(member_id, {})
            return MemberWorkload(
                member_id, name, availability,
                open_cases=bucket.get("open", 0), high=bucket.get("high", 0),
                medium=bucket.get("medium", 0), due_soon=bucket.get("due_soon", 0),
                overdue=bucket.get("overdue", 0), waiting_on_client=bucket.get("waiting", 0),
                escalated=bucket.get("escalated", 0),
            )

        members = [workload(m.member_id, m.name, m.availability) for m in self.members]
        unassigned = workload(None, UNASSIGNED_LABEL, "")
        oldest_ack = None
        if oldest is not None:
            oldest_ack = OldestWaitingAcknowledgement(
                oldest.case_id, oldest.number, utc_from_epoch(oldest.received),
                (position - self.index.position(oldest.received)) / _HOUR,
            )
        return members, unassigned, oldest_ack


# ---------------------------------------------------------------------------------------------
# The service


class ReportService:
    """Computes the supervisor reports from stored events.

    Args:
        context: the services context (clock, calendar with closures, policy, settings).
        viewer_id: the signed-in member, who must be an active supervisor or admin; ``None``
            only for headless scheduled exports (the command line), where access to the
            database file already grants everything.

    Raises:
        PermissionDenied: if ``viewer_id`` is not an active supervisor or admin.
    """

    def __init__(self, context: ServiceContext, *, viewer_id: int | None) -> None:
        if viewer_id is not None:
            require(acting_member(viewer_id), Actions.SEE_REPORTS)
        self._context = context
        self._viewer_id = viewer_id

    @property
    def _calendar(self) -> BusinessCalendar:
        return self._context.reload_calendar()

    @property
    def _clock(self) -> Clock:
        return self._context.clock

    @property
    def calendar(self) -> BusinessCalendar:
        return self._context.reload_calendar()

    @property
    def clock(self) -> Clock:
        return self._context.clock

    # -- helpers ---------------------------------------------------------------------------

    def _index_for(self, dates: DateRange) -> BusinessTimeIndex:
        # Start small around today: the index grows to the instants actually loaded, so a
        # "since 2000" range over two years of data only builds two years of days.
        today = self._clock.now().astimezone(self._calendar.zone).date()
        return BusinessTimeIndex(self._calendar, today - timedelta(days=7), today)

    def _describe_filter(self, report_filter: ReportFilter, grouping: Grouping | None,
                         as_of: datetime) -> tuple[tuple[str, str], ...]:
        text = [("Received", f"{report_filter.dates.describe()} (Halifax dates)")]
        if grouping is not None:
            text.append(("Grouped by", grouping.label))
        if report_filter.priority:
            text.append(("Priority", Priority(report_filter.priority).label))
        if report_filter.member_id is not None:
            name = TeamMemberRecord.get_by_id(report_filter.member_id).display_name
            text.append(("Team member", name))
        if report_filter.client_id is not None:
            text.append(("Client", ClientRecord.get_by_id(report_filter.client_id).name))
        if report_filter.channel:
            text.append(("Channel", CHANNEL_LABELS.get(report_filter.channel, report_filter.channel)))
        if report_filter.category_id is not None:
            text.append(("Category", CategoryRecord.get_by_id(report_filter.category_id).name))
        local = as_of.astimezone(self._calendar.zone)
        text.append(("Outcomes as of", local.strftime("%Y-%m-%d %H:%M %Z")))
        text.append(("Time measured in", "business hours (Mon-Fri 08:00-16:30 Halifax, less holidays)"))
        return tuple(text)

    def _grouper(self, grouping: Grouping, index: BusinessTimeIndex, first_day: date | None = None) -> tuple[
            Callable[[_CaseFacts], Any], Callable[[Iterable[Any]], list[Any]]]:
        """A key function for cases and an ordering of keys, for ``grouping``."""
        if grouping is Grouping.NONE:
            return (lambda case: "All cases"), list
        if grouping is Grouping.PRIORITY:
            labels = {p.value: p.label for p in Priority}
            order = {p.label: n for n, p in enumerate(Priority)}
            return (lambda case: labels.get(case.priority, case.priority)), (
                lambda keys: sorted(keys, key=lambda k: (order.get(k, 99), k)))
        if grouping is Grouping.MEMBER:
            names = _names(TeamMemberRecord, TeamMemberRecord.display_name)
            return (lambda case: names.get(case.assignee_id, UNASSIGNED_LABEL)), (
                lambda keys: sorted(keys, key=lambda k: (k == UNASSIGNED_LABEL, k.casefold())))
        if grouping is Grouping.CLIENT:
            names = _names(ClientRecord, ClientRecord.name)
            return (lambda case: names[case.client_id]), (
                lambda keys: sorted(keys, key=str.casefold))
        if grouping is Grouping.CHANNEL:
            return (lambda case: CHANNEL_LABELS.get(case.channel, case.channel)), sorted
        if grouping is Grouping.CATEGORY:
            names = _names(CategoryRecord, CategoryRecord.name)
            return (lambda case: names.get(case.category_id, UNCATEGORISED_LABEL)), (
                lambda keys: sorted(keys, key=lambda k: (k == UNCATEGORISED_LABEL, k.casefold())))
        starts: dict[date, date] = {}

        def period_of(case: _CaseFacts) -> date:
            day = index.local_date(case.received)
            start = starts.get(day)
            if start is None:
                start = starts[day] = period_start(day, grouping, not_before=first_day)
            return start

        return period_of, sorted

    def _group_keys(self, report_filter, grouping, index, cases):
        key_of, order = self._grouper(grouping, index, report_filter.dates.start)
        groups: dict[Any, list[_CaseFacts]] = defaultdict(list)
        for case in cases:
            groups[key_of(case)].append(case)
        keys = order(groups)
        if grouping.is_period:
            # Empty periods appear too, so trends show gaps as zero rather than hiding them.
            keys = period_starts(report_filter.dates, grouping)
        return keys, groups

    # -- reports ---------------------------------------------------------------------------

    def sla_compliance(self, report_filter: ReportFilter, grouping: Grouping = Grouping.NONE,
                       as_of: datetime | None = None) -> SlaComplianceReport:
        """SLA outcomes per target for cases received in the filter's range.

        Args:
            report_filter: which cases (received within the Halifax date range, narrowed).
            grouping: how rows are grouped; a total row is always added.
            as_of: the instant outcomes are judged at (default: the clock's now).

        Returns:
            The report, one row per group plus ``total``.
        """
        as_of = as_of or self._clock.now()
        index = self._index_for(report_filter.dates)
        cases = _load_cases(_filter_condition(self._calendar, report_filter))
        as_of_seconds = as_of.timestamp()
        as_of_pos = index.position(as_of_seconds)
        keys, groups = self._group_keys(report_filter, grouping, index, cases)
        rows = [
            SlaGroupRow(key, len(groups.get(key, ())),
                        _tally(groups.get(key, ()), as_of_seconds, as_of_pos, index.position))
            for key in keys
        ]
        # Groups partition the cases, so the total is the sum of the groups' counts.
        total = SlaGroupRow("Total", len(cases), {
            t: TargetOutcomes(*(sum(getattr(r.targets[t], o.value) for r in rows)
                                for o in Outcome))
            for t in TARGETS
        })
        return SlaComplianceReport(
            report_filter, grouping, as_of, self._clock.now(), rows, total,
            self._describe_filter(report_filter, grouping, as_of),
        )

    def sla_times(self, report_filter: ReportFilter, grouping: Grouping = Grouping.NONE,
                  as_of: datetime | None = None) -> SlaTimesReport:
        """Nearest-rank median and 90th percentile business hours to meet each target.

        Only targets met by ``as_of`` are measured. Resolve time excludes ended pauses
        (waiting on client).

        Args:
            report_filter: which cases.
            grouping: how rows are grouped; a total row is always added.
            as_of: ignore met instants after this (default: the clock's now).

        Returns:
            The report.
        """
        as_of = as_of or self._clock.now()
        condition = _filter_condition(self._calendar, report_filter)
        index = self._index_for(report_filter.dates)
        cases = _load_cases(condition)
        paused_seconds = dict(raw_rows(
            SlaPauseRecord.select(SlaPauseRecord.case, fn.SUM(SlaPauseRecord.business_seconds))
            .join(CaseRecord)
            .where(condition & SlaPauseRecord.ended_at.is_null(False)
                   & (SlaPauseRecord.ended_at <= as_of))
            .group_by(SlaPauseRecord.case)
        ))
        as_of_seconds = as_of.timestamp()
        keys, groups = self._group_keys(report_filter, grouping, index, cases)
        every: list[list[float]] = [[], [], []]

        # Business positions of receipt and met instants only (one batch for all cases).
        flat: list[float | None] = []
        for case in cases:
            flat.extend((case.received, *case.met))
        positions = index.positions(flat)
        position_of = {id(case): positions[4 * n:4 * n + 4] for n, case in enumerate(cases)}

        def summarize(group, members) -> SlaTimesGroupRow:
            hours: list[list[float]] = [[], [], []]
            for case in members:
                start, *met_positions = position_of[id(case)]
                for target in (0, 1, 2):
                    met = case.met[target]
                    if met is None or met > as_of_seconds:
                        continue
                    business = met_positions[target] - start
                    if target == 2:
                        business -= paused_seconds.get(case.case_id, 0) or 0
                    hours[target].append(business / _HOUR)
            for target in (0, 1, 2):
                every[target].extend(hours[target])
            return SlaTimesGroupRow(group, _duration_stats(hours))

        rows = [summarize(key, groups.get(key, ())) for key in keys]
        total = SlaTimesGroupRow("Total", _duration_stats(every))
        return SlaTimesReport(
            report_filter, grouping, as_of, self._clock.now(), rows, total,
            self._describe_filter(report_filter, grouping, as_of),
        )

    def waiting_on_others(self, report_filter: ReportFilter,
                          as_of: datetime | None = None) -> WaitingReport:
        """Escalations and client waits that began in the range, in business hours.

        An escalation waits from ``escalated_at`` to ``answered_at`` (or ``as_of`` while
        unanswered); a client wait from a pause's ``started_at`` to ``ended_at`` (or
        ``as_of``). The report filter's narrowing (priority, member, client, channel) applies
        to the case; the date range applies to when the waiting began.

        Args:
            report_filter: date range of when waiting began, and case narrowing.
            as_of: the instant open waits are measured to (default: the clock's now).

        Returns:
            One row per escalation target (kind, name) then one for the client, sorted by
            total business hours, largest first.
        """
        as_of = as_of or self._clock.now()
        start, end = report_filter.dates.utc_bounds(self._calendar)
        narrowed = ReportFilter(DateRange(date(1900, 1, 1), date(9999, 12, 30)),
                                report_filter.priority, report_filter.member_id,
                                report_filter.client_id, report_filter.channel)
        case_condition = _filter_condition(self._calendar, narrowed)
        index = self._index_for(report_filter.dates)
        as_of_seconds = as_of.timestamp()
        escalations = raw_rows(
            EscalationRecord.select(EscalationRecord.target_kind, EscalationRecord.target_name,
                                    EscalationRecord.escalated_at, EscalationRecord.answered_at)
            .join(CaseRecord)
            .where(case_condition & (EscalationRecord.escalated_at >= start)
                   & (EscalationRecord.escalated_at < end) & (EscalationRecord.escalated_at <= as_of))
        )
        pauses = raw_rows(
            SlaPauseRecord.select(SlaPauseRecord.started_at, SlaPauseRecord.ended_at)
            .join(CaseRecord)
            .where(case_condition & (SlaPauseRecord.started_at >= start)
                   & (SlaPauseRecord.started_at < end) & (SlaPauseRecord.started_at <= as_of))
        )
        kind_labels = {k.value: k.label for k in EscalationTarget}
        waits: dict[tuple[str, str], list[tuple[float, bool]]] = defaultdict(list)
        for kind, name, began, answered in escalations:
            began_s, answered_s = epoch_seconds(began), epoch_seconds(answered)
            still = answered_s is None or answered_s > as_of_seconds
            finish = as_of_seconds if still else answered_s
            waits[(name, kind_labels.get(kind, kind))].append(
                (index.elapsed_hours(began_s, finish), still))
        for began, ended in pauses:
            began_s, ended_s = epoch_seconds(began), epoch_seconds(ended)
            still = ended_s is None or ended_s > as_of_seconds
            finish = as_of_seconds if still else ended_s
            waits[("Client", "Client (waiting on client)")].append(
                (index.elapsed_hours(began_s, finish), still))
        rows = []
        for (name, kind), items in waits.items():
            values = sorted(hours for hours, _ in items)
            rows.append(WaitingRow(
                name, kind, len(items), sum(1 for _, still in items if still), sum(values),
                nearest_rank(values, 50), nearest_rank(values, 90),
            ))
        rows.sort(key=lambda r: (-r.total_hours, r.waiting_on))
        return WaitingReport(report_filter, as_of, self._clock.now(), len(escalations), rows,
                             self._describe_filter(report_filter, None, as_of))

    def backlog(self, report_filter: ReportFilter) -> BacklogReport:
        """Open cases at the end of each Halifax day of the range (a sweep over events).

        A case counts as open at an instant when it was received at or before it and neither
        resolved nor closed at or before it (per the stored ``resolved_at``/``closed_at``; a
        reopened case counts as open from its receipt, as its earlier resolution was cleared).

        Args:
            report_filter: the days shown, and case narrowing.

        Returns:
            One ``BacklogDay`` per day in the range.
        """
        dates = report_filter.dates
        _, end = dates.utc_bounds(self._calendar)
        narrowed = ReportFilter(DateRange(date(1900, 1, 1), dates.end), report_filter.priority,
                                report_filter.member_id, report_filter.client_id,
                                report_filter.channel)
        rows = raw_rows(CaseRecord.select(CaseRecord.received_at, CaseRecord.resolved_at,
                                           CaseRecord.closed_at)
                         .where(_filter_condition(self._calendar, narrowed)))
        index = self._index_for(dates)
        opened_on: dict[date, int] = defaultdict(int)
        finished_on: dict[date, int] = defaultdict(int)
        end_seconds = end.timestamp()
        for received, resolved, closed in rows:
            opened_on[index.local_date(epoch_seconds(received))] += 1
            finish = [s for s in (epoch_seconds(resolved), epoch_seconds(closed)) if s is not None]
            if finish and min(finish) < end_seconds:
                finished_on[index.local_date(min(finish))] += 1
        before = sum(n for d, n in opened_on.items() if d < dates.start) - sum(
            n for d, n in finished_on.items() if d < dates.start)
        days = []
        running = before
        for day in dates.days():
            running += opened_on.get(day, 0) - finished_on.get(day, 0)
            days.append(BacklogDay(day, opened_on.get(day, 0), finished_on.get(day, 0), running))
        return BacklogReport(dates, self._clock.now(), days,
                             self._describe_filter(report_filter, None, self._clock.now())[:-2])

    def cases_per_channel(self, report_filter: ReportFilter,
                          grouping: Grouping = Grouping.DAY) -> ChannelReport:
        """Cases logged per intake channel (phone, email), per group.

        Args:
            report_filter: which cases (received in the range).
            grouping: usually a period; any grouping works.

        Returns:
            The report with a total row.
        """
        cases = _load_cases(_filter_condition(self._calendar, report_filter))
        index = self._index_for(report_filter.dates)
        keys, groups = self._group_keys(report_filter, grouping, index, cases)
        # Every intake channel gets a column, in intake order; unknown stored values go last.
        known = [channel.value for channel in IntakeChannel]
        channels = (*known, *sorted({c.channel for c in cases} - set(known)))

        def count(group, members) -> ChannelRow:
            by_channel: dict[str, int] = defaultdict(int)
            for case in members:
                by_channel[case.channel] += 1
            return ChannelRow(group, dict(by_channel), len(members))

        return ChannelReport(
            report_filter, grouping, self._clock.now(), channels,
            [count(k, groups.get(k, [])) for k in keys], count("Total", cases),
            self._describe_filter(report_filter, grouping, self._clock.now())[:-2],
        )

    def client_summary(self, report_filter: ReportFilter,
                       as_of: datetime | None = None) -> ClientSummaryReport:
        """Per client: cases received in the range, open/closed, SLA results, last interaction.

        ``open_now`` counts the client's cases (any receipt date) open at ``as_of``;
        ``cases``, ``closed``, compliance and ``missed`` cover the range's cases;
        compliance is per target as defined in the module docstring; ``missed`` counts
        targets met late or breached. The last interaction is the latest non-internal
        interaction with the client at or before ``as_of`` on any of its cases.

        Args:
            report_filter: which cases; clients with none are left out.
            as_of: the instant outcomes are judged at (default: the clock's now).

        Returns:
            The report, clients in name order.
        """
        as_of = as_of or self._clock.now()
        index = self._index_for(report_filter.dates)
        cases = _load_cases(_filter_condition(self._calendar, report_filter))
        as_of_seconds = as_of.timestamp()
        as_of_pos = index.position(as_of_seconds)
        by_client: dict[int, list[_CaseFacts]] = defaultdict(list)
        for case in cases:
            by_client[case.client_id].append(case)
        client_ids = list(by_client)
        clients = {cid: (name, manager) for cid, name, manager in raw_rows(
            ClientRecord.select(ClientRecord.id, ClientRecord.name, ClientRecord.account_manager)
            .where(ClientRecord.id.in_(client_ids)))} if client_ids else {}
        open_now = dict(raw_rows(
            CaseRecord.select(CaseRecord.client, fn.COUNT(CaseRecord.id))
            .where(CaseRecord.client.in_(client_ids) & (CaseRecord.received_at <= as_of)
                   & (CaseRecord.resolved_at.is_null() | (CaseRecord.resolved_at > as_of))
                   & (CaseRecord.closed_at.is_null() | (CaseRecord.closed_at > as_of)))
            .group_by(CaseRecord.client))) if client_ids else {}
        last = self._last_interactions(client_ids, as_of)
        rows = []
        for client_id, members in by_client.items():
            name, manager = clients[client_id]
            closed = 0
            for case in members:
                finished = [s for s in (case.met[2], case.closed) if s is not None]
                if finished and min(finished) <= as_of_seconds:
                    closed += 1
            outcomes = _tally(members, as_of_seconds, as_of_pos, index.position)
            compliance = {t: outcomes[t].compliance for t in TARGETS}
            missed = sum(outcomes[t].breached + outcomes[t].met_late for t in TARGETS)
            last_at, last_text = last.get(client_id, (None, ""))
            rows.append(ClientSummaryRow(client_id, name, manager, len(members),
                                         open_now.get(client_id, 0), closed, compliance,
                                         missed, last_at, last_text))
        rows.sort(key=lambda r: r.client.casefold())
        return ClientSummaryReport(report_filter, as_of, self._clock.now(), rows,
                                   self._describe_filter(report_filter, None, as_of))

    def _last_interactions(self, client_ids: list[int],
                           as_of: datetime) -> dict[int, tuple[datetime, str]]:
        if not client_ids:
            return {}
        latest = (
            InteractionRecord.select(CaseRecord.client.alias("client_id"),
                                     fn.MAX(InteractionRecord.occurred_at).alias("latest"))
            .join(CaseRecord)
            .where(CaseRecord.client.in_(client_ids) & (InteractionRecord.direction != "internal")
                   & (InteractionRecord.occurred_at <= as_of))
            .group_by(CaseRecord.client)
        )
        result: dict[int, tuple[datetime, str]] = {}
        for client_id, latest_raw in raw_rows(latest):
            latest_at = stored_instant(latest_raw)
            row = (
                InteractionRecord.select(InteractionRecord.channel, InteractionRecord.direction,
                                         InteractionRecord.summary, CaseRecord.number)
                .join(CaseRecord)
                .where((CaseRecord.client == client_id)
                       & (InteractionRecord.direction != "internal")
                       & (InteractionRecord.occurred_at == latest_at))
                .order_by(InteractionRecord.id.desc()).limit(1).tuples().first()
            )
            channel, direction, summary, number = row
            label = InteractionChannel(channel).label if channel in _INTERACTION_CHANNELS else channel
            text = f"{number} · {label} {direction}: {summary}"
            result[client_id] = (latest_at, text[:160])
        return result

    def load_workload(self) -> WorkloadSnapshot:
        """Load open cases and members for the live workload view (run on refresh, not tick).

        Returns:
            A snapshot whose ``summarize(now)`` counts queues without touching the database.
        """
        now = self._clock.now()
        members = [
            MemberInfo(mid, name, availability, role, bool(can_take))
            for mid, name, availability, role, can_take in raw_rows(
                TeamMemberRecord.select(TeamMemberRecord.id, TeamMemberRecord.display_name,
                                        TeamMemberRecord.availability, TeamMemberRecord.role,
                                        TeamMemberRecord.can_take_cases)
                .where(TeamMemberRecord.active == True)  # noqa: E712 - peewee expression
                .order_by(TeamMemberRecord.display_name))
        ]
        today = now.astimezone(self._calendar.zone).date()
        index = BusinessTimeIndex(self._calendar, today - timedelta(days=7),
                                  today + timedelta(days=60))
        cases = _load_cases(CaseRecord.status.in_(OPEN_STATUS_VALUES), index)
        clocks = []
        keep = 1.0 - self._context.settings().due_soon_share
        policy = self._context.policy
        budgets = {(p.value, n): policy.budget(p, t).total_seconds()
                   for p in Priority for n, t in enumerate(TARGETS)}
        for case in cases:
            overdue_after = due_soon_from = None
            for target in (0, 1, 2):
                if case.met[target] is not None:
                    continue
                if target == 2 and case.paused is not None:
                    continue  # a paused resolution clock neither runs late nor turns due soon
                due = case.due_pos[target]
                budget = budgets.get((case.priority, target)) or budgets[("medium", target)]
                soon = due - keep * budget
                overdue_after = due if overdue_after is None else min(overdue_after, due)
                due_soon_from = soon if due_soon_from is None else min(due_soon_from, soon)
            clocks.append(OpenCaseClock(
                case.case_id, case.number, case.assignee_id, case.priority, case.status,
                case.received, case.met[0] is not None, overdue_after,
                due_soon_from,
            ))
        return WorkloadSnapshot(members, clocks, index)

    def workload(self, as_of: datetime | None = None) -> WorkloadReport:
        """Team workload and queue review: per member and unassigned, at ``as_of``.

        Open means status new, acknowledged, in progress, escalated or waiting on client.
        A case is *overdue* when any unmet running target has business time past its due
        instant, else *due soon* when any unmet running target has used at least
        ``due_soon_share`` of its budget (the budget counted back from the due instant).

        Args:
            as_of: the instant (default: the clock's now).

        Returns:
            The report, with the oldest case still waiting for acknowledgement.
        """
        as_of = as_of or self._clock.now()
        members, unassigned, oldest = self.load_workload().summarize(as_of)
        local = as_of.astimezone(self._calendar.zone)
        return WorkloadReport(as_of, self._clock.now(), members, unassigned, oldest,
                              (("As of", local.strftime("%Y-%m-%d %H:%M %Z")),))
