"""Saved filters: named list criteria beside the queues, personal or shared with the team."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import fn

from desktop_helpdesk.services.audit import ChangeLog
from desktop_helpdesk.services.case_queries import FilterCriteria
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.errors import PermissionDenied, ValidationError, existing
from desktop_helpdesk.services.permissions import Actions, change_by, require
from desktop_helpdesk.storage.records import SavedFilterRecord, TeamMemberRecord

MAX_FILTER_NAME = 80


@dataclass(frozen=True)
class SavedFilter:
    """A saved filter as the queue panel lists it."""

    id: int
    name: str
    owner_id: int
    owner_name: str
    shared: bool
    criteria: FilterCriteria


class SavedFilterService:
    """Saves, lists and deletes saved filters; changes are audited (entity ``saved_filter``).

    Args:
        context: the shared services context.
    """

    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    def list_filters(self, member_id: int) -> list[SavedFilter]:
        """The member's own filters and the team's shared ones, by name.

        Args:
            member_id: the signed-in member.

        Returns:
            ``SavedFilter`` list.
        """
        rows = (
            SavedFilterRecord.select(SavedFilterRecord, TeamMemberRecord)
            .join(TeamMemberRecord, on=(SavedFilterRecord.owner == TeamMemberRecord.id))
            .where((SavedFilterRecord.owner == member_id) | (SavedFilterRecord.shared == True))  # noqa: E712
            .order_by(fn.LOWER(SavedFilterRecord.name), SavedFilterRecord.id)
        )
        return [_saved(row) for row in rows]

    def save_filter(self, actor_id: int, name: str, criteria: FilterCriteria, *, shared: bool = False) -> SavedFilter:
        """Save criteria under a name (replacing the actor's own filter of that name).

        Args:
            actor_id: the member saving.
            name: the name shown beside the queues.
            criteria: what it selects.
            shared: whether the whole team sees it.

        Returns:
            The saved filter.

        Raises:
            ValidationError: ``name`` empty or too long.
        """
        name = str(name or "").strip()
        if not name:
            raise ValidationError("name", "give the filter a name")
        if len(name) > MAX_FILTER_NAME:
            raise ValidationError("name", f"at most {MAX_FILTER_NAME} characters")
        with change_by(actor_id) as actor:
            now = self._context.now()
            existing = SavedFilterRecord.get_or_none(
                (SavedFilterRecord.owner == actor.id) & (fn.LOWER(SavedFilterRecord.name) == name.lower())
            )
            log = ChangeLog(actor.id, now, entity="saved_filter")
            if existing is None:
                record = SavedFilterRecord.create(name=name, owner=actor.id, shared=bool(shared),
                                                  criteria=criteria.to_json(), created_at=now)
                log.bind(record.id)
                log.add("filter_saved", field="criteria", after=record.criteria, reason=name)
            else:
                record = existing
                log.bind(record.id)
                log.change(record, "criteria", criteria.to_json(), action="filter_saved", reason=name)
                log.change(record, "shared", bool(shared), action="filter_saved", reason=name)
                record.save()
            log.flush()
            record = SavedFilterRecord.select(SavedFilterRecord, TeamMemberRecord).join(
                TeamMemberRecord, on=(SavedFilterRecord.owner == TeamMemberRecord.id)
            ).where(SavedFilterRecord.id == record.id).get()
        return _saved(record)

    def delete_filter(self, actor_id: int, filter_id: int) -> None:
        """Delete a saved filter (its owner, or a supervisor for a shared one).

        Raises:
            NotFoundError: no such filter.
            PermissionDenied: someone else's filter.
        """
        with change_by(actor_id) as actor:
            record = existing(SavedFilterRecord, filter_id, "saved filter")
            if record.owner_id != actor.id:
                if not record.shared:
                    raise PermissionDenied("Only its owner can delete a personal filter")
                require(actor, Actions.DELETE_OTHERS_SHARED_FILTER)
            log = ChangeLog(actor.id, self._context.now(), entity="saved_filter", entity_id=record.id)
            log.add("filter_deleted", field="criteria", before=record.criteria, reason=record.name)
            record.delete_instance()
            log.flush()


def _saved(row: SavedFilterRecord) -> SavedFilter:
    return SavedFilter(row.id, row.name, row.owner_id, row.owner.display_name, row.shared,
                       FilterCriteria.from_json(row.criteria))
