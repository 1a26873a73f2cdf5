"""Worked examples for the business calendar, reasoned from the support policy.

Policy: Mon-Fri 08:00-16:30 Halifax (8.5 h a day), Nova Scotia public holidays closed.
Each expectation is derived by hand in the comment above it.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from desktop_helpdesk.domain.sla import (
    BusinessCalendar,
    default_calendar,
    nova_scotia_holiday_names,
    nova_scotia_holidays,
)
from tests.conftest import halifax

HOUR = timedelta(hours=1)
DAY = timedelta(hours=8, minutes=30)


@pytest.fixture
def cal():
    return default_calendar()


# -- starting inside, before and after hours -----------------------------------------------


def test_add_within_one_day(cal):
    assert cal.add(halifax(2026, 11, 25, 9, 0), 2 * HOUR) == halifax(2026, 11, 25, 11, 0)


def test_start_before_opening_counts_from_opening(cal):
    # Wed 06:00 is before hours: clock starts 08:00, +2 h = 10:00.
    assert cal.add(halifax(2026, 11, 25, 6, 0), 2 * HOUR) == halifax(2026, 11, 25, 10, 0)


def test_start_after_closing_counts_from_next_opening(cal):
    # Wed 18:00 -> Thu 08:00 + 2 h.
    assert cal.add(halifax(2026, 11, 25, 18, 0), 2 * HOUR) == halifax(2026, 11, 26, 10, 0)


def test_amount_ending_exactly_at_closing_returns_closing(cal):
    # 14:30 + 2 h is 16:30 the same day, not Thu 08:00.
    assert cal.add(halifax(2026, 11, 25, 14, 30), 2 * HOUR) == halifax(2026, 11, 25, 16, 30)
    # A full business day from opening ends at that day's closing.
    assert cal.add(halifax(2026, 11, 25, 8, 0), DAY) == halifax(2026, 11, 25, 16, 30)


def test_one_second_past_closing_moves_to_next_morning(cal):
    assert cal.add(halifax(2026, 11, 25, 14, 30), 2 * HOUR + timedelta(seconds=1)) == halifax(
        2026, 11, 26, 8, 0, 1
    )


def test_start_exactly_at_closing_counts_from_next_opening(cal):
    assert cal.add(halifax(2026, 11, 25, 16, 30), timedelta(seconds=1)) == halifax(
        2026, 11, 26, 8, 0, 1
    )


def test_zero_amount(cal):
    # Open: the start itself. Closed (Sat): the next opening, Mon 08:00.
    assert cal.add(halifax(2026, 11, 25, 9, 15), timedelta(0)) == halifax(2026, 11, 25, 9, 15)
    assert cal.add(halifax(2026, 11, 28, 10, 0), timedelta(0)) == halifax(2026, 11, 30, 8, 0)


def test_result_is_aware_in_calendar_zone_for_any_input_zone(cal):
    # 2026-11-25 13:00 UTC is 09:00 AST (UTC-4).
    result = cal.add(datetime(2026, 11, 25, 13, 0, tzinfo=UTC), HOUR)
    assert result == halifax(2026, 11, 25, 10, 0)
    assert result.tzinfo == ZoneInfo("America/Halifax")
    assert (result.hour, result.minute) == (10, 0)


def test_microseconds_are_kept(cal):
    start = halifax(2026, 11, 25, 16, 29, 59).replace(microsecond=250_000)
    # 0.75 s to closing, the remaining 0.25 s on Thursday morning.
    assert cal.add(start, timedelta(seconds=1)) == halifax(2026, 11, 26, 8, 0, 0).replace(
        microsecond=250_000
    )


# -- weekends ------------------------------------------------------------------------------


def test_friday_afternoon_runs_over_the_weekend(cal):
    # Fri 15:00: 1.5 h to closing, 2.5 h from Mon 08:00 -> Mon 10:30.
    assert cal.add(halifax(2026, 11, 27, 15, 0), 4 * HOUR) == halifax(2026, 11, 30, 10, 30)


def test_start_on_saturday_counts_from_monday(cal):
    assert cal.add(halifax(2026, 11, 28, 10, 0), HOUR) == halifax(2026, 11, 30, 9, 0)


def test_full_week_is_five_business_days(cal):
    assert cal.add(halifax(2026, 11, 23, 8, 0), 5 * DAY) == halifax(2026, 11, 27, 16, 30)
    assert cal.add(halifax(2026, 11, 23, 8, 0), 5 * DAY + HOUR) == halifax(2026, 11, 30, 9, 0)


# -- holidays ------------------------------------------------------------------------------


def test_good_friday_is_closed(cal):
    # Thu 2026-04-02 15:30: 1 h to closing; Good Friday 04-03 and the weekend closed;
    # Easter Monday 04-06 is a working day in NS -> 09:00.
    assert cal.add(halifax(2026, 4, 2, 15, 30), 2 * HOUR) == halifax(2026, 4, 6, 9, 0)


def test_christmas_2026_on_friday(cal):
    # Thu 12-24 16:00: 0.5 h; Fri 25 Christmas, weekend (Boxing Day is Saturday) -> Mon 08:30.
    assert cal.add(halifax(2026, 12, 24, 16, 0), HOUR) == halifax(2026, 12, 28, 8, 30)


def test_boxing_day_is_a_working_day(cal):
    # Wed 2025-12-24 16:00: 0.5 h; Christmas Thu closed; Boxing Day Fri 12-26 open -> 08:30.
    assert cal.add(halifax(2025, 12, 24, 16, 0), HOUR) == halifax(2025, 12, 26, 8, 30)


@pytest.mark.parametrize(
    "day",
    [
        date(2025, 12, 26),  # Boxing Day
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 18),  # Victoria Day
        date(2026, 8, 3),  # Natal Day
        date(2026, 10, 12),  # Thanksgiving
    ],
)
def test_non_public_holidays_are_working_days(cal, day):
    assert cal.is_business_day(day)
    assert cal.is_open(datetime.combine(day, time(10), tzinfo=ZoneInfo("America/Halifax")))


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 1),  # New Year's Day
        date(2026, 2, 16),  # Heritage Day
        date(2026, 4, 3),  # Good Friday
        date(2026, 7, 1),  # Canada Day
        date(2026, 9, 7),  # Labour Day
        date(2026, 11, 11),  # Remembrance Day
        date(2026, 12, 25),  # Christmas Day
        date(2027, 12, 27),  # Christmas Day (observed): 2027-12-25 is a Saturday
        date(2028, 1, 3),  # New Year's Day (observed): 2028-01-01 is a Saturday
        date(2023, 11, 13),  # Remembrance Day (observed): 2023-11-11 is a Saturday
    ],
)
def test_public_holidays_are_closed(cal, day):
    assert not cal.is_business_day(day)
    assert not cal.is_open(datetime.combine(day, time(10), tzinfo=ZoneInfo("America/Halifax")))


def test_observed_christmas_on_monday(cal):
    # Fri 2027-12-24 16:00: 0.5 h; Sat 25, Sun 26, Mon 27 (observed) closed -> Tue 08:30.
    assert cal.add(halifax(2027, 12, 24, 16, 0), HOUR) == halifax(2027, 12, 28, 8, 30)


@pytest.mark.parametrize(
    ("holiday", "observed"),
    [
        (date(2028, 7, 1), date(2028, 7, 3)),  # Saturday: the employer gives the next working day
        (date(2029, 7, 1), date(2029, 7, 2)),  # Sunday: the Holidays Act moves it to Monday
        (date(2034, 7, 1), date(2034, 7, 3)),
    ],
)
def test_canada_day_on_a_weekend_is_observed_on_monday(cal, holiday, observed):
    # The holidays package gives Nova Scotia no observed day for these; the desk's rule does.
    assert observed not in holidays.Canada(subdiv="NS", language="en_CA", years=observed.year)
    assert not cal.is_business_day(observed)
    assert nova_scotia_holiday_names(observed.year)[observed] == "Canada Day (observed)"
    friday, tuesday = observed - timedelta(days=3), observed + timedelta(days=1)
    # Fri 16:00 + 1 h: half an hour on Friday, the other half on Tuesday morning.
    assert cal.add(halifax(friday.year, friday.month, friday.day, 16), timedelta(hours=1)) == (
        halifax(tuesday.year, tuesday.month, tuesday.day, 8, 30))


def test_weekend_rule_agrees_with_every_observed_day_the_package_gives():
    # One rule for all weekend holidays: where the package already observes one (New Year's
    # Day, Remembrance Day, Christmas Day) the rule lands on the same weekday, for a century.
    for year in range(2000, 2101):
        package = set(holidays.Canada(subdiv="NS", language="en_CA", years=year))
        ours = nova_scotia_holidays(year)
        assert package <= ours, year
        extra = ours - package
        assert all(nova_scotia_holiday_names(year)[day] == "Canada Day (observed)" for day in extra)
        assert all(day.weekday() < 5 for day in extra)


def test_christmas_on_saturday_is_observed_on_monday_not_boxing_day_sunday():
    names = nova_scotia_holiday_names(2027)
    assert names[date(2027, 12, 27)] == "Christmas Day (observed)"
    assert date(2027, 12, 26) not in names


def test_observed_new_year_across_year_end(cal):
    # Fri 2027-12-31 16:00: 0.5 h; weekend; Mon 2028-01-03 observed -> Tue 2028-01-04 08:30.
    assert cal.add(halifax(2027, 12, 31, 16, 0), HOUR) == halifax(2028, 1, 4, 8, 30)


def test_year_end_with_new_years_day_on_friday(cal):
    # Thu 2026-12-31 15:00: 1.5 h; Fri 2027-01-01 closed; weekend; Mon 01-04 08:00 + 1.5 h.
    assert cal.add(halifax(2026, 12, 31, 15, 0), 3 * HOUR) == halifax(2027, 1, 4, 9, 30)


# -- company closures ------------------------------------------------------------------------


def test_company_closure_is_skipped():
    cal = default_calendar(closures=[date(2026, 4, 6)])  # Easter Monday closed this year
    # Thu 04-02 15:30: 1 h; Good Friday, weekend, Easter Monday closure -> Tue 04-07 09:00.
    assert cal.add(halifax(2026, 4, 2, 15, 30), 2 * HOUR) == halifax(2026, 4, 7, 9, 0)


def test_with_closures_replaces_the_closure_set():
    base = default_calendar(closures=[date(2026, 12, 28)])
    assert not base.is_business_day(date(2026, 12, 28))
    moved = base.with_closures([date(2026, 12, 29)])
    assert moved.is_business_day(date(2026, 12, 28))
    assert not moved.is_business_day(date(2026, 12, 29))
    assert not moved.is_business_day(date(2026, 12, 25))  # holidays are kept
    # Thu 12-24 16:00: 0.5 h; Mon 28 open -> 08:30 ; the original calendar skips Mon 28.
    assert moved.add(halifax(2026, 12, 24, 16, 0), HOUR) == halifax(2026, 12, 28, 8, 30)
    assert base.add(halifax(2026, 12, 24, 16, 0), HOUR) == halifax(2026, 12, 29, 8, 30)


# -- daylight saving ---------------------------------------------------------------------


def test_spring_forward_weekend_exact_to_the_second(cal):
    # Clocks go 02:00 AST -> 03:00 ADT on Sun 2026-03-08. Fri 15:00 AST: 1.5 h to closing;
    # Mon from 08:00 ADT + 2.5 h + 7 s = 10:30:07 ADT = 13:30:07 UTC.
    result = cal.add(halifax(2026, 3, 6, 15, 0), 4 * HOUR + timedelta(seconds=7))
    assert result == datetime(2026, 3, 9, 13, 30, 7, tzinfo=UTC)
    assert result.utcoffset() == timedelta(hours=-3)
    # The wall-clock gap Fri 16:00 -> Mon 09:00 is one real hour shorter, business time is not.
    assert cal.elapsed(halifax(2026, 3, 6, 16, 0), halifax(2026, 3, 9, 9, 0)) == timedelta(
        hours=1, minutes=30
    )


def test_fall_back_weekend_exact_to_the_second(cal):
    # Clocks go 02:00 ADT -> 01:00 AST on Sun 2026-11-01. Fri 10-30 15:00 ADT: 1.5 h;
    # Mon 11-02 08:00 AST + 2.5 h + 7 s = 10:30:07 AST = 14:30:07 UTC.
    result = cal.add(halifax(2026, 10, 30, 15, 0), 4 * HOUR + timedelta(seconds=7))
    assert result == datetime(2026, 11, 2, 14, 30, 7, tzinfo=UTC)
    assert result.utcoffset() == timedelta(hours=-4)


def test_start_in_the_repeated_hour_counts_from_monday(cal):
    # 01:30 happens twice on Sun 2026-11-01; either way Monday 08:00 + 1 h.
    first = datetime(2026, 11, 1, 1, 30, tzinfo=ZoneInfo("America/Halifax"), fold=0)
    second = first.replace(fold=1)
    assert cal.add(first, HOUR) == halifax(2026, 11, 2, 9, 0)
    assert cal.add(second, HOUR) == halifax(2026, 11, 2, 9, 0)


def test_business_hours_spanning_a_dst_switch_are_counted_in_real_time():
    # A 7-day, 00:00-23:00 desk: on 2026-03-08 02:00 AST jumps to 03:00 ADT, so
    # 00:00 AST + 3 real hours = 04:00 ADT and that day has only 22 h of business time.
    cal = BusinessCalendar(open=time(0), close=time(23), workdays=range(7))
    start = halifax(2026, 3, 8, 0, 0)
    assert cal.add(start, 3 * HOUR) == halifax(2026, 3, 8, 4, 0)
    assert cal.elapsed(start, halifax(2026, 3, 9, 0, 0)) == timedelta(hours=22)
    assert cal.add(start, timedelta(hours=22)) == halifax(2026, 3, 8, 23, 0)


# -- long spans ------------------------------------------------------------------------------


def test_sixty_business_days_from_new_year(cal):
    # From Mon 2026-01-05: January 20 days, February 19 (Heritage Day 02-16), March 2-27
    # 20 more (59), Mon 03-30 the 60th -> 16:30 ADT (after the March DST switch).
    start = halifax(2026, 1, 5, 8, 0)
    assert cal.add(start, 60 * DAY) == halifax(2026, 3, 30, 16, 30)
    assert cal.add(start, 60 * DAY + timedelta(seconds=1)) == halifax(2026, 3, 31, 8, 0, 1)
    assert cal.elapsed(start, halifax(2026, 3, 30, 16, 30)) == 60 * DAY


def test_sixty_business_days_over_christmas_and_year_end(cal):
    # From Mon 2026-11-30: 19 business days to Thu 12-24 (Christmas Fri), 23 by 12-31
    # (New Year Fri), Jan 2027 +20 = 43, Feb 1-12 +10 = 53, Feb 15-19 +4 (Heritage Day
    # 02-15) = 57, Feb 22-24 +3 = 60 -> Wed 2027-02-24 16:30.
    assert cal.add(halifax(2026, 11, 30, 8, 0), 60 * DAY) == halifax(2027, 2, 24, 16, 30)


def test_far_past_and_future_years(cal):
    # 2040-12-24 is a Monday, Christmas Tuesday: Mon 16:00 + 1 h -> Wed 12-26 08:30.
    assert cal.add(halifax(2040, 12, 24, 16, 0), HOUR) == halifax(2040, 12, 26, 8, 30)
    # 1999-12-31 is a Friday; 2000-01-01 a Saturday, observed Mon 01-03 -> Tue 01-04 08:30.
    assert cal.add(halifax(1999, 12, 31, 16, 0), HOUR) == halifax(2000, 1, 4, 8, 30)


# -- elapsed --------------------------------------------------------------------------------


def test_elapsed_same_day(cal):
    assert cal.elapsed(halifax(2026, 11, 25, 9, 0), halifax(2026, 11, 25, 11, 15)) == timedelta(
        hours=2, minutes=15
    )


def test_elapsed_outside_hours_is_clipped(cal):
    # 06:00 -> 20:00 covers the whole business day; a whole night counts nothing.
    assert cal.elapsed(halifax(2026, 11, 25, 6, 0), halifax(2026, 11, 25, 20, 0)) == DAY
    assert cal.elapsed(halifax(2026, 11, 25, 17, 0), halifax(2026, 11, 26, 7, 0)) == timedelta(0)


def test_elapsed_over_a_holiday_weekend(cal):
    # Thu 2026-04-02 12:00 -> Mon 04-06 12:00: 4.5 h + (Good Friday) + 4 h.
    assert cal.elapsed(halifax(2026, 4, 2, 12, 0), halifax(2026, 4, 6, 12, 0)) == timedelta(
        hours=8, minutes=30
    )


def test_elapsed_is_negative_when_end_is_before_start(cal):
    assert cal.elapsed(halifax(2026, 11, 30, 10, 30), halifax(2026, 11, 27, 15, 0)) == -4 * HOUR


def test_elapsed_accepts_mixed_zones(cal):
    # 12:00 UTC = 08:00 AST; 16:30 Halifax.
    assert cal.elapsed(datetime(2026, 11, 25, 12, 0, tzinfo=UTC), halifax(2026, 11, 25, 16, 30)) == DAY


# -- negative amounts ---------------------------------------------------------------------


def test_negative_amount_counts_backwards(cal):
    # Mon 2026-11-30 09:00 minus 2 h: 1 h on Monday, 1 h back from Friday 16:30 -> 15:30.
    assert cal.add(halifax(2026, 11, 30, 9, 0), -2 * HOUR) == halifax(2026, 11, 27, 15, 30)
    # Backwards landing on a day boundary stops at the opening.
    assert cal.add(halifax(2026, 11, 30, 9, 0), -HOUR) == halifax(2026, 11, 30, 8, 0)


# -- is_open / next_open ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (halifax(2026, 11, 25, 8, 0), True),
        (halifax(2026, 11, 25, 16, 29, 59), True),
        (halifax(2026, 11, 25, 16, 30), False),
        (halifax(2026, 11, 25, 7, 59, 59), False),
        (halifax(2026, 11, 28, 10, 0), False),  # Saturday
        (halifax(2026, 4, 3, 10, 0), False),  # Good Friday
        (datetime(2026, 11, 25, 12, 0, tzinfo=UTC), True),  # 08:00 AST
        (datetime(2026, 11, 25, 11, 59, tzinfo=UTC), False),  # 07:59 AST
    ],
)
def test_is_open(cal, instant, expected):
    assert cal.is_open(instant) is expected


def test_next_open(cal):
    assert cal.next_open(halifax(2026, 11, 27, 16, 30)) == halifax(2026, 11, 30, 8, 0)
    assert cal.next_open(halifax(2026, 11, 25, 10, 0)) == halifax(2026, 11, 25, 10, 0)
    assert cal.next_open(halifax(2026, 12, 24, 17, 0)) == halifax(2026, 12, 28, 8, 0)
    assert cal.next_open(halifax(2026, 11, 25, 7, 0)) == halifax(2026, 11, 25, 8, 0)
    result = cal.next_open(datetime(2026, 11, 25, 23, 0, tzinfo=UTC))
    assert result == halifax(2026, 11, 26, 8, 0)
    assert result.tzinfo == ZoneInfo("America/Halifax")


# -- refusal and configuration -----------------------------------------------------------


def test_naive_datetimes_are_refused(cal):
    naive = datetime(2026, 11, 25, 9, 0)
    aware = halifax(2026, 11, 25, 9, 0)
    for call in (
        lambda: cal.add(naive, HOUR),
        lambda: cal.elapsed(naive, aware),
        lambda: cal.elapsed(aware, naive),
        lambda: cal.is_open(naive),
        lambda: cal.next_open(naive),
    ):
        with pytest.raises(ValueError, match="naive"):
            call()


def test_day_length_and_zone(cal):
    assert cal.day_length == timedelta(hours=8.5)
    assert cal.zone == ZoneInfo("America/Halifax")


def test_default_calendar_uses_the_package_holidays(cal):
    expected = holidays.Canada(subdiv="NS", language="en_CA", years=2026)
    for day in expected:
        assert not cal.is_business_day(day), day


def test_custom_calendar_with_fixed_holidays():
    cal = BusinessCalendar(
        timezone="UTC", open=time(9), close=time(17), workdays={0, 1, 2, 3}, holidays=[date(2026, 11, 25)]
    )
    assert cal.day_length == timedelta(hours=8)
    # Tue 2026-11-24 16:00 UTC: 1 h; Wed holiday; Thu 09:00 + 1 h; Fri not a workday.
    assert cal.add(datetime(2026, 11, 24, 16, tzinfo=UTC), 2 * HOUR) == datetime(
        2026, 11, 26, 10, tzinfo=UTC
    )
    assert cal.add(datetime(2026, 11, 26, 16, tzinfo=UTC), 2 * HOUR) == datetime(
        2026, 11, 30, 10, tzinfo=UTC
    )


def test_calendar_accepts_a_holidays_package_object():
    cal = BusinessCalendar(holidays=holidays.Canada(subdiv="NS", language="en_CA"))
    assert not cal.is_business_day(date(2031, 4, 11))  # Good Friday 2031
    assert cal.add(halifax(2031, 4, 10, 16, 0), HOUR) == halifax(2031, 4, 14, 8, 30)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"workdays": set()},
        {"workdays": {7}},
        {"open": time(17), "close": time(9)},
        {"open": time(9), "close": time(9)},
    ],
)
def test_invalid_configuration_is_refused(kwargs):
    with pytest.raises(ValueError):
        BusinessCalendar(**kwargs)


def test_concurrent_use_from_worker_threads_gives_the_same_answers():
    # UI workers share one calendar; each thread forces the index to grow into new years.
    from concurrent.futures import ThreadPoolExecutor

    starts = [halifax(year, 12, 31, 15, 0) for year in range(2001, 2041)]
    expected = [BusinessCalendar(holidays=holidays.Canada(subdiv="NS", language="en_CA")).add(s, 40 * DAY) for s in starts]
    shared = default_calendar(closures=[date(1999, 1, 4)])  # a fresh cached instance
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda start: shared.add(start, 40 * DAY), starts))
    assert results == expected


def test_business_positions_differ_by_elapsed_business_time(cal):
    instants = [
        halifax(2026, 3, 6, 15, 0), halifax(2026, 3, 9, 9, 30),  # across spring forward
        halifax(2026, 11, 10, 16, 0), halifax(2026, 11, 12, 8, 15),  # Remembrance Day between
        halifax(2026, 11, 28, 10, 0), halifax(2027, 1, 4, 9, 0),
    ]
    positions = cal.business_positions([t.timestamp() for t in instants] + [None])
    assert positions[-1] is None
    for start, start_position in zip(instants, positions, strict=False):
        assert cal.business_position(start.timestamp()) == start_position
        for end, end_position in zip(instants, positions, strict=False):
            assert end_position - start_position == cal.elapsed(start, end).total_seconds()
    assert positions[3] - positions[2] == 2_700


def test_business_positions_keep_their_origin_as_the_index_grows():
    cal = BusinessCalendar(holidays=[date(2026, 11, 11)])
    late = cal.business_position(halifax(2026, 11, 25, 9, 0).timestamp())
    # Years earlier: the index grows backwards, and the first position must not move.
    early = cal.business_position(halifax(2020, 1, 6, 9, 0).timestamp())
    assert cal.business_position(halifax(2026, 11, 25, 9, 0).timestamp()) == late
    assert late - early == cal.elapsed(halifax(2020, 1, 6, 9, 0), halifax(2026, 11, 25, 9, 0)).total_seconds()
    assert cal.business_positions([None, None]) == [None, None]
