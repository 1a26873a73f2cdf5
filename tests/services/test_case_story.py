"""The whole life of one case, from a phone call before Good Friday to its reopening.

Every due and met instant below is worked out by hand from the policy (High: acknowledge 2 h,
respond 4 h, resolve 8.5 h of business time; Mon-Fri 08:00-16:30 Halifax; Good Friday
2026-04-03 is a Nova Scotia holiday, Easter Monday 2026-04-06 is a working day; April is
ADT, UTC-3, so 16:20 Halifax is 19:20 UTC).
"""

from datetime import timedelta

import pytest

from desktop_helpdesk.domain.sla import ClockState
from desktop_helpdesk.services import search
from desktop_helpdesk.services.errors import WorkflowError
from desktop_helpdesk.storage.records import AuditRecord, CrmOutboxRecord, SlaPauseRecord
from tests.conftest import halifax
from tests.services.conftest import caller

pytestmark = pytest.mark.usefixtures("engine")


def audit_rows(case_id, **match):
    query = AuditRecord.select().where(AuditRecord.case == case_id)
    for name, value in match.items():
        query = query.where(getattr(AuditRecord, name) == value)
    return list(query.order_by(AuditRecord.id))


def utc_text(instant):
    """How the audit log writes an instant (UTC ISO, seconds)."""
    from datetime import UTC

    return instant.astimezone(UTC).isoformat(timespec="seconds")


def test_phone_call_before_good_friday_to_reopening(services, team, clock):
    cases = services.cases

    # Thursday 16:20, the caller is on the line: logged live, acknowledged on connection.
    clock.set(halifax(2026, 4, 2, 16, 20))
    logged = cases.log_case(
        team.supervisor,
        subject="SSO login rejects every learner",
        description="Nobody at the college can sign in to the LMS since noon.",
        channel="phone",
        requested_priority="high",
        new_contact=caller(),
    )
    case_id = logged.id
    assert logged.number == "2026-00001"
    assert logged.status == "acknowledged"
    # Round robin over the agents who take cases (admin and supervisor do not): Alice first.
    assert logged.assignee_id == team.alice
    case = cases.get_case(case_id)
    assert case.row.acknowledged_at == halifax(2026, 4, 2, 16, 20)
    # 10 min are left on Thursday; Friday is Good Friday, then the weekend; Monday opens 08:00.
    assert case.row.acknowledge_due_at == halifax(2026, 4, 6, 9, 50)  # 0:10 + 1:50
    assert case.row.respond_due_at == halifax(2026, 4, 6, 11, 50)  # 0:10 + 3:50
    assert case.row.resolve_due_at == halifax(2026, 4, 6, 16, 20)  # 0:10 + 8:20
    assert case.row.next_due_at == halifax(2026, 4, 6, 11, 50)  # acknowledgement already met
    assert case.acknowledge_clock.state is ClockState.MET
    assert [(r.action, r.after) for r in audit_rows(case_id, field="assignee")] == [
        ("assigned", f"Alice Agent (#{team.alice})")
    ]
    assert audit_rows(case_id, field="assignee")[0].reason.startswith("Round robin")
    assert audit_rows(case_id, field="acknowledged_at")[0].reason == (
        "Live phone call: acknowledged on connection"
    )
    due_rows = {r.field: r.after for r in audit_rows(case_id, action="logged") if r.field.endswith("_due_at")}
    assert due_rows == {
        "acknowledge_due_at": "2026-04-06T12:50:00+00:00",
        "respond_due_at": "2026-04-06T14:50:00+00:00",
        "resolve_due_at": "2026-04-06T19:20:00+00:00",
    }

    # Over the long weekend no business time passes: Monday 08:00 the respond clock still has
    # 3:50 of its 4 h; at 11:00 (3:10 used, 79 %) it is due soon; it is never breached later
    # the same day after closing, only from 08:00 next business morning.
    monday_open = cases.clock_readings(case_id, now=halifax(2026, 4, 6, 8, 0))
    assert monday_open[1].remaining == timedelta(hours=3, minutes=50)
    assert monday_open[1].state is ClockState.ON_TRACK
    assert cases.clock_readings(case_id, now=halifax(2026, 4, 6, 11, 0))[1].state is ClockState.DUE_SOON

    # Monday 09:00 Alice calls the client back to troubleshoot: the first response (on time).
    clock.set(halifax(2026, 4, 6, 9, 0))
    result = cases.add_interaction(
        team.alice, case_id, channel="phone", direction="outbound",
        summary="Walked through the SSO settings with the client; IdP certificate looks expired.",
        duration_seconds=900, expected_version=case.version,
    )
    assert result.satisfied == ("respond",)
    case = result.case
    assert case.row.responded_at == halifax(2026, 4, 6, 9, 0)
    assert case.status == "in_progress"
    assert case.respond_clock.state is ClockState.MET
    assert case.row.next_due_at == halifax(2026, 4, 6, 16, 20)

    # 09:30 escalated to Development; the case shows it is waiting on them since 09:30.
    clock.set(halifax(2026, 4, 6, 9, 30))
    case = cases.escalate(
        team.alice, case_id, target_kind="internal_department", target_name="Development",
        reason="Certificate rotation needs a developer", expected_reply_at=halifax(2026, 4, 6, 14, 0),
        expected_version=case.version,
    )
    assert case.status == "escalated"
    assert case.waiting_on == "Internal department: Development"
    assert case.waiting_since == halifax(2026, 4, 6, 9, 30)
    assert case.open_escalation.target_name == "Development"

    # 13:00 Development answers: back in progress, not waiting on anyone.
    clock.set(halifax(2026, 4, 6, 13, 0))
    case = cases.de_escalate(team.alice, case_id, answer="New certificate deployed.",
                             expected_version=case.version)
    assert case.status == "in_progress"
    assert case.waiting_on == "" and case.waiting_since is None
    assert case.escalations[0].answer == "New certificate deployed."

    # 13:30 waiting on the client to confirm: the resolution clock pauses (2:50 left, frozen).
    clock.set(halifax(2026, 4, 6, 13, 30))
    case = cases.wait_on_client(team.alice, case_id, reason="Asked the client to test sign-in",
                                expected_version=case.version)
    assert case.status == "waiting_on_client"
    assert case.waiting_on == "Client: Carol Client"
    assert case.row.resolve_paused_at == halifax(2026, 4, 6, 13, 30)
    assert case.row.next_due_at is None  # acknowledge and respond met, resolve paused
    later = cases.clock_readings(case_id, now=halifax(2026, 4, 6, 16, 0))[2]
    assert later.state is ClockState.PAUSED
    assert later.remaining == timedelta(hours=2, minutes=50)

    # Tuesday 10:00 the client answers: paused Mon 13:30-16:30 (3 h) + Tue 08:00-10:00 (2 h)
    # = 5 h of business time, so resolve due moves from Mon 16:20 by 5 h: 0:10 Monday,
    # 4:50 Tuesday -> Tue 12:50.
    clock.set(halifax(2026, 4, 7, 10, 0))
    case = cases.resume(team.alice, case_id, reason="Client tested: works for staff, not students",
                        expected_version=case.version)
    assert case.status == "in_progress"
    assert case.row.resolve_paused_at is None
    assert case.row.resolve_due_at == halifax(2026, 4, 7, 12, 50)
    assert case.row.next_due_at == halifax(2026, 4, 7, 12, 50)
    pause = SlaPauseRecord.get(SlaPauseRecord.case == case_id)
    assert (pause.started_at, pause.ended_at, pause.business_seconds) == (
        halifax(2026, 4, 6, 13, 30), halifax(2026, 4, 7, 10, 0), 5 * 3600
    )
    moved = audit_rows(case_id, field="resolve_due_at", action="sla")
    assert [(r.before, r.after) for r in moved] == [
        ("2026-04-06T19:20:00+00:00", "2026-04-07T15:50:00+00:00")
    ]
    assert "5h00" in moved[0].reason

    # 11:00 resolved and the client told by email: met on time (due 12:50).
    clock.set(halifax(2026, 4, 7, 11, 0))
    case = cases.resolve(team.alice, case_id, summary="Student group mapped to the new certificate.",
                         told_via="email", expected_version=case.version)
    assert case.status == "resolved"
    assert case.row.resolved_at == halifax(2026, 4, 7, 11, 0)
    assert case.resolve_clock.state is ClockState.MET
    assert case.resolve_clock.remaining == timedelta(hours=1, minutes=50)
    assert case.row.next_due_at is None

    # Wednesday 09:00 closed: read-only but still searchable.
    clock.set(halifax(2026, 4, 8, 9, 0))
    case = cases.close(team.alice, case_id, expected_version=case.version)
    assert case.status == "closed" and case.is_read_only
    assert case.row.closed_at == halifax(2026, 4, 8, 9, 0)
    with pytest.raises(WorkflowError, match="closed"):
        cases.add_interaction(team.alice, case_id, channel="note", direction="internal", summary="late note")
    with pytest.raises(WorkflowError):
        cases.edit_case(team.alice, case_id, expected_version=case.version, subject="Changed")
    assert search.search_case_ids("certificate") == [case_id]
    assert [c.id for c in search.similar_resolved_cases("SSO certificate expired")] == [case_id]

    # Thursday 10:00 reopened: a new 8.5 h resolution target from now (Thu 10:00-16:30 is
    # 6:30, then 2:00 on Friday 2026-04-10 -> Fri 10:00); history kept.
    clock.set(halifax(2026, 4, 9, 10, 0))
    case = cases.reopen(team.alice, case_id, reason="Students locked out again",
                        expected_version=case.version)
    assert case.status == "in_progress"
    assert case.resolve_started_at == halifax(2026, 4, 9, 10, 0)
    assert case.row.resolve_due_at == halifax(2026, 4, 10, 10, 0)
    assert case.row.resolved_at is None and case.row.closed_at is None
    assert case.row.acknowledged_at == halifax(2026, 4, 2, 16, 20)
    assert case.row.responded_at == halifax(2026, 4, 6, 9, 0)
    assert case.row.next_due_at == halifax(2026, 4, 10, 10, 0)
    assert case.resolve_clock.state is ClockState.ON_TRACK
    assert case.resolve_clock.remaining == timedelta(hours=8, minutes=30)

    statuses = [(r.before, r.after) for r in audit_rows(case_id, field="status") if r.action != "logged"]
    assert statuses == [
        ("acknowledged", "in_progress"),
        ("in_progress", "escalated"),
        ("escalated", "in_progress"),
        ("in_progress", "waiting_on_client"),
        ("waiting_on_client", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "closed"),
        ("closed", "in_progress"),
    ]
    resolve_moves = [(r.before, r.after) for r in audit_rows(case_id, field="resolve_due_at")]
    assert resolve_moves == [
        ("", "2026-04-06T19:20:00+00:00"),
        ("2026-04-06T19:20:00+00:00", "2026-04-07T15:50:00+00:00"),
        ("2026-04-07T15:50:00+00:00", "2026-04-10T13:00:00+00:00"),
    ]
    met = [(r.field, r.after) for r in audit_rows(case_id) if r.field.endswith("ed_at") and r.after]
    assert ("responded_at", utc_text(halifax(2026, 4, 6, 9, 0))) in met
    assert ("resolved_at", utc_text(halifax(2026, 4, 7, 11, 0))) in met
    reopened = audit_rows(case_id, field="resolved_at", action="reopened")
    assert reopened[0].before == utc_text(halifax(2026, 4, 7, 11, 0)) and reopened[0].after == ""
    # Every change was made by the member who did it, at the clock's instant.
    assert {r.actor_id for r in audit_rows(case_id)} == {team.supervisor, team.alice}
    assert case.version == 9

    kinds = [entry.kind for entry in cases.timeline(case_id)]
    assert kinds[0] in ("status", "sla")  # the reopening is the newest event
    for kind in ("logged", "interaction", "escalation", "escalation_answer", "pause", "resume", "assignment"):
        assert kind in kinds
    events = [row.event for row in CrmOutboxRecord.select().where(CrmOutboxRecord.case == case_id)
              .order_by(CrmOutboxRecord.id)]
    assert events == ["case_logged", "interaction", "case_escalated", "case_de_escalated",
                      "case_resolved", "case_closed", "case_reopened"]
