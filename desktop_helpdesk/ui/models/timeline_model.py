"""Case timeline (newest first) as a list model: channel icon, what happened, who, how long."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel

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


class TimelineModel(QStandardItemModel):
    """The events of one case, newest first, as the services return them.

    Each entry's text, icon and tooltip are worked out once, when the case arrives, and held by
    Qt's own items: a repaint of the timeline (dozens of ``data`` calls) then runs no Python.
    A Python ``data`` has to take the interpreter's lock for every call, and while a worker
    thread reads the next case that wait doubled the repaint's time on the window's thread.
    """

    def __init__(self, zone: ZoneInfo, parent=None) -> None:
        super().__init__(parent)
        self._zone = zone
        self._entries: list[TimelineEntry] = []

    def set_entries(self, entries: Sequence[TimelineEntry]) -> None:
        self._entries = list(entries)
        items = [self._item(entry) for entry in self._entries]
        self.clear()
        self.invisibleRootItem().appendRows(items)  # one insertion for them all

    def _item(self, entry: TimelineEntry) -> QStandardItem:
        text = self.describe(entry)
        item = QStandardItem(icon(entry.channel or _KIND_ICONS.get(entry.kind, "note")), text)
        item.setData(text, Qt.ItemDataRole.AccessibleTextRole)
        item.setToolTip(entry.detail or entry.title)
        item.setEditable(False)
        return item

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
