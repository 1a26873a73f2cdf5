"""Team workload: the live snapshot loaded on refresh and counted per tick without SQL."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from desktop_helpdesk.domain.cases import (
    Availability,
    CaseStatus,
)
from desktop_helpdesk.services.reporting.business_time import (
    HOUR_SECONDS,
    BusinessTimeIndex,
    utc_from_epoch,
)
from desktop_helpdesk.services.reporting.tables import Column, ColumnKind, ReportTable, table_of

UNASSIGNED_LABEL = "Unassigned"


@dataclass(frozen=True)
class MemberWorkload:
    """One team member's open queue at an instant."""

    member_id: int | None  # None: the unassigned queue
    name: str
    availability: str
    open_cases: int = 0
    high: int = 0
    medium: int = 0
    due_soon: int = 0
    overdue: int = 0
    waiting_on_client: int = 0
    escalated: int = 0


@dataclass(frozen=True)
class OldestWaitingAcknowledgement:
    case_id: int
    number: str
    received_at: datetime
    waiting_hours: float  # business hours since receipt


@dataclass(frozen=True)
class WorkloadReport:
    """Team workload and queue review at ``as_of``."""

    as_of: datetime
    generated_at: datetime
    members: list[MemberWorkload]
    unassigned: MemberWorkload
    oldest_waiting_acknowledgement: OldestWaitingAcknowledgement | None
    filter_text: tuple[tuple[str, str], ...] = ()

    def table(self) -> ReportTable:
        cells = (
            (Column("Team member"), lambda m: m.name),
            (Column("Availability"),
             lambda m: Availability.label_of(m.availability)),
            (Column("Open", ColumnKind.INTEGER), lambda m: m.open_cases),
            (Column("High", ColumnKind.INTEGER), lambda m: m.high),
            (Column("Medium", ColumnKind.INTEGER), lambda m: m.medium),
            (Column("Due soon", ColumnKind.INTEGER), lambda m: m.due_soon),
            (Column("Overdue", ColumnKind.INTEGER), lambda m: m.overdue),
            (Column("Waiting on client", ColumnKind.INTEGER), lambda m: m.waiting_on_client),
            (Column("Escalated", ColumnKind.INTEGER), lambda m: m.escalated),
        )
        filters = list(self.filter_text)
        oldest = self.oldest_waiting_acknowledgement
        if oldest is not None:
            filters.append((
                "Oldest waiting acknowledgement",
                f"{oldest.number} ({oldest.waiting_hours:.1f} business h)",
            ))
        filters.append(("Unassigned open cases", str(self.unassigned.open_cases)))
        return table_of("Team workload", tuple(filters), self.generated_at,
                        [*self.members, self.unassigned], cells)


@dataclass(frozen=True, slots=True)
class OpenCaseClock:
    """An open case reduced to what the per-second workload tick needs (business positions)."""

    case_id: int
    number: str
    assignee_id: int | None
    priority: str
    status: str
    received: float  # epoch
    acknowledged: bool
    overdue_after: float | None  # business position past which the case is overdue
    due_soon_from: float | None  # business position from which it is due soon


@dataclass(frozen=True)
class MemberInfo:
    member_id: int
    name: str
    availability: str
    role: str
    can_take_cases: bool


@dataclass
class WorkloadSnapshot:
    """Open cases and members loaded from the database; ``summarize`` is SQL-free."""

    members: list[MemberInfo]
    cases: list[OpenCaseClock]
    index: BusinessTimeIndex = field(repr=False)

    def summarize(self, now: datetime) -> tuple[list[MemberWorkload], MemberWorkload,
                                                OldestWaitingAcknowledgement | None]:
        """Count each member's open queue at ``now`` from the loaded clocks (no queries)."""
        position = self.index.position(now.timestamp())
        counts: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        oldest: OpenCaseClock | None = None
        for case in self.cases:
            bucket = counts[case.assignee_id]
            bucket["open"] += 1
            bucket[case.priority] += 1
            if case.overdue_after is not None and position > case.overdue_after:
                bucket["overdue"] += 1
            elif case.due_soon_from is not None and position >= case.due_soon_from:
                bucket["due_soon"] += 1
            if case.status == CaseStatus.WAITING_ON_CLIENT:
                bucket["waiting"] += 1
            elif case.status == CaseStatus.ESCALATED:
                bucket["escalated"] += 1
            if not case.acknowledged and (oldest is None or case.received < oldest.received):
                oldest = case

        def workload(member_id, name, availability) -> MemberWorkload:
            bucket = counts.get(member_id, {})
            return MemberWorkload(
                member_id, name, availability,
                open_cases=bucket.get("open", 0), high=bucket.get("high", 0),
                medium=bucket.get("medium", 0), due_soon=bucket.get("due_soon", 0),
                overdue=bucket.get("overdue", 0), waiting_on_client=bucket.get("waiting", 0),
                escalated=bucket.get("escalated", 0),
            )

        members = [workload(m.member_id, m.name, m.availability) for m in self.members]
        unassigned = workload(None, UNASSIGNED_LABEL, "")
        oldest_ack = None
        if oldest is not None:
            oldest_ack = OldestWaitingAcknowledgement(
                oldest.case_id, oldest.number, utc_from_epoch(oldest.received),
                (position - self.index.position(oldest.received)) / HOUR_SECONDS,
            )
        return members, unassigned, oldest_ack
