"""``desktop-helpdesk verify-audit``: OK with the row count, the first broken link and exit 1,
anchors exported and checked."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import desktop_helpdesk
from desktop_helpdesk.cli.verify_audit import main
from desktop_helpdesk.services.container import Services
from desktop_helpdesk.storage.db import database
from desktop_helpdesk.storage.records import AuditRecord

REPO_ROOT = Path(desktop_helpdesk.__file__).resolve().parent.parent


@pytest.fixture
def desk_db(db, db_path, clock):
    team = Services.create(clock).team
    admin = team.bootstrap_admin("admin", "Ada Admin").id
    team.add_member(admin, "alice", "Alice Agent")
    rows = AuditRecord.select().count()
    db.close()  # the command opens the file itself
    return db_path, rows


def run(*argv, clock=None):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), clock=clock, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_an_intact_chain_reports_ok_with_the_row_count(desk_db, clock):
    path, rows = desk_db
    code, out, err = run("--db", str(path), clock=clock)
    assert (code, err) == (0, "")
    assert out.startswith(f"OK: {rows} audit rows, chain intact")


def test_a_broken_chain_names_the_row_and_exits_1(desk_db, db, clock):
    path, _ = desk_db
    target = AuditRecord.select(AuditRecord.id).order_by(AuditRecord.id).offset(2).first().id
    db.connect(reuse_if_open=True)
    db.execute_sql("DROP TRIGGER audit_no_update")
    db.execute_sql('UPDATE audit SET "before" = \'x\' WHERE id = ?', (target,))
    db.close()

    code, out, _ = run("--db", str(path), "--json", clock=clock)

    assert code == 1
    record = json.loads(out)
    assert (record["ok"], record["row_id"], record["kind"]) == (False, target, "edited")
    assert record["message"].startswith(f"BROKEN: row {target}:")


def test_anchor_export_then_check(desk_db, tmp_path, clock):
    path, rows = desk_db
    anchor = tmp_path / "anchors" / "2026-11-25.json"
    code, out, _ = run("--db", str(path), "--export-anchor", str(anchor), clock=clock)
    assert code == 0 and f"anchor written to {anchor}" in out
    assert json.loads(anchor.read_text())["rows"] == rows
    assert run("--db", str(path), "--anchor", str(anchor), clock=clock)[0] == 0
    code, _, err = run("--db", str(path), "--anchor", str(tmp_path / "none.json"), clock=clock)
    assert code == 2 and "--anchor: cannot read" in err
    (tmp_path / "bad.json").write_text("{}")
    code, _, err = run("--db", str(path), "--anchor", str(tmp_path / "bad.json"), clock=clock)
    assert code == 2 and "is not a Desktop Helpdesk audit anchor" in err


def test_a_missing_file_is_a_usage_error(tmp_path):
    code, _, err = run("--db", str(tmp_path / "nope.sqlite3"))
    assert code == 2 and "--db: no database file at" in err
    assert not (tmp_path / "nope.sqlite3").exists()


def test_runs_as_a_subcommand_of_the_app(desk_db):
    path, rows = desk_db
    database.initialize(None)
    result = subprocess.run(
        [sys.executable, "-m", "desktop_helpdesk", "verify-audit", "--db", str(path)],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"OK: {rows} audit rows")


def test_postgresql_tampering_is_found_by_the_command(postgres_url, clock):
    from desktop_helpdesk.storage.db import DatabaseTarget, close_database, open_database
    from tests.pg import fresh_postgres_database

    url = fresh_postgres_database(postgres_url)
    db = open_database(DatabaseTarget(url))
    try:
        team = Services.create(clock).team
        admin = team.bootstrap_admin("admin", "Ada Admin").id
        team.add_member(admin, "alice", "Alice Agent")
        rows = AuditRecord.select().count()
        assert run("--db", url, clock=clock)[1].startswith(f"OK: {rows} audit rows")
        target = AuditRecord.select(AuditRecord.id).order_by(AuditRecord.id).offset(1).first().id
        db.execute_sql("DROP TRIGGER audit_no_update ON audit")
        db.execute_sql('DELETE FROM audit WHERE id = %s', (target,))
        code, out, _ = run("--db", url, "--json", clock=clock)
    finally:
        close_database()
        database.initialize(None)
    record = json.loads(out)
    assert code == 1 and record["kind"] == "deleted"
    assert record["row_id"] > target and f"ids {target}–{target}" in record["detail"]
