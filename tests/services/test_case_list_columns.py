"""The case list's columns as declared once: rows, sorting and the export read the same fields."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desktop_helpdesk.services.case_list_columns import (
    EXPORT_FIELDS,
    LIST_COLUMNS,
    ROW_FIELDS,
    CaseRow,
    ExportColumn,
    SortColumn,
)
from desktop_helpdesk.services.case_queries import CaseFilter, Queue
from desktop_helpdesk.services.reporting.case_list_export import case_list_table
from tests.services.conftest import caller

pytestmark = pytest.mark.usefixtures("engine")


def log(services, team, subject):
    return services.cases.log_case(team.alice, subject=subject, channel="email",
                                   new_contact=caller())


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
    assert {c.key for c in LIST_COLUMNS if c.sort is not None} == {s.value for s in SortColumn}
    assert set(EXPORT_FIELDS) == {c.value for c in ExportColumn}
    for field in EXPORT_FIELDS.values():
        assert set(field.reads) <= set(ROW_FIELDS), field.key
