"""Case timeline (newest first) as a list model: channel icon, what happened, who, how long."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from desktop_helpdesk.domain.cases import Direction, InteractionChannel
from desktop_helpdesk.services.dto import TimelineEntry
from desktop_helpdesk.ui.resources import icon

_KIND_ICONS = {
    "logged": "all_open",
    "status": "all_open",
    "escalation": "escalated",
    "escalation_answer": "escalated",
    "pause": "waiting_on_client",
    "resume": "waiting_on_client",
    "attachment": "attachment",
    "assignment": "my_cases",
    "sla": "due_soon",
}


def format_seconds(seconds: int) -> str:
    """A call length: "4m 05s", "1h 02m"."""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {secs:02d}s"


class TimelineModel(QAbstractListModel):
    """The events of one case, newest first, as the services return them."""

    def __init__(self, zone: ZoneInfo, parent=None) -> None:
        super().__init__(parent)
        self._zone = zone
        self._entries: list[TimelineEntry] = []

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.describe(entry)
        if role == Qt.ItemDataRole.DecorationRole:
            if entry.channel:
                return icon(entry.channel)
            return icon(_KIND_ICONS.get(entry.kind, "note"))
        if role == Qt.ItemDataRole.ToolTipRole:
            return entry.detail or entry.title
        return None

    def set_entries(self, entries: Sequence[TimelineEntry]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def entries(self) -> list[TimelineEntry]:
        return list(self._entries)

    def describe(self, entry: TimelineEntry) -> str:
        """Three lines: what, when/who/how long, and the text."""
        meta = [entry.at.astimezone(self._zone).strftime("%a %d %b %H:%M")]
        if entry.actor_name:
            meta.append(entry.actor_name)
        if entry.channel:
            meta.append(_label(InteractionChannel, entry.channel))
        if entry.direction:
            meta.append(_label(Direction, entry.direction))
        if entry.duration_seconds:
            meta.append(format_seconds(entry.duration_seconds))
        if entry.satisfies:
            meta.append("met " + ", ".join(entry.satisfies))
        lines = [entry.title, " · ".join(meta)]
        if entry.detail:
            lines.append(entry.detail)
        return "\n".join(lines)


def _label(enum_type, value: str) -> str:
    try:
        return enum_type(value).label
    except ValueError:
        return value
