"""Audit rows as read-only tables: one case's history, and the team-wide log paged as it scrolls."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from desktop_helpdesk.services.case_reads import desk_time_text
from desktop_helpdesk.services.dto import AuditEntry

HEADERS = ("When (Halifax)", "Who", "Action", "Field", "Before", "After", "Reason")


class AuditTableModel(QAbstractTableModel):
    """Audit rows of one case, oldest first (a case's history is small; no paging needed)."""

    headers: tuple[str, ...] = HEADERS

    def __init__(self, zone: ZoneInfo, parent=None) -> None:
        super().__init__(parent)
        self._zone = zone
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
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        values = self._values(self._entries[index.row()])
        return values[index.column()] if 0 <= index.column() < len(values) else None

    def _values(self, entry: AuditEntry) -> tuple[str, ...]:
        return (
            entry.at.astimezone(self._zone).strftime("%Y-%m-%d %H:%M:%S"),
            entry.actor_name or "system",
            entry.action.replace("_", " "),
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
    # Instants are kept as exact UTC ISO text; people read them in desk time.
    return desk_time_text(value) if field.endswith("_at") and value else value


AuditCursor = tuple[datetime, int]


class AuditLogTableModel(AuditTableModel):
    """The team-wide audit log, newest first, fetched in keyset pages as the view scrolls.

    The log is append-only and unbounded, so rows arrive through ``canFetchMore``/``fetchMore``
    (one bounded, indexed page query each) instead of a full load.
    """

    headers = ("About", *HEADERS)

    def __init__(self, load_page: Callable[[AuditCursor | None], list[AuditEntry]], zone: ZoneInfo,
                 parent=None, *, page_size: int = 200) -> None:
        super().__init__(zone, parent)
        self._load_page = load_page
        self._page_size = page_size
        self._cursor: AuditCursor | None = None
        self._exhausted = False

    def restart(self, load_page: Callable[[AuditCursor | None], list[AuditEntry]] | None = None) -> None:
        """Forget the rows and read again from the newest (optionally with another filter)."""
        self.beginResetModel()
        if load_page is not None:
            self._load_page = load_page
        self._entries = []
        self._cursor = None
        self._exhausted = False
        self.endResetModel()

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:
        if parent.isValid() or self._exhausted:
            return
        page = self._load_page(self._cursor)
        if len(page) < self._page_size:
            self._exhausted = True
        if len(page) <= 0:
            return
        start = len(self._entries)
        # As in Qt's C++ fetchMore example: the last inserted row is start + count - 1.
        self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
        self._entries.extend(page)
        self._cursor = (page[-1].at, page[-1].id)
        self.endInsertRows()

    def _values(self, entry: AuditEntry) -> tuple[str, ...]:
        if entry.case_number:
            about = f"Case {entry.case_number}"
        else:
            about = entry.entity.replace("_", " ").capitalize()
            if entry.entity_id is not None:
                about = f"{about} #{entry.entity_id}"
        return (about, *super()._values(entry))
