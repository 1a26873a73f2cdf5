"""Outbox rows get an event id, a claim, a next-try time, parking and skipping; partial
indexes serve the unsent rows so a round never scans the delivered history."""

from __future__ import annotations

from peewee import SqliteDatabase

from desktop_helpdesk.storage.fields import UtcDateTimeField

_TABLES = ("crm_outbox", "mail_outbox")
_UNSENT = "sent_at IS NULL AND skipped_at IS NULL"
# A random version-4 UUID in SQLite's own SQL (it has no uuid function).
_SQLITE_UUID = (
    "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' "
    "|| substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))"
)


def up(migrator, db):
    for table in _TABLES:
        # NOT NULL columns with a database default: added in place (no table rebuild on
        # SQLite, instant on PostgreSQL) and raw INSERTs that do not name them still work.
        db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN event_id VARCHAR(36) NOT NULL DEFAULT \'\'')
        db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN claimed_by VARCHAR(200) NOT NULL DEFAULT \'\'')
        db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN skip_reason TEXT NOT NULL DEFAULT \'\'')
        migrator.migrate(
            migrator.add_column(table, "next_attempt_at", UtcDateTimeField(null=True)),
            migrator.add_column(table, "first_failed_at", UtcDateTimeField(null=True)),
            migrator.add_column(table, "parked_at", UtcDateTimeField(null=True)),
            migrator.add_column(table, "skipped_at", UtcDateTimeField(null=True)),
        )
        uuid_sql = _SQLITE_UUID if isinstance(db, SqliteDatabase) else "gen_random_uuid()::text"
        db.execute_sql(f'UPDATE "{table}" SET event_id = {uuid_sql}')
        db.execute_sql(f'CREATE UNIQUE INDEX "{table}_event_id" ON "{table}" (event_id)')
        db.execute_sql(f'CREATE INDEX "{table}_unsent" ON "{table}" (id) WHERE {_UNSENT}')
        db.execute_sql(f'CREATE INDEX "{table}_unsent_case" ON "{table}" (case_id, id) WHERE {_UNSENT}')
