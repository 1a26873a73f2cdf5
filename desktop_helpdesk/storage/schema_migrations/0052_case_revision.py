"""Cases carry a database-assigned revision number, the change feed the list refresh follows
(a workstation's clock can no longer hide a write from the others)."""

from __future__ import annotations

from peewee import SqliteDatabase

# The counter row on SQLite lives in the settings table (internal state, not a team setting).
SQLITE_COUNTER_KEY = "case_revision"
# Any fixed number: the transaction-level advisory lock that orders revisions on PostgreSQL.
POSTGRES_LOCK_KEY = 7_304_951_002


def up(migrator, db):  # noqa: ARG001 - the runner's signature
    # With a database default, so raw INSERTs that do not name it work (the trigger sets it).
    column_type = "INTEGER" if isinstance(db, SqliteDatabase) else "BIGINT"  # peewee's BigIntegerField
    db.execute_sql(f'ALTER TABLE "case" ADD COLUMN revision {column_type} NOT NULL DEFAULT 0')
    if isinstance(db, SqliteDatabase):
        _sqlite(db)
    else:
        _postgres(db)
    db.execute_sql('CREATE INDEX "case_revision" ON "case" (revision)')


def _sqlite(db):
    # Existing cases get distinct revisions; the counter continues after the highest.
    db.execute_sql('UPDATE "case" SET revision = id')
    db.execute_sql(
        "INSERT INTO setting (key, value) SELECT ?, CAST(COALESCE(MAX(id), 0) AS TEXT) FROM \"case\" "
        "WHERE true ON CONFLICT (key) DO NOTHING",
        (SQLITE_COUNTER_KEY,),
    )
    # Writers are serialised by SQLite's write lock, so a counter bumped inside the write
    # transaction commits in number order. recursive_triggers is off (SQLite's default), so
    # the inner UPDATE of "case" does not fire these triggers again.
    for event in ("INSERT", "UPDATE"):
        db.execute_sql(
            f'CREATE TRIGGER "case_revision_on_{event.lower()}" AFTER {event} ON "case" BEGIN '
            f"UPDATE setting SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = '{SQLITE_COUNTER_KEY}'; "
            f'UPDATE "case" SET revision = (SELECT CAST(value AS INTEGER) FROM setting '
            f"WHERE key = '{SQLITE_COUNTER_KEY}') WHERE id = NEW.id; "
            "END"
        )


def _postgres(db):
    db.execute_sql("CREATE SEQUENCE case_revision_seq")
    db.execute_sql("UPDATE \"case\" SET revision = nextval('case_revision_seq')")
    # A sequence alone hands out numbers in call order, not commit order: a reader could see
    # N+1 committed, move its cursor past N, and miss N when it commits later. The advisory
    # lock, held from the writer's first case write until its commit, makes writers of cases
    # take their numbers one after another, so revisions become visible in order.
    db.execute_sql(
        "CREATE FUNCTION case_revision_stamp() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_advisory_xact_lock({POSTGRES_LOCK_KEY}); "
        "NEW.revision := nextval('case_revision_seq'); RETURN NEW; END $$"
    )
    db.execute_sql(
        'CREATE TRIGGER case_revision BEFORE INSERT OR UPDATE ON "case" '
        "FOR EACH ROW EXECUTE FUNCTION case_revision_stamp()"
    )
