"""Online backups of a SQLite database (SQLite's backup API), their rotation, and restoring one."""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from desktop_helpdesk.services.audit_chain import AuditChainService
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.errors import ServiceError
from desktop_helpdesk.services.jobs import JobReport
from desktop_helpdesk.services.permissions import Actions, acting_member, require
from desktop_helpdesk.storage.dialect import database_file

log = logging.getLogger(__name__)

# The lease of the scheduled backup: one process of the team takes it (a window or the worker).
DATABASE_BACKUP = "database-backup"
# How often the job looks whether a backup is due (the interval itself is a team setting).
CHECK_EVERY_SECONDS = 15 * 60
KEEP_DAILY = 7
KEEP_WEEKLY = 4
_STAMP_FORMAT = "%Y%m%d-%H%M%S"
_SQLITE_HEADER = b"SQLite format 3\x00"


class BackupError(ServiceError):
    """A backup or restore that cannot be done; the message names the file and says why."""


@dataclass(frozen=True)
class BackupFile:
    """A backup in the backup folder and the instant it was taken (from its name)."""

    path: Path
    taken_at: datetime


def default_backup_folder(database_path: Path) -> Path:
    """Where backups go when the team set no folder: ``backups`` beside the database file."""
    return database_path.parent / "backups"


def backup_folder(database_path: Path, setting: str) -> Path:
    """The backup folder: the team's ``backup_folder`` setting, else the default."""
    return Path(setting).expanduser() if setting.strip() else default_backup_folder(database_path)


def backup_name(database_path: Path, taken_at: datetime) -> str:
    """``helpdesk-20261125-130000.sqlite3``: sortable, and parsed back by ``list_backups``."""
    return f"{database_path.stem}-{taken_at.astimezone(UTC):{_STAMP_FORMAT}}.sqlite3"


def list_backups(folder: Path, database_path: Path) -> list[BackupFile]:
    """The backups of ``database_path`` in ``folder``, newest first (other files are ignored)."""
    pattern = re.compile(re.escape(database_path.stem) + r"-(\d{8}-\d{6})\.sqlite3$")
    found = []
    if folder.is_dir():
        for path in folder.iterdir():
            match = pattern.match(path.name)
            if match:
                taken = datetime.strptime(match.group(1), _STAMP_FORMAT).replace(tzinfo=UTC)
                found.append(BackupFile(path, taken))
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def backups_to_keep(taken: list[datetime], *, daily: int = KEEP_DAILY, weekly: int = KEEP_WEEKLY) -> set[datetime]:
    """Which backups the rotation keeps: the newest of each of the last ``daily`` days that
    have a backup, and the newest of each of the last ``weekly`` ISO weeks.

    Args:
        taken: when each backup was taken.
        daily: days kept.
        weekly: weeks kept.

    Returns:
        The instants to keep (the others are deleted).

    Example:
        >>> days = [datetime(2026, 11, d, 13, tzinfo=UTC) for d in range(1, 31)]
        >>> sorted(k.day for k in backups_to_keep(days))
        [15, 22, 24, 25, 26, 27, 28, 29, 30]
    """
    keep: set[datetime] = set()
    days: set = set()
    weeks: set = set()
    for instant in sorted(taken, reverse=True):
        day = instant.date()
        if day not in days and len(days) < daily:
            days.add(day)
            keep.add(instant)
        week = instant.isocalendar()[:2]
        if week not in weeks and len(weeks) < weekly:
            weeks.add(week)
            keep.add(instant)
    return keep


def backup_due(folder: Path, database_path: Path, now: datetime, interval_hours: int) -> bool:
    """Whether a scheduled backup should run: scheduling is on and the newest backup is at
    least ``interval_hours`` old (or there is none)."""
    if interval_hours <= 0:
        return False
    newest = list_backups(folder, database_path)
    return not newest or now - newest[0].taken_at >= timedelta(hours=interval_hours)


def back_up(source: Path, destination: Path) -> Path:
    """Copy a live SQLite database to ``destination`` with SQLite's online backup API.

    Other workstations may keep working: the copy is a consistent snapshot. The copy is
    written beside the destination first, checked (``PRAGMA quick_check``) and only then
    renamed into place, so a failed backup never leaves a half file under the real name.

    Args:
        source: the database file.
        destination: the backup file to write (replaced if present).

    Returns:
        ``destination``.

    Raises:
        BackupError: the source is not a SQLite database, or the copy cannot be written.
    """
    _check_sqlite_file(source, "--db")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    try:
        reader = sqlite3.connect(str(source), timeout=30)
        writer = sqlite3.connect(str(partial))
        try:
            # Pages are copied in steps so a long backup lets other writers in between steps.
            reader.backup(writer, pages=4096)
            if writer.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(f"{destination}: the copy did not pass SQLite's check")
        finally:
            writer.close()
            reader.close()
        partial.replace(destination)
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"{destination}: cannot back up {source} ({exc})") from exc
    log.info("backed up %s to %s", source, destination)
    return destination


def scheduled_backup(database_path: Path, folder: Path, now: datetime) -> tuple[Path, list[Path]]:
    """Take a backup into ``folder`` and apply the rotation (7 daily, 4 weekly).

    Returns:
        The new backup and the old backups deleted by the rotation.

    Raises:
        BackupError: the backup failed (nothing is deleted then).
    """
    created = back_up(database_path, folder / backup_name(database_path, now))
    existing = list_backups(folder, database_path)
    keep = backups_to_keep([b.taken_at for b in existing])
    removed = []
    for backup in existing:
        if backup.taken_at not in keep:
            backup.path.unlink(missing_ok=True)
            removed.append(backup.path)
    return created, removed


@dataclass(frozen=True)
class BackupRun:
    """A finished backup: the file, the old backups rotated away, the day's audit anchor."""

    backup: Path
    removed: list[Path]
    anchor: Path | None
    chain_summary: str


def run_backup(context: ServiceContext, database_path: Path | None, *, actor_id: int | None,
               force: bool) -> BackupRun | None:
    """Take the team's backup if due (or ``force``), rotate, and write the day's audit anchor.

    Args:
        context: the services context (settings name the folder and interval; clock).
        database_path: the SQLite file (None: a PostgreSQL database, backed up with pg_dump).
        actor_id: the member asking for "Back up now" (supervisor or admin); None for the
            schedule.
        force: back up even if the newest backup is recent.

    Returns:
        The run, or None when no backup was due.

    Raises:
        PermissionDenied: an agent asking.
        BackupError: PostgreSQL, or the backup failed.
    """
    if actor_id is not None:
        require(acting_member(actor_id), Actions.RUN_BACKUP)
    if database_path is None:
        raise BackupError("PostgreSQL databases are backed up with pg_dump on the server (see the README)")
    settings = context.settings()
    folder = backup_folder(database_path, settings.backup_folder)
    now = context.now()
    if not force and not backup_due(folder, database_path, now, settings.backup_interval_hours):
        return None
    created, removed = scheduled_backup(database_path, folder, now)
    # The day's anchor beside the backups: a copy kept elsewhere proves the log's past.
    day = now.astimezone(context.calendar.zone).date().isoformat()
    anchor = folder / f"audit-anchor-{day}.json"
    report = AuditChainService(context).export_anchor(None, anchor)
    return BackupRun(created, removed, anchor if report.ok else None, report.summary())


class BackupJob:
    """The team job taking the scheduled backup (lease ``database-backup``): every 15 minutes
    it looks whether the newest backup is older than the team's interval and, if so, takes one
    (see ``run_backup``). PostgreSQL is backed up with pg_dump, so the job reports itself not
    configured there, as it does when the interval is 0.

    Args:
        context: the services context.
        database_path: the SQLite file (default: the database this process has open).
    """

    lease_name = DATABASE_BACKUP
    interval_seconds = CHECK_EVERY_SECONDS

    def __init__(self, context: ServiceContext, database_path: Path | None = None) -> None:
        self._context = context
        self._path = database_path

    def run_round(self, should_stop) -> JobReport:
        """Back up if due; the report says what happened."""
        path = self._path or database_file()
        if path is None:
            return JobReport("Backups: PostgreSQL is backed up with pg_dump", configured=False)
        if self._context.settings().backup_interval_hours <= 0:
            return JobReport("Scheduled backups are off", configured=False)
        run = run_backup(self._context, path, actor_id=None, force=False)
        if run is None:
            return JobReport("Backup not due", {"backed_up": 0})
        return JobReport(f"Backed up to {run.backup.name}", {"backed_up": 1, "removed": len(run.removed)},
                         problem="" if run.anchor else run.chain_summary)


def database_in_use(path: Path) -> bool:
    """Whether any connection (this app, another workstation, a tool) has the database open.

    How: a WAL database can only leave WAL mode when no other connection has it open (each
    holds a shared lock on its ``-shm`` index while open), so this asks, without waiting, to
    switch it to a rollback journal and puts WAL back if that worked. A database not in WAL
    mode is tested with an immediate exclusive lock instead.
    """
    return _exclusive_connection(path, probe=True) is None


def restore(backup: Path, target: Path) -> Path | None:
    """Replace the database ``target`` with the backup ``backup``.

    Refuses while ``target`` is open anywhere (see ``database_in_use``). The current file is
    first kept beside it as ``<name>.before-restore-<stamp>.bak`` (with the backup API).

    Args:
        backup: a backup made by ``back_up`` (any Desktop Helpdesk SQLite file).
        target: the database file to replace (created if missing).

    Returns:
        The safety copy of the previous file, or None when there was none.

    Raises:
        BackupError: the backup is not a Desktop Helpdesk database, or ``target`` is open.
    """
    _check_sqlite_file(backup, "backup")
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"audit", "team_member", "schema_migration"} <= tables:
            raise BackupError(f"{backup}: is not a Desktop Helpdesk database backup")
        if source.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(f"{backup}: is damaged (SQLite's check failed); choose another backup")
        safety = None
        if target.exists() and target.stat().st_size:
            stamp = datetime.now(UTC).strftime(_STAMP_FORMAT)
            safety = target.with_name(f"{target.name}.before-restore-{stamp}.bak")
        target.parent.mkdir(parents=True, exist_ok=True)
        writer = _exclusive_connection(target, probe=False)
        if writer is None:
            raise BackupError(
                f"{target}: is open (in Desktop Helpdesk here or on another workstation, or in "
                "another program); close it everywhere, then restore")
        try:
            if safety is not None:
                keep = sqlite3.connect(str(safety))
                writer.backup(keep)
                keep.close()
            source.backup(writer)
            writer.execute("PRAGMA journal_mode=WAL")
        finally:
            writer.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{target}: cannot restore from {backup} ({exc})") from exc
    finally:
        source.close()
    log.info("restored %s from %s (previous file kept as %s)", target, backup, safety)
    return safety


def _exclusive_connection(path: Path, *, probe: bool) -> sqlite3.Connection | None:
    """A connection holding ``path`` exclusively, or None if another connection has it open.
    With ``probe`` the lock is released (and WAL put back) before returning a closed stub."""
    connection = sqlite3.connect(str(path), timeout=0, isolation_level=None)
    try:
        mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
        if mode == "wal" and connection.execute("PRAGMA journal_mode=DELETE").fetchone()[0] != "delete":
            connection.close()
            return None
        connection.execute("PRAGMA locking_mode=EXCLUSIVE")
        connection.execute("BEGIN EXCLUSIVE")
        connection.execute("COMMIT")
    except sqlite3.OperationalError:
        connection.close()
        return None
    if probe:
        if mode == "wal":
            connection.execute("PRAGMA journal_mode=WAL")
        connection.close()
        return connection
    return connection


def _check_sqlite_file(path: Path, label: str) -> None:
    if not path.is_file():
        raise BackupError(f"{label}: no file at {path}")
    with path.open("rb") as handle:
        if handle.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
            raise BackupError(f"{label}: {path} is not a SQLite database")
