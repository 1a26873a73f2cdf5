"""The headless export command: files written, figures in them, and clear errors."""

from __future__ import annotations

import csv
import io
import os
import stat
import subprocess
import sys
import tomllib
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

import desktop_helpdesk
from bench.big_database import build_big_database
from desktop_helpdesk import app
from desktop_helpdesk.cli.export import main
from desktop_helpdesk.domain.clock import ManualClock
from desktop_helpdesk.storage.db import close_database, database
from tests.services.test_reports_scenario import AS_OF, build_scenario


@pytest.fixture
def scenario_db(db, db_path):
    build_scenario()
    db.close()  # the command opens the file itself, as a scheduled job would
    return db_path


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), clock=ManualClock(AS_OF), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def november(db_path, *extra):
    return ("--from", "2026-11-01", "--to", "2026-11-30", "--db", str(db_path), *extra)


def test_sla_pdf_has_pages_title_filters_and_repeated_headers(scenario_db, tmp_path, qapp):
    output = tmp_path / "nov.pdf"
    code, out, err = run("--report", "sla", *november(scenario_db), "--format", "pdf",
                         "-o", str(output))
    assert (code, err) == (0, "")
    assert out.strip() == f"Wrote SLA performance (4 pages) to {output}"
    pages = PdfReader(output).pages
    assert len(pages) == 4
    texts = [" ".join(page.extract_text().split()) for page in pages]  # pypdf gives tabs
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of 4" in text
        assert "Generated 2026-11-25 09:00 AST" in text
    first = texts[0]
    assert "SLA performance" in first
    assert "2026-11-01 to 2026-11-30 (Halifax dates)" in first
    assert "SLA compliance trend" in first
    # Tables that fit on a page are kept whole (long ones repeat their header: see
    # tests/ui/test_supervisor_pdf.py). Total resolve: 2 on time of 3 decided.
    assert "Total Resolve 5 2 40.0% 0 0.0% 1 20.0% 2 40.0% 66.7%" in texts[1]
    assert "Week of Target Cases" in texts[2]
    assert "Total Acknowledge 4 1.50 2.50" in texts[3]
    assert "Escalations and waiting on others" in texts[3]
    assert "Globex IT Client IT 1 1 16.00 16.00 16.00" in texts[3]


def test_csv_and_xlsx_formats(scenario_db, tmp_path):
    code, _, err = run("--report", "sla", *november(scenario_db), "-o", str(tmp_path / "nov.csv"))
    assert (code, err) == (0, "")
    with (tmp_path / "nov.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["SLA compliance"]
    assert rows[2][:5] == ["High", "Acknowledge", "2", "1", "50.0"]

    code, _, _ = run("--report", "clients", *november(scenario_db), "--format", "xlsx",
                     "-o", str(tmp_path / "clients.xlsx"))
    assert code == 0
    sheet = load_workbook(tmp_path / "clients.xlsx")["Client summary"]
    globex = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "Globex")
    assert globex[2:5] == (2, 2, 0)
    assert globex[9] == datetime(2026, 11, 25, 8, 30)


def test_case_list_of_the_overdue_queue(scenario_db, tmp_path):
    output = tmp_path / "overdue.csv"
    code, out, _ = run("--report", "cases", "--queue", "overdue", "--db", str(scenario_db),
                       "-o", str(output))
    assert code == 0 and "(2 rows)" in out
    with output.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    # Overdue at Wed 25 09:00: F (resolve due 4 Nov) and C (respond due 17 Nov).
    assert sorted(row[0] for row in rows[1:]) == ["2026-00001", "2026-00004"]


def test_workload_runs_through_the_app_entry_point(scenario_db, tmp_path):
    output = tmp_path / "workload.csv"
    code = app.main(["export", "--report", "workload", "--db", str(scenario_db),
                     "-o", str(output)])
    assert code == 0
    assert output.read_text(encoding="utf-8-sig").startswith("Team member,Availability,Open")


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (("--report", "sla", "--from", "2026-13-01", "-o", "x.csv"), 2,
         "argument --from: '2026-13-01' is not a date; use YYYY-MM-DD"),
        (("--report", "nonsense", "-o", "x.csv"), 2, "argument --report: invalid choice"),
        (("--report", "sla", "--from", "2026-11-30", "--to", "2026-11-01", "-o", "x.csv"), 2,
         "--to: 2026-11-01 is before --from 2026-11-30"),
        (("--report", "sla", "-o", "report.txt"), 2, "--format: cannot tell the format"),
        (("--report", "sla"), 2, "the following arguments are required: -o/--output"),
    ],
)
def test_bad_arguments_are_named(scenario_db, tmp_path, argv, code, message):
    result, out, err = run(*argv, "--db", str(scenario_db))
    assert result == code
    assert message in err
    assert "Traceback" not in err and out == ""


def test_unwritable_output_and_missing_database(scenario_db, tmp_path):
    target = tmp_path / "missing-folder" / "nov.pdf"
    code, _, err = run("--report", "sla", *november(scenario_db), "-o", str(target))
    assert code == 1
    assert f"{target}: cannot write, folder {target.parent} does not exist" in err
    assert not target.parent.exists()

    absent = tmp_path / "nowhere.sqlite3"
    code, _, err = run("--report", "sla", "--db", str(absent), "-o", str(tmp_path / "a.csv"))
    assert code == 2
    assert f"--db: no database file at {absent}" in err
    assert not absent.exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--report", "cases", "--format", "csv", "-o", "x.pdf"),
         "--format csv does not match the output file 'x.pdf'; name it *.csv or drop --format"),
        (("--report", "sla", "--queue", "overdue", "-o", "x.csv"),
         "--queue: only --report cases takes it; the sla report covers every case"),
        (("--report", "backlog", "--search", "printer", "-o", "x.csv"),
         "--search: only --report cases takes it"),
        (("--report", "cases", "--from", "2026-11-01", "-o", "x.csv"),
         "--from: the cases report has no date range"),
        (("--report", "workload", "--to", "2026-11-01", "-o", "x.csv"),
         "--to: the workload report has no date range"),
    ],
)
def test_options_the_report_would_ignore_are_refused(scenario_db, tmp_path, monkeypatch, argv,
                                                     message):
    monkeypatch.chdir(tmp_path)
    result, out, err = run(*argv, "--db", str(scenario_db))
    assert (result, out) == (2, "")
    first, usage = err.splitlines()
    assert first.startswith(f"desktop-helpdesk export: error: {message}")
    assert usage == "Try 'desktop-helpdesk export --help'."
    assert list(tmp_path.glob("x.*")) == []


def test_format_given_for_an_unknown_extension_is_used(scenario_db, tmp_path):
    output = tmp_path / "nov.txt"
    code, _, err = run("--report", "sla", *november(scenario_db), "--format", "csv",
                       "-o", str(output))
    assert (code, err) == (0, "")
    assert output.read_text(encoding="utf-8-sig").startswith("SLA compliance")


@pytest.mark.parametrize("extension", ["csv", "xlsx", "pdf"])
def test_exported_files_are_readable_by_colleagues(scenario_db, tmp_path, qapp, extension):
    # Files a job writes for account managers get the usual 0644 (0666 less umask 022),
    # not the 0600 of a private temporary file.
    previous = os.umask(0o022)
    try:
        output = tmp_path / f"nov.{extension}"
        code, _, err = run("--report", "sla", *november(scenario_db), "-o", str(output))
    finally:
        os.umask(previous)
    assert (code, err) == (0, "")
    assert stat.S_IMODE(output.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_case_list_xlsx_counts_cases_as_a_number(scenario_db, tmp_path):
    output = tmp_path / "overdue.xlsx"
    code, _, _ = run("--report", "cases", "--queue", "overdue", "--db", str(scenario_db),
                     "-o", str(output))
    assert code == 0
    sheet = load_workbook(output)["Overdue cases"]
    counts = {row[0]: row[1] for row in sheet.iter_rows(max_row=6, values_only=True) if row[0]}
    assert counts["Cases"] == 2 and isinstance(counts["Cases"], int)
    assert counts["Queue"] == "Overdue"


def test_version_on_the_app_and_the_export_command(capsys):
    expected = f"Desktop Helpdesk {desktop_helpdesk.__version__}"
    with open(Path(desktop_helpdesk.__file__).parents[1] / "pyproject.toml", "rb") as stream:
        assert desktop_helpdesk.__version__ == tomllib.load(stream)["project"]["version"]
    with pytest.raises(SystemExit) as stopped:  # the app's own argparse exits, as for --help
        app.main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.strip() == expected
    assert app.main(["export", "--version"]) == 0
    assert capsys.readouterr().out.strip() == expected


def test_long_pdf_through_the_command_exits_cleanly(tmp_path):
    """A 30-page PDF in a real process: PySide6 6.12 loses a reference to None on every void
    call (thousands per page), which aborted the process after writing with exit 134 and
    "Fatal Python error: none_dealloc"; nine pages or fewer got away with it."""
    database_path = tmp_path / "big.sqlite3"
    build_big_database(database_path, 1_000)
    close_database()
    database.initialize(None)
    output = tmp_path / "closed.pdf"
    root = Path(desktop_helpdesk.__file__).resolve().parents[1]
    environment = {**os.environ, "PYTHONPATH": str(root), "QT_QPA_PLATFORM": "offscreen"}
    finished = subprocess.run(
        [sys.executable, "-m", "desktop_helpdesk", "export", "--report", "cases", "--queue",
         "closed", "-o", str(output), "--db", str(database_path)],
        capture_output=True, text=True, env=environment, cwd=tmp_path, timeout=120)
    assert (finished.returncode, finished.stderr) == (0, "")
    pages = len(PdfReader(output).pages)
    assert pages >= 30
    assert finished.stdout.strip() == f"Wrote Closed cases ({pages} pages) to {output}"
