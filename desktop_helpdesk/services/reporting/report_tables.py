"""The reports as dataclasses, each with the table its exports write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from desktop_helpdesk.domain.cases import (
    IntakeChannel,
)
from desktop_helpdesk.domain.sla import Target
from desktop_helpdesk.services.reporting.measures import nearest_rank
from desktop_helpdesk.services.reporting.outcomes import (
    OUTCOME_LABELS,
    TARGET_LABELS,
    TARGETS,
    Outcome,
    TargetOutcomes,
)
from desktop_helpdesk.services.reporting.periods import DateRange, Grouping, ReportFilter
from desktop_helpdesk.services.reporting.tables import Column, ColumnKind, ReportTable

CHANNEL_LABELS = {c.value: c.label for c in IntakeChannel}
UNCATEGORISED_LABEL = "No category"


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
            group_column(self.grouping),
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
            group_column(self.grouping),
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
            group_column(self.grouping),
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



def duration_stats(hours: list[list[float]]) -> dict[Target, DurationStats]:
    stats = {}
    for target, values in zip(TARGETS, hours, strict=True):
        values = sorted(values)
        stats[target] = DurationStats(len(values), nearest_rank(values, 50),
                                      nearest_rank(values, 90))
    return stats


def group_column(grouping: Grouping) -> Column:
    if grouping in (Grouping.DAY, Grouping.WEEK):
        return Column(grouping.label, ColumnKind.DATE)
    if grouping is Grouping.MONTH:
        return Column(grouping.label, ColumnKind.MONTH)
    return Column(grouping.label)
