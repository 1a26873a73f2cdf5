"""Migration 0090 gives existing clients their case-folded name key on SQLite and PostgreSQL,
keeping clients that only differ in non-ASCII case (let in before) apart."""

from __future__ import annotations

from datetime import UTC, datetime

import peewee
import pytest

from desktop_helpdesk.storage.db import close_database, database, open_database
from desktop_helpdesk.storage.migrations import pending, upgrade
from desktop_helpdesk.storage.records import ClientRecord

NOW = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def old_database(request, tmp_path):
    """A database at the schema before the name key, with clients an old version let in."""
    if request.param == "sqlite":
        target = str(tmp_path / "old.sqlite3")
    else:
        from tests.pg import fresh_postgres_database

        target = fresh_postgres_database(request.getfixturevalue("postgres_url"))
    db = open_database(target, migrate=False)
    upgrade(db, target="0040_mail_outbox")
    for name in ("École Nord", "Acme", "école nord", "ÉCOLE NORD"):
        db.execute_sql(f"INSERT INTO client (name, account_manager, account_manager_email, phone, notes, "
                       f"created_at) VALUES ({db.param}, '', '', '', '', {db.param})",
                       (name, NOW.strftime("%Y-%m-%d %H:%M:%S.%f")))
    close_database()
    yield target
    close_database()
    database.initialize(None)


def test_existing_clients_get_their_keys_and_the_key_is_unique(old_database):
    db = open_database(old_database)
    assert pending(db) == []
    keys = [(c.name, c.name_key) for c in ClientRecord.select().order_by(ClientRecord.id)]
    assert keys == [("École Nord", "école nord"), ("Acme", "acme"),
                    ("école nord", "école nord#3"), ("ÉCOLE NORD", "école nord#4")]
    with pytest.raises(peewee.IntegrityError), db.atomic():
        ClientRecord.insert(name="Ecole", name_key="acme", created_at=NOW).execute()
