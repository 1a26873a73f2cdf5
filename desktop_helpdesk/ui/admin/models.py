"""Table models of the Administration dialog: small lists of frozen service DTOs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QColor

from desktop_helpdesk.domain.cases import Availability, MemberRole
from desktop_helpdesk.services.abroad import HolidayArrangement
from desktop_helpdesk.services.canned_replies import CannedReply
from desktop_helpdesk.services.categories import Category
from desktop_helpdesk.services.dto import ClientSummary, ContactMatch, MemberSummary
from desktop_helpdesk.services.settings import Closure
from desktop_helpdesk.ui.models.roles import SORT_ROLE

Row = TypeVar("Row")

INACTIVE_FOREGROUND = QColor("#94a3b8")
# Amber like "due soon": someone who cannot take new cases right now stands out.
UNAVAILABLE_FOREGROUND = QColor("#b45309")


@dataclass(frozen=True)
class Column(Generic[Row]):
    """One column of a ``RowTableModel``: its header, its raw value and how it is shown."""

    header: str
    value: Callable[[Row], Any]
    text: Callable[[Any], str] = str
    numeric: bool = False
    foreground: Callable[[Any], QColor | None] | None = None


class RowTableModel(QAbstractTableModel, Generic[Row]):
    """A read-only table over a short list of frozen rows (members, closures, clients).

    The lists are small (a team, a year of closures, a few hundred clients), so the model
    keeps every row and a ``QSortFilterProxyModel`` may sit on top of it.

    Args:
        columns: what each column shows.
        key: a row's identity, used to keep the selection across reloads.
        dimmed: rows drawn in grey (e.g. deactivated members).
        parent: the Qt parent.
    """

    def __init__(
        self,
        columns: Sequence[Column[Row]],
        key: Callable[[Row], Any],
        *,
        dimmed: Callable[[Row], bool] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._key = key
        self._dimmed = dimmed
        self._rows: list[Row] = []

    def rows(self) -> list[Row]:
        return list(self._rows)

    def set_rows(self, rows: Sequence[Row]) -> None:
        """Show ``rows`` instead (a reset: the lists are short)."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> Row:
        return self._rows[row]

    def row_of(self, key: Any) -> int | None:
        """The row whose key is ``key``, or None."""
        for number, item in enumerate(self._rows):
            if self._key(item) == key:
                return number
        return None

    def key_at(self, row: int) -> Any:
        return self._key(self._rows[row])

    def key_of(self, item: Row) -> Any:
        return self._key(item)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section].header
        if role == Qt.ItemDataRole.TextAlignmentRole and self._columns[section].numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(self._columns):
            return None
        column = self._columns[index.column()]
        item = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return column.text(column.value(item))
        if role == SORT_ROLE:
            value = column.value(item)
            return value.isoformat() if isinstance(value, date) else value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = Qt.AlignmentFlag.AlignRight if column.numeric else Qt.AlignmentFlag.AlignLeft
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            if self._dimmed is not None and self._dimmed(item):
                return INACTIVE_FOREGROUND
            if column.foreground is not None:
                return column.foreground(column.value(item))
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"




def member_model(parent: QObject | None = None) -> RowTableModel[MemberSummary]:
    """The team: name, username, role, availability, takes cases, active, open cases (the
    email is in the member form)."""
    return RowTableModel(
        [
            Column("Name", lambda m: m.display_name),
            Column("Username", lambda m: m.username),
            Column("Role", lambda m: m.role, MemberRole.label_of),
            Column(
                "Availability",
                lambda m: m.availability,
                Availability.label_of,
                foreground=lambda a: None if a == Availability.AVAILABLE else UNAVAILABLE_FOREGROUND,
            ),
            Column("Takes cases", lambda m: m.can_take_cases, _yes_no),
            Column("Active", lambda m: m.active, _yes_no),
            Column("Open", lambda m: m.open_cases, numeric=True),
        ],
        key=lambda m: m.id,
        dimmed=lambda m: not m.active,
        parent=parent,
    )


def _iso_day(day: date) -> str:
    return day.strftime("%Y-%m-%d")


def _day_columns(day_of: Callable[[Any], date]) -> list[Column]:
    """A row's day as two columns: the date ("2026-12-25") and its weekday ("Friday")."""
    return [Column("Date", day_of, _iso_day), Column("Day", day_of, lambda day: day.strftime("%A"))]


def closure_model(parent: QObject | None = None) -> RowTableModel[Closure]:
    """Company closure days: date, weekday, reason."""
    return RowTableModel(
        [
            *_day_columns(lambda c: c.day),
            Column("Reason", lambda c: c.reason),
        ],
        key=lambda c: c.day,
        parent=parent,
    )


def public_holiday_model(parent: QObject | None = None) -> RowTableModel[tuple[date, str]]:
    """Public holidays business time skips, as (date, name) rows, observed days included."""
    return RowTableModel(
        [
            *_day_columns(lambda h: h[0]),
            Column("Holiday", lambda h: h[1]),
        ],
        key=lambda h: h[0],
        parent=parent,
    )


def client_model(parent: QObject | None = None) -> RowTableModel[ClientSummary]:
    """Client organisations: name, account manager, their email, phone, open cases."""
    return RowTableModel(
        [
            Column("Client", lambda c: c.name),
            Column("Account manager", lambda c: c.account_manager),
            Column("Manager email", lambda c: c.account_manager_email),
            Column("Phone", lambda c: c.phone),
            Column("Open", lambda c: c.open_cases, numeric=True),
        ],
        key=lambda c: c.id,
        parent=parent,
    )


def contact_model(parent: QObject | None = None) -> RowTableModel[ContactMatch]:
    """The contacts of one client: name, email, phone."""
    columns = [Column("Contact", lambda c: c.name), Column("Email", lambda c: c.email), Column("Phone", lambda c: c.phone)]
    return RowTableModel(columns, key=lambda c: c.contact_id, parent=parent)


def _offered_model(columns: list[Column], parent: QObject | None) -> RowTableModel:
    """Rows that can be retired (categories, canned replies): ``columns``, then whether the row
    is still offered; retired rows are greyed."""
    return RowTableModel([*columns, Column("Offered", lambda r: r.active, _yes_no)], key=lambda r: r.id,
                         dimmed=lambda r: not r.active, parent=parent)


def category_model(parent: QObject | None = None) -> RowTableModel[Category]:
    """Case categories: name, cases carrying it, offered (retired ones greyed)."""
    return _offered_model([Column("Category", lambda c: c.name), Column("Cases", lambda c: c.cases, numeric=True)],
                          parent)


def canned_reply_model(parent: QObject | None = None) -> RowTableModel[CannedReply]:
    """Canned replies: title, whose (the team's or mine), offered (retired ones greyed)."""
    return _offered_model([Column("Title", lambda r: r.title), Column("For", lambda r: "The team" if r.shared else "Me")],
                          parent)


def arrangement_model(parent: QObject | None = None) -> RowTableModel[HolidayArrangement]:
    """Holiday cover: where, from, to, who covers, how to reach them."""
    return RowTableModel(
        [
            Column("Where", lambda a: a.place_text),
            Column("From", lambda a: a.starts_on, _iso_day),
            Column("To", lambda a: a.ends_on, _iso_day),
            Column("Covered by", lambda a: a.covered_by),
            Column("How to reach", lambda a: a.how_to_reach),
        ],
        key=lambda a: a.id,
        parent=parent,
    )
