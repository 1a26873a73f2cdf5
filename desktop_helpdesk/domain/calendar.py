"""Business-hours calendar: exact business-time arithmetic over opening hours, holidays and closures."""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_package

POLICY_TIMEZONE = "America/Halifax"
#: The desk's own time zone: business hours, case-number years and every local date shown.
DESK_ZONE = ZoneInfo(POLICY_TIMEZONE)
POLICY_OPEN = time(8)
POLICY_CLOSE = time(16, 30)
POLICY_WORKDAYS = frozenset({0, 1, 2, 3, 4})

#: Per-year holiday dates; lets a calendar cover any year without a fixed list.
HolidaysByYear = Callable[[int], Iterable[date]]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_MICROS_PER_DAY = 86_400_000_000
_MICROS_PER_SECOND = 1_000_000
_SATURDAY = 5


def _micros(instant: datetime) -> int:
    """Microseconds since the Unix epoch for an aware instant (exact integer arithmetic)."""
    if instant.tzinfo is None:
        raise ValueError(
            f"naive datetime {instant!r} refused: business time needs an aware datetime "
            "(attach a timezone, e.g. tzinfo=ZoneInfo('America/Halifax') or UTC)"
        )
    try:
        delta = instant - _EPOCH
    except TypeError:
        # A tzinfo whose utcoffset() returns None makes the datetime naive in all but name.
        raise ValueError(f"datetime {instant!r} has no UTC offset; pass an aware datetime") from None
    return (delta.days * 86_400 + delta.seconds) * _MICROS_PER_SECOND + delta.microseconds


def _wall_micros(instant: datetime) -> int:
    """Microseconds of local wall-clock time since 0001-01-01, ignoring the UTC offset."""
    return (
        instant.toordinal() * 86_400 + instant.hour * 3_600 + instant.minute * 60 + instant.second
    ) * _MICROS_PER_SECOND + instant.microsecond


def _instant(micros: int, zone: ZoneInfo) -> datetime:
    return (_EPOCH + timedelta(microseconds=micros)).astimezone(zone)


def nova_scotia_holiday_names(year: int) -> dict[date, str]:
    """Nova Scotia public holidays of ``year`` with their names, weekend ones observed.

    The dates are the ``holidays`` package's public NS set. The package moves some weekend
    holidays to a weekday ("(observed)") but not others: it gives no observed day for Canada
    Day on a Saturday or Sunday (2028-07-01, 2029-07-01). The desk uses one rule for all of
    them instead: a public holiday that falls on a Saturday or Sunday is observed on the next
    weekday that is not itself a holiday. Sources: the Holidays Act (R.S.C. 1985, c. H-5, s. 2)
    makes Monday 2 July the holiday when 1 July is a Sunday, and the Nova Scotia Labour
    Standards Code gives employees whose general holiday falls on a non-working day the next
    working day off, which is how employers observe a Saturday holiday. For every holiday the
    package already observes (New Year's Day, Remembrance Day, Christmas Day) the rule gives
    the same weekday as the package.

    Boxing Day, Easter Monday, Natal Day, Victoria Day and Thanksgiving are not in the
    package's public NS set, so they stay working days unless added as company closures.

    Args:
        year: the calendar year.

    Returns:
        Holiday date (Halifax local) -> name, observed days named "... (observed)".

    Example:
        >>> nova_scotia_holiday_names(2028)[date(2028, 7, 3)]
        'Canada Day (observed)'
    """
    return dict(_holiday_names(year))


@lru_cache(maxsize=512)
def _holiday_names(year: int) -> tuple[tuple[date, str], ...]:
    # en_CA keeps the package from reading the workstation's locale; observed=False gives the
    # real dates so that the one rule below decides every observed day.
    actual = holidays_package.Canada(subdiv="NS", language="en_CA", years=year, observed=False)
    named = dict(actual.items())
    for day in sorted(named):
        if day.weekday() < _SATURDAY:
            continue
        observed = day + timedelta(days=7 - day.weekday())
        while observed in named or observed.weekday() >= _SATURDAY:
            observed += timedelta(days=1)
        named[observed] = f"{named[day]} (observed)"
    return tuple(sorted(named.items()))


def nova_scotia_holidays(year: int) -> frozenset[date]:
    """The dates of ``nova_scotia_holiday_names(year)``: the days business time skips.

    Args:
        year: the calendar year.

    Returns:
        The holiday dates (Halifax local), observed weekdays included.

    Example:
        >>> date(2026, 4, 3) in nova_scotia_holidays(2026)  # Good Friday
        True
    """
    return _holiday_dates(year)


@lru_cache(maxsize=512)
def _holiday_dates(year: int) -> frozenset[date]:
    return frozenset(day for day, _name in _holiday_names(year))


def _per_year(source: holidays_package.HolidayBase) -> HolidaysByYear:
    """Turn a ``holidays`` object into a per-year lookup that expands to any year."""
    lock = threading.Lock()

    def dates_in(year: int) -> frozenset[date]:
        with lock:
            # Membership tests make the package populate the year (expand=True default).
            date(year, 1, 1) in source  # noqa: B015
            return frozenset(day for day in source if day.year == year)

    return dates_in


@dataclass(frozen=True, slots=True)
class _Index:
    """Business days of a range of years, ordered, with cumulative business time.

    Positions (``starts``/``ends``) are business microseconds counted from an arbitrary but
    fixed origin, so they stay valid when the index is extended in either direction.
    """

    first_year: int
    last_year: int
    lower_guard: int  # instants before this (start of first_year + 1) need more past years
    upper_guard: int  # instants from this (start of last_year + 1) need more future years
    opens: list[int]  # epoch microseconds of each business day's opening
    # The same openings in local wall-clock microseconds (see _wall_micros), or None when
    # some day's business hours contain a UTC-offset change. Wall time orders instants
    # correctly everywhere except inside such changes, which then all fall outside
    # business hours: the fold and the gap map to the same business position either way.
    wall_opens: list[int] | None
    wall_lower_guard: int
    wall_upper_guard: int
    lengths: list[int]  # real microseconds from opening to closing
    starts: list[int]  # business position at opening
    ends: list[int]  # business position at closing
    # Aware local opening datetimes when wall-clock addition is exact on that day (no
    # UTC-offset change between opening and closing), else None.
    local_opens: list[datetime | None]


class BusinessCalendar:
    """Opening hours, working weekdays, holidays and company closures in one time zone.

    Business time runs only inside ``[open, close)`` on working days that are neither
    holidays nor closures. Arithmetic is exact to the microsecond and correct across
    daylight-saving changes because every day is anchored to real (UTC) instants.

    Internally each business day is one entry in sorted lists of opening instants and
    cumulative business time, built per year on demand, so ``add`` and ``elapsed`` are two
    binary searches regardless of the amount.

    Args:
        timezone: IANA zone name of the support desk.
        open: local opening time.
        close: local closing time (after ``open``; overnight shifts are not supported).
        workdays: weekday numbers that are working days (Monday = 0).
        holidays: holiday dates (local), a ``holidays`` package object, or a callable
            ``year -> dates`` for open-ended years.
        closures: extra company closure dates (local).

    Raises:
        ValueError: on an empty working week, a weekday outside 0-6, or ``close <= open``.
    """

    def __init__(
        self,
        timezone: str = POLICY_TIMEZONE,
        open: time = POLICY_OPEN,  # noqa: A002 - the contract's parameter name
        close: time = POLICY_CLOSE,
        workdays: Iterable[int] = POLICY_WORKDAYS,
        holidays: Iterable[date] | HolidaysByYear = (),
        closures: Iterable[date] = (),
    ) -> None:
        self._zone = ZoneInfo(timezone)
        self._open = open
        self._close = close
        self._workdays = frozenset(workdays)
        if not self._workdays:
            raise ValueError("a business calendar needs at least one working weekday")
        if not self._workdays <= frozenset(range(7)):
            raise ValueError(f"weekdays are 0 (Monday) to 6 (Sunday), got {sorted(self._workdays)}")
        if open.tzinfo is not None or close.tzinfo is not None:
            raise ValueError("open and close are local wall-clock times; pass naive time objects")
        if close <= open:
            raise ValueError(f"closing time {close} must be after opening time {open}")
        self._holiday_source = holidays
        if isinstance(holidays, holidays_package.HolidayBase):
            self._holidays_by_year: HolidaysByYear | None = _per_year(holidays)
            self._fixed_holidays: frozenset[date] = frozenset()
        elif callable(holidays):
            self._holidays_by_year = holidays
            self._fixed_holidays = frozenset()
        else:
            self._holidays_by_year = None
            self._fixed_holidays = frozenset(holidays)
        self._closures = frozenset(closures)
        self._day_length = datetime.combine(date.min, close) - datetime.combine(date.min, open)
        self._wall_length_micros = self._day_length // _MICROSECOND
        self._lock = threading.Lock()
        self._index: _Index | None = None

    # -- configuration -------------------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's time zone; results of ``add``/``next_open`` are in it."""
        return self._zone

    @property
    def day_length(self) -> timedelta:
        """Business time in one full working day (8.5 h for the policy calendar)."""
        return self._day_length

    @property
    def closures(self) -> frozenset[date]:
        """Company closure dates (local)."""
        return self._closures

    def with_closures(self, dates: Iterable[date]) -> BusinessCalendar:
        """A copy of this calendar whose company closures are exactly ``dates``.

        Args:
            dates: closure dates (local); replaces, not extends, the current closures.

        Returns:
            A new calendar with the same hours and holidays.
        """
        return BusinessCalendar(
            timezone=self._zone.key,
            open=self._open,
            close=self._close,
            workdays=self._workdays,
            holidays=self._holiday_source,
            closures=dates,
        )

    def is_business_day(self, day: date) -> bool:
        """Whether ``day`` (local) is a working weekday that is no holiday or closure."""
        return day.weekday() in self._workdays and day not in self._closed_dates(day.year)

    def __repr__(self) -> str:
        return (
            f"BusinessCalendar(timezone={self._zone.key!r}, open={self._open!r}, "
            f"close={self._close!r}, workdays={sorted(self._workdays)}, "
            f"closures={sorted(self._closures)})"
        )

    # -- queries -------------------------------------------------------------------------

    def add(self, start: datetime, amount: timedelta) -> datetime:
        """The instant at which ``amount`` of business time has passed since ``start``.

        A start outside business hours counts from the next opening. An amount that runs
        out exactly at a closing returns that closing (16:30), not the next opening. A zero
        amount returns ``start`` when open, else the next opening. A negative amount counts
        backwards (from the previous closing when ``start`` is outside hours).

        Args:
            start: aware instant, any time zone.
            amount: business time to add.

        Returns:
            Aware datetime in the calendar's zone.

        Raises:
            ValueError: if ``start`` is naive.

        Example:
            Friday 2026-11-27 15:00 Halifax plus 4 business hours: 1.5 h on Friday to 16:30,
            then 2.5 h from Monday 08:00:

            >>> cal = BusinessCalendar()
            >>> halifax = ZoneInfo("America/Halifax")
            >>> cal.add(datetime(2026, 11, 27, 15, 0, tzinfo=halifax), timedelta(hours=4))
            datetime.datetime(2026, 11, 30, 10, 30, tzinfo=zoneinfo.ZoneInfo(key='America/Halifax'))
        """
        # Inlined _locate: this is the hot path of every due-date computation.
        index = self._index
        if start.tzinfo is self._zone and index is not None and index.wall_opens is not None:
            # Local wall time needs no UTC-offset lookup (costly in zoneinfo past 2037-ish
            # and for rule-based zones); same instant order within business hours.
            moment = (
                start.toordinal() * 86_400 + start.hour * 3_600 + start.minute * 60 + start.second
            ) * _MICROS_PER_SECOND + start.microsecond
            if index.wall_lower_guard <= moment < index.wall_upper_guard:
                opens = index.wall_opens
            else:
                index, opens, moment = self._locate(start)
        else:
            index, opens, moment = self._locate(start)
        amount_micros = (
            amount.days * _MICROS_PER_DAY
            + amount.seconds * _MICROS_PER_SECOND
            + amount.microseconds
        )
        day = bisect_right(opens, moment) - 1
        into_day = moment - opens[day]
        length = index.lengths[day]
        if amount_micros == 0:
            if into_day < length:
                return start.astimezone(self._zone)
            return self._opening_after(index, index.ends[day])
        position = index.starts[day] + (into_day if into_day < length else length)
        target = position + amount_micros
        if amount_micros > 0:
            # The first day whose closing is at or after target: a target on a day
            # boundary therefore lands at closing, not at the next opening.
            if target > index.ends[-1]:
                index = self._cover_position(target)
            found = bisect_left(index.ends, target)
        else:
            if target < index.starts[0]:
                index = self._cover_position(target)
            found = bisect_right(index.starts, target) - 1
        offset = target - index.starts[found]
        local_open = index.local_opens[found]
        if local_open is not None:
            # Positional arguments: noticeably faster than microseconds=... in CPython.
            return local_open + timedelta(0, 0, offset)
        return _instant(index.opens[found] + offset, self._zone)

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time between two instants; negative when ``end`` is before ``start``.

        Args:
            start: aware instant.
            end: aware instant.

        Returns:
            The business time from ``start`` to ``end``.

        Raises:
            ValueError: if either instant is naive.

        Example:
            Friday 2026-11-27 15:00 to Monday 2026-11-30 10:30 Halifax is 1.5 h + 2.5 h:

            >>> cal = BusinessCalendar()
            >>> halifax = ZoneInfo("America/Halifax")
            >>> cal.elapsed(datetime(2026, 11, 27, 15, tzinfo=halifax),
            ...             datetime(2026, 11, 30, 10, 30, tzinfo=halifax))
            datetime.timedelta(seconds=14400)
        """
        return timedelta(0, 0, self._position_of(end) - self._position_of(start))

    def business_position(self, epoch_seconds: float) -> float:
        """Business seconds from this calendar's fixed origin to an instant.

        The difference of two positions is the business time between the instants, exactly
        as ``elapsed`` gives it; the origin never moves while the calendar lives, so positions
        taken at different times stay comparable. Epoch seconds, not datetimes, because
        reports read instants from the database as numbers by the hundred thousand.

        Args:
            epoch_seconds: the instant as seconds since 1970-01-01 UTC.

        Returns:
            Business seconds since the origin.

        Example:
            Tuesday 2026-11-10 16:00 to Thursday 2026-11-12 08:15 Halifax (Remembrance Day
            between) is 0.75 h: the positions differ by 2,700.
        """
        moment = round(epoch_seconds * _MICROS_PER_SECOND)
        index = self._index
        if index is None or not index.lower_guard <= moment < index.upper_guard:
            index = self._cover_instant(moment)
        opens = index.opens
        day = bisect_right(opens, moment) - 1
        into_day = moment - opens[day]
        length = index.lengths[day]
        return (index.starts[day] + (into_day if into_day < length else length)) / _MICROS_PER_SECOND

    def business_positions(self, epoch_seconds: Sequence[float | None]) -> list[float | None]:
        """``business_position`` of many instants at once; None stays None.

        One range check for the whole batch, then a tight loop: this is what keeps the SLA
        report over 100,000 cases (800,000 instants) well under its two seconds.

        Args:
            epoch_seconds: instants as seconds since 1970-01-01 UTC, or None.

        Returns:
            Business seconds since the origin, in the same order.
        """
        present = [value for value in epoch_seconds if value is not None]
        if not present:
            return [None] * len(epoch_seconds)
        # Covering both ends grows the index once; it only ever grows, so it covers all between.
        self.business_position(min(present))
        self.business_position(max(present))
        index = self._index
        assert index is not None  # just covered
        opens, lengths, starts = index.opens, index.lengths, index.starts
        find = bisect_right
        scale = _MICROS_PER_SECOND
        result: list[float | None] = []
        append = result.append
        for value in epoch_seconds:
            if value is None:
                append(None)
                continue
            moment = round(value * scale)
            day = find(opens, moment) - 1
            into_day = moment - opens[day]
            length = lengths[day]
            append((starts[day] + (into_day if into_day < length else length)) / scale)
        return result

    def is_open(self, instant: datetime) -> bool:
        """Whether business time is running at ``instant`` (opening inclusive, closing exclusive).

        Args:
            instant: aware instant.

        Returns:
            True inside ``[open, close)`` of a business day.

        Raises:
            ValueError: if ``instant`` is naive.
        """
        index, opens, moment = self._locate(instant)
        day = bisect_right(opens, moment) - 1
        return moment - opens[day] < index.lengths[day]

    def next_open(self, instant: datetime) -> datetime:
        """The first instant at or after ``instant`` when business time runs.

        Returns ``instant`` itself (in the calendar's zone) when the desk is open, else the
        next opening; this is where a clock started at ``instant`` begins counting.

        Args:
            instant: aware instant.

        Returns:
            Aware datetime in the calendar's zone.

        Raises:
            ValueError: if ``instant`` is naive.

        Example:
            Saturday 2026-11-28 10:00 Halifax -> Monday 2026-11-30 08:00.
        """
        index, opens, moment = self._locate(instant)
        day = bisect_right(opens, moment) - 1
        if moment - opens[day] < index.lengths[day]:
            return instant.astimezone(self._zone)
        return self._opening_after(index, index.ends[day])

    # -- index ---------------------------------------------------------------------------

    def _locate(self, instant: datetime) -> tuple[_Index, list[int], int]:
        """An index covering ``instant``, its openings on a time scale, and the instant on it.

        The scale is local wall time for instants in the calendar's own zone (when the index
        allows it), else UTC epoch microseconds.

        Raises:
            ValueError: if ``instant`` is naive.
        """
        index = self._index
        if instant.tzinfo is self._zone and index is not None and index.wall_opens is not None:
            moment = _wall_micros(instant)
            if index.wall_lower_guard <= moment < index.wall_upper_guard:
                return index, index.wall_opens, moment
        moment = _micros(instant)
        if index is None or not index.lower_guard <= moment < index.upper_guard:
            index = self._cover_instant(moment)
        return index, index.opens, moment

    def _position_of(self, instant: datetime) -> int:
        """Business position of ``instant`` (business microseconds from the index origin)."""
        # _locate inlined for the common cases: elapsed() runs per visible row per tick.
        index = self._index
        if index is None:
            index, opens, moment = self._locate(instant)
        elif instant.tzinfo is self._zone and index.wall_opens is not None:
            moment = _wall_micros(instant)
            if index.wall_lower_guard <= moment < index.wall_upper_guard:
                opens = index.wall_opens
            else:
                index, opens, moment = self._locate(instant)
        else:
            moment = _micros(instant)
            if index.lower_guard <= moment < index.upper_guard:
                opens = index.opens
            else:
                index, opens, moment = self._locate(instant)
        day = bisect_right(opens, moment) - 1
        into_day = moment - opens[day]
        length = index.lengths[day]
        return index.starts[day] + (into_day if into_day < length else length)

    def _opening_after(self, index: _Index, position: int) -> datetime:
        """The opening of the first business day with business time after ``position``.

        Works from a position, not a list index: another thread may have prepended years
        to the index meanwhile, which shifts list indices but never positions.
        """
        while position >= index.ends[-1]:
            index = self._extend(index.first_year, index.last_year + 1)
        day = bisect_right(index.ends, position)
        local_open = index.local_opens[day]
        if local_open is not None:
            return local_open
        return _instant(index.opens[day], self._zone)

    def _cover_instant(self, moment: int) -> _Index:
        """Make sure a full year before and after ``moment`` is indexed."""
        year = _instant(moment, self._zone).year
        index = self._index
        first = year - 1 if index is None else min(index.first_year, year - 1)
        last = year + 1 if index is None else max(index.last_year, year + 1)
        index = self._extend(first, last)
        # A year with no business day at all (pathological holiday lists) needs more past.
        while not index.opens or index.opens[0] > moment:
            index = self._extend(index.first_year - 1, index.last_year)
        return index

    def _cover_position(self, position: int) -> _Index:
        """Extend the index until business ``position`` falls inside it."""
        index = self._index
        assert index is not None  # callers resolved a position, so an index exists
        while position > index.ends[-1]:
            index = self._extend(index.first_year, index.last_year + 1)
        while position < index.starts[0]:
            index = self._extend(index.first_year - 1, index.last_year)
        return index

    def _extend(self, first_year: int, last_year: int) -> _Index:
        """Return an index covering at least ``first_year..last_year`` and publish it.

        Existing positions are preserved: earlier days are prepended counting backwards
        from the current origin, later days appended counting forwards.
        """
        with self._lock:
            current = self._index
            if current is not None and (
                current.first_year <= first_year and last_year <= current.last_year
            ):
                return current
            if current is None:
                opens, lengths, local_opens = self._business_days(first_year, last_year)
                starts = _cumulative(lengths, 0)
            else:
                before = self._business_days(first_year, current.first_year - 1)
                after = self._business_days(current.last_year + 1, last_year)
                origin = (current.starts[0] if current.starts else 0) - sum(before[1])
                before_starts = _cumulative(before[1], origin)
                after_origin = current.ends[-1] if current.ends else origin + sum(before[1])
                after_starts = _cumulative(after[1], after_origin)
                opens = before[0] + current.opens + after[0]
                lengths = before[1] + current.lengths + after[1]
                local_opens = before[2] + current.local_opens + after[2]
                starts = before_starts + current.starts + after_starts
                first_year = min(first_year, current.first_year)
                last_year = max(last_year, current.last_year)
            exact_everywhere = all(local is not None for local in local_opens)
            index = _Index(
                first_year=first_year,
                last_year=last_year,
                lower_guard=_micros(datetime(first_year + 1, 1, 1, tzinfo=self._zone)),
                upper_guard=_micros(datetime(last_year + 1, 1, 1, tzinfo=self._zone))
                if last_year < 9999
                else 2**62,
                opens=opens,
                wall_opens=[_wall_micros(local) for local in local_opens]  # type: ignore[arg-type]
                if exact_everywhere
                else None,
                wall_lower_guard=_wall_micros(datetime(first_year + 1, 1, 1)),
                wall_upper_guard=_wall_micros(datetime(last_year + 1, 1, 1))
                if last_year < 9999
                else 2**62,
                lengths=lengths,
                starts=starts,
                ends=[start + length for start, length in zip(starts, lengths, strict=True)],
                local_opens=local_opens,
            )
            # One attribute swap publishes the new index atomically for other threads.
            self._index = index
            return index

    def _business_days(
        self, first_year: int, last_year: int
    ) -> tuple[list[int], list[int], list[datetime | None]]:
        opens: list[int] = []
        lengths: list[int] = []
        local_opens: list[datetime | None] = []
        for year in range(first_year, last_year + 1):
            closed = self._closed_dates(year)
            for ordinal in range(date(year, 1, 1).toordinal(), date(year + 1, 1, 1).toordinal()):
                day = date.fromordinal(ordinal)
                if day.weekday() not in self._workdays or day in closed:
                    continue
                opening = datetime.combine(day, self._open, tzinfo=self._zone)
                closing = datetime.combine(day, self._close, tzinfo=self._zone)
                opening_micros = _micros(opening)
                length = _micros(closing) - opening_micros
                opens.append(opening_micros)
                lengths.append(length)
                # Wall-clock addition to the opening is exact only when the UTC offset does
                # not change during business hours (always true for 08:00-16:30 in Halifax,
                # whose switches happen at 02:00).
                same_offset = opening.utcoffset() == closing.utcoffset()
                exact = same_offset and length == self._wall_length_micros
                local_opens.append(opening if exact else None)
        return opens, lengths, local_opens

    def _closed_dates(self, year: int) -> frozenset[date] | set[date]:
        if self._holidays_by_year is None:
            holidays = self._fixed_holidays
        else:
            # Neighbouring years too: an observed day can fall across New Year.
            holidays = {
                day
                for nearby in (year - 1, year, year + 1)
                if 1 <= nearby <= 9999
                for day in self._holidays_by_year(nearby)
                if day.year == year
            }
        return holidays | self._closures


def _cumulative(lengths: list[int], origin: int) -> list[int]:
    starts = []
    position = origin
    for length in lengths:
        starts.append(position)
        position += length
    return starts


@lru_cache(maxsize=64)
def _default_calendar(closures: frozenset[date]) -> BusinessCalendar:
    return BusinessCalendar(holidays=nova_scotia_holidays, closures=closures)


def default_calendar(closures: Iterable[date] = ()) -> BusinessCalendar:
    """The support policy's calendar: Mon-Fri 08:00-16:30 Halifax, NS public holidays.

    Holidays come from ``holidays.Canada(subdiv="NS", language="en_CA")`` for whatever
    years are asked about. Calendars are cached per closure set, so repeated calls share
    their precomputed business-day index.

    Args:
        closures: company closure dates (Halifax local), e.g. Boxing Day.

    Returns:
        The policy ``BusinessCalendar``.

    Example:
        >>> cal = default_calendar(closures=[date(2026, 12, 28)])
        >>> cal.is_business_day(date(2026, 12, 25)), cal.is_business_day(date(2026, 12, 28))
        (False, False)
    """
    return _default_calendar(frozenset(closures))
