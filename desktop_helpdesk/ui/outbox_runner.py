"""Delivering an outbox from the window: one run at a time in the worker pool, on a timer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.ui.workers import WorkerPool

log = logging.getLogger(__name__)


class OutboxRunner(QObject):
    """Runs ``deliver`` (SQL plus file or network I/O) in the window's worker pool on a timer.

    The CRM drop folder and client email both keep their events in an outbox table written with
    the case change; this runner only drains it. The work never touches a widget and runs one at
    a time; a request during a run is remembered and run right after it, so an event queued
    meanwhile does not wait for the next tick. The timer stops on ``stop()`` (wired to
    ``aboutToQuit``) and with the window's ``shutdown()``.

    Signals:
        ran(object): a run finished: its delivery report, or None when the channel is not set up.
        run_failed(str): a run raised (e.g. the database was unavailable).

    Args:
        context: the services context (its clock stamps the run).
        pool: the worker pool the runs go to.
        deliver: the delivery, called in a worker thread; returns a report with ``sent``,
            ``failed`` and ``pending`` counts, or None.
        parent: the Qt parent (the main window).
        name: object name stem, e.g. "crmSync" gives "crmSyncRunner" and "crmSyncTimer".
        interval_ms: time between runs.
    """

    ran = Signal(object)
    run_failed = Signal(str)

    def __init__(
        self,
        context: ServiceContext,
        pool: WorkerPool,
        deliver: Callable[[], object],
        parent: QObject | None = None,
        *,
        name: str,
        interval_ms: int,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}Runner")
        self._context = context
        self._pool = pool
        self._deliver = deliver
        self._running = False
        self._again = False
        self._stopped = False
        self.last_report = None
        self.last_run_at: datetime | None = None
        self.timer = QTimer(self)
        self.timer.setObjectName(f"{name}Timer")
        self.timer.setInterval(interval_ms)
        # A seconds-to-minutes job: a coarse timer lets the OS batch wake-ups.
        self.timer.setTimerType(Qt.TimerType.VeryCoarseTimer)
        self.timer.timeout.connect(self._on_timer_timeout)

    @property
    def running(self) -> bool:
        """A delivery is in progress in the pool."""
        return self._running

    def start(self) -> None:
        """Start the timer and deliver once right away."""
        self._stopped = False
        self.timer.start()
        self.run_now()

    def stop(self) -> None:
        """Stop the timer; a run already in the pool finishes and is still reported."""
        self._stopped = True
        self._again = False
        self.timer.stop()

    def run_now(self) -> bool:
        """Deliver now in a worker; False when stopped or when a run is going (it runs again after)."""
        if self._stopped:
            return False
        if self._running:
            self._again = True
            return False
        self._running = True
        self._pool.submit(self._deliver, on_finished=self._on_delivered, on_failed=self._on_failed)
        return True

    def _on_timer_timeout(self) -> None:
        self.run_now()

    def _finish_run(self) -> None:
        self._running = False
        self.last_run_at = self._context.now()
        if self._again:
            self._again = False
            self.run_now()

    def _on_delivered(self, report) -> None:
        self.last_report = report
        if report is not None and (report.sent or report.failed):
            log.info("%s: %s sent, %s failed, %s pending", self.objectName(), report.sent,
                     report.failed, report.pending)
        self._finish_run()
        self.ran.emit(report)

    def _on_failed(self, error: Exception) -> None:
        log.warning("%s run failed: %s: %s", self.objectName(), type(error).__name__, error)
        self._finish_run()
        self.run_failed.emit(f"{type(error).__name__}: {error}")
