"""Read side of the case list: ids sorted and filtered in SQL, rows fetched by id, live counts."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from peewee import NodeList, SelectQuery, fn

from desktop_helpdesk.domain.cases import (
    CASE_NUMBER_DIGITS,
    OPEN_STATUS_VALUES,
    format_case_number,
    normalise_case_number,
)
from desktop_helpdesk.domain.policy import LabelledEnum, Priority, Target
from desktop_helpdesk.domain.sla import BusinessCalendar
from desktop_helpdesk.services.case_list_columns import (
    ROW_FIELDS,
    SORT_EXPRESSIONS,
    CaseColumn,
    CaseRow,
    select_rows,
)
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.errors import checked_text
from desktop_helpdesk.services.search import search_case_ids
from desktop_helpdesk.storage import dialect
from desktop_helpdesk.storage.case_filters import narrowed_by_attributes
from desktop_helpdesk.storage.db import database
from desktop_helpdesk.storage.records import (
    CaseRecord,
    ClientRecord,
    ContactRecord,
)
from desktop_helpdesk.storage.target_columns import due_column, met_column

# Case numbers are "YYYY-NNNNN"; a bare number typed in the search box is tried in these years.
_SEARCH_YEARS_BACK = 10
FULL_TEXT_LIMIT = 5_000
_MICROSECOND = timedelta(microseconds=1)
_WORD = re.compile(r"\w+", re.UNICODE)


class Queue(LabelledEnum):
    """The work queues shown on the left of the main window."""

    MY_CASES = "my_cases"
    UNASSIGNED = "unassigned"
    ALL_OPEN = "all_open"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    WAITING_ON_CLIENT = "waiting_on_client"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CLOSED = "closed"


# Queues holding most of the table (history); their sort column's index is the fast path.
_BULK_QUEUES = frozenset({Queue.RESOLVED, Queue.CLOSED})


class SlaState(StrEnum):
    """SLA states a saved filter can ask for (judged at the list's "now")."""

    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    ON_TRACK = "on_track"


UNASSIGNED = -1  # ``FilterCriteria.assignee_id`` for "nobody"


@dataclass(frozen=True)
class FilterCriteria:
    """What a saved filter selects; empty fields select everything. Dates are desk dates.

    Combined with AND; ``statuses`` is a set of case statuses (any of them).
    """

    client_id: int | None = None
    priority: str = ""
    assignee_id: int | None = None  # a member, or UNASSIGNED
    channel: str = ""
    category_id: int | None = None
    statuses: tuple[str, ...] = ()
    sla_state: str = ""
    received_from: date | None = None
    received_to: date | None = None

    def to_json(self) -> str:
        """The criteria as stored with a saved filter."""
        values = {key: value for key, value in asdict(self).items() if value not in (None, "", ())}
        for key in ("received_from", "received_to"):
            if key in values:
                values[key] = values[key].isoformat()
        if "statuses" in values:
            values["statuses"] = list(values["statuses"])
        return json.dumps(values, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> FilterCriteria:
        """Criteria read back from ``to_json`` (unknown keys are ignored)."""
        raw = json.loads(text or "{}")
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in raw.items() if key in known}
        for key in ("received_from", "received_to"):
            if values.get(key):
                values[key] = date.fromisoformat(values[key])
        if "statuses" in values:
            values["statuses"] = tuple(values["statuses"])
        return cls(**values)


@dataclass(frozen=True)
class CaseFilter:
    """What the list shows: a queue, or (when ``search`` has text) matches across all cases.

    Search deliberately ignores the queue: a caller reading out an old case number must find it
    whether it is open, resolved or closed.
    """

    queue: Queue = Queue.ALL_OPEN
    search: str = ""
    member_id: int | None = None
    # A saved filter's criteria; when set they replace the queue (search still wins).
    criteria: FilterCriteria | None = None


@dataclass(frozen=True)
class ChangeCursor:
    """Where the last ``changes_since`` stopped: the highest case revision seen."""

    revision: int = 0


# Queues judged against "now": their SQL carries the instant, so it is built per call.
_TIMED_QUEUES = frozenset({Queue.DUE_SOON, Queue.OVERDUE})


class CaseQueries:
    """Queries behind the case list, the queue counts and the 30-second refresh.

    Args:
        context: the services' shared clock, calendar (with closures), policy and settings;
            "due soon" uses the team's configured share.
    """

    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    # -- list ------------------------------------------------------------------------------
    def ids(
        self,
        case_filter: CaseFilter,
        sort_column: CaseColumn = CaseColumn.NEXT_DUE,
        descending: bool = False,
        now: datetime | None = None,
    ) -> list[int]:
        """Ids of the cases the filter selects, in display order.

        Args:
            case_filter: queue or search text, and the signed-in member for "My cases".
            sort_column: the column to order by; ties are broken by id so order is stable.
            descending: reverse the order.
            now: the instant "due soon"/"overdue" are judged at (needed for those queues).

        Returns:
            Case ids, one indexed ``SELECT id ... ORDER BY <col>, id``.
        """
        search = case_filter.search.strip()
        if search:
            exact = self._exact_number(search)
            if exact is not None:
                return exact
        # Saved-filter criteria vary freely: only plain queues keep their statement.
        static = (not search and case_filter.criteria is None
                  and case_filter.queue not in _TIMED_QUEUES)
        def build() -> tuple[str, list]:
            return self._ids_statement(case_filter, sort_column, descending, now)

        if static:
            key = (case_filter.queue, case_filter.member_id, sort_column, descending)
            sql, params = dialect.cached_statement(key, build)
        else:
            sql, params = build()
        # Straight from the cursor: peewee's per-row wrapping costs ~1 µs a row, 100 ms on
        # a history queue of 95,000 cases.
        return [row[0] for row in database.execute_sql(sql, params).fetchall()]

    def _ids_statement(self, case_filter: CaseFilter, sort_column: CaseColumn,
                       descending: bool, now: datetime | None) -> tuple[str, list]:
        query = CaseRecord.select(CaseRecord.id)
        sort_key = self._sort_expression(sort_column)
        query = query.where(self._condition(case_filter, now))
        if case_filter.search.strip() or case_filter.queue not in _BULK_QUEUES:
            # Open queues and search results are small next to the whole table: read the few
            # matching rows through the filter's index and sort them, rather than walk the
            # sort column's index over every case.
            sort_key = dialect.unindexed(sort_key)
        if isinstance(sort_key, SelectQuery):
            # A correlated sub-select is ordered through a wrapper node (it has no .asc()).
            sort_key = NodeList((sort_key,), glue="")
        if descending:
            query = query.order_by(sort_key.desc(), CaseRecord.id.desc())
        else:
            query = query.order_by(sort_key.asc(), CaseRecord.id.asc())
        return query.sql()

    def _exact_number(self, text: str) -> list[int] | None:
        """``[id]`` when ``text`` is a whole case number that exists, else None.

        A caller reading out "2026-00042" (or "2026-42") wants that case: one indexed look-up
        instead of the full search (client, contact and full-text matches of its digits). A
        merged duplicate's number goes the full way, which adds the case it went into.
        """
        number = normalise_case_number(text)
        if number is None:
            return None
        sql, _ = dialect.cached_statement("number", lambda: (
            CaseRecord.select(CaseRecord.id, CaseRecord.merged_into)
            .where(CaseRecord.number == "").sql()))
        found = database.execute_sql(sql, [number]).fetchone()
        return None if found is None or found[1] is not None else [found[0]]

    def rows(self, ids: Sequence[int]) -> list[CaseRow]:
        """Rows for ``ids`` (any order; missing ids are skipped) in one ``WHERE id IN`` query.

        Args:
            ids: case ids, typically one 200-row page of the list.

        Returns:
            The rows in the order of ``ids``.
        """
        if not ids:
            return []
        ids = list(ids)
        # The statement is the same for every page (the ids are one parameter), so peewee
        # composes it once: that was a third of a page's cost. One id (a case number looked
        # up, a refreshed row) is a plain "IN (?)", planned as an equality: the id list
        # costs more than the look-up itself.
        single = len(ids) == 1
        sql, params = dialect.cached_statement(("rows", single), lambda: self._rows_query(
            dialect.is_id(CaseRecord.id, dialect.ONE_ID) if single
            else dialect.in_id_list(CaseRecord.id, dialect.IDS)).sql())
        params = dialect.bind_ids(params, ids)
        # Raw tuples parsed here: peewee's per-field datetime conversion costs ~10x more, and a
        # page load must stay under a few milliseconds to run on the UI thread.
        cursor = database.execute_sql(sql, params)
        if len(ids) == 1:
            raw = cursor.fetchone()
            return [] if raw is None else [_case_row(raw)]
        by_id = {raw[0]: _case_row(raw) for raw in cursor.fetchall()}
        return [by_id[case_id] for case_id in ids if case_id in by_id]

    @staticmethod
    def _rows_query(where):
        return select_rows(*_ROW_COLUMNS).where(where)

    def row(self, case_id: int) -> CaseRow | None:
        """One row, or None if there is no such case."""
        found = self.rows([case_id])
        return found[0] if found else None

    # -- counts ----------------------------------------------------------------------------
    def queue_counts(self, member_id: int | None, now: datetime) -> dict[Queue, int]:
        """How many cases each queue holds at ``now``.

        Args:
            member_id: the signed-in member ("My cases"); None counts zero for that queue.
            now: the instant due-soon and overdue are judged at.

        Returns:
            A count for every ``Queue``.
        """
        counts = {}
        for queue in Queue:
            if queue is Queue.MY_CASES and member_id is None:
                counts[queue] = 0
                continue
            condition = self._condition(CaseFilter(queue=queue, member_id=member_id), now)
            counts[queue] = CaseRecord.select(fn.COUNT(CaseRecord.id)).where(condition).scalar()
        return counts

    def attention(self, member_id: int, now: datetime) -> dict[int, tuple[str, str, Queue]]:
        """The member's open cases that are overdue or due soon at ``now``.

        Args:
            member_id: the assignee.
            now: the instant the clocks are judged at.

        Returns:
            ``{case_id: (number, subject, Queue.OVERDUE | Queue.DUE_SOON)}``; overdue wins.
        """
        found: dict[int, tuple[str, str, Queue]] = {}
        for queue in (Queue.OVERDUE, Queue.DUE_SOON):
            condition = self._condition(CaseFilter(queue=queue), now)
            query = CaseRecord.select(CaseRecord.id, CaseRecord.number, CaseRecord.subject).where(
                condition & (CaseRecord.assignee == member_id)
            )
            for case_id, number, subject in query.tuples():
                found.setdefault(case_id, (number, subject, queue))
        return found

    # -- refresh ---------------------------------------------------------------------------
    def initial_cursor(self) -> ChangeCursor:
        """A cursor at the newest change now in the database (so nothing counts as changed)."""
        newest = CaseRecord.select(fn.MAX(CaseRecord.revision)).scalar()
        return ChangeCursor(revision=newest or 0)

    def changes_since(self, cursor: ChangeCursor) -> tuple[list[int], bool, ChangeCursor]:
        """Cases changed after ``cursor``, by the indexed revision number.

        Revisions are assigned by the database inside each write transaction and become
        visible in number order (migration 0052), so no workstation's clock is involved and a
        writer that waited for the lock is still seen: nothing is missed, nothing seen twice.

        Args:
            cursor: from ``initial_cursor`` or a previous call.

        Returns:
            ``(changed_ids, set_may_have_changed, new_cursor)``. The set of cases in a queue may
            have changed whenever any case changed (status, assignee or a new case).
        """
        changed: list[int] = []
        newest = cursor.revision
        query = (
            CaseRecord.select(CaseRecord.id, CaseRecord.revision)
            .where(CaseRecord.revision > cursor.revision)
            .order_by(CaseRecord.revision)
            .tuples()
        )
        for case_id, revision in query.iterator():
            changed.append(case_id)
            newest = max(newest, revision)
        return changed, bool(changed), ChangeCursor(revision=newest) if changed else cursor

    # -- SQL pieces ------------------------------------------------------------------------
    @staticmethod
    def _sort_expression(sort_column: CaseColumn):
        return SORT_EXPRESSIONS[sort_column]

    def _condition(self, case_filter: CaseFilter, now: datetime | None):
        search_text = checked_text("search", case_filter.search)
        if search_text:
            return self._search_condition(search_text)
        if case_filter.criteria is not None:
            return self._criteria_condition(case_filter.criteria, now)
        queue = case_filter.queue
        is_open = CaseRecord.status.in_(OPEN_STATUS_VALUES)
        if queue is Queue.MY_CASES:
            return is_open & (CaseRecord.assignee == case_filter.member_id)
        if queue is Queue.UNASSIGNED:
            return is_open & CaseRecord.assignee.is_null()
        if queue is Queue.ALL_OPEN:
            return is_open
        if queue in (Queue.WAITING_ON_CLIENT, Queue.ESCALATED, Queue.RESOLVED, Queue.CLOSED):
            return CaseRecord.status == queue.value
        if now is None:
            raise ValueError(f"the {queue.label} queue needs the current instant")
        if queue is Queue.OVERDUE:
            return is_open & self._overdue_condition(now)
        return is_open & self._due_soon_condition(now)

    def _criteria_condition(self, criteria: FilterCriteria, now: datetime | None):
        condition = narrowed_by_attributes(CaseRecord.id.is_null(False), criteria)
        if criteria.assignee_id == UNASSIGNED:
            condition &= CaseRecord.assignee.is_null()
        elif criteria.assignee_id is not None:
            condition &= CaseRecord.assignee == criteria.assignee_id
        if criteria.statuses:
            condition &= CaseRecord.status.in_(list(criteria.statuses))
        zone = self._context.calendar.zone
        if criteria.received_from is not None:
            start = datetime.combine(criteria.received_from, time(0), zone)
            condition &= CaseRecord.received_at >= start.astimezone(UTC)
        if criteria.received_to is not None:
            end = datetime.combine(criteria.received_to + timedelta(days=1), time(0), zone)
            condition &= CaseRecord.received_at < end.astimezone(UTC)
        if criteria.sla_state:
            if now is None:
                raise ValueError("an SLA-state filter needs the current instant")
            is_open = CaseRecord.status.in_(OPEN_STATUS_VALUES)
            overdue = self._overdue_condition(now)
            due_soon = self._due_soon_condition(now)
            state = SlaState(criteria.sla_state)
            if state is SlaState.OVERDUE:
                condition &= is_open & overdue
            elif state is SlaState.DUE_SOON:
                condition &= is_open & due_soon
            else:
                condition &= is_open & ~overdue & ~due_soon
        return condition

    def _unmet(self, target: Target):
        condition = met_column(target).is_null()
        if target is Target.RESOLVE:
            # A paused resolution clock (waiting on the client) is neither due soon nor overdue.
            condition &= CaseRecord.resolve_paused_at.is_null()
        return condition

    def _overdue_condition(self, now: datetime):
        cutoff = breach_cutoff(self._context.reload_calendar(), now)
        condition = None
        for target in Target:
            term = self._unmet(target) & (due_column(target) < cutoff)
            condition = term if condition is None else (condition | term)
        # next_due_at is the earliest unmet due instant, so this indexed range narrows the scan.
        return (CaseRecord.next_due_at < cutoff) & condition

    def _due_soon_condition(self, now: datetime):
        calendar = self._context.reload_calendar()
        share = self._context.settings().due_soon_share
        cutoff = breach_cutoff(calendar, now)
        condition = None
        widest = cutoff
        for priority in Priority:
            for target in Target:
                left = self._context.policy.budget(priority, target) * (1 - share)
                threshold = calendar.add(now, left)
                widest = max(widest, threshold)
                term = (
                    (CaseRecord.effective_priority == priority.value)
                    & self._unmet(target)
                    & (due_column(target) >= cutoff)
                    & (due_column(target) <= threshold)
                )
                condition = term if condition is None else (condition | term)
        overdue = self._overdue_condition(now)
        return (CaseRecord.next_due_at <= widest) & condition & ~overdue

    def _search_condition(self, text: str):
        words = _WORD.findall(text)
        like = f"%{text.lower()}%"
        client_ids = ClientRecord.select(ClientRecord.id).where(fn.LOWER(ClientRecord.name) ** like)
        contact_match = fn.LOWER(ContactRecord.name) ** like
        contact_match |= ContactRecord.email_lower ** like
        digits = re.sub(r"\D", "", text)
        if len(digits) >= 4:
            contact_match |= ContactRecord.phone_digits ** f"%{digits}%"
        contact_ids = ContactRecord.select(ContactRecord.id).where(contact_match)
        # A UNION of indexed look-ups, not an OR across columns: an OR makes SQLite test every
        # case row, while each branch here reads only its matches through an index.
        matches = CaseRecord.select(CaseRecord.id).where(CaseRecord.client.in_(client_ids))
        matches |= CaseRecord.select(CaseRecord.id).where(CaseRecord.contact.in_(contact_ids))
        numbers = _candidate_numbers(text, self._context.now().astimezone(self._context.calendar.zone).year)
        if numbers:
            matches |= CaseRecord.select(CaseRecord.id).where(CaseRecord.number.in_(numbers))
            # A merged duplicate's number read out by the caller finds the case it went into.
            merged = CaseRecord.select(CaseRecord.merged_into).where(
                CaseRecord.number.in_(numbers), CaseRecord.merged_into.is_null(False))
            matches |= CaseRecord.select(CaseRecord.id).where(CaseRecord.id.in_(merged))
        if words:
            # Engine-specific full-text SQL lives only in services.search. Unranked (the list
            # is sorted by a column anyway) and capped to the newest matches: ranking or
            # sorting 20,000 matches of a common word would cost 100-200 ms.
            text_ids = search_case_ids(text, limit=FULL_TEXT_LIMIT, ranked=False)
            if text_ids:
                matches |= CaseRecord.select(CaseRecord.id).where(
                    dialect.in_id_list(CaseRecord.id, text_ids))
        return CaseRecord.id.in_(matches)


def _candidate_numbers(text: str, this_year: int) -> list[str]:
    """Case numbers ``text`` may mean: a whole number, or a bare sequence in recent years.

    ``this_year`` is the desk's (Halifax) year, the year numbering uses."""
    cleaned = text.strip()
    number = normalise_case_number(cleaned)
    if number is not None:
        return [number]
    if cleaned.isdigit() and len(cleaned) <= CASE_NUMBER_DIGITS and int(cleaned) > 0:
        return [format_case_number(year, int(cleaned))
                for year in range(this_year - _SEARCH_YEARS_BACK, this_year + 2)]
    return []


def _case_row_reader() -> Callable[[tuple], CaseRow]:
    """The function making a ``CaseRow`` from one row of the rows statement, built from
    ``ROW_FIELDS``.

    SQLite stores instants as naive UTC text: parsing them with the offset attached is
    cheapest, and a reader spelled out field by field (no list, no loop) costs half as much
    as a loop over the fields, which matters at a page of 200 rows on the window's thread.
    PostgreSQL rows carry naive UTC datetimes and take the loop.
    """
    cells = []
    for slot, field in enumerate(ROW_FIELDS.values()):
        cell = f"raw[{slot}]"
        if field.instant:
            cell = f"None if {cell} is None else parse({cell} + '+00:00')"
        elif field.blank:
            cell = f"{cell} or ''"
        cells.append(cell)
    namespace = {"CaseRow": CaseRow, "parse": datetime.fromisoformat}
    exec(f"def read_text_row(raw):\n    return CaseRow({', '.join(cells)})", namespace)
    read_text_row = namespace["read_text_row"]
    instants = [n for n, f in enumerate(ROW_FIELDS.values()) if f.instant]
    blanks = [n for n, f in enumerate(ROW_FIELDS.values()) if f.blank]
    make = CaseRow._make

    def read(raw: tuple) -> CaseRow:
        if raw[_RECEIVED_SLOT].__class__ is str:
            return read_text_row(raw)
        values = list(raw)
        for slot in instants:
            value = values[slot]
            if value is not None and value.tzinfo is None:
                values[slot] = value.replace(tzinfo=UTC)
        for slot in blanks:
            values[slot] = values[slot] or ""
        return make(values)

    return read


_RECEIVED_SLOT = list(ROW_FIELDS).index("received_at")  # never NULL: tells the engine's type
_ROW_COLUMNS = tuple(field.sql for field in ROW_FIELDS.values())
_case_row = _case_row_reader()


def breach_cutoff(calendar: BusinessCalendar, now: datetime) -> datetime:
    """The latest business instant at or before ``now``: due instants before it are breached.

    A target is breached only once business time has elapsed past its due instant, so at
    20:00 a case due at 16:30 that day is not yet overdue; the cutoff is then 16:30.

    Args:
        calendar: the business calendar.
        now: an aware instant.

    Returns:
        ``now`` during business hours, otherwise the most recent closing instant.
    """
    if calendar.is_open(now):
        return now
    # Business time from two weeks back up to now, replayed from the same anchor, lands on the
    # last business microsecond; one microsecond later is the closing instant.
    anchor = now - timedelta(days=14)
    business = calendar.elapsed(anchor, now)
    if business <= timedelta(0):
        return now
    return (calendar.add(anchor, business - _MICROSECOND) + _MICROSECOND).astimezone(UTC)
