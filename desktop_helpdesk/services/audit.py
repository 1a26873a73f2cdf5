"""Audit rows and CRM outbox events, written inside the caller's transaction."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from enum import Enum

from desktop_helpdesk.domain.audit_chain import GENESIS_HASH, canonical_content, link_hash
from desktop_helpdesk.services.context import lock_audit_chain
from desktop_helpdesk.services.errors import checked_text
from desktop_helpdesk.storage.audit_rows import chain_head
from desktop_helpdesk.storage.db import database
from desktop_helpdesk.storage.fields import UtcDateTimeField
from desktop_helpdesk.storage.records import AuditRecord, CrmOutboxRecord

_AT = UtcDateTimeField()


def audit_text(value: object) -> str:
    """How a value is written in the audit log: UTC ISO instants, enum values, "" for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        # UTC, like the rest of storage: the audit log must read the same on every workstation.
        return value.astimezone(UTC).isoformat(timespec="seconds")
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, timedelta):
        return str(int(value.total_seconds()))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def audit_label(name: str, record_id: int | None) -> str:
    """How a member, contact or escalation is named in audit rows.

    The id is kept beside the name because names change and repeat; the id says which one.

    Args:
        name: its display name.
        record_id: its id (None: nobody, e.g. no assignee).

    Returns:
        ``"Name (#id)"``, or "" without an id.
    """
    return f"{name} (#{record_id})" if record_id else ""


class ChangeLog:
    """Collects the audit rows of one action and writes them in one insert.

    Args:
        actor_id: the member acting (None for the system, e.g. data import).
        at: the instant of the action.
        entity: what kind of thing changes ("case", "team_member", "client", ...).
        entity_id: its id (set later with ``bind`` for records created in the action).
        case_id: the case concerned, if any (indexed for the case's audit trail).
    """

    def __init__(
        self,
        actor_id: int | None,
        at: datetime,
        *,
        entity: str = "case",
        entity_id: int | None = None,
        case_id: int | None = None,
    ) -> None:
        self.actor_id = actor_id
        self.at = at
        self.entity = entity
        self.entity_id = entity_id
        self.case_id = case_id
        self._rows: list[dict] = []

    def bind(self, entity_id: int, *, case_id: int | None = None) -> None:
        """Name the record the action created (rows added before are updated too)."""
        self.entity_id = entity_id
        if case_id is not None:
            self.case_id = case_id
        for row in self._rows:
            row["entity_id"] = entity_id
            if case_id is not None:
                row["case"] = case_id

    def add(
        self,
        action: str,
        *,
        field: str = "",
        before: object = None,
        after: object = None,
        reason: str = "",
    ) -> None:
        """Queue one audit row (who, when, field, before, after, reason).

        Raises:
            ValidationError: ``reason`` is not storable text (the action's transaction is
                undone with it).
        """
        reason = checked_text("reason", reason, strip=False)
        self._rows.append(
            {
                "at": self.at,
                "actor": self.actor_id,
                "entity": self.entity,
                "entity_id": self.entity_id,
                "case": self.case_id,
                "action": action,
                "field": field,
                "before": audit_text(before),
                "after": audit_text(after),
                "reason": reason,
            }
        )

    def change(self, record, field: str, value: object, *, action: str = "update", reason: str = "") -> bool:
        """Set ``record.field = value`` and queue an audit row if it differs.

        Returns:
            True when the value changed.
        """
        before = getattr(record, field)
        if _same(before, value):
            return False
        setattr(record, field, value)
        self.add(action, field=field, before=before, after=value, reason=reason)
        return True

    @property
    def empty(self) -> bool:
        return not self._rows

    def flush(self) -> None:
        """Insert the queued rows (call inside the action's transaction)."""
        if self._rows:
            append_audit_rows(self._rows)
            self._rows.clear()


def append_audit_rows(rows: list[dict]) -> None:
    """Chain ``rows`` to the audit head and insert them (inside the caller's transaction).

    Each row gets ``prev_hash`` (the head's hash) and ``hash`` (SHA-256 over that and the
    row's canonical content). Writers are serialised so the head never forks: PostgreSQL
    takes a transaction-scoped advisory lock before reading the head (``write_transaction``
    takes it first thing, so lock order is the same everywhere); SQLite already holds
    the file's write lock (``BEGIN IMMEDIATE``, or the change's earlier writes), and a stale
    reader cannot write there. The unique index on ``prev_hash`` refuses a fork either way.

    Args:
        rows: column dicts (``at``, ``actor``, ``entity``, ``entity_id``, ``case``, ``action``,
            ``field``, ``before``, ``after``, ``reason``); ``prev_hash`` and ``hash`` are added.
    """
    lock_audit_chain()
    head = chain_head(database)
    previous = GENESIS_HASH if head is None else head[1]
    for row in rows:
        content = canonical_content((
            _AT.db_value(row["at"]),
            row.get("actor"),
            row["entity"],
            row.get("entity_id"),
            row.get("case"),
            row["action"],
            row.get("field", ""),
            row.get("before", ""),
            row.get("after", ""),
            row.get("reason", ""),
        ))
        row["prev_hash"] = previous
        row["hash"] = previous = link_hash(previous, content)
    # One multi-row INSERT per action keeps logging a case within its time budget.
    AuditRecord.insert_many(rows).execute()


def _same(before: object, after: object) -> bool:
    if isinstance(before, datetime) and isinstance(after, datetime):
        return before == after
    if isinstance(before, Enum) or isinstance(after, Enum):
        return audit_text(before) == audit_text(after)
    return before == after


def enqueue_crm_event(
    case_id: int,
    event: str,
    at: datetime,
    payload: dict,
    *,
    interaction_id: int | None = None,
) -> int:
    """Queue an event for the CRM (sent later by ``crm.deliver_outbox``), in the caller's transaction.

    Returns:
        The outbox row id.
    """
    # The payload is frozen now, inside the change's transaction: the CRM gets what was true
    # then, even if the case changes again before delivery.
    body = {"event": event, "at": audit_text(at), **payload}
    return CrmOutboxRecord.insert(
        case=case_id,
        interaction=interaction_id,
        event=event,
        payload=json.dumps(body, sort_keys=True, default=audit_text),
        created_at=at,
    ).execute()
