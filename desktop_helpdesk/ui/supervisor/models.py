"""Qt models of the Supervisor view: the live team table, a member's open cases, report tables."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QMimeData, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from desktop_helpdesk.domain.cases import Availability, CaseStatus
from desktop_helpdesk.domain.policy import Priority
from desktop_helpdesk.services.case_list_columns import CaseRow
from desktop_helpdesk.services.reporting.tables import ColumnKind, ReportTable
from desktop_helpdesk.services.reporting.workload import MemberWorkload, WorkloadSnapshot
from desktop_helpdesk.services.reporting.writers import format_cell
from desktop_helpdesk.ui.models import roles
from desktop_helpdesk.ui.sla_display import STATE_LOOKS, SlaReader

OVERDUE_BACKGROUND = QColor("#fbe3e1")
DUE_SOON_BACKGROUND = QColor("#fff1d6")
AWAY_FOREGROUND = QColor("#6b7683")


class TeamColumn(IntEnum):
    MEMBER = 0
    AVAILABILITY = 1
    OPEN = 2
    HIGH = 3
    MEDIUM = 4
    DUE_SOON = 5
    OVERDUE = 6
    WAITING = 7
    ESCALATED = 8


_TEAM_HEADERS = {
    TeamColumn.MEMBER: "Team member",
    TeamColumn.AVAILABILITY: "Availability",
    TeamColumn.OPEN: "Open",
    TeamColumn.HIGH: "High",
    TeamColumn.MEDIUM: "Medium",
    TeamColumn.DUE_SOON: "Due soon",
    TeamColumn.OVERDUE: "Overdue",
    TeamColumn.WAITING: "Waiting on client",
    TeamColumn.ESCALATED: "Escalated",
}


def _team_cells(row: MemberWorkload) -> tuple[Any, ...]:
    return (row.name, Availability.label_of(row.availability),
            row.open_cases, row.high, row.medium, row.due_soon, row.overdue,
            row.waiting_on_client, row.escalated)


class TeamTableModel(QAbstractTableModel):
    """Per-member open work, recomputed each tick from a loaded snapshot without SQL.

    ``set_snapshot`` (after the 30 s refresh, in a worker) replaces the data; ``on_ticked``
    recounts due soon / overdue at the new instant and emits ``dataChanged`` only for the
    cells whose numbers changed. Rows accept dropped case ids (reassignment).

    Signals:
        cases_dropped(list, object): case ids dropped on a row, and that row's member id
            (None for the Unassigned row).
        summary_changed(object): the oldest waiting acknowledgement (or None) after a recount.
    """

    cases_dropped = Signal(list, object)
    summary_changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._snapshot: WorkloadSnapshot | None = None
        self._rows: list[MemberWorkload] = []
        self._cells: list[tuple[Any, ...]] = []
        self._now: datetime | None = None
        self._oldest = None

    # -- data in -------------------------------------------------------------------------
    def set_snapshot(self, snapshot: WorkloadSnapshot, now: datetime) -> None:
        self._snapshot = snapshot
        rows, oldest = self._summarize(now)
        if [r.member_id for r in rows] != [r.member_id for r in self._rows]:
            self.beginResetModel()
            self._rows, self._cells = rows, [_team_cells(r) for r in rows]
            self.endResetModel()
        else:
            self._apply(rows)
        self._now = now
        self._set_oldest(oldest)

    def on_ticked(self, now: datetime) -> None:
        """Recount at ``now`` from memory; no database access."""
        if self._snapshot is None:
            return
        rows, oldest = self._summarize(now)
        self._apply(rows)
        self._now = now
        self._set_oldest(oldest)

    def _summarize(self, now: datetime):
        members, unassigned, oldest = self._snapshot.summarize(now)
        return [*members, unassigned], oldest

    def _apply(self, rows: list[MemberWorkload]) -> None:
        for number, row in enumerate(rows):
            cells = _team_cells(row)
            old = self._cells[number]
            changed = [c for c in range(len(cells)) if cells[c] != old[c]]
            self._rows[number] = row
            self._cells[number] = cells
            if changed:
                self.dataChanged.emit(self.index(number, min(changed)),
                                      self.index(number, max(changed)))

    def _set_oldest(self, oldest) -> None:
        if oldest != self._oldest:
            self._oldest = oldest
            self.summary_changed.emit(oldest)

    @property
    def oldest_waiting_acknowledgement(self):
        return self._oldest

    def workload(self, row: int) -> MemberWorkload:
        return self._rows[row]

    def row_of_member(self, member_id: int | None) -> int:
        return next(i for i, r in enumerate(self._rows) if r.member_id == member_id)

    # -- Qt overrides --------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(TeamColumn)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _TEAM_HEADERS[TeamColumn(section)]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = TeamColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            value = self._cells[index.row()][column]
            if column >= TeamColumn.OPEN:
                return str(value)
            return value
        if role == roles.MEMBER_ID_ROLE:
            return row.member_id
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= TeamColumn.OPEN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            if column == TeamColumn.OVERDUE and row.overdue:
                return QBrush(OVERDUE_BACKGROUND)
            if column == TeamColumn.DUE_SOON and row.due_soon:
                return QBrush(DUE_SOON_BACKGROUND)
        if role == Qt.ItemDataRole.ForegroundRole and row.member_id is not None \
                and row.availability != "available":
            return QBrush(AWAY_FOREGROUND)
        if role == Qt.ItemDataRole.FontRole and column == TeamColumn.OVERDUE and row.overdue:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and column == TeamColumn.MEMBER:
            return "Drop cases here to reassign them to " + row.name
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid():
            return base | Qt.ItemFlag.ItemIsDropEnabled
        return base

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [roles.CASE_IDS_MIME]

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def canDropMimeData(self, data, action, row, column, parent) -> bool:  # noqa: N802
        return parent.isValid() and bool(roles.decode_case_ids(data))

    def dropMimeData(self, data, action, row, column, parent) -> bool:  # noqa: N802
        if not parent.isValid():
            return False
        case_ids = roles.decode_case_ids(data)
        if not case_ids:
            return False
        self.cases_dropped.emit(case_ids, self._rows[parent.row()].member_id)
        # The reassignment itself happens through the services; nothing moves in this model.
        return False


class MemberCaseColumn(IntEnum):
    NUMBER = 0
    CLIENT = 1
    SUBJECT = 2
    PRIORITY = 3
    STATUS = 4
    NEXT_DUE = 5


_CASE_HEADERS = ("Case", "Client", "Subject", "Priority", "Status", "Next SLA due")
_SLA_COLOUR_ROLES = (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole)


class MemberCasesModel(QAbstractTableModel):
    """A small list of one member's (or the unassigned) open cases; rows drag as case ids."""

    def __init__(self, zone, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._zone = zone
        self._rows: list[CaseRow] = []
        self._reader: SlaReader | None = None
        self._now: datetime | None = None

    def set_rows(
        self, rows: list[CaseRow], reader: SlaReader | None = None, now: datetime | None = None
    ) -> None:
        """Show ``rows``; with an SLA ``reader`` the last column reads like the case list's
        ("Paused · Resolve 3h 10m left", "Overdue · Ack 5m late"), coloured by state."""
        self.beginResetModel()
        self._rows = list(rows)
        self._reader = reader
        self._now = now
        self.endResetModel()

    def on_ticked(self, now: datetime) -> None:
        """Re-read the SLA column at ``now`` (no SQL)."""
        self._now = now
        if self._rows and self._reader is not None:
            column = MemberCaseColumn.NEXT_DUE
            self.dataChanged.emit(self.index(0, column), self.index(len(self._rows) - 1, column))

    def _row_sla(self, row: CaseRow):
        if self._reader is None or self._now is None:
            return None
        return self._reader.row_sla(row, self._now)

    def case_id(self, row: int) -> int:
        return self._rows[row].id

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(MemberCaseColumn)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _CASE_HEADERS[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == roles.CASE_ID_ROLE:
            return row.id
        column = MemberCaseColumn(index.column())
        if column == MemberCaseColumn.NEXT_DUE and role in _SLA_COLOUR_ROLES:
            sla = self._row_sla(row)
            if sla is None or sla.reading is None:
                return None
            look = STATE_LOOKS[sla.reading.state]
            colour = look.background if role == Qt.ItemDataRole.BackgroundRole else look.foreground
            return QBrush(colour)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == MemberCaseColumn.NUMBER:
            return row.number
        if column == MemberCaseColumn.CLIENT:
            return row.client_name
        if column == MemberCaseColumn.SUBJECT:
            return row.subject
        if column == MemberCaseColumn.PRIORITY:
            return Priority.label_of(row.priority)
        if column == MemberCaseColumn.STATUS:
            return CaseStatus.label_of(row.status)
        sla = self._row_sla(row)
        if sla is not None:
            # Waiting cases have no next due instant (their clock is paused): still say so.
            return sla.short_text
        due = row.next_due_at
        return due.astimezone(self._zone).strftime("%a %d %b %H:%M") if due else ""

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid():
            return base | Qt.ItemFlag.ItemIsDragEnabled
        return base

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [roles.CASE_IDS_MIME]

    def mimeData(self, indexes) -> QMimeData:  # noqa: N802
        rows = sorted({i.row() for i in indexes if i.isValid()})
        return roles.encode_case_ids([self._rows[r].id for r in rows])

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction


class ReportTableModel(QAbstractTableModel):
    """Read-only view of a ``ReportTable`` (a few hundred rows at most), cells formatted."""

    def __init__(self, zone, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._zone = zone
        self._table: ReportTable | None = None

    def set_table(self, table: ReportTable | None) -> None:
        self.beginResetModel()
        self._table = table
        self.endResetModel()

    @property
    def table(self) -> ReportTable | None:
        return self._table

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() or self._table is None else len(self._table.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() or self._table is None else len(self._table.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if self._table is None or role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._table.columns[section].header
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if self._table is None or not index.isValid():
            return None
        column = self._table.columns[index.column()]
        value = self._table.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            text = format_cell(value, column.kind, self._zone)
            return f"{text}%" if column.kind is ColumnKind.PERCENT and text else text
        if role == Qt.ItemDataRole.TextAlignmentRole and column.kind.is_numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and self._table.rows[index.row()][0] == "Total":
            font = QFont()
            font.setBold(True)
            return font
        return None
