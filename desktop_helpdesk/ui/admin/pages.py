"""The Administration pages' common ground: the page bases and the runner of their commands on the worker pool."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QPushButton, QWidget

from desktop_helpdesk.services.errors import ServiceError
from desktop_helpdesk.ui.admin import forms
from desktop_helpdesk.ui.admin.models import RowTableModel
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.form_fields import dialog_buttons
from desktop_helpdesk.ui.widgets.message_bar import MessageBar
from desktop_helpdesk.ui.workers import WorkerPool

log = logging.getLogger(__name__)

#: What a page says once a command is done: a sentence, or a function of the command's result.
DoneText = str | Callable[[Any], str]

SAVING_TEXT = "Saving…"


@dataclass(frozen=True)
class _Refused:
    """A service's refusal carried back from the worker as an answer (not logged as a failure)."""

    error: ServiceError


def _answer(command: Callable[[], Any]) -> Any:
    """Run ``command`` (worker thread): its result, or its refusal as a ``_Refused``."""
    try:
        return command()
    except ServiceError as error:
        return _Refused(error)


class PageCommands(QObject):
    """Runs the pages' service commands on the worker pool, one at a time.

    While a command runs its page is busy (its buttons off) and the message bar says
    "Saving…", so the window's thread keeps painting even when the database makes the write
    wait. Then the message bar says how it went: the page's sentence on success (the lists
    reload), the service's refusal naming the field (which gets the focus), or, for any other
    failure, a sentence pointing at the log file, never a traceback. Services are transactional:
    a refused or failed command has written nothing.

    Signals:
        settled(bool): a command ended: True when done, False when refused or failed.

    Args:
        pool: the window's worker pool.
        message: the dialog's message bar.
        after_success: called on the window's thread after a command is done (reload the lists).
        owner: the dialog; callbacks landing after it was deleted are dropped.
    """

    settled = Signal(bool)

    def __init__(self, pool: WorkerPool, message: MessageBar, after_success: Callable[[], None],
                 owner: QWidget) -> None:
        super().__init__(owner)
        self._pool = pool
        self._message = message
        self._after_success = after_success
        self._owner = owner
        self._busy_page: AdminPage | None = None

    @property
    def busy(self) -> bool:
        """Whether a command is running."""
        return self._busy_page is not None

    def run(self, page: AdminPage, done_text: DoneText, command: Callable[[], Any],
            fields: Mapping[str, QWidget] | None = None, then: Callable[[Any], None] | None = None) -> bool:
        """Start ``command`` (a service call that reads no widget) for ``page``.

        Args:
            page: the page that asked (busy until the command ends).
            done_text: what to say on success.
            command: the service call, run on a worker thread.
            fields: the page's fields by the service's field names (a refusal focuses its own).
            then: called with the result on the window's thread after a success (clear a form).

        Returns:
            False when another command is still running (a second Enter): nothing was started.
        """
        if self._busy_page is not None:
            return False
        self._busy_page = page
        page.set_busy(True)
        self._message.show_text(SAVING_TEXT)
        self._pool.submit(
            _answer, command,
            on_finished=lambda answer: self._on_answered(page, done_text, fields, then, answer),
            on_failed=lambda error: self._on_failed(page, error),
            owner=self._owner,
        )
        return True

    def _on_answered(self, page: AdminPage, done_text: DoneText, fields: Mapping[str, QWidget] | None,
                     then: Callable[[Any], None] | None, answer: Any) -> None:
        self._release(page)
        if isinstance(answer, _Refused):
            log.info("command refused: %s", answer.error)
            self._message.show_text(forms.refusal_message(answer.error), error=True)
            field = (fields or {}).get(getattr(answer.error, "field", ""))
            if field is not None:
                field.setFocus(Qt.FocusReason.OtherFocusReason)
                if isinstance(field, QLineEdit):
                    field.selectAll()
            self.settled.emit(False)
            return
        self._message.show_text(done_text(answer) if callable(done_text) else done_text)
        if then is not None:
            then(answer)
        self._after_success()
        self.settled.emit(True)

    def _on_failed(self, page: AdminPage, error: Exception) -> None:
        # The worker logged the traceback; the user gets one sentence.
        self._release(page)
        self._message.show_text(f"Not saved ({error}); nothing was changed. Try again; the details are in "
                                "the log file.", error=True)
        self.settled.emit(False)

    def _release(self, page: AdminPage) -> None:
        self._busy_page = None
        page.set_busy(False)


class AdminPage(QWidget):
    """An Administration page: its name, the services and the dialog's command runner.

    Args:
        ui: services, clock and the signed-in member.
        commands: the dialog's command runner (worker pool, messages, reload).
        parent: the Qt parent.
        page_name: the page's object name.
    """

    def __init__(self, ui: UiContext, commands: PageCommands, parent: QWidget | None, *, page_name: str) -> None:
        super().__init__(parent)
        self.setObjectName(page_name)
        self._ui = ui
        self._commands = commands
        self._busy = False
        self._paused_buttons: list[QPushButton] = []

    def _command(self, done_text: DoneText, command: Callable[[], Any],
                 fields: Mapping[str, QWidget] | None = None, *, then: Callable[[Any], None] | None = None) -> bool:
        """Run ``command`` on the worker pool with this page busy (see ``PageCommands.run``)."""
        return self._commands.run(self, done_text, command, fields, then)

    def is_busy(self) -> bool:
        return self._busy

    def set_busy(self, busy: bool) -> None:
        """Turn the page's buttons off while its command runs, and back on after."""
        self._busy = busy
        if busy:
            self._paused_buttons = [b for b in self.findChildren(QPushButton) if b.isEnabled()]
            for button in self._paused_buttons:
                button.setEnabled(False)
            return
        for button in self._paused_buttons:
            button.setEnabled(True)
        self._paused_buttons = []


class TablePage(AdminPage):
    """An Administration page built around one sortable table of row objects.

    It builds ``model`` (from ``model_factory``), ``table`` and ``proxy``, and calls
    ``_show_selected(row)`` whenever the current row changes (None: nothing selected).

    Args:
        ui, commands, parent, page_name: as ``AdminPage``.
        model_factory: builds the page's ``RowTableModel`` given its parent.
        table_name: the table's object name.
        stretch_column: the column that takes the spare width.
    """

    def __init__(self, ui: UiContext, commands: PageCommands, parent: QWidget | None, *, page_name: str,
                 model_factory: Callable[[QWidget], RowTableModel], table_name: str,
                 stretch_column: int = 0) -> None:
        super().__init__(ui, commands, parent, page_name=page_name)
        self.model = model_factory(self)
        self.table, self.proxy = forms.sortable_table(self.model, self, table_name, stretch_column=stretch_column)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)
        self._key_to_select: Any = None

    def selected_row(self) -> Any:
        """The row object under the table's current row, or None."""
        return forms.selected_item(self.table, self.proxy, self.model)

    def select_row(self, key: Any) -> bool:
        """Make the row whose key is ``key`` current; False when it is gone."""
        return forms.select_key(self.table, self.proxy, self.model, key)

    def set_rows(self, rows) -> None:
        """Show ``rows`` (re-read), keeping the selected one (or one just added) selected; making
        it current again shows its re-read values in the forms. Nothing selected clears them."""
        kept = forms.replace_rows(self.table, self.proxy, self.model, rows)
        key, self._key_to_select = self._key_to_select, None
        if key is not None and self.select_row(key):
            return
        if not kept:
            self._show_selected(None)

    def _command_on_selected(self, done_text: Callable[[Any, Any], str], command: Callable[[Any], Any],
                             fields: Mapping[str, QWidget] | None = None, *,
                             then: Callable[[Any], None] | None = None) -> None:
        """Run ``command(row)`` for the selected row (none selected: nothing to do);
        ``done_text(row, result)`` says what it did."""
        row = self.selected_row()
        if row is not None:
            self._command(lambda result: done_text(row, result), lambda: command(row), fields, then=then)

    def select_when_listed(self, item: Any) -> None:
        """Select ``item`` (just added) when the reload after its command lists it."""
        self._key_to_select = self.model.key_of(item)

    def _on_table_current_row_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_selected(self.selected_row())

    def _show_selected(self, row: Any) -> None:
        """Show ``row`` (None: nothing selected) in the page's forms and buttons."""


class PagesDialog(QDialog):
    """A dialog over Administration pages: its message bar, the pages' command runner
    (``commands``) and the lists it reloads after each command and on opening.

    Signals:
        loaded(): the lists were (re)loaded.

    Args:
        pool: the window's worker pool (lists are read and commands run there).
        parent: the widget it opens over.
        name: the dialog's object name; the message bar is named after it.
        title: the window title (the app's name is added).
    """

    loaded = Signal()

    def __init__(self, pool: WorkerPool, parent: QWidget | None, *, name: str, title: str) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(name)
        self.setWindowTitle(f"{title} — Desktop Helpdesk")
        self._pool = pool
        self._closed = False
        self.message = MessageBar(self, name.removesuffix("Dialog") + "Message")
        self.commands = PageCommands(pool, self.message, self._on_command_done, self)

    def reload(self) -> None:
        """Re-read the lists in the worker pool."""

    def _on_command_done(self) -> None:
        self.reload()

    def close_button_box(self) -> QDialogButtonBox:
        """A Close button that Enter in a form field never presses (Enter adds or saves the form)."""
        buttons = dialog_buttons(self, QDialogButtonBox.StandardButton.Close)
        close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        close_button.setObjectName(self.objectName().removesuffix("Dialog") + "CloseButton")
        close_button.setAutoDefault(False)
        close_button.setDefault(False)
        return buttons

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message.show_text(text, error=error)

    def message_text(self) -> str:
        return self.message.shown_text()

    def message_is_error(self) -> bool:
        return self.message.is_error

    def done(self, result: int) -> None:
        self._closed = True
        super().done(result)
