"""Loading the cases a report covers: one query, raw values, converted once."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_helpdesk.domain.sla import BusinessCalendar
from desktop_helpdesk.services.reporting.business_time import BusinessTimeIndex
from desktop_helpdesk.services.reporting.periods import ReportFilter
from desktop_helpdesk.storage import dialect
from desktop_helpdesk.storage.case_filters import narrowed_by_attributes
from desktop_helpdesk.storage.db import database
from desktop_helpdesk.storage.records import (
    CaseRecord,
)
from desktop_helpdesk.storage.target_columns import DUE_COLUMNS, MET_COLUMNS


@dataclass(slots=True)
class CaseFacts:
    """The columns reports need for one case: instants as epoch seconds, per-target values as
    tuples in ``TARGETS`` order, and their business positions once ``_attach_positions`` ran."""

    case_id: int
    number: str
    priority: str
    channel: str
    status: str
    assignee_id: int | None
    client_id: int
    received: float
    due: tuple[float, float, float]
    met: tuple[float | None, float | None, float | None]
    paused: float | None
    closed: float | None
    received_pos: float = 0.0
    due_pos: tuple[float, float, float] = (0.0, 0.0, 0.0)
    met_pos: tuple = (None, None, None)
    paused_pos: float | None = None
    category_id: int | None = None


_CASE_COLUMNS = (
    CaseRecord.id,
    CaseRecord.number,
    CaseRecord.effective_priority,
    CaseRecord.channel,
    CaseRecord.status,
    CaseRecord.assignee,
    CaseRecord.client,
    CaseRecord.category,
)
_CASE_INSTANTS = (
    CaseRecord.received_at,
    *DUE_COLUMNS,
    *MET_COLUMNS,
    CaseRecord.resolve_paused_at,
    CaseRecord.closed_at,
)


def raw_rows(query) -> list[tuple]:
    """Run a peewee query and return raw DB-API rows, skipping per-field Python conversion."""
    sql, params = query.sql()
    return database.execute_sql(sql, params).fetchall()


def load_cases(where, index: BusinessTimeIndex | None = None) -> list[CaseFacts]:
    """Load the cases matching ``where`` in one query (and their business positions)."""
    query = (CaseRecord.select(*_CASE_COLUMNS, *(dialect.epoch_seconds(c) for c in _CASE_INSTANTS))
             .where(where).order_by(CaseRecord.id))
    facts = []
    append = facts.append
    for row in raw_rows(query):
        (case_id, number, priority, channel, status, assignee, client, category, received,
         ack_due, resp_due, res_due, ack_at, resp_at, res_at, paused, closed) = row
        append(CaseFacts(case_id, number, priority, channel, status, assignee, client,
                          received, (ack_due, resp_due, res_due), (ack_at, resp_at, res_at),
                          paused, closed, category_id=category))
    if index is not None:
        _attach_positions(index, facts)
    return facts


def _attach_positions(index: BusinessTimeIndex, cases: list[CaseFacts]) -> None:
    flat: list[float | None] = []
    extend = flat.extend
    for case in cases:
        extend((case.received, *case.due, *case.met, case.paused))
    positions = index.positions(flat)
    for number, case in enumerate(cases):
        at = number * 8
        case.received_pos = positions[at]
        case.due_pos = tuple(positions[at + 1:at + 4])
        case.met_pos = tuple(positions[at + 4:at + 7])
        case.paused_pos = positions[at + 7]


def filter_condition(calendar: BusinessCalendar, report_filter: ReportFilter):
    start, end = report_filter.dates.utc_bounds(calendar)
    condition = (CaseRecord.received_at >= start) & (CaseRecord.received_at < end)
    if report_filter.member_id is not None:
        condition &= CaseRecord.assignee == report_filter.member_id
    return narrowed_by_attributes(condition, report_filter)


def names_by_id(model, column) -> dict[int, str]:
    return dict(raw_rows(model.select(model.id, column)))
