"""Unsaved edits kept in the database so switching cases, closing or a crash never loses text."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from desktop_helpdesk.domain.clock import Clock
from desktop_helpdesk.storage.db import database
from desktop_helpdesk.storage.records import DraftRecord

INTAKE_KEY = "intake"


def case_key(case_id: int) -> str:
    """The draft key for edits to one case."""
    return f"case:{case_id}"


@dataclass(frozen=True)
class Draft:
    """Text a member typed but did not save, with the case version it was typed against."""

    key: str
    fields: dict[str, Any]
    base_version: int
    saved_at: datetime

    @property
    def is_empty(self) -> bool:
        return not any(str(value).strip() for value in self.fields.values())


class DraftService:
    """Keeps one draft per (member, key); saving again replaces it.

    Args:
        clock: tells when a draft was saved.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def save(self, member_id: int, key: str, fields: dict[str, Any], base_version: int = 0) -> None:
        """Store (or replace) the draft; an all-blank draft is discarded instead.

        Args:
            member_id: who typed it.
            key: ``case_key(id)`` or ``INTAKE_KEY``.
            fields: field name to typed value (JSON-serialisable).
            base_version: the case version the edits started from (0 for a new case).
        """
        if not any(str(value).strip() for value in fields.values()):
            self.discard(member_id, key)
            return
        payload = json.dumps(fields, sort_keys=True)
        now = self._clock.now()
        with database.atomic():
            (
                DraftRecord.insert(
                    member=member_id,
                    key=key,
                    payload=payload,
                    base_version=base_version,
                    saved_at=now,
                )
                .on_conflict(
                    conflict_target=[DraftRecord.member, DraftRecord.key],
                    update={
                        DraftRecord.payload: payload,
                        DraftRecord.base_version: base_version,
                        DraftRecord.saved_at: now,
                    },
                )
                .execute()
            )

    def load(self, member_id: int, key: str) -> Draft | None:
        """The member's draft for ``key``, or None.

        Args:
            member_id: who typed it.
            key: the draft key.

        Returns:
            The draft, or None when there is none (or it cannot be read).
        """
        record = DraftRecord.get_or_none(
            (DraftRecord.member == member_id) & (DraftRecord.key == key)
        )
        if record is None:
            return None
        try:
            fields = json.loads(record.payload)
        except ValueError:
            return None
        if not isinstance(fields, dict):
            return None
        return Draft(key=key, fields=fields, base_version=record.base_version, saved_at=record.saved_at)

    def discard(self, member_id: int, key: str) -> None:
        """Forget the draft (after it was saved or the member threw it away)."""
        with database.atomic():
            DraftRecord.delete().where(
                (DraftRecord.member == member_id) & (DraftRecord.key == key)
            ).execute()

    def keys(self, member_id: int) -> list[str]:
        """Keys of all drafts the member has, newest first."""
        query = (
            DraftRecord.select(DraftRecord.key)
            .where(DraftRecord.member == member_id)
            .order_by(DraftRecord.saved_at.desc())
        )
        return [row[0] for row in query.tuples()]
