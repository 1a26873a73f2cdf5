"""Choosing the team member for a case: round robin or least open workload."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import Case, fn

from desktop_helpdesk.domain.cases import (
    OPEN_STATUS_VALUES,
    WORKLOAD_WEIGHTS,
    AssignmentStrategy,
    Availability,
)
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.storage.records import CaseRecord, TeamMemberRecord

ROUND_ROBIN_CURSOR = "state.round_robin_last_member_id"


@dataclass(frozen=True)
class AssignmentChoice:
    """The member chosen (None: nobody available) and the sentence explaining why."""

    member_id: int | None
    member_name: str
    reason: str


def eligible_members(exclude: frozenset[int] = frozenset()) -> list[TeamMemberRecord]:
    """Members who may get a new case now: active, taking cases and available, by id."""
    query = (
        TeamMemberRecord.select(TeamMemberRecord.id, TeamMemberRecord.display_name)
        .where(
            TeamMemberRecord.active == True,  # noqa: E712 (peewee expression)
            TeamMemberRecord.can_take_cases == True,  # noqa: E712
            TeamMemberRecord.availability == Availability.AVAILABLE.value,
        )
        .order_by(TeamMemberRecord.id)
    )
    return [member for member in query if member.id not in exclude]


def open_weights(member_ids: list[int] | None = None) -> dict[int, tuple[int, int]]:
    """Open cases per assignee as ``{member_id: (count, weight)}`` (High weighs 2, Medium 1).

    Args:
        member_ids: restrict to these members (None: everybody with open cases).
    """
    weight = Case(
        CaseRecord.effective_priority,
        [(priority, value) for priority, value in WORKLOAD_WEIGHTS.items()],
        1,
    )
    query = (
        CaseRecord.select(CaseRecord.assignee, fn.COUNT(CaseRecord.id), fn.SUM(weight))
        .where(
            CaseRecord.status.in_(OPEN_STATUS_VALUES),
            CaseRecord.assignee.is_null(False),
        )
        .group_by(CaseRecord.assignee)
    )
    if member_ids is not None:
        if not member_ids:
            return {}
        query = query.where(CaseRecord.assignee.in_(member_ids))
    return {row[0]: (row[1], int(row[2] or 0)) for row in query.tuples()}


def choose_assignee(
    context: ServiceContext,
    strategy: AssignmentStrategy,
    *,
    exclude: frozenset[int] = frozenset(),
) -> AssignmentChoice:
    """Pick the member for a new (or redistributed) case; call inside the write transaction
    because round robin advances a shared cursor.

    Args:
        context: the services context (for the round-robin cursor).
        strategy: round robin or least open workload.
        exclude: members never to choose (e.g. the one whose cases are being redistributed).

    Returns:
        The choice and its reason, or no member with the reason nobody was available.
    """
    members = eligible_members(exclude)
    if not members:
        return AssignmentChoice(None, "", "No team member is available to take cases; left unassigned")
    if strategy is AssignmentStrategy.LEAST_WORKLOAD:
        weights = open_weights([m.id for m in members])
        # Ties go to the member with fewer cases, then the longest-standing member (lowest id).
        chosen = min(members, key=lambda m: (weights.get(m.id, (0, 0))[1], weights.get(m.id, (0, 0))[0], m.id))
        count, weight = weights.get(chosen.id, (0, 0))
        reason = (
            f"Least open workload: {chosen.display_name} had {count} open case(s), "
            f"weight {weight} (High counts 2, Medium 1) among {len(members)} available"
        )
        return AssignmentChoice(chosen.id, chosen.display_name, reason)
    last = context.read_state(ROUND_ROBIN_CURSOR, 0) or 0
    chosen = next((m for m in members if m.id > last), members[0])
    context.write_state(ROUND_ROBIN_CURSOR, chosen.id)
    reason = f"Round robin: {chosen.display_name} is next in turn among {len(members)} available member(s)"
    return AssignmentChoice(chosen.id, chosen.display_name, reason)
