"""Scheduled backups from the window: a coarse timer checks whether one is due, and the backup
(SQLite's online backup API, rotation, the day's audit anchor) runs in the worker pool."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from desktop_helpdesk.services.backups import BackupRun, run_backup
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.ui.workers import WorkerPool

log = logging.getLogger(__name__)

CHECK_INTERVAL_MS = 15 * 60 * 1000


class BackupScheduler(QObject):
    """Takes a backup when the newest in the folder is older than the team's interval.

    Any workstation with the window open may take it (the folder, not a flag, says whether one
    is due, so a second workstation finds it done). One run at a time; the timer is a child of
    the window, which stops it on shutdown.

    Signals:
        backed_up(object): a ``BackupRun``.
        backup_failed(str): why a backup failed (also logged).
    """

    backed_up = Signal(object)
    backup_failed = Signal(str)

    def __init__(self, context: ServiceContext, database_path: Path, pool: WorkerPool,
                 parent: QObject | None = None, *, interval_ms: int = CHECK_INTERVAL_MS) -> None:
        super().__init__(parent)
        self.setObjectName("backupScheduler")
        self._context = context
        self._path = database_path
        self._pool = pool
        self._running = False
        self.last_run: BackupRun | None = None
        self.timer = QTimer(self)
        self.timer.setObjectName("backupTimer")
        self.timer.setInterval(interval_ms)
        self.timer.setTimerType(Qt.TimerType.VeryCoarseTimer)
        self.timer.timeout.connect(self._on_timer_timeout)

    def start(self) -> None:
        """Start checking (now, then on every tick)."""
        self.timer.start()
        self.run(force=False)

    def run(self, *, force: bool = True, actor_id: int | None = None) -> bool:
        """Back up in the pool (``force``: even if not due). False when one is running."""
        if self._running:
            return False
        self._running = True
        self._pool.submit(self._work, force, actor_id, on_finished=self._on_finished,
                          on_failed=self._on_failed)
        return True

    def _work(self, force: bool, actor_id: int | None) -> BackupRun | None:
        return run_backup(self._context, self._path, actor_id=actor_id, force=force)

    def _on_timer_timeout(self) -> None:
        self.run(force=False)

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


def install(window, database_path: Path | None) -> BackupScheduler | None:
    """Schedule backups of a SQLite database from this window (the account menu offers "Back
    up now" to supervisors and admins). PostgreSQL (``database_path`` None) uses pg_dump.

    Returns:
        The scheduler (started), or None for PostgreSQL.
    """
    if database_path is None:
        return None
    scheduler = BackupScheduler(window.ui_context.services.context, database_path, window.pool, window)
    say = window.statusBar().showMessage
    scheduler.backed_up.connect(lambda run: say(f"Backed up to {run.backup}"))
    scheduler.backup_failed.connect(lambda text: say(f"Backup failed: {text}"))
    scheduler.start()
    return scheduler
