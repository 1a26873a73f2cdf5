"""Team members get an Argon2id password hash, a failed sign-in count and a lock-out instant."""

from __future__ import annotations

from peewee import SqliteDatabase

_COLUMNS = (
    # (name, SQLite type, PostgreSQL type)
    ("password_hash", "VARCHAR(255) NOT NULL DEFAULT ''", "VARCHAR(255) NOT NULL DEFAULT ''"),
    ("must_change_password", "INTEGER NOT NULL DEFAULT 0", "BOOLEAN NOT NULL DEFAULT false"),
    ("failed_sign_ins", "INTEGER NOT NULL DEFAULT 0", "INTEGER NOT NULL DEFAULT 0"),
    ("last_failed_sign_in_at", "DATETIME", "TIMESTAMP"),
    ("locked_until", "DATETIME", "TIMESTAMP"),
)


def up(migrator, db):
    sqlite = isinstance(db, SqliteDatabase)
    # Plain ALTER TABLE: peewee's SQLite migrator would rebuild a table other tables refer to.
    for name, sqlite_type, postgres_type in _COLUMNS:
        db.execute_sql(f'ALTER TABLE "team_member" ADD COLUMN "{name}" '
                       f"{sqlite_type if sqlite else postgres_type}")
