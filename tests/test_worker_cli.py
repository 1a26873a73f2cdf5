"""The headless worker: ``--once`` delivers and exits 0; SIGTERM finishes and hands the leases on."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import desktop_helpdesk
from desktop_helpdesk.cli.worker import main
from desktop_helpdesk.services.backups import DATABASE_BACKUP
from desktop_helpdesk.services.container import Services
from desktop_helpdesk.services.leases import CRM_DELIVERY, MAIL_INTAKE, MAIL_SEND, current_holder
from desktop_helpdesk.storage.records import CrmOutboxRecord
from tests.services.conftest import caller

REPOSITORY = Path(desktop_helpdesk.__file__).resolve().parent.parent


def worker_process(db_url, *args, env=None):
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY), **(env or {})}
    return subprocess.Popen(
        [sys.executable, "-m", "desktop_helpdesk", "worker", "--db", str(db_url), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment,
    )


def seed_case_with_drop_folder(clock, folder):
    services = Services.create(clock)
    admin = services.team.bootstrap_admin("admin", "Ada Admin").id
    services.settings.update(admin, crm_drop_folder=str(folder))
    services.cases.log_case(admin, subject="LMS down", channel="phone", new_contact=caller())
    return services


def test_once_runs_every_job_one_round_and_exits_0(db, db_path, clock, tmp_path):
    folder = tmp_path / "crm"
    seed_case_with_drop_folder(clock, folder)
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", str(db_path), "--once", "--json"], out=out, err=err)
    assert (code, err.getvalue()) == (0, "")
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["job"] for r in records] == [CRM_DELIVERY, MAIL_SEND, DATABASE_BACKUP, MAIL_INTAKE]
    assert records[0]["held"] and records[0]["counters"]["sent"] == 1
    assert records[1]["configured"] is False and records[3]["configured"] is False
    # The headless worker takes the team's scheduled backup too.
    assert records[2]["counters"]["backed_up"] == 1 and list((db_path.parent / "backups").glob("*.sqlite3"))
    assert len(list(folder.glob("*.json"))) == 1
    assert CrmOutboxRecord.get().sent_at is not None


def test_usage_errors_are_one_line_and_exit_2(tmp_path):
    err = io.StringIO()
    assert main(["--db", str(tmp_path / "missing.sqlite3"), "--once"], out=io.StringIO(), err=err) == 2
    assert err.getvalue().strip() == f"desktop-helpdesk worker: error: --db: no database file at {tmp_path / 'missing.sqlite3'}"
    assert main(["--bogus"], out=io.StringIO(), err=io.StringIO()) == 2


def test_sigterm_releases_the_leases_and_exits_0(db, db_path, clock, tmp_path):
    seed_case_with_drop_folder(clock, tmp_path / "crm")
    process = worker_process(db_path, "--label", "night worker")
    try:
        lines = []
        for line in process.stdout:  # blocks until the worker reports it is running
            lines.append(line)
            if line.startswith("worker running"):
                break
        assert lines[-1].strip() == (
            "worker running; holds crm-delivery, mail-send, database-backup, mail-intake"), lines
        assert current_holder(CRM_DELIVERY).label == "night worker"
        assert "1 sent" in "".join(lines)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert process.stderr.read() == ""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()
    assert current_holder(CRM_DELIVERY) is None and current_holder(MAIL_SEND) is None
    assert current_holder(MAIL_INTAKE) is None
