"""Building blocks shared by the Administration pages: buttons, forms, sortable tables, refusal wording."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QItemSelectionModel, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_helpdesk.services.errors import ServiceError, ValidationError
from desktop_helpdesk.ui.admin.models import RowTableModel
from desktop_helpdesk.ui.form_fields import line_field, named
from desktop_helpdesk.ui.messages import friendly_message
from desktop_helpdesk.ui.models.roles import SORT_ROLE

# Service field names as the admin forms label them (the shared wording covers case fields).
_FIELD_LABELS = {
    "username": "Username",
    "display_name": "Name",
    "crm_drop_folder": "CRM drop folder",
    "crm_webhook_url": "CRM webhook URL",
    "attachment_max_bytes": "Attachment size limit",
    "due_soon_share": "Due-soon share",
    "assignment_strategy": "Assignment strategy",
    "account_manager_email": "Account manager email",
    "client": "Client name",
    "contact_name": "Contact name",
    "day": "Date",
    "reason": "Reason",
    "category": "Category",
    "country": "Country",
    "region": "Region",
    "time_zone": "Time zone",
    "starts_on": "From",
    "ends_on": "To",
    "covered_by": "Covered by",
    "body": "Text",
    "title": "Title",
    "case_number": "Preview case",
}


def refusal_message(error: ServiceError) -> str:
    """The sentence shown for a refused command; it names the form field at fault."""
    if isinstance(error, ValidationError) and error.field in _FIELD_LABELS:
        return f"{_FIELD_LABELS[error.field]}: {error.message}"
    return friendly_message(error)


def push_button(text: str, parent: QWidget, object_name: str, *, accent: bool = False) -> QPushButton:
    """A dialog button that Enter in a line edit does not press by accident (not auto-default)."""
    button = named(QPushButton(text, parent), object_name)
    button.setAutoDefault(False)
    button.setDefault(False)
    if accent:
        button.setProperty("accent", True)
    return button


def line_edit(parent: QWidget, object_name: str, placeholder: str = "") -> QLineEdit:
    field = line_field(parent, object_name, placeholder)
    field.setClearButtonEnabled(True)
    return field


def group(title: str, parent: QWidget, object_name: str) -> QGroupBox:
    box = QGroupBox(title, parent)
    box.setObjectName(object_name)
    return box


def submit_form(
    box: QGroupBox, rows: Sequence[tuple[str, QWidget]], button: QPushButton, submit: Callable[[], Any]
) -> QFormLayout:
    """Lay ``rows`` (label, field) and then ``button`` out in ``box``; the button, and Enter in
    any of the line edits, runs ``submit``. Returns the layout for rows that follow the button."""
    form = QFormLayout(box)
    for label, field in rows:
        form.addRow(label, field)
    form.addRow("", button)
    button.clicked.connect(submit)
    for _label, field in rows:
        if isinstance(field, QLineEdit):
            field.returnPressed.connect(submit)
    return form


def date_field(parent: QWidget, object_name: str, day: date) -> QDateEdit:
    """A date picker with a calendar pop-up showing ``day`` as "Mon 30 Nov 2026"."""
    field = named(QDateEdit(parent), object_name)
    field.setCalendarPopup(True)
    field.setDisplayFormat("ddd d MMM yyyy")
    field.setDate(QDate(day.year, day.month, day.day))
    return field


def hint(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setProperty("role", "hint")
    label.setWordWrap(True)
    return label


#: A widget or layout in a page column, or ``(item, stretch)`` for one that takes a share of the
#: spare height.
ColumnItem = QWidget | QLayout | tuple[QWidget | QLayout, int]


def side_by_side(page: QWidget, left: Sequence[ColumnItem], right: Sequence[ColumnItem], *,
                 widths: tuple[int, int] = (3, 2)) -> None:
    """Lay ``page`` out as the Administration pages are: the ``left`` column (the table and what
    acts on it) beside the ``right`` one (the forms and their hint), sharing the width as
    ``widths``. A column in which nothing stretches is held at the top."""
    layout = QHBoxLayout(page)
    for items, width in ((left, widths[0]), (right, widths[1])):
        column = QVBoxLayout()
        for item in items:
            item, stretch = item if isinstance(item, tuple) else (item, 0)
            if isinstance(item, QLayout):
                column.addLayout(item, stretch)
            else:
                column.addWidget(item, stretch)
        if not any(isinstance(item, tuple) for item in items):
            column.addStretch(1)
        layout.addLayout(column, width)


def sortable_table(
    model: RowTableModel, parent: QWidget, object_name: str, *, stretch_column: int = 0
) -> tuple[QTableView, QSortFilterProxyModel]:
    """A row-selecting, read-only table over ``model`` through a sort/filter proxy (small lists);
    ``stretch_column`` takes the width the others (sized to contents) leave."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setFilterKeyColumn(-1)
    proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    table = QTableView(parent)
    table.setObjectName(object_name)
    table.setAccessibleName(object_name)
    table.setModel(proxy)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSortingEnabled(True)
    table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    table.setShowGrid(False)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTabKeyNavigation(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(28)
    table.horizontalHeader().setHighlightSections(False)
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
    return table, proxy


def selected_source_row(table: QTableView, proxy: QSortFilterProxyModel) -> int | None:
    """The source-model row of the table's current row, or None."""
    current = table.selectionModel().currentIndex()
    if not current.isValid():
        return None
    source = proxy.mapToSource(current)
    return source.row() if source.isValid() else None


def select_key(table: QTableView, proxy: QSortFilterProxyModel, model: RowTableModel, key: Any) -> bool:
    """Make the row whose key is ``key`` current (after a reload); False when it is gone."""
    row = model.row_of(key) if key is not None else None
    if row is None:
        return False
    index = proxy.mapFromSource(model.index(row, 0))
    if not index.isValid():
        return False
    table.selectionModel().setCurrentIndex(
        index,
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    table.scrollTo(index)
    return True


def selected_item(table: QTableView, proxy: QSortFilterProxyModel, model: RowTableModel) -> Any:
    """The row object under the table's current row, or None."""
    row = selected_source_row(table, proxy)
    return None if row is None else model.row_at(row)


def replace_rows(table: QTableView, proxy: QSortFilterProxyModel, model: RowTableModel, rows) -> bool:
    """Show ``rows``, re-selecting the row that was current (by key). Returns whether it is
    still there (if not, nothing is selected and the caller clears its form)."""
    current = selected_source_row(table, proxy)
    key = model.key_at(current) if current is not None else None
    model.set_rows(rows)
    return key is not None and select_key(table, proxy, model, key)


#: An item of a ``row``: a widget, ``(widget, stretch)``, a string for a plain label, or None
#: for the spare width.
RowItem = QWidget | tuple[QWidget, int] | str | None


def row(parent: QWidget, *items: RowItem) -> QHBoxLayout:
    """``items`` side by side (a form row holding more than one field)."""
    layout = QHBoxLayout()
    for item in items:
        if item is None:
            layout.addStretch(1)
        elif isinstance(item, str):
            layout.addWidget(QLabel(item, parent))
        elif isinstance(item, tuple):
            layout.addWidget(*item)
        else:
            layout.addWidget(item)
    return layout


def add_buddy_row(form: QFormLayout, parent: QWidget, label: str, buddy: QWidget, fields: QLayout) -> QLabel:
    """Add a row of several ``fields`` whose label's mnemonic (``&``) focuses ``buddy``."""
    title = QLabel(label, parent)
    title.setBuddy(buddy)
    form.addRow(title, fields)
    return title
