"""Schema upgrades with peewee's ``playhouse.migrations`` runner (numbered scripts, history table)."""

from __future__ import annotations

import logging
from pathlib import Path

from peewee import Database, SqliteDatabase
from playhouse.migrations import Runner

from desktop_helpdesk.storage.db import (
    BackupProgress,
    DatabaseOpenError,
    backup_name,
    backup_sqlite,
)

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("schema_migrations")
HISTORY_TABLE = "schema_migration"


def runner(db: Database) -> Runner:
    """The runner over our migration scripts for ``db``."""
    return Runner(db, directory=str(MIGRATIONS_DIR), table_name=HISTORY_TABLE)


def pending(db: Database) -> list[str]:
    """Names of migrations not yet applied to ``db``, in order.

    Raises:
        DatabaseOpenError: if the database records migrations this app does not know, i.e. it
            was written by a newer version.
    """
    status = runner(db).status()
    unknown = [m.name for m in status if m.path is None]
    if unknown:
        raise DatabaseOpenError(
            f"{_describe(db)}: was upgraded by a newer Desktop Helpdesk "
            f"(unknown schema steps: {', '.join(sorted(unknown))}); update the app to open it"
        )
    return [m.name for m in status if m.applied is None]


def upgrade(db: Database, *, backup_dir: Path | None = None, target: str | None = None,
            progress: BackupProgress | None = None) -> list[str]:
    """Apply pending migrations, after an online backup when an existing SQLite file has data.

    Args:
        db: the connected database.
        backup_dir: where SQLite backups go (None: no backup, e.g. PostgreSQL).
        target: stop after this migration (tests use it to build an old schema).
        progress: told how far the backup got, ``(bytes copied, bytes in all)``; it may raise
            to stop before anything is changed.

    Returns:
        The names of the migrations applied.

    Raises:
        DatabaseOpenError: if the database is newer than this app.
        Exception: whatever ``progress`` raised (nothing was migrated, no backup is left).
    """
    todo = pending(db)
    if not todo:
        return []
    if backup_dir is not None and isinstance(db, SqliteDatabase) and _has_history(db):
        path = Path(db.database)
        backup_sqlite(db, backup_dir / backup_name(path, "before-upgrade").name, progress=progress)
    applied = runner(db).up(target=target)
    log.info("applied schema migrations: %s", ", ".join(applied))
    return applied


def _has_history(db: Database) -> bool:
    return HISTORY_TABLE in db.get_tables()


def _describe(db: Database) -> str:
    return str(db.database)
