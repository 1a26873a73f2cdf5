"""Exports of report tables and case lists to CSV and XLSX files (no Qt; PDF lives in the ui layer).

Every export takes a ``progress(done, total)`` callback and a ``cancelled()`` predicate; a
cancelled export raises ``ExportCancelled`` and leaves no file behind, because each file is
written beside its destination under a temporary name and moved into place only when
complete.
"""

from __future__ import annotations

import csv
import os
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from peewee import JOIN, SQL

from desktop_helpdesk.domain.calendar import DESK_ZONE
from desktop_helpdesk.domain.cases import OPEN_STATUS_VALUES, CaseStatus
from desktop_helpdesk.domain.policy import Priority
from desktop_helpdesk.services.case_queries import (
    CaseFilter,
    CaseQueries,
    FilterCriteria,
    Queue,
    SortColumn,
)
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.reports import (
    TARGET_LABELS,
    TARGETS,
    BacklogReport,
    Column,
    ColumnKind,
    Grouping,
    ReportFilter,
    ReportService,
    ReportTable,
    SlaComplianceReport,
    WorkloadReport,
    epoch_sql,
)
from desktop_helpdesk.storage.db import database
from desktop_helpdesk.storage.records import (
    CaseRecord,
    CategoryRecord,
    ClientRecord,
    ContactRecord,
    TeamMemberRecord,
)
from desktop_helpdesk.storage.target_columns import DUE_COLUMNS, MET_COLUMNS

ProgressCallback = Callable[[int, int], None]
CancelCheck = Callable[[], bool]
PROGRESS_STEP = 2_000  # rows between progress reports and cancel checks


class ExportFormat(StrEnum):
    """File formats the desk exports."""

    CSV = "csv"
    XLSX = "xlsx"
    PDF = "pdf"


class ExportCancelled(Exception):
    """The user (or caller) cancelled the export; no file was written."""


class ExportError(Exception):
    """The export could not be written; the message names the file and says why."""


def never_cancelled() -> bool:
    """The default cancel check: never."""
    return False


def no_progress(done: int, total: int) -> None:
    """The default progress callback: ignore."""
    return None


@dataclass
class _Progress:
    """Counts rows across all tables of one export and reports / checks cancel every step."""

    total: int
    report: ProgressCallback
    cancelled: CancelCheck
    done: int = 0

    def step(self, rows: int = 1) -> None:
        before = self.done
        self.done += rows
        if self.done // PROGRESS_STEP != before // PROGRESS_STEP or self.done >= self.total:
            self.check()
            self.report(min(self.done, self.total), self.total)

    def check(self) -> None:
        if self.cancelled():
            raise ExportCancelled("export cancelled")


@contextmanager
def atomic_output(path: Path, mode: str = "w", **open_args) -> Iterator[Any]:
    """Open a temporary file beside ``path`` and move it over ``path`` only on success.

    Args:
        path: the destination file.
        mode: ``"w"`` (text) or ``"wb"``.
        **open_args: passed to ``open`` (encoding, newline).

    Yields:
        The open temporary file.

    Raises:
        ExportError: if the folder does not exist or the file cannot be written.
    """
    temporary = temporary_path_for(Path(path))
    try:
        with open(temporary, mode, **open_args) as stream:
            yield stream
        os.replace(temporary, path)
    except OSError as exc:
        _remove_quietly(temporary)
        raise ExportError(f"{path}: cannot write ({exc.strerror})") from exc
    except BaseException:
        _remove_quietly(temporary)
        raise


def _remove_quietly(name: str) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass


def temporary_path_for(path: Path) -> Path:
    """A fresh, empty temporary file beside ``path`` (for writers that need a file name).

    Created with mode 0666 less the umask, as ``open()`` would create ``path`` itself, so the
    finished export gets the usual permissions (``tempfile.mkstemp`` would leave it 0600,
    unreadable to the colleague the report is for).

    Raises:
        ExportError: if the folder is missing or not writable.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ExportError(f"{path}: is a folder; give a file name to write")
    if not folder.is_dir():
        raise ExportError(f"{path}: cannot write, folder {folder} does not exist")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _attempt in range(100):
        temporary = folder / f".{path.name}.{secrets.token_hex(4)}.partial"
        try:
            handle = os.open(temporary, flags, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise ExportError(f"{path}: cannot write there ({exc.strerror})") from exc
        os.close(handle)
        return temporary
    raise ExportError(f"{path}: cannot write there (no free temporary name)")


# ---------------------------------------------------------------------------------------------
# Cell formatting shared by CSV and PDF


def format_cell(value: Any, kind: ColumnKind, zone: ZoneInfo = DESK_ZONE) -> str:
    """The text form of a typed cell (CSV and PDF).

    Percentages become numbers of percent with one decimal (``0.4`` -> ``"40.0"``, headers
    carry the ``%``), hours two decimals, dates ISO, months ``YYYY-MM``, instants Halifax local
    ``YYYY-MM-DD HH:MM``; ``None`` is empty.
    """
    if value is None:
        return ""
    if kind is ColumnKind.PERCENT:
        return f"{value * 100:.1f}"
    if kind is ColumnKind.HOURS:
        return f"{value:.2f}"
    if kind is ColumnKind.DATETIME:
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    if kind is ColumnKind.MONTH and isinstance(value, date):
        return value.strftime("%Y-%m")
    if kind is ColumnKind.DATE and isinstance(value, date):
        return value.isoformat()
    if isinstance(value, date):  # a period key in a text column (e.g. "Total" rows mixed in)
        return value.isoformat()
    return str(value)


def _formatters(columns: Sequence[Column], zone: ZoneInfo) -> list[Callable[[Any], str]]:
    def make(kind: ColumnKind) -> Callable[[Any], str]:
        if kind is ColumnKind.TEXT:
            return lambda v: "" if v is None else (_csv_safe(v) if isinstance(v, str)
                                                   else format_cell(v, kind, zone))
        if kind is ColumnKind.INTEGER:
            return lambda v: "" if v is None else str(v)
        if kind is ColumnKind.DATETIME:
            # isoformat is C code: ~5x faster than strftime over 200,000 instants.
            return lambda v: "" if v is None else v.astimezone(zone).isoformat(" ", "minutes")[:16]
        return lambda v: format_cell(v, kind, zone)

    return [make(c.kind) for c in columns]


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(text: str) -> str:
    """Text a spreadsheet will not run as a formula (a subject typed as ``=HYPERLINK(...)``).

    OWASP's advice for CSV injection: prefix such cells with an apostrophe.
    """
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _total_rows(tables: Sequence[ReportTable]) -> int:
    return sum(len(t.rows) for t in tables)


def write_csv(
    tables: Sequence[ReportTable],
    path: Path,
    *,
    progress: ProgressCallback = no_progress,
    cancelled: CancelCheck = never_cancelled,
    zone: ZoneInfo = DESK_ZONE,
) -> Path:
    """Write tables to a CSV file Excel opens correctly (UTF-8 with BOM, CRLF rows).

    A single table is plain data: the header row first, then rows. Several tables (e.g. the
    SLA report's compliance, times and waiting tables) are written one after another, each
    preceded by a line with its title and separated by an empty line.

    Args:
        tables: report tables (or a case list table).
        path: destination file.
        progress: called with (rows written, total rows) every few thousand rows.
        cancelled: polled as often; True aborts.
        zone: the time zone instants are shown in.

    Returns:
        The path written.

    Raises:
        ExportCancelled: when ``cancelled()`` turned True (no file is left).
        ExportError: when the file cannot be written.
    """
    counter = _Progress(_total_rows(tables), progress, cancelled)
    counter.check()
    with atomic_output(Path(path), "w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        for number, table in enumerate(tables):
            if len(tables) > 1:
                if number:
                    writer.writerow([])
                writer.writerow([table.title])
            writer.writerow([c.header for c in table.columns])
            formatters = _formatters(table.columns, zone)
            for row in table.rows:
                writer.writerow([f(v) for f, v in zip(formatters, row, strict=True)])
                counter.step()
    progress(counter.total, counter.total)
    return Path(path)


def write_xlsx(
    tables: Sequence[ReportTable],
    path: Path,
    *,
    progress: ProgressCallback = no_progress,
    cancelled: CancelCheck = never_cancelled,
    zone: ZoneInfo = DESK_ZONE,
) -> Path:
    """Write tables to an XLSX workbook, one sheet per table, with typed cells.

    Each sheet starts with the title, the filters used (counts as numbers) and the generation
    time, then a bold header row (frozen) and the rows. Dates are date cells (``yyyy-mm-dd``;
    months ``mmm yyyy``), instants are Halifax local date-times, durations are numbers of
    hours (``0.00``), percentages are fractions formatted ``0.0%``; text is always text, so a
    subject typed as ``=HYPERLINK(...)`` never becomes a live formula. Written by XlsxWriter
    in constant-memory mode: rows stream to disk as they come, so memory stays flat and
    100,000 rows take about two seconds (openpyxl's write-only mode took ten).

    Args:
        tables: report tables.
        path: destination file.
        progress: called with (rows written, total rows).
        cancelled: polled every few thousand rows; True aborts.
        zone: the time zone instants are shown in.

    Returns:
        The path written.

    Raises:
        ExportCancelled: when cancelled (no file is left).
        ExportError: when the file cannot be written.
    """
    import xlsxwriter

    counter = _Progress(_total_rows(tables), progress, cancelled)
    counter.check()
    temporary = temporary_path_for(Path(path))  # fail on a bad destination before any work
    workbook = xlsxwriter.Workbook(str(temporary), {
        "constant_memory": True,
        # Text stays text: no formulas, links or numbers guessed from strings.
        "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
    })
    title_format = workbook.add_format({"bold": True, "font_size": 14})
    muted = workbook.add_format({"font_color": "#555555"})
    stamp_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm", "align": "left"})
    header_format = workbook.add_format({"bold": True, "font_color": "#FFFFFF",
                                         "bg_color": "#1F4E79", "pattern": 1,
                                         "text_wrap": True, "valign": "vcenter"})
    formats = {kind: workbook.add_format({"num_format": number_format})
               for kind, number_format in _XLSX_NUMBER_FORMATS.items()}
    try:
        used_names: set[str] = set()
        for table in tables:
            sheet = workbook.add_worksheet(_sheet_name(table.title, used_names))
            for index, column in enumerate(table.columns):
                sheet.set_column(index, index, max(10, min(48, len(column.header) + 2)))
            header_row = len(table.filters) + 3
            sheet.freeze_panes(header_row + 1, 0)
            sheet.write_string(0, 0, table.title, title_format)
            for number, (label, text) in enumerate(table.filters, start=1):
                sheet.write_string(number, 0, label, muted)
                _write_filter_value(sheet, number, text)
            generated = table.generated_at.astimezone(zone).replace(tzinfo=None)
            sheet.write_string(len(table.filters) + 1, 0, "Generated", muted)
            sheet.write_datetime(len(table.filters) + 1, 1, generated, stamp_format)
            for index, column in enumerate(table.columns):
                sheet.write_string(header_row, index, column.header, header_format)
            writers = [_xlsx_cell_writer(sheet, c.kind, formats.get(c.kind), zone)
                       for c in table.columns]
            plan = list(enumerate(writers))
            for row_number, row in enumerate(table.rows, start=header_row + 1):
                for (index, write), value in zip(plan, row, strict=True):
                    if value is not None:
                        write(row_number, index, value)
                counter.step()
        counter.check()
    except BaseException:
        _discard_constant_memory(workbook)
        _remove_quietly(str(temporary))
        raise
    try:
        workbook.close()
        os.replace(temporary, path)
    except OSError as exc:
        _remove_quietly(str(temporary))
        raise ExportError(f"{path}: cannot write ({exc.strerror})") from exc
    except BaseException:
        _remove_quietly(str(temporary))
        raise
    progress(counter.total, counter.total)
    return Path(path)


_XLSX_NUMBER_FORMATS = {
    ColumnKind.PERCENT: "0.0%",
    ColumnKind.HOURS: "0.00",
    ColumnKind.DATE: "yyyy-mm-dd",
    ColumnKind.MONTH: "mmm yyyy",
    ColumnKind.DATETIME: "yyyy-mm-dd hh:mm",
    ColumnKind.INTEGER: "0",
}


def _write_filter_value(sheet, row: int, text: str) -> None:
    """A filter's value: a count (``Cases``, ``Unassigned open cases``) as a number cell, so
    a spreadsheet can add it up; anything else as text."""
    if text.isascii() and text.isdigit():
        sheet.write_number(row, 1, int(text))
    else:
        sheet.write_string(row, 1, text)


def _xlsx_cell_writer(sheet, kind: ColumnKind, cell_format, zone: ZoneInfo
                      ) -> Callable[[int, int, Any], Any]:
    """How one column's non-empty values are written: typed where the column is typed.

    A value of another type than its column's (a "Total" label in a period column) is
    written as text, as before.
    """
    write_string, write_number, write_datetime = (
        sheet.write_string, sheet.write_number, sheet.write_datetime)

    def text(row: int, col: int, value: Any) -> Any:
        return write_string(row, col, value if isinstance(value, str)
                            else format_cell(value, kind, zone))

    if kind is ColumnKind.TEXT:
        return text
    if kind is ColumnKind.DATETIME:
        def instant(row: int, col: int, value: Any) -> Any:
            if not isinstance(value, datetime):
                return text(row, col, value)
            # Excel has no time zones: show the Halifax wall clock, as the title row says.
            return write_datetime(row, col, value.astimezone(zone).replace(tzinfo=None),
                                  cell_format)
        return instant
    if kind in (ColumnKind.DATE, ColumnKind.MONTH):
        def day(row: int, col: int, value: Any) -> Any:
            if isinstance(value, datetime) or not isinstance(value, date):
                return text(row, col, value.isoformat() if isinstance(value, datetime)
                            else value)
            return write_datetime(row, col, value, cell_format)
        return day

    def number(row: int, col: int, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return text(row, col, value)
        return write_number(row, col, value, cell_format)
    return number


def _discard_constant_memory(workbook) -> None:
    """Close an abandoned (cancelled) workbook's per-sheet row files and delete them.

    XlsxWriter's constant-memory mode streams each sheet's rows to a temporary file that only
    ``close()`` (which writes the workbook) would remove.
    """
    for sheet in workbook.worksheets():
        handle = getattr(sheet, "row_data_fh", None)
        name = getattr(sheet, "row_data_filename", None)
        if handle is not None:
            handle.close()
        if name:
            _remove_quietly(name)
    workbook.fileclosed = True


# Excel's limit on sheet names.
_SHEET_NAME_LENGTH = 31


def _sheet_name(title: str, used: set[str]) -> str:
    """A unique sheet name from ``title``, shortened at a word boundary to Excel's 31
    characters ("Time to meet each target by priority" -> "Time to meet each target by")."""
    # Excel refuses []:*?/\ anywhere and an apostrophe at either end.
    cleaned = "".join(ch for ch in title if ch not in "[]:*?/\\").strip("'")
    base = _shorten_at_word(cleaned, _SHEET_NAME_LENGTH).strip("'") or "Report"
    name, n = base, 2
    while name in used:
        suffix = f" ({n})"
        name, n = _shorten_at_word(base, _SHEET_NAME_LENGTH - len(suffix)) + suffix, n + 1
    used.add(name)
    return name


def _shorten_at_word(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit + 1].rfind(" ")
    # One word longer than the limit has no boundary to cut at: cut the word itself.
    shortened = text[:cut] if cut > 0 else text[:limit]
    return shortened.rstrip(" -,;(")


# ---------------------------------------------------------------------------------------------
# Case lists


class CaseColumn(StrEnum):
    """Columns a case list export can include (the list's visible columns)."""

    NUMBER = "number"
    CLIENT = "client"
    CONTACT = "contact"
    SUBJECT = "subject"
    PRIORITY = "priority"
    STATUS = "status"
    CHANNEL = "channel"
    ASSIGNEE = "assignee"
    RECEIVED = "received"
    NEXT_DUE = "next_due"
    NEXT_TARGET = "next_target"
    TIME_LEFT = "time_left"
    CATEGORY = "category"


CASE_COLUMN_SPECS: dict[CaseColumn, Column] = {
    CaseColumn.NUMBER: Column("Case"),
    CaseColumn.CLIENT: Column("Client"),
    CaseColumn.CONTACT: Column("Contact"),
    CaseColumn.SUBJECT: Column("Subject"),
    CaseColumn.PRIORITY: Column("Priority"),
    CaseColumn.STATUS: Column("Status"),
    CaseColumn.CHANNEL: Column("Channel"),
    CaseColumn.ASSIGNEE: Column("Assignee"),
    CaseColumn.RECEIVED: Column("Received", ColumnKind.DATETIME),
    CaseColumn.NEXT_DUE: Column("Next SLA due", ColumnKind.DATETIME),
    CaseColumn.NEXT_TARGET: Column("Next target"),
    CaseColumn.TIME_LEFT: Column("Business hours left", ColumnKind.HOURS),
    CaseColumn.CATEGORY: Column("Category"),
}
DEFAULT_CASE_COLUMNS: tuple[CaseColumn, ...] = (
    CaseColumn.NUMBER, CaseColumn.CLIENT, CaseColumn.SUBJECT, CaseColumn.PRIORITY,
    CaseColumn.STATUS, CaseColumn.ASSIGNEE, CaseColumn.RECEIVED, CaseColumn.NEXT_DUE,
    CaseColumn.TIME_LEFT,
)
_STATUS_LABELS = {s.value: s.label for s in CaseStatus}
_PRIORITY_LABELS = {p.value: p.label for p in Priority}


def case_list_table(
    context: ServiceContext,
    case_filter: CaseFilter,
    *,
    sort_column: SortColumn = SortColumn.NUMBER,
    descending: bool = False,
    columns: Sequence[CaseColumn] = DEFAULT_CASE_COLUMNS,
    title: str = "Cases",
    filter_text: Sequence[tuple[str, str]] = (),
    progress: ProgressCallback = no_progress,
    cancelled: CancelCheck = never_cancelled,
) -> ReportTable:
    """The rows of a queue or search, as a report table with the chosen (visible) columns.

    The list's own ``CaseQueries.ids`` selects and orders the cases, so the export holds
    exactly what the list shows. The rows are then read in chunks of 5,000 with only the
    columns an export needs and instants converted by the database: building full
    ``CaseRow`` objects costs three times as much on 100,000 cases. "Business hours left"
    is measured from the clock's now to the next unmet target's due instant (negative:
    overdue by).

    Args:
        context: services context (clock, calendar).
        case_filter: the queue or search.
        sort_column: list order.
        descending: reverse order.
        columns: the visible columns, in order.
        title: the table title.
        filter_text: how the filter is described in the export.
        progress: (rows loaded, total) while loading.
        cancelled: polled between chunks.

    Returns:
        A ``ReportTable`` of the cases.

    Raises:
        ExportCancelled: when cancelled while loading.
    """
    now = context.now()
    ids = CaseQueries(context).ids(case_filter, sort_column, descending, now)
    counter = _Progress(len(ids), progress, cancelled)
    counter.check()
    position = context.reload_calendar().business_position
    now_position = position(now.timestamp())
    getters = [_case_getter(c, position, now_position) for c in columns]
    rows: list[tuple[Any, ...]] = []
    with_targets = CaseColumn.NEXT_TARGET in columns
    for start in range(0, len(ids), EXPORT_CHUNK):
        chunk = _export_rows(ids[start:start + EXPORT_CHUNK], with_targets)
        rows.extend(tuple(get(row) for get in getters) for row in chunk)
        counter.step(len(chunk))
    local = now.astimezone(context.calendar.zone)
    filters = (*filter_text, ("Cases", str(len(rows))),
               ("Business hours left as of", local.strftime("%Y-%m-%d %H:%M %Z")))
    return ReportTable(title, tuple(filters), tuple(CASE_COLUMN_SPECS[c] for c in columns),
                       rows, now)


EXPORT_CHUNK = 5_000
# A set: looked up once per exported row.
_OPEN_STATUS_VALUES = frozenset(OPEN_STATUS_VALUES)
# Positions in an export row (see _export_rows).
_NUMBER, _CLIENT, _CONTACT, _SUBJECT, _PRIORITY, _STATUS, _CHANNEL, _ASSIGNEE = range(1, 9)
_RECEIVED, _NEXT_DUE, _DUE, _MET, _CATEGORY = 9, 10, 11, 14, 17


_IDS_MARKER = "(/*case ids*/)"


_TARGET_INSTANTS = (*DUE_COLUMNS, *MET_COLUMNS)


def _export_rows(ids: Sequence[int], with_targets: bool = True) -> list[tuple]:
    """One query for ``ids``: display columns, then instants as epoch seconds, in ids order.

    Per-target due and met instants are only converted when a column needs them
    (``with_targets``); otherwise those slots are NULL.
    """
    targets = [epoch_sql(c) if with_targets else SQL("NULL") for c in _TARGET_INSTANTS]
    query = (
        CaseRecord.select(
            CaseRecord.id, CaseRecord.number, ClientRecord.name, ContactRecord.name,
            CaseRecord.subject, CaseRecord.effective_priority, CaseRecord.status,
            CaseRecord.channel, TeamMemberRecord.display_name,
            epoch_sql(CaseRecord.received_at), epoch_sql(CaseRecord.next_due_at), *targets,
            CategoryRecord.name,
        )
        .join(ClientRecord, on=(CaseRecord.client == ClientRecord.id))
        .switch(CaseRecord)
        .join(ContactRecord, JOIN.LEFT_OUTER, on=(CaseRecord.contact == ContactRecord.id))
        .switch(CaseRecord)
        .join(TeamMemberRecord, JOIN.LEFT_OUTER, on=(CaseRecord.assignee == TeamMemberRecord.id))
        .switch(CaseRecord)
        .join(CategoryRecord, JOIN.LEFT_OUTER, on=(CaseRecord.category == CategoryRecord.id))
        .where(CaseRecord.id.in_(SQL(_IDS_MARKER)))
    )
    # peewee renders a 5,000-value list one parameter at a time, which costs more than the
    # query itself: splice the placeholders into the generated SQL instead (the id list is the
    # query's only parameter, so appending the ids keeps parameters in order).
    sql, params = query.sql()
    placeholders = "(" + ", ".join([database.obj.param] * len(ids)) + ")"
    cursor = database.execute_sql(sql.replace(_IDS_MARKER, placeholders), [*params, *ids])
    by_id = {row[0]: row for row in cursor.fetchall()}
    return [by_id[case_id] for case_id in ids if case_id in by_id]


def _instant(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def _next_due_seconds(row: tuple) -> float | None:
    # The services keep next_due_at (None for closed cases and paused resolution clocks).
    return row[_NEXT_DUE] if row[_STATUS] in _OPEN_STATUS_VALUES else None


def _case_getter(column: CaseColumn, position: Callable[[float], float],
                 now_position: float) -> Callable[[tuple], Any]:
    simple = {
        CaseColumn.NUMBER: lambda r: r[_NUMBER],
        CaseColumn.CLIENT: lambda r: r[_CLIENT] or "",
        CaseColumn.CONTACT: lambda r: r[_CONTACT] or "",
        CaseColumn.SUBJECT: lambda r: r[_SUBJECT],
        CaseColumn.PRIORITY: lambda r: _PRIORITY_LABELS.get(r[_PRIORITY], r[_PRIORITY]),
        CaseColumn.STATUS: lambda r: _STATUS_LABELS.get(r[_STATUS], r[_STATUS]),
        CaseColumn.CHANNEL: lambda r: r[_CHANNEL].capitalize(),
        CaseColumn.ASSIGNEE: lambda r: r[_ASSIGNEE] or "Unassigned",
        CaseColumn.RECEIVED: lambda r: _instant(r[_RECEIVED]),
        CaseColumn.NEXT_DUE: lambda r: _instant(_next_due_seconds(r)),
        CaseColumn.CATEGORY: lambda r: r[_CATEGORY] or "",
    }
    if column in simple:
        return simple[column]
    if column is CaseColumn.NEXT_TARGET:
        def next_target(row: tuple) -> str:
            due = _next_due_seconds(row)
            if due is None:
                return ""
            return next((TARGET_LABELS[t] for n, t in enumerate(TARGETS)
                         if row[_MET + n] is None and row[_DUE + n] == due), "")
        return next_target

    def hours_left(row: tuple) -> float | None:
        due = _next_due_seconds(row)
        if due is None:
            return None
        return (position(due) - now_position) / 3600.0
    return hours_left


# ---------------------------------------------------------------------------------------------
# Report packs: the tables and chart data of one named report, shared by CSV, XLSX and PDF


class ChartKind(StrEnum):
    """How a chart is drawn (the ui layer paints it with QPainter)."""

    LINE = "line"
    STACKED_BAR = "stacked_bar"


@dataclass(frozen=True)
class ChartSeries:
    """One named series of a chart; ``None`` values are gaps."""

    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class ChartData:
    """A chart's data: categories along the x axis and one or more series (no drawing here)."""

    title: str
    kind: ChartKind
    categories: tuple[str, ...]
    series: tuple[ChartSeries, ...]
    unit: str = ""  # "%", "cases" or "h": shown on the y axis
    y_max: float | None = None  # fixed top of the axis (100 for percentages)


@dataclass(frozen=True)
class ReportPack:
    """One exportable report: a title, the filters used and its sections in order."""

    key: str
    title: str
    filters: tuple[tuple[str, str], ...]
    generated_at: datetime
    sections: tuple[ReportTable | ChartData, ...]

    @property
    def tables(self) -> list[ReportTable]:
        return [s for s in self.sections if isinstance(s, ReportTable)]

    @property
    def charts(self) -> list[ChartData]:
        return [s for s in self.sections if isinstance(s, ChartData)]


class ReportKind(StrEnum):
    """The reports the export command and the Supervisor view know by name."""

    SLA = "sla"
    CLIENTS = "clients"
    WORKLOAD = "workload"
    BACKLOG = "backlog"
    CASES = "cases"


def trend_grouping(report_filter: ReportFilter) -> Grouping:
    """A period size that gives a readable trend: days up to two weeks, weeks up to about
    four months, else months."""
    days = (report_filter.dates.end - report_filter.dates.start).days + 1
    if days <= 14:
        return Grouping.DAY
    if days <= 120:
        return Grouping.WEEK
    return Grouping.MONTH


def period_label(value: Any, grouping: Grouping) -> str:
    """A short axis label for a period key."""
    if not isinstance(value, date):
        return str(value)
    if grouping is Grouping.MONTH:
        return value.strftime("%b %Y")
    return value.strftime("%d %b").lstrip("0")


def compliance_trend_chart(report: SlaComplianceReport) -> ChartData:
    """Compliance % per target over the report's periods (line chart, gaps where undecided)."""
    series = tuple(
        ChartSeries(TARGET_LABELS[target], tuple(
            None if row.targets[target].compliance is None
            else round(row.targets[target].compliance * 100, 1)
            for row in report.rows))
        for target in TARGETS
    )
    categories = tuple(period_label(row.group, report.grouping) for row in report.rows)
    return ChartData("SLA compliance trend (met on time / decided)", ChartKind.LINE, categories,
                     series, "%", 100.0)


def backlog_chart(report: BacklogReport) -> ChartData:
    """Open cases at the end of each day (line chart)."""
    categories = tuple(period_label(day.day, Grouping.DAY) for day in report.days)
    return ChartData("Backlog: open cases at the end of each day", ChartKind.LINE, categories,
                     (ChartSeries("Open cases", tuple(float(d.open_at_end) for d in report.days)),),
                     "cases")


def workload_chart(report: WorkloadReport) -> ChartData:
    """Open cases per member split into overdue, due soon and the rest (stacked bars)."""
    people = [*report.members, report.unassigned]
    return ChartData(
        "Workload per team member", ChartKind.STACKED_BAR,
        tuple(m.name for m in people),
        (
            ChartSeries("Overdue", tuple(float(m.overdue) for m in people)),
            ChartSeries("Due soon", tuple(float(m.due_soon) for m in people)),
            ChartSeries("Other open", tuple(float(m.open_cases - m.overdue - m.due_soon)
                                            for m in people)),
        ),
        "cases",
    )


def build_report_pack(reports: ReportService, kind: ReportKind | str,
                      report_filter: ReportFilter) -> ReportPack:
    """Compute the named report's tables and charts.

    Args:
        reports: the report service (with its viewer check already done).
        kind: ``sla``, ``clients``, ``workload`` or ``backlog`` (``cases`` is built by
            ``case_list_pack``).
        report_filter: the date range and narrowing.

    Returns:
        The pack to write as CSV, XLSX or PDF.

    Raises:
        ValueError: for an unknown report name (the message lists the known ones).
    """
    try:
        kind = ReportKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in ReportKind)
        raise ValueError(f"unknown report {kind!r}; choose one of {known}") from None
    now = reports.clock.now()
    if kind is ReportKind.SLA:
        overall = reports.sla_compliance(report_filter, Grouping.PRIORITY)
        trend = reports.sla_compliance(report_filter, trend_grouping(report_filter))
        sections: tuple = (
            compliance_trend_chart(trend),
            overall.table(),
            # Beside priority: which kinds of problem miss their targets.
            reports.sla_compliance(report_filter, Grouping.CATEGORY).table(),
            trend.table(),
            reports.sla_times(report_filter, Grouping.PRIORITY).table(),
            reports.waiting_on_others(report_filter).table(),
            reports.cases_per_channel(report_filter, trend_grouping(report_filter)).table(),
        )
        filters = tuple(f for f in overall.filter_text if f[0] != "Grouped by")
        return ReportPack(kind.value, "SLA performance", filters, now, sections)
    if kind is ReportKind.CLIENTS:
        summary = reports.client_summary(report_filter)
        return ReportPack(kind.value, "Client summary for account managers", summary.filter_text,
                          now, (summary.table(),))
    if kind is ReportKind.WORKLOAD:
        workload = reports.workload()
        table = workload.table()
        return ReportPack(kind.value, "Team workload and queue review", table.filters, now,
                          (workload_chart(workload), table))
    if kind is ReportKind.BACKLOG:
        backlog = reports.backlog(report_filter)
        channels = reports.cases_per_channel(report_filter, trend_grouping(report_filter))
        return ReportPack(kind.value, "Backlog and intake", backlog.filter_text, now,
                          (backlog_chart(backlog), backlog.table(), channels.table()))
    raise ValueError("the cases report is built with case_list_pack (it needs a queue)")


def case_list_pack(context: ServiceContext, queue: Queue, *, member_id: int | None = None,
                   search: str = "", columns: Sequence[CaseColumn] = DEFAULT_CASE_COLUMNS,
                   sort_column: SortColumn = SortColumn.NUMBER, descending: bool = False,
                   progress: ProgressCallback = no_progress,
                   cancelled: CancelCheck = never_cancelled, criteria: FilterCriteria | None = None,
                   filter_name: str = "") -> ReportPack:
    """A queue, search or saved filter of the case list as a one-table pack (see
    ``case_list_table``).

    Args:
        context: services context.
        queue: the queue (ignored when ``search`` has text, as in the list).
        member_id: the member whose "My cases" the queue means.
        search: search text across all cases.
        columns: the visible columns, in order.
        sort_column: list order.
        descending: reverse order.
        progress: (rows loaded, total).
        cancelled: polled between chunks.
        criteria: a saved filter's criteria (replace the queue, as in the list).
        filter_name: that filter's name, for the title.

    Returns:
        A pack titled after the queue, search or filter.

    Raises:
        ExportCancelled: when cancelled while loading.
    """
    case_filter = CaseFilter(queue=queue, search=search, member_id=member_id, criteria=criteria)
    if search:
        described, title = (("Search", search),), f"Cases matching \u201c{search}\u201d"
    elif criteria is not None:
        described, title = (("Filter", filter_name),), f"Filter \u201c{filter_name}\u201d"
    else:
        described, title = (("Queue", queue.label),), f"{queue.label} cases"
    table = case_list_table(context, case_filter, sort_column=sort_column, descending=descending,
                            columns=columns, title=title, filter_text=described,
                            progress=progress, cancelled=cancelled)
    return ReportPack(ReportKind.CASES.value, title, table.filters, table.generated_at, (table,))
