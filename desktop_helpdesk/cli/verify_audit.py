"""``desktop-helpdesk verify-audit``: check the audit hash chain; export or check an anchor."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from desktop_helpdesk.cli import common
from desktop_helpdesk.domain.clock import Clock, SystemClock
from desktop_helpdesk.services.audit_chain import AuditChainService, ChainAnchor, write_anchor
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.errors import ValidationError


def build_parser() -> common.Parser:
    parser = common.Parser(
        prog="desktop-helpdesk verify-audit",
        description="Check that no audit row was changed, deleted or inserted around the app. "
                    "Exit 0 when the chain holds, 1 at the first broken link.",
        epilog="Daily anchor: desktop-helpdesk verify-audit --db helpdesk.sqlite3 "
               "--export-anchor anchors/$(date +%%F).json ; later: --anchor anchors/2026-11-30.json",
    )
    parser.add_argument("--anchor", type=Path, metavar="FILE",
                        help="also prove the chain still contains this earlier anchor")
    parser.add_argument("--export-anchor", type=Path, metavar="FILE",
                        help="when the chain holds, write its head (row count and hash) to FILE")
    common.add_database_options(parser)
    return parser


def main(argv: Sequence[str], *, clock: Clock | None = None,
         out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Verify the chain of the database given by ``--db`` and return the exit code."""
    out = out or sys.stdout

    def body(args: argparse.Namespace) -> int:
        anchor = _read_anchor(args.anchor) if args.anchor else None
        with common.opened_database(args.db):
            chain = AuditChainService(ServiceContext(clock or SystemClock()))
            report = chain.verify(None, anchor=anchor)
        record = {"ok": report.ok, "rows": report.rows, "message": report.summary()}
        if report.broken is not None:
            broken = report.broken
            record.update(row_id=broken.row_id, case_id=broken.case_id,
                          case_number=broken.case_number, kind=broken.kind, detail=broken.detail)
            common.emit(out, args.json, report.summary(), record)
            return common.EXIT_FAILED
        if args.export_anchor and report.head is not None:
            try:
                write_anchor(report.head, args.export_anchor)
            except OSError as exc:
                raise common.CommandFailed(f"--export-anchor: cannot write {args.export_anchor} ({exc.strerror})") from exc
            record["anchor"] = str(args.export_anchor)
        if report.head is not None:
            record.update(head_id=report.head.head_id, head_hash=report.head.head_hash)
        text = report.summary()
        if args.export_anchor:
            text += f"; anchor written to {args.export_anchor}"
        common.emit(out, args.json, text, record)
        return common.EXIT_OK

    return common.run_cli(build_parser(), argv, body, err)


def _read_anchor(path: Path) -> ChainAnchor:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise common.UsageError(f"--anchor: cannot read {path} ({exc.strerror})") from exc
    try:
        return ChainAnchor.from_json(text, source=f"--anchor {path}")
    except ValidationError as exc:
        raise common.UsageError(str(exc)) from exc
