"""Building blocks shared by the Administration pages: buttons, sortable tables, the command runner."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QDate, QItemSelectionModel, QModelIndex, QSortFilterProxyModel, Qt
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

if TYPE_CHECKING:
    from desktop_helpdesk.ui.context import UiContext

log = logging.getLogger(__name__)

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


class CommandRunner(Protocol):
    """Runs one service command for a page and reports the outcome in the dialog.

    ``run(done_text, command, fields)`` calls ``command()``; on success it shows
    ``done_text`` (a string, or a function of the result), reloads the lists and returns the
    result. On a ``ServiceError`` it shows the friendly message, focuses the widget in
    ``fields`` named by a validation error and returns None.
    """

    def __call__(
        self,
        done_text: str | Callable[[Any], str],
        command: Callable[[], Any],
        fields: Mapping[str, QWidget] | None = None,
    ) -> Any: ...


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


class TablePage(QWidget):
    """An Administration page built around one sortable table of row objects.

    It names the page, builds ``model`` (from ``model_factory``), ``table`` and ``proxy``, and
    calls ``_show_selected(row)`` whenever the current row changes (None: nothing selected).

    Args:
        ui: services, clock and the signed-in member.
        run: the dialog's command runner (messages, reload).
        parent: the Qt parent.
        page_name: the page's object name.
        model_factory: builds the page's ``RowTableModel`` given its parent.
        table_name: the table's object name.
        stretch_column: the column that takes the spare width.
    """

    def __init__(self, ui: UiContext, run: CommandRunner, parent: QWidget | None, *, page_name: str,
                 model_factory: Callable[[QWidget], RowTableModel], table_name: str,
                 stretch_column: int = 0) -> None:
        super().__init__(parent)
        self.setObjectName(page_name)
        self._ui = ui
        self._run = run
        self.model = model_factory(self)
        self.table, self.proxy = sortable_table(self.model, self, table_name, stretch_column=stretch_column)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)

    def selected_row(self) -> Any:
        """The row object under the table's current row, or None."""
        return selected_item(self.table, self.proxy, self.model)

    def select_row(self, key: Any) -> bool:
        """Make the row whose key is ``key`` current; False when it is gone."""
        return select_key(self.table, self.proxy, self.model, key)

    def _replace_rows(self, rows) -> bool:
        return replace_rows(self.table, self.proxy, self.model, rows)

    def _show_rows(self, rows) -> None:
        """Show ``rows`` and the (re-read) selected one in the page's forms and buttons."""
        kept = self._replace_rows(rows)
        self._show_selected(self.selected_row() if kept else None)

    def _on_table_current_row_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_selected(self.selected_row())

    def _show_selected(self, row: Any) -> None:
        """Show ``row`` (None: nothing selected) in the page's forms and buttons."""


def run_reported(
    show_message: Callable[..., None],
    done_text: str | Callable[[Any], str],
    command: Callable[[], Any],
    fields: Mapping[str, QWidget] | None = None,
) -> tuple[bool, Any]:
    """Run a form's service command and say how it went in the form's message bar.

    Args:
        show_message: the dialog's ``show_message(text, error=...)``.
        done_text: the sentence on success, or a function of the command's result giving it.
        command: the service call.
        fields: the form fields by the service's field names; a ``ValidationError`` naming one
            focuses it (its text selected).

    Returns:
        ``(True, result)``, or ``(False, None)`` when a ``ServiceError`` refused the command (its
        sentence shown, naming the field; the details logged).
    """
    try:
        result = command()
    except ServiceError as error:
        log.info("command refused: %s", error)
        show_message(refusal_message(error), error=True)
        field = fields.get(getattr(error, "field", ""), None) if fields else None
        if field is not None:
            field.setFocus(Qt.FocusReason.OtherFocusReason)
            if isinstance(field, QLineEdit):
                field.selectAll()
        return False, None
    show_message(done_text(result) if callable(done_text) else done_text)
    return True, result
