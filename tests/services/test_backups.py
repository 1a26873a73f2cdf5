"""Online SQLite backups, their rotation, and restores that refuse a database still open."""

import io
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from desktop_helpdesk.cli.backup import main as backup_main
from desktop_helpdesk.cli.restore import main as restore_main
from desktop_helpdesk.services.backups import (
    BackupError,
    BackupJob,
    back_up,
    backup_due,
    backup_name,
    backups_to_keep,
    database_in_use,
    list_backups,
    restore,
    scheduled_backup,
)
from desktop_helpdesk.storage.db import close_database, database
from desktop_helpdesk.storage.records import AuditRecord, TeamMemberRecord

NOW = datetime(2026, 11, 30, 13, 0, tzinfo=UTC)


def _count(path, table):
    connection = sqlite3.connect(str(path))
    try:
        return connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    finally:
        connection.close()


@pytest.fixture
def desk(db, db_path, services, team):
    """A database with a small team, still open (as the window holds it)."""
    return db_path


def test_rotation_keeps_seven_days_and_four_weeks():
    taken = [NOW - timedelta(hours=12 * n) for n in range(120)]  # two a day for 60 days
    keep = backups_to_keep(taken)
    assert max(taken) in keep
    days = sorted({k.date() for k in keep}, reverse=True)
    assert days[:7] == sorted({t.date() for t in taken}, reverse=True)[:7]
    weeks = {k.isocalendar()[:2] for k in keep}
    assert len(weeks) == 4 and len(keep) <= 7 + 4
    assert backups_to_keep([]) == set()


def test_a_backup_of_the_open_database_is_a_checked_consistent_copy(desk, tmp_path):
    copy = back_up(desk, tmp_path / "out" / "copy.sqlite3")
    assert _count(copy, "audit") == AuditRecord.select().count() > 0
    assert _count(copy, "team_member") == TeamMemberRecord.select().count()
    assert not list((tmp_path / "out").glob("*.partial"))
    with pytest.raises(BackupError, match="is not a SQLite database"):
        (tmp_path / "notes.txt").write_text("hello")
        back_up(tmp_path / "notes.txt", tmp_path / "x.sqlite3")


def test_scheduled_backups_run_when_due_and_rotate(desk, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    for days in range(1, 40):
        (folder / backup_name(desk, NOW - timedelta(days=days))).write_bytes(b"an old backup")
    assert backup_due(folder, desk, NOW, 24)
    assert not backup_due(folder, desk, NOW - timedelta(hours=23), 24)
    assert not backup_due(folder, desk, NOW, 0)  # scheduling off

    created, removed = scheduled_backup(desk, folder, NOW)

    assert created == folder / backup_name(desk, NOW)
    left = list_backups(folder, desk)
    assert {b.taken_at for b in left} == backups_to_keep([NOW - timedelta(days=d) for d in range(40)])
    assert len(removed) == 40 - len(left)
    assert not backup_due(folder, desk, NOW + timedelta(hours=1), 24)


def test_restore_refuses_an_open_database_then_restores_it_once_closed(desk, tmp_path):
    backup = back_up(desk, tmp_path / "good.sqlite3")
    members = TeamMemberRecord.select().count()
    assert database_in_use(desk)
    with pytest.raises(BackupError, match="is open"):
        restore(backup, desk)
    # Nothing changed while refused: the app keeps working on its file.
    TeamMemberRecord.update(display_name="Changed after the backup").execute()

    close_database()
    assert not database_in_use(desk)
    safety = restore(backup, desk)

    assert safety is not None and safety.exists()
    connection = sqlite3.connect(str(desk))
    names = [row[0] for row in connection.execute("SELECT display_name FROM team_member")]
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()
    assert len(names) == members and "Changed after the backup" not in names
    database.connect()  # the fixture closes it again


def test_restore_refuses_what_is_not_a_desk_backup(tmp_path):
    other = tmp_path / "other.sqlite3"
    connection = sqlite3.connect(str(other))
    connection.execute("CREATE TABLE t (x)")
    connection.close()
    with pytest.raises(BackupError, match="is not a Desktop Helpdesk database backup"):
        restore(other, tmp_path / "target.sqlite3")
    with pytest.raises(BackupError, match="backup: no file at"):
        restore(tmp_path / "missing.sqlite3", tmp_path / "target.sqlite3")


def _run(main, *argv):
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), out=out, err=err), out.getvalue(), err.getvalue()


def test_the_commands_back_up_and_refuse_to_restore_over_an_open_file(desk, tmp_path):
    output = tmp_path / "cli.sqlite3"
    code, out, err = _run(backup_main, "--db", str(desk), "-o", str(output))
    assert (code, err) == (0, "") and out.startswith(f"Backed up {desk} to {output}")

    code, _, err = _run(restore_main, "--db", str(desk), str(output))
    assert code == 1 and "is open" in err and str(desk) in err

    fresh = tmp_path / "restored.sqlite3"
    code, out, err = _run(restore_main, "--db", str(fresh), str(output), "--json")
    assert (code, err) == (0, "") and '"previous": null' in out
    assert _count(fresh, "audit") == _count(output, "audit")

    code, _, err = _run(backup_main, "--db", "postgresql://desk@db.local/helpdesk", "-o", "x")
    assert code == 2 and "pg_dump" in err
    code, _, err = _run(backup_main, "--db", str(tmp_path / "none.sqlite3"), "-o", "x")
    assert code == 2 and "--db: no database file at" in err


def test_the_backup_team_job_follows_the_settings(desk, services, team, clock):
    job = BackupJob(services.context)
    assert job.lease_name == "database-backup"
    assert job.run_round(lambda: False).counters["backed_up"] == 1
    assert job.run_round(lambda: False).text == "Backup not due"
    services.settings.update(team.admin, backup_interval_hours=0)
    assert job.run_round(lambda: False).configured is False
    services.settings.update(team.admin, backup_interval_hours=24, backup_folder=str(desk.parent / "elsewhere"))
    assert job.run_round(lambda: False).counters["backed_up"] == 1
    assert list_backups(desk.parent / "elsewhere", desk)
