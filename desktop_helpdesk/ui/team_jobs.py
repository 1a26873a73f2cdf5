"""The window's share of the team jobs: one runner on the worker pool, holding leases, and
the status-bar corners saying who delivers and how it went."""

from __future__ import annotations

import html
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from desktop_helpdesk.services.deliveries import DeliveryAlerts
from desktop_helpdesk.services.jobs import JobOutcome, JobReport, JobScheduler, team_jobs
from desktop_helpdesk.services.leases import CRM_DELIVERY, MAIL_SEND, HolderIdentity, LeaseService
from desktop_helpdesk.ui.form_fields import named
from desktop_helpdesk.ui.workers import WorkerPool

log = logging.getLogger(__name__)

# How often the runner looks at the scheduler: jobs run on their own intervals (30 s, 60 s),
# leases are renewed every 20 s; a 5 s look keeps both on time without a pass doing anything.
TICK_MS = 5_000
ERROR_STYLE = "color: #b91c1c; font-weight: 600;"


@dataclass
class _Passes:
    """The runner's passes: whether one is in the pool, and whether another was asked for
    while it ran (it runs right after, once however often it was asked)."""

    running: bool = False
    again: bool = False


class TeamJobRunner(QObject):
    """Runs ``JobScheduler.run_due`` in the window's worker pool, one pass at a time.

    A pass holds (or tries to take) each job's lease and runs the due rounds; the rounds never
    touch a widget. A request during a pass is remembered and run right after it. ``stop()``
    stops the timer and tells a running round to end after its current item;
    ``hand_on()`` then releases the leases in the pool (before the pool is closed) so another
    workstation takes over at once.

    Signals:
        ran(object): a pass finished: ``dict[lease name, JobOutcome]`` of the jobs it visited.
        alerts_changed(object): after each pass, the team's ``DeliveryAlerts`` (parked
            deliveries, a disabled webhook) whoever delivers.
        run_failed(str): a pass raised (e.g. the database was unavailable).

    Args:
        scheduler: the jobs and this process's leases.
        pool: the worker pool the passes go to.
        clock_now: stamps ``last_run_at``.
        parent: the Qt parent (the main window).
        tick_ms: how often to look for due work.
    """

    ran = Signal(object)
    alerts_changed = Signal(object)
    run_failed = Signal(str)

    def __init__(self, scheduler: JobScheduler, pool: WorkerPool, clock_now, parent: QObject | None = None,
                 *, tick_ms: int = TICK_MS, alerts: Callable[[], DeliveryAlerts] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("teamJobRunner")
        self.scheduler = scheduler
        self._alerts = alerts
        self._pool = pool
        self._clock_now = clock_now
        self._passes = _Passes()
        # Set by stop(); the pass in the pool reads it too, to end after its current item.
        self._stopped = threading.Event()
        self.last_outcomes: dict[str, JobOutcome] = {}
        self.last_run_at: datetime | None = None
        self.timer = QTimer(self)
        self.timer.setObjectName("teamJobTimer")
        self.timer.setInterval(tick_ms)
        self.timer.setTimerType(Qt.TimerType.VeryCoarseTimer)
        self.timer.timeout.connect(self._on_timer_timeout)

    @property
    def running(self) -> bool:
        """A pass is in progress in the pool."""
        return self._passes.running

    def start(self) -> None:
        """Start the timer and run a pass right away."""
        self._stopped.clear()
        self.timer.start()
        self.run_now()

    def stop(self) -> None:
        """Stop the timer; a running round ends after its current item and is still reported."""
        self._stopped.set()
        self._passes.again = False
        self.timer.stop()

    def hand_on(self) -> None:
        """Stop and release this window's leases in the pool (call before the pool closes)."""
        self.stop()
        self._pool.submit(self.scheduler.release_all, on_finished=lambda _result: None)

    def run_now(self, lease_name: str | None = None) -> bool:
        """Run ``lease_name`` (or every job) now, interval or not.

        Returns:
            False when stopped, or when a pass is going (the request runs right after it).
        """
        if self._stopped.is_set():
            return False
        self.scheduler.request(lease_name)
        if self._passes.running:
            self._passes.again = True
            return False
        self._submit_pass()
        return True

    def _submit_pass(self) -> None:
        self._passes.running = True
        self._pool.submit(self._one_pass, on_finished=self._on_pass_finished, on_failed=self._on_pass_failed)

    def _one_pass(self):
        # Worker thread: the jobs, then what the team must be warned about (two small counts).
        outcomes = self.scheduler.run_due(self._stopped.is_set)
        return outcomes, (self._alerts() if self._alerts is not None else None)

    def _on_timer_timeout(self) -> None:
        if self._passes.running or self._stopped.is_set():
            return
        self._submit_pass()

    def _finish_pass(self) -> None:
        self._passes.running = False
        self.last_run_at = self._clock_now()
        if self._passes.again and not self._stopped.is_set():
            self._passes.again = False
            self._submit_pass()

    def _on_pass_finished(self, result) -> None:
        outcomes, alerts = result
        visited = {outcome.lease_name: outcome for outcome in outcomes}
        self.last_outcomes.update(visited)
        self._finish_pass()
        if alerts is not None:
            self.alerts_changed.emit(alerts)
        if visited:
            self.ran.emit(visited)

    def _on_pass_failed(self, error: Exception) -> None:
        log.warning("team jobs pass failed: %s: %s", type(error).__name__, error)
        self._finish_pass()
        self.run_failed.emit(f"{type(error).__name__}: {error}")


def describe_holder(outcome: JobOutcome) -> str:
    """Who runs a job, for the status bar: "this workstation", "Dana Desk's window on desk-07"."""
    if outcome.held:
        return "this workstation"
    if outcome.holder is not None:
        return outcome.holder.description
    return "no workstation yet"


HOLDER_TOOLTIP = ("One workstation (or the headless worker) sends the whole team's client email and "
                  "CRM events; another takes over within 90 s if it stops.")


class DeliveriesHolderLabel(QLabel):
    """The status-bar corner saying which workstation runs the team's deliveries, with a red
    warning (a link to Administration → Deliveries) while anything is parked or the CRM
    disabled the webhook.

    Signals:
        open_requested(): the warning link was clicked.

    Args:
        runner: the runner it follows.
        parent: the Qt parent (the status bar).
    """

    open_requested = Signal()

    def __init__(self, runner: TeamJobRunner, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        named(self, "deliveriesHolderLabel")
        self.setToolTip(HOLDER_TOOLTIP)
        self.setTextFormat(Qt.TextFormat.RichText)
        self._holder = ""
        self._alerts: DeliveryAlerts | None = None
        self.linkActivated.connect(lambda _link: self.open_requested.emit())
        runner.ran.connect(self._on_runner_ran)
        runner.alerts_changed.connect(self._on_runner_alerts_changed)
        self.hide()

    @property
    def warning(self) -> str:
        """The warning shown (plain text), "" when none."""
        alerts = self._alerts
        if alerts is None or not alerts.any:
            return ""
        parts = []
        if alerts.parked:
            parts.append(f"{alerts.parked} parked")
        if alerts.webhook_disabled:
            parts.append("CRM webhook disabled")
        return "⚠ " + ", ".join(parts)

    def _on_runner_ran(self, outcomes: Mapping[str, JobOutcome]) -> None:
        outcome = outcomes.get(CRM_DELIVERY) or outcomes.get(MAIL_SEND)
        if outcome is None:
            return
        self._holder = f"Deliveries: {html.escape(describe_holder(outcome), quote=False)}"
        self._update()

    def _on_runner_alerts_changed(self, alerts: DeliveryAlerts) -> None:
        self._alerts = alerts
        self._update()

    def _update(self) -> None:
        warning = self.warning
        parts = [self._holder] if self._holder else []
        if warning:
            parts.append(f'<a href="deliveries" style="color:#b91c1c; font-weight:600;">{html.escape(warning, quote=False)}</a>')
            self.setToolTip(f"{HOLDER_TOOLTIP}\nSome deliveries need a person: click to open "
                            "Administration → Deliveries."
                            + (f"\nThe CRM said: {self._alerts.webhook_disabled}" if self._alerts.webhook_disabled else ""))
        else:
            self.setToolTip(HOLDER_TOOLTIP)
        self.setText(" · ".join(parts))
        self.setVisible(bool(parts))


def describe_report(title: str, report: JobReport, at: datetime, zone) -> str:
    """``"CRM 10:42 · 3 sent · 0 waiting"`` (a failure is named first: ``"CRM 10:42: 2 failed · ..."``)."""
    when = at.astimezone(zone).strftime("%H:%M")
    head = f"{title} {when}: problem" if report.problem and not report.counters.get("sent") else f"{title} {when}"
    return f"{head} · {report.text}"


class JobStatus(QWidget):
    """A status-bar corner with the last round of one job and, optionally, a "now" button.

    Hidden while the job is not set up, so agents on a team without a CRM (or email) see nothing.

    Args:
        runner: the runner it follows.
        lease_name: the job it shows.
        title: "CRM" or "Email".
        zone: the desk's time zone for the time of the last round.
        action: shown as a button next to the text (None: no button).
        parent: the Qt parent (the status bar).
    """

    def __init__(self, runner: TeamJobRunner, lease_name: str, title: str, zone,
                 action: QAction | None = None, parent: QWidget | None = None, *, name: str) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._runner = runner
        self._lease_name = lease_name
        self._title = title
        self._zone = zone
        self.label = QLabel("", self)
        self.label.setObjectName(f"{name}Label")
        self.label.setAccessibleName(f"{name}Label")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 4, 0)
        layout.setSpacing(4)
        layout.addWidget(self.label)
        if action is not None:
            self.button = QToolButton(self)
            self.button.setObjectName(f"{name}Button")
            self.button.setDefaultAction(action)
            self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self.button.setAutoRaise(True)
            layout.addWidget(self.button)
        runner.ran.connect(self._on_runner_ran)
        runner.run_failed.connect(self._on_runner_run_failed)
        self.hide()

    def _on_runner_ran(self, outcomes: Mapping[str, JobOutcome]) -> None:
        outcome = outcomes.get(self._lease_name)
        if outcome is None or not outcome.held:
            # Another workstation delivers: its own corner shows the details.
            if outcome is not None:
                self.hide()
            return
        if outcome.error:
            self._show_problem(f"{self._title} failed", outcome.error)
            return
        report = outcome.report
        if report is None or not report.configured:
            self.hide()
            return
        at = self._runner.last_run_at or datetime.now().astimezone()
        self.label.setText(describe_report(self._title, report, at, self._zone))
        self.label.setStyleSheet(ERROR_STYLE if report.problem else "")
        self.label.setToolTip(f"Kept and retried. Last error: {report.problem}" if report.problem
                              else f"{self._title}: delivered by this workstation")
        self.show()

    def _on_runner_run_failed(self, message: str) -> None:
        self._show_problem(f"{self._title} delivery failed", message)

    def _show_problem(self, text: str, tooltip: str) -> None:
        self.label.setText(text)
        self.label.setStyleSheet(ERROR_STYLE)
        self.label.setToolTip(tooltip)
        self.show()


def build_runner(window, *, environ: Mapping[str, str] | None = None) -> TeamJobRunner:
    """The runner for ``window`` (not started): the team's jobs under this window's leases."""
    ui = window.ui_context
    context = ui.services.context
    identity = HolderIdentity.of_this_process(f"{ui.member_name}'s window")
    leases = LeaseService(identity, context.clock)
    scheduler = JobScheduler(team_jobs(context, holder=identity.token, environ=environ), leases)
    return TeamJobRunner(scheduler, window.pool, context.now, window, alerts=ui.services.deliveries.alerts)


def install(window, *, environ: Mapping[str, str] | None = None) -> TeamJobRunner:
    """Run the team jobs from this window: the runner, "Sync to CRM now" (Ctrl+Shift+Y), a
    mail round right after each case change (an email may just have been queued), and the
    status-bar corners. The leases are handed on when the window closes.

    Returns:
        The runner (started).
    """
    ui = window.ui_context
    runner = build_runner(window, environ=environ)
    action = QAction("Sync to CRM now", window)
    action.setObjectName("actionCrmSync")
    action.setShortcut(QKeySequence("Ctrl+Shift+Y"))
    action.setToolTip("Deliver waiting case events to the CRM now (Ctrl+Shift+Y)")
    window.addAction(action)
    status_bar = window.statusBar()
    holder_label = DeliveriesHolderLabel(runner, status_bar)
    status_bar.addPermanentWidget(holder_label)

    def open_deliveries() -> None:
        from desktop_helpdesk.ui.admin import open_admin_dialog

        open_admin_dialog(window, "deliveries")

    holder_label.open_requested.connect(open_deliveries)
    status_bar.addPermanentWidget(JobStatus(runner, CRM_DELIVERY, "CRM", ui.desk_zone, action, status_bar,
                                            name="crmSyncStatus"))
    status_bar.addPermanentWidget(JobStatus(runner, MAIL_SEND, "Email", ui.desk_zone, None, status_bar,
                                            name="mailStatus"))

    def on_sync_now() -> None:
        if not runner.run_now(CRM_DELIVERY):
            status_bar.showMessage("CRM delivery is already running; it runs again right after.", 5_000)

    def after_manual_run(outcomes: Mapping[str, JobOutcome]) -> None:
        outcome = outcomes.get(CRM_DELIVERY)
        if outcome is None:
            return
        if not outcome.held:
            status_bar.showMessage(f"CRM delivery is run by {describe_holder(outcome)}.", 10_000)
        elif outcome.report is not None and not outcome.report.configured:
            status_bar.showMessage(outcome.report.text, 10_000)

    def on_triggered() -> None:
        runner.ran.connect(after_manual_run, Qt.ConnectionType.SingleShotConnection)
        on_sync_now()

    action.triggered.connect(on_triggered)
    window.detail.case_changed.connect(lambda _case_id: runner.run_now(MAIL_SEND))
    window.closing.connect(runner.hand_on)
    application = QCoreApplication.instance()
    if application is not None:
        application.aboutToQuit.connect(runner.stop)
    runner.start()
    return runner
