"""CRM sync in the window: delivers the outbox every minute in a worker and shows how it went."""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.crm import DeliveryReport, deliver_configured
from desktop_helpdesk.ui.outbox_runner import OutboxRunner
from desktop_helpdesk.ui.workers import WorkerPool

log = logging.getLogger(__name__)

SYNC_INTERVAL_MS = 60_000
# Events per run: a normal minute holds a handful; after a long outage the backlog drains in
# runs this size so one run never holds a pool thread (the case list shares it) for long.
SYNC_BATCH = 500
NOT_CONFIGURED = "CRM sync is off: no CRM drop folder is set (Administration → Settings)."


def crm_sync_runner(context: ServiceContext, pool: WorkerPool, parent: QObject | None = None, *,
                    interval_ms: int = SYNC_INTERVAL_MS, batch: int = SYNC_BATCH) -> OutboxRunner:
    """The runner that delivers pending CRM outbox events to the configured drop folder.

    Nothing is written while no drop folder is configured (the run then reports None).

    Args:
        context: the services context (settings name the folder; its clock stamps sent events).
        pool: the worker pool the runs go to.
        parent: the Qt parent (the main window, whose shutdown stops child timers too).
        interval_ms: time between runs.
        batch: at most this many events per run.

    Returns:
        The runner (not started); its ``ran`` signal carries a ``DeliveryReport`` or None.
    """
    return OutboxRunner(context, pool, lambda: deliver_configured(context, limit=batch), parent,
                        name="crmSync", interval_ms=interval_ms)


def describe_report(report: DeliveryReport, at: datetime, zone) -> str:
    """"CRM synced 10:42 · 3 sent · 0 waiting" (failures and what went wrong come first)."""
    when = at.astimezone(zone).strftime("%H:%M")
    parts = [f"CRM synced {when}"]
    if report.failed:
        parts = [f"CRM sync {when}: {report.failed} failed"]
    if report.sent:
        parts.append(f"{report.sent} sent")
    parts.append(f"{report.pending} waiting")
    return " · ".join(parts)


class CrmSyncStatus(QWidget):
    """The status-bar corner showing the last CRM sync, with a "Sync to CRM now" button.

    Hidden while no CRM drop folder is configured, so agents on a team without a CRM see
    nothing.

    Args:
        runner: the sync runner it follows.
        action: the "Sync to CRM now" action shown as its button.
        zone: the desk's time zone for the time of the last run.
        parent: the Qt parent (the status bar).
    """

    def __init__(self, runner: OutboxRunner, action: QAction, zone, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("crmSyncStatus")
        self._runner = runner
        self._zone = zone
        self.label = QLabel("", self)
        self.label.setObjectName("crmSyncLabel")
        self.label.setAccessibleName("crmSyncLabel")
        self.button = QToolButton(self)
        self.button.setObjectName("crmSyncButton")
        self.button.setDefaultAction(action)
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.button.setAutoRaise(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 4, 0)
        layout.setSpacing(4)
        layout.addWidget(self.label)
        layout.addWidget(self.button)
        runner.ran.connect(self._on_runner_synced)
        runner.run_failed.connect(self._on_runner_sync_failed)
        self.hide()

    def _on_runner_synced(self, report: DeliveryReport | None) -> None:
        if report is None:
            self.hide()
            return
        at = self._runner.last_run_at
        self.label.setText(describe_report(report, at, self._zone) if at else "")
        failed = bool(report.failed)
        self.label.setStyleSheet("color: #b91c1c; font-weight: 600;" if failed else "")
        self.label.setToolTip(
            f"Last error: {report.last_error}" if report.last_error else "Case events written to the CRM drop folder"
        )
        self.show()

    def _on_runner_sync_failed(self, message: str) -> None:
        self.label.setText("CRM sync failed")
        self.label.setStyleSheet("color: #b91c1c; font-weight: 600;")
        self.label.setToolTip(message)
        self.show()


def install(window) -> OutboxRunner:
    """Run CRM sync for this window: the 60 s runner, the status-bar corner and the
    "Sync to CRM now" action (Ctrl+Shift+Y). The timer stops on ``aboutToQuit`` and with
    ``window.shutdown()`` (which stops every child timer before joining the pool).

    Returns:
        The runner (started).
    """
    ui = window.ui_context
    runner = crm_sync_runner(ui.services.context, window.pool, window)
    action = QAction("Sync to CRM now", window)
    action.setObjectName("actionCrmSync")
    action.setShortcut(QKeySequence("Ctrl+Shift+Y"))
    action.setToolTip("Write waiting case events to the CRM drop folder now (Ctrl+Shift+Y)")
    window.addAction(action)
    status = CrmSyncStatus(runner, action, ui.desk_zone, window.statusBar())
    window.statusBar().addPermanentWidget(status)

    def sync_now() -> None:
        if not runner.run_now():
            window.statusBar().showMessage("A CRM sync is already running.", 5_000)

    def after_manual_run(report: DeliveryReport | None) -> None:
        if report is None:
            window.statusBar().showMessage(NOT_CONFIGURED, 10_000)

    def on_triggered() -> None:
        runner.ran.connect(after_manual_run, Qt.ConnectionType.SingleShotConnection)
        sync_now()

    action.triggered.connect(on_triggered)
    application = QCoreApplication.instance()
    if application is not None:
        application.aboutToQuit.connect(runner.stop)
    runner.start()
    return runner
