"""Audit rows as read-only tables: one case's history, and the team-wide log paged as it scrolls."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from desktop_helpdesk.domain.cases import (
    AssignmentStrategy,
    Availability,
    CaseStatus,
    EscalationTarget,
    InteractionChannel,
    MemberRole,
)
from desktop_helpdesk.domain.policy import Priority, RequestedPriority
from desktop_helpdesk.services.case_reads import desk_time_text
from desktop_helpdesk.services.dto import AuditEntry
from desktop_helpdesk.ui.models.roles import AUDIT_ID_ROLE

HEADERS = ("When (Halifax)", "Who", "Action", "Field", "Before", "After", "Reason")


class AuditTableModel(QAbstractTableModel):
    """Audit rows of one case, oldest first (a case's history is small; no paging needed)."""

    headers: tuple[str, ...] = HEADERS

    def __init__(self, zone: ZoneInfo, parent=None) -> None:
        super().__init__(parent)
        self._zone = zone
        # "When (Halifax)" names the desk's zone, whichever it is.
        city = getattr(zone, "key", "desk time").rsplit("/", 1)[-1].replace("_", " ")
        self.headers = tuple(f"When ({city})" if h == HEADERS[0] else h for h in type(self).headers)
        self._entries: list[AuditEntry] = []

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.headers)
        ):
            return self.headers[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        if role == AUDIT_ID_ROLE:
            return self._entries[index.row()].id
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        values = self._values(self._entries[index.row()])
        return values[index.column()] if 0 <= index.column() < len(values) else None

    def _values(self, entry: AuditEntry) -> tuple[str, ...]:
        return (
            entry.at.astimezone(self._zone).strftime("%a %d %b %Y %H:%M:%S"),
            entry.actor_name or "system",
            _action_label(entry.action),
            _field_label(entry.field),
            _readable_value(entry.field, entry.before),
            _readable_value(entry.field, entry.after),
            entry.reason,
        )

    def set_entries(self, entries: Sequence[AuditEntry]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()


def _field_label(field: str) -> str:
    """"acknowledge_due_at" -> "Acknowledge due": the stored column name, as words."""
    return field.removesuffix("_at").replace("_", " ").capitalize()


def _readable_value(field: str, value: str) -> str:
    """A stored audit value as people read it: instants (kept as exact UTC ISO text) in desk
    time, stored codes ("in_progress", "high", "phone") by their labels."""
    if not value:
        return value
    if _ISO_INSTANT.match(value):
        return desk_time_text(value)
    labels = _LABELS.get(field)
    return labels.label_of(value) if labels is not None else value


# An instant the services stored: "2026-10-14T15:39:00+00:00" (whatever the field is named).
_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_LABELS = {
    "status": CaseStatus,
    "requested_priority": RequestedPriority,
    "effective_priority": Priority,
    "priority": Priority,
    "channel": InteractionChannel,
    "resolution_channel": InteractionChannel,
    "role": MemberRole,
    "availability": Availability,
    "assignment_strategy": AssignmentStrategy,
    "target_kind": EscalationTarget,
}


def _action_label(action: str) -> str:
    """"sla_met" -> "SLA met", "de_escalated" -> "De-escalated"."""
    text = action.replace("de_", "de-", 1) if action.startswith("de_") else action
    text = text.replace("_", " ").capitalize()
    return text.replace("Sla ", "SLA ").replace("sla ", "SLA ")


AuditCursor = tuple[datetime, int]


class AuditLogTableModel(AuditTableModel):
    """The team-wide audit log, newest first, fetched in keyset pages as the view scrolls.

    The log is append-only and unbounded, so rows arrive through ``canFetchMore``/``fetchMore``
    (one bounded, indexed page query each) instead of a full load.

    Signals:
        page_loaded(int): a page arrived (how many rows).
    """

    headers = ("About", *HEADERS)

    page_loaded = Signal(int)

    def __init__(self, load_page: Callable[[AuditCursor | None], list[AuditEntry]], zone: ZoneInfo,
                 parent=None, *, page_size: int = 200,
                 fetch_page: Callable[[Callable[[], list[AuditEntry]], Callable[[list[AuditEntry]], None]], None]
                 | None = None) -> None:
        super().__init__(zone, parent)
        self._load_page = load_page
        self._page_size = page_size
        self._cursor: AuditCursor | None = None
        self._exhausted = False
        # With ``fetch_page(read, done)`` (the window's pool) a page is read in the background;
        # one at a time, and a page asked before ``restart`` is dropped when it arrives.
        self._fetch_page = fetch_page
        self._fetching = False
        self._generation = 0

    def restart(self, load_page: Callable[[AuditCursor | None], list[AuditEntry]] | None = None) -> None:
        """Forget the rows and read again from the newest (optionally with another filter)."""
        self.beginResetModel()
        if load_page is not None:
            self._load_page = load_page
        self._entries = []
        self._cursor = None
        self._exhausted = False
        self._fetching = False
        self._generation += 1
        self.endResetModel()

    def stop_fetching(self) -> None:
        """A page could not be read: ask for no more until ``restart``."""
        self._fetching = False
        self._exhausted = True

    @property
    def fetching(self) -> bool:
        """A page is being read in the background."""
        return self._fetching

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:
        return not parent.isValid() and not self._exhausted and not self._fetching

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:
        if parent.isValid() or self._exhausted or self._fetching:
            return
        if self._fetch_page is None:
            self._add_page(self._load_page(self._cursor))
            return
        self._fetching = True
        generation, load, cursor = self._generation, self._load_page, self._cursor

        def arrived(page: list[AuditEntry]) -> None:
            if generation != self._generation:
                return
            self._fetching = False
            self._add_page(page)

        self._fetch_page(lambda: load(cursor), arrived)

    def _add_page(self, page: list[AuditEntry]) -> None:
        if len(page) < self._page_size:
            self._exhausted = True
        if len(page) <= 0:
            self.page_loaded.emit(0)
            return
        start = len(self._entries)
        # As in Qt's C++ fetchMore example: the last inserted row is start + count - 1.
        self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
        self._entries.extend(page)
        self._cursor = (page[-1].at, page[-1].id)
        self.endInsertRows()
        self.page_loaded.emit(len(page))

    def _values(self, entry: AuditEntry) -> tuple[str, ...]:
        if entry.case_number:
            about = f"Case {entry.case_number}"
        else:
            about = entry.entity.replace("_", " ").capitalize()
            if entry.entity_id is not None:
                about = f"{about} #{entry.entity_id}"
        return (about, *super()._values(entry))
