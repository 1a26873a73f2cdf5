"""The case list's view: a table view whose focus changes repaint only what they change."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QPalette, QRegion
from PySide6.QtWidgets import QTableView

# Item colours taken from the palette's active or inactive group depending on the view's focus
# (QAbstractItemView::initViewItemOption drops State_Active without focus). Selected items
# (Highlight, HighlightedText) are always repainted; these would change every other item.
_UNSELECTED_ITEM_ROLES = (
    QPalette.ColorRole.Text,
    QPalette.ColorRole.Base,
    QPalette.ColorRole.AlternateBase,
)


class CaseTableView(QTableView):
    """A QTableView whose focus changes repaint the items whose look depends on focus only.

    QAbstractItemView answers every focus change by repainting its whole viewport, and
    QWidget's default handler the whole frame with it: at 1366x768 under the house style sheet
    about 10 ms of CPU each time the list gains or loses focus (a click on a button of the case
    pane, Tab into the list). What focus changes in an item's look is the focus frame of the
    current item and the colour group (active or inactive palette) items are painted in; with
    the same active and inactive text and base colours only the selected and current rows
    differ, so only they (and the frame's border) are repainted. Everything else Qt does on a
    focus change (the first item made current on keyboard focus, input-method attributes) is
    left to Qt.
    """

    def focusInEvent(self, event) -> None:
        with self._repaints_held():
            super().focusInEvent(event)
        self._repaint_focus_look()

    def focusOutEvent(self, event) -> None:
        with self._repaints_held():
            super().focusOutEvent(event)
        self._repaint_focus_look()

    @contextmanager
    def _repaints_held(self) -> Iterator[None]:
        """Qt's handler runs with its ``update()`` calls ignored: the attribute behind
        ``updatesEnabled()`` is set directly, because ``setUpdatesEnabled(True)`` would repaint
        the whole widget again."""
        held = [widget for widget in (self, self.viewport()) if widget.updatesEnabled()]
        for widget in held:
            widget.setAttribute(Qt.WidgetAttribute.WA_UpdatesDisabled, True)
        try:
            yield
        finally:
            for widget in held:
                widget.setAttribute(Qt.WidgetAttribute.WA_UpdatesDisabled, False)

    def _repaint_focus_look(self) -> None:
        viewport = self.viewport()
        palette = self.palette()
        if any(palette.color(QPalette.ColorGroup.Active, role)
               != palette.color(QPalette.ColorGroup.Inactive, role) for role in _UNSELECTED_ITEM_ROLES):
            viewport.update()
        else:
            region = self.visualRegionForSelection(self.selectionModel().selection())
            current = self.currentIndex()
            if current.isValid():
                row = current.row()
                region += QRect(0, self.rowViewportPosition(row), viewport.width(), self.rowHeight(row))
            viewport.update(region)
        # A style sheet may draw the border differently with focus; the border has no child.
        self.update(QRegion(self.rect()).subtracted(QRegion(self.contentsRect())))
