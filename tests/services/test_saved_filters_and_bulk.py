"""Saved filters (criteria, personal or shared) and bulk work (one audited change per case)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from desktop_helpdesk.services.bulk import BulkAction, BulkRequest
from desktop_helpdesk.services.case_queries import (
    UNASSIGNED,
    CaseFilter,
    CaseQueries,
    FilterCriteria,
)
from desktop_helpdesk.services.errors import PermissionDenied, ValidationError
from desktop_helpdesk.storage.records import AuditRecord, CaseRecord
from tests.services.conftest import caller, table_counts

pytestmark = pytest.mark.usefixtures("engine")


def log(services, team, subject, **kwargs):
    contact = kwargs.pop("contact", caller())
    return services.cases.log_case(team.alice, subject=subject, channel=kwargs.pop("channel", "email"),
                                   new_contact=contact, **kwargs)


def ids_for(services, criteria):
    return set(CaseQueries(services.context).ids(CaseFilter(criteria=criteria), now=services.context.now()))


def test_criteria_combine_and_round_trip(services, team, clock):
    scorm = services.categories.add_category(team.admin, "SCORM")
    acme = log(services, team, "a", requested_priority="high", category_id=scorm.id)
    other = log(services, team, "b", channel="phone", contact=caller(name="Olga", email="olga@other.example",
                                                                       phone="902 555 0101", client_name="Other Co"))
    services.cases.reassign(team.admin, other.id, None, reason="queue")
    clock.advance(timedelta(days=1))
    later = log(services, team, "c")
    assert ids_for(services, FilterCriteria(client_id=acme.client_id)) == {acme.id, later.id}
    assert ids_for(services, FilterCriteria(priority="high")) == {acme.id}
    assert ids_for(services, FilterCriteria(assignee_id=UNASSIGNED)) == {other.id}
    assert ids_for(services, FilterCriteria(channel="phone")) == {other.id}
    assert ids_for(services, FilterCriteria(category_id=scorm.id)) == {acme.id}
    assert ids_for(services, FilterCriteria(statuses=("acknowledged",))) == {other.id}
    assert ids_for(services, FilterCriteria(received_from=date(2026, 11, 26))) == {later.id}
    assert ids_for(services, FilterCriteria(received_to=date(2026, 11, 25), client_id=acme.client_id)) == {acme.id}
    # High: acknowledge within 2 h of 09:00 Wednesday; at Thursday 09:00 it is overdue.
    assert acme.id in ids_for(services, FilterCriteria(sla_state="overdue"))
    assert later.id in ids_for(services, FilterCriteria(sla_state="on_track"))
    criteria = FilterCriteria(client_id=3, statuses=("new", "acknowledged"), received_from=date(2026, 11, 1),
                              sla_state="due_soon", assignee_id=UNASSIGNED)
    assert FilterCriteria.from_json(criteria.to_json()) == criteria


def test_saved_filters_personal_and_shared(services, team):
    mine = services.saved_filters.save_filter(team.alice, "My high", FilterCriteria(priority="high"))
    shared = services.saved_filters.save_filter(team.supervisor, "Team SCORM", FilterCriteria(channel="email"),
                                                shared=True)
    services.saved_filters.save_filter(team.bob, "Bob's", FilterCriteria())
    assert [f.name for f in services.saved_filters.list_filters(team.alice)] == ["My high", "Team SCORM"]
    again = services.saved_filters.save_filter(team.alice, "my HIGH", FilterCriteria(priority="medium"))
    assert again.id == mine.id and again.criteria.priority == "medium"
    with pytest.raises(ValidationError):
        services.saved_filters.save_filter(team.alice, " ", FilterCriteria())
    with pytest.raises(PermissionDenied):
        services.saved_filters.delete_filter(team.alice, shared.id)
    services.saved_filters.delete_filter(team.admin, shared.id)
    assert [f.name for f in services.saved_filters.list_filters(team.alice)] == ["My high"]
    actions = [r.action for r in AuditRecord.select().where(AuditRecord.entity == "saved_filter")]
    assert actions.count("filter_saved") >= 3 and actions[-1] == "filter_deleted"


def test_bulk_reassign_names_refusals_and_audits_each_case(services, team):
    cases = [log(services, team, f"case {n}") for n in range(4)]
    for case, owner in zip(cases, (team.alice, team.bob, team.alice, team.alice), strict=True):
        services.cases.reassign(team.admin, case.id, owner, reason="set up")
    services.cases.resolve(team.alice, cases[2].id, summary="done", told_via="email")
    services.cases.close(team.alice, cases[2].id)
    seen = []
    outcome = services.bulk.run(team.alice, [c.id for c in cases],
                                BulkRequest(BulkAction.REASSIGN, assignee_id=team.bob, reason="Alice on leave"),
                                progress=lambda done, total: seen.append((done, total)))
    numbers = {c.id: c.number for c in cases}
    # Alice moves her own cases; Bob's case is not hers (the team setting is off); closed refused.
    assert outcome.done == [numbers[cases[0].id], numbers[cases[3].id]]
    refused = dict(outcome.refused)
    assert "bulk-reassign another member's case" in refused[numbers[cases[1].id]]
    assert "closed" in refused[numbers[cases[2].id]]
    assert seen[-1] == (4, 4) and len(seen) == 4
    rows = AuditRecord.select().where(AuditRecord.action == "reassigned", AuditRecord.reason == "Alice on leave")
    assert sorted(r.case_id for r in rows) == sorted([cases[0].id, cases[3].id])

    services.settings.update(team.admin, agents_may_bulk_reassign=True)
    outcome = services.bulk.run(team.alice, [cases[1].id], BulkRequest(BulkAction.REASSIGN, assignee_id=team.alice,
                                                                       reason="team allows"))
    assert outcome.done == [numbers[cases[1].id]]
    assert CaseRecord.get_by_id(cases[1].id).assignee_id == team.alice


def test_bulk_priority_category_close_and_cancel(services, team):
    cases = [log(services, team, f"case {n}") for n in range(5)]
    before = table_counts()
    with pytest.raises(ValidationError) as no_reason:
        services.bulk.run(team.alice, [c.id for c in cases], BulkRequest(BulkAction.PRIORITY, priority="high"))
    assert no_reason.value.field == "reason"
    assert table_counts() == before
    outcome = services.bulk.run(team.alice, [c.id for c in cases],
                                BulkRequest(BulkAction.PRIORITY, priority="high", reason="Outage"))
    assert len(outcome.done) == 5
    assert {CaseRecord.get_by_id(c.id).effective_priority for c in cases} == {"high"}
    lms = services.categories.add_category(team.admin, "LMS access")
    polls = iter([False, False, True])
    outcome = services.bulk.run(team.alice, [c.id for c in cases], BulkRequest(BulkAction.CATEGORY, category_id=lms.id),
                                cancelled=lambda: next(polls))
    assert outcome.cancelled and len(outcome.done) == 2
    assert outcome.summary() == "2 of 5 cases changed; cancelled with 3 not done"
    services.cases.resolve(team.alice, cases[0].id, summary="done", told_via="email")
    outcome = services.bulk.run(team.alice, [cases[0].id, cases[1].id], BulkRequest(BulkAction.CLOSE))
    assert outcome.done == [cases[0].number] and "Resolved" in outcome.refused[0][1] or \
        "resolved" in outcome.refused[0][1].lower()
    assert CaseRecord.get_by_id(cases[0].id).status == "closed"


def test_a_saved_filter_exports_what_it_lists(services, team):
    from desktop_helpdesk.services.case_list_columns import ExportColumn
    from desktop_helpdesk.services.case_queries import Queue
    from desktop_helpdesk.services.reporting.case_list_export import case_list_pack

    high = log(services, team, "urgent", requested_priority="high")
    log(services, team, "normal")
    pack = case_list_pack(services.context, Queue.ALL_OPEN, criteria=FilterCriteria(priority="high"),
                          filter_name="High", columns=(ExportColumn.NUMBER, ExportColumn.PRIORITY))
    assert pack.title == "Filter \u201cHigh\u201d"
    assert pack.tables[0].rows == [(high.number, "High")]
