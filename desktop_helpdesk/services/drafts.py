"""Unsaved edits kept in the database so switching cases, closing or a crash never loses text."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from desktop_helpdesk.domain.clock import Clock
from desktop_helpdesk.storage.db import database, is_read_only
from desktop_helpdesk.storage.records import DraftRecord

log = logging.getLogger(__name__)

INTAKE_KEY = "intake"


def case_key(case_id: int) -> str:
    """The draft key for edits to one case."""
    return f"case:{case_id}"


def reply_key(case_id: int) -> str:
    """The draft key for an unsent reply to one case's client."""
    return f"reply:{case_id}"


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

    On a database opened read-only the drafts go to a JSON file in ``read_only_folder`` (a
    writable place, per database), so typed text is still kept.

    Args:
        clock: tells when a draft was saved.
        read_only_folder: where drafts go when the database is read-only (default: a folder
            in the system's temporary directory).
    """

    def __init__(self, clock: Clock, read_only_folder: Path | None = None) -> None:
        self._clock = clock
        self._read_only_folder = read_only_folder

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
        if is_read_only():
            drafts = self._file_drafts()
            drafts[f"{member_id}/{key}"] = {"payload": payload, "base_version": base_version,
                                            "saved_at": now.isoformat()}
            self._write_file_drafts(drafts)
            return
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
        if is_read_only():
            stored = self._file_drafts().get(f"{member_id}/{key}")
            if not isinstance(stored, dict):
                return None
            try:
                fields = json.loads(stored["payload"])
                base_version, saved_at = stored["base_version"], datetime.fromisoformat(stored["saved_at"])
            except (KeyError, TypeError, ValueError):
                return None
        else:
            record = DraftRecord.get_or_none(
                (DraftRecord.member == member_id) & (DraftRecord.key == key)
            )
            if record is None:
                return None
            try:
                fields = json.loads(record.payload)
            except ValueError:
                return None
            base_version, saved_at = record.base_version, record.saved_at
        if not isinstance(fields, dict):
            return None
        return Draft(key=key, fields=fields, base_version=base_version, saved_at=saved_at)

    def discard(self, member_id: int, key: str) -> None:
        """Forget the draft (after it was saved or the member threw it away)."""
        if is_read_only():
            drafts = self._file_drafts()
            if drafts.pop(f"{member_id}/{key}", None) is not None:
                self._write_file_drafts(drafts)
            return
        with database.atomic():
            DraftRecord.delete().where(
                (DraftRecord.member == member_id) & (DraftRecord.key == key)
            ).execute()

    def keys(self, member_id: int) -> list[str]:
        """Keys of all drafts the member has, newest first."""
        if is_read_only():
            prefix = f"{member_id}/"
            mine = [(value.get("saved_at", ""), name.removeprefix(prefix))
                    for name, value in self._file_drafts().items()
                    if name.startswith(prefix) and isinstance(value, dict)]
            return [key for _saved, key in sorted(mine, reverse=True)]
        query = (
            DraftRecord.select(DraftRecord.key)
            .where(DraftRecord.member == member_id)
            .order_by(DraftRecord.saved_at.desc())
        )
        return [row[0] for row in query.tuples()]

    def read_only_file(self) -> Path:
        """The JSON file that holds drafts while the bound database is read-only."""
        folder = self._read_only_folder or Path(tempfile.gettempdir()) / "desktop-helpdesk-drafts"
        # One file per database, so two read-only files never mix their drafts.
        tag = hashlib.sha256(str(getattr(database.obj, "path", database.obj.database)).encode()).hexdigest()
        return folder / f"drafts-{tag[:16]}.json"

    def _file_drafts(self) -> dict[str, Any]:
        try:
            drafts = json.loads(self.read_only_file().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return drafts if isinstance(drafts, dict) else {}

    def _write_file_drafts(self, drafts: dict[str, Any]) -> None:
        path = self.read_only_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps(drafts, sort_keys=True), encoding="utf-8")
        # Replaced in one step: a crash mid-write never leaves a half file.
        os.replace(partial, path)
        log.info("draft kept in %s (the database is read-only)", path)
