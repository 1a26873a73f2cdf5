"""PDF reports: pagination with repeated table headers, page numbers, charts, cancel."""

from __future__ import annotations

from datetime import date

import pytest
from pypdf import PdfReader

from desktop_helpdesk.services.reporting.packs import ChartData, ChartKind, ChartSeries, ReportPack
from desktop_helpdesk.services.reporting.tables import Column, ColumnKind, ReportTable
from desktop_helpdesk.services.reporting.writers import ExportCancelled
from desktop_helpdesk.ui.supervisor.pdf_report import write_pdf
from tests.conftest import halifax

GENERATED = halifax(2026, 11, 30, 17, 5)


def long_pack(rows: int = 120) -> ReportPack:
    table = ReportTable(
        "Backlog over time", (("Received", "2026-08-01 to 2026-11-28"),),
        (Column("Day", ColumnKind.DATE), Column("Open at end of day", ColumnKind.INTEGER),
         Column("Compliance %", ColumnKind.PERCENT), Column("Median (business h)", ColumnKind.HOURS)),
        [(date(2026, 8, 1).fromordinal(date(2026, 8, 1).toordinal() + n), n, n / rows, n / 4)
         for n in range(rows)],
        GENERATED,
    )
    chart = ChartData("Backlog", ChartKind.LINE, tuple(str(n) for n in range(rows)),
                      (ChartSeries("Open cases", tuple(float(n) for n in range(rows))),), "cases")
    return ReportPack("backlog", "Backlog and intake", table.filters, GENERATED, (chart, table))


def page_texts(path):
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def test_long_tables_paginate_with_headers_and_page_numbers(qapp, tmp_path):
    path = tmp_path / "backlog.pdf"
    seen = []
    pages = write_pdf(long_pack(), path, progress=lambda done, total: seen.append((done, total)))
    texts = page_texts(path)
    assert pages == len(texts) >= 3
    assert seen == [(n, pages) for n in range(1, pages + 1)]
    assert texts[0].startswith("Desktop Helpdesk · Backlog and intake Generated 2026-11-30 17:05 AST")
    assert "Received 2026-08-01 to 2026-11-28" in texts[0]
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {pages}" in text
        # Every page holding rows of the table repeats its header row.
        if "2026-" in text.split("Generated", 1)[1]:
            assert "Open at end of day" in text
    assert "Backlog over time (continued)" in texts[-1]
    every = " ".join(texts)
    # Each of the 120 rows appears once, formatted: day, count, percent, hours.
    assert every.count("2026-08-01 0 0.0% 0.00") == 1
    assert "2026-11-28 119 99.2% 29.75" in every


def test_cancel_stops_and_leaves_no_file(qapp, tmp_path):
    path = tmp_path / "never.pdf"
    with pytest.raises(ExportCancelled):
        write_pdf(long_pack(), path, cancelled=lambda: True)
    calls = []

    def cancel_once_painting():
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(ExportCancelled):
        write_pdf(long_pack(), path, cancelled=cancel_once_painting)
    assert list(tmp_path.iterdir()) == []
