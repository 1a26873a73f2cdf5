"""Custom item-data roles shared by our models and delegates."""

from __future__ import annotations

from PySide6.QtCore import Qt

_USER = Qt.ItemDataRole.UserRole.value

CASE_ID_ROLE = _USER + 1
CASE_ROW_ROLE = _USER + 2
SLA_STATE_ROLE = _USER + 3
QUEUE_ROLE = _USER + 10
QUEUE_COUNT_ROLE = _USER + 11
