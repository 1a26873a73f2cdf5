"""Headless exports for scheduled jobs: ``desktop-helpdesk export --report sla ... -o FILE``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TextIO

from desktop_helpdesk.cli import common
from desktop_helpdesk.domain.clock import Clock, SystemClock
from desktop_helpdesk.services.case_queries import Queue
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.reporting.case_list_export import case_list_pack
from desktop_helpdesk.services.reporting.packs import ReportKind, ReportPack, build_report_pack
from desktop_helpdesk.services.reporting.periods import DateRange, ReportFilter
from desktop_helpdesk.services.reporting.service import ReportService
from desktop_helpdesk.services.reporting.writers import (
    ExportCancelled,
    ExportError,
    ExportFormat,
    write_csv,
    write_xlsx,
)

log = logging.getLogger(__name__)

_application = None  # the QGuiApplication a headless PDF export created (kept alive)


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from None


def build_parser() -> argparse.ArgumentParser:
    parser = common.Parser(
        prog="desktop-helpdesk export",
        description="Export a report or a case list to CSV, XLSX or PDF without opening the window.",
        epilog="Example: desktop-helpdesk export --report sla --from 2026-11-01 --to 2026-11-30 "
               "--format pdf -o nov.pdf --db helpdesk.sqlite3",
    )
    parser.add_argument("--report", required=True, choices=[k.value for k in ReportKind],
                        help="which report (cases = a case list, see --queue/--search)")
    parser.add_argument("--from", dest="start", type=_iso_date,
                        help="first day, Halifax date YYYY-MM-DD (default: first of this month)")
    parser.add_argument("--to", dest="end", type=_iso_date,
                        help="last day, inclusive (default: today)")
    # No defaults here: None tells "not given" apart, so a report that ignores them refuses them.
    parser.add_argument("--queue", choices=[q.value for q in Queue if q is not Queue.MY_CASES],
                        help="queue for --report cases (default: all_open)")
    parser.add_argument("--search", help="search text for --report cases")
    parser.add_argument("--format", choices=[f.value for f in ExportFormat],
                        help="file format (default: from the output file's extension)")
    parser.add_argument("-o", "--output", required=True, type=Path, help="file to write")
    parser.add_argument("--db", help="database file or postgresql:// URL (default: the app's)")
    return parser


def main(argv: Sequence[str] | None = None, *, clock: Clock | None = None,
         out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run one export and return the exit code (0 ok, 1 failed, 2 bad arguments).

    Args:
        argv: the arguments after ``export``.
        clock: injected clock (tests); the system clock otherwise.
        out: where the success line goes (stdout).
        err: where errors go (stderr); never a traceback.

    Returns:
        The process exit code.
    """
    out = out or sys.stdout

    def body(args: argparse.Namespace) -> int:
        with common.opened_database(args.db):
            context = ServiceContext(clock or SystemClock())
            report_filter = _report_filter(args, context)
            pack = _build_pack(args, context, report_filter)
            try:
                pages = _write(pack, _format_of(args), args.output)
            except ExportError as exc:
                raise common.CommandFailed(str(exc)) from exc
            except ExportCancelled:
                raise common.CommandFailed("cancelled") from None
        rows = sum(len(t.rows) for t in pack.tables)
        extent = f"{pages} page{'s' if pages != 1 else ''}" if pages else f"{rows} rows"
        print(f"Wrote {pack.title} ({extent}) to {args.output}", file=out)
        return common.EXIT_OK

    return common.run_cli(build_parser(), argv, body, err, check=_check_options)


def _check_options(args: argparse.Namespace) -> None:
    _format_of(args)
    _refuse_ignored_options(args)


def _format_of(args: argparse.Namespace) -> ExportFormat:
    suffix = args.output.suffix.lower().lstrip(".")
    named = suffix if suffix in {f.value for f in ExportFormat} else None
    if args.format:
        # "--format csv -o x.pdf" would leave CSV text in a file every viewer opens as a
        # broken PDF: the two must agree (an unknown extension such as .txt is the caller's).
        if named and named != args.format:
            raise common.UsageError(
                f"--format {args.format} does not match the output file {args.output.name!r}; "
                f"name it *.{args.format} or drop --format")
        return ExportFormat(args.format)
    if named is None:
        raise common.UsageError(
            f"--format: cannot tell the format from {args.output.name!r}; "
            "give --format csv, xlsx or pdf")
    return ExportFormat(named)


# Which reports read which options: an option the report would silently ignore is refused,
# so a scheduled job never ships a file that is not what its command line says.
_DATED_REPORTS = frozenset({ReportKind.SLA, ReportKind.CLIENTS, ReportKind.BACKLOG})


def _refuse_ignored_options(args: argparse.Namespace) -> None:
    if args.report != ReportKind.CASES:
        for option, value in (("--queue", args.queue), ("--search", args.search)):
            if value is not None:
                raise common.UsageError(
                    f"{option}: only --report cases takes it; the {args.report} report "
                    "covers every case")
    if args.report not in _DATED_REPORTS:
        for option, value in (("--from", args.start), ("--to", args.end)):
            if value is not None:
                raise common.UsageError(
                    f"{option}: the {args.report} report has no date range "
                    f"({'it lists cases as they are now' if args.report == ReportKind.CASES else 'it shows the team as it is now'})")


def _report_filter(args: argparse.Namespace, context: ServiceContext) -> ReportFilter:
    today = context.now().astimezone(context.calendar.zone).date()
    start = args.start or today.replace(day=1)
    end = args.end or today
    if end < start:
        raise common.UsageError(f"--to: {end.isoformat()} is before --from {start.isoformat()}")
    return ReportFilter(DateRange(start, end))


def _build_pack(args: argparse.Namespace, context: ServiceContext,
                report_filter: ReportFilter) -> ReportPack:
    if args.report == ReportKind.CASES:
        return case_list_pack(context, Queue(args.queue or Queue.ALL_OPEN.value),
                              search=args.search or "")
    # Headless: whoever can read the database file may export (no signed-in member).
    reports = ReportService(context, viewer_id=None)
    return build_report_pack(reports, args.report, report_filter)


def _write(pack: ReportPack, export_format: ExportFormat, output: Path) -> int:
    """Write the pack; returns the page count for PDF, 0 otherwise."""
    if export_format is ExportFormat.CSV:
        write_csv(pack.tables, output)
        return 0
    if export_format is ExportFormat.XLSX:
        write_xlsx(pack.tables, output)
        return 0
    return _write_pdf(pack, output)


def _write_pdf(pack: ReportPack, output: Path) -> int:
    # QtGui needs an application object; a scheduled job has no display, so go offscreen.
    # Importing through the ui package also protects None from PySide6 6.12's lost
    # references (ui/pyside_workarounds.py), which aborted long PDFs at exit.
    from PySide6.QtGui import QGuiApplication

    from desktop_helpdesk.ui.supervisor.pdf_report import write_pdf

    global _application
    if QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _application = QGuiApplication(["desktop-helpdesk-export"])
    return write_pdf(pack, output)
