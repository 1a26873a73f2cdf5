"""The outcome of each SLA target at a report instant, and their tallies per group."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from desktop_helpdesk.domain.sla import Target
from desktop_helpdesk.services.reporting.case_loading import CaseFacts
from desktop_helpdesk.services.reporting.measures import share

TARGETS: tuple[Target, ...] = (Target.ACKNOWLEDGE, Target.RESPOND, Target.RESOLVE)
TARGET_LABELS = {t: t.label for t in TARGETS}


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


def outcome_code(case: CaseFacts, target: int, as_of: float, as_of_pos: float,
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


def tally(cases: Iterable[CaseFacts], as_of: float, as_of_pos: float,
           position: Callable[[float], float]) -> dict[Target, TargetOutcomes]:
    counts = [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
    for case in cases:
        for target in (0, 1, 2):
            counts[target][outcome_code(case, target, as_of, as_of_pos, position)] += 1
    return {t: TargetOutcomes(*counts[n]) for n, t in enumerate(TARGETS)}




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
