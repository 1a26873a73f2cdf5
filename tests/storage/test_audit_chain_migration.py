"""Upgrading a database written before the audit chain hashes its existing rows in id order."""

import peewee
import pytest

from desktop_helpdesk.domain.audit_chain import GENESIS_HASH
from desktop_helpdesk.services.audit_chain import verify_chain
from desktop_helpdesk.storage.db import DatabaseTarget, close_database, database, open_database
from desktop_helpdesk.storage.migrations import pending, upgrade
from desktop_helpdesk.storage.records import AuditRecord
from tests.conftest import halifax


@pytest.fixture(params=["sqlite", "postgresql"])
def old_database(request, tmp_path):
    if request.param == "sqlite":
        url = str(tmp_path / "old.sqlite3")
    else:
        from tests.pg import fresh_postgres_database

        url = fresh_postgres_database(request.getfixturevalue("postgres_url"))
    db = open_database(DatabaseTarget(url), migrate=False)
    upgrade(db, target="0040_mail_outbox")
    yield db
    close_database()
    database.initialize(None)


def test_existing_rows_are_chained_and_still_append_only(old_database):
    at = halifax(2026, 11, 2, 9, 30)
    p = old_database.param
    insert = ('INSERT INTO "audit" ("at", "entity", "action", "field", "before", "after", "reason") '
              f"VALUES ({p}, {p}, {p}, '', '', {p}, '')")
    for n in range(5):
        old_database.execute_sql(insert, (AuditRecord.at.db_value(at), "case", "created", f"#{n}"))

    upgrade(old_database)

    assert pending(old_database) == []
    rows = list(AuditRecord.select().order_by(AuditRecord.id))
    assert rows[0].prev_hash == GENESIS_HASH
    assert [r.after for r in rows] == [f"#{n}" for n in range(5)]
    report = verify_chain(at)
    assert report.ok and report.rows == 5
    # The triggers lifted for the step are back.
    with pytest.raises(peewee.DatabaseError, match="append-only"), old_database.atomic():
        AuditRecord.update(after="forged").where(AuditRecord.id == rows[0].id).execute()
