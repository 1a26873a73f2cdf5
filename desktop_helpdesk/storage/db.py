"""Opening the desk's database: SQLite (WAL) by default, PostgreSQL by URL, migrated on open."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sqlite3
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import peewee
from peewee import Database, DatabaseError, DatabaseProxy, PostgresqlDatabase, SqliteDatabase
from playhouse import db_url

log = logging.getLogger(__name__)

database = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    # Several workstations on one file (or a worker thread beside the UI) wait instead of failing.
    "busy_timeout": 10_000,
    "synchronous": "normal",
    "cache_size": -32_000,
}

# A read-only connection may not change the journal mode or the sync level (both write).
READ_ONLY_PRAGMAS = {key: value for key, value in SQLITE_PRAGMAS.items()
                     if key not in ("journal_mode", "synchronous")}

_SQLITE_HEADER = b"SQLite format 3\x00"


class DatabaseOpenError(Exception):
    """The database cannot be used; the message names the file or URL and says why."""


class DatabaseDamagedError(DatabaseOpenError):
    """The SQLite file failed its integrity check; nothing was written to it.

    Args:
        path: the damaged file.
        detail: what SQLite reported.
        newest_backup: the newest backup beside it (None when there is none).
    """

    def __init__(self, path: Path, detail: str, newest_backup: Path | None) -> None:
        way_out = (f"open the newest backup ({newest_backup}), another file, or quit"
                   if newest_backup is not None else "open a backup or another file, or quit")
        super().__init__(f"{path}: the database file is damaged ({detail}); {way_out}")
        self.path = path
        self.detail = detail
        self.newest_backup = newest_backup


class UpgradeCancelled(DatabaseOpenError):
    """The member stopped the backup before a schema upgrade: the file was not changed."""


#: Told ``(bytes copied, bytes in all)`` while a database file is copied.
BackupProgress = Callable[[int, int], None]
#: Runs ``upgrade_file(progress)``: the window does it on a worker behind a progress window.
UpgradeRunner = Callable[[Callable[[BackupProgress | None], None]], None]
# 4096 pages of 4 KiB: 16 MiB between two reports (a 6.8 GB file reports about 400 times).
BACKUP_STEP_PAGES = 4096


class DatabaseReadOnlyError(DatabaseOpenError):
    """A write was attempted on a database opened read-only."""


class ReadOnlySqliteDatabase(SqliteDatabase):
    """A SQLite file the user may not change (file or folder not writable): opened with
    ``mode=ro`` so SQLite itself refuses writes, and ``immutable=1`` when no write-ahead log
    holds data, so no ``-wal``/``-shm`` files are ever created beside it."""

    read_only = True

    def __init__(self, path: Path, **kwargs) -> None:
        self.path = path
        super().__init__(read_only_uri(path), uri=True, pragmas=READ_ONLY_PRAGMAS, **kwargs)

    def atomic(self, *args, **kwargs):
        raise DatabaseReadOnlyError(f"{self.path}: is read-only; changes cannot be saved")

    transaction = atomic


@dataclass(frozen=True)
class DatabaseTarget:
    """Where the database lives: a SQLite file path or a server URL."""

    url: str

    @property
    def is_sqlite(self) -> bool:
        return not self.url.startswith(("postgres://", "postgresql://", "postgresext://"))

    @property
    def sqlite_path(self) -> Path:
        if not self.is_sqlite:
            raise ValueError(f"{self.url} is not a SQLite database")
        return Path(self.url.removeprefix("sqlite:///"))

    @property
    def display(self) -> str:
        """The target without any password, for messages and logs."""
        if self.is_sqlite:
            return str(self.sqlite_path)
        head, sep, tail = self.url.rpartition("@")
        if not sep:
            return self.url
        scheme, _, credentials = head.partition("://")
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}@{tail}"


def make_database(target: DatabaseTarget, *, allow_new: bool = True, check: bool = True) -> Database:
    """Build (not open) a peewee database for ``target``.

    Args:
        target: a SQLite path or a ``postgresql://`` URL.
        allow_new: the user asked for a new database, so a missing or empty (0-byte) SQLite
            file becomes one; otherwise such a file is refused.
        check: run ``check_integrity`` on an existing SQLite file first (the window passes
            False and checks in the background after showing its list).

    Returns:
        An unconnected peewee database; a ``ReadOnlySqliteDatabase`` when the file or its
        folder is not writable.

    Raises:
        DatabaseOpenError: the SQLite file is missing or empty (unless ``allow_new``), is not
            a SQLite database or is damaged; the PostgreSQL driver is missing.
    """
    if target.is_sqlite:
        path = target.sqlite_path
        _refuse_foreign_file(path, allow_new=allow_new)
        if path.exists() and path.stat().st_size and is_read_only_file(path):
            if check:
                check_integrity(path)
            return ReadOnlySqliteDatabase(path, check_same_thread=False)
        if check and path.exists() and path.stat().st_size:
            check_integrity(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS, check_same_thread=False)
    # peewee imports the driver optionally and only complains at the first connection.
    if getattr(peewee, "psycopg2", None) is None:
        raise DatabaseOpenError(
            f"{target.display}: PostgreSQL support is not installed (the psycopg2 driver is "
            "missing); install it with: pip install psycopg2-binary"
        )
    try:
        db = db_url.connect(target.url)
    except (ImportError, RuntimeError, peewee.ImproperlyConfigured) as exc:
        raise DatabaseOpenError(f"{target.display}: PostgreSQL support is not installed ({exc})") from exc
    if not isinstance(db, PostgresqlDatabase):
        raise DatabaseOpenError(f"{target.display}: only SQLite files and PostgreSQL URLs are supported")
    return db


def open_database(target: DatabaseTarget | str | Path, *, migrate: bool = True,
                  allow_new: bool = True, check_first: bool = True,
                  run_upgrade: UpgradeRunner | None = None) -> Database:
    """Open the database, bind the records to it and bring its schema up to date.

    Args:
        target: a ``DatabaseTarget``, a SQLite path or a ``postgresql://`` URL.
        migrate: run pending schema migrations (a SQLite file is backed up first).
        allow_new: a missing or empty SQLite file may become a new database (the user asked
            for one); entry points pass False for a file the user named.
        check_first: run SQLite's ``quick_check`` before opening (seconds on a large file).
            The window passes False and runs the check in the background once its list is
            shown; a file that needs a schema upgrade is still checked first, since the
            upgrade writes to it.
        run_upgrade: runs a SQLite file's upgrade (its check, backup and migrations) given
            ``upgrade_file(progress)``; the window runs it on a worker behind a progress window
            with Cancel (``UpgradeCancelled``). None: here and now.

    Returns:
        The connected database, also reachable through ``database`` (``is_read_only()`` tells
        whether changes can be saved).

    Raises:
        DatabaseOpenError: if the file is missing or empty without ``allow_new``, is not a
            database, is damaged (``DatabaseDamagedError``), is newer than this app, needs an
            upgrade but is read-only, or the server cannot be reached. Nothing in the file is
            changed in those cases, nor when the member cancels the backup before an upgrade
            (``UpgradeCancelled``).
    """
    if not isinstance(target, DatabaseTarget):
        target = DatabaseTarget(str(target))
    db = make_database(target, allow_new=allow_new, check=check_first)
    try:
        db.connect(reuse_if_open=True)
        if target.is_sqlite:
            db.execute_sql("SELECT count(*) FROM sqlite_master").fetchone()
    except (DatabaseError, sqlite3.DatabaseError, peewee.ImproperlyConfigured) as exc:
        db.close()
        raise DatabaseOpenError(f"{target.display}: cannot open database ({exc})") from exc
    database.initialize(db)
    if migrate:
        # Imported here: the runner loads migration scripts that import the records module.
        from desktop_helpdesk.storage.migrations import pending, upgrade

        try:
            if is_read_only(db):
                if pending(db):
                    raise DatabaseOpenError(
                        f"{target.display}: is read-only and was written by an older Desktop "
                        "Helpdesk; it needs an upgrade that cannot be saved. Open a writable copy")
            elif target.is_sqlite and pending(db):
                def upgrade_file(progress: BackupProgress | None = None) -> None:
                    if not check_first:
                        # An upgrade writes to the file: never to a damaged one.
                        check_integrity(target.sqlite_path)
                    upgrade(db, backup_dir=target.sqlite_path.parent, progress=progress)

                if run_upgrade is None:
                    upgrade_file()
                else:
                    run_upgrade(upgrade_file)
            else:
                upgrade(db, backup_dir=None)
        except Exception:
            db.close()
            database.initialize(None)
            raise
    return db


def is_read_only(db: Database | None = None) -> bool:
    """Whether ``db`` (default: the bound database) was opened read-only."""
    db = database.obj if db is None else db
    return bool(getattr(db, "read_only", False))


def is_read_only_file(path: Path) -> bool:
    """The user may not change ``path``: it (or its folder, where SQLite keeps its journal)
    is not writable, or its permission bits say read-only (which root would ignore)."""
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK | os.X_OK):
        return True
    return not stat.S_IMODE(path.stat().st_mode) & 0o222


def read_only_uri(path: Path) -> str:
    """The SQLite URI that reads ``path`` without writing anything beside it.

    ``immutable=1`` needs no ``-shm`` file, but it would ignore committed data still in a
    write-ahead log; so a non-empty ``-wal`` (left by a crash or another workstation) is
    read with plain ``mode=ro``.
    """
    uri = f"file:{quote(str(path))}?mode=ro"
    wal = path.with_name(path.name + "-wal")
    if not (wal.exists() and wal.stat().st_size):
        uri += "&immutable=1"
    return uri


def check_integrity(path: Path) -> None:
    """Run SQLite's ``quick_check`` on ``path`` through a read-only connection, so a damaged
    file is never written to (not even by a log recovery).

    Args:
        path: an existing SQLite file.

    Raises:
        DatabaseDamagedError: the check found damage (or could not read the file).
    """
    wal, shm = (path.with_name(path.name + suffix) for suffix in ("-wal", "-shm"))
    had_log = wal.exists()
    # A writable file may be in use by another workstation, so the check takes SQLite's
    # normal shared locks (mode=ro) rather than reading it as immutable.
    uri = read_only_uri(path) if is_read_only_file(path) else f"file:{quote(str(path))}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise DatabaseOpenError(f"{path}: cannot open database ({exc})") from exc
    try:
        problems = [row[0] for row in connection.execute("PRAGMA quick_check(3)")]
    except sqlite3.DatabaseError as exc:
        problems = [str(exc)]
    finally:
        connection.close()
    if problems == ["ok"]:
        return
    log.error("%s failed its integrity check: %s", path, "; ".join(problems))
    # SQLite's report spans lines and starts with a "*** in database main ***" heading.
    lines = [line for p in problems for line in p.splitlines() if line and not line.startswith("***")]
    detail = (lines or ["unreadable"])[0] + (" and more" if len(lines) > 1 else "")
    if not had_log and wal.exists() and not wal.stat().st_size:
        # The check's own empty log files: leave the folder as the user had it.
        wal.unlink(missing_ok=True)
        shm.unlink(missing_ok=True)
    raise DatabaseDamagedError(path, detail, newest_backup(path))


def newest_backup(path: Path) -> Path | None:
    """The most recent backup of ``path`` kept beside it (``backup_name``), or None."""
    found = [p for p in path.parent.glob(f"{path.stem}.*{path.suffix}.bak") if p.is_file()]
    return max(found, key=lambda p: p.stat().st_mtime, default=None)


def restore_copy(backup: Path) -> Path:
    """Copy ``backup`` to a new working file beside it and return that file's path; the
    backup itself (and the damaged file) are left as they are."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    stem = backup.name.removesuffix(".bak")
    base, dot, suffix = stem.rpartition(".")
    name = f"{base}.restored-{stamp}.{suffix}" if dot else f"{stem}.restored-{stamp}"
    destination = backup.with_name(name)
    shutil.copyfile(backup, destination)
    log.info("restored %s to %s", backup, destination)
    return destination


def serialize_on(*names: str) -> None:
    """Make concurrent transactions that name the same thing (e.g. a new caller's phone number)
    take turns until the current transaction ends. SQLite's ``BEGIN IMMEDIATE`` already lets
    only one writer in at a time; PostgreSQL gets a transaction-scoped advisory lock per name
    (taken in sorted order, so two transactions never wait on each other crosswise).

    Args:
        names: what the transaction is about to look up and maybe create.
    """
    db = database.obj
    if not isinstance(db, PostgresqlDatabase):
        return
    for name in sorted({n for n in names if n}):
        lock_id = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (lock_id,))


def close_database() -> None:
    """Close this thread's connection if the proxy is bound and open."""
    if database.obj is not None and not database.is_closed():
        database.close()


def backup_sqlite(db: SqliteDatabase, destination: Path, *, progress: BackupProgress | None = None,
                  step_pages: int = BACKUP_STEP_PAGES) -> Path:
    """Copy a live SQLite database to ``destination`` with the online backup API.

    Args:
        db: an open SQLite database.
        destination: the file to write (replaced if present).
        progress: told ``(bytes copied, bytes in all)`` after every ``step_pages`` pages; it may
            raise (e.g. ``UpgradeCancelled``) to stop the copy, which then leaves no file behind.
        step_pages: pages copied between two progress reports.

    Returns:
        The destination path.

    Raises:
        Exception: whatever ``progress`` raised; the partial copy is removed.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_suffix(destination.suffix + ".partial")
    source = db.connection()
    report = None
    if progress is not None:
        page_size = source.execute("PRAGMA page_size").fetchone()[0]

        def report(_status: int, remaining: int, pages: int) -> None:
            progress((pages - remaining) * page_size, pages * page_size)

    target = sqlite3.connect(str(partial))
    try:
        source.backup(target, pages=step_pages if report else -1, progress=report)
    except BaseException:
        target.close()
        partial.unlink(missing_ok=True)
        raise
    target.close()
    shutil.move(str(partial), str(destination))
    log.info("backed up database to %s", destination)
    return destination


def backup_name(path: Path, reason: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return path.with_name(f"{path.stem}.{reason}-{stamp}{path.suffix}.bak")


def _refuse_foreign_file(path: Path, *, allow_new: bool) -> None:
    if path.is_dir():
        raise DatabaseOpenError(f"{path}: is a folder, not a database file")
    if not path.exists():
        if allow_new:
            return
        raise DatabaseOpenError(f"{path}: no such database file (to start a new database there, "
                                "ask for one with --new)")
    if path.stat().st_size == 0:
        if allow_new:
            return
        raise DatabaseOpenError(f"{path}: the file is empty (0 bytes), not a Desktop Helpdesk "
                                "database; open another file, or ask for a new database with --new")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseOpenError(f"{path}: cannot read ({exc.strerror})") from exc
    if header != _SQLITE_HEADER:
        raise DatabaseOpenError(f"{path}: is not a Desktop Helpdesk database (not a SQLite file)")
