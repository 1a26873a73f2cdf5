"""Long exports off the UI thread: a worker with progress and cancel, and its progress dialog."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from desktop_helpdesk.services.reporting.packs import ReportPack
from desktop_helpdesk.services.reporting.writers import (
    ExportCancelled,
    ExportFormat,
    write_csv,
    write_xlsx,
)
from desktop_helpdesk.storage.db import database

log = logging.getLogger(__name__)

PackBuilder = Callable[[Callable[[int, int], None], Callable[[], bool]], ReportPack]


def write_pack(pack: ReportPack, export_format: ExportFormat, path: Path,
               progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> Path:
    """Write ``pack`` in ``export_format`` (PDF through Qt's writer, the rest in services)."""
    if export_format is ExportFormat.CSV:
        return write_csv(pack.tables, path, progress=progress, cancelled=cancelled)
    if export_format is ExportFormat.XLSX:
        return write_xlsx(pack.tables, path, progress=progress, cancelled=cancelled)
    from desktop_helpdesk.ui.supervisor.pdf_report import write_pdf

    write_pdf(pack, path, progress=progress, cancelled=cancelled)
    return Path(path)


class ExportSignals(QObject):
    """Signals of one export job, delivered on the UI thread.

    Signals:
        progressed(int, int): work done and total (rows, then pages for PDF).
        finished(object): the path written.
        cancelled(): the user cancelled; no file was left.
        failed(object): the exception.
    """

    progressed = Signal(int, int)
    finished = Signal(object)
    cancelled = Signal()
    failed = Signal(object)


class ExportJob(QRunnable):
    """Builds a report pack and writes it, in its own database connection.

    Args:
        build: ``build(progress, cancelled) -> ReportPack`` (runs queries; no widgets).
        export_format: file format.
        path: destination.
    """

    def __init__(self, build: PackBuilder, export_format: ExportFormat, path: Path) -> None:
        super().__init__()
        self._build = build
        self._format = export_format
        self._path = Path(path)
        self._cancel = threading.Event()
        self.signals = ExportSignals()

    def cancel(self) -> None:
        """Ask the job to stop at its next progress check (thread-safe)."""
        self._cancel.set()

    def run(self) -> None:
        try:
            with database.connection_context():
                pack = self._build(self.signals.progressed.emit, self._cancel.is_set)
                write_pack(pack, self._format, self._path, self.signals.progressed.emit,
                           self._cancel.is_set)
        except ExportCancelled:
            self.signals.cancelled.emit()
            return
        except Exception as exc:  # noqa: BLE001 - shown to the user as a message
            log.exception("export to %s failed", self._path)
            self.signals.failed.emit(exc)
            return
        self.signals.finished.emit(self._path)


class ExportRunner(QObject):
    """Starts export jobs on a private pool and shows a cancellable progress dialog.

    Signals:
        export_finished(object): the path written.
        export_failed(str): a sentence for the user.
        export_cancelled(): cancelled by the user.
    """

    export_finished = Signal(object)
    export_failed = Signal(str)
    export_cancelled = Signal()

    def __init__(self, parent_widget: QWidget, *, show_dialog: bool = True) -> None:
        super().__init__(parent_widget)
        self._parent_widget = parent_widget
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._show_dialog = show_dialog
        self._job: ExportJob | None = None
        self._dialog: QProgressDialog | None = None

    @property
    def busy(self) -> bool:
        return self._job is not None

    def start(self, build: PackBuilder, export_format: ExportFormat, path: Path,
              label: str) -> ExportJob:
        """Run one export in the background; the dialog's Cancel stops it."""
        job = ExportJob(build, export_format, path)
        self._job = job
        job.setAutoDelete(False)  # we keep it until its signals fired
        if self._show_dialog:
            dialog = QProgressDialog(label, "Cancel", 0, 0, self._parent_widget)
            dialog.setObjectName("exportProgressDialog")
            dialog.setWindowTitle("Exporting")
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
            dialog.setMinimumDuration(300)
            dialog.canceled.connect(job.cancel)
            self._dialog = dialog
        job.signals.progressed.connect(self._on_job_progressed)
        job.signals.finished.connect(self._on_job_finished)
        job.signals.failed.connect(self._on_job_failed)
        job.signals.cancelled.connect(self._on_job_cancelled)
        self._pool.start(job)
        return job

    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()

    def wait(self, msecs: int = 30_000) -> bool:
        return self._pool.waitForDone(msecs)

    def _on_job_progressed(self, done: int, total: int) -> None:
        if self._dialog is not None:
            self._dialog.setMaximum(max(total, 1))
            self._dialog.setValue(min(done, max(total, 1)))

    def _close(self) -> None:
        self._job = None
        if self._dialog is not None:
            self._dialog.canceled.disconnect()
            self._dialog.reset()
            self._dialog.deleteLater()
            self._dialog = None

    def _on_job_finished(self, path) -> None:
        self._close()
        self.export_finished.emit(path)

    def _on_job_failed(self, exc) -> None:
        self._close()
        self.export_failed.emit(str(exc))

    def _on_job_cancelled(self) -> None:
        self._close()
        self.export_cancelled.emit()


class CaseListExporter(QObject):
    """Exports the main list's queue or search (its visible columns) to CSV, XLSX or PDF.

    For the case list's "Export…" action: asks for a file (the extension picks the format)
    and runs the export in the background with a cancellable progress dialog.

    Signals:
        finished(object): the path written.
        failed(str): a sentence for the user.
    """

    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, parent_widget: QWidget, context, *,
                 choose_path: Callable[[str], str] | None = None,
                 show_dialog: bool = True) -> None:
        super().__init__(parent_widget)
        self._parent_widget = parent_widget
        self._context = context
        self._choose_path = choose_path or self._ask_path
        self.runner = ExportRunner(parent_widget, show_dialog=show_dialog)
        self.runner.export_finished.connect(self.finished)
        self.runner.export_failed.connect(self.failed)

    def export(self, queue, *, search: str = "", member_id: int | None = None,
               columns=None, sort_column=None, descending: bool = False, criteria=None,
               filter_name: str = "") -> bool:
        """Ask for a file and start the export; False when the user chose no file."""
        from desktop_helpdesk.services.reporting.case_list_export import (
            DEFAULT_CASE_COLUMNS,
            case_list_pack,
        )

        suggested = f"cases-{'search' if search else 'filter' if criteria is not None else queue.value}.xlsx"
        chosen = self._choose_path(suggested)
        if not chosen:
            return False
        path = Path(chosen)
        try:
            export_format = ExportFormat(path.suffix.lower().lstrip("."))
        except ValueError:
            path = path.with_suffix(".xlsx")
            export_format = ExportFormat.XLSX
        context = self._context
        visible = tuple(columns or DEFAULT_CASE_COLUMNS)
        # The file lists cases in the order the member sees them on screen.
        order = {} if sort_column is None else {"sort_column": sort_column, "descending": descending}

        def build(progress, cancelled):
            return case_list_pack(context, queue, member_id=member_id, search=search,
                                  columns=visible, progress=progress, cancelled=cancelled,
                                  criteria=criteria, filter_name=filter_name, **order)

        self.runner.start(build, export_format, path, "Exporting cases\u2026")
        return True

    def _ask_path(self, suggested: str) -> str:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(
            self._parent_widget, "Export cases", suggested,
            "Excel workbook (*.xlsx);;CSV (*.csv);;PDF report (*.pdf)")
        return path
