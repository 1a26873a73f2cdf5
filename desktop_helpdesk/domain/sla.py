"""SLA clocks: due instants from the policy and the state of each clock at a given moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from desktop_helpdesk.domain.calendar import (
    BusinessCalendar,
    default_calendar,
    nova_scotia_holiday_names,
    nova_scotia_holidays,
)
from desktop_helpdesk.domain.policy import LabelledEnum, Priority, SlaPolicy, Target

__all__ = [
    "DUE_SOON_SHARE",
    "BusinessCalendar",
    "ClockReading",
    "ClockState",
    "Target",
    "default_calendar",
    "due_instants",
    "paused_since",
    "nova_scotia_holiday_names",
    "nova_scotia_holidays",
    "read_clock",
]

#: Share of the budget used after which a running clock shows as due soon.
DUE_SOON_SHARE = 0.75

_ZERO = timedelta(0)


class ClockState(LabelledEnum):
    """Where one SLA clock stands (``.label`` e.g. "Due soon")."""

    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    BREACHED = "breached"
    MET = "met"
    MET_LATE = "met_late"
    PAUSED = "paused"


@dataclass(frozen=True, slots=True)
class ClockReading:
    """One SLA clock read at one moment.

    Attributes:
        target: which clock (acknowledge, respond, resolve).
        state: its state.
        due_at: when the target is due.
        met_at: when it was met, or None while running.
        remaining: business time left (at ``met_at`` once met); negative = overdue by.
        used_share: share of the budget used, 0.0 upwards (above 1.0 when overdue).
    """

    target: Target
    state: ClockState
    due_at: datetime
    met_at: datetime | None
    remaining: timedelta
    used_share: float


def due_instants(
    calendar: BusinessCalendar,
    policy: SlaPolicy,
    received_at: datetime,
    priority: Priority | str,
) -> dict[Target, datetime]:
    """When each target falls due for a case received at ``received_at``.

    Args:
        calendar: business calendar (normally ``default_calendar(closures)``).
        policy: the SLA budgets (normally ``DEFAULT_POLICY``).
        received_at: aware instant the request arrived.
        priority: effective priority (``Priority`` or its value).

    Returns:
        Due instant per ``Target``, aware in the calendar's zone.

    Raises:
        ValueError: on a naive ``received_at`` or an unknown priority.

    Example:
        A High case received Friday 2026-11-27 15:00 Halifax: acknowledge by 16:30 Friday
        (1.5 h) + 0.5 h = Monday 08:30; respond (4 h) Monday 10:30; resolve (8.5 h) Monday
        15:00.

        >>> from zoneinfo import ZoneInfo
        >>> from desktop_helpdesk.domain.policy import DEFAULT_POLICY
        >>> due = due_instants(default_calendar(), DEFAULT_POLICY,
        ...                    datetime(2026, 11, 27, 15, tzinfo=ZoneInfo("America/Halifax")), "high")
        >>> [due[t].strftime("%a %H:%M") for t in Target]
        ['Mon 08:30', 'Mon 10:30', 'Mon 15:00']
    """
    level = Priority(priority)
    return {target: calendar.add(received_at, policy.budget(level, target)) for target in Target}


def paused_since(target: Target, resolve_paused_at: datetime | None) -> datetime | None:
    """When ``target``'s clock was paused: only the resolution clock pauses (waiting on the
    client), since acknowledging and answering the client do not depend on the client.

    Args:
        target: the clock.
        resolve_paused_at: the case's current pause start, None when it is not paused.

    Returns:
        The pause start for the resolution clock, else None.

    Example:
        >>> paused_since(Target.RESPOND, datetime(2026, 11, 30, 9, 0).astimezone()) is None
        True
    """
    return resolve_paused_at if target is Target.RESOLVE else None


def read_clock(
    calendar: BusinessCalendar,
    *,
    target: Target | str,
    due_at: datetime,
    now: datetime,
    budget: timedelta,
    met_at: datetime | None = None,
    paused_since: datetime | None = None,
    due_soon_share: float = DUE_SOON_SHARE,
) -> ClockReading:
    """Read one SLA clock.

    Lateness is measured in business time: a clock is breached only once business time
    has run past ``due_at``. A case due Monday 16:30 and answered Monday 20:00 is met on
    time (no business time passed after 16:30); unanswered, it turns breached when the
    desk opens again (Tuesday 08:00).

    Args:
        calendar: the business calendar the due instant was computed with.
        target: which clock this is.
        due_at: aware due instant.
        now: aware current instant (from the injected clock).
        budget: the target's full business-time budget (for ``used_share``).
        met_at: aware instant the target was met, if it was.
        paused_since: when the clock was paused (e.g. waiting on the client), None while it
            runs. A paused clock's ``remaining`` is frozen at the pause's start, or read at
            ``now`` if that is earlier (a report as of an earlier instant, or a workstation
            whose clock runs behind the one that paused it): remaining time is never read
            from an instant later than ``now``. The caller moves ``due_at`` when it resumes.
        due_soon_share: share of the budget after which a running clock is due soon.

    Returns:
        The ``ClockReading``. Met clocks take precedence over ``paused``.

    Raises:
        ValueError: on naive instants, a non-positive budget or a share outside (0, 1].

    Example:
        High "respond" (budget 4 h) due Monday 2026-11-30 12:00 Halifax, read at 11:15:
        0.75 h left, 3.25 h of 4 h used (81 %) -> DUE_SOON. Replied at 11:30 -> MET with
        0.5 h to spare; replied at 19:00 -> MET_LATE by 4.5 h (12:00 to the 16:30 closing).
    """
    if budget <= _ZERO:
        raise ValueError(f"budget must be positive, got {budget}")
    if not 0 < due_soon_share <= 1:
        raise ValueError(f"due_soon_share must be in (0, 1], got {due_soon_share}")
    # Enum lookup by value is slow; this runs per visible row on every UI tick.
    clock_target = target if type(target) is Target else Target(target)
    if met_at is not None:
        remaining = calendar.elapsed(met_at, due_at)
        used = (budget - remaining) / budget
        state = ClockState.MET if remaining >= _ZERO else ClockState.MET_LATE
    else:
        read_at = now if paused_since is None else min(now, paused_since)
        remaining = calendar.elapsed(read_at, due_at)
        used = (budget - remaining) / budget
        if paused_since is not None:
            state = ClockState.PAUSED
        elif remaining < _ZERO:
            state = ClockState.BREACHED
        elif used >= due_soon_share:
            state = ClockState.DUE_SOON
        else:
            state = ClockState.ON_TRACK
    return ClockReading(
        target=clock_target,
        state=state,
        due_at=due_at,
        met_at=met_at,
        remaining=remaining,
        used_share=used if used > 0.0 else 0.0,
    )
