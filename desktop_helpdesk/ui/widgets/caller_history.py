"""Beside the intake: the caller's client's open cases, and one key to add the call to one."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_helpdesk.domain.cases import CaseStatus
from desktop_helpdesk.services.phone_calls import CallerHistory, OpenCaseBrief
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.form_fields import button_row, named, role_label
from desktop_helpdesk.ui.workers import WorkerPool

log = logging.getLogger(__name__)

ADD_TO_CASE_KEY = "Ctrl+D"
# Short: the panel shares the dialog with the form (the zone is the desk's, as everywhere).
_DUE_FORMAT = "%a %d %b %H:%M"


class CallerHistoryPanel(QWidget):
    """The chosen caller's client and its open cases (the caller's own first), loaded on the
    worker pool; the highlighted case can take this call instead of a duplicate case.

    Signals:
        history_loaded(int): the open cases were shown (their count).
        add_call_requested(object): the ``OpenCaseBrief`` the agent wants the call added to.
    """

    history_loaded = Signal(int)
    add_call_requested = Signal(object)

    def __init__(self, ui: UiContext, pool: WorkerPool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callerHistoryPanel")
        self._ui = ui
        self._pool = pool
        self._generation = 0
        self._history: CallerHistory | None = None

        self.heading = role_label(self, "Caller's open cases", "sectionHeading", "callerHistoryHeading")
        self.summary = role_label(self, "Choose the caller to see their client's open cases", "hint",
                                  "callerHistorySummary")
        self.summary.setWordWrap(True)
        # Two lines per case (number and subject; status, assignee, next due): the panel is
        # narrow beside the form, where table columns would cut the subject to nothing.
        self.cases_list = named(QListWidget(self), "callerHistoryList")
        self.cases_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # The intake keeps the keyboard in its fields; Ctrl+D acts on the highlighted case.
        self.cases_list.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.cases_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.cases_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.cases_list.setAlternatingRowColors(True)
        self.cases_list.setSpacing(2)
        self.cases_list.itemSelectionChanged.connect(self._update_button)
        self.cases_list.itemDoubleClicked.connect(lambda _item: self.request_add())
        self.cases_list.hide()
        self.add_button = QPushButton(f"Add this call to the case  ({ADD_TO_CASE_KEY})", self)
        self.add_button.setObjectName("addCallToCaseButton")
        self.add_button.setAutoDefault(False)
        self.add_button.setToolTip(
            "Log this call on the highlighted open case as an inbound phone interaction, "
            "instead of logging a duplicate case"
        )
        self.add_button.clicked.connect(self.request_add)
        self.add_button.hide()

        buttons = button_row(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.cases_list, 1)
        layout.addLayout(buttons)

    # -- loading ---------------------------------------------------------------------------
    def show_contact(self, contact_id: int) -> None:
        """Load the open cases of ``contact_id``'s client in the background."""
        self._generation += 1
        generation = self._generation
        self.summary.setText("Looking up the caller's open cases…")
        self._pool.submit(
            self._ui.services.calls.caller_history,
            contact_id,
            on_finished=lambda history: self._on_history_loaded(generation, history),
            on_failed=lambda error: self._on_history_failed(generation, error),
            owner=self,
        )

    def clear(self) -> None:
        """No caller chosen: nothing to show (a load still running is ignored)."""
        self._generation += 1
        self._history = None
        self.cases_list.clear()
        self.cases_list.hide()
        self.add_button.hide()
        self.heading.setText("Caller's open cases")
        self.summary.setText("Choose the caller to see their client's open cases")

    def _on_history_loaded(self, generation: int, history: CallerHistory) -> None:
        if generation != self._generation:
            return
        self._history = history
        self.heading.setText(f"Open cases of {history.client_name}")
        cases = history.open_cases
        self.cases_list.clear()
        zone = self._ui.desk_zone
        for case in cases:
            due = (
                f"next due {case.next_due_at.astimezone(zone).strftime(_DUE_FORMAT)}"
                if case.next_due_at else "no SLA clock running"
            )
            item = QListWidgetItem(
                f"{case.number}   {case.subject}\n"
                f"{CaseStatus(case.status).label} · {case.assignee_name or 'Unassigned'} · {due}"
            )
            item.setData(Qt.ItemDataRole.UserRole, case)
            if case.contact_id == history.contact_id:
                # The caller's own cases: what they are most likely calling about.
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            item.setToolTip(f"{case.number} · {case.subject} · reported by {case.contact_name or 'unknown'}")
            self.cases_list.addItem(item)
        own = sum(1 for case in cases if case.contact_id == history.contact_id)
        if cases:
            self.summary.setText(
                f"{len(cases)} open · {own} from {history.contact_name} (bold). "
                f"Calling about one of them? Highlight it and press {ADD_TO_CASE_KEY}."
            )
            self.cases_list.setCurrentRow(0)
        else:
            self.summary.setText(f"{history.client_name} has no open cases: log this call as a new case.")
        self.cases_list.setVisible(bool(cases))
        self.add_button.setVisible(bool(cases))
        self._update_button()
        self.history_loaded.emit(len(cases))

    def _on_history_failed(self, generation: int, error: Exception) -> None:
        if generation != self._generation:
            return
        log.warning("caller history failed: %s", error)
        self.summary.setText("The caller's open cases could not be loaded (see the log file).")

    # -- adding the call -------------------------------------------------------------------
    def selected_case(self) -> OpenCaseBrief | None:
        """The highlighted open case (the first one unless the agent moved)."""
        item = self.cases_list.currentItem()
        if item is None or self._history is None or not item.isSelected():
            return None
        return item.data(Qt.ItemDataRole.UserRole)

    def shown_cases(self) -> list[OpenCaseBrief]:
        """The open cases listed, in order."""
        return [self.cases_list.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.cases_list.count())]

    def request_add(self) -> bool:
        """Ask to add the call to the highlighted case; False when none is highlighted."""
        case = self.selected_case()
        if case is None:
            return False
        self.add_call_requested.emit(case)
        return True

    def set_busy(self, busy: bool) -> None:
        """While the call is being added the button waits (no double add)."""
        self.add_button.setEnabled(not busy and self.selected_case() is not None)

    def _update_button(self) -> None:
        case = self.selected_case()
        self.add_button.setEnabled(case is not None)
        if case is not None:
            self.add_button.setText(f"Add this call to {case.number}  ({ADD_TO_CASE_KEY})")
