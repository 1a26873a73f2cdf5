"""The case list as an export table: rows read in chunks (columns from case_list_columns), and the pack."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from operator import itemgetter
from typing import Any

from peewee import SQL

from desktop_helpdesk.services.case_list_columns import (
    EXPORT_FIELDS,
    ROW_FIELDS,
    ExportClock,
    ExportColumn,
    ExportField,
    RowField,
    select_rows,
)
from desktop_helpdesk.services.case_queries import (
    CaseColumn,
    CaseFilter,
    CaseQueries,
    FilterCriteria,
    Queue,
)
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.reporting.packs import ReportKind, ReportPack
from desktop_helpdesk.services.reporting.tables import ReportTable
from desktop_helpdesk.services.reporting.writers import (
    CancelCheck,
    ProgressCallback,
    RowProgress,
    never_cancelled,
    no_progress,
)
from desktop_helpdesk.storage import dialect
from desktop_helpdesk.storage.db import database
from desktop_helpdesk.storage.records import (
    CaseRecord,
)

DEFAULT_CASE_COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn.NUMBER, ExportColumn.CLIENT, ExportColumn.SUBJECT, ExportColumn.PRIORITY,
    ExportColumn.STATUS, ExportColumn.ASSIGNEE, ExportColumn.RECEIVED, ExportColumn.NEXT_DUE,
    ExportColumn.TIME_LEFT,
)


def case_list_table(
    context: ServiceContext,
    case_filter: CaseFilter,
    *,
    sort_column: CaseColumn = CaseColumn.NUMBER,
    descending: bool = False,
    columns: Sequence[ExportColumn] = DEFAULT_CASE_COLUMNS,
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
    counter = RowProgress(len(ids), progress, cancelled)
    counter.check()
    position = context.reload_calendar().business_position
    clock = ExportClock(position, position(now.timestamp()))
    fields = [EXPORT_FIELDS[c] for c in columns]
    getters = [_cell_getter(field, clock) for field in fields]
    reads = frozenset(name for field in fields for name in field.reads)
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(ids), EXPORT_CHUNK):
        chunk = _export_rows(ids[start:start + EXPORT_CHUNK], reads)
        # A list per row, then a tuple: a generator per cell costs a tenth of the export.
        rows.extend([tuple([get(row) for get in getters]) for row in chunk])
        counter.step(len(chunk))
    local = now.astimezone(context.calendar.zone)
    filters = (*filter_text, ("Cases", str(len(rows))),
               ("Business hours left as of", local.strftime("%Y-%m-%d %H:%M %Z")))
    return ReportTable(title, tuple(filters), tuple(field.column for field in fields),
                       rows, now)


EXPORT_CHUNK = 5_000


def _export_rows(ids: Sequence[int], reads: frozenset[str]) -> list[tuple]:
    """One query for ``ids``, in ids order: raw rows in ``ROW_FIELDS`` order, the fields in
    ``reads`` set (instants as epoch seconds, converted by the database), NULL for the others
    (nothing to convert)."""
    sql, params = dialect.cached_statement(("export rows", reads),
                                           lambda: _export_query(reads).sql())
    cursor = database.execute_sql(sql, dialect.bind_ids(params, ids))
    by_id = {row[0]: row for row in cursor.fetchall()}
    return [by_id[case_id] for case_id in ids if case_id in by_id]


_SLOTS = {name: slot for slot, name in enumerate(ROW_FIELDS)}


def _cell_getter(field: ExportField, clock: ExportClock) -> Callable[[tuple], Any]:
    """How ``field``'s cell is made from a raw export row: its value of the fields it reads,
    picked by position (a named tuple per row cost a sixth of the load)."""
    value = partial(field.value, clock=clock) if field.uses_clock else field.value
    if len(field.reads) == 1:
        slot = _SLOTS[field.reads[0]]
        return lambda row: value(row[slot])
    pick = itemgetter(*(_SLOTS[name] for name in field.reads))
    return lambda row: value(*pick(row))


def _export_query(reads: frozenset[str]):
    def cell(name: str, field: RowField):
        if name != "id" and name not in reads:
            return SQL("NULL")
        return dialect.epoch_seconds(field.sql) if field.instant else field.sql

    return (select_rows(*(cell(name, field) for name, field in ROW_FIELDS.items()))
            .where(dialect.in_id_list(CaseRecord.id, dialect.IDS)))


def case_list_pack(context: ServiceContext, queue: Queue, *, member_id: int | None = None,
                   search: str = "", columns: Sequence[ExportColumn] = DEFAULT_CASE_COLUMNS,
                   sort_column: CaseColumn = CaseColumn.NUMBER, descending: bool = False,
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
