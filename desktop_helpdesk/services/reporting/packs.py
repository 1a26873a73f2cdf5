"""Report packs: the tables and chart data of one named report, shared by CSV, XLSX and PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from desktop_helpdesk.services.reporting.outcomes import TARGET_LABELS, TARGETS
from desktop_helpdesk.services.reporting.periods import Grouping, ReportFilter
from desktop_helpdesk.services.reporting.report_tables import BacklogReport, SlaComplianceReport
from desktop_helpdesk.services.reporting.service import ReportService
from desktop_helpdesk.services.reporting.tables import ReportTable
from desktop_helpdesk.services.reporting.workload import WorkloadReport


class ChartKind(StrEnum):
    """How a chart is drawn (the ui layer paints it with QPainter)."""

    LINE = "line"
    STACKED_BAR = "stacked_bar"


@dataclass(frozen=True)
class ChartSeries:
    """One named series of a chart; ``None`` values are gaps."""

    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class ChartData:
    """A chart's data: categories along the x axis and one or more series (no drawing here)."""

    title: str
    kind: ChartKind
    categories: tuple[str, ...]
    series: tuple[ChartSeries, ...]
    unit: str = ""  # "%", "cases" or "h": shown on the y axis
    y_max: float | None = None  # fixed top of the axis (100 for percentages)


@dataclass(frozen=True)
class ReportPack:
    """One exportable report: a title, the filters used and its sections in order."""

    key: str
    title: str
    filters: tuple[tuple[str, str], ...]
    generated_at: datetime
    sections: tuple[ReportTable | ChartData, ...]

    @property
    def tables(self) -> list[ReportTable]:
        return [s for s in self.sections if isinstance(s, ReportTable)]

    @property
    def charts(self) -> list[ChartData]:
        return [s for s in self.sections if isinstance(s, ChartData)]


class ReportKind(StrEnum):
    """The reports the export command and the Supervisor view know by name."""

    SLA = "sla"
    CLIENTS = "clients"
    WORKLOAD = "workload"
    BACKLOG = "backlog"
    CASES = "cases"


def trend_grouping(report_filter: ReportFilter) -> Grouping:
    """A period size that gives a readable trend: days up to two weeks, weeks up to about
    four months, else months."""
    days = (report_filter.dates.end - report_filter.dates.start).days + 1
    if days <= 14:
        return Grouping.DAY
    if days <= 120:
        return Grouping.WEEK
    return Grouping.MONTH


def period_label(value: Any, grouping: Grouping) -> str:
    """A short axis label for a period key."""
    if not isinstance(value, date):
        return str(value)
    if grouping is Grouping.MONTH:
        return value.strftime("%b %Y")
    return value.strftime("%d %b").lstrip("0")


def compliance_trend_chart(report: SlaComplianceReport) -> ChartData:
    """Compliance % per target over the report's periods (line chart, gaps where undecided)."""
    series = tuple(
        ChartSeries(TARGET_LABELS[target], tuple(
            None if row.targets[target].compliance is None
            else round(row.targets[target].compliance * 100, 1)
            for row in report.rows))
        for target in TARGETS
    )
    categories = tuple(period_label(row.group, report.grouping) for row in report.rows)
    return ChartData("SLA compliance trend (met on time / decided)", ChartKind.LINE, categories,
                     series, "%", 100.0)


def backlog_chart(report: BacklogReport) -> ChartData:
    """Open cases at the end of each day (line chart)."""
    categories = tuple(period_label(day.day, Grouping.DAY) for day in report.days)
    return ChartData("Backlog: open cases at the end of each day", ChartKind.LINE, categories,
                     (ChartSeries("Open cases", tuple(float(d.open_at_end) for d in report.days)),),
                     "cases")


def workload_chart(report: WorkloadReport) -> ChartData:
    """Open cases per member split into overdue, due soon and the rest (stacked bars)."""
    people = [*report.members, report.unassigned]
    return ChartData(
        "Workload per team member", ChartKind.STACKED_BAR,
        tuple(m.name for m in people),
        (
            ChartSeries("Overdue", tuple(float(m.overdue) for m in people)),
            ChartSeries("Due soon", tuple(float(m.due_soon) for m in people)),
            ChartSeries("Other open", tuple(float(m.open_cases - m.overdue - m.due_soon)
                                            for m in people)),
        ),
        "cases",
    )


def build_report_pack(reports: ReportService, kind: ReportKind | str,
                      report_filter: ReportFilter) -> ReportPack:
    """Compute the named report's tables and charts.

    Args:
        reports: the report service (with its viewer check already done).
        kind: ``sla``, ``clients``, ``workload`` or ``backlog`` (``cases`` is built by
            ``case_list_pack``).
        report_filter: the date range and narrowing.

    Returns:
        The pack to write as CSV, XLSX or PDF.

    Raises:
        ValueError: for an unknown report name (the message lists the known ones).
    """
    try:
        kind = ReportKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in ReportKind)
        raise ValueError(f"unknown report {kind!r}; choose one of {known}") from None
    now = reports.clock.now()
    if kind is ReportKind.SLA:
        overall = reports.sla_compliance(report_filter, Grouping.PRIORITY)
        trend = reports.sla_compliance(report_filter, trend_grouping(report_filter))
        sections: tuple = (
            compliance_trend_chart(trend),
            overall.table(),
            # Beside priority: which kinds of problem miss their targets.
            reports.sla_compliance(report_filter, Grouping.CATEGORY).table(),
            trend.table(),
            reports.sla_times(report_filter, Grouping.PRIORITY).table(),
            reports.waiting_on_others(report_filter).table(),
            reports.cases_per_channel(report_filter, trend_grouping(report_filter)).table(),
        )
        filters = tuple(f for f in overall.filter_text if f[0] != "Grouped by")
        return ReportPack(kind.value, "SLA performance", filters, now, sections)
    if kind is ReportKind.CLIENTS:
        summary = reports.client_summary(report_filter)
        return ReportPack(kind.value, "Client summary for account managers", summary.filter_text,
                          now, (summary.table(),))
    if kind is ReportKind.WORKLOAD:
        workload = reports.workload()
        table = workload.table()
        return ReportPack(kind.value, "Team workload and queue review", table.filters, now,
                          (workload_chart(workload), table))
    if kind is ReportKind.BACKLOG:
        backlog = reports.backlog(report_filter)
        channels = reports.cases_per_channel(report_filter, trend_grouping(report_filter))
        return ReportPack(kind.value, "Backlog and intake", backlog.filter_text, now,
                          (backlog_chart(backlog), backlog.table(), channels.table()))
    raise ValueError("the cases report is built with case_list_pack (it needs a queue)")
