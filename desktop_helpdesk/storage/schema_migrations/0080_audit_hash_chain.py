"""Audit rows carry a SHA-256 chain (prev_hash, hash); existing rows are hashed in id order."""

from __future__ import annotations

from peewee import SqliteDatabase

from desktop_helpdesk.domain.audit_chain import GENESIS_HASH, canonical_content, link_hash
from desktop_helpdesk.storage.audit_rows import iter_chain_rows

_SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
)
_POSTGRES_TRIGGERS = (
    "CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit "
    "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
)


def up(migrator, db):
    sqlite = isinstance(db, SqliteDatabase)
    # Plain ALTER TABLE on both engines: peewee's SQLite migrator may rebuild the table,
    # which would silently drop its triggers.
    for column in ("prev_hash", "hash"):
        db.execute_sql(f'ALTER TABLE "audit" ADD COLUMN "{column}" VARCHAR(64) NOT NULL DEFAULT \'\'')
    # The append-only triggers are lifted for this one step (inside the migration's
    # transaction) so the rows written before the chain existed can be hashed.
    if sqlite:
        db.execute_sql("DROP TRIGGER audit_no_update")
        db.execute_sql("DROP TRIGGER audit_no_delete")
    else:
        db.execute_sql("DROP TRIGGER audit_no_update ON audit")
    previous = GENESIS_HASH
    updates = []
    for row in iter_chain_rows(db):
        current = link_hash(previous, canonical_content(row[1:-2]))
        updates.append((previous, current, row[0]))
        previous = current
    if updates:
        sql = f'UPDATE "audit" SET "prev_hash" = {db.param}, "hash" = {db.param} WHERE "id" = {db.param}'
        cursor = db.cursor()
        for start in range(0, len(updates), 10_000):
            cursor.executemany(sql, updates[start:start + 10_000])
    for statement in _SQLITE_TRIGGERS if sqlite else _POSTGRES_TRIGGERS:
        db.execute_sql(statement)
    db.execute_sql('CREATE UNIQUE INDEX "audit_prev_hash" ON "audit" ("prev_hash")')
