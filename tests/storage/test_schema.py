"""The schema the migrations build is the schema the records declare, on both engines.

Migrations are written by hand next to ``records.py``; a migration that names an index
differently, gives a column another type or nullability, or a record missing from
``ALL_RECORDS`` would only show on a customer's upgraded database. Here each engine builds the
schema twice — by running every migration, and by ``create_tables(ALL_RECORDS)`` in a second
database — and the two are compared table by table.
"""

from __future__ import annotations

import pytest
from peewee import SqliteDatabase

from desktop_helpdesk.storage import records
from desktop_helpdesk.storage.db import (
    DatabaseTarget,
    close_database,
    database,
    make_database,
    open_database,
)
from desktop_helpdesk.storage.migrations import HISTORY_TABLE

# Tables that only migrations create on purpose (no record class): the migration history and
# the full-text search index (FTS5 on SQLite, a tsvector table on PostgreSQL) with its shadows.
_MIGRATION_ONLY_PREFIXES = (HISTORY_TABLE, "case_search")


def _describe(db) -> dict[str, dict]:
    """Tables -> their columns (name, type, null, primary key) and indexes (name, columns, unique)."""
    described = {}
    for table in db.get_tables():
        if table.startswith(_MIGRATION_ONLY_PREFIXES) or table.startswith("sqlite_"):
            continue
        columns = {
            column.name: (_type_name(column.data_type), column.null, column.primary_key)
            for column in db.get_columns(table)
        }
        indexes = {
            (index.name, tuple(index.columns), index.unique)
            for index in db.get_indexes(table)
            if not index.name.endswith("_pkey")  # PostgreSQL's primary key index
        }
        described[table] = {"columns": columns, "indexes": indexes}
    return described


def _type_name(data_type: str) -> str:
    # Type names differ only in spelling between a migration's DDL and create_tables'.
    return data_type.lower().split("(")[0].replace("character varying", "varchar").strip()


def _declared_schema(make_db) -> dict[str, dict]:
    scratch = make_db()
    database.initialize(scratch)
    try:
        scratch.connect(reuse_if_open=True)
        scratch.create_tables(records.ALL_RECORDS)
        return _describe(scratch)
    finally:
        scratch.close()
        database.initialize(None)


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated_and_declared(request, tmp_path):
    if request.param == "sqlite":
        migrated = open_database(DatabaseTarget(str(tmp_path / "migrated.sqlite3")))
        try:
            built = _describe(migrated)
        finally:
            close_database()
        declared = _declared_schema(lambda: SqliteDatabase(str(tmp_path / "declared.sqlite3")))
    else:
        from tests.pg import fresh_postgres_database

        server = request.getfixturevalue("postgres_url")
        migrated = open_database(DatabaseTarget(fresh_postgres_database(server)))
        try:
            built = _describe(migrated)
        finally:
            close_database()
        declared_url = fresh_postgres_database(server)
        declared = _declared_schema(lambda: make_database(DatabaseTarget(declared_url)))
    return built, declared


def test_every_table_the_migrations_build_has_a_record_in_all_records(migrated_and_declared):
    built, declared = migrated_and_declared
    assert sorted(built) == sorted(declared)


def test_migrated_columns_match_the_records(migrated_and_declared):
    built, declared = migrated_and_declared
    for table in declared:
        assert built[table]["columns"] == declared[table]["columns"], table


def test_migrated_indexes_match_the_records(migrated_and_declared):
    built, declared = migrated_and_declared
    for table in declared:
        assert built[table]["indexes"] == declared[table]["indexes"], table
