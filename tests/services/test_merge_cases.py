"""Merging a duplicate case into the survivor: history moves, SLA from the earliest receipt."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desktop_helpdesk.services.case_queries import CaseFilter, CaseQueries
from desktop_helpdesk.services.errors import PermissionDenied, ValidationError, WorkflowError
from desktop_helpdesk.storage.records import CrmOutboxRecord
from tests.conftest import halifax
from tests.services.conftest import caller, table_counts

pytestmark = pytest.mark.usefixtures("engine")


def two_cases(services, team, clock):
    # The duplicate came in first by email (not yet acknowledged); the survivor is the call
    # logged an hour later, acknowledged on the line.
    duplicate = services.cases.log_case(team.alice, subject="Course won't launch (email)", channel="email",
                                        new_contact=caller(), received_at=halifax(2026, 11, 25, 8, 30))
    clock.advance(timedelta(hours=1))
    survivor = services.cases.log_case(team.alice, subject="Course will not launch", channel="phone",
                                       new_contact=caller(), requested_priority="high")
    services.cases.add_interaction(team.alice, duplicate.id, channel="email", direction="inbound",
                                   summary="Screenshot of the error attached")
    services.cases.add_attachment(team.alice, duplicate.id, filename="error.png", data=b"\x89PNG fake")
    return duplicate.id, survivor.id


def test_supervisor_merges_history_into_the_survivor(services, team, clock):
    duplicate_id, survivor_id = two_cases(services, team, clock)
    dup_number = services.cases.get_case(duplicate_id).number
    before_survivor = services.cases.get_case(survivor_id)
    merged = services.cases.merge_cases(team.supervisor, duplicate_id, survivor_id, reason="Same caller, same course")

    # SLA counts from the email's receipt (08:30), High priority: respond within 4 h.
    assert merged.received_at == halifax(2026, 11, 25, 8, 30)
    assert merged.row.respond_due_at == halifax(2026, 11, 25, 12, 30)
    assert merged.row.respond_due_at < before_survivor.row.respond_due_at
    assert merged.row.acknowledged_at == before_survivor.row.acknowledged_at  # the call acknowledged it

    timeline = services.cases.timeline(survivor_id)
    summaries = [e.detail for e in timeline if e.kind == "interaction"]
    assert "Screenshot of the error attached" in summaries
    assert [a.filename for a in merged.attachments] == ["error.png"]
    assert services.cases.timeline(duplicate_id) and not [
        e for e in services.cases.timeline(duplicate_id) if e.kind == "interaction"]

    duplicate = services.cases.get_case(duplicate_id)
    assert duplicate.status == "closed"
    assert duplicate.resolution_summary == f"Merged into {merged.number}"
    assert (duplicate.merged_into_id, duplicate.merged_into_number) == (survivor_id, merged.number)

    # The duplicate's audit is read with the survivor's trail, and both say what happened.
    trail = services.cases.audit_trail(survivor_id)
    assert {e.case_id for e in trail} == {survivor_id, duplicate_id}
    fields = [(e.case_id, e.field) for e in trail if e.action == "merged"]
    assert (survivor_id, "merged_from") in fields and (duplicate_id, "merged_into") in fields
    assert (survivor_id, "received_at") in fields
    assert CrmOutboxRecord.select().where(CrmOutboxRecord.event == "case_merged").count() == 1

    # The old number, read out by the caller, finds the survivor.
    found = CaseQueries(services.context).ids(CaseFilter(search=dup_number))
    assert survivor_id in found

    with pytest.raises(WorkflowError, match=f"merged into {merged.number}"):
        services.cases.reopen(team.supervisor, duplicate_id, reason="oops")


def test_agents_cannot_merge_and_bad_merges_write_nothing(services, team, clock):
    duplicate_id, survivor_id = two_cases(services, team, clock)
    before = table_counts()
    with pytest.raises(PermissionDenied, match="merge cases"):
        services.cases.merge_cases(team.alice, duplicate_id, survivor_id, reason="dup")
    with pytest.raises(ValidationError) as itself:
        services.cases.merge_cases(team.supervisor, survivor_id, survivor_id, reason="dup")
    assert itself.value.field == "survivor"
    with pytest.raises(ValidationError) as no_reason:
        services.cases.merge_cases(team.supervisor, duplicate_id, survivor_id, reason=" ")
    assert no_reason.value.field == "reason"
    services.cases.escalate(team.alice, duplicate_id, target_kind="internal_department",
                            target_name="Development", reason="bug")
    before = table_counts()
    with pytest.raises(WorkflowError, match="escalation"):
        services.cases.merge_cases(team.supervisor, duplicate_id, survivor_id, reason="dup")
    assert table_counts() == before


def test_cannot_merge_into_a_closed_case_or_merge_twice(services, team, clock):
    duplicate_id, survivor_id = two_cases(services, team, clock)
    services.cases.merge_cases(team.supervisor, duplicate_id, survivor_id, reason="dup")
    with pytest.raises(WorkflowError, match="already merged"):
        services.cases.merge_cases(team.supervisor, duplicate_id, survivor_id, reason="again")
    third = services.cases.log_case(team.alice, subject="Third", channel="email", new_contact=caller()).id
    with pytest.raises(WorkflowError, match="closed"):
        services.cases.merge_cases(team.supervisor, third, duplicate_id, reason="into closed")
    # A chain: the survivor merged on into a third case takes both trails along.
    services.cases.merge_cases(team.admin, survivor_id, third, reason="all one problem")
    assert {e.case_id for e in services.cases.audit_trail(third)} == {third, survivor_id, duplicate_id}
