"""The headless mail command: .eml import with one line (or JSON object) per file, inbox
set-up, status and poll, with one-line errors and the documented exit codes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import desktop_helpdesk
from desktop_helpdesk.cli.mail import main
from desktop_helpdesk.services.container import Services
from desktop_helpdesk.storage.db import close_database, database
from desktop_helpdesk.storage.records import CaseRecord
from tests.smtp_server import free_port

CORPUS = Path(__file__).parent / "data" / "mail"
REPOSITORY = Path(desktop_helpdesk.__file__).resolve().parent.parent


@pytest.fixture
def team_db(db, db_path, clock):
    Services.create(clock).team.bootstrap_admin("admin", "Ada Admin")
    close_database()  # the command opens the file itself
    yield db_path
    database.initialize(None)


def run(*argv, clock=None):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), clock=clock, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_import_prints_one_json_object_per_file_and_again_only_duplicates(team_db, clock):
    files = [CORPUS / "thunderbird-new-request.eml", CORPUS / "exchange-auto-reply.eml",
             CORPUS / "outlook-message.msg", CORPUS / "qmail-plain-bounce.eml"]
    code, out, err = run("import", *map(str, files), "--db", str(team_db), "--json", clock=clock)

    assert (code, err) == (0, "")
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["file"] for line in lines] == [str(f) for f in files]
    assert [line["outcome"] for line in lines] == ["new_case", "auto_reply", "quarantined", "bounce"]
    assert lines[0]["case"] == "2026-00001" and lines[1]["case"] is None
    assert lines[2]["reason"] == "not an RFC 822 message"
    assert set(lines[0]) == {"file", "outcome", "case", "reason"}

    code, out, _ = run("import", *map(str, files), "--db", str(team_db), clock=clock)
    assert code == 0
    assert out.splitlines()[0] == f"{files[0]}: duplicate 2026-00001 (already received)"
    assert all(": duplicate" in line for line in out.splitlines())


def test_a_missing_file_is_a_usage_error_and_nothing_is_imported(team_db, clock):
    good = CORPUS / "thunderbird-new-request.eml"
    code, out, err = run("import", str(good), "nope.eml", "--db", str(team_db), clock=clock)

    assert (code, out) == (2, "")
    assert err.strip() == "desktop-helpdesk mail import: error: nope.eml: no such file"
    code, _, err = run("import", str(good), "--db", str(team_db / "missing.sqlite3"))
    assert code == 2 and "no database file" in err and "Traceback" not in err


def test_set_inbox_status_and_a_poll_against_an_unreachable_server(team_db, clock):
    port = free_port()
    code, out, err = run("set-inbox", "--host", "127.0.0.1", "--port", str(port), "--security",
                         "starttls", "--user", "support@acme.example", "--db", str(team_db), "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["processed_folder"] == "Processed"

    code, out, err = run("poll", "--once", "--db", str(team_db), "--json", clock=clock)
    assert code == 1 and "Traceback" not in err
    status = json.loads(out.splitlines()[-1])
    assert status["ok"] is False and "refused the connection" in status["status"]

    code, out, err = run("status", "--db", str(team_db), "--json")
    assert code == 0
    reported = json.loads(out)
    assert "refused the connection" in reported["last_error"]
    assert reported["last_good_fetch"] is None and reported["quarantined"] == 0

    code, _, err = run("set-inbox", "--host", "x", "--port", "70000", "--security", "ssl",
                       "--user", "u", "--db", str(team_db))
    assert code == 1 and "imap_port" in err


def test_usage_errors_exit_2(team_db):
    assert run("import", "--db", str(team_db))[0] == 2
    assert run("poll", "--db", str(team_db))[0] == 2
    code, _, err = run("set-inbox", "--host", "h", "--port", "1", "--security", "tls", "--user", "u")
    assert code == 2 and "--security" in err


def test_the_installed_command_imports_in_a_separate_process(team_db):
    env = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    result = subprocess.run(
        [sys.executable, "-m", "desktop_helpdesk", "mail", "import",
         str(CORPUS / "html-only-with-remote-image.eml"), "--db", str(team_db)],
        capture_output=True, text=True, env=env, cwd=REPOSITORY, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{CORPUS / 'html-only-with-remote-image.eml'}: new_case ")
    from desktop_helpdesk.storage.db import DatabaseTarget, open_database

    open_database(DatabaseTarget(str(team_db)))
    assert CaseRecord.select().count() == 1
    close_database()
