"""Opening the desk's database: SQLite (WAL) by default, PostgreSQL by URL, migrated on open."""

from __future__ import annotations

import logging
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

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

_SQLITE_HEADER = b"SQLite format 3\x00"


class DatabaseOpenError(Exception):
    """The database cannot be used; the message names the file or URL and says why."""


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


def make_database(target: DatabaseTarget) -> Database:
    """Build (not open) a peewee database for ``target``.

    Args:
        target: a SQLite path or a ``postgresql://`` URL.

    Returns:
        An unconnected peewee database.

    Raises:
        DatabaseOpenError: if the SQLite file exists but is not a SQLite database.
    """
    if target.is_sqlite:
        path = target.sqlite_path
        _refuse_foreign_file(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS, check_same_thread=False)
    try:
        db = db_url.connect(target.url)
    except (ImportError, RuntimeError) as exc:
        raise DatabaseOpenError(f"{target.display}: PostgreSQL support is not installed ({exc})") from exc
    if not isinstance(db, PostgresqlDatabase):
        raise DatabaseOpenError(f"{target.display}: only SQLite files and PostgreSQL URLs are supported")
    return db


def open_database(target: DatabaseTarget | str | Path, *, migrate: bool = True) -> Database:
    """Open the database, bind the records to it and bring its schema up to date.

    Args:
        target: a ``DatabaseTarget``, a SQLite path or a ``postgresql://`` URL.
        migrate: run pending schema migrations (a SQLite file is backed up first).

    Returns:
        The connected database, also reachable through ``database``.

    Raises:
        DatabaseOpenError: if the file is not a database, is newer than this app, or the server
            cannot be reached. Nothing in the file is changed in those cases.
    """
    if not isinstance(target, DatabaseTarget):
        target = DatabaseTarget(str(target))
    db = make_database(target)
    try:
        db.connect(reuse_if_open=True)
        if target.is_sqlite:
            db.execute_sql("SELECT count(*) FROM sqlite_master").fetchone()
    except (DatabaseError, sqlite3.DatabaseError) as exc:
        db.close()
        raise DatabaseOpenError(f"{target.display}: cannot open database ({exc})") from exc
    database.initialize(db)
    if migrate:
        # Imported here: the runner loads migration scripts that import the records module.
        from desktop_helpdesk.storage.migrations import upgrade

        try:
            upgrade(db, backup_dir=target.sqlite_path.parent if target.is_sqlite else None)
        except Exception:
            db.close()
            raise
    return db


def close_database() -> None:
    """Close this thread's connection if the proxy is bound and open."""
    if database.obj is not None and not database.is_closed():
        database.close()


def backup_sqlite(db: SqliteDatabase, destination: Path) -> Path:
    """Copy a live SQLite database to ``destination`` with the online backup API.

    Args:
        db: an open SQLite database.
        destination: the file to write (replaced if present).

    Returns:
        The destination path.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_suffix(destination.suffix + ".partial")
    target = sqlite3.connect(str(partial))
    try:
        db.connection().backup(target)
    finally:
        target.close()
    shutil.move(str(partial), str(destination))
    log.info("backed up database to %s", destination)
    return destination


def backup_name(path: Path, reason: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return path.with_name(f"{path.stem}.{reason}-{stamp}{path.suffix}.bak")


def _refuse_foreign_file(path: Path) -> None:
    if path.is_dir():
        raise DatabaseOpenError(f"{path}: is a folder, not a database file")
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        with path.open("rb") as handle:
            header = handle.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseOpenError(f"{path}: cannot read ({exc.strerror})") from exc
    if header != _SQLITE_HEADER:
        raise DatabaseOpenError(f"{path}: is not a Desktop Helpdesk database (not a SQLite file)")
