"""Report figures checked against hand-computed expectations over the scenario's cases."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from desktop_helpdesk.domain.clock import ManualClock
from desktop_helpdesk.domain.sla import Target, default_calendar
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.errors import PermissionDenied
from desktop_helpdesk.services.reporting.business_time import BusinessTimeIndex
from desktop_helpdesk.services.reporting.measures import nearest_rank
from desktop_helpdesk.services.reporting.outcomes import Outcome, TargetOutcomes
from desktop_helpdesk.services.reporting.periods import DateRange, Grouping, ReportFilter
from desktop_helpdesk.services.reporting.service import ReportService
from desktop_helpdesk.services.reporting.tables import ColumnKind
from tests.conftest import halifax
from tests.services.test_reports_scenario import AS_OF, build_scenario

NOVEMBER_SECOND_HALF = ReportFilter(DateRange(date(2026, 11, 16), date(2026, 11, 30)))
ACK, RESPOND, RESOLVE = Target.ACKNOWLEDGE, Target.RESPOND, Target.RESOLVE


@pytest.fixture
def scenario(db):
    return build_scenario()


@pytest.fixture
def reports(scenario):
    return ReportService(ServiceContext(ManualClock(AS_OF)), viewer_id=scenario.sue)


def outcomes(on_time, late, breached, still_open):
    return TargetOutcomes(on_time, late, breached, still_open)


def test_nearest_rank_percentiles():
    assert nearest_rank([], 50) is None
    assert nearest_rank([7.0], 90) == 7.0
    assert nearest_rank([1, 2, 3, 4], 50) == 2  # rank ceil(2.0) = 2: the lower middle value
    assert nearest_rank([1, 2, 3, 4], 90) == 4  # rank ceil(3.6) = 4
    assert nearest_rank(list(range(1, 11)), 90) == 9  # rank ceil(9.0) = 9
    assert nearest_rank(list(range(1, 12)), 90) == 10  # rank ceil(9.9) = 10


def test_business_time_index_agrees_with_the_calendar_across_dst_and_holidays():
    calendar = default_calendar()
    index = BusinessTimeIndex(calendar, date(2026, 11, 1), date(2026, 11, 2))
    instants = [
        halifax(2026, 10, 30, 10, 0), halifax(2026, 11, 1, 3, 0), halifax(2026, 11, 4, 10, 0),
        halifax(2026, 11, 10, 16, 0), halifax(2026, 11, 12, 8, 15), halifax(2026, 12, 24, 12, 0),
        halifax(2027, 1, 4, 9, 0), halifax(2026, 3, 9, 9, 30),
    ]
    for start in instants:
        for end in instants:
            expected = calendar.elapsed(start, end).total_seconds()
            assert index.position(end.timestamp()) - index.position(start.timestamp()) == \
                pytest.approx(expected, abs=1e-6), (start, end)
    # Instants outside the index's first range make it grow (local dates too).
    fresh = BusinessTimeIndex(calendar, date(2026, 11, 9), date(2026, 11, 25))
    assert fresh.local_date(halifax(2026, 10, 30, 23, 30).timestamp()) == date(2026, 10, 30)
    assert fresh.local_date(halifax(2027, 2, 1, 0, 0).timestamp()) == date(2027, 2, 1)
    # Growing keeps the origin: a position taken before growing is still comparable after.
    grown = BusinessTimeIndex(calendar, date(2026, 11, 25), date(2026, 11, 25))
    before = grown.position(halifax(2026, 11, 25, 9, 0).timestamp())
    earlier = grown.position(halifax(2026, 11, 4, 10, 0).timestamp())
    assert (before - earlier) / 3600 == pytest.approx(118.0)  # 11 Nov is a holiday
    # Wed 11 Nov (Remembrance Day) contributes nothing: Tue 16:00 -> Thu 08:15 is 0.75 h.
    assert index.elapsed_hours(halifax(2026, 11, 10, 16, 0).timestamp(),
                               halifax(2026, 11, 12, 8, 15).timestamp()) == pytest.approx(0.75)


def test_sla_compliance_totals(reports):
    report = reports.sla_compliance(NOVEMBER_SECOND_HALF)
    total = report.total
    assert total.cases == 5  # A B C D E; F was received in October
    # Acknowledge: A on time, B on time (20:00 reply to a 08:30 next-day due), C late, E late,
    # D still open (due 10:30, it is 09:00).
    assert total.targets[ACK] == outcomes(2, 2, 0, 1)
    # Respond: A on time, E on time (exactly at due), B late, C breached, D open.
    assert total.targets[RESPOND] == outcomes(2, 1, 1, 1)
    # Resolve: A and B on time, C breached, D open, E paused before its due -> open.
    assert total.targets[RESOLVE] == outcomes(2, 0, 1, 2)
    # Shares are of the 5 cases: acknowledge 2/5 on time, 2/5 late, 0 breached, 1/5 open.
    assert [total.targets[ACK].share_of(o) for o in Outcome] == [0.4, 0.4, 0.0, 0.2]
    assert total.targets[ACK].compliance == 0.5  # 2 on time of 4 decided
    assert total.targets[RESPOND].compliance == 0.5  # 2 of 4
    assert total.targets[RESOLVE].compliance == pytest.approx(2 / 3)  # 2 of 3


def test_sla_compliance_by_priority_member_client_and_channel(reports):
    by_priority = reports.sla_compliance(NOVEMBER_SECOND_HALF, Grouping.PRIORITY)
    assert [r.group for r in by_priority.rows] == ["High", "Medium"]
    high, medium = by_priority.rows
    assert (high.cases, medium.cases) == (2, 3)
    assert high.targets[ACK] == outcomes(1, 1, 0, 0)  # A on time, C late
    assert high.targets[RESPOND] == outcomes(1, 0, 1, 0)  # A on time, C breached
    assert high.targets[RESOLVE] == outcomes(1, 0, 1, 0)
    assert medium.targets[ACK] == outcomes(1, 1, 0, 1)  # B on time, E late, D open
    assert medium.targets[RESPOND] == outcomes(1, 1, 0, 1)  # E on time, B late, D open
    assert medium.targets[RESOLVE] == outcomes(1, 0, 0, 2)  # B on time, D and E open

    by_member = reports.sla_compliance(NOVEMBER_SECOND_HALF, Grouping.MEMBER)
    assert [(r.group, r.cases) for r in by_member.rows] == [
        ("Alice", 2), ("Bob", 2), ("Unassigned", 1)]
    alice, bob, nobody = by_member.rows
    assert alice.targets[RESOLVE] == outcomes(1, 0, 1, 0)  # A on time, C breached
    assert bob.targets[ACK] == outcomes(1, 1, 0, 0)  # B on time, E late
    assert bob.targets[RESPOND] == outcomes(1, 1, 0, 0)  # E on time, B late
    assert nobody.targets[ACK] == outcomes(0, 0, 0, 1)

    by_client = reports.sla_compliance(NOVEMBER_SECOND_HALF, Grouping.CLIENT)
    assert [(r.group, r.cases) for r in by_client.rows] == [
        ("Acme Ltd", 2), ("Globex", 2), ("Initech", 1)]
    assert by_client.rows[1].targets[RESPOND] == outcomes(0, 0, 1, 1)  # C breached, D open

    by_channel = reports.sla_compliance(NOVEMBER_SECOND_HALF, Grouping.CHANNEL)
    assert [(r.group, r.cases) for r in by_channel.rows] == [("Email", 3), ("Phone", 2)]
    assert by_channel.rows[1].targets[ACK] == outcomes(1, 0, 0, 1)  # A on time, D open


def test_sla_compliance_by_week_keeps_empty_weeks(reports):
    report = reports.sla_compliance(NOVEMBER_SECOND_HALF, Grouping.WEEK)
    # E was received Fri 20 Nov, so it belongs to the week of Mon 16 Nov with A, B and C.
    assert [(r.group, r.cases) for r in report.rows] == [
        (date(2026, 11, 16), 4), (date(2026, 11, 23), 1), (date(2026, 11, 30), 0)]
    assert report.rows[0].targets[ACK] == outcomes(2, 2, 0, 0)
    assert report.rows[2].targets[ACK].compliance is None


def test_sla_compliance_is_judged_as_of_an_instant(reports):
    # At Tue 17 Nov 12:30 B's response (due 15:00, made 16:00) was still open, C's breached.
    report = reports.sla_compliance(
        ReportFilter(DateRange(date(2026, 11, 16), date(2026, 11, 17))),
        as_of=halifax(2026, 11, 17, 12, 30))
    assert report.total.cases == 3
    assert report.total.targets[RESPOND] == outcomes(1, 0, 1, 1)
    # C's resolve (due 16:30) is still open at 12:30; B's (met Wed) open; A met.
    assert report.total.targets[RESOLVE] == outcomes(1, 0, 0, 2)


def test_sla_compliance_filters_narrow_the_cases(reports, scenario):
    only_bob = ReportFilter(NOVEMBER_SECOND_HALF.dates, member_id=scenario.bob)
    assert reports.sla_compliance(only_bob).total.cases == 2
    phone_high = ReportFilter(NOVEMBER_SECOND_HALF.dates, priority="high", channel="phone")
    assert reports.sla_compliance(phone_high).total.cases == 1  # A


def test_sla_compliance_table_is_typed_long_form(reports):
    table = reports.sla_compliance(NOVEMBER_SECOND_HALF, Grouping.PRIORITY).table()
    assert [c.header for c in table.columns[:4]] == ["Priority", "Target", "Cases", "Met on time"]
    assert table.columns[4].kind is ColumnKind.PERCENT
    assert len(table.rows) == 9  # (High, Medium, Total) x 3 targets
    high_ack = table.rows[0]
    assert high_ack[:5] == ("High", "Acknowledge", 2, 1, 0.5)
    assert high_ack[-1] == 0.5  # compliance
    total_resolve = table.rows[-1]
    assert total_resolve[:3] == ("Total", "Resolve", 5)
    assert ("Grouped by", "Priority") in table.filters
    assert ("Received", "2026-11-16 to 2026-11-30 (Halifax dates)") in table.filters


def test_sla_times_median_and_90th_percentile(reports):
    report = reports.sla_times(NOVEMBER_SECOND_HALF)
    stats = report.total.targets
    # Acknowledge hours: A 0, B 1.5, E 2.25, C 2.5 -> median rank 2 = 1.5, p90 rank 4 = 2.5.
    assert stats[ACK].measured == 4
    assert stats[ACK].median_hours == pytest.approx(1.5)
    assert stats[ACK].p90_hours == pytest.approx(2.5)
    # Respond hours: A 3, E 8.5, B 9.5 -> median rank 2 = 8.5, p90 rank 3 = 9.5.
    assert stats[RESPOND].measured == 3
    assert stats[RESPOND].median_hours == pytest.approx(8.5)
    assert stats[RESPOND].p90_hours == pytest.approx(9.5)
    # Resolve hours: A 7, B 12 - 4 paused = 8 -> median rank 1 = 7, p90 rank 2 = 8.
    assert stats[RESOLVE].measured == 2
    assert stats[RESOLVE].median_hours == pytest.approx(7.0)
    assert stats[RESOLVE].p90_hours == pytest.approx(8.0)

    by_priority = reports.sla_times(NOVEMBER_SECOND_HALF, Grouping.PRIORITY)
    high = by_priority.rows[0].targets
    assert (high[ACK].median_hours, high[ACK].p90_hours) == (pytest.approx(0.0), pytest.approx(2.5))
    assert high[RESOLVE].measured == 1


def test_waiting_on_others(reports):
    report = reports.waiting_on_others(NOVEMBER_SECOND_HALF)
    assert report.escalations == 2
    globex_it, client, network = report.rows  # largest total first
    # C waits on Globex IT from Mon 23 10:00: 6.5 h Mon + 8.5 h Tue + 1 h Wed = 16 h, open.
    assert (globex_it.waiting_on, globex_it.kind, globex_it.periods, globex_it.still_waiting) \
        == ("Globex IT", "Client IT", 1, 1)
    assert globex_it.total_hours == pytest.approx(16.0)
    # Client waits: B 4 h (ended), E 3.5 h so far (Tue 14:00 -> Wed 09:00).
    assert (client.waiting_on, client.periods, client.still_waiting) == ("Client", 2, 1)
    assert client.total_hours == pytest.approx(7.5)
    assert client.median_hours == pytest.approx(3.5)  # rank 1 of [3.5, 4]
    assert client.p90_hours == pytest.approx(4.0)
    assert (network.waiting_on, network.kind, network.periods) == (
        "Network team", "Internal department", 1)
    assert network.total_hours == pytest.approx(4.0)
    assert network.still_waiting == 0


def test_backlog_per_day(reports):
    report = reports.backlog(ReportFilter(DateRange(date(2026, 11, 16), date(2026, 11, 25))))
    figures = [(d.day.day, d.logged, d.resolved, d.open_at_end) for d in report.days]
    # F (October) is open before the range: 1. A and B logged Mon, A resolved Mon; C Tue;
    # B resolved Wed; E Fri; D Wed 25.
    assert figures == [
        (16, 2, 1, 2), (17, 1, 0, 3), (18, 0, 1, 2), (19, 0, 0, 2), (20, 1, 0, 3),
        (21, 0, 0, 3), (22, 0, 0, 3), (23, 0, 0, 3), (24, 0, 0, 3), (25, 1, 0, 4),
    ]
    assert report.table().columns[0].kind is ColumnKind.DATE
    # A count of cases judges no SLA outcome: it states its range but no "as of" instant.
    assert [label for label, _text in report.filter_text] == ["Received"]


def test_cases_per_channel_by_week(reports):
    report = reports.cases_per_channel(NOVEMBER_SECOND_HALF, Grouping.WEEK)
    assert report.channels == ("phone", "email", "teams")  # every intake channel, in intake order
    assert [(r.group, r.by_channel.get("phone", 0), r.by_channel.get("email", 0), r.total)
            for r in report.rows] == [
        (date(2026, 11, 16), 1, 3, 4), (date(2026, 11, 23), 1, 0, 1), (date(2026, 11, 30), 0, 0, 0)]
    assert (report.total.by_channel, report.total.total) == ({"phone": 2, "email": 3}, 5)
    assert [label for label, _text in report.filter_text] == ["Received", "Grouped by"]
    table = report.table()
    assert [c.header for c in table.columns] == ["Week of", "Phone", "Email", "Microsoft Teams",
                                                 "Total"]
    assert table.rows[0] == (date(2026, 11, 16), 1, 3, 0, 4)
    assert table.rows[-1] == ("Total", 2, 3, 0, 5)


def test_client_summary(reports, scenario):
    report = reports.client_summary(NOVEMBER_SECOND_HALF)
    acme, globex, initech = report.rows
    assert (acme.client, acme.account_manager, acme.cases, acme.open_now, acme.closed) == (
        "Acme Ltd", "Maria", 2, 1, 2)  # open_now is F, from October
    assert acme.compliance == {ACK: 1.0, RESPOND: 0.5, RESOLVE: 1.0}
    assert acme.missed == 1  # B's late response
    # The internal note on B (Thu 19) is not an interaction with the client.
    assert acme.last_interaction_at == halifax(2026, 11, 18, 10, 0)
    assert "licence re-issued" in acme.last_interaction
    assert (globex.cases, globex.open_now, globex.closed, globex.missed) == (2, 2, 0, 3)
    assert globex.compliance == {ACK: 0.0, RESPOND: 0.0, RESOLVE: 0.0}
    assert globex.last_interaction_at == halifax(2026, 11, 25, 8, 30)
    assert (initech.cases, initech.open_now, initech.closed, initech.missed) == (1, 1, 0, 1)
    assert initech.compliance == {ACK: 0.0, RESPOND: 1.0, RESOLVE: None}


def test_workload_per_member(reports):
    report = reports.workload()
    by_name = {m.name: m for m in report.members}
    assert list(by_name) == ["Alice", "Bob", "Sue"]
    alice, bob, sue = by_name["Alice"], by_name["Bob"], by_name["Sue"]
    # Alice: C (High, escalated, respond/resolve breached) and F (resolve due 4 Nov).
    assert (alice.open_cases, alice.high, alice.medium, alice.due_soon, alice.overdue,
            alice.waiting_on_client, alice.escalated) == (2, 1, 1, 0, 2, 0, 1)
    # Bob: E waiting on client; its only unmet clock (resolve) is paused.
    assert (bob.availability, bob.open_cases, bob.medium, bob.due_soon, bob.overdue,
            bob.waiting_on_client) == ("away", 1, 1, 0, 0, 1)
    assert sue.open_cases == 0
    assert (report.unassigned.open_cases, report.unassigned.due_soon, report.unassigned.overdue) \
        == (1, 0, 0)
    oldest = report.oldest_waiting_acknowledgement
    assert oldest.number == "2026-00006"  # D
    assert oldest.waiting_hours == pytest.approx(0.5)


def test_workload_turns_due_soon_then_overdue_without_queries(reports, scenario):
    snapshot = reports.load_workload()
    # D's acknowledgement (2 h budget, due 10:30) is due soon once 75% is used: from 10:00.
    _, unassigned, _ = snapshot.summarize(halifax(2026, 11, 25, 9, 59))
    assert (unassigned.due_soon, unassigned.overdue) == (0, 0)
    _, unassigned, _ = snapshot.summarize(halifax(2026, 11, 25, 10, 0))
    assert (unassigned.due_soon, unassigned.overdue) == (1, 0)
    _, unassigned, _ = snapshot.summarize(halifax(2026, 11, 25, 10, 30))
    assert (unassigned.due_soon, unassigned.overdue) == (1, 0)  # exactly due is not late
    _, unassigned, oldest = snapshot.summarize(halifax(2026, 11, 25, 10, 31))
    assert (unassigned.due_soon, unassigned.overdue) == (0, 1)
    assert oldest.waiting_hours == pytest.approx(2 + 1 / 60)


def test_agents_may_not_see_reports(scenario):
    with pytest.raises(PermissionDenied, match="supervisor or admin"):
        ReportService(ServiceContext(ManualClock(AS_OF)), viewer_id=scenario.alice)


def test_date_range_rejects_reversed_dates():
    with pytest.raises(ValueError, match="before it starts"):
        DateRange(date(2026, 11, 30), date(2026, 11, 1))
    assert len(DateRange(date(2026, 11, 1), date(2026, 11, 30)).days()) == 30
    assert DateRange(date(2026, 11, 1), date(2026, 11, 1)).days()[0] + timedelta(days=1) == \
        date(2026, 11, 2)


def test_closed_hours_after_the_due_instant_are_not_late(reports):
    """C's resolution is due Tue 17 Nov 16:30 (closing time): at 20:00 that evening it is not
    yet breached; it is once business time runs again on Wednesday morning."""
    two_days = ReportFilter(DateRange(date(2026, 11, 16), date(2026, 11, 17)))
    evening = reports.sla_compliance(two_days, as_of=halifax(2026, 11, 17, 20, 0))
    # Resolve at Tue 20:00: A met, B open (met Wed), C open (due 16:30, closed hours since).
    assert evening.total.targets[RESOLVE] == outcomes(1, 0, 0, 2)
    morning = reports.sla_compliance(two_days, as_of=halifax(2026, 11, 18, 8, 0, 30))
    assert morning.total.targets[RESOLVE] == outcomes(1, 0, 1, 1)


def test_a_reply_in_the_evening_to_a_target_due_that_afternoon_is_on_time():
    from desktop_helpdesk.services.reporting.case_loading import CaseFacts as _CaseFacts
    from desktop_helpdesk.services.reporting.outcomes import outcome_code as _outcome_code

    calendar = default_calendar()
    index = BusinessTimeIndex(calendar, date(2026, 11, 16), date(2026, 11, 20))
    due = halifax(2026, 11, 16, 16, 30).timestamp()

    def case(met):
        return _CaseFacts(1, "2026-00001", "high", "email", "in_progress", None, 1,
                          halifax(2026, 11, 16, 8, 30).timestamp(), (due, due, due),
                          (met, None, None), None, None)

    as_of = halifax(2026, 11, 20, 12, 0).timestamp()
    position = index.position
    as_of_pos = position(as_of)
    on_time, late = 0, 1
    assert _outcome_code(case(halifax(2026, 11, 16, 20, 0).timestamp()), 0, as_of, as_of_pos,
                         position) == on_time
    assert _outcome_code(case(halifax(2026, 11, 17, 8, 0).timestamp()), 0, as_of, as_of_pos,
                         position) == on_time  # the next opening instant itself
    assert _outcome_code(case(halifax(2026, 11, 17, 8, 1).timestamp()), 0, as_of, as_of_pos,
                         position) == late
