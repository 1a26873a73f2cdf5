"""Laptop screens: a compact density and a collapsible case pane for the main window."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QByteArray, QEvent, QObject, QPoint, QSize, Qt
from PySide6.QtGui import QAction, QFont, QFontMetrics, QKeySequence
from PySide6.QtWidgets import QToolBar

from desktop_helpdesk.domain.cases import CaseStatus
from desktop_helpdesk.domain.policy import Priority
from desktop_helpdesk.ui.models.case_table_model import CaseColumn

# The subject column's narrowest width (it elides, with the subject as its tooltip).
SUBJECT_MINIMUM = 120
# On a narrow window (a 1366 laptop at 125 %: 1093 px) the subject may give way further, so
# the working columns (priority, status, received) still show without scrolling sideways; the
# case pane beside the list shows the selected case's subject whole.
SUBJECT_NARROW_MINIMUM = 72
# Before the compact case pane widens past its own needs, the list's subject gets this many
# average characters (the supervisor's list, with its Assignee column, on a 1366 laptop).
SUBJECT_COMFORTABLE_CHARACTERS = 36

# What the subject column would like (average characters): the list's spare width goes to
# the subject, the text an agent reads, before the case pane grows past its own needs.
SUBJECT_IDEAL_CHARACTERS = 52

# Below this window width the window turns compact by itself (until the member chooses).
COMPACT_BELOW = 1600
# A compact window is also narrow below this width, or wherever the queues, the list's shown
# columns at their narrowest and the case pane's content do not fit side by side: the queues
# fold away (F7 or Ctrl+F brings them back; the list's title names the queue shown), the case
# pane keeps only what its content needs, the names in the list elide further and the subject
# may give way to SUBJECT_NARROW_MINIMUM. At 1093 px (1366 at 125 %) the list, its seven
# working columns and the case pane need all the width there is: with the queues beside them
# the last three would scroll.
NARROW_BELOW = 1200
_QUEUE_WIDTH = {False: 210, True: 150}
# The roomy case pane holds three SLA cards side by side (at most this wide, as much as the
# list's subjects leave); the compact one takes what its own content needs.
_DETAIL_MINIMUM = {False: 440, True: 0}
# The compact pane is never shared narrower than this (a case read beside the list).
_COMPACT_DETAIL_AT_LEAST = 320
_ROOMY_DETAIL_AT_MOST = 600
# Columns whose texts must show whole (numbers, dates, SLA times, short labels); names and
# subjects elide with a tooltip instead.
_WHOLE_COLUMNS = (CaseColumn.NUMBER, CaseColumn.PRIORITY, CaseColumn.STATUS, CaseColumn.RECEIVED,
                  CaseColumn.NEXT_DUE)
# Eliding columns: preferred and narrowest width in average characters, in the order they
# give way on a narrow list.
_ELIDING_CHARACTERS = {False: {CaseColumn.CLIENT: (20, 12), CaseColumn.ASSIGNEE: (16, 12)},
                       True: {CaseColumn.CLIENT: (14, 12), CaseColumn.ASSIGNEE: (12, 8)}}
_NARROW_ELIDING_CHARACTERS = {CaseColumn.CLIENT: (12, 7), CaseColumn.ASSIGNEE: (10, 7)}
# The widest texts of the columns that show whole (English labels, Halifax dates).
_SLA_SAMPLES = {
    False: ("Overdue · Resolve 24d 8h late", "Due soon · Respond 7h 59m left",
            "Paused · Resolve 24d 8h late"),
    True: ("Resolve 24d 8h late", "Due soon · Respond 7h 59m", "Paused · 24d 8h late"),
}
_CELL_PADDING = 14  # the item's text margins and a pixel or two of air
_HEADER_PADDING = 16  # the header's padding (style sheet) and its frame
_SORT_ARROW = 18
# Scoped to the window's own panels: dialogs it parents keep the house style.
_COMPACT_STYLE = """
QWidget#queuePanel QWidget { font-size: 9pt; }
QTableView#caseTable, QTableView#caseTable QHeaderView { font-size: 8.5pt; }
QWidget#caseDetail QWidget { font-size: 9pt; }
QWidget#caseDetail QLabel[role="caseNumber"] { font-size: 11pt; }
QWidget#caseDetail QLabel[role="caseSubject"] { font-size: 11pt; }
QWidget#caseDetail QLabel[role="caption"], QWidget#caseDetail QLabel[role="slaDue"] { font-size: 8pt; }
QWidget#caseDetail QLabel[role="slaRemaining"] { font-size: 9pt; font-weight: 600; }
QWidget#caseDetail QPushButton { padding: 4px 8px; }
QWidget#caseDetail QLabel[role="statusChip"], QWidget#caseDetail QLabel[role="priorityChip"] { padding: 2px 6px; }
"""


def column_widths(window, compact: bool, narrow: bool = False) -> tuple[dict[CaseColumn, int], dict[CaseColumn, int]]:
    """(preferred widths, narrowest widths) of the list's columns for the list's font now:
    number, priority, status, received and SLA columns hold their widest usual text and
    header, so they never elide; client and assignee names elide first (with a tooltip), further
    on a ``narrow`` window.
    """
    table = window.table
    header = table.horizontalHeader()
    table.ensurePolished()
    header.ensurePolished()
    plain = table.fontMetrics()
    bold_font = QFont(table.font())
    bold_font.setBold(True)
    bold = QFontMetrics(bold_font)
    heading_font = QFont(header.font())
    heading_font.setWeight(QFont.Weight.DemiBold)
    heading = QFontMetrics(heading_font)
    sla = bold if not compact else plain
    months = [datetime(2026, month, 28, 23, 58).strftime("%d %b %H:%M") for month in range(1, 13)]
    samples = {
        CaseColumn.NUMBER: [bold.horizontalAdvance("2026-00000")],
        CaseColumn.PRIORITY: [plain.horizontalAdvance(p.label) for p in Priority],
        CaseColumn.STATUS: [plain.horizontalAdvance(s.label) for s in CaseStatus],
        CaseColumn.RECEIVED: [plain.horizontalAdvance(text) for text in months],
        CaseColumn.NEXT_DUE: [sla.horizontalAdvance(text) for text in _SLA_SAMPLES[compact]],
    }
    sorted_column = header.sortIndicatorSection()

    def title(column: CaseColumn) -> int:
        text = window.model.headerData(column, Qt.Orientation.Horizontal)
        arrow = _SORT_ARROW if column == sorted_column else 0
        return heading.horizontalAdvance(text) + _HEADER_PADDING + arrow

    preferred = {column: max(title(column), max(widths) + _CELL_PADDING)
                 for column, widths in samples.items()}
    minimums: dict[CaseColumn, int] = {}
    average = plain.averageCharWidth()
    eliding = _NARROW_ELIDING_CHARACTERS if compact and narrow else _ELIDING_CHARACTERS[compact]
    for column, (wide, least) in eliding.items():
        preferred[column] = max(average * wide, title(column))
        minimums[column] = max(average * least, title(column))
    return preferred, minimums


def _view_toggle(window, text: str, name: str, shortcut: str, tip: str, *, checked: bool = False) -> QAction:
    """A checkable toolbar action that changes the view (its shortcut named in its tooltip)."""
    action = QAction(text, window)
    action.setObjectName(name)
    action.setCheckable(True)
    action.setChecked(checked)
    action.setShortcut(QKeySequence(shortcut))
    action.setToolTip(f"{tip} ({shortcut})")
    return action


class WindowDensity(QObject):
    """Compact density (smaller rows, narrower queue panel, columns and case pane, so a
    1366-pixel laptop shows the list's working columns beside the case) and a case pane that
    collapses to give the list the whole width. Compact follows the window's width until the
    member picks it from the toolbar (Ctrl+Shift+L); the case pane toggles with F8, the queues
    with F7 (they fold by themselves on a narrow window: a 1366 laptop at 125 %). The splitter
    itself is remembered between runs with the window's other UI state.

    Args:
        window: the ``MainWindow`` (its splitter, list, queue panel and case detail).
    """

    def __init__(self, window) -> None:
        super().__init__(window)
        self._window = window
        self._compact: bool | None = None
        self._narrow = False
        self._chosen = False
        # Panel widths wait for the window's first showing (sizes set before are rescaled).
        self._share_pending = False
        # A splitter restored from the last run is the member's: a density that follows the
        # window's width leaves it alone (the toolbar's Compact and F8 still share anew).
        self._splitter_kept = False
        self._kept_state: QByteArray | None = None
        self.action_compact = _view_toggle(window, "Compact", "actionCompact", "Ctrl+Shift+L",
                                           "Smaller rows and panels for a laptop screen")
        self.action_compact.triggered.connect(self._on_action_compact_triggered)
        self.action_case_pane = _view_toggle(window, "Case pane", "actionCasePane", "F8",
                                             "Show or hide the selected case beside the list", checked=True)
        self.action_case_pane.toggled.connect(self.show_case_pane)
        self.action_queues = _view_toggle(window, "Queues", "actionQueues", "F7",
                                          "Show or hide the queues and the search beside the list", checked=True)
        self.action_queues.toggled.connect(self.show_queues)
        # Searching needs the search box: Ctrl+F brings folded queues back (after the window's
        # own handler, which focuses the box).
        window.action_search.triggered.connect(self._on_window_action_search_triggered)
        self._add_to_toolbar(window)
        # The case pane may be dragged shut too; the list and queues may not.
        window.splitter.setChildrenCollapsible(True)
        window.splitter.setCollapsible(0, False)
        window.splitter.setCollapsible(1, False)
        window.splitter.splitterMoved.connect(self._on_splitter_moved)
        # The sorted column's header needs room for its arrow too.
        window.table.horizontalHeader().sortIndicatorChanged.connect(self._on_sort_indicator_changed)
        # A column shown or hidden (the assignee outside "My cases") changes what the list needs.
        window.table.horizontalHeader().sectionResized.connect(self._on_header_section_resized)
        window.installEventFilter(self)
        window.detail.installEventFilter(self)

    @property
    def compact(self) -> bool:
        return bool(self._compact)

    @property
    def narrow(self) -> bool:
        """Compact on a window too narrow for the queues beside the list's columns and the case
        (always below ``NARROW_BELOW``: a laptop at 125 %)."""
        return self.compact and self._narrow

    def subject_minimum(self) -> int:
        return SUBJECT_NARROW_MINIMUM if self.narrow else SUBJECT_MINIMUM

    def _add_to_toolbar(self, window) -> None:
        toolbar = window.findChild(QToolBar, "mainToolBar")
        if toolbar is None:
            window.addAction(self.action_compact)
            window.addAction(self.action_queues)
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
        for action in (self.action_compact, self.action_queues, self.action_case_pane):
            if signed_in is None:
                toolbar.addAction(action)
            else:
                toolbar.insertAction(signed_in, action)

    def eventFilter(self, watched, event) -> bool:
        if (
            watched is self._window.detail
            and event.type() == QEvent.Type.LayoutRequest
            and self._window.detail.minimumSizeHint().width() > self._window.detail.width() > 0
        ):
            # A case that needs more width than the pane has (a wider chip, a longer name):
            # the splitter takes it from the list now rather than clip the case's texts.
            self._window.splitter.refresh()
        if watched is self._window and event.type() == QEvent.Type.Resize:
            # Compact first: whether the queues fit is measured in the density's own font.
            if not self._chosen:
                self.set_compact(self._window.width() < COMPACT_BELOW)
            self._set_narrow(self._too_narrow_for_the_queues(self._window.width()))
        if watched is self._window and event.type() == QEvent.Type.Show and self._kept_state is not None:
            self._window.layout().activate()
            self._window.splitter.restoreState(self._kept_state)
            self._kept_state = None
        if watched is self._window and event.type() == QEvent.Type.Show and self._share_pending:
            self._share_width()
        return super().eventFilter(watched, event)

    def keep_splitter(self, state: QByteArray | None = None) -> None:
        """The splitter was restored from the last run (``state``, its ``saveState``): keep it
        as the member left it. A hidden window's splitter still has its first size, so the
        state is applied again once the window is shown at its restored size."""
        self._share_pending = False
        self._splitter_kept = True
        self._kept_state = state if state is not None and not self._window.isVisible() else None

    def _on_action_compact_triggered(self, checked: bool) -> None:
        self._chosen = True
        self._splitter_kept = False
        self.set_compact(checked)

    def set_compact(self, compact: bool) -> None:
        """Use the compact (True) or the roomy (False) density."""
        if compact == self._compact:
            return
        self._compact = compact
        window = self._window
        self.action_compact.setChecked(compact)
        # Smaller text in the queues, the list and the case pane: most of the room it gains.
        # (A style sheet, not setFont: the house style sheet's font sizes would win.)
        window.setStyleSheet(_COMPACT_STYLE if compact else "")
        window.table.ensurePolished()
        row_height = window.table.fontMetrics().height() + 10 if compact else 30
        window.table.verticalHeader().setDefaultSectionSize(row_height)
        queues = window.queue_panel.list
        queues.setIconSize(QSize(16, 16) if compact else QSize(24, 24))
        # Lower rows: every queue in view on a short screen (a 768-pixel laptop at 125 %).
        queues.itemDelegate().row_height = 28 if compact else 34
        queues.doItemsLayout()
        window.queue_panel.setMinimumWidth(0)
        if window.detail.isVisible() or not window.isVisible():
            window.detail.setMinimumWidth(_DETAIL_MINIMUM[compact])
        window.model.set_compact_sla(compact)
        # Two lines to type in rather than four: the timeline below keeps its room.
        window.detail.summary_edit.setFixedHeight(46 if compact else 70)
        window.detail.set_compact(compact)
        self.action_queues.setChecked(not self.narrow)
        self.fit_columns()
        if not self._splitter_kept:
            self._share_width()

    def _set_narrow(self, narrow: bool) -> None:
        if narrow == self._narrow:
            return
        self._narrow = narrow
        self._apply_narrow()

    def _apply_narrow(self) -> None:
        # Follows the window's width; F7 (or Ctrl+F) shows the queues again until the next change.
        self.action_queues.setChecked(not self.narrow)
        self._fit_toolbar()
        self.fit_columns()
        if not self._splitter_kept:
            self._share_width()

    def _fit_toolbar(self) -> None:
        """Narrow (a laptop at 125 %): commands with an icon show the icon alone, their names in
        their tooltips, and the signed-in name leaves the toolbar (the window's title keeps it),
        so that Case pane and Account stay on the toolbar instead of behind its overflow arrow."""
        toolbar = self._window.findChild(QToolBar, "mainToolBar")
        if toolbar is None:
            return
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly if self.narrow
                                   else Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in toolbar.actions():
            widget = toolbar.widgetForAction(action)
            if widget is not None and widget.objectName() == "signedInLabel":
                action.setVisible(not self.narrow)

    def show_queues(self, shown: bool) -> None:
        """Show the queues and the search beside the list, or give their width to the list."""
        if self.action_queues.isChecked() != shown:
            self.action_queues.setChecked(shown)
            return
        self._window.queue_panel.setVisible(shown)
        if not self._splitter_kept:
            self._share_width()

    def _on_window_action_search_triggered(self) -> None:
        if not self._window.queue_panel.isVisible():
            self.show_queues(True)
            self._window.queue_panel.search.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def fit_columns(self) -> None:
        """Give the list's columns the widths their texts need in this density's font."""
        self._window.column_fitter.set_widths(*column_widths(self._window, self.compact, self.narrow),
                                              subject_minimum=self.subject_minimum())

    def queue_width(self) -> int:
        """What the queue panel needs to show every queue's name whole with its count."""
        panel = self._window.queue_panel
        panel.ensurePolished()
        margins = panel.layout().contentsMargins()
        needed = panel.list.sizeHintForColumn(0) + 2 * panel.list.frameWidth() + margins.left() + margins.right()
        return max(_QUEUE_WIDTH[self.compact], needed)

    def list_width(self, *, ideal: bool = False, subject_characters: int = 0, narrow: bool | None = None) -> int:
        """What the centre needs to show the list's shown columns without scrolling sideways
        (``ideal``: every column at its preferred width and the subject at its ideal one;
        ``subject_characters``: the others at their narrowest, the subject that wide;
        ``narrow``: as on a narrow window or not, whatever the window is now)."""
        window = self._window
        header = window.table.horizontalHeader()
        narrow = self.narrow if narrow is None else narrow
        preferred, minimums = column_widths(window, self.compact, narrow)
        columns = sum(
            (preferred if ideal else {**preferred, **minimums}).get(column, header.sectionSize(column))
            for column in CaseColumn
            if column != CaseColumn.SUBJECT and not header.isSectionHidden(column)
        )
        chrome = window.table.verticalScrollBar().sizeHint().width() + 2 * window.table.frameWidth() + 12
        characters = SUBJECT_IDEAL_CHARACTERS if ideal else subject_characters
        least = SUBJECT_NARROW_MINIMUM if narrow else SUBJECT_MINIMUM
        subject = max(window.table.fontMetrics().averageCharWidth() * characters, least)
        return columns + subject + chrome

    def _too_narrow_for_the_queues(self, width: int) -> bool:
        """A window ``width`` wide cannot hold the queues, the list's shown columns at their
        narrowest and the case pane's content side by side (always so below ``NARROW_BELOW``)."""
        window = self._window
        if width < NARROW_BELOW:
            return True
        # The margins around the splitter, and its two handles.
        chrome = 2 * window.splitter.mapTo(window, QPoint(0, 0)).x() + 2 * window.splitter.handleWidth()
        wanted = self.queue_width() + self.list_width(narrow=False) + window.detail.minimumSizeHint().width()
        return width < wanted + chrome

    def _share_width(self) -> None:
        """Queues at their width, the list what its columns need (roomy: the case pane 600),
        the case pane the rest but never less than its own content needs."""
        window = self._window
        if not window.isVisible():
            self._share_pending = True
            return
        self._share_pending = False
        total = sum(window.splitter.sizes()) or window.width()
        queue = self.queue_width() if self.action_queues.isChecked() else 0
        needed = window.detail.minimumSizeHint().width()
        if not self.action_case_pane.isChecked():
            detail = 0
        elif self.compact:
            # The list's spare width goes to its subjects first, the case pane the rest. The
            # pane keeps a comfortable width only while the list's subject stays readable; on a
            # narrow window it keeps what its content needs.
            comfortable = self.list_width(subject_characters=SUBJECT_COMFORTABLE_CHARACTERS)
            floor = needed if self.narrow else min(_COMPACT_DETAIL_AT_LEAST, total - queue - comfortable)
            detail = max(needed, floor, total - queue - self.list_width(ideal=True))
        else:
            detail = max(needed, _DETAIL_MINIMUM[False],
                         min(_ROOMY_DETAIL_AT_MOST, total - queue - self.list_width(ideal=True)))
        window.splitter.setSizes([queue, max(300, total - queue - detail), detail])

    def show_case_pane(self, shown: bool) -> None:
        """Show the selected case beside the list, or give the list the whole width."""
        window = self._window
        if self.action_case_pane.isChecked() != shown:
            self.action_case_pane.setChecked(shown)
            return
        window.detail.setMinimumWidth(_DETAIL_MINIMUM[self.compact] if shown else 0)
        window.detail.setVisible(shown)
        self._share_width()
        if not shown:
            window.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _on_sort_indicator_changed(self, column: int, _order) -> None:
        preferred, _minimums = column_widths(self._window, self.compact, self.narrow)
        if CaseColumn(column) in preferred:
            self._window.column_fitter.prefer_at_least(CaseColumn(column), preferred[CaseColumn(column)])

    def _on_header_section_resized(self, _column: int, old: int, new: int) -> None:
        if (old == 0) != (new == 0):
            self.make_room_for_list()

    def make_room_for_list(self) -> None:
        """On a laptop, give the list what its shown columns need from the case pane, as far
        as the pane's own content allows (a splitter the member dragged stays otherwise)."""
        window = self._window
        if not self.compact or not window.isVisible() or not self.action_case_pane.isChecked():
            return
        queue, centre, detail = window.splitter.sizes()
        missing = self.list_width(subject_characters=SUBJECT_COMFORTABLE_CHARACTERS) - centre
        spare = detail - window.detail.minimumSizeHint().width()
        if missing > 0 and spare > 0:
            moved = min(missing, spare)
            window.splitter.setSizes([queue, centre + moved, detail - moved])

    def _on_splitter_moved(self, _position: int, _index: int) -> None:
        # Dragged shut: the toolbar button follows.
        sizes = self._window.splitter.sizes()
        if sizes[2] == 0 and self.action_case_pane.isChecked():
            self.action_case_pane.blockSignals(True)
            self.action_case_pane.setChecked(False)
            self.action_case_pane.blockSignals(False)
