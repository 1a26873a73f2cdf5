"""Named timers: the dangling-work check names a timer left running by its object name."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


def single_shot_timer(parent: QObject, name: str, interval_ms: int, slot: Callable[[], object]) -> QTimer:
    """A stopped single-shot timer named ``name`` that runs ``slot`` ``interval_ms`` after each
    ``start()`` (a restart before then postpones it: debouncing, saving drafts when typing pauses)."""
    timer = QTimer(parent)
    timer.setObjectName(name)
    timer.setSingleShot(True)
    timer.setInterval(interval_ms)
    timer.timeout.connect(slot)
    return timer
