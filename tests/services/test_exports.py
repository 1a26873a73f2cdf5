"""CSV and XLSX exports opened again and checked cell by cell, with their types."""

from __future__ import annotations

import csv
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from desktop_helpdesk.domain.clock import ManualClock
from desktop_helpdesk.services.case_list_columns import ExportColumn
from desktop_helpdesk.services.case_queries import CaseColumn, CaseFilter, Queue
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.reporting.case_list_export import case_list_table
from desktop_helpdesk.services.reporting.periods import DateRange, Grouping, ReportFilter
from desktop_helpdesk.services.reporting.service import ReportService
from desktop_helpdesk.services.reporting.tables import Column, ColumnKind, ReportTable
from desktop_helpdesk.services.reporting.writers import (
    ExportCancelled,
    ExportError,
    write_csv,
    write_xlsx,
)
from tests.services.test_reports_scenario import AS_OF, build_scenario

NOVEMBER_SECOND_HALF = ReportFilter(DateRange(date(2026, 11, 16), date(2026, 11, 30)))


@pytest.fixture
def scenario(db):
    return build_scenario()


@pytest.fixture
def context(scenario):
    return ServiceContext(ManualClock(AS_OF))


@pytest.fixture
def reports(context, scenario):
    return ReportService(context, viewer_id=scenario.sue)


def read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the UTF-8 byte order mark"
    assert b"\r\n" in raw
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_sla_report_csv_has_header_and_hand_checked_cells(reports, tmp_path):
    table = reports.sla_compliance(NOVEMBER_SECOND_HALF, Grouping.PRIORITY).table()
    path = write_csv([table], tmp_path / "sla.csv")
    rows = read_csv(path)
    assert rows[0] == ["Priority", "Target", "Cases", "Met on time", "Met on time %", "Met late",
                       "Met late %", "Breached", "Breached %", "Still open", "Still open %",
                       "Compliance %"]
    # High acknowledge: A on time, C late, of 2 cases; compliance 1 of 2 decided.
    assert rows[1] == ["High", "Acknowledge", "2", "1", "50.0", "1", "50.0", "0", "0.0", "0",
                       "0.0", "50.0"]
    # Total resolve: A and B on time, C breached, D and E open; compliance 2 of 3.
    assert rows[-1] == ["Total", "Resolve", "5", "2", "40.0", "0", "0.0", "1", "20.0", "2",
                        "40.0", "66.7"]
    assert len(rows) == 1 + 9


def test_several_tables_in_one_csv_are_titled_sections(reports, tmp_path):
    tables = [reports.sla_times(NOVEMBER_SECOND_HALF).table(),
              reports.waiting_on_others(NOVEMBER_SECOND_HALF).table()]
    rows = read_csv(write_csv(tables, tmp_path / "both.csv"))
    assert rows[0] == ["Time to meet each target"]
    assert rows[1][:3] == ["All cases", "Target", "Cases measured"]
    # Acknowledge over all cases: median 1.5 h, 90th percentile 2.5 h (nearest rank).
    assert rows[2] == ["All cases", "Acknowledge", "4", "1.50", "2.50"]
    blank = rows.index([])
    assert rows[blank + 1] == ["Escalations and waiting on others"]
    assert rows[blank + 3] == ["Globex IT", "Client IT", "1", "1", "16.00", "16.00", "16.00"]


def test_xlsx_cells_are_typed(reports, tmp_path):
    tables = [reports.sla_compliance(NOVEMBER_SECOND_HALF, Grouping.WEEK).table(),
              reports.sla_times(NOVEMBER_SECOND_HALF).table(),
              reports.client_summary(NOVEMBER_SECOND_HALF).table()]
    path = write_xlsx(tables, tmp_path / "sla.xlsx")
    book = load_workbook(path, read_only=False)
    assert book.sheetnames == ["SLA compliance", "Time to meet each target",
                               "Client summary"]
    sheet = book["SLA compliance"]
    assert sheet["A1"].value == "SLA compliance"
    labels = [sheet.cell(row=r, column=1).value for r in range(1, 12)]
    header_row = labels.index("Week of") + 1
    assert sheet.cell(row=header_row - 2, column=1).value == "Generated"
    generated = sheet.cell(row=header_row - 2, column=2)
    assert isinstance(generated.value, datetime) and generated.value == datetime(2026, 11, 25, 9, 0)
    first = [c for c in sheet[header_row + 1]]
    # Week of Mon 16 Nov, acknowledge: A, B on time; C, E late -> 4 cases.
    assert first[0].value == datetime(2026, 11, 16) and first[0].number_format == "yyyy-mm-dd"
    assert first[1].value == "Acknowledge"
    assert (first[2].value, first[3].value, first[5].value) == (4, 2, 2)
    assert first[4].value == 0.5 and first[4].number_format == "0.0%"
    assert first[11].value == 0.5
    # The empty week of 30 Nov has no decided target: compliance is an empty cell.
    empty_week = [c.value for c in sheet[header_row + 7]]
    assert empty_week[0] == datetime(2026, 11, 30) and empty_week[2] == 0
    assert empty_week[11] is None

    times = book["Time to meet each target"]
    values = [[c.value for c in row] for row in times.iter_rows()]
    respond = next(row for row in values if row[1] == "Respond")
    assert respond[2:] == [3, 8.5, 9.5]  # hours as numbers
    number_cell = next(row for row in times.iter_rows() if row[1].value == "Respond")[3]
    assert number_cell.number_format == "0.00"

    clients = book["Client summary"]
    acme = next(row for row in clients.iter_rows() if row[0].value == "Acme Ltd")
    assert [c.value for c in acme[:5]] == ["Acme Ltd", "Maria", 2, 1, 2]
    assert [c.value for c in acme[5:8]] == [1.0, 0.5, 1.0]
    assert acme[9].value == datetime(2026, 11, 18, 10, 0)  # Halifax wall clock
    assert acme[9].number_format == "yyyy-mm-dd hh:mm"


def test_case_list_export_uses_the_queue_and_visible_columns(context, tmp_path):
    table = case_list_table(
        context, CaseFilter(queue=Queue.ALL_OPEN), sort_column=CaseColumn.NUMBER,
        columns=(ExportColumn.NUMBER, ExportColumn.CLIENT, ExportColumn.PRIORITY, ExportColumn.STATUS,
                 ExportColumn.ASSIGNEE, ExportColumn.RECEIVED, ExportColumn.NEXT_TARGET,
                 ExportColumn.TIME_LEFT),
        title="All open cases",
    )
    rows = read_csv(write_csv([table], tmp_path / "open.csv"))
    assert rows[0] == ["Case", "Client", "Priority", "Status", "Assignee", "Received",
                       "Next target", "Business hours left"]
    assert rows[1:] == [
        # F: resolve due Wed 4 Nov 10:00 -> 6.5 + 17 + 17 + 17 (11 Nov a holiday) + 42.5 + 17
        # + 1 = 118 business hours overdue at Wed 25 09:00.
        ["2026-00001", "Acme Ltd", "Medium", "In progress", "Alice", "2026-10-30 10:00",
         "Resolve", "-118.00"],
        # C: respond due Tue 17 12:00 -> 4.5 + 25.5 + 17 + 1 = 48 h overdue.
        ["2026-00004", "Globex", "High", "Escalated", "Alice", "2026-11-17 07:00", "Respond",
         "-48.00"],
        # E: only the paused resolution clock is unmet, so nothing is counting down.
        ["2026-00005", "Initech", "Medium", "Waiting on client", "Bob", "2026-11-20 16:00", "",
         ""],
        # D: acknowledgement due 10:30, 1.5 business hours left.
        ["2026-00006", "Globex", "Medium", "New", "Unassigned", "2026-11-25 08:30",
         "Acknowledge", "1.50"],
    ]
    book = load_workbook(write_xlsx([table], tmp_path / "open.xlsx"))
    sheet = book.active
    data = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == "2026-00004"]
    assert data[0][5] == datetime(2026, 11, 17, 7, 0)
    assert data[0][7] == pytest.approx(-48.0)


def test_progress_and_cancel(reports, tmp_path):
    table = reports.backlog(NOVEMBER_SECOND_HALF).table()
    seen = []
    write_csv([table], tmp_path / "backlog.csv", progress=lambda done, total: seen.append(
        (done, total)))
    assert seen[-1] == (15, 15)  # 15 days in the range

    with pytest.raises(ExportCancelled):
        write_xlsx([table], tmp_path / "never.xlsx", cancelled=lambda: True)
    with pytest.raises(ExportCancelled):
        write_csv([table], tmp_path / "never.csv", cancelled=lambda: True)
    names = {p.name for p in tmp_path.iterdir()}
    assert "backlog.csv" in names
    assert not {n for n in names if n.startswith(("never", ".never")) or n.endswith(".partial")}


def test_unwritable_destinations_name_the_file(reports, tmp_path):
    table = reports.backlog(NOVEMBER_SECOND_HALF).table()
    missing = tmp_path / "no-such-folder" / "out.csv"
    with pytest.raises(ExportError, match="no-such-folder.*does not exist"):
        write_csv([table], missing)
    with pytest.raises(ExportError, match="is a folder"):
        write_xlsx([table], tmp_path)


def test_cancel_midway_leaves_no_file(tmp_path):
    table = ReportTable("Numbers", (), (Column("n", ColumnKind.INTEGER),),
                        [(n,) for n in range(5_000)], AS_OF)
    calls = []

    def cancel_after_first_progress():
        return bool(calls)

    for writer, name in ((write_xlsx, "big.xlsx"), (write_csv, "big.csv")):
        calls.clear()
        with pytest.raises(ExportCancelled):
            writer([table], tmp_path / name, progress=lambda done, total: calls.append(done),
                   cancelled=cancel_after_first_progress)
        assert calls == [2_000]  # one progress report, then the next check cancels
    assert list(tmp_path.iterdir()) == []


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    risky = '=HYPERLINK("http://evil.example","Click")'
    table = ReportTable("Cases", (), (Column("Subject"), Column("Open", ColumnKind.INTEGER),
                                      Column("Left", ColumnKind.HOURS)),
                        [(risky, 1, -2.5), ("+1 555 0100 called", 2, 1.0), ("Plain", 3, None)],
                        AS_OF)
    rows = read_csv(write_csv([table], tmp_path / "risky.csv"))
    # CSV: an apostrophe keeps Excel from evaluating it; negative numbers stay numbers.
    assert rows[1] == ["'" + risky, "1", "-2.50"]
    assert rows[2] == ["'+1 555 0100 called", "2", "1.00"]
    assert rows[3] == ["Plain", "3", ""]
    sheet = load_workbook(write_xlsx([table], tmp_path / "risky.xlsx")).active
    cell = next(row[0] for row in sheet.iter_rows() if row[0].value == risky)
    assert cell.data_type == "s"  # text, not a formula


def test_sheet_names_are_shortened_at_a_word_and_kept_unique(tmp_path):
    columns = (Column("n", ColumnKind.INTEGER),)
    long_title = "Escalations and waiting on others by department"  # 48 characters
    tables = [ReportTable(title, (("Cases", "1"),), columns, [(1,)], AS_OF)
              for title in (long_title, long_title, "Client's summary: [Q4]", "'")]
    book = load_workbook(write_xlsx(tables, tmp_path / "names.xlsx"))
    assert book.sheetnames == ["Escalations and waiting on", "Escalations and waiting on (2)",
                               "Client's summary Q4", "Report"]
    assert all(len(name) <= 31 for name in book.sheetnames)
    assert book.worksheets[0]["B2"].value == 1  # a count is a number cell
