"""Opening files that are not a healthy database, through the storage and the services:
empty files refused unless a new database was asked for, damaged files named with the way
out and never written, read-only files usable for reading with every change refused."""

from __future__ import annotations

import os
import shutil

import pytest

from desktop_helpdesk.domain.clock import ManualClock
from desktop_helpdesk.services.contacts import NewClient
from desktop_helpdesk.services.container import Services
from desktop_helpdesk.services.drafts import DraftService
from desktop_helpdesk.services.errors import ReadOnlyError
from desktop_helpdesk.storage.db import (
    DatabaseDamagedError,
    DatabaseOpenError,
    DatabaseTarget,
    backup_name,
    close_database,
    database,
    is_read_only,
    open_database,
)
from desktop_helpdesk.storage.records import CaseRecord, DraftRecord
from tests.files.conftest import (
    NOW,
    build_desk_file,
    damage_middle_pages,
    digest,
    make_read_only,
    side_files,
)

pytestmark = pytest.mark.usefixtures("database_unbound_after")


def test_an_empty_file_is_refused_unless_a_new_database_was_asked_for(tmp_path):
    empty = tmp_path / "desk.sqlite3"
    empty.touch()
    with pytest.raises(DatabaseOpenError) as refused:
        open_database(empty, allow_new=False)
    assert str(refused.value) == (f"{empty}: the file is empty (0 bytes), not a Desktop Helpdesk "
                                  "database; open another file, or ask for a new database with --new")
    assert empty.read_bytes() == b"" and side_files(empty) == []

    missing = tmp_path / "typo.sqlite3"
    with pytest.raises(DatabaseOpenError, match="no such database file"):
        open_database(missing, allow_new=False)
    assert not missing.exists()

    open_database(empty, allow_new=True)
    assert "case" in database.get_tables()


def test_a_damaged_file_names_itself_and_its_newest_backup_and_is_not_written(tmp_path):
    path = build_desk_file(tmp_path / "desk.sqlite3")
    older = tmp_path / backup_name(path, "before-upgrade").name.replace("2026", "2025", 1)
    shutil.copyfile(path, older)
    newest = tmp_path / backup_name(path, "nightly").name
    shutil.copyfile(path, newest)
    os.utime(older, (1_700_000_000, 1_700_000_000))
    os.utime(newest, (1_750_000_000, 1_750_000_000))
    damage_middle_pages(path)
    before = digest(path)

    with pytest.raises(DatabaseDamagedError) as refused:
        open_database(path)

    error = refused.value
    assert error.path == path and error.newest_backup == newest
    assert str(error).startswith(f"{path}: the database file is damaged (")
    assert str(error).endswith(f"open the newest backup ({newest}), another file, or quit")
    assert "\n" not in str(error)
    assert digest(path) == before and side_files(path) == []
    assert database.obj is None


def test_a_read_only_file_reads_refuses_changes_and_leaves_nothing_beside_it(tmp_path):
    path = build_desk_file(tmp_path / "desk.sqlite3", cases=5)
    make_read_only(path)
    before = digest(path)

    open_database(DatabaseTarget(str(path)))
    services = Services.create(ManualClock(NOW))
    assert is_read_only()
    assert CaseRecord.select().count() == 5
    dana = services.team.find_member("dana")
    case_id = CaseRecord.select(CaseRecord.id).first().id
    assert services.cases.get_case(case_id).subject.startswith("Printer")

    with pytest.raises(ReadOnlyError) as refused:
        services.cases.add_interaction(dana.id, case_id, channel="phone", direction="outbound",
                                       summary="Called back")
    assert str(refused.value) == (f"{path} is read-only (the file or its folder cannot be written); "
                                  "changes cannot be saved. Open a writable copy to make changes")
    with pytest.raises(ReadOnlyError):
        services.contacts.create_client(dana.id, NewClient("Beta Corp"))

    drafts = DraftService(ManualClock(NOW), read_only_folder=tmp_path / "drafts")
    drafts.save(dana.id, "case:1", {"summary": "half typed"}, base_version=1)
    assert drafts.load(dana.id, "case:1").fields == {"summary": "half typed"}
    assert drafts.keys(dana.id) == ["case:1"]
    assert drafts.read_only_file().parent == tmp_path / "drafts"
    assert DraftRecord.select().count() == 0
    drafts.discard(dana.id, "case:1")
    assert drafts.load(dana.id, "case:1") is None

    close_database()
    assert digest(path) == before
    assert side_files(path) == []


def test_a_read_only_file_that_needs_an_upgrade_is_refused(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = open_database(path, migrate=False)
    from desktop_helpdesk.storage.migrations import upgrade

    upgrade(db, target="0001_initial")
    close_database()
    make_read_only(path)
    before = digest(path)
    with pytest.raises(DatabaseOpenError, match="is read-only and was written by an older Desktop Helpdesk"):
        open_database(path)
    assert digest(path) == before and side_files(path) == []


def test_a_postgresql_url_without_the_driver_is_one_clear_error(monkeypatch):
    import peewee

    monkeypatch.setattr(peewee, "psycopg2", None)
    with pytest.raises(DatabaseOpenError) as refused:
        open_database("postgresql://desk:secret@127.0.0.1/helpdesk")
    assert str(refused.value) == (
        "postgresql://desk@127.0.0.1/helpdesk: PostgreSQL support is not installed (the psycopg2 "
        "driver is missing); install it with: pip install psycopg2-binary")
