"""Where the desk's files live and which database it opens (no Qt)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from desktop_helpdesk.storage.db import DatabaseTarget

APP_NAME = "DesktopHelpdesk"
APP_AUTHOR = "DesktopHelpdesk"
DATABASE_ENV = "HELPDESK_DATABASE"


@dataclass(frozen=True)
class AppConfig:
    """Paths and the database target for one run of the app."""

    data_dir: Path
    log_dir: Path
    database: DatabaseTarget
    # The user named the database (--db or HELPDESK_DATABASE) rather than taking the default
    # one in the data folder: a missing or empty file there is then not silently created.
    named_by_user: bool = False

    @property
    def log_file(self) -> Path:
        return self.log_dir / "desktop-helpdesk.log"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def log_dir() -> Path:
    """The user's log folder (the window and headless commands share one log file)."""
    return Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def database_target(db_option: str | None, environ: dict[str, str] | None = None) -> DatabaseTarget:
    """Pick the database: ``--db`` wins, then ``HELPDESK_DATABASE``, then the user's data folder.

    Args:
        db_option: the ``--db`` value (a path or a ``postgresql://`` URL), or None.
        environ: the environment to read (defaults to ``os.environ``).

    Returns:
        The database target.
    """
    environ = os.environ if environ is None else environ
    chosen = db_option or environ.get(DATABASE_ENV) or str(default_data_dir() / "helpdesk.sqlite3")
    if chosen.startswith(("postgres://", "postgresql://")):
        return DatabaseTarget(chosen)
    return DatabaseTarget(str(Path(chosen.removeprefix("sqlite:///")).expanduser().resolve()))


def load_config(db_option: str | None = None, environ: dict[str, str] | None = None) -> AppConfig:
    """Build the run's configuration from the command line and environment."""
    data_dir = default_data_dir()
    environ = os.environ if environ is None else environ
    return AppConfig(
        data_dir=data_dir,
        log_dir=log_dir(),
        database=database_target(db_option, environ),
        named_by_user=bool(db_option or environ.get(DATABASE_ENV)),
    )
