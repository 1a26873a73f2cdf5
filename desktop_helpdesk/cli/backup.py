"""``desktop-helpdesk backup``: an online copy of the SQLite database (PostgreSQL: pg_dump)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from desktop_helpdesk.cli import common
from desktop_helpdesk.config import load_config
from desktop_helpdesk.services.backups import BackupError, back_up


def build_parser() -> common.Parser:
    parser = common.Parser(
        prog="desktop-helpdesk backup",
        description="Copy the SQLite database while the desk keeps working (SQLite's online "
                    "backup API); the copy is checked before it gets its name.",
        epilog="PostgreSQL: use pg_dump (see the README).",
    )
    parser.add_argument("-o", "--output", required=True, type=Path, help="the backup file to write")
    common.add_database_options(parser)
    return parser


def main(argv: Sequence[str], *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Back up the database named by ``--db`` and return the exit code."""
    out = out or sys.stdout

    def body(args: argparse.Namespace) -> int:
        source = sqlite_path(args.db)
        if args.output.resolve() == source.resolve():
            raise common.UsageError("-o: the backup cannot replace the database itself")
        try:
            written = back_up(source, args.output)
        except BackupError as exc:
            raise common.CommandFailed(str(exc)) from exc
        size = written.stat().st_size
        common.emit(out, args.json, f"Backed up {source} to {written} ({size:,} bytes)",
                    {"database": str(source), "backup": str(written), "bytes": size})
        return common.EXIT_OK

    return common.run_cli(build_parser(), argv, body, err)


def sqlite_path(db_option: str | None) -> Path:
    """The SQLite file named by ``--db`` (or the app's default).

    Raises:
        common.UsageError: a PostgreSQL URL (pg_dump and pg_restore do that job) or no such file.
    """
    target = load_config(db_option, os.environ).database
    if not target.is_sqlite:
        raise common.UsageError(f"--db: {target.display} is PostgreSQL; back it up with pg_dump and "
                                "restore with pg_restore (see the README)")
    if not target.sqlite_path.exists():
        raise common.UsageError(f"--db: no database file at {target.sqlite_path}")
    return target.sqlite_path
