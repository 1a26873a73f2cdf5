"""Every SQL difference between SQLite and PostgreSQL, behind functions named for what they mean.

Services call these and never ask which engine they run on. Each function does the same job
on both engines (tests run every service path on both); only its SQL differs.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from peewee import SQL, Field, Node, NodeList, Select, SqliteDatabase, fn

from desktop_helpdesk.storage.db import database


def _on_sqlite() -> bool:
    return isinstance(database.obj, SqliteDatabase)


# -- reading ----------------------------------------------------------------------------------

def reads_are_local() -> bool:
    """Whether reads go to a local file (a page of rows then costs a few milliseconds, so the
    window may read it on its own thread) rather than over the network to a server."""
    return _on_sqlite()


def database_file() -> Path | None:
    """The file behind the bound database, or None for a database server."""
    db = database.obj
    return Path(db.database) if isinstance(db, SqliteDatabase) else None


def unindexed(expression: Node) -> Node:
    """``expression`` kept off its index in ORDER BY / GROUP BY, where the index would mislead.

    SQLite's planner walks a sort or grouping column's index over the whole table even when
    the WHERE clause picks a few rows through another index (100,000 cases: ~100 ms instead
    of ~2 ms); a unary plus hides that index. PostgreSQL's planner weighs both itself.
    """
    if _on_sqlite():
        return NodeList((SQL("+"), expression), glue="")
    return expression


def epoch_seconds(column: Field | Node) -> Node:
    """SQL giving a stored instant as epoch seconds, computed by the database engine.

    Parsing 900,000 timestamps in Python costs about a second; the engine does it in C.
    SQLite 3.38+ ``unixepoch`` gives whole seconds (reports judge outcomes to the second:
    a reply within the same second as its due instant is on time); older SQLite falls back to
    ``julianday``, rounded to the millisecond because it carries ~10 microseconds of error.
    """
    if _on_sqlite():
        if sqlite3.sqlite_version_info >= (3, 38, 0):
            return fn.unixepoch(column)
        return fn.ROUND((fn.julianday(column) - 2440587.5) * 86400.0, 3)
    return fn.date_part("epoch", column)


class _IdsLater:
    """Stands in a statement's parameters for ids given when it runs (``bind_ids``)."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


#: ``in_id_list(field, IDS)``: the id list comes when the statement runs.
IDS = _IdsLater("IDS")
#: ``is_id(field, ONE_ID)``: the one id comes when the statement runs.
ONE_ID = _IdsLater("ONE_ID")


def id_list_parameter(ids: Sequence[int]) -> object:
    """The one query parameter ``in_id_list`` takes: a JSON array on SQLite, an array on
    PostgreSQL."""
    return json.dumps(list(ids)) if _on_sqlite() else list(ids)


def in_id_list(field: Field, ids: Sequence[int] | _IdsLater) -> Node:
    """``field IN ids`` with thousands of ids passed as one parameter.

    peewee renders a list one parameter at a time (~0.05 ms per element: more than the query
    itself for 5,000 ids), and SQLite caps the number of parameters. As one parameter the
    SQL text is the same for any list: with ``IDS`` it can be built once (``cached_statement``)
    and run with any list (``bind_ids``).
    """
    value = ids if ids is IDS else id_list_parameter(ids)
    if _on_sqlite():
        return field.in_(SQL("(SELECT value FROM json_each(?))", (value,)))
    return NodeList((field, SQL("= ANY(%s)", (value,))))


def is_id(field: Field, case_id: int | _IdsLater) -> Node:
    """``field IN (case_id)``, planned as an equality (one id is cheaper so than as a list of
    one); with ``ONE_ID`` the id comes when the statement runs."""
    return NodeList((field, SQL(f"IN ({database.param})", (case_id,))))


def bind_ids(params: Sequence[object], ids: Sequence[int]) -> list[object]:
    """A built statement's parameters with ``ids`` in place of ``IDS`` (the list) and
    ``ONE_ID`` (its first id)."""
    return [id_list_parameter(ids) if value is IDS else ids[0] if value is ONE_ID else value
            for value in params]


_STATEMENTS: dict[tuple[Hashable, bool], tuple[str, list]] = {}


def cached_statement(key: Hashable, build: Callable[[], tuple[str, list]]) -> tuple[str, list]:
    """The ``(sql, params)`` built once per key and engine (peewee spends ~0.3 ms composing
    the same SQL text again; the text differs by engine, so each gets its own)."""
    slot = (key, _on_sqlite())
    statement = _STATEMENTS.get(slot)
    if statement is None:
        statement = _STATEMENTS[slot] = build()
    return statement


def execute_qmark(sql: str, params: Sequence[object] = ()):
    """Run hand-written SQL whose placeholders are written ``?`` on either engine."""
    if not _on_sqlite():
        sql = sql.replace("?", database.param)
    return database.execute_sql(sql, params)


# -- locking ----------------------------------------------------------------------------------

def lock_rows(query: Select, *, of=None) -> Select:
    """``query`` locking the rows it reads until the transaction ends.

    PostgreSQL: ``FOR UPDATE`` (``of``: only that table's rows), so two workstations' changes
    to one row queue instead of one failing. SQLite needs none: its writers already hold the
    file's single write lock from ``BEGIN IMMEDIATE``.
    """
    if _on_sqlite():
        return query
    return query.for_update(of=of) if of is not None else query.for_update()


def claim_rows_skip_locked(query: Select) -> Select:
    """``query`` taking only rows no other transaction holds, and locking them.

    PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so concurrent claimers never wait on, or take,
    each other's rows. SQLite has one writer at a time, so there is nothing to skip.
    """
    if _on_sqlite():
        return query
    return query.for_update("FOR UPDATE SKIP LOCKED")


@contextmanager
def serialised_write(lock_key: int) -> Iterator[None]:
    """A transaction that queues for the one write lock before it reads anything.

    SQLite: ``BEGIN IMMEDIATE`` (two workstations queue for the file's write lock instead of
    one failing when it upgrades a read lock). PostgreSQL: the advisory lock ``lock_key`` for
    the transaction, taken first (see ``hold_write_lock``). Inside a transaction: a savepoint.
    """
    if _on_sqlite():
        with database.atomic("IMMEDIATE"):
            yield
        return
    with database.atomic():
        hold_write_lock(lock_key)
        yield


def hold_write_lock(lock_key: int) -> None:
    """Wait for the writers' lock ``lock_key`` until this transaction ends (re-entrant).

    PostgreSQL: ``pg_advisory_xact_lock``. SQLite needs nothing: its writers already hold the
    file's single write lock.
    """
    if not _on_sqlite():
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (lock_key,))


# -- full-text search over cases (FTS5 on SQLite, a weighted tsvector on PostgreSQL) ----------

def write_case_search_row(case_id: int, subject: str, description: str, interactions: str,
                          resolution: str) -> None:
    """Insert or replace the search row of a case (subject weighs most, then resolution,
    description, interactions)."""
    if _on_sqlite():
        database.execute_sql(
            "INSERT OR REPLACE INTO case_search (rowid, subject, description, interactions, "
            "resolution) VALUES (?, ?, ?, ?, ?)",
            (case_id, subject, description, interactions, resolution),
        )
        return
    database.execute_sql(
        "INSERT INTO case_search (case_id, document) VALUES (%s, "
        "setweight(to_tsvector('english', %s), 'A') || setweight(to_tsvector('english', %s), 'C')"
        " || setweight(to_tsvector('english', %s), 'D') || setweight(to_tsvector('english', %s), 'B'))"
        " ON CONFLICT (case_id) DO UPDATE SET document = EXCLUDED.document",
        (case_id, subject, description, interactions, resolution),
    )


def count_case_search_matches(word: str, cap: int) -> int:
    """How many cases contain ``word``, counting no further than ``cap``."""
    if _on_sqlite():
        sql = (
            "SELECT count(*) FROM (SELECT 1 FROM case_search WHERE case_search MATCH ? LIMIT ?)"
        )
        params: tuple = (f'"{word}"', cap)
    else:
        sql = (
            "SELECT count(*) FROM (SELECT 1 FROM case_search "
            "WHERE document @@ to_tsquery('english', %s) LIMIT %s) AS found"
        )
        params = (word, cap)
    return int(database.execute_sql(sql, params).fetchone()[0])


def newest_case_search_matches(words: Sequence[str], statuses: tuple[str, str], exclude: int,
                               limit: int) -> list[int]:
    """Ids of the newest cases in one of two ``statuses`` containing every one of ``words``
    (whole words), other than ``exclude``."""
    if _on_sqlite():
        sql = (
            'SELECT s.rowid FROM case_search AS s JOIN "case" AS c ON c.id = s.rowid '
            "WHERE case_search MATCH ? AND c.status IN (?, ?) AND c.id <> ? "
            "ORDER BY s.rowid DESC LIMIT ?"
        )
        params: tuple = (" AND ".join(f'"{w}"' for w in words), *statuses, exclude, limit)
    else:
        sql = (
            'SELECT s.case_id FROM case_search AS s JOIN "case" AS c ON c.id = s.case_id '
            "WHERE s.document @@ to_tsquery('english', %s) AND c.status IN (%s, %s) "
            "AND c.id <> %s ORDER BY s.case_id DESC LIMIT %s"
        )
        params = (" & ".join(words), *statuses, exclude, limit)
    return [row[0] for row in database.execute_sql(sql, params).fetchall()]


def case_search_ids(terms: Sequence[str], limit: int | None, *, ranked: bool) -> list[int]:
    """Ids of cases containing every one of ``terms`` as a word prefix: best match first when
    ``ranked``, else newest case first; at most ``limit`` (None: all)."""
    if _on_sqlite():
        match = " AND ".join(f'"{term}"*' for term in terms)
        order = " ORDER BY rank" if ranked else " ORDER BY rowid DESC"
        sql = "SELECT rowid FROM case_search WHERE case_search MATCH ?" + order
        params: tuple = (match,)
        if limit is not None:
            sql += " LIMIT ?"
            params += (limit,)
    else:
        sql = (
            "SELECT case_id FROM case_search, to_tsquery('english', %s) AS q "
            "WHERE document @@ q"
            + (" ORDER BY ts_rank(document, q) DESC" if ranked else " ORDER BY case_id DESC")
        )
        params = (" & ".join(f"{term}:*" for term in terms),)
        if limit is not None:
            sql += " LIMIT %s"
            params += (limit,)
    return [row[0] for row in database.execute_sql(sql, params).fetchall()]
