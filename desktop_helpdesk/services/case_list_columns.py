"""The case list's columns, each in one place: what it reads, how it sorts, shows and exports.

Adding a column to the list and its export is one edit here (see ``docs/HACKING.md``): a field
on ``CaseRow`` with the SQL that reads it in ``ROW_FIELDS``, a ``ListColumn`` in
``LIST_COLUMNS`` (header, width, sort, text, export columns) and its members in the enums at
the end (``CaseColumn``, also what the list sorts by, and ``ExportColumn``). The list's rows query
(``services.case_queries``), the window's table model and "Export list", and the CSV/XLSX case
export (``services.reporting.case_list_export``) are all built from these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum, StrEnum
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from peewee import JOIN, Node, fn

from desktop_helpdesk.domain.cases import OPEN_STATUS_VALUES, CaseStatus
from desktop_helpdesk.domain.policy import Priority, Target
from desktop_helpdesk.services.reporting.tables import Column, ColumnKind
from desktop_helpdesk.storage.records import (
    CaseRecord,
    CategoryRecord,
    ClientRecord,
    ContactRecord,
    InteractionRecord,
    TeamMemberRecord,
)
from desktop_helpdesk.storage.target_columns import DUE_FIELDS, MET_FIELDS


class CaseRow(NamedTuple):
    """One line of the case list with everything the SLA column needs to recompute its state
    (the case view reads its clocks from the same row: ``CaseDetail.row``).

    A named tuple rather than a frozen dataclass: the same named, immutable fields, built
    several times faster (a frozen dataclass sets each field through ``object.__setattr__``),
    which was a fifth of a page's cost. Each field is read by its entry in ``ROW_FIELDS``.
    """

    id: int
    number: str
    client_name: str
    contact_name: str
    subject: str
    requested_priority: str
    priority: str
    status: str
    channel: str
    assignee_id: int | None
    assignee_name: str
    received_at: datetime
    acknowledge_due_at: datetime
    respond_due_at: datetime
    resolve_due_at: datetime
    acknowledged_at: datetime | None
    responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    next_due_at: datetime | None
    resolve_paused_at: datetime | None
    version: int
    updated_at: datetime
    category_name: str = ""
    last_contact_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUS_VALUES

    def due_at(self, target: Target) -> datetime:
        """The stored due instant of ``target``."""
        return getattr(self, DUE_FIELDS[target])

    def met_at(self, target: Target) -> datetime | None:
        """When ``target`` was met, or None."""
        return getattr(self, MET_FIELDS[target])

    def next_target(self) -> Target | None:
        """The unmet target due first (the one the list's "next SLA due" column shows)."""
        unmet = [t for t in Target if self.met_at(t) is None]
        if not unmet:
            return None
        return min(unmet, key=lambda t: (self.due_at(t), list(Target).index(t)))


class RowField(NamedTuple):
    """How one ``CaseRow`` field is read: its SQL over the case and the list's joins (client,
    contact, assignee, category), and how the raw value converts."""

    sql: Node
    instant: bool = False  # a stored instant: aware UTC in CaseRow, epoch seconds in exports
    blank: bool = False  # NULL (an outer join found nothing) reads as ""


# The latest contact with the client on the case: an inbound or outbound interaction, not an
# internal note. Correlated, so it reads only the listed cases' interactions (indexed by case).
_LAST_CONTACT = (InteractionRecord
                 .select(fn.MAX(InteractionRecord.occurred_at))
                 .where((InteractionRecord.case == CaseRecord.id)
                        & (InteractionRecord.direction != "internal")))

#: ``CaseRow`` field -> how it is read, in ``CaseRow`` order.
ROW_FIELDS: dict[str, RowField] = {
    "id": RowField(CaseRecord.id),
    "number": RowField(CaseRecord.number),
    "client_name": RowField(ClientRecord.name, blank=True),
    "contact_name": RowField(ContactRecord.name, blank=True),
    "subject": RowField(CaseRecord.subject),
    "requested_priority": RowField(CaseRecord.requested_priority),
    "priority": RowField(CaseRecord.effective_priority),
    "status": RowField(CaseRecord.status),
    "channel": RowField(CaseRecord.channel),
    "assignee_id": RowField(CaseRecord.assignee),
    "assignee_name": RowField(TeamMemberRecord.display_name, blank=True),
    "received_at": RowField(CaseRecord.received_at, instant=True),
    "acknowledge_due_at": RowField(CaseRecord.acknowledge_due_at, instant=True),
    "respond_due_at": RowField(CaseRecord.respond_due_at, instant=True),
    "resolve_due_at": RowField(CaseRecord.resolve_due_at, instant=True),
    "acknowledged_at": RowField(CaseRecord.acknowledged_at, instant=True),
    "responded_at": RowField(CaseRecord.responded_at, instant=True),
    "resolved_at": RowField(CaseRecord.resolved_at, instant=True),
    "closed_at": RowField(CaseRecord.closed_at, instant=True),
    "next_due_at": RowField(CaseRecord.next_due_at, instant=True),
    "resolve_paused_at": RowField(CaseRecord.resolve_paused_at, instant=True),
    "version": RowField(CaseRecord.version),
    "updated_at": RowField(CaseRecord.updated_at, instant=True),
    "category_name": RowField(CategoryRecord.name, blank=True),
    "last_contact_at": RowField(_LAST_CONTACT, instant=True),
}
if tuple(ROW_FIELDS) != CaseRow._fields:
    raise AssertionError("ROW_FIELDS must list every CaseRow field, in CaseRow order")


def select_rows(*columns: Node):
    """``SELECT columns`` over cases joined with what ``ROW_FIELDS`` read (client, contact,
    assignee, category); the caller adds the WHERE."""
    return (
        CaseRecord.select(*columns)
        .join(ClientRecord, on=(CaseRecord.client == ClientRecord.id))
        .switch(CaseRecord)
        .join(ContactRecord, JOIN.LEFT_OUTER, on=(CaseRecord.contact == ContactRecord.id))
        .switch(CaseRecord)
        .join(TeamMemberRecord, JOIN.LEFT_OUTER, on=(CaseRecord.assignee == TeamMemberRecord.id))
        .switch(CaseRecord)
        .join(CategoryRecord, JOIN.LEFT_OUTER, on=(CaseRecord.category == CategoryRecord.id))
    )


class ExportClock(NamedTuple):
    """The business clock an export measures time left with (positions in seconds)."""

    position: Callable[[float], float]
    now_position: float


@dataclass(frozen=True)
class ExportField:
    """One column of a case export: its key (``ExportColumn``), typed header, the row fields
    it reads and the value it makes of them.

    ``value`` takes the fields in ``reads`` as its arguments, in that order, with instants as
    epoch seconds (the export query converts only the fields some chosen column reads), and
    the keyword ``clock`` (an ``ExportClock``) when ``uses_clock``.
    """

    key: str
    column: Column
    reads: tuple[str, ...]
    value: Callable[..., Any]
    uses_clock: bool = False


@dataclass(frozen=True)
class ListColumn:
    """One column of the case list and what it stands for in an export.

    ``show`` gives the cell text (None: the list draws it itself, as the SLA countdown);
    ``sort`` is the SQL the list orders by (indexed where it matters; None: not sortable).
    """

    key: str
    header: str
    width: int
    show: Callable[[CaseRow, ZoneInfo], str] | None
    sort: Node | None
    exports: tuple[ExportField, ...]
    can_hide: bool = True
    starts_hidden: bool = False


_NEVER = datetime(1970, 1, 1, tzinfo=UTC)
_STATUS_LABELS = {s.value: s.label for s in CaseStatus}
_PRIORITY_LABELS = {p.value: p.label for p in Priority}
_TARGETS = tuple(Target)


def _instant(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


_OPEN_STATUSES = frozenset(OPEN_STATUS_VALUES)  # a set: looked up once per exported row


def _next_due_seconds(status: str, next_due_at: float | None) -> float | None:
    # The services keep next_due_at (None for closed cases and paused resolution clocks).
    return next_due_at if status in _OPEN_STATUSES else None


_NEXT_DUE_READS = ("status", "next_due_at")
# The next target is the unmet one due at next_due_at: due and met instants in Target order.
_NEXT_TARGET_READS = (*_NEXT_DUE_READS, *(DUE_FIELDS[t] for t in _TARGETS),
                      *(MET_FIELDS[t] for t in _TARGETS))


def _next_target(status: str, next_due_at: float | None, *instants: float | None) -> str:
    due = _next_due_seconds(status, next_due_at)
    if due is None:
        return ""
    dues, mets = instants[:len(_TARGETS)], instants[len(_TARGETS):]
    return next((t.label for t, due_at, met_at in zip(_TARGETS, dues, mets, strict=True)
                 if met_at is None and due_at == due), "")


def _hours_left(status: str, next_due_at: float | None, *, clock: ExportClock) -> float | None:
    due = _next_due_seconds(status, next_due_at)
    return None if due is None else (clock.position(due) - clock.now_position) / 3600.0


def _text(name: str, key: str, header: str, empty: str = "") -> ExportField:
    """An export column showing row field ``name`` as text (``empty`` for none)."""
    return ExportField(key, Column(header), (name,), lambda value: value or empty)


def _moment(name: str, key: str, header: str) -> ExportField:
    """An export column showing the instant in row field ``name`` (a date-time cell)."""
    return ExportField(key, Column(header, ColumnKind.DATETIME), (name,), _instant)


def _labelled(name: str, key: str, header: str, labels: dict[str, str]) -> ExportField:
    """An export column showing the label of the stored value in row field ``name``."""
    return ExportField(key, Column(header), (name,), lambda value: labels.get(value, value))


def _label(labels: dict[str, str], value: str) -> str:
    return labels.get(value, value)



#: The list's columns in display (model) order.
LIST_COLUMNS: tuple[ListColumn, ...] = (
    ListColumn(
        "number", "Case", 104, lambda row, _zone: row.number, CaseRecord.number,
        (_text("number", "number", "Case"),), can_hide=False),
    ListColumn(
        "client", "Client", 140, lambda row, _zone: row.client_name,
        # Correlated look-ups rather than joins: the planner then starts from the filtered
        # cases and fetches one name per row instead of walking every client's cases.
        ClientRecord.select(ClientRecord.name).where(ClientRecord.id == CaseRecord.client),
        (_text("client_name", "client", "Client"),)),
    ListColumn(
        "subject", "Subject", 200, lambda row, _zone: row.subject, CaseRecord.subject,
        (_text("subject", "subject", "Subject"),), can_hide=False),
    ListColumn(
        "priority", "Priority", 64, lambda row, _zone: _label(_PRIORITY_LABELS, row.priority),
        CaseRecord.effective_priority,
        (_labelled("priority", "priority", "Priority", _PRIORITY_LABELS),)),
    ListColumn(
        "status", "Status", 126, lambda row, _zone: _label(_STATUS_LABELS, row.status),
        CaseRecord.status,
        (_labelled("status", "status", "Status", _STATUS_LABELS),)),
    ListColumn(
        "assignee", "Assignee", 118, lambda row, _zone: row.assignee_name or "Unassigned",
        fn.COALESCE(TeamMemberRecord.select(TeamMemberRecord.display_name)
                    .where(TeamMemberRecord.id == CaseRecord.assignee), ""),
        (_text("assignee_name", "assignee", "Assignee", empty="Unassigned"),)),
    ListColumn(
        "received", "Received", 96,
        lambda row, zone: row.received_at.astimezone(zone).strftime("%d %b %H:%M"),
        CaseRecord.received_at, (_moment("received_at", "received", "Received"),)),
    # The SLA countdown: drawn by the list from the row's clock; a spreadsheet wants the next
    # target, its due instant and the business hours left as a number.
    ListColumn(
        "next_due", "Next SLA due", 262, None, CaseRecord.next_due_at,
        (ExportField("next_target", Column("Next target"), _NEXT_TARGET_READS, _next_target),
         ExportField("next_due", Column("Next SLA due", ColumnKind.DATETIME), _NEXT_DUE_READS,
                     lambda status, due: _instant(_next_due_seconds(status, due))),
         ExportField("time_left", Column("Business hours left", ColumnKind.HOURS),
                     _NEXT_DUE_READS, _hours_left, uses_clock=True)),
        can_hide=False),
    ListColumn(
        "category", "Category", 120, lambda row, _zone: row.category_name,
        fn.COALESCE(CategoryRecord.select(CategoryRecord.name)
                    .where(CategoryRecord.id == CaseRecord.category), ""),
        (_text("category_name", "category", "Category"),), starts_hidden=True),
    ListColumn(
        "last_contact", "Last contact", 110,
        lambda row, zone: ("" if row.last_contact_at is None
                           else row.last_contact_at.astimezone(zone).strftime("%d %b %H:%M")),
        # A case without any contact (logging records the first) sorts first on both engines.
        fn.COALESCE(_LAST_CONTACT, InteractionRecord.occurred_at.db_value(_NEVER)),
        (_moment("last_contact_at", "last_contact", "Last contact"),), starts_hidden=True),
)

#: Export columns no list column shows (the case export offers them too).
EXPORT_ONLY: tuple[ExportField, ...] = (
    _text("contact_name", "contact", "Contact"),
    ExportField("channel", Column("Channel"), ("channel",), str.capitalize),
)

EXPORT_FIELDS: dict[str, ExportField] = {
    field.key: field for field in (*(f for c in LIST_COLUMNS for f in c.exports), *EXPORT_ONLY)}


class CaseColumn(IntEnum):
    """Columns of the case list, in display order: each member is its column's index in
    ``LIST_COLUMNS`` and is named by its key in capitals."""

    NUMBER = 0
    CLIENT = 1
    SUBJECT = 2
    PRIORITY = 3
    STATUS = 4
    ASSIGNEE = 5
    RECEIVED = 6
    NEXT_DUE = 7
    CATEGORY = 8
    LAST_CONTACT = 9


class ExportColumn(StrEnum):
    """Columns a case list export can include: the keys of ``EXPORT_FIELDS``, in its order."""

    NUMBER = "number"
    CLIENT = "client"
    SUBJECT = "subject"
    PRIORITY = "priority"
    STATUS = "status"
    ASSIGNEE = "assignee"
    RECEIVED = "received"
    NEXT_TARGET = "next_target"
    NEXT_DUE = "next_due"
    TIME_LEFT = "time_left"
    CATEGORY = "category"
    LAST_CONTACT = "last_contact"
    CONTACT = "contact"
    CHANNEL = "channel"


# The enums are written out so that readers and type checkers see their members; a column
# added above without its members (or the other way round) stops the import here.
if [(c.name, c.value) for c in CaseColumn] != [(c.key.upper(), i) for i, c in enumerate(LIST_COLUMNS)]:
    raise AssertionError("CaseColumn must name every LIST_COLUMNS entry, in order")
if [c.value for c in ExportColumn] != list(EXPORT_FIELDS):
    raise AssertionError("ExportColumn must name every EXPORT_FIELDS entry, in order")
if any(c.name != c.value.upper() for c in ExportColumn):
    raise AssertionError("ExportColumn members are named by their key in capitals")

#: The list's sortable columns -> the SQL the list orders by.
SORT_EXPRESSIONS: dict[CaseColumn, Node] = {
    CaseColumn(number): c.sort for number, c in enumerate(LIST_COLUMNS) if c.sort is not None}
