"""The main window: composes the queue panel, case list and detail editor and wires them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop_helpdesk.domain.cases import count_text
from desktop_helpdesk.services.case_list_columns import ExportColumn
from desktop_helpdesk.services.case_queries import CaseFilter, ChangeCursor, Queue
from desktop_helpdesk.ui.activation_repaints import ActivationRepaintGuard
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.density import SUBJECT_MINIMUM as _SUBJECT_MINIMUM
from desktop_helpdesk.ui.density import WindowDensity
from desktop_helpdesk.ui.dialogs.bulk_dialog import BulkDialog
from desktop_helpdesk.ui.dialogs.filter_dialog import FilterDialog
from desktop_helpdesk.ui.dialogs.phone_intake import PhoneIntakeDialog
from desktop_helpdesk.ui.dialogs.shortcuts_dialog import ShortcutsDialog
from desktop_helpdesk.ui.messages import friendly_message
from desktop_helpdesk.ui.models.case_table_model import (
    COLUMN_SPECS,
    PAGE_SIZE,
    CaseColumn,
    CaseTableModel,
    PageRead,
    read_page,
)
from desktop_helpdesk.ui.notifications import SlaNotifier
from desktop_helpdesk.ui.resources import icon
from desktop_helpdesk.ui.sla_display import SlaReader
from desktop_helpdesk.ui.supervisor.export_runner import CaseListExporter
from desktop_helpdesk.ui.ticker import Ticker
from desktop_helpdesk.ui.timers import single_shot_timer
from desktop_helpdesk.ui.widgets.case_detail import CaseDetailPanel
from desktop_helpdesk.ui.widgets.case_table_view import CaseTableView
from desktop_helpdesk.ui.widgets.queue_panel import QueuePanel
from desktop_helpdesk.ui.widgets.saved_filters_panel import SavedFiltersPanel
from desktop_helpdesk.ui.workers import WorkerPool

log = logging.getLogger(__name__)

# Queues whose membership changes with time alone, so every refresh re-runs their ids.
_TIME_QUEUES = (Queue.DUE_SOON, Queue.OVERDUE)
# Queues a freshly logged case can appear in.
_OPEN_QUEUES_FOR_NEW = (Queue.MY_CASES, Queue.ALL_OPEN, Queue.UNASSIGNED)
# After the first list lands, so building the intake never delays the list's first paint.
INTAKE_PREPARE_MS = 300
_COLUMN_WIDTHS = {column: spec.width for column, spec in COLUMN_SPECS.items()}
# On a narrow list (a 1366-px laptop beside the detail pane) these give way, in this order, so
# the SLA column stays in view without scrolling; the subject keeps at least its minimum.
_NARROW_MINIMUMS = {CaseColumn.CLIENT: 84, CaseColumn.NEXT_DUE: 224, CaseColumn.NUMBER: 96}


class _ListColumnFitter(QObject):
    """Sizes the subject column to the list's width (what a Stretch section would do) and, when
    the list is too narrow for every column, fits the columns up to the SLA column instead:
    client names elide first (their tooltip has them in full), then the SLA column narrows to
    its usual texts, then the case number column to its text. Columns after it scroll. Widths the user drags are kept as preferences."""

    def __init__(self, table: QTableView, widths: dict[CaseColumn, int]) -> None:
        super().__init__(table)
        self._table = table
        self._preferred = dict(widths)
        self._minimums = dict(_NARROW_MINIMUMS)
        self._chosen: dict[CaseColumn, int] = {}  # widths the member dragged (or restored)
        self._subject_minimum = _SUBJECT_MINIMUM
        self._fitting = False
        header = table.horizontalHeader()
        header.sectionResized.connect(self._on_header_section_resized)
        table.viewport().installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return super().eventFilter(watched, event)

    def _on_header_section_resized(self, column: int, _old: int, new: int) -> None:
        if self._fitting or column == CaseColumn.SUBJECT:
            return
        self._preferred[CaseColumn(column)] = self._chosen[CaseColumn(column)] = new
        self.fit()

    def prefer_at_least(self, column: CaseColumn, width: int) -> None:
        """Widen ``column`` to ``width`` unless the member chose its width, then fit."""
        if column not in self._chosen and self._preferred.get(column, 0) < width:
            self._preferred[column] = width
            self.fit()

    def keep_current_widths(self) -> None:
        """The header's widths were restored from the last run: they are the member's choice."""
        header = self._table.horizontalHeader()
        self._chosen = {column: header.sectionSize(column) for column in CaseColumn
                        if column != CaseColumn.SUBJECT and not header.isSectionHidden(column)}

    def set_widths(self, widths: dict[CaseColumn, int], minimums: dict[CaseColumn, int], *,
                   subject_minimum: int = _SUBJECT_MINIMUM) -> None:
        """Use other preferred widths, narrow minimums and subject minimum (a denser layout),
        then fit; the widths the member chose stay."""
        self._preferred = {**widths, **self._chosen}
        self._minimums = dict(minimums)
        self._subject_minimum = subject_minimum
        self.fit()

    def fit(self) -> None:
        header = self._table.horizontalHeader()
        available = self._table.viewport().width()
        if available <= 0 or header.isSectionHidden(CaseColumn.SUBJECT):
            return
        self._fitting = True
        try:
            # A header state saved by an older version may bring back Stretch, which would
            # ignore the widths set here.
            header.setSectionResizeMode(CaseColumn.SUBJECT, QHeaderView.ResizeMode.Interactive)
            shown = [c for c in CaseColumn if c != CaseColumn.SUBJECT and not header.isSectionHidden(c)]
            for column in shown:
                header.resizeSection(column, self._preferred.get(column, header.sectionSize(column)))
            # Too narrow for every column at its preferred width: every column gives way to
            # its minimum before any has to scroll.
            left = self._give_way(shown, available)
            if left < self._subject_minimum and not header.isSectionHidden(CaseColumn.NEXT_DUE):
                up_to_sla = header.visualIndex(CaseColumn.NEXT_DUE)
                left = self._give_way([c for c in shown if header.visualIndex(c) <= up_to_sla], available)
            header.resizeSection(CaseColumn.SUBJECT, max(self._subject_minimum, left))
        finally:
            self._fitting = False

    def _give_way(self, columns: list[CaseColumn], available: int) -> int:
        """Narrow ``columns`` towards their minimums, in the minimums' order, until the subject
        has its minimum of ``available``; returns the width left for the subject."""
        header = self._table.horizontalHeader()
        left = available - sum(header.sectionSize(c) for c in columns)
        for column, minimum in self._minimums.items():
            if column in columns and left < self._subject_minimum:
                width = header.sectionSize(column)
                narrower = max(minimum, width - (self._subject_minimum - left))
                header.resizeSection(column, narrower)
                left += width - narrower
        return left


class _TabsRepaintGuard(QObject):
    """Keeps a change inside a tab page from repainting the whole window.

    Every layout change inside a page (a label's new text, a message shown in the case pane)
    travels up as a LayoutRequest to the QTabWidget, which answers each one by laying out
    its tab bar again and repainting itself whole (QTabWidget::setUpLayout calls update()):
    the full window, about 15 ms of CPU at 1366x768 with our style sheet, several times per
    selected case. Only a change of the tab bar itself needs that, so other requests stop here
    and only tell the window that the tab widget's size hints may have changed.
    """

    def __init__(self, tabs: QTabWidget) -> None:
        super().__init__(tabs)
        self._tabs = tabs
        self._last: tuple | None = None
        tabs.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if watched is self._tabs and event.type() == QEvent.Type.LayoutRequest:
            bar = self._tabs.tabBar()
            state = (bar.isVisibleTo(self._tabs), bar.sizeHint(), self._tabs.count())
            if state == self._last:
                # The window still learns the pages' new minimum size (e.g. a denser layout).
                self._tabs.updateGeometry()
                return True
            self._last = state
        return super().eventFilter(watched, event)


# What each list column becomes in an export (the SLA column: the next target, its due
# instant and the business hours left as a number).
_EXPORT_COLUMNS: dict[CaseColumn, tuple[ExportColumn, ...]] = {
    column: tuple(ExportColumn(field.key) for field in spec.exports)
    for column, spec in COLUMN_SPECS.items()}


# Columns the header's context menu can hide or show (number, subject and SLA always show).
_OPTIONAL_COLUMNS = tuple(column for column, spec in COLUMN_SPECS.items() if spec.can_hide)


class MainWindow(QMainWindow):
    """Queues on the left, the case list in the centre, the selected case on the right.

    Extension point: ``add_panel(title, widget)`` adds a tab beside "Cases" (the supervisor
    view uses it).

    Signals:
        list_loaded(int): the case list was (re)loaded with this many rows.
        refreshed(): a 30-second refresh finished (counts, changed rows).
        closing(): the window is shutting down; its pool still takes last work (e.g. handing
            on the team-job leases) before it is joined.
        holiday_cover_shown(int): the holiday cover banner was refreshed (arrangements today).
        saved_filters_loaded(int): the saved filters beside the queues were (re)read.
        filter_dialog_opened(object): the saved-filter form opened.
        bulk_dialog_opened(object): the bulk-change dialog opened.
        filter_command_failed(str): saving or deleting a filter was refused (the sentence).

    Args:
        ui: shared services, queries, drafts, clock and signed-in member.
        notify: ``notify(title, message)`` for desktop notifications (tray); None: none.
        choose_export_path: ``choose(suggested_name) -> path`` ("" = cancelled) for "Export
            list…"; None: a save-file dialog.
    """

    list_loaded = Signal(int)
    refreshed = Signal()
    closing = Signal()
    holiday_cover_shown = Signal(int)
    saved_filters_loaded = Signal(int)
    filter_dialog_opened = Signal(object)
    bulk_dialog_opened = Signal(object)
    filter_command_failed = Signal(str)

    def __init__(
        self,
        ui: UiContext,
        notify: Callable[[str, str], None] | None = None,
        parent: QWidget | None = None,
        *,
        choose_export_path: Callable[[str], str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setAccessibleName("mainWindow")
        self.setWindowTitle(f"Desktop Helpdesk — {ui.member_name}")
        self.setWindowIcon(icon("app"))
        self._ui = ui
        self._pool = WorkerPool(self)
        self._sla_reader: SlaReader = ui.sla_reader()
        self._filter = CaseFilter(queue=ui.start_queue, member_id=ui.member_id)
        self._sort = CaseColumn.NEXT_DUE
        self._descending = False
        self._generation = 0
        self._cursor: ChangeCursor | None = None
        self._pending_select: int | None = None
        self._closing = False
        self._notifier = SlaNotifier(notify or (lambda _title, _message: None))
        self._loaded_once = False
        self._exporting_count = 0
        # The intake is built once, in a pause after the first list shows, and reused: building
        # its widgets under the style sheet takes longer than a frame, and a caller is waiting.
        self._intake: PhoneIntakeDialog | None = None
        self._intake_prepare_timer = QTimer(self)
        self._intake_prepare_timer.setObjectName("intakePrepareTimer")
        self._intake_prepare_timer.setSingleShot(True)
        self._intake_prepare_timer.setInterval(INTAKE_PREPARE_MS)
        self._intake_prepare_timer.timeout.connect(self._prepare_phone_intake)
        # The case under a row the member moves to is read once the list has repainted the
        # move: a worker reading it meanwhile made that repaint wait for the interpreter's lock.
        self._case_load_timer = single_shot_timer(self, "caseLoadTimer", 0, self._load_current_case)
        self.exporter = CaseListExporter(self, ui.services.context, choose_path=choose_export_path)
        self.exporter.finished.connect(self._on_exporter_finished)
        self.exporter.failed.connect(self._on_exporter_failed)
        self.exporter.runner.export_cancelled.connect(self._on_exporter_cancelled)

        self.ticker = Ticker(ui.clock, self)
        self.ticker.ticked.connect(self.on_ticked)
        self.ticker.refresh_due.connect(self.refresh)

        self.queue_panel = QueuePanel(self)
        self.saved_filters = SavedFiltersPanel(self.queue_panel)
        self.queue_panel.layout().addWidget(self.saved_filters)
        self._filter_name = ""
        self.model = CaseTableModel(
            ui.queries.rows,
            self._sla_reader,
            ui.clock.now(),
            ui.desk_zone,
            self,
            # Pages are read on the pool on SQLite too: 200 rows and their clocks (which may
            # index years of the business calendar) take tens of ms at 300k cases.
            fetch_rows=self._fetch_rows,
        )
        self.table = self._build_table()
        self.detail = CaseDetailPanel(ui, self._pool, lambda: self._sla_reader, self)
        # Room for three SLA cards side by side (the density narrows it on laptops).
        self.detail.setMinimumWidth(600)
        self.list_title = QLabel("", self)
        self.list_title.setObjectName("listTitle")
        self.list_title.setProperty("role", "listTitle")

        centre = QWidget(self)
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(6, 10, 6, 6)
        centre_layout.setSpacing(6)
        centre_layout.addWidget(self.list_title)
        self.holiday_banner = QLabel("", self)
        self.holiday_banner.setObjectName("holidayCoverBanner")
        self.holiday_banner.setAccessibleName("holidayCoverBanner")
        self.holiday_banner.setProperty("role", "banner")
        self.holiday_banner.setWordWrap(True)
        self.holiday_banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.holiday_banner.hide()
        centre_layout.addWidget(self.holiday_banner)
        centre_layout.addWidget(self.table, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.queue_panel)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([200, 1150, 550])
        self.splitter.setChildrenCollapsible(False)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setTabBarAutoHide(True)
        self.tabs.addTab(self.splitter, icon("all_open"), "Cases")
        self._tabs_guard = _TabsRepaintGuard(self.tabs)
        self.setCentralWidget(self.tabs)
        self._build_actions()
        self.status_label = QLabel("", self)
        self.statusBar().addPermanentWidget(self.status_label)
        self.statusBar().showMessage(f"Signed in as {ui.member_name}")

        self.queue_panel.queue_selected.connect(self._on_queue_panel_queue_selected)
        self.saved_filters.filter_chosen.connect(self._on_saved_filters_filter_chosen)
        self.saved_filters.new_requested.connect(self.new_saved_filter)
        self.saved_filters.delete_requested.connect(self._on_saved_filters_delete_requested)
        self.queue_panel.search_changed.connect(self._on_queue_panel_search_changed)
        self.model.sort_requested.connect(self._on_model_sort_requested)
        self.detail.case_changed.connect(self._on_detail_case_changed)
        self.detail.merged.connect(self._on_detail_merged)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)
        self.table.activated.connect(self._on_table_activated)
        self.queue_panel.search.installEventFilter(self)
        # Laptop screens: compact density, a collapsible case pane (toolbar and shortcuts).
        self.density = WindowDensity(self)
        # Opening a dialog (the intake) must not repaint every list of the window.
        self.activation_repaints = ActivationRepaintGuard(self)
        self.resize(1900, 1000)
        self.queue_panel.select_queue(ui.start_queue)
        self.load_saved_filters()
        self.refresh()

    # -- construction ----------------------------------------------------------------------
    def _build_table(self) -> QTableView:
        table = CaseTableView(self)
        table.setObjectName("caseTable")
        table.setAccessibleName("caseTable")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Ctrl/Shift-click select many for bulk work; the current row stays the case shown.
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSortingEnabled(False)
        table.setWordWrap(False)
        table.setShowGrid(False)
        table.setAlternatingRowColors(False)
        table.verticalHeader().hide()
        # Fixed row height: the view never asks every row for its size (100,000 rows).
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(30)
        header = table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setHighlightSections(False)
        header.setSortIndicator(CaseColumn.NEXT_DUE, Qt.SortOrder.AscendingOrder)
        header.sortIndicatorChanged.connect(self.model.sort)
        header.setStretchLastSection(False)
        for column, width in _COLUMN_WIDTHS.items():
            header.resizeSection(column, width)
        # The subject takes what is left; the SLA column keeps room for "Overdue · Resolve 99h late".
        self._column_fitter = _ListColumnFitter(table, _COLUMN_WIDTHS)
        # The countdown is what the desk watches all day: shown right after the subject so it
        # stays in view on a laptop screen (the model keeps the documented column order).
        header.moveSection(header.visualIndex(CaseColumn.NEXT_DUE), CaseColumn.SUBJECT + 1)
        # Optional columns are chosen from the header's context menu; some (the category, the
        # last contact) start hidden so the subject keeps its room on a normal screen.
        for column, spec in COLUMN_SPECS.items():
            header.setSectionHidden(column, spec.starts_hidden)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._on_header_context_menu_requested)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setDragEnabled(True)
        table.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        return table

    def column_menu(self) -> QMenu:
        """The header's menu: a checkable entry per optional list column."""
        header = self.table.horizontalHeader()
        menu = QMenu(self)
        menu.setObjectName("columnMenu")
        for column in _OPTIONAL_COLUMNS:
            action = menu.addAction(self.model.headerData(column, Qt.Orientation.Horizontal))
            action.setObjectName(f"showColumn{column.name.title()}")
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.toggled.connect(lambda shown, c=column: self.show_column(c, shown))
        return menu

    def show_column(self, column: CaseColumn, shown: bool) -> None:
        """Show or hide an optional list column (exports follow the visible columns)."""
        self.table.horizontalHeader().setSectionHidden(column, not shown)
        self._column_fitter.fit()

    def _on_header_context_menu_requested(self, position) -> None:
        menu = self.column_menu()
        menu.exec(self.table.horizontalHeader().mapToGlobal(position))
        menu.deleteLater()

    def _build_actions(self) -> None:
        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("mainToolBar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(toolbar)
        self.action_new_case = QAction(icon("phone"), "Log a call", self)
        self.action_new_case.setObjectName("actionNewCase")
        self.action_new_case.setShortcut(QKeySequence("Ctrl+N"))
        self.action_new_case.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.action_new_case.setToolTip("Log a phone call or email as a new case (Ctrl+N)")
        self.action_new_case.triggered.connect(self.open_phone_intake)
        self.action_refresh = QAction("Refresh", self)
        self.action_refresh.setObjectName("actionRefresh")
        self.action_refresh.setShortcut(QKeySequence("F5"))
        self.action_refresh.triggered.connect(self.refresh)
        self.action_export = QAction(icon("export"), "Export list…", self)
        self.action_export.setObjectName("actionExportList")
        self.action_export.setShortcut(QKeySequence("Ctrl+E"))
        self.action_export.setToolTip(
            "Export the cases in this list, with its visible columns, to Excel, CSV or PDF (Ctrl+E)"
        )
        self.action_export.triggered.connect(self.export_list)
        self.action_shortcuts = QAction("Keyboard shortcuts", self)
        self.action_shortcuts.setObjectName("actionShortcuts")
        self.action_shortcuts.setShortcut(QKeySequence("F1"))
        self.action_shortcuts.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.action_shortcuts.setToolTip("Show every keyboard shortcut (F1)")
        self.action_shortcuts.triggered.connect(self.show_shortcuts)
        self.addAction(self.action_shortcuts)
        self.action_new_filter = QAction("New saved filter", self)
        self.action_new_filter.setObjectName("actionNewFilter")
        self.action_new_filter.setShortcut(QKeySequence("Ctrl+Shift+F"))
        self.action_new_filter.setToolTip("Save a filter beside the queues (client, priority, SLA state…)")
        self.action_new_filter.triggered.connect(self.new_saved_filter)
        self.addAction(self.action_new_filter)
        self.action_bulk = QAction("Change selected cases…", self)
        self.action_bulk.setObjectName("actionBulkChange")
        self.action_bulk.setShortcut(QKeySequence("Ctrl+Shift+B"))
        self.action_bulk.setToolTip("Reassign, change priority, set a category or close the selected cases "
                                    "(Ctrl+Shift+B)")
        self.action_bulk.triggered.connect(self.bulk_change)
        self.action_search = QAction("Search", self)
        self.action_search.setObjectName("actionSearch")
        self.action_search.setShortcut(QKeySequence("Ctrl+F"))
        self.action_search.triggered.connect(self._on_action_search_triggered)
        toolbar.addAction(self.action_new_case)
        # Export sits left of Refresh: admin.install puts "Administration…" right after Refresh.
        toolbar.addAction(self.action_bulk)
        toolbar.addAction(self.action_export)
        toolbar.addAction(self.action_refresh)
        self.addAction(self.action_search)
        # Ctrl+1 … Ctrl+9 jump to the queues in the order they are listed.
        for number, queue in enumerate(Queue, start=1):
            action = QAction(queue.label, self)
            action.setObjectName(f"actionQueue{number}")
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _checked=False, q=queue: self.queue_panel.select_queue(q))
            self.addAction(action)
        spacer = QWidget(toolbar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        me = QLabel(f"Signed in as <b>{self._ui.member_name}</b>", toolbar)
        me.setObjectName("signedInLabel")
        toolbar.addWidget(me)

    def show_shortcuts(self) -> ShortcutsDialog:
        """F1: the list of shortcuts, read from the window's actions."""
        dialog = ShortcutsDialog(self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    # -- extension point -------------------------------------------------------------------
    def add_panel(self, title: str, widget: QWidget, object_name: str | None = None) -> int:
        """Add a tab beside "Cases" (e.g. the supervisor view). Returns its tab index."""
        if object_name:
            widget.setObjectName(object_name)
        return self.tabs.addTab(widget, title)

    @property
    def ui_context(self) -> UiContext:
        return self._ui

    @property
    def column_fitter(self) -> _ListColumnFitter:
        """Sizes the list's columns to its width (the density changes its widths)."""
        return self._column_fitter

    @property
    def pool(self) -> WorkerPool:
        """The window's worker pool (panels added through ``add_panel`` may use it)."""
        return self._pool

    def _fetch_rows(self, ids: list[int], done: Callable) -> None:
        """Page rows (and their clocks) in the background."""
        self._pool.submit(read_page, self._ui.queries.rows, ids, self.model.sla_reader, self.model.now,
                          on_finished=done, on_failed=self._on_background_failed)

    # -- list loading ----------------------------------------------------------------------
    def current_filter(self) -> CaseFilter:
        return self._filter

    def current_sort(self) -> tuple[CaseColumn, bool]:
        """The list's sort column and whether it is descending."""
        return self._sort, self._descending

    def set_filter(self, case_filter: CaseFilter) -> None:
        self._filter = case_filter
        # In "My cases" every row is mine: the assignee column gives its room to the SLA column.
        self.table.setColumnHidden(
            CaseColumn.ASSIGNEE, case_filter.queue is Queue.MY_CASES and not case_filter.search
        )
        self.reload_list()

    def reload_list(self) -> None:
        """Re-run the ids query in a worker; the newest request wins."""
        self._generation += 1
        generation = self._generation
        selected = self.detail.case_id
        if self._pending_select is None:
            self._pending_select = selected
        queries, reader, now = self._ui.queries, self.model.sla_reader, self._ui.clock.now()
        case_filter, sort, descending = self._filter, self._sort, self._descending
        # The pages the list will show first come with the ids: no "…" after a reload.
        shown = [case_id for case_id in (self._pending_select, self.model.case_id_at(self.table.rowAt(0)))
                 if case_id is not None]
        page_size = PAGE_SIZE

        def work():
            ids = queries.ids(case_filter, sort, descending, now)
            positions = {case_id: row for row, case_id in enumerate(ids)}
            starts = sorted({0} | {positions[c] - positions[c] % page_size for c in shown if c in positions})
            page_ids = [case_id for start in starts for case_id in ids[start:start + page_size]]
            return ids, read_page(queries.rows, page_ids, reader, now)

        self._pool.submit(
            work,
            on_finished=lambda result: self._on_ids_loaded(generation, *result),
            on_failed=self._on_background_failed,
        )

    def _on_ids_loaded(self, generation: int, ids: list[int], first_pages: PageRead | None = None) -> None:
        if generation != self._generation or self._closing:
            return
        keep = self._pending_select
        self._pending_select = None
        if first_pages is not None:
            self.model.store_page(first_pages)
        # A refresh that changed nothing in this list must not disturb the view (no reset);
        # otherwise the reset keeps the scroll position and, below, the selected cases (an
        # agent picking cases for a bulk change must not lose them to the 30 s refresh).
        selected = self.selected_case_ids()
        reset = ids != self.model.ids()
        if reset:
            scroll = self.table.verticalScrollBar().value()
            self.model.set_ids(ids)
            self.table.verticalScrollBar().setValue(scroll)
        self._update_list_title()
        if keep is not None:
            row = self.model.row_of(keep)
            if row is None:
                self.table.clearSelection()
            elif keep != self.detail.case_id:
                self._select_row(row)
            elif reset:
                still_listed = (self.model.row_of(case_id) for case_id in selected)
                self._select_row(row, load=False, also=[r for r in still_listed if r is not None])
            elif self.table.currentIndex().row() != row:
                self._select_row(row, load=False)
            # else: already current and shown, selection as the agent left it (re-selecting
            # would repaint the whole list).
        if not self._loaded_once and self._intake is None:
            self._intake_prepare_timer.start()
        self._loaded_once = True
        self.list_loaded.emit(len(ids))

    def _select_row(self, row: int, *, load: bool = True, also: Iterable[int] = ()) -> None:
        """Make ``row`` current and select it with the rows ``also`` (nothing else); ``load``:
        the case pane follows (otherwise it already shows that case)."""
        index = self.model.index(row, 0)
        selection = self.table.selectionModel()
        rows = QItemSelection()
        for selected_row in {row, *also}:
            rows.select(self.model.index(selected_row, 0), self.model.index(selected_row, 0))
        if not load:
            selection.blockSignals(True)
        selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
        selection.select(
            rows, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        if not load:
            selection.blockSignals(False)
            self.table.viewport().update()
        elif self._case_load_timer.isActive():
            # Chosen by code (a case just logged, a notification): its read starts now.
            self._case_load_timer.stop()
            self._load_current_case()
        self.table.scrollTo(index)

    def select_case(self, case_id: int) -> bool:
        """Select and show ``case_id`` if it is in the list."""
        row = self.model.row_of(case_id)
        if row is None:
            return False
        self._select_row(row)
        return True

    def _update_list_title(self) -> None:
        count = self.model.rowCount()
        if self._filter.search:
            text = f"Search results for “{self._filter.search}” — {count_text(count)}"
        elif self._filter.criteria is not None:
            text = f"Filter “{self._filter_name}” — {count_text(count)}"
        else:
            text = f"{self._filter.queue.label} — {count_text(count)}"
        self.list_title.setText(text)

    @property
    def loaded_once(self) -> bool:
        return self._loaded_once

    # -- refresh (30 s) and tick (1 s) -----------------------------------------------------
    def refresh(self) -> None:
        """Ask a worker for changed cases, queue counts and my late cases."""
        if self._closing:
            return
        ui = self._ui
        queries, member_id, now = ui.queries, ui.member_id, ui.clock.now()
        cursor = self._cursor

        def work():
            # The calendar and settings are read here too, not on the window's thread.
            reader = ui.sla_reader()
            if cursor is None:
                changes = ([], True, queries.initial_cursor())
            else:
                changes = queries.changes_since(cursor)
            return changes, queries.queue_counts(member_id, now), queries.attention(member_id, now), reader

        self._pool.submit(work, on_finished=self._on_refresh_done, on_failed=self._on_background_failed)
        # The same 30 s beat keeps this workstation's "has the case open" row fresh.
        self.detail.refresh_presence()
        self._pool.submit(self._ui.services.abroad.arrangements_now,
                          on_finished=self._on_arrangements_loaded, on_failed=self._on_background_failed)

    def _on_arrangements_loaded(self, arrangements: list) -> None:
        if self._closing:
            return
        self.holiday_banner.setText(
            "Holiday cover today: " + "; ".join(a.summary() for a in arrangements) if arrangements else "")
        self.holiday_banner.setVisible(bool(arrangements))
        self.holiday_cover_shown.emit(len(arrangements))

    def _on_refresh_done(self, result) -> None:
        if self._closing:
            return
        (changed, set_changed, cursor), counts, attention, reader = result
        self._sla_reader = reader
        self.model.set_sla_reader(reader)
        first = self._cursor is None
        self._cursor = cursor
        self.queue_panel.model.set_counts(counts)
        self.model.evict(changed)
        timed = self._filter.queue in _TIME_QUEUES or bool(self._filter.criteria and self._filter.criteria.sla_state)
        if first or set_changed or timed:
            self.reload_list()
        if self.detail.case_id in changed and not self.detail.has_unsaved_text():
            self.detail.reload(keep_text=True)
        self._notifier.observe(attention, self._ui.clock.now(), self._sla_reader.calendar)
        self.status_label.setText(count_text(counts.get(Queue.ALL_OPEN, 0), "open case"))
        self.refreshed.emit()

    def visible_rows(self) -> tuple[int, int]:
        """First and last list rows in the viewport (-1, -1 when empty)."""
        if self.model.rowCount() == 0:
            return -1, -1
        first = self.table.rowAt(0)
        last = self.table.rowAt(self.table.viewport().height() - 1)
        if first < 0:
            first = 0
        if last < 0:
            last = self.model.rowCount() - 1
        return first, last

    def on_ticked(self, now: datetime) -> None:
        """The 1 s tick: recompute countdowns of visible cached rows and the detail (no SQL)."""
        first, last = self.visible_rows()
        self.model.on_ticked(now, first, last)
        self.detail.on_ticked(now)

    # -- slots -----------------------------------------------------------------------------
    def _on_queue_panel_queue_selected(self, queue: Queue) -> None:
        self.saved_filters.clear_choice()
        if self.queue_panel.search.text():
            self.queue_panel.search.blockSignals(True)
            self.queue_panel.search.clear()
            self.queue_panel.search.blockSignals(False)
        self.set_filter(CaseFilter(queue=queue, member_id=self._ui.member_id))

    def _on_queue_panel_search_changed(self, text: str) -> None:
        queue = self.queue_panel.current_queue() or Queue.ALL_OPEN
        self.queue_panel.show_search_mode(bool(text))
        self.set_filter(CaseFilter(queue=queue, search=text, member_id=self._ui.member_id))

    # -- saved filters and bulk work -------------------------------------------------------
    def load_saved_filters(self) -> None:
        """Read my and the team's saved filters (in the pool)."""
        self._pool.submit(self._ui.services.saved_filters.list_filters, self._ui.member_id,
                          on_finished=self._on_saved_filters_loaded, on_failed=self._on_background_failed)

    def _on_saved_filters_loaded(self, filters: list) -> None:
        if self._closing:
            return
        self.saved_filters.set_filters(filters)
        self.saved_filters_loaded.emit(len(filters))

    def _on_saved_filters_filter_chosen(self, saved) -> None:
        self._filter_name = saved.name
        # Like a search, a filter spans the queues: none stays highlighted.
        self.queue_panel.show_search_mode(True)
        self.set_filter(CaseFilter(criteria=saved.criteria, member_id=self._ui.member_id))

    def _on_saved_filters_delete_requested(self, saved) -> None:
        service, me = self._ui.services.saved_filters, self._ui.member_id

        def delete():
            service.delete_filter(me, saved.id)
            return service.list_filters(me)

        self._pool.submit(delete, on_finished=lambda filters: self._after_filter_command(
            filters, None, f"Filter “{saved.name}” deleted"), on_failed=self._on_filter_command_failed)

    def _after_filter_command(self, filters: list, chosen_id: int | None, message: str) -> None:
        if self._closing:
            return
        self.statusBar().showMessage(message, 5000)
        self._on_saved_filters_loaded(filters)
        if chosen_id is not None:
            self.saved_filters.choose(chosen_id)

    def _on_filter_command_failed(self, error: Exception) -> None:
        self.statusBar().showMessage(friendly_message(error), 10_000)
        self.filter_command_failed.emit(friendly_message(error))

    def _pick_lists(self) -> tuple[list, list, list]:
        """(clients, members who take cases, offered categories) as (label, id), for the forms."""
        services = self._ui.services
        clients = [(c.name, c.id) for c in services.contacts.list_clients()]
        members = [(m.display_name, m.id) for m in services.team.list_members() if m.can_take_cases]
        categories = [(c.name, c.id) for c in services.categories.list_categories()]
        return clients, members, categories

    def new_saved_filter(self) -> None:
        """Ctrl+Shift+F: the filter form (its pick lists read in the pool first)."""
        self._pool.submit(self._pick_lists, on_finished=self._open_filter_dialog,
                          on_failed=self._on_background_failed)

    def _open_filter_dialog(self, lists) -> None:
        if self._closing:
            return
        clients, members, categories = lists
        dialog = FilterDialog(self, clients=clients, members=members, categories=categories,
                              today=self._ui.clock.now().astimezone(self._ui.desk_zone).date())
        dialog.accepted.connect(lambda: self._save_filter(dialog))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.filter_dialog_opened.emit(dialog)

    def _save_filter(self, dialog: FilterDialog) -> None:
        name, criteria, shared = dialog.values()
        service, me = self._ui.services.saved_filters, self._ui.member_id

        def save():
            saved = service.save_filter(me, name, criteria, shared=shared)
            return saved, service.list_filters(me)

        self._pool.submit(save, on_finished=lambda result: self._after_filter_command(
            result[1], result[0].id, f"Filter “{result[0].name}” saved"), on_failed=self._on_filter_command_failed)

    def selected_case_ids(self) -> list[int]:
        """The cases selected in the list, in list order."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [case_id for case_id in (self.model.case_id_at(row) for row in rows) if case_id is not None]

    def bulk_change(self) -> None:
        """Ctrl+Shift+B: change the selected cases (the form's pick lists read in the pool first)."""
        ids = self.selected_case_ids()
        if not ids:
            self.statusBar().showMessage("Select the cases to change first (Ctrl+A selects the whole list)", 5000)
            return
        self._pool.submit(self._pick_lists, on_finished=lambda lists: self._open_bulk_dialog(ids, lists),
                          on_failed=self._on_background_failed)

    def _open_bulk_dialog(self, ids: list[int], lists) -> None:
        if self._closing:
            return
        _clients, members, categories = lists
        dialog = BulkDialog(self._ui, self._pool, ids, members=members, categories=categories, parent=self)
        dialog.run_finished.connect(self._on_bulk_run_finished)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.bulk_dialog_opened.emit(dialog)

    @Slot(object)
    def _on_bulk_run_finished(self, outcome) -> None:
        if outcome is not None:
            self.statusBar().showMessage(outcome.summary(), 10_000)
            self._cursor = None  # the changed cases may leave or join this list
        self.refresh()

    def _on_model_sort_requested(self, column: CaseColumn, descending: bool) -> None:
        self._sort, self._descending = column, descending
        self.reload_list()

    def _on_table_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._case_load_timer.start()

    @property
    def case_load_pending(self) -> bool:
        """Whether the case under the current row is about to be read (the list's repaint of
        the move comes first), or the first case read is about to show."""
        return self._case_load_timer.isActive() or self.detail.revealing

    def _load_current_case(self) -> None:
        current = self.table.currentIndex()
        case_id = self.model.case_id_at(current.row()) if current.isValid() else None
        # Back on the case shown while another is still being read: that read must not land.
        if case_id is not None and (case_id != self.detail.case_id or self.detail.switching):
            self.detail.load_case(case_id)

    def eventFilter(self, watched, event) -> bool:
        # Down from the search box continues into the list, keyboard only.
        if (
            watched is self.queue_panel.search
            and event.type() == event.Type.KeyPress
            and event.key() == Qt.Key.Key_Down
            and self.model.rowCount()
        ):
            self.queue_panel.flush_search()
            self.table.setFocus(Qt.FocusReason.TabFocusReason)
            if not self.table.currentIndex().isValid():
                self._select_row(0)
            return True
        return super().eventFilter(watched, event)

    def open_notified_case(self) -> None:
        """Slot for a click on the desktop notification: show the case it was about."""
        case_id = self._notifier.last_case_id
        if case_id is not None:
            self.open_case(case_id)

    def _on_table_activated(self, _index: QModelIndex) -> None:
        # Enter on a case: straight to typing what was said or done.
        if self.detail.summary_edit.isEnabled() and self.detail.summary_edit.isVisible():
            self.detail.tabs.setCurrentIndex(0)
            self.detail.summary_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_detail_case_changed(self, case_id: int) -> None:
        self.model.evict([case_id])
        self.refresh()

    def _on_detail_merged(self, duplicate_id: int, survivor_id: int) -> None:
        # Just merged: the work goes on in the case it went into.
        self.model.evict([duplicate_id, survivor_id])
        self.open_case(survivor_id)

    def _on_action_search_triggered(self) -> None:
        self.queue_panel.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.queue_panel.search.selectAll()

    def _on_background_failed(self, error: Exception) -> None:
        self.statusBar().showMessage(f"Could not load cases: {error}", 10_000)

    # -- export ----------------------------------------------------------------------------
    def export_columns(self) -> list[ExportColumn]:
        """The export columns of the list's visible columns, in the order they are shown."""
        header = self.table.horizontalHeader()
        shown = sorted(
            (header.visualIndex(column), column) for column in CaseColumn if not header.isSectionHidden(column)
        )
        return [key for _position, column in shown for key in _EXPORT_COLUMNS[column]]

    def export_list(self) -> bool:
        """Export what the list shows (its queue or search, its visible columns) to a file the
        member picks (Ctrl+E); runs in the background with a cancellable progress dialog.

        Returns:
            True when an export started (False: one is running, or no file was chosen).
        """
        if self.exporter.runner.busy:
            self.statusBar().showMessage("An export is already running", 5000)
            return False
        case_filter = self._filter
        count = self.model.rowCount()
        started = self.exporter.export(
            case_filter.queue,
            search=case_filter.search,
            member_id=case_filter.member_id,
            columns=self.export_columns(),
            sort_column=self._sort,
            descending=self._descending,
            criteria=case_filter.criteria,
            filter_name=self._filter_name,
        )
        if started:
            self._exporting_count = count
            self.action_export.setEnabled(False)
        return started

    def _on_exporter_finished(self, path) -> None:
        self.action_export.setEnabled(True)
        self.statusBar().showMessage(f"Exported {count_text(self._exporting_count)} to {path}", 15_000)

    def _on_exporter_failed(self, message: str) -> None:
        self.action_export.setEnabled(True)
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Export failed",
            f"The case list could not be exported.\n\n{message}",
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setObjectName("exportFailedMessage")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _on_exporter_cancelled(self) -> None:
        self.action_export.setEnabled(True)
        self.statusBar().showMessage("Export cancelled; no file was written", 5000)

    # -- phone intake ----------------------------------------------------------------------
    def open_phone_intake(self) -> PhoneIntakeDialog:
        """Open (or raise) the phone intake dialog (Ctrl+N)."""
        # What is left of the building is done now (begin_call), not in later pauses.
        self._intake_prepare_timer.stop()
        dialog = self._phone_intake()
        if dialog.isVisible():
            dialog.raise_()
            dialog.activateWindow()
            return dialog
        dialog.begin_call()
        dialog.open()
        # The caller is on the line: the form takes the keyboard at once.
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _phone_intake(self) -> PhoneIntakeDialog:
        if self._intake is None:
            self._intake = PhoneIntakeDialog(self._ui, self, pool=self._pool, reusable=True)
            self._intake.case_logged.connect(self.open_case)
        return self._intake

    def _prepare_phone_intake(self) -> None:
        """Build the intake a piece per pause: no piece holds the window's thread for long."""
        if not self._closing and not self._phone_intake().construct_step():
            self._intake_prepare_timer.start(0)

    # Declared slots: PySide adds a method connected later (from a dialog) to the window's
    # meta-object, and Qt then polishes the whole window again under the style sheet, a repaint
    # of everything (about 14 ms of CPU at 1366x768) at the next layout.
    @Slot(int)
    def open_case(self, case_id: int) -> None:
        """Show a case (just logged, or from a notification): in the current list if it is
        there, else in the queue it belongs to."""
        if self.select_case(case_id):
            # Shown now; nothing left pending that a later reload would jump back to.
            self._pending_select = None
            return
        self._pending_select = case_id
        # Which queue it belongs to is read on the pool (one row, but a query all the same).
        self._pool.submit(self._ui.queries.row, case_id,
                          on_finished=lambda row: self._open_case_in_its_queue(case_id, row),
                          on_failed=self._on_background_failed)

    def _open_case_in_its_queue(self, case_id: int, row) -> None:
        if self._closing:
            return
        if self.select_case(case_id):
            # A list reload meanwhile brought it in.
            self._pending_select = None
            return
        self._pending_select = case_id
        queue = self._filter.queue
        if row is not None and (self._filter.search or queue not in _OPEN_QUEUES_FOR_NEW):
            queue = Queue.MY_CASES if row.assignee_id == self._ui.member_id else Queue.ALL_OPEN
        if row is not None and queue is Queue.MY_CASES and row.assignee_id != self._ui.member_id:
            queue = Queue.UNASSIGNED if row.assignee_id is None else Queue.ALL_OPEN
        if queue is not self._filter.queue or self._filter.search:
            if self.queue_panel.list.currentIndex().isValid() and self.queue_panel.current_queue() is queue:
                self._on_queue_panel_queue_selected(queue)
            else:
                self.queue_panel.select_queue(queue)
        else:
            # Right queue, but the case is not in the loaded list yet (just logged).
            self.reload_list()
        self.refresh()

    # -- shutdown --------------------------------------------------------------------------
    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop timers, keep unsaved text and wait for workers (before the database closes)."""
        if self._closing:
            return
        self._closing = True
        self.ticker.stop()
        self.detail.flush_draft()
        self.detail.leave_presence()
        for dialog in self.findChildren(PhoneIntakeDialog):
            dialog.save_draft()
            dialog.done(QDialog.DialogCode.Rejected)
        # No timer may outlive the window (debounces, draft saves, panels added by others).
        for timer in self.findChildren(QTimer):
            timer.stop()
        # An export still writing must stop before the database closes.
        self.exporter.runner.cancel()
        self.exporter.runner.wait()
        self.closing.emit()
        self._pool.close()

