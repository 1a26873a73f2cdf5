"""The report service: computes the supervisor reports from stored events, for a permitted viewer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from peewee import fn

from desktop_helpdesk.domain.cases import (
    OPEN_STATUS_VALUES,
    EscalationTarget,
    IntakeChannel,
    InteractionChannel,
)
from desktop_helpdesk.domain.clock import Clock
from desktop_helpdesk.domain.policy import Priority
from desktop_helpdesk.domain.sla import BusinessCalendar
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.permissions import Actions, acting_member, require
from desktop_helpdesk.services.reporting.business_time import (
    HOUR_SECONDS,
    BusinessTimeIndex,
    epoch_seconds,
    stored_instant,
)
from desktop_helpdesk.services.reporting.case_loading import (
    CaseFacts,
    filter_condition,
    load_cases,
    names_by_id,
    raw_rows,
)
from desktop_helpdesk.services.reporting.measures import nearest_rank
from desktop_helpdesk.services.reporting.outcomes import TARGETS, Outcome, TargetOutcomes, tally
from desktop_helpdesk.services.reporting.periods import (
    DateRange,
    Grouping,
    ReportFilter,
    period_start,
    period_starts,
)
from desktop_helpdesk.services.reporting.report_tables import (
    UNCATEGORISED_LABEL,
    BacklogDay,
    BacklogReport,
    ChannelReport,
    ChannelRow,
    ClientSummaryReport,
    ClientSummaryRow,
    SlaComplianceReport,
    SlaGroupRow,
    SlaTimesGroupRow,
    SlaTimesReport,
    WaitingReport,
    WaitingRow,
    duration_stats,
)
from desktop_helpdesk.services.reporting.workload import (
    UNASSIGNED_LABEL,
    MemberInfo,
    OpenCaseClock,
    WorkloadReport,
    WorkloadSnapshot,
)
from desktop_helpdesk.storage.records import (
    CaseRecord,
    CategoryRecord,
    ClientRecord,
    EscalationRecord,
    InteractionRecord,
    SlaPauseRecord,
    TeamMemberRecord,
)

_INTERACTION_CHANNELS = frozenset(c.value for c in InteractionChannel)


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
    def calendar(self) -> BusinessCalendar:
        return self._context.reload_calendar()

    @property
    def clock(self) -> Clock:
        return self._context.clock

    # -- helpers ---------------------------------------------------------------------------

    def _index_for(self, dates: DateRange) -> BusinessTimeIndex:
        # Start small around today: the index grows to the instants actually loaded, so a
        # "since 2000" range over two years of data only builds two years of days.
        today = self.clock.now().astimezone(self.calendar.zone).date()
        return BusinessTimeIndex(self.calendar, today - timedelta(days=7), today)

    def _describe_filter(self, report_filter: ReportFilter, grouping: Grouping | None,
                         as_of: datetime | None) -> tuple[tuple[str, str], ...]:
        """The filters a report states above its table; with ``as_of`` (reports judging SLA
        outcomes) also when outcomes were judged and in what time; counts need neither."""
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
            text.append(("Channel", IntakeChannel.label_of(report_filter.channel)))
        if report_filter.category_id is not None:
            text.append(("Category", CategoryRecord.get_by_id(report_filter.category_id).name))
        if as_of is not None:
            local = as_of.astimezone(self.calendar.zone)
            text.append(("Outcomes as of", local.strftime("%Y-%m-%d %H:%M %Z")))
            text.append(("Time measured in",
                         "business hours (Mon-Fri 08:00-16:30 Halifax, less holidays)"))
        return tuple(text)

    def _grouper(self, grouping: Grouping, index: BusinessTimeIndex, first_day: date | None = None) -> tuple[
            Callable[[CaseFacts], Any], Callable[[Iterable[Any]], list[Any]]]:
        """A key function for cases and an ordering of keys, for ``grouping``."""
        if grouping is Grouping.NONE:
            return (lambda case: "All cases"), list
        if grouping is Grouping.PRIORITY:
            labels = {p.value: p.label for p in Priority}
            order = {p.label: n for n, p in enumerate(Priority)}
            return (lambda case: labels.get(case.priority, case.priority)), (
                lambda keys: sorted(keys, key=lambda k: (order.get(k, 99), k)))
        if grouping is Grouping.MEMBER:
            names = names_by_id(TeamMemberRecord, TeamMemberRecord.display_name)
            return (lambda case: names.get(case.assignee_id, UNASSIGNED_LABEL)), (
                lambda keys: sorted(keys, key=lambda k: (k == UNASSIGNED_LABEL, k.casefold())))
        if grouping is Grouping.CLIENT:
            names = names_by_id(ClientRecord, ClientRecord.name)
            return (lambda case: names[case.client_id]), (
                lambda keys: sorted(keys, key=str.casefold))
        if grouping is Grouping.CHANNEL:
            return (lambda case: IntakeChannel.label_of(case.channel)), sorted
        if grouping is Grouping.CATEGORY:
            names = names_by_id(CategoryRecord, CategoryRecord.name)
            return (lambda case: names.get(case.category_id, UNCATEGORISED_LABEL)), (
                lambda keys: sorted(keys, key=lambda k: (k == UNCATEGORISED_LABEL, k.casefold())))
        starts: dict[date, date] = {}

        def period_of(case: CaseFacts) -> date:
            day = index.local_date(case.received)
            start = starts.get(day)
            if start is None:
                start = starts[day] = period_start(day, grouping, not_before=first_day)
            return start

        return period_of, sorted

    def _group_keys(self, report_filter, grouping, index, cases):
        key_of, order = self._grouper(grouping, index, report_filter.dates.start)
        groups: dict[Any, list[CaseFacts]] = defaultdict(list)
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
        as_of = as_of or self.clock.now()
        index = self._index_for(report_filter.dates)
        cases = load_cases(filter_condition(self.calendar, report_filter))
        as_of_seconds = as_of.timestamp()
        as_of_pos = index.position(as_of_seconds)
        keys, groups = self._group_keys(report_filter, grouping, index, cases)
        rows = [
            SlaGroupRow(key, len(groups.get(key, ())),
                        tally(groups.get(key, ()), as_of_seconds, as_of_pos, index.position))
            for key in keys
        ]
        # Groups partition the cases, so the total is the sum of the groups' counts.
        total = SlaGroupRow("Total", len(cases), {
            t: TargetOutcomes(*(sum(getattr(r.targets[t], o.value) for r in rows)
                                for o in Outcome))
            for t in TARGETS
        })
        return SlaComplianceReport(
            report_filter, grouping, as_of, self.clock.now(), rows, total,
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
        as_of = as_of or self.clock.now()
        condition = filter_condition(self.calendar, report_filter)
        index = self._index_for(report_filter.dates)
        cases = load_cases(condition)
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
                    hours[target].append(business / HOUR_SECONDS)
            for target in (0, 1, 2):
                every[target].extend(hours[target])
            return SlaTimesGroupRow(group, duration_stats(hours))

        rows = [summarize(key, groups.get(key, ())) for key in keys]
        total = SlaTimesGroupRow("Total", duration_stats(every))
        return SlaTimesReport(
            report_filter, grouping, as_of, self.clock.now(), rows, total,
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
        as_of = as_of or self.clock.now()
        start, end = report_filter.dates.utc_bounds(self.calendar)
        narrowed = ReportFilter(DateRange(date(1900, 1, 1), date(9999, 12, 30)),
                                report_filter.priority, report_filter.member_id,
                                report_filter.client_id, report_filter.channel)
        case_condition = filter_condition(self.calendar, narrowed)
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
        return WaitingReport(report_filter, as_of, self.clock.now(), len(escalations), rows,
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
        _, end = dates.utc_bounds(self.calendar)
        narrowed = ReportFilter(DateRange(date(1900, 1, 1), dates.end), report_filter.priority,
                                report_filter.member_id, report_filter.client_id,
                                report_filter.channel)
        rows = raw_rows(CaseRecord.select(CaseRecord.received_at, CaseRecord.resolved_at,
                                           CaseRecord.closed_at)
                         .where(filter_condition(self.calendar, narrowed)))
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
        return BacklogReport(dates, self.clock.now(), days,
                             self._describe_filter(report_filter, None, as_of=None))

    def cases_per_channel(self, report_filter: ReportFilter,
                          grouping: Grouping = Grouping.DAY) -> ChannelReport:
        """Cases logged per intake channel (phone, email), per group.

        Args:
            report_filter: which cases (received in the range).
            grouping: usually a period; any grouping works.

        Returns:
            The report with a total row.
        """
        cases = load_cases(filter_condition(self.calendar, report_filter))
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
            report_filter, grouping, self.clock.now(), channels,
            [count(k, groups.get(k, [])) for k in keys], count("Total", cases),
            self._describe_filter(report_filter, grouping, as_of=None),
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
        as_of = as_of or self.clock.now()
        index = self._index_for(report_filter.dates)
        cases = load_cases(filter_condition(self.calendar, report_filter))
        as_of_seconds = as_of.timestamp()
        as_of_pos = index.position(as_of_seconds)
        by_client: dict[int, list[CaseFacts]] = defaultdict(list)
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
            outcomes = tally(members, as_of_seconds, as_of_pos, index.position)
            compliance = {t: outcomes[t].compliance for t in TARGETS}
            missed = sum(outcomes[t].breached + outcomes[t].met_late for t in TARGETS)
            last_at, last_text = last.get(client_id, (None, ""))
            rows.append(ClientSummaryRow(client_id, name, manager, len(members),
                                         open_now.get(client_id, 0), closed, compliance,
                                         missed, last_at, last_text))
        rows.sort(key=lambda r: r.client.casefold())
        return ClientSummaryReport(report_filter, as_of, self.clock.now(), rows,
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
        now = self.clock.now()
        members = [
            MemberInfo(mid, name, availability, role, bool(can_take))
            for mid, name, availability, role, can_take in raw_rows(
                TeamMemberRecord.select(TeamMemberRecord.id, TeamMemberRecord.display_name,
                                        TeamMemberRecord.availability, TeamMemberRecord.role,
                                        TeamMemberRecord.can_take_cases)
                .where(TeamMemberRecord.active == True)  # noqa: E712 - peewee expression
                .order_by(TeamMemberRecord.display_name))
        ]
        today = now.astimezone(self.calendar.zone).date()
        index = BusinessTimeIndex(self.calendar, today - timedelta(days=7),
                                  today + timedelta(days=60))
        cases = load_cases(CaseRecord.status.in_(OPEN_STATUS_VALUES), index)
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
        as_of = as_of or self.clock.now()
        members, unassigned, oldest = self.load_workload().summarize(as_of)
        local = as_of.astimezone(self.calendar.zone)
        return WorkloadReport(as_of, self.clock.now(), members, unassigned, oldest,
                              (("As of", local.strftime("%Y-%m-%d %H:%M %Z")),))
