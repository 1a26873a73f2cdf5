"""The engine-specific SQL behind storage.dialect gives the same answers on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from desktop_helpdesk.storage import dialect
from desktop_helpdesk.storage.db import database
from desktop_helpdesk.storage.records import ClosureRecord


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request):
    request.getfixturevalue("db" if request.param == "sqlite" else "pg_db")
    return request.param


CREATED = datetime(2026, 11, 30, 21, 5, 7, 250_000, tzinfo=UTC)


def closures(count: int) -> list[int]:
    return [ClosureRecord.create(day=f"2026-{1 + n // 28:02d}-{1 + n % 28:02d}",
                                 reason=f"closure {n}", created_at=CREATED).id
            for n in range(count)]


def test_an_id_list_of_thousands_is_one_parameter_and_selects_exactly_those_rows(engine):
    ids = closures(40)
    wanted = ids[::3] + [10_000_000]  # one id that does not exist
    many = wanted + list(range(20_000_000, 20_005_000))  # past SQLite's parameter cap
    query = ClosureRecord.select(ClosureRecord.id).where(dialect.in_id_list(ClosureRecord.id, many))
    sql, params = query.sql()
    assert len(params) == 1
    assert sorted(row[0] for row in database.execute_sql(sql, params)) == ids[::3]
    # The text is the same for any list: the parameter alone carries the ids.
    other = [dialect.id_list_parameter(ids[:2])]
    assert sorted(row[0] for row in database.execute_sql(sql, other)) == ids[:2]


def test_the_engine_gives_a_stored_instant_as_epoch_seconds(engine):
    closures(1)
    seconds = ClosureRecord.select(dialect.epoch_seconds(ClosureRecord.created_at)).scalar()
    # Whole seconds on SQLite 3.38+ (unixepoch); PostgreSQL keeps the fraction.
    assert int(seconds) == int(CREATED.timestamp())
    assert abs(seconds - CREATED.timestamp()) < 1


def test_an_unindexed_sort_key_orders_like_the_column(engine):
    closures(30)
    plain = [r.id for r in ClosureRecord.select().order_by(ClosureRecord.day.desc())]
    hidden = [r.id for r in ClosureRecord.select().order_by(
        dialect.unindexed(ClosureRecord.day).desc())]
    assert hidden == plain and len(plain) == 30
    sql = ClosureRecord.select().order_by(dialect.unindexed(ClosureRecord.day)).sql()[0]
    # Only SQLite's planner needs the index hidden.
    assert ('+"t1"."day"' in sql) == (engine == "sqlite")


def test_locked_and_claimed_reads_return_the_rows(engine):
    ids = closures(5)
    with database.atomic():
        query = ClosureRecord.select(ClosureRecord.id).order_by(ClosureRecord.id)
        assert [r.id for r in dialect.lock_rows(query)] == ids
        assert [r.id for r in dialect.claim_rows_skip_locked(query.limit(2))] == ids[:2]
    with dialect.serialised_write(0x1234):
        dialect.hold_write_lock(0x1234)  # re-entrant inside the transaction
        ClosureRecord.delete().where(ClosureRecord.id == ids[0]).execute()
    assert ClosureRecord.select().count() == 4


def test_question_mark_sql_runs_on_either_engine(engine):
    ids = closures(3)
    found = dialect.execute_qmark('SELECT "reason" FROM "closure" WHERE "id" = ? OR "id" = ?',
                                  (ids[0], ids[2])).fetchall()
    assert sorted(row[0] for row in found) == ["closure 0", "closure 2"]


def test_a_statement_is_built_once_per_engine(engine):
    built = []

    def build():
        built.append(1)
        return ClosureRecord.select().where(ClosureRecord.id == 0).sql()

    key = ("test statement", object())  # a fresh key: nothing cached before this test
    first = dialect.cached_statement(key, build)
    assert dialect.cached_statement(key, build) is first and len(built) == 1


def test_only_a_file_database_reads_locally(engine, db_path):
    assert dialect.reads_are_local() == (engine == "sqlite")
    assert dialect.database_file() == (db_path if engine == "sqlite" else None)


def test_a_statement_built_for_ids_later_runs_with_any_ids(engine):
    ids = closures(6)
    many = ClosureRecord.select(ClosureRecord.reason).where(
        dialect.in_id_list(ClosureRecord.id, dialect.IDS) & (ClosureRecord.reason != "closure 1"))
    sql, params = many.sql()
    found = database.execute_sql(sql, dialect.bind_ids(params, ids[:3])).fetchall()
    assert sorted(row[0] for row in found) == ["closure 0", "closure 2"]
    one = ClosureRecord.select(ClosureRecord.reason).where(
        dialect.is_id(ClosureRecord.id, dialect.ONE_ID))
    sql, params = one.sql()
    assert database.execute_sql(sql, dialect.bind_ids(params, [ids[4]])).fetchall() == [
        ("closure 4",)]
