"""Client email in the window: delivers the mail outbox every 30 s (and right after a case
change) in a worker, and shows how it went in the status bar."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QLabel

from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.mail import MailDeliveryReport, deliver_configured_mail
from desktop_helpdesk.ui.outbox_runner import OutboxRunner
from desktop_helpdesk.ui.workers import WorkerPool

log = logging.getLogger(__name__)

MAIL_INTERVAL_MS = 30_000
MAIL_BATCH = 50
# The run shares the window's two pool threads with the case list, and the window waits for
# the pool when it closes: a silent (firewalled) server must give up well before that wait.
MAIL_TIMEOUT_SECONDS = 8.0


def mail_delivery_runner(context: ServiceContext, pool: WorkerPool, parent: QObject | None = None, *,
                         interval_ms: int = MAIL_INTERVAL_MS,
                         environ: Mapping[str, str] | None = None) -> OutboxRunner:
    """The runner that sends pending client emails with the team's SMTP settings.

    Nothing is sent while email is not set up (the run then reports None).

    Args:
        context: the services context (SMTP settings; its clock stamps sent emails).
        pool: the worker pool the runs go to.
        parent: the Qt parent (the main window, whose shutdown stops child timers too).
        interval_ms: time between runs.
        environ: where the SMTP password is read (default the process environment).

    Returns:
        The runner (not started); its ``ran`` signal carries a ``MailDeliveryReport`` or None.
    """
    return OutboxRunner(
        context, pool,
        lambda: deliver_configured_mail(context, environ=environ, limit=MAIL_BATCH,
                                        timeout=MAIL_TIMEOUT_SECONDS),
        parent, name="mailDelivery", interval_ms=interval_ms,
    )


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

    def __init__(self, runner: OutboxRunner, zone, parent=None) -> None:
        super().__init__("", parent)
        self.setObjectName("mailStatusLabel")
        self.setAccessibleName("mailStatusLabel")
        self._runner = runner
        self._zone = zone
        runner.ran.connect(self._on_runner_delivered)
        runner.run_failed.connect(self._on_runner_delivery_failed)
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


def install(window, *, environ: Mapping[str, str] | None = None) -> OutboxRunner:
    """Deliver client email for this window: the 30 s runner, a run right after each case
    change (an email may just have been queued) and the status-bar corner. The timer stops
    on ``aboutToQuit`` and with ``window.shutdown()``.

    Returns:
        The runner (started).
    """
    ui = window.ui_context
    runner = mail_delivery_runner(ui.services.context, window.pool, window, environ=environ)
    status = MailStatusLabel(runner, ui.desk_zone, window.statusBar())
    window.statusBar().addPermanentWidget(status)
    window.detail.case_changed.connect(lambda _case_id: runner.run_now())
    application = QCoreApplication.instance()
    if application is not None:
        application.aboutToQuit.connect(runner.stop)
    runner.start()
    return runner
