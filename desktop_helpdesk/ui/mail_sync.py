"""Client email in the window: delivers the mail outbox every 30 s (and right after a case
change) in a worker, and shows how it went in the status bar."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel

from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.mail import MailDeliveryReport, deliver_configured_mail
from desktop_helpdesk.ui.workers import WorkerPool

log = logging.getLogger(__name__)

MAIL_INTERVAL_MS = 30_000
MAIL_BATCH = 50
# The run shares the window's two pool threads with the case list, and the window waits for
# the pool when it closes: a silent (firewalled) server must give up well before that wait.
MAIL_TIMEOUT_SECONDS = 8.0


class MailDeliveryRunner(QObject):
    """Sends pending client emails with the team's SMTP settings on a 30 s timer.

    The delivery (SQL and SMTP) runs in the window's worker pool and never touches a widget;
    one run at a time. A request while a run is going is remembered and run after it, so an
    email queued during a run is not left for the next tick. Nothing is sent while email is
    not set up (the run then reports None).

    Signals:
        delivered(object): a run finished: its ``MailDeliveryReport``, or None when email is off.
        delivery_failed(str): a run raised (e.g. the database was unavailable).

    Args:
        context: the services context (SMTP settings; its clock stamps sent emails).
        pool: the worker pool the runs go to.
        parent: the Qt parent (the main window, whose shutdown stops child timers too).
        interval_ms: time between runs.
        environ: where the SMTP password is read (default the process environment).
    """

    delivered = Signal(object)
    delivery_failed = Signal(str)

    def __init__(
        self,
        context: ServiceContext,
        pool: WorkerPool,
        parent: QObject | None = None,
        *,
        interval_ms: int = MAIL_INTERVAL_MS,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mailDeliveryRunner")
        self._context = context
        self._pool = pool
        self._environ = environ
        self._running = False
        self._again = False
        self._stopped = False
        self.last_report: MailDeliveryReport | None = None
        self.last_run_at: datetime | None = None
        self.timer = QTimer(self)
        self.timer.setObjectName("mailDeliveryTimer")
        self.timer.setInterval(interval_ms)
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
        self.deliver_now()

    def stop(self) -> None:
        """Stop the timer; a run already in the pool finishes and is still reported."""
        self._stopped = True
        self._again = False
        self.timer.stop()

    def deliver_now(self) -> bool:
        """Deliver now in a worker; False when stopped or when a run is going (it runs again after)."""
        if self._stopped:
            return False
        if self._running:
            self._again = True
            return False
        self._running = True
        self._pool.submit(
            lambda: deliver_configured_mail(
                self._context, environ=self._environ, limit=MAIL_BATCH, timeout=MAIL_TIMEOUT_SECONDS
            ),
            on_finished=self._on_delivered,
            on_failed=self._on_failed,
        )
        return True

    def _on_timer_timeout(self) -> None:
        self.deliver_now()

    def _finish_run(self) -> None:
        self._running = False
        self.last_run_at = self._context.now()
        if self._again:
            self._again = False
            self.deliver_now()

    def _on_delivered(self, report: MailDeliveryReport | None) -> None:
        self.last_report = report
        if report is not None and (report.sent or report.failed):
            log.info("Mail: %s sent, %s failed, %s pending", report.sent, report.failed, report.pending)
        self._finish_run()
        self.delivered.emit(report)

    def _on_failed(self, error: Exception) -> None:
        log.warning("Mail delivery run failed: %s: %s", type(error).__name__, error)
        self._finish_run()
        self.delivery_failed.emit(f"{type(error).__name__}: {error}")


def describe_mail_report(report: MailDeliveryReport, at: datetime, zone) -> str:
    """ "Email 10:42 · 2 sent · 0 waiting" (a failure comes first and says so)."""
    when = at.astimezone(zone).strftime("%H:%M")
    parts = [f"Email {when}: {report.failed} not sent" if report.failed else f"Email {when}"]
    if report.sent:
        parts.append(f"{report.sent} sent")
    parts.append(f"{report.pending} waiting")
    return " · ".join(parts)


class MailStatusLabel(QLabel):
    """The status-bar corner showing the last email delivery; hidden while email is off.

    Args:
        runner: the delivery runner it follows.
        zone: the desk's time zone for the time of the last run.
        parent: the Qt parent (the status bar).
    """

    def __init__(self, runner: MailDeliveryRunner, zone, parent=None) -> None:
        super().__init__("", parent)
        self.setObjectName("mailStatusLabel")
        self.setAccessibleName("mailStatusLabel")
        self._runner = runner
        self._zone = zone
        runner.delivered.connect(self._on_runner_delivered)
        runner.delivery_failed.connect(self._on_runner_delivery_failed)
        self.hide()

    def _on_runner_delivered(self, report: MailDeliveryReport | None) -> None:
        if report is None:
            self.hide()
            return
        at = self._runner.last_run_at
        self.setText(describe_mail_report(report, at, self._zone) if at else "")
        self.setStyleSheet("color: #b91c1c; font-weight: 600;" if report.failed else "")
        self.setToolTip(
            f"Emails are kept and retried every 30 s. Last error: {report.last_error}"
            if report.last_error
            else "Acknowledgement and resolution emails to clients"
        )
        self.show()

    def _on_runner_delivery_failed(self, message: str) -> None:
        self.setText("Email delivery failed")
        self.setStyleSheet("color: #b91c1c; font-weight: 600;")
        self.setToolTip(f"Emails are kept and retried every 30 s. {message}")
        self.show()


def install(window, *, environ: Mapping[str, str] | None = None) -> MailDeliveryRunner:
    """Deliver client email for this window: the 30 s runner, a run right after each case
    change (an email may just have been queued) and the status-bar corner. The timer stops
    on ``aboutToQuit`` and with ``window.shutdown()``.

    Returns:
        The runner (started).
    """
    ui = window.ui_context
    runner = MailDeliveryRunner(ui.services.context, window.pool, window, environ=environ)
    status = MailStatusLabel(runner, ui.desk_zone, window.statusBar())
    window.statusBar().addPermanentWidget(status)
    window.detail.case_changed.connect(lambda _case_id: runner.deliver_now())
    application = QCoreApplication.instance()
    if application is not None:
        application.aboutToQuit.connect(runner.stop)
    runner.start()
    return runner
