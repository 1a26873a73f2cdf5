"""The reports as dataclasses, each with the table its exports write."""

from __future__ import annotations

from collections.abc import Callable
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
from desktop_helpdesk.services.reporting.tables import Column, ColumnKind, ReportTable, table_of

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
        cells: list[tuple[Column, Callable[[tuple[SlaGroupRow, Target]], Any]]] = [
            (group_column(self.grouping), lambda pair: pair[0].group),
            (Column("Target"), lambda pair: TARGET_LABELS[pair[1]]),
            (Column("Cases", ColumnKind.INTEGER), lambda pair: pair[0].cases),
        ]
        for outcome in Outcome:
            label = OUTCOME_LABELS[outcome]
            cells += [
                (Column(label, ColumnKind.INTEGER),
                 lambda pair, o=outcome: pair[0].targets[pair[1]].count(o)),
                (Column(f"{label} %", ColumnKind.PERCENT),
                 lambda pair, o=outcome: pair[0].targets[pair[1]].share_of(o)),
            ]
        cells.append((Column("Compliance %", ColumnKind.PERCENT),
                      lambda pair: pair[0].targets[pair[1]].compliance))
        pairs = [(row, target) for row in [*self.rows, self.total] for target in TARGETS]
        return table_of("SLA compliance", self.filter_text, self.generated_at, pairs, cells)


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
        pairs = [(row, target) for row in [*self.rows, self.total] for target in TARGETS]
        return table_of("Time to meet each target", self.filter_text, self.generated_at, pairs, (
            (group_column(self.grouping), lambda pair: pair[0].group),
            (Column("Target"), lambda pair: TARGET_LABELS[pair[1]]),
            (Column("Cases measured", ColumnKind.INTEGER),
             lambda pair: pair[0].targets[pair[1]].measured),
            (Column("Median (business h)", ColumnKind.HOURS),
             lambda pair: pair[0].targets[pair[1]].median_hours),
            (Column("90th percentile (business h)", ColumnKind.HOURS),
             lambda pair: pair[0].targets[pair[1]].p90_hours),
        ))


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
        return table_of("Escalations and waiting on others", self.filter_text,
                        self.generated_at, self.rows, (
                            (Column("Waiting on"), lambda r: r.waiting_on),
                            (Column("Kind"), lambda r: r.kind),
                            (Column("Periods", ColumnKind.INTEGER), lambda r: r.periods),
                            (Column("Still waiting", ColumnKind.INTEGER),
                             lambda r: r.still_waiting),
                            (Column("Total (business h)", ColumnKind.HOURS),
                             lambda r: r.total_hours),
                            (Column("Median (business h)", ColumnKind.HOURS),
                             lambda r: r.median_hours),
                            (Column("90th percentile (business h)", ColumnKind.HOURS),
                             lambda r: r.p90_hours),
                        ))


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
        return table_of("Backlog over time", self.filter_text, self.generated_at, self.days, (
            (Column("Day", ColumnKind.DATE), lambda d: d.day),
            (Column("Logged", ColumnKind.INTEGER), lambda d: d.logged),
            (Column("Resolved or closed", ColumnKind.INTEGER), lambda d: d.resolved),
            (Column("Open at end of day", ColumnKind.INTEGER), lambda d: d.open_at_end),
        ))


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
        return table_of("Cases logged per channel", self.filter_text, self.generated_at,
                        [*self.rows, self.total], (
            (group_column(self.grouping), lambda r: r.group),
            *((Column(CHANNEL_LABELS.get(c, c.title()), ColumnKind.INTEGER),
               lambda r, c=c: r.by_channel.get(c, 0)) for c in self.channels),
            (Column("Total", ColumnKind.INTEGER), lambda r: r.total),
        ))


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
        return table_of("Client summary", self.filter_text, self.generated_at, self.rows, (
            (Column("Client"), lambda r: r.client),
            (Column("Account manager"), lambda r: r.account_manager),
            (Column("Cases", ColumnKind.INTEGER), lambda r: r.cases),
            (Column("Open", ColumnKind.INTEGER), lambda r: r.open_now),
            (Column("Resolved/closed", ColumnKind.INTEGER), lambda r: r.closed),
            *((Column(f"{TARGET_LABELS[t]} compliance %", ColumnKind.PERCENT),
               lambda r, t=t: r.compliance[t]) for t in TARGETS),
            (Column("Targets missed", ColumnKind.INTEGER), lambda r: r.missed),
            (Column("Last interaction", ColumnKind.DATETIME), lambda r: r.last_interaction_at),
            (Column("Last interaction summary"), lambda r: r.last_interaction),
        ))



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
