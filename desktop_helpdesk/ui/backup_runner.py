""""Back up now" from the window: the backup (SQLite's online backup API, rotation, the day's
audit anchor) runs in the worker pool. The scheduled backup is a team job (``BackupJob``)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from desktop_helpdesk.services.backups import BackupRun, run_backup
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.ui.workers import WorkerPool

log = logging.getLogger(__name__)


class BackupRunner(QObject):
    """Runs one backup at a time in the window's pool, for the member who asked.

    Signals:
        backed_up(object): a ``BackupRun``.
        backup_failed(str): why a backup failed or was refused (also logged).
    """

    backed_up = Signal(object)
    backup_failed = Signal(str)

    def __init__(self, context: ServiceContext, database_path: Path, pool: WorkerPool,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backupRunner")
        self._context = context
        self._path = database_path
        self._pool = pool
        self._running = False
        self.last_run: BackupRun | None = None

    def run(self, *, actor_id: int | None, force: bool = True) -> bool:
        """Back up in the pool (``force``: even if one was taken recently). False when one is
        already running."""
        if self._running:
            return False
        self._running = True
        self._pool.submit(lambda: run_backup(self._context, self._path, actor_id=actor_id, force=force),
                          on_finished=self._on_finished, on_failed=self._on_failed)
        return True

    def _on_finished(self, result: BackupRun | None) -> None:
        self._running = False
        if result is None:
            return
        self.last_run = result
        log.info("backup %s (%d old removed); audit chain: %s", result.backup, len(result.removed),
                 result.chain_summary)
        self.backed_up.emit(result)

    def _on_failed(self, error: Exception) -> None:
        self._running = False
        log.warning("backup failed: %s", error)
        self.backup_failed.emit(str(error))


def install(window, database_path: Path | None) -> BackupRunner | None:
    """The window's "Back up now" runner for a SQLite database (None for PostgreSQL, which is
    backed up with pg_dump); its outcome shows in the status bar."""
    if database_path is None:
        return None
    runner = BackupRunner(window.ui_context.services.context, database_path, window.pool, window)
    say = window.statusBar().showMessage
    runner.backed_up.connect(lambda run: say(f"Backed up to {run.backup}"))
    runner.backup_failed.connect(lambda text: say(f"Backup failed: {text}"))
    return runner
