"""Item views that look the same active or not skip the whole repaint Qt gives them on (de)activation."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractItemView, QWidget

_ACTIVATION = (QEvent.Type.WindowActivate, QEvent.Type.WindowDeactivate)


class ActivationRepaintGuard(QObject):
    """Stops the whole-viewport repaint of a window's item views when the window is activated
    or deactivated, as long as their palette is the same in both states.

    QAbstractItemView::viewportEvent answers WindowActivate and WindowDeactivate by repainting
    its entire viewport, because selected items may be drawn in the inactive colours. Every
    dialog that opens over the window (the phone intake while a caller waits) and every close
    does that to the case list, the queues and the case's lists together: about 10 ms of CPU
    at 1366x768 under the house style sheet. Our palette's active and inactive groups are the
    same, so those repaints change no pixel; the guard lets them through when they are not.
    """

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        for view in window.findChildren(QAbstractItemView):
            self.watch(view)

    def watch(self, view: QAbstractItemView) -> None:
        """Guard ``view`` too (a view built after the window)."""
        # Installed after QAbstractScrollArea's own viewport filter, so it runs first.
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() in _ACTIVATION:
            view = watched.parentWidget()
            if view is not None and view.palette().isEqual(QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
                return True
        return super().eventFilter(watched, event)
