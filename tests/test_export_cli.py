"""The headless export command: files written, figures in them, and clear errors."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from desktop_helpdesk import app
from desktop_helpdesk.cli.export import main
from desktop_helpdesk.domain.clock import ManualClock
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
