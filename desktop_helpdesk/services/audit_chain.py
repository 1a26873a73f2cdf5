"""Verifying the audit hash chain, remembering the last verified state, and exporting anchors."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from desktop_helpdesk.domain.audit_chain import GENESIS_HASH, canonical_content, link_hash
from desktop_helpdesk.services.audit import audit_text
from desktop_helpdesk.services.context import ServiceContext, write_transaction
from desktop_helpdesk.services.errors import ValidationError
from desktop_helpdesk.services.permissions import Actions, acting_member, require
from desktop_helpdesk.storage.audit_rows import iter_chain_rows
from desktop_helpdesk.storage.db import database, is_read_only
from desktop_helpdesk.storage.dialect import execute_qmark
from desktop_helpdesk.storage.records import CaseRecord

ANCHOR_FORMAT = "desktop-helpdesk audit anchor 1"
LAST_VERIFIED_KEY = "audit_chain_last_verified"
Progress = Callable[[int], None]


@dataclass(frozen=True)
class ChainAnchor:
    """A point of the chain to prove later: the first ``rows`` rows end in ``head_hash``.

    Attributes:
        rows: how many rows the chain had.
        head_id: the id of the last of them.
        head_hash: its hash (it covers every row before it).
        taken_at: when the anchor was taken (UTC ISO text).
    """

    rows: int
    head_id: int
    head_hash: str
    taken_at: str = ""

    def to_json(self) -> str:
        """The anchor as the JSON document written to anchor files."""
        return json.dumps({"format": ANCHOR_FORMAT, **asdict(self)}, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, *, source: str = "anchor") -> ChainAnchor:
        """Read an anchor document.

        Raises:
            ValidationError: naming ``source`` when the text is not an anchor.
        """
        try:
            data = json.loads(text)
            if data.get("format") != ANCHOR_FORMAT:
                raise ValueError("not an audit anchor")
            anchor = cls(int(data["rows"]), int(data["head_id"]), str(data["head_hash"]),
                         str(data.get("taken_at", "")))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise ValidationError(source, f"is not a Desktop Helpdesk audit anchor ({exc})") from None
        if anchor.rows < 0 or len(anchor.head_hash) != 64:
            raise ValidationError(source, "is not a Desktop Helpdesk audit anchor (bad rows or hash)")
        return anchor


@dataclass(frozen=True)
class ChainBreak:
    """The first place where the chain does not hold.

    Attributes:
        row_id: the first row that is wrong (for a deletion: the row after the gap).
        case_id: that row's case, if any.
        case_number: its case number ("" without a case).
        kind: ``edited``, ``deleted``, ``inserted``, ``truncated`` or ``anchor``.
        detail: a sentence saying what changed.
    """

    row_id: int
    case_id: int | None
    case_number: str
    kind: str
    detail: str

    def describe(self) -> str:
        case = f" (case {self.case_number})" if self.case_number else ""
        return f"row {self.row_id}{case}: {self.detail}"


@dataclass(frozen=True)
class ChainReport:
    """What a verification found.

    Attributes:
        rows: rows checked (up to the break, if any).
        head: the verified head (rows, id, hash) when the chain holds, else None.
        broken: the first break, or None.
        verified_at: when the check ran.
    """

    rows: int
    head: ChainAnchor | None
    broken: ChainBreak | None
    verified_at: datetime

    @property
    def ok(self) -> bool:
        return self.broken is None

    def summary(self) -> str:
        """One line: ``OK: 1234 audit rows chained ...`` or ``BROKEN at row ...``."""
        if self.broken is None:
            head = f", head #{self.head.head_id} {self.head.head_hash[:16]}…" if self.head and self.rows else ""
            return f"OK: {self.rows} audit rows, chain intact{head}"
        return f"BROKEN: {self.broken.describe()}"


def verify_chain(
    now: datetime,
    *,
    anchor: ChainAnchor | None = None,
    progress: Progress | None = None,
) -> ChainReport:
    """Walk the whole audit table in id order and check every link.

    Each row's content must hash to its stored ``hash`` from its stored ``prev_hash``, and that
    ``prev_hash`` must be the previous row's ``hash``. An anchor (exported earlier) must still
    be on the chain at its row count, which also catches rows deleted from the end.

    Args:
        now: the instant recorded as the verification time.
        anchor: an earlier anchor to hold the chain against (None: the chain alone).
        progress: called with the rows checked so far every 100,000 rows.

    Returns:
        The report (``ok``; otherwise the first break, at the right row).
    """
    previous, previous_id, rows = GENESIS_HASH, 0, 0
    for row in iter_chain_rows(database):
        row_id, stored_prev, stored_hash = row[0], row[-2], row[-1]
        if stored_prev != previous:
            return _report(rows, None, _link_break(row, previous, previous_id), now)
        if link_hash(stored_prev, canonical_content(row[1:-2])) != stored_hash:
            return _report(rows, None, _break(row, "edited",
                           "its content no longer matches its hash: the row was changed after it "
                           "was written"), now)
        rows += 1
        if anchor is not None and rows == anchor.rows and stored_hash != anchor.head_hash:
            return _report(rows, None, _break(row, "anchor",
                           f"the chain differs from the anchor taken {anchor.taken_at or 'earlier'} "
                           f"({anchor.rows} rows ending in {anchor.head_hash[:16]}…): rows up to "
                           f"here were rewritten"), now)
        previous, previous_id = stored_hash, row_id
        if progress is not None and rows % 100_000 == 0:
            progress(rows)
    if anchor is not None and rows < anchor.rows:
        gone = ChainBreak(previous_id, None, "", "truncated",
                          f"the chain ends after {rows} rows but the anchor taken "
                          f"{anchor.taken_at or 'earlier'} proves {anchor.rows}: rows at the end "
                          f"were deleted")
        return _report(rows, None, gone, now)
    head = ChainAnchor(rows, previous_id, previous, audit_text(now))
    return _report(rows, head, None, now)


def _report(rows: int, head: ChainAnchor | None, broken: ChainBreak | None, now: datetime) -> ChainReport:
    return ChainReport(rows, head, broken, now)


def _break(row: tuple, kind: str, detail: str) -> ChainBreak:
    # CHAINED_COLUMNS puts case_id fifth, after the row id.
    return _break_at(row[0], row[5], kind, detail)


def _break_at(row_id: int, case_id: int | None, kind: str, detail: str) -> ChainBreak:
    number = ""
    if case_id is not None:
        number = CaseRecord.select(CaseRecord.number).where(CaseRecord.id == case_id).scalar() or ""
    return ChainBreak(row_id, case_id, number, kind, detail)


def _scalar(sql: str, *params: object) -> object:
    row = execute_qmark(sql, params).fetchone()
    return None if row is None else row[0]


def _link_break(row: tuple, expected: str, previous_id: int) -> ChainBreak:
    """Why ``row`` does not link to the row before it: a row inserted, deleted or rewritten."""
    row_id, stored_prev = row[0], row[-2]
    where = f"row {previous_id}" if previous_id else "the start of the log"
    # The true successor of the last good row still links to it (prev_hash is unique).
    successor = _scalar('SELECT "id" FROM "audit" WHERE "prev_hash" = ? AND "id" > ?', expected, row_id)
    if successor is not None:
        return _break(row, "inserted",
                      f"the row was inserted: the chain goes from {where} to row {successor}, "
                      f"not through rows {row_id}–{successor - 1}")
    # Rows that chain from an earlier row (not the one just before) were slipped in before it.
    linked = _scalar('SELECT "id" FROM "audit" WHERE "hash" = ?', stored_prev)
    if linked is not None and linked < previous_id:
        first = _scalar('SELECT min("id") FROM "audit" WHERE "id" > ?', linked)
        case_id = _scalar('SELECT "case_id" FROM "audit" WHERE "id" = ?', first)
        return _break_at(first, case_id, "inserted",
                         f"the row was inserted: rows {first}–{previous_id} are not part of the "
                         f"chain, which goes from row {linked} to row {row_id}")
    missing = f" (ids {previous_id + 1}–{row_id - 1} are missing)" if row_id - previous_id > 1 else ""
    return _break(row, "deleted",
                  f"the row before it was deleted or rewritten{missing}: its link does not "
                  f"match {where}")


class AuditChainService:
    """Verification of the audit chain for the window (managers) and the last verified state.

    Args:
        context: the shared services context.
    """

    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    def verify(self, actor_id: int | None, *, anchor: ChainAnchor | None = None,
               progress: Progress | None = None) -> ChainReport:
        """Verify the chain and remember the outcome as the last verified state.

        Args:
            actor_id: the member asking (supervisor or admin); None for the headless command.
            anchor: an earlier anchor to hold the chain against.
            progress: see ``verify_chain``.

        Returns:
            The report.

        Raises:
            PermissionDenied: an agent asking.
        """
        if actor_id is not None:
            require(acting_member(actor_id), Actions.VERIFY_AUDIT)
        report = verify_chain(self._context.now(), anchor=anchor, progress=progress)
        if is_read_only():
            return report  # a read-only copy can be verified; there is nowhere to note it
        with write_transaction():
            self._context.write_state(LAST_VERIFIED_KEY, {
                "ok": report.ok,
                "rows": report.rows,
                "summary": report.summary(),
                "verified_at": audit_text(report.verified_at),
                "head": asdict(report.head) if report.head else None,
            })
        return report

    def last_verified(self) -> dict | None:
        """The last verification's outcome (``ok``, ``rows``, ``summary``, ``verified_at``,
        ``head``), or None if the chain was never verified."""
        state = self._context.read_state(LAST_VERIFIED_KEY)
        return state if isinstance(state, dict) else None

    def export_anchor(self, actor_id: int | None, destination: Path) -> ChainReport:
        """Verify the chain and, if it holds, write its head as an anchor file.

        Args:
            actor_id: the member asking (None: headless).
            destination: the anchor file to write.

        Returns:
            The verification report (no file is written when it is broken).

        Raises:
            PermissionDenied: an agent asking.
            OSError: the file cannot be written.
        """
        report = self.verify(actor_id)
        if report.ok and report.head is not None:
            write_anchor(report.head, destination)
        return report


def write_anchor(anchor: ChainAnchor, destination: Path) -> Path:
    """Write ``anchor`` to ``destination`` (atomically: a partial file never replaces it).

    Returns:
        The path written.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.write_text(anchor.to_json(), encoding="utf-8")
    partial.replace(destination)
    return destination
