"""Case categories: the admin-kept list, choosing one at intake or later, reports and exports by it."""

from __future__ import annotations

from datetime import date

import pytest

from desktop_helpdesk.services.case_list_columns import ExportColumn
from desktop_helpdesk.services.case_queries import CaseColumn, CaseFilter, CaseQueries, Queue
from desktop_helpdesk.services.errors import PermissionDenied, ValidationError, WorkflowError
from desktop_helpdesk.services.reporting.case_list_export import case_list_table
from desktop_helpdesk.services.reporting.packs import ReportKind, build_report_pack
from desktop_helpdesk.services.reporting.periods import DateRange, Grouping, ReportFilter
from desktop_helpdesk.services.reporting.service import ReportService
from tests.services.conftest import caller, table_counts

pytestmark = pytest.mark.usefixtures("engine")

NOVEMBER = ReportFilter(DateRange(date(2026, 11, 1), date(2026, 11, 30)))


@pytest.fixture
def categories(services, team):
    scorm = services.categories.add_category(team.admin, "SCORM")
    lms = services.categories.add_category(team.supervisor, "LMS access")
    return scorm, lms


def audit_rows(entity, entity_id=None):
    from desktop_helpdesk.storage.records import AuditRecord

    query = AuditRecord.select().where(AuditRecord.entity == entity)
    if entity_id is not None:
        query = query.where(AuditRecord.entity_id == entity_id)
    return [(r.action, r.field, r.before, r.after) for r in query.order_by(AuditRecord.id)]


def test_managers_keep_the_list_and_agents_are_refused(services, team, categories):
    scorm, lms = categories
    assert [c.name for c in services.categories.list_categories()] == ["LMS access", "SCORM"]
    before = table_counts()
    with pytest.raises(PermissionDenied, match="manage the case categories"):
        services.categories.add_category(team.alice, "Authoring tool")
    with pytest.raises(ValidationError) as duplicate:
        services.categories.add_category(team.admin, "  scorm ")
    assert duplicate.value.field == "category"
    with pytest.raises(ValidationError, match="required"):
        services.categories.add_category(team.admin, "   ")
    assert table_counts() == before

    renamed = services.categories.rename_category(team.admin, scorm.id, "SCORM packages")
    assert renamed.name == "SCORM packages"
    services.categories.set_category_active(team.admin, lms.id, False)
    assert [c.name for c in services.categories.list_categories()] == ["SCORM packages"]
    listed = services.categories.list_categories(include_inactive=True)
    assert [(c.name, c.active) for c in listed] == [("LMS access", False), ("SCORM packages", True)]
    assert audit_rows("category", scorm.id) == [
        ("category_added", "name", "", "SCORM"),
        ("category_renamed", "name", "SCORM", "SCORM packages"),
    ]
    assert audit_rows("category", lms.id)[-1] == ("category_retired", "active", "yes", "no")


def test_chosen_at_intake_and_changed_later_audited(services, team, categories):
    scorm, lms = categories
    logged = services.cases.log_case(team.alice, subject="Course will not launch", channel="phone",
                                     new_contact=caller(), category_id=scorm.id)
    detail = services.cases.get_case(logged.id)
    assert (detail.category_id, detail.category_name) == (scorm.id, "SCORM")
    queries = CaseQueries(services.context)
    assert queries.row(logged.id).category_name == "SCORM"

    changed = services.cases.set_category(team.bob, logged.id, lms.id, reason="It was a login problem",
                                          expected_version=detail.version)
    assert changed.category_name == "LMS access"
    trail = [(e.field, e.before, e.after, e.reason) for e in services.cases.audit_trail(logged.id)
             if e.field == "category"]
    assert trail == [
        ("category", "", f"SCORM (#{scorm.id})", ""),
        ("category", f"SCORM (#{scorm.id})", f"LMS access (#{lms.id})", "It was a login problem"),
    ]
    cleared = services.cases.set_category(team.bob, logged.id, None)
    assert cleared.category_name == "" and cleared.category_id is None


def test_retired_or_unknown_category_is_refused_and_nothing_written(services, team, categories):
    scorm, lms = categories
    services.categories.set_category_active(team.admin, lms.id, False)
    before = table_counts()
    for category_id in (lms.id, 999):
        with pytest.raises(ValidationError) as refused:
            services.cases.log_case(team.alice, subject="x", channel="email", new_contact=caller(),
                                    category_id=category_id)
        assert refused.value.field == "category"
    assert table_counts() == before


def test_closed_cases_keep_their_category(services, team, categories):
    scorm, _lms = categories
    logged = services.cases.log_case(team.alice, subject="x", channel="phone", new_contact=caller())
    services.cases.resolve(team.alice, logged.id, summary="Fixed", told_via="phone")
    services.cases.close(team.alice, logged.id)
    with pytest.raises(WorkflowError, match="closed"):
        services.cases.set_category(team.alice, logged.id, scorm.id)


def test_list_sorts_and_exports_by_category(services, team, categories):
    scorm, lms = categories
    ids = {}
    for subject, category in (("a", lms.id), ("b", None), ("c", scorm.id)):
        ids[subject] = services.cases.log_case(team.alice, subject=subject, channel="email",
                                               new_contact=caller(), category_id=category).id
    queries = CaseQueries(services.context)
    ordered = queries.ids(CaseFilter(queue=Queue.ALL_OPEN), CaseColumn.CATEGORY, now=services.context.now())
    assert ordered == [ids["b"], ids["a"], ids["c"]]  # "", "LMS access", "SCORM"
    table = case_list_table(services.context, CaseFilter(queue=Queue.ALL_OPEN),
                            columns=(ExportColumn.NUMBER, ExportColumn.CATEGORY))
    assert [row[1] for row in table.rows] == ["LMS access", "", "SCORM"]
    assert table.columns[1].header == "Category"


def test_reports_group_and_filter_by_category(services, team, categories):
    scorm, lms = categories
    for category in (scorm.id, scorm.id, lms.id, None):
        services.cases.log_case(team.alice, subject="x", channel="email", new_contact=caller(),
                                category_id=category)
    reports = ReportService(services.context, viewer_id=team.supervisor)
    by_category = reports.sla_compliance(NOVEMBER, Grouping.CATEGORY)
    assert [(row.group, row.cases) for row in by_category.rows] == [
        ("LMS access", 1), ("SCORM", 2), ("No category", 1)]
    only_scorm = reports.sla_compliance(ReportFilter(NOVEMBER.dates, category_id=scorm.id))
    assert sum(row.cases for row in only_scorm.rows) == 2
    assert ("Category", "SCORM") in only_scorm.filter_text
    pack = build_report_pack(reports, ReportKind.SLA, NOVEMBER)
    grouped = [t for t in pack.tables if t.columns[0].header == "Category"]
    assert len(grouped) == 1
    assert list(dict.fromkeys(r[0] for r in grouped[0].rows)) == ["LMS access", "SCORM", "No category", "Total"]
