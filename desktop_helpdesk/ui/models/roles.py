"""Custom item-data roles and the drag-and-drop format shared by our models, views and delegates."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QMimeData, Qt

_USER = Qt.ItemDataRole.UserRole.value

CASE_ID_ROLE = _USER + 1
CASE_ROW_ROLE = _USER + 2
SLA_STATE_ROLE = _USER + 3
MEMBER_ID_ROLE = _USER + 4
# The raw value behind a cell, so a sort proxy orders numbers and dates, not their text.
SORT_ROLE = _USER + 5
# The audit row's id (its place in the hash chain) behind every cell of an audit list.
AUDIT_ID_ROLE = _USER + 6
QUEUE_ROLE = _USER + 10
QUEUE_COUNT_ROLE = _USER + 11

# Cases dragged from the case list or a member's cases onto the supervisor's team table.
CASE_IDS_MIME = "application/x-helpdesk-case-ids"


def encode_case_ids(case_ids: list[int]) -> QMimeData:
    """Mime data carrying case ids (comma separated), plus a plain-text copy for other programs."""
    mime = QMimeData()
    mime.setData(CASE_IDS_MIME, QByteArray(",".join(str(i) for i in case_ids).encode()))
    mime.setText(", ".join(str(i) for i in case_ids))
    return mime


def decode_case_ids(mime: QMimeData) -> list[int]:
    """The case ids ``encode_case_ids`` put in ``mime`` ([] when it carries none)."""
    if not mime.hasFormat(CASE_IDS_MIME):
        return []
    raw = bytes(mime.data(CASE_IDS_MIME).data()).decode("utf-8", "replace")
    return [int(part) for part in raw.split(",") if part.strip().isdigit()]
