"""Raw reads of the audit chain in canonical column form, in id order and keyset batches."""

from __future__ import annotations

from collections.abc import Iterator

from peewee import Database, SqliteDatabase

from desktop_helpdesk.domain.audit_chain import CHAINED_COLUMNS

# Rows per query: bounded memory on PostgreSQL (whose driver fetches a result whole).
BATCH_ROWS = 50_000


def _at_column(db: Database) -> str:
    # SQLite keeps the instant as the canonical text already; PostgreSQL formats its timestamp
    # the same way, so a chain hashed on one engine verifies on the other.
    if isinstance(getattr(db, "obj", db), SqliteDatabase):  # the proxy or the database itself
        return '"at"'
    return """to_char("at", 'YYYY-MM-DD HH24:MI:SS.US')"""


def chain_select(db: Database, *, descending: bool = False, limit: int = BATCH_ROWS) -> str:
    """SQL selecting ``id``, the ``CHAINED_COLUMNS`` (canonical form), ``prev_hash`` and ``hash``
    of rows after (or, descending, before) the id given as the one parameter."""
    columns = ", ".join(_at_column(db) if name == "at" else f'"{name}"' for name in CHAINED_COLUMNS)
    compare, order = ("<", "DESC") if descending else (">", "ASC")
    return (
        f'SELECT "id", {columns}, "prev_hash", "hash" FROM "audit" '
        f'WHERE "id" {compare} {db.param} ORDER BY "id" {order} LIMIT {int(limit)}'
    )


def iter_chain_rows(db: Database, *, after_id: int = 0) -> Iterator[tuple]:
    """Every audit row after ``after_id`` in id order: ``(id, *chained values, prev_hash, hash)``.

    Args:
        db: the connected database.
        after_id: start after this id (0: from the first row).

    Yields:
        One tuple per row.
    """
    sql = chain_select(db)
    last = after_id
    while True:
        rows = db.execute_sql(sql, (last,)).fetchall()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]
        if len(rows) < BATCH_ROWS:
            return


def chain_head(db: Database) -> tuple[int, str] | None:
    """The last row's ``(id, hash)``, or None for an empty audit table."""
    row = db.execute_sql('SELECT "id", "hash" FROM "audit" ORDER BY "id" DESC LIMIT 1').fetchone()
    return None if row is None else (row[0], row[1])
