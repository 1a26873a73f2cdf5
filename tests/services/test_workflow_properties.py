"""Property: any sequence of actions keeps a case's stored SLA fields and audit trail coherent."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_helpdesk.domain.cases import CaseStatus
from desktop_helpdesk.services.cases import next_due
from desktop_helpdesk.services.errors import ServiceError
from desktop_helpdesk.storage.records import AuditRecord, CaseRecord, SlaPauseRecord
from tests.conftest import halifax
from tests.services.conftest import caller

ACTIONS = (
    "call", "ack_email", "note", "escalate", "de_escalate", "wait", "resume", "resolve", "close",
    "reopen", "priority_high", "priority_low", "in_progress",
)


def act(services, actor, case_id, action):
    cases = services.cases
    if action == "call":
        cases.add_interaction(actor, case_id, channel="phone", direction="outbound", summary="Call")
    elif action == "ack_email":
        cases.add_interaction(actor, case_id, channel="email", direction="outbound", summary="Ack",
                              acknowledgement_only=True)
    elif action == "note":
        cases.add_interaction(actor, case_id, channel="note", direction="internal", summary="Note")
    elif action == "escalate":
        cases.escalate(actor, case_id, target_kind="internal_department", target_name="Dev", reason="Bug")
    elif action == "de_escalate":
        cases.de_escalate(actor, case_id, answer="Fixed")
    elif action == "wait":
        cases.wait_on_client(actor, case_id, reason="Need logs")
    elif action == "resume":
        cases.resume(actor, case_id)
    elif action == "resolve":
        cases.resolve(actor, case_id, summary="Done", told_via="email")
    elif action == "close":
        cases.close(actor, case_id)
    elif action == "reopen":
        cases.reopen(actor, case_id, reason="Back again")
    elif action == "priority_high":
        cases.change_priority(actor, case_id, "high", reason="Worse")
    elif action == "priority_low":
        cases.change_priority(actor, case_id, "low", reason="Better")
    else:
        cases.change_status(actor, case_id, "in_progress")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(ACTIONS), st.integers(min_value=0, max_value=900)),
        min_size=1, max_size=14,
    ),
    phone=st.booleans(),
)
def test_any_action_sequence_keeps_the_case_coherent(services, team, clock, steps, phone):
    clock.set(halifax(2026, 11, 25, 9, 0))
    case_id = services.cases.log_case(team.alice, subject="Property case", channel="phone" if phone else "email",
                                      new_contact=caller(), received_at=clock.now()).id
    for action, minutes in steps:
        clock.advance(timedelta(minutes=minutes))
        before = CaseRecord.get_by_id(case_id)
        audit_before = AuditRecord.select().where(AuditRecord.case == case_id).count()
        try:
            act(services, team.alice, case_id, action)
            succeeded = True
        except ServiceError:
            succeeded = False
        case = CaseRecord.get_by_id(case_id)
        audit_after = AuditRecord.select().where(AuditRecord.case == case_id).count()
        if succeeded:
            assert case.version == before.version + 1
            assert case.updated_at == clock.now()
        else:
            assert case.version == before.version and audit_after == audit_before
        status = CaseStatus(case.status)
        assert case.next_due_at == next_due(case)
        assert (case.resolved_at is not None) == (status in (CaseStatus.RESOLVED, CaseStatus.CLOSED))
        assert (case.closed_at is not None) == (status is CaseStatus.CLOSED)
        if case.resolve_paused_at is not None:
            assert status is CaseStatus.WAITING_ON_CLIENT
        open_pauses = SlaPauseRecord.select().where(SlaPauseRecord.case == case_id,
                                                    SlaPauseRecord.ended_at.is_null()).count()
        assert open_pauses == (1 if case.resolve_paused_at is not None else 0)
        assert (case.waiting_since is not None) == (
            status in (CaseStatus.WAITING_ON_CLIENT, CaseStatus.ESCALATED))
        if case.responded_at is not None:
            assert case.acknowledged_at is not None and case.acknowledged_at <= case.responded_at
        assert case.resolve_due_at >= case.received_at
