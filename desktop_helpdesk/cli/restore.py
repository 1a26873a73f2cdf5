"""``desktop-helpdesk restore``: put a backup back in place of a database that nobody has open."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from desktop_helpdesk.cli import common
from desktop_helpdesk.config import load_config
from desktop_helpdesk.services.backups import BackupError, restore


def build_parser() -> common.Parser:
    parser = common.Parser(
        prog="desktop-helpdesk restore",
        description="Replace the SQLite database with a backup. Refused while the database is "
                    "open anywhere (close Desktop Helpdesk on every workstation first); the "
                    "current file is kept beside it as *.before-restore-*.bak.",
    )
    parser.add_argument("backup", type=Path, help="the backup file to restore")
    common.add_database_options(parser)
    return parser


def main(argv: Sequence[str], *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Restore ``backup`` over the database named by ``--db`` and return the exit code."""
    out = out or sys.stdout

    def body(args: argparse.Namespace) -> int:
        target = load_config(args.db, os.environ).database
        if not target.is_sqlite:
            raise common.UsageError(f"--db: {target.display} is PostgreSQL; restore it with pg_restore "
                                    "(see the README)")
        try:
            safety = restore(args.backup, target.sqlite_path)
        except BackupError as exc:
            raise common.CommandFailed(str(exc)) from exc
        kept = f"; the previous file is kept as {safety}" if safety else ""
        common.emit(out, args.json, f"Restored {target.sqlite_path} from {args.backup}{kept}",
                    {"database": str(target.sqlite_path), "backup": str(args.backup),
                     "previous": str(safety) if safety else None})
        return common.EXIT_OK

    return common.run_cli(build_parser(), argv, body, err)
