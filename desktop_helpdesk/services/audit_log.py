"""The team-wide audit log, read in keyset pages (append-only and unbounded: never OFFSET)."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from peewee import Tuple

from desktop_helpdesk.services.case_reads import audit_entry
from desktop_helpdesk.services.dto import AuditEntry
from desktop_helpdesk.services.permissions import Actions, acting_member, require
from desktop_helpdesk.storage.records import AuditRecord, CaseRecord, TeamMemberRecord

AuditCursor = tuple[datetime, int]


def audit_page(
    after: AuditCursor | None = None,
    limit: int = 200,
    *,
    viewer_id: int,
    entity: str | None = None,
    case_id: int | None = None,
    newest_first: bool = False,
) -> list[AuditEntry]:
    """The next page of audit rows after the ``(at, id)`` of the last row seen.

    Args:
        after: the cursor ``(entry.at, entry.id)`` of the last row already shown (None: start).
        limit: at most this many rows.
        viewer_id: the member reading; the whole team's log is for supervisors and admins.
        entity: only rows about this kind of record ("case", "team_member", "setting"...).
        case_id: only rows about this case.
        newest_first: walk the log from the latest row backwards (how a reviewer reads it).

    Returns:
        Up to ``limit`` entries, with case numbers filled in; fewer means the end of the log.

    Raises:
        PermissionDenied: the viewer is not a supervisor or admin.

    Example:
        >>> page = audit_page(limit=200, viewer_id=sam)                      # doctest: +SKIP
        >>> more = audit_page((page[-1].at, page[-1].id), viewer_id=sam)     # doctest: +SKIP
    """
    require(acting_member(viewer_id), Actions.READ_TEAM_AUDIT)
    if newest_first:
        order = (AuditRecord.at.desc(), AuditRecord.id.desc())
    else:
        order = (AuditRecord.at, AuditRecord.id)
    query = AuditRecord.select().order_by(*order).limit(max(0, limit))
    if after is not None:
        # A row value comparison walks the (at, id) order from the cursor using the index on
        # ``at``, however deep the reader has scrolled.
        # The instant goes through the field's own conversion: a raw datetime parameter would
        # be compared as differently formatted text on SQLite.
        at = AuditRecord.at.db_value(after[0])
        key, cursor = Tuple(AuditRecord.at, AuditRecord.id), Tuple(at, after[1])
        query = query.where(key < cursor if newest_first else key > cursor)
    if entity is not None:
        query = query.where(AuditRecord.entity == entity)
    if case_id is not None:
        query = query.where(AuditRecord.case == case_id)
    rows = list(query)
    names = _lookup(TeamMemberRecord, TeamMemberRecord.display_name, {row.actor_id for row in rows})
    numbers = _lookup(CaseRecord, CaseRecord.number, {row.case_id for row in rows})
    return [
        dataclasses.replace(audit_entry(row, names), case_number=numbers.get(row.case_id, ""))
        for row in rows
    ]


def _lookup(record, column, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return dict(record.select(record.id, column).where(record.id.in_(wanted)).tuples())
