"""Paused business time is written the same way in the audit trail and on the timeline."""

from desktop_helpdesk.storage.records import AuditRecord
from tests.conftest import halifax
from tests.services.conftest import caller


def test_paused_time_reads_hours_and_two_digit_minutes_everywhere(services, team, clock):
    case = services.cases.log_case(team.alice, subject="VPN drops", channel="phone",
                                   new_contact=caller())
    services.cases.wait_on_client(team.alice, case.id, reason="Need logs")
    clock.set(halifax(2026, 11, 25, 11, 5))  # 2 h 05 of business time since 09:00
    services.cases.resume(team.alice, case.id)
    reasons = [r.reason for r in AuditRecord.select().where(
        AuditRecord.case == case.id, AuditRecord.action == "sla", AuditRecord.field == "resolve_due_at")]
    assert reasons == ["Resolution clock paused 2h05 of business time waiting on client"]
    resumed = [e for e in services.cases.timeline(case.id) if e.kind == "resume"]
    assert [e.detail for e in resumed] == [
        "Paused 2h05 of business time; resolution due moved by that much"]
