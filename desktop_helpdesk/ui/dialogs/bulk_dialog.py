"""Bulk work on the selected cases: choose the change, run it on the pool with progress and
cancel, then read which cases were refused and why."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_helpdesk.domain.policy import RequestedPriority
from desktop_helpdesk.services.bulk import BulkAction, BulkOutcome, BulkRequest
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.form_fields import button_row, combo_box, line_field, named
from desktop_helpdesk.ui.messages import friendly_message
from desktop_helpdesk.ui.workers import WorkerPool


class _BulkSignals(QObject):
    """Progress emitted from the pool thread, delivered on the UI thread.

    Signals:
        progressed(int, int): cases handled, total.
    """

    progressed = Signal(int, int)


class BulkDialog(QDialog):
    """The change to make to ``case_ids``, its progress, and its outcome.

    Signals:
        run_finished(object): a ``BulkOutcome`` (or None when the run failed to start).

    Args:
        ui: services and the signed-in member.
        pool: the window's worker pool.
        case_ids: the selected cases.
        members: (name, id) of members who take cases.
        categories: (name, id) of offered categories.
        parent: the window.
    """

    run_finished = Signal(object)

    def __init__(self, ui: UiContext, pool: WorkerPool, case_ids: list[int], *, members: list[tuple[str, int]],
                 categories: list[tuple[str, int]], parent: QWidget) -> None:
        super().__init__(parent)
        named(self, "bulkDialog")
        self.setWindowTitle(f"Change {len(case_ids):,} selected cases")
        self.setMinimumWidth(520)
        self._ui = ui
        self._pool = pool
        self._case_ids = list(case_ids)
        self._cancel = threading.Event()
        self._signals = _BulkSignals(self)
        self._signals.progressed.connect(self._on_progressed)
        self.running = False
        self.outcome: BulkOutcome | None = None

        self.action = combo_box(self, "bulkActionField", ((a.label, a.value) for a in BulkAction))
        self.assignee = combo_box(self, "bulkAssigneeField", [("Unassigned queue", None), *members])
        self.priority = combo_box(self, "bulkPriorityField", ((p.label, p.value) for p in RequestedPriority))
        self.category = combo_box(self, "bulkCategoryField", [("No category", None), *categories])
        self.reason = line_field(self, "bulkReasonField", "Why (audited on every case)")
        self.form = QFormLayout()
        self.form.addRow("&Change", self.action)
        self.form.addRow("&Assign to", self.assignee)
        self.form.addRow("&Priority", self.priority)
        self.form.addRow("Ca&tegory", self.category)
        self.form.addRow("&Reason", self.reason)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("bulkProgress")
        self.progress.setRange(0, len(case_ids))
        self.progress.setValue(0)
        self.status = QLabel(f"{len(case_ids):,} cases selected. Each change is its own audited step.", self)
        self.status.setObjectName("bulkStatus")
        self.status.setWordWrap(True)
        self.refusals = QPlainTextEdit(self)
        self.refusals.setObjectName("bulkRefusals")
        self.refusals.setReadOnly(True)
        self.refusals.setPlaceholderText("Cases that could not be changed are listed here, with why.")
        self.run_button = QPushButton("Run", self)
        self.run_button.setObjectName("bulkRunButton")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Stop", self)
        self.cancel_button.setObjectName("bulkCancelButton")
        self.cancel_button.setToolTip("Stop after the case being changed (the ones done stay done)")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button = QPushButton("Close", self)
        self.close_button.setObjectName("bulkCloseButton")
        self.close_button.clicked.connect(self.reject)
        buttons = button_row(self.run_button, self.cancel_button, self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.refusals, 1)
        layout.addLayout(buttons)
        self.action.currentIndexChanged.connect(self._on_action_changed)
        self._on_action_changed()

    def _on_action_changed(self, *_args) -> None:
        action = BulkAction(self.action.currentData())
        for widget, shown in ((self.assignee, action is BulkAction.REASSIGN),
                              (self.priority, action is BulkAction.PRIORITY),
                              (self.category, action is BulkAction.CATEGORY),
                              (self.reason, action is not BulkAction.CLOSE)):
            widget.setVisible(shown)
            self.form.labelForField(widget).setVisible(shown)

    def request(self) -> BulkRequest:
        return BulkRequest(BulkAction(self.action.currentData()), assignee_id=self.assignee.currentData(),
                           priority=self.priority.currentData(), category_id=self.category.currentData(),
                           reason=self.reason.text())

    def start(self) -> bool:
        """Run the chosen change on the pool (each case its own transaction)."""
        if self.running:
            return False
        request = self.request()
        bulk, me, ids = self._ui.services.bulk, self._ui.member_id, self._case_ids
        cancel, progressed = self._cancel, self._signals.progressed.emit
        self.running = True
        self._cancel.clear()
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.refusals.clear()
        self.status.setText("Working…")
        self._pool.submit(
            lambda: bulk.run(me, ids, request, progress=progressed, cancelled=cancel.is_set),
            on_finished=self._on_run_finished,
            on_failed=self._on_run_failed,
        )
        return True

    def cancel(self) -> None:
        """Stop between cases (thread-safe flag the run polls)."""
        self._cancel.set()
        self.status.setText("Stopping after the current case…")

    def _on_progressed(self, done: int, total: int) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)

    def _on_run_finished(self, outcome: BulkOutcome) -> None:
        self.running = False
        self.outcome = outcome
        self.cancel_button.setEnabled(False)
        self.run_button.setEnabled(True)
        self.status.setText(outcome.summary() + ".")
        self.refusals.setPlainText("\n".join(f"{number}: {why}" for number, why in outcome.refused))
        self.run_finished.emit(outcome)

    def _on_run_failed(self, error: Exception) -> None:
        self.running = False
        self.cancel_button.setEnabled(False)
        self.run_button.setEnabled(True)
        self.status.setText(friendly_message(error))
        self.run_finished.emit(None)

    def reject(self) -> None:
        # Closing while it runs stops it between cases; the pool finishes the current one.
        self._cancel.set()
        super().reject()
