"""What every headless subcommand shares: exit codes, a parser that never exits, the database
opened from ``--db``, errors as one line (traceback to the log file), and ``--json`` output."""

from __future__ import annotations

import argparse
import json
import logging
import logging.handlers
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from desktop_helpdesk.config import AppConfig, load_config
from desktop_helpdesk.storage.db import DatabaseOpenError, close_database, open_database

log = logging.getLogger("desktop_helpdesk.cli")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """A bad argument; the message names it (exit 2)."""


class CommandFailed(Exception):
    """Refused or failed work; the message says why (exit 1)."""


class Parser(argparse.ArgumentParser):
    """argparse that raises ``UsageError`` instead of exiting, so ``main`` returns a code.

    Every subcommand built on it answers ``--version`` (exit 0), as the app does.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.add_argument("--version", action="version", version=version_line())

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def add_db_argument(parser: argparse.ArgumentParser, help_text: str = "") -> None:
    """The ``--db PATH_OR_URL`` option every command takes (``help_text``: what the command does
    with the database, when that is not simply opening it)."""
    parser.add_argument("--db", metavar="PATH_OR_URL",
                        help=help_text or "SQLite file or postgresql:// URL (default: the app's own database)")


def add_database_options(parser: argparse.ArgumentParser, db_help: str = "") -> None:
    """The options of a command over the database, listed after its own: ``--db`` (see
    ``add_db_argument``) and ``--json``, one JSON object per line on stdout."""
    add_db_argument(parser, db_help)
    parser.add_argument("--json", action="store_true", help="machine-readable output (JSON lines)")


@contextmanager
def opened_database(db_option: str | None, *, must_exist: bool = True) -> Iterator[AppConfig]:
    """Open the database named by ``--db`` (or the app's default) for one command.

    Args:
        db_option: the ``--db`` value, or None for the app's own database.
        must_exist: refuse a SQLite path with no file (a typo must not create a new database).

    A headless command never creates a database: an empty (0-byte) file is refused like a
    missing one, a damaged file is refused naming it and its newest backup (nothing is
    written to it), and a read-only file opens read-only (writes fail with one line).

    Raises:
        UsageError: the SQLite file does not exist.
        DatabaseOpenError: the database cannot be opened (reported as exit 1).
    """
    config = load_config(db_option, os.environ)
    target = config.database
    if must_exist and target.is_sqlite and not target.sqlite_path.exists():
        raise UsageError(f"--db: no database file at {target.sqlite_path}")
    open_database(target, allow_new=not must_exist)
    try:
        yield config
    finally:
        close_database()


def log_to_file(log_dir: Path) -> None:
    """Send this process's log (and any traceback) to the app's log file instead of the
    terminal: without a handler Python prints warnings and tracebacks on stderr."""
    root = logging.getLogger()
    if any(isinstance(h, logging.FileHandler) for h in root.handlers):
        return
    log_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        log_dir / "desktop-helpdesk.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    root.addHandler(handler)


def emit(out: TextIO, as_json: bool, text: str, record: dict[str, Any] | None = None) -> None:
    """Print one result line: ``record`` as JSON with ``--json``, else ``text``."""
    if as_json:
        print(json.dumps(record if record is not None else {"message": text},
                         ensure_ascii=False, default=str), file=out)
    else:
        print(text, file=out)


def run_command(prog: str, body: Callable[[], int], err: TextIO | None = None) -> int:
    """Run a parsed command's body, turning errors into one line and an exit code.

    Args:
        prog: the command's name for messages, e.g. ``desktop-helpdesk mail``.
        body: does the work and returns the exit code.
        err: where errors go (stderr).

    Returns:
        The body's code; 2 for ``UsageError``; 1 for ``CommandFailed``, a database that cannot
        be opened, or anything unexpected (whose traceback goes to the log, not the terminal).
    """
    err = err or sys.stderr
    try:
        return body()
    except UsageError as exc:
        print(f"{prog}: error: {exc}", file=err)
        return EXIT_USAGE
    except (CommandFailed, DatabaseOpenError) as exc:
        print(f"{prog}: error: {exc}", file=err)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=err)
        return EXIT_FAILED
    except Exception as exc:  # noqa: BLE001 - a headless job gets a sentence, never a traceback
        log.exception("%s failed", prog)
        print(f"{prog}: error: {type(exc).__name__}: {exc}", file=err)
        return EXIT_FAILED


def run_cli(
    parser: argparse.ArgumentParser,
    argv: Sequence[str] | None,
    body: Callable[[argparse.Namespace], int],
    err: TextIO | None = None,
    *,
    check: Callable[[argparse.Namespace], None] | None = None,
    subcommand: str | None = None,
) -> int:
    """A subcommand's whole life: parse ``argv``, then run ``body(args)`` under ``run_command``.

    Args:
        parser: the command's parser.
        argv: the arguments after the command's name (``None``: ``sys.argv[1:]``).
        body: does the work and returns the exit code.
        err: where errors go (stderr).
        check: usage rules argparse cannot express (options that contradict each other); its
            ``UsageError`` reads like argparse's own, with the ``--help`` hint.
        subcommand: the attribute holding the chosen subcommand, named in error messages.

    Returns:
        The exit code (see ``run_command``; 2 and the hint for a usage error while parsing).
    """
    args = parse(parser, list(sys.argv[1:] if argv is None else argv), err, check)
    if isinstance(args, int):
        return args
    prog = f"{parser.prog} {getattr(args, subcommand)}" if subcommand else parser.prog
    return run_command(prog, lambda: body(args), err)


def parse(parser: argparse.ArgumentParser, argv: list[str], err: TextIO | None = None,
          check: Callable[[argparse.Namespace], None] | None = None):
    """Parse ``argv`` (and ``check`` it); returns the namespace, or an exit code (usage error or
    ``--help``)."""
    err = err or sys.stderr
    try:
        args = parser.parse_args(argv)
        if check is not None:
            check(args)
        return args
    except UsageError as exc:
        print(f"{parser.prog}: error: {exc}", file=err)
        print(f"Try '{parser.prog} --help'.", file=err)
        return EXIT_USAGE
    except SystemExit as exc:  # --help
        return int(exc.code or 0)


def file_argument(text: str) -> Path:
    """An argparse type for a file path (kept as given; commands check existence themselves)."""
    return Path(text)


def version_line() -> str:
    """What ``--version`` prints, for the app and every subcommand."""
    from desktop_helpdesk import __version__

    return f"Desktop Helpdesk {__version__}"
