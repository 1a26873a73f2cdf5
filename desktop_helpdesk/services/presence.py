"""Who has a case open right now on another workstation (a heartbeat row per workstation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from desktop_helpdesk.services.context import ServiceContext, write_transaction
from desktop_helpdesk.services.errors import ValidationError
from desktop_helpdesk.services.permissions import acting_member
from desktop_helpdesk.storage.records import CasePresenceRecord, CaseRecord, TeamMemberRecord

# The window beats every 30 s; a row unseen for three beats means the workstation went away
# (crash, sleep, network) without saying so.
PRESENCE_TIMEOUT = timedelta(seconds=90)
MAX_WORKSTATION = 128


@dataclass(frozen=True)
class CaseViewer:
    """Someone with the case open on a workstation, and since when."""

    member_id: int
    member_name: str
    workstation: str
    opened_at: datetime


class PresenceService:
    """Heartbeats of open cases and who else is looking at one.

    Args:
        context: the shared services context (its clock judges freshness).
    """

    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    def heartbeat(self, member_id: int, workstation: str, case_id: int | None) -> None:
        """Say that ``member_id`` has ``case_id`` open on ``workstation`` (None: no case).

        Args:
            member_id: the signed-in member.
            workstation: this workstation's name (one row per member and workstation).
            case_id: the case shown, or None when none is.

        Raises:
            ValidationError: empty ``workstation``.
            PermissionDenied: unknown or inactive member.
        """
        workstation = _workstation(workstation)
        now = self._context.now()
        with write_transaction():
            acting_member(member_id)
            mine = (CasePresenceRecord.member == member_id) & (CasePresenceRecord.workstation == workstation)
            if case_id is None or not CaseRecord.select().where(CaseRecord.id == case_id).exists():
                CasePresenceRecord.delete().where(mine).execute()
                return
            updated = (
                CasePresenceRecord.update(seen_at=now)
                .where(mine & (CasePresenceRecord.case == case_id))
                .execute()
            )
            if updated:
                return
            (
                CasePresenceRecord.insert(member=member_id, workstation=workstation, case=case_id,
                                          opened_at=now, seen_at=now)
                .on_conflict(
                    conflict_target=[CasePresenceRecord.member, CasePresenceRecord.workstation],
                    update={CasePresenceRecord.case: case_id, CasePresenceRecord.opened_at: now,
                            CasePresenceRecord.seen_at: now},
                )
                .execute()
            )

    def leave(self, member_id: int, workstation: str) -> None:
        """Forget this workstation's open case (the window closes).

        Args:
            member_id: the signed-in member.
            workstation: this workstation's name.
        """
        with write_transaction():
            CasePresenceRecord.delete().where(
                (CasePresenceRecord.member == member_id)
                & (CasePresenceRecord.workstation == _workstation(workstation))
            ).execute()

    def viewers(self, case_id: int, *, member_id: int, workstation: str) -> list[CaseViewer]:
        """Who else has ``case_id`` open now (seen within ``PRESENCE_TIMEOUT``).

        Args:
            case_id: the case.
            member_id: the asking member, and
            workstation: their workstation; that one row is left out (the same member on
                another workstation is listed: two windows on one case conflict too).

        Returns:
            ``CaseViewer`` list, earliest opened first.
        """
        fresh_since = self._context.now() - PRESENCE_TIMEOUT
        rows = (
            CasePresenceRecord.select(CasePresenceRecord, TeamMemberRecord)
            .join(TeamMemberRecord, on=(CasePresenceRecord.member == TeamMemberRecord.id))
            .where(
                (CasePresenceRecord.case == case_id)
                & (CasePresenceRecord.seen_at >= fresh_since)
                & ~((CasePresenceRecord.member == member_id) & (CasePresenceRecord.workstation == workstation))
            )
            .order_by(CasePresenceRecord.opened_at, CasePresenceRecord.id)
        )
        return [
            CaseViewer(r.member_id, r.member.display_name, r.workstation, r.opened_at) for r in rows
        ]

    def beat_and_look(self, member_id: int, workstation: str, case_id: int | None) -> list[CaseViewer]:
        """One worker call for the window: the heartbeat, then the other viewers of the case.

        Returns:
            The other viewers (empty when no case is open).
        """
        self.heartbeat(member_id, workstation, case_id)
        if case_id is None:
            return []
        return self.viewers(case_id, member_id=member_id, workstation=workstation)


def _workstation(name: object) -> str:
    text = str(name or "").strip()
    if not text:
        raise ValidationError("workstation", "the workstation's name is required")
    return text[:MAX_WORKSTATION]
