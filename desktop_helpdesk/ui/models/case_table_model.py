"""The case list model: all matching ids in memory, rows paged in from SQL into an LRU cache."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractTableModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QFont

from desktop_helpdesk.domain.cases import CaseStatus
from desktop_helpdesk.domain.policy import Priority
from desktop_helpdesk.domain.sla import ClockState
from desktop_helpdesk.services.case_list_columns import (
    LIST_COLUMNS,
    CaseColumn,
    CaseRow,
)
from desktop_helpdesk.ui.models.roles import (
    CASE_ID_ROLE,
    CASE_IDS_MIME,
    CASE_ROW_ROLE,
    SLA_STATE_ROLE,
    encode_case_ids,
)
from desktop_helpdesk.ui.sla_display import STATE_LOOKS, RowSla, SlaReader

PAGE_SIZE = 200
CACHE_SIZE = 2_000
LOADING_TEXT = "…"
_DISPLAY = Qt.ItemDataRole.DisplayRole
_TICK_ROLES = [
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.BackgroundRole,
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.ToolTipRole,
    SLA_STATE_ROLE,
]


_ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole
_BACKGROUND = Qt.ItemDataRole.BackgroundRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_FONT = Qt.ItemDataRole.FontRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole


@dataclass(frozen=True)
class PageRead:
    """A page of rows read on a pool thread, with their clock readings worked out there too
    (reading an old case's clock may first index years of the business calendar)."""

    rows: list[CaseRow]
    sla: dict[int, RowSla] = field(default_factory=dict)
    reader: SlaReader | None = None
    now: datetime | None = None


def read_page(load_rows: Callable[[list[int]], list[CaseRow]], ids: list[int], reader: SlaReader,
              now: datetime) -> PageRead:
    """Worker: the rows of ``ids`` and their clock readings at ``now`` (for ``store_page``)."""
    rows = load_rows(ids)
    return PageRead(rows, {row.id: reader.row_sla(row, now) for row in rows}, reader, now)


# The columns, their headers, sorts and texts come from services.case_list_columns, so a column
# is declared in one file.
COLUMN_SPECS = {CaseColumn(number): column for number, column in enumerate(LIST_COLUMNS)}

_COLUMNS = tuple(CaseColumn)
_COLUMN_COUNT = len(_COLUMNS)
_BOLD_COLUMNS = frozenset({CaseColumn.NUMBER, CaseColumn.NEXT_DUE})
_ANSWERED_ROLES = frozenset(
    {
        _DISPLAY,
        _ACCESSIBLE,
        _BACKGROUND,
        _FOREGROUND,
        _FONT,
        _TOOLTIP,
        CASE_ID_ROLE,
        CASE_ROW_ROLE,
        SLA_STATE_ROLE,
    }
)

HEADERS = {column: spec.header for column, spec in COLUMN_SPECS.items()}
SORTABLE = frozenset(column for column, spec in COLUMN_SPECS.items() if spec.sort is not None)
# Cell texts by position (data() looks columns up by number); None: the SLA countdown.
_SHOW = tuple(spec.show for spec in LIST_COLUMNS)


class CaseTableModel(QAbstractTableModel):
    """Anki-style list model: ``rowCount`` is the number of ids; rows load a page at a time.

    Sorting is not done here: ``sort()`` only announces the wish and the window re-runs the
    SQL that produces ids. No proxy model may sit over this model (it would read every row).

    Signals:
        sort_requested(object, bool): a header asked to sort by its ``CaseColumn``, ascending/descending.
        page_loaded(int): a page of rows came from the database (how many rows).

    Args:
        load_rows: fetches ``CaseRow``s for ids in one query (``CaseQueries.rows``).
        sla_reader: computes clock readings from a row (no SQL).
        now: the instant the countdowns are first shown for.
        zone: time zone dates are shown in (the desk's).
    """

    sort_requested = Signal(object, bool)
    page_loaded = Signal(int)

    def __init__(
        self,
        load_rows: Callable[[list[int]], list[CaseRow]],
        sla_reader: SlaReader,
        now: datetime,
        zone: ZoneInfo,
        parent=None,
        *,
        page_size: int = PAGE_SIZE,
        cache_size: int = CACHE_SIZE,
        fetch_rows: Callable[[list[int], Callable[[list[CaseRow]], None]], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._load_rows = load_rows
        # With ``fetch_rows`` (the window always gives one) a missing page shows "…" and loads
        # in the background, its clocks read there too; a changed row stays shown as it was
        # until its new version arrives. Without it, pages load inline (tests, small lists).
        self._fetch_rows = fetch_rows
        self._pending_pages: set[int] = set()
        # Changed rows still shown, by the eviction that made them stale (a read that left
        # before a later change must not clear it).
        self._stale: dict[int, int] = {}
        self._evictions = 0
        self._sla_reader = sla_reader
        self._compact_sla = False
        self._now = now
        self._zone = zone
        self._page_size = page_size
        self._cache_size = cache_size
        self._ids: list[int] = []
        self._row_index: dict[int, int] | None = None
        self._rows: OrderedDict[int, CaseRow] = OrderedDict()
        self._sla: dict[int, RowSla] = {}
        self._bold = QFont()
        self._bold.setBold(True)

    # -- Qt overrides ----------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(CaseColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(CaseColumn):
            if role == _DISPLAY:
                return HEADERS[CaseColumn(section)]
            if role == Qt.ItemDataRole.ToolTipRole and section == CaseColumn.NEXT_DUE:
                return (
                    "The next SLA target not yet met and the business time left (or overdue by);"
                    " d = business days of 8.5 hours"
                )
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY):
        if role not in _ANSWERED_ROLES or not index.isValid():
            return None
        row_number, column_number = index.row(), index.column()
        if row_number >= len(self._ids) or not 0 <= column_number < _COLUMN_COUNT:
            return None
        row = None if role == CASE_ID_ROLE else self._row(row_number)
        return self._cell(row_number, column_number, row, role)

    def multiData(self, index: QModelIndex | QPersistentModelIndex, roles) -> None:  # noqa: N802 - Qt override
        # A view asks for seven roles of each cell it paints in one call: answering them in one
        # Python call rather than seven (each taking the interpreter's lock, and waiting for it
        # while a worker thread reads) cut a list repaint's CPU time by half and more.
        row_number, column_number = index.row(), index.column()
        in_list = index.isValid() and row_number < len(self._ids) and 0 <= column_number < _COLUMN_COUNT
        row = self._row(row_number) if in_list else None
        for role_data in roles:
            role = role_data.role()
            value = self._cell(row_number, column_number, row, role) \
                if in_list and role in _ANSWERED_ROLES else None
            if value is None:
                role_data.clearData()
            else:
                role_data.setData(value)

    def _cell(self, row_number: int, column_number: int, row: CaseRow | None, role: int):
        """What a cell shows for ``role`` (one of ``_ANSWERED_ROLES``); ``row`` is None while
        its page loads."""
        if role == CASE_ID_ROLE:
            return self._ids[row_number]
        if row is None:
            return LOADING_TEXT if role == _DISPLAY else None
        column = _COLUMNS[column_number]
        if role == _DISPLAY or role == _ACCESSIBLE:
            return self._display(row, column)
        if role == _BACKGROUND:
            return self._background(row, column)
        if role == _FOREGROUND:
            return self._foreground(row, column)
        if role == _FONT:
            if column is CaseColumn.NEXT_DUE and self._compact_sla:
                return None
            return self._bold if column in _BOLD_COLUMNS else None
        if role == CASE_ROW_ROLE:
            return row
        if role == SLA_STATE_ROLE:
            state = self._row_sla(row).row_state
            return state.value if state is not None else None
        return self._tooltip(row, column)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if not index.isValid():
            return base
        # Dragging cases onto the supervisor's team table reassigns them.
        return base | Qt.ItemFlag.ItemIsDragEnabled

    def mimeTypes(self) -> list[str]:
        return [CASE_IDS_MIME]

    def mimeData(self, indexes) -> QMimeData:
        ids = []
        for index in indexes:
            if index.isValid() and index.row() < len(self._ids):
                case_id = self._ids[index.row()]
                if case_id not in ids:
                    ids.append(case_id)
        return encode_case_ids(ids)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column in SORTABLE:  # IntEnum members: a plain int finds them
            self.sort_requested.emit(CaseColumn(column), order == Qt.SortOrder.DescendingOrder)

    # -- our API ---------------------------------------------------------------------------
    def set_ids(self, ids: Sequence[int]) -> None:
        """Show these cases in this order (a model reset; cached rows stay valid)."""
        self.beginResetModel()
        self._ids = list(ids)
        self._row_index = None
        self.endResetModel()

    def ids(self) -> list[int]:
        return list(self._ids)

    def case_id_at(self, row: int) -> int | None:
        """The case id on ``row``, or None past the end."""
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, case_id: int) -> int | None:
        """The list row showing ``case_id``, or None if it is not in the list."""
        if self._row_index is None:
            self._row_index = {case_id: row for row, case_id in enumerate(self._ids)}
        return self._row_index.get(case_id)

    def cached_row(self, case_id: int) -> CaseRow | None:
        """The cached row for ``case_id`` without loading anything."""
        return self._rows.get(case_id)

    def cached_count(self) -> int:
        return len(self._rows)

    @property
    def sla_reader(self) -> SlaReader:
        return self._sla_reader

    def set_sla_reader(self, sla_reader: SlaReader) -> None:
        """Use a new calendar/policy (after closures or settings changed); readings recompute."""
        self._sla_reader = sla_reader
        self._sla.clear()

    def evict(self, case_ids: Sequence[int]) -> None:
        """Forget cached rows that changed in the database; visible ones reload on next paint."""
        last_column = len(CaseColumn) - 1
        for case_id in case_ids:
            if self._fetch_rows is not None and case_id in self._rows:
                # Shown as it was until the new version arrives (no "…" flicker).
                self._evictions += 1
                self._stale[case_id] = self._evictions
            else:
                self._rows.pop(case_id, None)
                self._sla.pop(case_id, None)
            row = self.row_of(case_id)
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, last_column))

    def on_ticked(self, now: datetime, first_row: int, last_row: int) -> int:
        """Recompute the clocks of the cached rows in ``[first_row, last_row]`` (no SQL).

        Only what a reader sees change is repainted: the SLA cell when its text or colour
        changed, the whole row when its state (the row's background) did. A countdown shows
        minutes, so most ticks change nothing; repainting every visible row every second cost
        about 10 ms of the window thread's CPU at 1366x768. Emits one ``dataChanged`` per
        contiguous run of changed rows.

        Returns:
            How many rows were recomputed.
        """
        shown, shown_at = self._sla, self._now
        self._now, self._sla = now, {}
        if not self._ids or first_row < 0:
            return 0
        last_row = min(last_row, len(self._ids) - 1)
        changed_rows: list[int] = []
        changed_cells: list[int] = []
        recomputed = 0
        for row in range(first_row, last_row + 1):
            cached = self._rows.get(self._ids[row])
            if cached is None:
                continue
            reading = self._sla_reader.row_sla(cached, now)
            self._sla[cached.id] = reading
            recomputed += 1
            # A row stored since the last tick (a reload) was painted from its reading then.
            before = shown.get(cached.id) or self._sla_reader.row_sla(cached, shown_at)
            if before.row_state != reading.row_state:
                changed_rows.append(row)
            elif self._cell_look(before) != self._cell_look(reading):
                changed_cells.append(row)
        last_column = len(CaseColumn) - 1
        for first, last in _runs(changed_rows):
            self.dataChanged.emit(self.index(first, 0), self.index(last, last_column), _TICK_ROLES)
        sla_column = CaseColumn.NEXT_DUE
        for first, last in _runs(changed_cells):
            self.dataChanged.emit(self.index(first, sla_column), self.index(last, sla_column), _TICK_ROLES)
        return recomputed

    def _cell_look(self, sla: RowSla) -> tuple:
        """What the SLA cell shows of a reading: its text and its state's colours."""
        state = sla.reading.state if sla.reading is not None else None
        return state, sla.compact_text if self._compact_sla else sla.short_text

    def row_sla(self, case_id: int) -> RowSla | None:
        """The list's clock reading for a cached case at the last tick, or None."""
        row = self._rows.get(case_id)
        return self._row_sla(row) if row is not None else None

    @property
    def now(self) -> datetime:
        return self._now

    # -- internals -------------------------------------------------------------------------
    def _row(self, row_number: int) -> CaseRow | None:
        case_id = self._ids[row_number]
        row = self._rows.get(case_id)
        if row is not None:
            self._rows.move_to_end(case_id)
            if case_id in self._stale:
                self._request_page(self._page_ids(row_number))
            return row
        page_ids = self._page_ids(row_number)
        if self._fetch_rows is not None:
            self._request_page(page_ids)
            return None
        self._store(self._load_rows(page_ids))
        row = self._rows.get(case_id)
        if row is not None:
            self._rows.move_to_end(case_id)
        return row

    def _page_ids(self, row_number: int) -> list[int]:
        """The ids of ``row_number``'s page that are not cached (or are stale)."""
        page_start = row_number - row_number % self._page_size
        return [
            page_id
            for page_id in self._ids[page_start : page_start + self._page_size]
            if page_id not in self._rows or page_id in self._stale
        ]

    def store_page(self, page: PageRead, asked_after: dict[int, int] | None = None) -> None:
        """Keep rows read in the background (and their readings, when they were taken with this
        model's reader at its current instant). ``asked_after``: the evictions the read was
        asked after (a row evicted again since stays stale)."""
        self._store(page.rows, asked_after)
        if page.reader is self._sla_reader and page.now == self._now:
            self._sla.update(page.sla)

    def _request_page(self, page_ids: list[int]) -> None:
        key = page_ids[0]
        if key in self._pending_pages:
            return
        self._pending_pages.add(key)
        asked_after = {case_id: self._stale[case_id] for case_id in page_ids if case_id in self._stale}

        def arrived(result: PageRead | list[CaseRow]) -> None:
            self._pending_pages.discard(key)
            page = result if isinstance(result, PageRead) else PageRead(result)
            self.store_page(page, asked_after)
            rows = page.rows
            shown = sorted(r for r in (self.row_of(row.id) for row in rows) if r is not None)
            if shown:
                self.dataChanged.emit(
                    self.index(shown[0], 0), self.index(shown[-1], len(CaseColumn) - 1)
                )

        self._fetch_rows(page_ids, arrived)

    def _store(self, loaded: list[CaseRow], asked_after: dict[int, int] | None = None) -> None:
        for loaded_row in loaded:
            case_id = loaded_row.id
            self._rows[case_id] = loaded_row
            self._sla.pop(case_id, None)
            if case_id in self._stale and self._stale[case_id] == (asked_after or {}).get(case_id):
                del self._stale[case_id]
        while len(self._rows) > self._cache_size:
            evicted, _ = self._rows.popitem(last=False)
            self._sla.pop(evicted, None)
            self._stale.pop(evicted, None)
        self.page_loaded.emit(len(loaded))

    def _row_sla(self, row: CaseRow) -> RowSla:
        reading = self._sla.get(row.id)
        if reading is None:
            reading = self._sla_reader.row_sla(row, self._now)
            self._sla[row.id] = reading
        return reading

    def set_compact_sla(self, compact: bool) -> None:
        """Shorter SLA texts for a narrow list (``RowSla.compact_text``), in regular weight:
        the column's colour and words still say the state, and the texts stay whole."""
        if compact != self._compact_sla:
            self._compact_sla = compact
            if self.rowCount():
                column = CaseColumn.NEXT_DUE
                self.dataChanged.emit(self.index(0, column), self.index(self.rowCount() - 1, column))

    def _display(self, row: CaseRow, column: CaseColumn) -> str:
        show = _SHOW[column]
        if show is not None:
            return show(row, self._zone)
        sla = self._row_sla(row)
        if sla.reading is None:
            return _label(CaseStatus, row.status) if not row.is_open else "—"
        return sla.compact_text if self._compact_sla else sla.short_text

    def _background(self, row: CaseRow, column: CaseColumn):
        sla = self._row_sla(row)
        if sla.row_state is None:
            return None
        look = STATE_LOOKS[sla.row_state]
        if column is CaseColumn.NEXT_DUE and sla.reading is not None:
            return QBrush(STATE_LOOKS[sla.reading.state].background)
        return QBrush(look.row_background) if look.row_background is not None else None

    def _foreground(self, row: CaseRow, column: CaseColumn):
        if column is CaseColumn.NEXT_DUE:
            sla = self._row_sla(row)
            if sla.reading is not None:
                return QBrush(STATE_LOOKS[sla.reading.state].foreground)
        if column is CaseColumn.PRIORITY and row.priority == Priority.HIGH:
            return QBrush(STATE_LOOKS[ClockState.BREACHED].foreground)
        return None

    def _tooltip(self, row: CaseRow, column: CaseColumn) -> str | None:
        if column is CaseColumn.NEXT_DUE:
            sla = self._row_sla(row)
            if sla.reading is None:
                return None
            due = sla.reading.due_at.astimezone(self._zone).strftime("%a %d %b %H:%M")
            return f"{sla.text} (due {due} Halifax time) — {STATE_LOOKS[sla.reading.state].words}"
        if column is CaseColumn.SUBJECT:
            return row.subject
        if column is CaseColumn.CLIENT:
            return f"{row.client_name} — {row.contact_name}" if row.contact_name else row.client_name
        if column is CaseColumn.ASSIGNEE:
            # Names elide in a narrow (laptop) list: the tooltip has them whole.
            return row.assignee_name or "Unassigned"
        return None


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Ascending ``rows`` as (first, last) runs of consecutive numbers."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def _label(enum_type, value: str) -> str:
    try:
        return enum_type(value).label
    except ValueError:
        return value

