"""Workflow rules: transitions, pauses, priority changes, attachments, audit integrity."""

import hashlib
from datetime import timedelta

import pytest
from peewee import DatabaseError

from desktop_helpdesk.domain.sla import ClockState
from desktop_helpdesk.services.errors import ValidationError, WorkflowError
from desktop_helpdesk.storage.db import database
from desktop_helpdesk.storage.records import AttachmentRecord, AuditRecord, SlaPauseRecord
from tests.conftest import halifax
from tests.services.conftest import caller

pytestmark = pytest.mark.usefixtures("engine")


def log(services, actor, **overrides):
    values = {"subject": "Reporting portal times out", "channel": "email", "new_contact": caller(),
              "received_at": halifax(2026, 11, 25, 9, 0)}
    values.update(overrides)
    return services.cases.log_case(actor, **values)


def test_rejected_transitions_raise_a_clear_workflow_error(services, team):
    case = log(services, team.alice)
    with pytest.raises(WorkflowError, match="cannot be moved to Closed"):
        services.cases.close(team.alice, case.id)
    with pytest.raises(WorkflowError, match="resolve it"):
        services.cases.change_status(team.alice, case.id, "resolved")
    with pytest.raises(ValidationError) as error:
        services.cases.change_status(team.alice, case.id, "done")
    assert error.value.field == "status"
    with pytest.raises(WorkflowError, match="not waiting"):
        services.cases.resume(team.alice, case.id)
    with pytest.raises(WorkflowError, match="no open escalation"):
        services.cases.de_escalate(team.alice, case.id, answer="?")
    with pytest.raises(WorkflowError, match="only resolved or closed"):
        services.cases.reopen(team.alice, case.id, reason="?")
    detail = services.cases.change_status(team.alice, case.id, "in_progress", reason="Looking")
    assert detail.status == "in_progress"
    with pytest.raises(WorkflowError, match="cannot be moved to Acknowledged"):
        services.cases.change_status(team.alice, case.id, "acknowledged")


def test_resolution_needs_a_summary_and_how_the_client_was_told(services, team):
    case = log(services, team.alice)
    for kwargs, field in (
        ({"summary": " ", "told_via": "email"}, "summary"),
        ({"summary": "Fixed", "told_via": "note"}, "told_via"),
        ({"summary": "Fixed", "told_via": "pigeon"}, "told_via"),
    ):
        with pytest.raises(ValidationError) as error:
            services.cases.resolve(team.alice, case.id, **kwargs)
        assert error.value.field == field
    detail = services.cases.resolve(team.alice, case.id, summary="Fixed", told_via="phone")
    # Telling the client also acknowledged and answered them.
    assert detail.row.acknowledged_at == detail.row.responded_at == detail.row.resolved_at == halifax(2026, 11, 25, 9, 0)
    assert (detail.resolution_summary, detail.resolution_channel) == ("Fixed", "phone")


def test_pause_setting_off_keeps_the_resolution_clock_running(services, team, clock):
    services.settings.update(team.supervisor, pause_resolution_while_waiting=False)
    case = log(services, team.alice)
    detail = services.cases.wait_on_client(team.alice, case.id, reason="Need logs")
    assert detail.row.resolve_paused_at is None
    assert SlaPauseRecord.select().count() == 0
    clock.set(halifax(2026, 11, 26, 9, 0))
    detail = services.cases.resume(team.alice, case.id)
    assert detail.row.resolve_due_at == halifax(2026, 11, 30, 9, 0)  # unchanged: 25.5 h from Wed 09:00


def test_waiting_then_escalating_ends_the_pause(services, team, clock):
    case = log(services, team.alice)
    services.cases.wait_on_client(team.alice, case.id, reason="Need the client's proxy logs")
    clock.set(halifax(2026, 11, 25, 11, 0))  # 2 h of business time paused
    detail = services.cases.escalate(team.alice, case.id, target_kind="client_it", target_name="Acme IT",
                                     reason="Proxy blocks our domain")
    assert detail.status == "escalated" and detail.waiting_on == "Client IT: Acme IT"
    assert detail.row.resolve_paused_at is None
    # Medium resolve from Wed 09:00: 25.5 h -> Mon 09:00 (Wed, Thu, Fri full days); +2 h -> 11:00.
    assert detail.row.resolve_due_at == halifax(2026, 11, 30, 11, 0)
    with pytest.raises(ValidationError) as error:
        services.cases.escalate(team.alice, case.id, target_kind="vendor", target_name="X", reason="Y")
    assert error.value.field == "target_kind"


def test_priority_change_recomputes_due_instants_with_a_reason(services, team, clock):
    case = log(services, team.alice, requested_priority="medium")
    services.cases.wait_on_client(team.alice, case.id, reason="Waiting")
    clock.set(halifax(2026, 11, 25, 10, 0))
    services.cases.resume(team.alice, case.id)  # 1 h paused
    clock.set(halifax(2026, 11, 25, 10, 30))
    detail = services.cases.change_priority(team.alice, case.id, "high", reason="Whole site down")
    assert detail.effective_priority == "high"
    assert detail.row.acknowledge_due_at == halifax(2026, 11, 25, 11, 0)
    assert detail.row.respond_due_at == halifax(2026, 11, 25, 13, 0)
    # High resolve 8.5 h from Wed 09:00 -> Thu 09:00, plus the 1 h paused -> Thu 10:00.
    assert detail.row.resolve_due_at == halifax(2026, 11, 26, 10, 0)
    rows = AuditRecord.select().where(AuditRecord.case == case.id, AuditRecord.action == "sla",
                                      AuditRecord.field == "respond_due_at")
    assert [r.reason for r in rows] == ["Priority changed Medium -> High: Whole site down"]
    with pytest.raises(ValidationError) as error:
        services.cases.change_priority(team.alice, case.id, "critical", reason="x")
    assert error.value.field == "requested_priority"


def test_breached_only_when_business_time_passes_the_due_instant(services, team, clock):
    # High phone call Wed 12:30: respond due 16:30; no reply by 20:00 is still not breached.
    clock.set(halifax(2026, 11, 25, 12, 30))
    case = log(services, team.alice, channel="phone", requested_priority="high", received_at=clock.now())
    assert services.cases.clock_readings(case.id, halifax(2026, 11, 25, 20, 0))[1].state is ClockState.DUE_SOON
    assert services.cases.clock_readings(case.id, halifax(2026, 11, 26, 8, 1))[1].state is ClockState.BREACHED
    clock.set(halifax(2026, 11, 25, 20, 0))
    reply = services.cases.add_interaction(team.alice, case.id, channel="email", direction="outbound",
                                           summary="Here is a workaround")
    assert reply.case.respond_clock.state is ClockState.MET


def test_attachments_are_sanitised_hashed_and_size_limited(services, team):
    case = log(services, team.alice)
    data = b"\x89PNG fake screenshot"
    info = services.cases.add_attachment(team.alice, case.id, filename="C:\\Users\\x\\..\\scr<1>.png",
                                         data=data, content_type="image/png")
    assert info.filename == "scr_1_.png"
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.size == len(data) and info.added_by_name == "Alice Agent"
    assert services.cases.attachment_content(info.id) == (info, data)
    assert services.cases.get_case(case.id).attachments == (info,)
    services.settings.update(team.supervisor, attachment_max_bytes=10)
    with pytest.raises(ValidationError) as error:
        services.cases.add_attachment(team.alice, case.id, filename="big.log", data=b"x" * 11)
    assert error.value.field == "file"
    assert AttachmentRecord.select().count() == 1


def test_closed_cases_refuse_attachments_and_status_changes(services, team):
    case = log(services, team.alice)
    services.cases.resolve(team.alice, case.id, summary="Fixed", told_via="email")
    services.cases.close(team.alice, case.id)
    with pytest.raises(WorkflowError):
        services.cases.add_attachment(team.alice, case.id, filename="a.txt", data=b"a")
    with pytest.raises(WorkflowError):
        services.cases.change_priority(team.alice, case.id, "high", reason="x")
    with pytest.raises(WorkflowError):
        services.cases.wait_on_client(team.alice, case.id, reason="x")


def test_audit_rows_cannot_be_updated_or_deleted(services, team):
    case = log(services, team.alice)
    count = AuditRecord.select().count()
    with pytest.raises(DatabaseError, match="append-only"):
        with database.atomic():
            AuditRecord.update(reason="tampered").where(AuditRecord.case == case.id).execute()
    with pytest.raises(DatabaseError, match="append-only"):
        with database.atomic():
            AuditRecord.delete().where(AuditRecord.case == case.id).execute()
    assert AuditRecord.select().count() == count
    assert AuditRecord.select().where(AuditRecord.reason == "tampered").count() == 0


def test_timeline_merges_events_newest_first_and_audit_trail_is_chronological(services, team, clock):
    case = log(services, team.alice)
    clock.advance(timedelta(minutes=10))
    services.cases.add_interaction(team.alice, case.id, channel="note", direction="internal",
                                   summary="Checked the server logs")
    clock.advance(timedelta(minutes=10))
    services.cases.add_attachment(team.alice, case.id, filename="log.txt", data=b"trace")
    entries = services.cases.timeline(case.id)
    assert [e.kind for e in entries[:2]] == ["attachment", "interaction"]
    assert entries[-1].kind == "interaction" or entries[-1].kind == "logged"
    assert all(a.at >= b.at for a, b in zip(entries, entries[1:], strict=False))
    trail = services.cases.audit_trail(case.id)
    assert trail[0].action == "logged" and trail[0].field == "number"
    assert all(a.at <= b.at for a, b in zip(trail, trail[1:], strict=False))
    assert {e.actor_name for e in trail} == {"Alice Agent"}
    with pytest.raises(ValidationError) as error:
        services.cases.add_interaction(team.alice, case.id, channel="note", direction="outbound",
                                       summary="x")
    assert error.value.field == "direction"


def test_timeline_tells_instants_in_desk_time(services, team, clock):
    case = log(services, team.alice, requested_priority="medium")
    clock.set(halifax(2026, 11, 25, 10, 30))
    services.cases.change_priority(team.alice, case.id, "high", reason="Whole site down")
    services.cases.escalate(team.alice, case.id, target_kind="client_it", target_name="Acme IT",
                            reason="Proxy blocks the LMS", expected_reply_at=halifax(2026, 11, 26, 9, 0))

    texts = {(entry.kind, entry.title, entry.detail) for entry in services.cases.timeline(case.id)}

    assert ("logged", f"Case {case.number} logged",
            "Email request received Wed 25 Nov 2026 09:00 AST") in texts
    assert ("sla", "Respond due moved to Wed 25 Nov 2026 13:00 AST",
            "Priority changed Medium -> High: Whole site down") in texts
    assert any(kind == "escalation" and detail.endswith("reply expected Thu 26 Nov 2026 09:00 AST")
               for kind, _, detail in texts)
    logged_due = next(entry for entry in services.cases.audit_trail(case.id)
                      if entry.field == "acknowledge_due_at")
    assert logged_due.reason == "Medium priority, from received Wed 25 Nov 2026 09:00 AST"
