"""The case list as an export table: its columns, rows read in chunks, and the pack."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from peewee import JOIN, SQL

from desktop_helpdesk.domain.cases import (
    OPEN_STATUS_VALUES,
    CaseStatus,
)
from desktop_helpdesk.domain.policy import Priority
from desktop_helpdesk.services.case_queries import (
    CaseFilter,
    CaseQueries,
    FilterCriteria,
    Queue,
    SortColumn,
)
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.reporting.outcomes import TARGET_LABELS, TARGETS
from desktop_helpdesk.services.reporting.packs import ReportKind, ReportPack
from desktop_helpdesk.services.reporting.tables import Column, ColumnKind, ReportTable
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
    CategoryRecord,
    ClientRecord,
    ContactRecord,
    TeamMemberRecord,
)
from desktop_helpdesk.storage.target_columns import DUE_COLUMNS, MET_COLUMNS


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
    counter = RowProgress(len(ids), progress, cancelled)
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


_TARGET_INSTANTS = (*DUE_COLUMNS, *MET_COLUMNS)


def _export_rows(ids: Sequence[int], with_targets: bool = True) -> list[tuple]:
    """One query for ``ids``: display columns, then instants as epoch seconds, in ids order.

    Per-target due and met instants are only converted when a column needs them
    (``with_targets``); otherwise those slots are NULL.
    """
    sql, _ = dialect.cached_statement(("export rows", with_targets),
                                      lambda: _export_query(with_targets).sql())
    # The id list is the statement's only parameter.
    cursor = database.execute_sql(sql, [dialect.id_list_parameter(ids)])
    by_id = {row[0]: row for row in cursor.fetchall()}
    return [by_id[case_id] for case_id in ids if case_id in by_id]


def _export_query(with_targets: bool):
    epoch = dialect.epoch_seconds
    targets = [epoch(c) if with_targets else SQL("NULL") for c in _TARGET_INSTANTS]
    return (
        CaseRecord.select(
            CaseRecord.id, CaseRecord.number, ClientRecord.name, ContactRecord.name,
            CaseRecord.subject, CaseRecord.effective_priority, CaseRecord.status,
            CaseRecord.channel, TeamMemberRecord.display_name,
            epoch(CaseRecord.received_at), epoch(CaseRecord.next_due_at), *targets,
            CategoryRecord.name,
        )
        .join(ClientRecord, on=(CaseRecord.client == ClientRecord.id))
        .switch(CaseRecord)
        .join(ContactRecord, JOIN.LEFT_OUTER, on=(CaseRecord.contact == ContactRecord.id))
        .switch(CaseRecord)
        .join(TeamMemberRecord, JOIN.LEFT_OUTER, on=(CaseRecord.assignee == TeamMemberRecord.id))
        .switch(CaseRecord)
        .join(CategoryRecord, JOIN.LEFT_OUTER, on=(CaseRecord.category == CategoryRecord.id))
        .where(dialect.in_id_list(CaseRecord.id, [0]))
    )


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
