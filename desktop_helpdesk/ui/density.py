"""Laptop screens: a compact density and a collapsible case pane for the main window."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import QToolBar

from desktop_helpdesk.ui.models.case_table_model import CaseColumn

# Below this window width the window turns compact by itself (until the member chooses).
COMPACT_BELOW = 1600
_ROW_HEIGHT = {False: 30, True: 24}
_QUEUE_WIDTH = {False: 210, True: 160}
_DETAIL_WIDTH = {False: 600, True: 460}
_COLUMN_WIDTHS = {
    False: {
        CaseColumn.NUMBER: 104, CaseColumn.CLIENT: 140, CaseColumn.SUBJECT: 200,
        CaseColumn.PRIORITY: 64, CaseColumn.STATUS: 126, CaseColumn.ASSIGNEE: 118,
        CaseColumn.RECEIVED: 96, CaseColumn.NEXT_DUE: 262,
    },
    # Each column just holds its usual texts ("2026-00042", "Medium", "In progress",
    # "Overdue · Resolve 24d 6h late"); names and subjects elide with a full tooltip.
    True: {
        CaseColumn.NUMBER: 92, CaseColumn.CLIENT: 96, CaseColumn.SUBJECT: 150,
        CaseColumn.PRIORITY: 60, CaseColumn.STATUS: 92, CaseColumn.ASSIGNEE: 92,
        CaseColumn.RECEIVED: 82, CaseColumn.NEXT_DUE: 176,
    },
}
_NARROW_MINIMUMS = {
    False: {CaseColumn.CLIENT: 84, CaseColumn.NEXT_DUE: 224, CaseColumn.NUMBER: 96},
    True: {CaseColumn.CLIENT: 60, CaseColumn.NEXT_DUE: 150, CaseColumn.NUMBER: 92,
           CaseColumn.STATUS: 76, CaseColumn.RECEIVED: 70, CaseColumn.ASSIGNEE: 60,
           CaseColumn.PRIORITY: 56},
}


class WindowDensity(QObject):
    """Compact density (smaller rows, narrower queue panel, columns and case pane, so a
    1366-pixel laptop shows the list's working columns beside the case) and a case pane that
    collapses to give the list the whole width. Compact follows the window's width until the
    member picks it from the toolbar (Ctrl+Shift+L); the case pane toggles with F8. The
    splitter itself is remembered between runs with the window's other UI state.

    Args:
        window: the ``MainWindow`` (its splitter, list, queue panel and case detail).
    """

    def __init__(self, window) -> None:
        super().__init__(window)
        self._window = window
        self._compact: bool | None = None
        self._chosen = False
        # Panel widths wait for the window's first showing (sizes set before are rescaled).
        self._share_pending = False
        self.action_compact = QAction("Compact", window)
        self.action_compact.setObjectName("actionCompact")
        self.action_compact.setCheckable(True)
        self.action_compact.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.action_compact.setToolTip("Smaller rows and panels for a laptop screen (Ctrl+Shift+L)")
        self.action_compact.triggered.connect(self._on_action_compact_triggered)
        self.action_case_pane = QAction("Case pane", window)
        self.action_case_pane.setObjectName("actionCasePane")
        self.action_case_pane.setCheckable(True)
        self.action_case_pane.setChecked(True)
        self.action_case_pane.setShortcut(QKeySequence("F8"))
        self.action_case_pane.setToolTip("Show or hide the selected case beside the list (F8)")
        self.action_case_pane.toggled.connect(self.show_case_pane)
        self._add_to_toolbar(window)
        # The case pane may be dragged shut too; the list and queues may not.
        window.splitter.setChildrenCollapsible(True)
        window.splitter.setCollapsible(0, False)
        window.splitter.setCollapsible(1, False)
        window.splitter.splitterMoved.connect(self._on_splitter_moved)
        window.installEventFilter(self)

    @property
    def compact(self) -> bool:
        return bool(self._compact)

    def _add_to_toolbar(self, window) -> None:
        toolbar = window.findChild(QToolBar, "mainToolBar")
        if toolbar is None:
            window.addAction(self.action_compact)
            window.addAction(self.action_case_pane)
            return
        # On the right, beside "Signed in as": they change the view, not the cases (and
        # "Administration…" keeps its place right after Refresh).
        signed_in = next(
            (action for action in toolbar.actions()
             if (widget := toolbar.widgetForAction(action)) is not None
             and widget.objectName() == "signedInLabel"),
            None,
        )
        for action in (self.action_compact, self.action_case_pane):
            if signed_in is None:
                toolbar.addAction(action)
            else:
                toolbar.insertAction(signed_in, action)

    def eventFilter(self, watched, event) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Resize and not self._chosen:
            self.set_compact(self._window.width() < COMPACT_BELOW)
        if watched is self._window and event.type() == QEvent.Type.Show and self._share_pending:
            self._share_width()
        return super().eventFilter(watched, event)

    def keep_splitter(self) -> None:
        """The splitter was restored from the last run: keep it as the member left it."""
        self._share_pending = False

    def _on_action_compact_triggered(self, checked: bool) -> None:
        self._chosen = True
        self.set_compact(checked)

    def set_compact(self, compact: bool) -> None:
        """Use the compact (True) or the roomy (False) density."""
        if compact == self._compact:
            return
        self._compact = compact
        window = self._window
        self.action_compact.setChecked(compact)
        window.table.verticalHeader().setDefaultSectionSize(_ROW_HEIGHT[compact])
        # One point smaller text in the list and the case pane: most of the room it gains.
        for widget in (window.table, window.detail):
            font = QFont(window.font())
            if compact:
                font.setPointSizeF(max(7.0, font.pointSizeF() - 1))
            widget.setFont(font)
        window.queue_panel.setMinimumWidth(_QUEUE_WIDTH[compact])
        if window.detail.isVisible() or not window.isVisible():
            window.detail.setMinimumWidth(_DETAIL_WIDTH[compact])
        window.model.set_compact_sla(compact)
        window.column_fitter.set_widths(_COLUMN_WIDTHS[compact], _NARROW_MINIMUMS[compact])
        self._share_width()

    def _share_width(self) -> None:
        """Queues at their width, the case pane at its minimum (compact) or 550, the list the rest."""
        window = self._window
        if not window.isVisible():
            self._share_pending = True
            return
        self._share_pending = False
        total = sum(window.splitter.sizes()) or window.width()
        queue = _QUEUE_WIDTH[self.compact]
        detail = 0 if not self.action_case_pane.isChecked() else (
            _DETAIL_WIDTH[True] if self.compact else max(550, _DETAIL_WIDTH[False]))
        window.splitter.setSizes([queue, max(300, total - queue - detail), detail])

    def show_case_pane(self, shown: bool) -> None:
        """Show the selected case beside the list, or give the list the whole width."""
        window = self._window
        if self.action_case_pane.isChecked() != shown:
            self.action_case_pane.setChecked(shown)
            return
        window.detail.setMinimumWidth(_DETAIL_WIDTH[self.compact] if shown else 0)
        window.detail.setVisible(shown)
        self._share_width()
        if not shown:
            window.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _on_splitter_moved(self, _position: int, _index: int) -> None:
        # Dragged shut: the toolbar button follows.
        sizes = self._window.splitter.sizes()
        if sizes[2] == 0 and self.action_case_pane.isChecked():
            self.action_case_pane.blockSignals(True)
            self.action_case_pane.setChecked(False)
            self.action_case_pane.blockSignals(False)
