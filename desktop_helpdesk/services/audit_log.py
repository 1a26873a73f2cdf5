"""The team-wide audit log, read in keyset pages (append-only and unbounded: never OFFSET)."""

from __future__ import annotations

from datetime import datetime

from peewee import Tuple

from desktop_helpdesk.services.case_reads import audit_entry
from desktop_helpdesk.services.dto import AuditEntry
from desktop_helpdesk.storage.records import AuditRecord, TeamMemberRecord

AuditCursor = tuple[datetime, int]


def audit_page(
    after: AuditCursor | None = None,
    limit: int = 200,
    *,
    entity: str | None = None,
    case_id: int | None = None,
) -> list[AuditEntry]:
    """The next page of audit rows, oldest first, after the ``(at, id)`` of the last row seen.

    Args:
        after: the cursor ``(entry.at, entry.id)`` of the last row already shown (None: start).
        limit: at most this many rows.
        entity: only rows about this kind of record ("case", "team_member", "setting"...).
        case_id: only rows about this case.

    Returns:
        Up to ``limit`` entries; fewer means the end of the log for now.

    Example:
        >>> page = audit_page(limit=200)                      # doctest: +SKIP
        >>> more = audit_page((page[-1].at, page[-1].id))     # doctest: +SKIP
    """
    query = AuditRecord.select().order_by(AuditRecord.at, AuditRecord.id).limit(max(0, limit))
    if after is not None:
        # A row value comparison walks the (at, id) order from the cursor using the index on
        # ``at``, however deep the reader has scrolled.
        # The instant goes through the field's own conversion: a raw datetime parameter would
        # be compared as differently formatted text on SQLite.
        at = AuditRecord.at.db_value(after[0])
        query = query.where(Tuple(AuditRecord.at, AuditRecord.id) > Tuple(at, after[1]))
    if entity is not None:
        query = query.where(AuditRecord.entity == entity)
    if case_id is not None:
        query = query.where(AuditRecord.case == case_id)
    rows = list(query)
    actor_ids = {row.actor_id for row in rows if row.actor_id is not None}
    names = dict(
        TeamMemberRecord.select(TeamMemberRecord.id, TeamMemberRecord.display_name)
        .where(TeamMemberRecord.id.in_(list(actor_ids)))
        .tuples()
    ) if actor_ids else {}
    return [audit_entry(row, names) for row in rows]
