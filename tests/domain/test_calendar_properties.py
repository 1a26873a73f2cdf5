"""Properties of business-time arithmetic, checked by hypothesis against a day-walking oracle."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_helpdesk.domain.sla import default_calendar

HALIFAX = ZoneInfo("America/Halifax")
DAY = timedelta(hours=8, minutes=30)
# The package's dates plus the desk's one rule for weekend holidays it leaves unobserved
# (Canada Day on a weekend; see nova_scotia_holiday_names), written out independently here.
NS_HOLIDAYS = set(holidays.Canada(subdiv="NS", language="en_CA", years=range(2018, 2040)))
for _year in range(2018, 2040):
    _canada_day = date(_year, 7, 1)
    if _canada_day.weekday() >= 5:
        NS_HOLIDAYS.add(_canada_day + timedelta(days=7 - _canada_day.weekday()))
CAL = default_calendar()

starts = st.datetimes(
    min_value=datetime(2019, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.sampled_from([HALIFAX, UTC])
)
amounts = st.timedeltas(min_value=timedelta(0), max_value=60 * DAY)
# Instants near the edges that matter: openings, closings, midnight, DST nights.
edge_starts = st.builds(
    lambda day, clock, fold: datetime.combine(day, clock, tzinfo=HALIFAX).replace(fold=fold),
    st.dates(min_value=datetime(2019, 1, 1).date(), max_value=datetime(2035, 12, 31).date()),
    st.sampled_from(
        [time(0), time(1, 30), time(2, 30), time(7, 59, 59), time(8), time(16, 29, 59), time(16, 30), time(23, 59)]
    ),
    st.sampled_from([0, 1]),
)
# The nights clocks change, where local wall time repeats (fold) or skips (gap).
dst_nights = st.builds(
    lambda day, minutes, fold: (datetime.combine(day, time(0), tzinfo=HALIFAX) + timedelta(minutes=minutes)).replace(
        fold=fold
    ),
    st.sampled_from([datetime(2026, 3, 8).date(), datetime(2026, 11, 1).date(), datetime(2030, 3, 10).date()]),
    st.integers(0, 24 * 60 - 1),
    st.sampled_from([0, 1]),
)
any_start = st.one_of(starts, edge_starts, dst_nights)
fast = settings(max_examples=200, deadline=None)


def is_business_day(day):
    return day.weekday() < 5 and day not in NS_HOLIDAYS


def oracle_add(start, amount):
    """Walk day by day (slow, obviously right): the reference for ``add`` with amount > 0."""
    moment = start.astimezone(UTC)
    day = start.astimezone(HALIFAX).date()
    left = amount
    while True:
        if is_business_day(day):
            opening = datetime.combine(day, time(8), tzinfo=HALIFAX).astimezone(UTC)
            closing = datetime.combine(day, time(16, 30), tzinfo=HALIFAX).astimezone(UTC)
            begin = max(opening, moment)
            if begin < closing:
                if left <= closing - begin:
                    return begin + left
                left -= closing - begin
        day += timedelta(days=1)


def at_closing(instant):
    local = instant.astimezone(HALIFAX)
    return local.time() == time(16, 30) and is_business_day(local.date())


@fast
@given(any_start, amounts.filter(lambda d: d > timedelta(0)))
def test_add_matches_day_walking_oracle(start, amount):
    assert CAL.add(start, amount) == oracle_add(start, amount)


@fast
@given(any_start, amounts)
def test_elapsed_inverts_add(start, amount):
    assert CAL.elapsed(start, CAL.add(start, amount)) == amount


@fast
@given(any_start, amounts, amounts)
def test_add_is_monotonic_in_amount(start, first, second):
    smaller, larger = sorted((first, second))
    assert CAL.add(start, smaller) <= CAL.add(start, larger)


@fast
@given(any_start, amounts)
def test_add_lands_in_business_hours_or_at_a_closing(start, amount):
    result = CAL.add(start, amount)
    assert CAL.is_open(result) or at_closing(result)
    assert result.tzinfo is CAL.zone
    assert result >= start


@fast
@given(any_start, any_start, any_start)
def test_elapsed_is_additive_and_antisymmetric(a, b, c):
    assert CAL.elapsed(a, b) + CAL.elapsed(b, c) == CAL.elapsed(a, c)
    assert CAL.elapsed(a, b) == -CAL.elapsed(b, a)


@fast
@given(any_start, amounts.filter(lambda d: d > timedelta(0)))
def test_negative_amount_goes_back_by_that_business_time(start, amount):
    earlier = CAL.add(start, -amount)
    assert earlier <= start
    assert CAL.elapsed(earlier, start) == amount


@fast
@given(any_start)
def test_next_open_is_open_and_nothing_is_open_before_it(start):
    opening = CAL.next_open(start)
    assert CAL.is_open(opening)
    assert opening >= start
    assert CAL.elapsed(start, opening) == timedelta(0)


@fast
@given(any_start, amounts)
def test_results_do_not_depend_on_the_start_zone(start, amount):
    # Local starts take a wall-clock shortcut; UTC starts the exact epoch path: same answers.
    as_utc = start.astimezone(UTC)
    assert CAL.add(start, amount) == CAL.add(as_utc, amount)
    assert CAL.is_open(start) is CAL.is_open(as_utc)
    assert CAL.next_open(start) == CAL.next_open(as_utc)
    later = CAL.add(start, amount)
    assert CAL.elapsed(start, later) == CAL.elapsed(as_utc, later.astimezone(UTC)) == amount
