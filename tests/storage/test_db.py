"""Opening, refusing and upgrading databases on real SQLite files."""

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import peewee
import pytest

from desktop_helpdesk.storage import records
from desktop_helpdesk.storage.db import (
    DatabaseOpenError,
    DatabaseTarget,
    close_database,
    database,
    open_database,
)
from desktop_helpdesk.storage.migrations import HISTORY_TABLE, pending, runner, upgrade

NOW = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _pragma(db, name):
    return db.execute_sql(f"PRAGMA {name}").fetchone()[0]


def test_new_file_is_created_with_production_pragmas(db, db_path):
    assert db_path.exists()
    assert _pragma(db, "journal_mode") == "wal"
    assert _pragma(db, "foreign_keys") == 1
    assert _pragma(db, "busy_timeout") == 10_000
    assert pending(db) == []


def test_foreign_keys_are_enforced(db):
    with pytest.raises(peewee.IntegrityError):
        records.ContactRecord.create(client=999, name="Nobody", created_at=NOW)


def test_a_file_that_is_not_a_database_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "notes.sqlite3"
    path.write_text("meeting notes, not a database\n")
    before = _digest(path)

    with pytest.raises(DatabaseOpenError) as raised:
        open_database(path)

    assert str(path) in str(raised.value)
    assert "not a SQLite file" in str(raised.value)
    assert _digest(path) == before


def test_a_folder_is_refused_with_its_name(tmp_path):
    with pytest.raises(DatabaseOpenError, match="is a folder"):
        open_database(tmp_path)


def test_a_database_from_a_newer_app_is_refused_and_left_untouched(db, db_path):
    runner(db).History.create(name="9999_from_the_future")
    close_database()
    before = _digest(db_path)

    with pytest.raises(DatabaseOpenError) as raised:
        open_database(db_path)

    assert "newer Desktop Helpdesk" in str(raised.value)
    assert "9999_from_the_future" in str(raised.value)
    assert _digest(db_path) == before


def test_a_first_schema_database_is_upgraded_without_losing_rows(tmp_path):
    path = tmp_path / "old.sqlite3"
    old = open_database(path, migrate=False)
    upgrade(old, target="0001_initial")
    # The first schema's columns only: the live records have columns added since.
    old.execute_sql("INSERT INTO team_member (username, display_name, email, role, can_take_cases, "
                    "availability, active, created_at) VALUES ('ann', 'Ann', '', 'agent', 1, "
                    "'available', 1, ?)", (NOW.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),))
    member = records.TeamMemberRecord.select(records.TeamMemberRecord.id).get()
    old.execute_sql(
        "INSERT INTO client (name, account_manager, account_manager_email, phone, notes, created_at) "
        "VALUES (?, '', '', '', '', ?)",
        ("Acme Learning", NOW.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")),
    )
    client = old.execute_sql("SELECT id FROM client").fetchone()[0]
    old.execute_sql(
        "INSERT INTO contact (client_id, name, email, email_lower, phone, phone_digits, active, created_at) "
        "VALUES (?, 'Bo', 'bo@acme.test', 'bo@acme.test', '', '', 1, ?)",
        (client, NOW.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")),
    )
    close_database()

    upgraded = open_database(path)

    assert pending(upgraded) == []
    applied = {row[0] for row in upgraded.execute_sql(f"SELECT name FROM {HISTORY_TABLE}")}
    assert "0001_initial" in applied
    assert records.TeamMemberRecord.get_by_id(member.id).username == "ann"
    assert records.ContactRecord.get().email == "bo@acme.test"
    has_steps_after_first = len(applied) > 1
    backups = list(tmp_path.glob("old.before-upgrade-*.sqlite3.bak"))
    assert len(backups) == (1 if has_steps_after_first else 0)


def test_instants_are_stored_in_utc_and_read_back_aware(db):
    atlantic = timezone(timedelta(hours=-4))
    member = records.TeamMemberRecord.create(
        username="cy", display_name="Cy", created_at=datetime(2026, 7, 1, 9, 30, tzinfo=atlantic)
    )
    stored = db.execute_sql(
        "SELECT created_at FROM team_member WHERE id = ?", (member.id,)
    ).fetchone()[0]

    assert stored == "2026-07-01 13:30:00.000000"
    assert records.TeamMemberRecord.get_by_id(member.id).created_at == datetime(
        2026, 7, 1, 13, 30, tzinfo=UTC
    )


def test_naive_instants_are_refused_naming_the_field(db):
    with pytest.raises(ValueError, match="created_at"):
        records.TeamMemberRecord.create(
            username="dee", display_name="Dee", created_at=datetime(2026, 7, 1, 9, 30)
        )
    assert records.TeamMemberRecord.select().count() == 0


def test_audit_rows_cannot_be_changed_or_deleted(db):
    entry = records.AuditRecord.create(at=NOW, entity="case", action="created", after="x")

    with pytest.raises(peewee.DatabaseError, match="append-only"):
        records.AuditRecord.update(after="forged").where(records.AuditRecord.id == entry.id).execute()
    with pytest.raises(peewee.DatabaseError, match="append-only"):
        records.AuditRecord.delete().execute()

    assert records.AuditRecord.get_by_id(entry.id).after == "x"


def test_target_display_hides_the_password():
    target = DatabaseTarget("postgresql://desk:s3cret@db.local:5432/helpdesk")
    assert not target.is_sqlite
    assert target.display == "postgresql://desk@db.local:5432/helpdesk"


def test_the_proxy_follows_the_opened_database(db):
    assert database.obj is db
