"""Email intake in the window: the status-bar line (the polling itself is the team job
``mail-intake`` run by ``team_jobs``), "Import email…" and .eml drops, the Email tab
(Quarantine) and "Show original"."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QToolBar, QToolButton, QWidget

from desktop_helpdesk.services.jobs import JobOutcome
from desktop_helpdesk.services.leases import MAIL_INTAKE
from desktop_helpdesk.services.mail_imap import IntakeStatus, intake_status
from desktop_helpdesk.services.mail_intake import (
    IntakeResult,
    MailIntakeService,
    MailSource,
    Outcome,
)
from desktop_helpdesk.ui.form_fields import named
from desktop_helpdesk.ui.resources import icon
from desktop_helpdesk.ui.team_jobs import TeamJobRunner, describe_holder
from desktop_helpdesk.ui.workers import WorkerPool

log = logging.getLogger(__name__)

EMAIL_SUFFIXES = (".eml",)
FileChooser = Callable[[QWidget], list[str]]


def choose_email_files(parent: QWidget) -> list[str]:
    """Ask for .eml files with the platform's dialog; [] when cancelled."""
    files, _filter = QFileDialog.getOpenFileNames(
        parent, "Import email", "", "Email messages (*.eml);;All files (*)")
    return files


def import_files(intake: MailIntakeService, paths: list[str]) -> list[tuple[str, IntakeResult | str]]:
    """Import .eml files (worker thread): each file's result, or why it could not be read."""
    results: list[tuple[str, IntakeResult | str]] = []
    for name in paths:
        path = Path(name)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            results.append((name, f"cannot be read ({exc.strerror or exc})"))
            continue
        results.append((name, intake.process(raw, MailSource("eml", path.name))))
    return results


def describe_import(results: list[tuple[str, IntakeResult | str]]) -> str:
    """ "Imported 3 emails: 2 new cases (2026-00041, 2026-00042), 1 quarantined"."""
    counts: dict[str, int] = {}
    numbers: list[str] = []
    unreadable = 0
    for _name, result in results:
        if isinstance(result, str):
            unreadable += 1
            continue
        counts[result.outcome.value] = counts.get(result.outcome.value, 0) + 1
        if result.outcome in (Outcome.NEW_CASE, Outcome.THREADED) and result.case_number:
            numbers.append(result.case_number)
    labels = {"new_case": "new case", "threaded": "reply on a case", "auto_reply": "automatic reply",
              "bounce": "bounce", "duplicate": "duplicate", "quarantined": "quarantined"}
    parts = [f"{count} {labels[outcome]}{'s' if count > 1 and outcome not in ('quarantined',) else ''}"
             for outcome, count in counts.items()]
    if unreadable:
        parts.append(f"{unreadable} unreadable")
    text = f"Imported {len(results)} email{'s' if len(results) != 1 else ''}: " + ", ".join(parts)
    if numbers:
        text += f" ({', '.join(numbers[:5])}{'…' if len(numbers) > 5 else ''})"
    return text


class IntakeStatusLabel(QLabel):
    """The status-bar corner for email intake: last good fetch, errors, quarantined count."""

    def __init__(self, zone, parent=None) -> None:
        super().__init__("", parent)
        named(self, "intakeStatusLabel")
        self._zone = zone
        self.hide()

    def show_status(self, status: IntakeStatus, holder: str = "") -> None:
        """Show the intake's state; hidden when intake is off and nothing is quarantined."""
        if not status.configured and not status.quarantined:
            self.hide()
            return
        parts = []
        if status.configured:
            if status.last_good_fetch is not None:
                parts.append(f"Mail in {status.last_good_fetch.astimezone(self._zone):%H:%M}")
            else:
                parts.append("Mail in: no fetch yet")
        if status.quarantined:
            parts.append(f"{status.quarantined} quarantined")
        failing = bool(status.last_error)
        if failing:
            parts.insert(0, "Mail in: server problem")
        self.setText(" · ".join(parts))
        self.setStyleSheet("color: #b91c1c; font-weight: 600;" if failing else "")
        self.setToolTip(status.describe() + (f"\nThe mailbox is read by {holder}." if holder else ""))
        self.show()


class _EmailDropFilter(QObject):
    """Accepts .eml files dropped anywhere on the window that takes no drop itself."""

    def __init__(self, on_files: Callable[[list[str]], None], parent: QObject) -> None:
        super().__init__(parent)
        self._on_files = on_files

    @staticmethod
    def _emails(event) -> list[str]:
        mime = event.mimeData()
        if mime is None or not mime.hasUrls():
            return []
        return [url.toLocalFile() for url in mime.urls()
                if url.isLocalFile() and url.toLocalFile().lower().endswith(EMAIL_SUFFIXES)]

    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if self._emails(event):
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.Drop:
            files = self._emails(event)
            if files:
                event.acceptProposedAction()
                self._on_files(files)
                return True
        return False


class MailIntakeController(QObject):
    """Wires email intake into one window: the status label (after each ``mail-intake`` round
    of the team jobs, whichever workstation ran it), the import action, .eml drops, the Email
    tab and "Show original" from the case timeline.

    Args:
        window: the main window.
        choose_files: asks for .eml files (tests pass a fake).
    """

    def __init__(self, window, *, choose_files: FileChooser | None = None) -> None:
        super().__init__(window)
        self.setObjectName("mailIntakeController")
        self._window = window
        ui = window.ui_context
        self._ui = ui
        self._intake: MailIntakeService = ui.services.mail_intake
        self._choose_files = choose_files or choose_email_files
        self._holder = ""
        self.last_import: list = []
        self.status_label = IntakeStatusLabel(ui.desk_zone, window.statusBar())
        window.statusBar().addPermanentWidget(self.status_label)

        self.action_import = QAction(icon("email"), "Import email…", window)
        self.action_import.setObjectName("actionImportEmail")
        self.action_import.setShortcut(QKeySequence("Ctrl+Shift+I"))
        self.action_import.setToolTip("Import .eml files as if they had arrived by email "
                                      "(or drop them on the window) (Ctrl+Shift+I)")
        self.action_import.triggered.connect(self.import_email)
        _add_to_toolbar(window, self.action_import)

        window.setAcceptDrops(True)
        self._drop_filter = _EmailDropFilter(self.import_paths, self)
        window.installEventFilter(self._drop_filter)

        from desktop_helpdesk.ui.widgets.email_views import EmailPanel

        pool: WorkerPool = window.pool
        self.panel = EmailPanel(ui, pool, window)
        self.panel.changed.connect(self._on_panel_changed)
        self.panel.poll_requested.connect(self.poll_now)
        window.add_panel("Email", self.panel, "emailPanel")
        self.runner: TeamJobRunner | None = window.findChild(TeamJobRunner, "teamJobRunner")
        if self.runner is not None:
            self.runner.ran.connect(self._on_runner_ran)
        self._hook_timeline()
        self.refresh_status()

    # -- status ----------------------------------------------------------------------------
    def refresh_status(self) -> None:
        """Read the intake status in a worker and show it (status bar and Email tab)."""
        self._window.pool.submit(intake_status, self._ui.services.context,
                                 on_finished=self._on_status_loaded, on_failed=self._on_failed)

    def _on_status_loaded(self, status: IntakeStatus) -> None:
        self.status_label.show_status(status, self._holder)
        self.panel.show_status(status, self._holder)

    def poll_now(self) -> None:
        """Poll the mailbox now (if this window holds the intake lease; else just refresh)."""
        if self.runner is None or not self.runner.run_now(MAIL_INTAKE):
            self.refresh_status()

    def _on_runner_ran(self, outcomes: Mapping[str, JobOutcome]) -> None:
        outcome = outcomes.get(MAIL_INTAKE)
        if outcome is None:
            return
        self._holder = describe_holder(outcome)
        report = outcome.report
        if report is not None and (report.counters.get(Outcome.NEW_CASE.value)
                                   or report.counters.get(Outcome.THREADED.value)):
            self._window.ticker.refresh_due.emit()
        if report is not None and report.counters.get("fetched"):
            self.panel.reload()
        self.refresh_status()

    # -- import ----------------------------------------------------------------------------
    def import_email(self) -> None:
        """Ask for .eml files and import them in a worker."""
        files = self._choose_files(self._window)
        if files:
            self.import_paths(files)

    def import_paths(self, paths: list[str]) -> None:
        """Import these .eml files in a worker; the status bar says what they became."""
        self._window.statusBar().showMessage(f"Importing {len(paths)} email(s)…")
        self._window.pool.submit(import_files, self._intake, list(paths),
                                 on_finished=self._on_imported, on_failed=self._on_failed)

    def _on_imported(self, results) -> None:
        self.last_import = results
        self._window.statusBar().showMessage(describe_import(results), 20_000)
        self._window.ticker.refresh_due.emit()
        self.panel.reload()
        self.refresh_status()

    def _on_failed(self, error: Exception) -> None:
        self._window.statusBar().showMessage(f"Email intake: {error}", 20_000)

    def _on_panel_changed(self) -> None:
        self._window.ticker.refresh_due.emit()
        self.refresh_status()

    # -- show original from the case timeline ---------------------------------------------
    def _hook_timeline(self) -> None:
        from desktop_helpdesk.ui.widgets.timeline_tab import TimelineTab

        tab = self._window.findChild(TimelineTab)
        if tab is None:
            return
        self._timeline = tab
        tab.timeline_view.doubleClicked.connect(self._on_timeline_double_clicked)
        tab.timeline_view.setToolTip("Double-click an email to see its headers and original source")

    def _on_timeline_double_clicked(self, index) -> None:
        entries = self._timeline.timeline_model.entries()
        if not 0 <= index.row() < len(entries):
            return
        entry = entries[index.row()]
        if entry.kind != "interaction" or entry.channel != "email" or entry.ref_id is None:
            return
        self.open_email_for_interaction(entry.ref_id)

    def open_email_for_interaction(self, interaction_id: int) -> None:
        """Open the stored email an interaction came from (in a worker, then a dialog)."""
        def found(info) -> None:
            if info is None:
                self._window.statusBar().showMessage(
                    "This email was typed by an agent; there is no original message", 8000)
                return
            self.panel.open_email(info.id)

        self._window.pool.submit(self._intake.inbound_for_interaction, interaction_id,
                                 on_finished=found, on_failed=self._on_failed)


def _add_to_toolbar(window, action: QAction) -> None:
    toolbar = window.findChild(QToolBar, "mainToolBar")
    if toolbar is None:
        window.addAction(action)
        return
    spacer = next(
        (a for a in toolbar.actions() if not isinstance(toolbar.widgetForAction(a), QToolButton)), None)
    if spacer is None:
        toolbar.addAction(action)
    else:
        toolbar.insertAction(spacer, action)


def install(window, *, choose_files: FileChooser | None = None) -> MailIntakeController:
    """Email intake for this window (install ``team_jobs`` first: its runner polls the mailbox
    when this workstation holds the ``mail-intake`` lease).

    Returns:
        The controller.
    """
    return MailIntakeController(window, choose_files=choose_files)
