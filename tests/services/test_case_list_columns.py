"""The case list's columns as declared once: rows, sorting and the export read the same fields."""

from __future__ import annotations

import csv
from datetime import UTC, timedelta

import pytest

from desktop_helpdesk.services.case_list_columns import (
    EXPORT_FIELDS,
    LIST_COLUMNS,
    ROW_FIELDS,
    SORT_EXPRESSIONS,
    CaseColumn,
    CaseRow,
    ExportColumn,
)
from desktop_helpdesk.services.case_queries import CaseFilter, CaseQueries, Queue
from desktop_helpdesk.services.reporting.case_list_export import case_list_table
from desktop_helpdesk.services.reporting.writers import write_csv
from tests.conftest import halifax
from tests.services.conftest import caller

pytestmark = pytest.mark.usefixtures("engine")


def log(services, team, subject):
    return services.cases.log_case(team.alice, subject=subject, channel="email",
                                   new_contact=caller())


def test_last_contact_is_the_latest_contact_with_the_client_not_a_note(services, team, clock,
                                                                      tmp_path):
    first = log(services, team, "Printer offline")  # 09:00, logged from the client's email
    clock.advance(timedelta(minutes=5))
    quiet = log(services, team, "Login fails")  # 09:05
    clock.advance(timedelta(minutes=25))
    services.cases.add_interaction(team.alice, first.id, channel="phone", direction="outbound",
                                   summary="Talked it through")  # 09:30
    clock.advance(timedelta(minutes=30))
    services.cases.add_interaction(team.alice, first.id, channel="note", direction="internal",
                                   summary="Asked the printer vendor")  # 10:00: not a contact
    services.cases.add_interaction(team.alice, quiet.id, channel="note", direction="internal",
                                   summary="Looked at the logs")

    queries = CaseQueries(services.context)
    rows = {row.id: row for row in queries.rows([first.id, quiet.id])}
    assert rows[first.id].last_contact_at == halifax(2026, 11, 25, 9, 30).astimezone(UTC)
    single = queries.row(quiet.id)
    # Logging records the client's email itself: a case is never without a contact.
    assert single.last_contact_at == halifax(2026, 11, 25, 9, 5).astimezone(UTC)
    assert single == rows[quiet.id]  # one id reads the same row as a page

    by_contact = queries.ids(CaseFilter(Queue.ALL_OPEN), CaseColumn.LAST_CONTACT, False,
                             clock.now())
    assert by_contact == [quiet.id, first.id]  # the longest without a word from the desk first
    assert queries.ids(CaseFilter(Queue.ALL_OPEN), CaseColumn.LAST_CONTACT, True,
                       clock.now()) == [first.id, quiet.id]

    table = case_list_table(services.context, CaseFilter(Queue.ALL_OPEN),
                            sort_column=CaseColumn.LAST_CONTACT,
                            columns=(ExportColumn.NUMBER, ExportColumn.LAST_CONTACT))
    assert table.columns[1].header == "Last contact"
    assert table.rows[1] == (first.number, halifax(2026, 11, 25, 9, 30).astimezone(UTC))
    path = write_csv([table], tmp_path / "cases.csv")
    with open(path, encoding="utf-8-sig", newline="") as stream:
        lines = list(csv.reader(stream))
    assert lines[0] == ["Case", "Last contact"]
    assert lines[2] == [first.number, "2026-11-25 09:30"]  # desk time


def test_every_export_column_reads_only_declared_fields(services, team, clock):
    case = log(services, team, "Course will not load")
    clock.advance(timedelta(minutes=10))
    # Each column alone: a value read from a field the column did not declare would be NULL.
    full = case_list_table(services.context, CaseFilter(Queue.ALL_OPEN),
                           columns=tuple(ExportColumn))
    for number, key in enumerate(ExportColumn):
        alone = case_list_table(services.context, CaseFilter(Queue.ALL_OPEN), columns=(key,))
        assert alone.rows == [(full.rows[0][number],)], key
    assert full.rows[0][list(ExportColumn).index(ExportColumn.NUMBER)] == case.number


def test_the_declarations_agree():
    assert tuple(ROW_FIELDS) == CaseRow._fields
    # The enums are written out for readers and type checkers; they name the declarations.
    assert [(c.name, c.value) for c in CaseColumn] == [
        (c.key.upper(), number) for number, c in enumerate(LIST_COLUMNS)]
    assert list(SORT_EXPRESSIONS) == [
        CaseColumn(number) for number, c in enumerate(LIST_COLUMNS) if c.sort is not None]
    assert [c.value for c in ExportColumn] == list(EXPORT_FIELDS)
    assert CaseColumn.NEXT_DUE.name == "NEXT_DUE" and LIST_COLUMNS[CaseColumn.NEXT_DUE].key == "next_due"
    assert ExportColumn.TIME_LEFT == "time_left"
    for field in EXPORT_FIELDS.values():
        assert set(field.reads) <= set(ROW_FIELDS), field.key
