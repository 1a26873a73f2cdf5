"""The same schema and guarantees on a real PostgreSQL server (started by .ci/run)."""

from datetime import UTC, datetime

import peewee
import pytest

from desktop_helpdesk.storage import records
from desktop_helpdesk.storage.migrations import pending

NOW = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)


def test_migrations_build_the_whole_schema(pg_db):
    tables = set(pg_db.get_tables())
    assert {record._meta.table_name for record in records.ALL_RECORDS} <= tables
    assert "case_search" in tables
    assert pending(pg_db) == []


def test_instants_round_trip_as_aware_utc(pg_db):
    member = records.TeamMemberRecord.create(username="ann", display_name="Ann", created_at=NOW)
    assert records.TeamMemberRecord.get_by_id(member.id).created_at == NOW


def test_audit_rows_cannot_be_changed_or_deleted(pg_db):
    entry = records.AuditRecord.create(at=NOW, entity="case", action="created", after="x")
    with pytest.raises(peewee.DatabaseError, match="append-only"), pg_db.atomic():
        records.AuditRecord.update(after="forged").execute()
    with pytest.raises(peewee.DatabaseError, match="append-only"), pg_db.atomic():
        records.AuditRecord.delete().execute()
    assert records.AuditRecord.get_by_id(entry.id).after == "x"
