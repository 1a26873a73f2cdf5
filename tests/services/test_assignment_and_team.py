"""Auto-assignment strategies, availability, redistribution, permissions and settings."""

import logging
from contextlib import contextmanager
from datetime import date

import pytest

from desktop_helpdesk.domain.cases import AssignmentStrategy
from desktop_helpdesk.services.errors import ConflictError, PermissionDenied, ValidationError
from desktop_helpdesk.storage.records import AuditRecord, CaseRecord, ClosureRecord
from tests.conftest import halifax
from tests.services.conftest import caller, table_counts

pytestmark = pytest.mark.usefixtures("engine")


@contextmanager
def _peewee_queries():
    """The SQL statements peewee logs (every query, at DEBUG) while the block runs."""
    logger, seen = logging.getLogger("peewee"), []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = lambda record: seen.append(record.getMessage())
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield seen
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def log(services, actor, **overrides):
    values = {"subject": "LMS is slow", "channel": "email", "new_contact": caller()}
    values.update(overrides)
    return services.cases.log_case(actor, **values)


def test_round_robin_takes_turns_among_available_members(services, team):
    assignees = [log(services, team.alice).assignee_id for _ in range(5)]
    assert assignees == [team.alice, team.bob, team.alice, team.bob, team.alice]


def test_least_workload_weights_high_above_medium(services, team):
    services.settings.update(team.supervisor, assignment_strategy="least_workload")
    first = log(services, team.alice, requested_priority="high")
    assert first.assignee_id == team.alice  # tie: both empty, lowest id
    assert "Least open workload" in first.assignment_reason
    # Alice carries weight 2 (one High); Bob gets the next two Medium cases (1, then 2 = tie).
    assert log(services, team.alice).assignee_id == team.bob
    assert log(services, team.alice).assignee_id == team.bob
    # Now Alice 2 (one case), Bob 2 (two cases): the tie goes to fewer cases.
    assert log(services, team.alice).assignee_id == team.alice
    members = {m.id: (m.open_cases, m.open_weight) for m in services.team.list_members()}
    assert members[team.alice] == (2, 3) and members[team.bob] == (2, 2)


def test_only_available_active_members_who_take_cases_are_chosen(services, team):
    services.team.set_availability(team.alice, team.alice, "away")
    assert log(services, team.bob).assignee_id == team.bob
    services.team.set_availability(team.supervisor, team.bob, "off_shift")
    unassigned = log(services, team.bob)
    assert unassigned.assignee_id is None
    row = AuditRecord.get(AuditRecord.case == unassigned.id, AuditRecord.field == "assignee")
    assert row.after == "" and "No team member is available" in row.reason


def test_marking_a_member_away_redistributes_their_open_cases_in_one_action(services, team):
    carol = services.team.add_member(team.supervisor, "carol", "Carol Agent").id
    mine = [log(services, team.alice) for _ in range(3)]  # alice, bob, carol
    resolved = log(services, team.alice)  # alice again
    services.cases.resolve(team.alice, resolved.id, summary="Fixed", told_via="email")
    assert [c.assignee_id for c in mine] == [team.alice, team.bob, carol]
    moved = services.team.set_availability(team.supervisor, team.alice, "on_leave", redistribute=True,
                                           reason="Sick leave")
    assert [m.case_id for m in moved] == [mine[0].id]
    assert moved[0].assignee_id in (team.bob, carol)
    assert CaseRecord.get_by_id(mine[0].id).assignee_id == moved[0].assignee_id
    assert CaseRecord.get_by_id(resolved.id).assignee_id == team.alice  # closed work stays
    row = AuditRecord.get(AuditRecord.case == mine[0].id, AuditRecord.action == "redistributed")
    assert row.before == f"Alice Agent (#{team.alice})" and row.reason.startswith("Sick leave")
    assert services.team.get_member(team.alice).availability == "on_leave"


def test_agents_cannot_manage_the_team_or_settings(services, team):
    with pytest.raises(PermissionDenied):
        services.team.add_member(team.alice, "mallory", "Mallory")
    with pytest.raises(PermissionDenied):
        services.team.set_availability(team.alice, team.bob, "away")
    with pytest.raises(PermissionDenied):
        services.team.redistribute_open_cases(team.alice, team.bob)
    with pytest.raises(PermissionDenied):
        services.settings.update(team.alice, due_soon_share=0.5)
    with pytest.raises(PermissionDenied):
        services.settings.add_closure(team.alice, date(2026, 12, 28), "Holiday week")
    with pytest.raises(PermissionDenied):
        services.team.add_member(team.supervisor, "root2", "Second Admin", role="admin")


def test_only_create_member_adds_a_member_with_no_actor(services, team):
    before = table_counts()
    with pytest.raises(PermissionDenied):
        services.team.add_member(None, "ghost", "Ghost Agent")
    assert table_counts() == before

    added = services.team.create_member(team.supervisor, "sue", "Sue Agent", email="sue@velsoft.example")
    assert (added.role, added.email, added.can_take_cases) == ("agent", "sue@velsoft.example", True)
    system = services.team.create_member(None, "root2", "Second Admin", role="admin", can_take_cases=False)
    assert (system.role, system.can_take_cases) == ("admin", False)
    actors = {r.entity_id: r.actor_id for r in AuditRecord.select().where(
        AuditRecord.entity == "team_member", AuditRecord.field == "username")}
    assert (actors[added.id], actors[system.id]) == (team.supervisor, None)
    with pytest.raises(PermissionDenied):
        services.team.create_member(team.supervisor, "root3", "Third Admin", role="admin")


def test_reassignment_rules_and_audit(services, team):
    case = log(services, team.alice)  # alice
    with pytest.raises(PermissionDenied):
        services.cases.reassign(team.bob, case.id, team.bob, reason="Mine now")
    detail = services.cases.reassign(team.alice, case.id, team.bob, reason="Bob knows SCORM")
    assert detail.assignee_id == team.bob and detail.assignee_name == "Bob Agent"
    detail = services.cases.reassign(team.supervisor, case.id, None, reason="Back to the queue")
    assert detail.assignee_id is None
    detail = services.cases.reassign(team.alice, case.id, team.alice, reason="Taking it")
    assert detail.assignee_id == team.alice
    with pytest.raises(ValidationError) as error:
        services.cases.reassign(team.supervisor, case.id, team.supervisor, reason="x")
    assert error.value.field == "assignee"  # the supervisor does not take cases
    with pytest.raises(ValidationError) as error:
        services.cases.reassign(team.supervisor, case.id, team.bob, reason=" ")
    assert error.value.field == "reason"
    rows = AuditRecord.select().where(AuditRecord.case == case.id, AuditRecord.action == "reassigned")
    assert [(r.before, r.after, r.reason, r.actor_id) for r in rows.order_by(AuditRecord.id)] == [
        (f"Alice Agent (#{team.alice})", f"Bob Agent (#{team.bob})", "Bob knows SCORM", team.alice),
        (f"Bob Agent (#{team.bob})", "", "Back to the queue", team.supervisor),
        ("", f"Alice Agent (#{team.alice})", "Taking it", team.alice),
    ]


def test_stale_version_raises_conflict(services, team):
    case = services.cases.get_case(log(services, team.alice).id)
    services.cases.edit_case(team.bob, case.id, expected_version=case.version, subject="Other desk edit")
    with pytest.raises(ConflictError) as error:
        services.cases.edit_case(team.alice, case.id, expected_version=case.version, subject="Mine")
    assert (error.value.expected_version, error.value.actual_version) == (1, 2)
    assert services.cases.get_case(case.id).subject == "Other desk edit"


def test_settings_are_validated_stored_and_audited(services, team):
    assert services.settings.get().due_soon_share == 0.75
    assert services.settings.get().pause_resolution_while_waiting is True
    updated = services.settings.update(team.supervisor, due_soon_share=0.5,
                                       assignment_strategy="least_workload", reason="Busy season")
    assert updated.due_soon_share == 0.5
    assert updated.assignment_strategy is AssignmentStrategy.LEAST_WORKLOAD
    with pytest.raises(ValidationError) as error:
        services.settings.update(team.supervisor, due_soon_share=1.5)
    assert error.value.field == "due_soon_share"
    with pytest.raises(ValidationError) as error:
        services.settings.update(team.supervisor, colour="red")
    assert error.value.field == "colour"
    rows = AuditRecord.select().where(AuditRecord.entity == "setting").order_by(AuditRecord.field)
    assert [(r.field, r.before, r.after) for r in rows] == [
        ("assignment_strategy", "round_robin", "least_workload"), ("due_soon_share", "0.75", "0.5")]


def test_the_calendar_is_reloaded_explicitly_and_sees_another_workstations_closure(services, team, clock):
    context = services.context
    loaded = context.reload_calendar()
    # Reading the calendar (its zone, a due instant) runs no query once loaded.
    with _peewee_queries() as queries:
        assert context.calendar is loaded and context.calendar.zone is loaded.zone
    assert queries == []
    # Another workstation closes the office on Monday: this context sees it once work reloads.
    ClosureRecord.create(day="2026-11-30", reason="Office move", created_at=clock.now())
    assert context.calendar is loaded
    clock.set(halifax(2026, 11, 27, 15, 0))
    case = log(services, team.alice, requested_priority="high", received_at=clock.now())
    assert services.cases.get_case(case.id).row.acknowledge_due_at == halifax(2026, 12, 1, 8, 30)
    assert not context.calendar.is_business_day(date(2026, 11, 30))


def test_company_closure_moves_new_due_instants(services, team, clock):
    # Friday 2026-11-27 15:00, High: acknowledge 1:30 Friday + 0:30 next business day.
    clock.set(halifax(2026, 11, 27, 15, 0))
    before = log(services, team.alice, requested_priority="high", received_at=clock.now())
    assert services.cases.get_case(before.id).row.acknowledge_due_at == halifax(2026, 11, 30, 8, 30)
    services.settings.add_closure(team.supervisor, date(2026, 11, 30), "Office move")
    after = log(services, team.alice, requested_priority="high", received_at=clock.now())
    assert services.cases.get_case(after.id).row.acknowledge_due_at == halifax(2026, 12, 1, 8, 30)
    # Already promised instants are kept.
    assert services.cases.get_case(before.id).row.acknowledge_due_at == halifax(2026, 11, 30, 8, 30)
    assert [c.day for c in services.settings.list_closures()] == [date(2026, 11, 30)]
    services.settings.remove_closure(team.supervisor, date(2026, 11, 30), reason="Move postponed")
    again = log(services, team.alice, requested_priority="high", received_at=clock.now())
    assert services.cases.get_case(again.id).row.acknowledge_due_at == halifax(2026, 11, 30, 8, 30)
    actions = [r.action for r in AuditRecord.select().where(AuditRecord.entity == "closure")]
    assert actions == ["closure_added", "closure_removed"]


def test_deactivating_keeps_history_and_the_last_admin(services, team):
    services.team.update_member(team.supervisor, team.bob, active=False, reason="Left the company")
    assert team.bob not in [m.id for m in services.team.list_members()]
    assert team.bob in [m.id for m in services.team.list_members(include_inactive=True)]
    with pytest.raises(ValidationError):
        services.team.update_member(team.admin, team.admin, role="agent")
    with pytest.raises(PermissionDenied):
        services.team.bootstrap_admin("second", "Second")


def test_deactivating_a_member_hands_on_their_open_cases(services, team):
    first = log(services, team.alice)
    assert first.assignee_id == team.alice
    services.team.update_member(team.supervisor, team.alice, active=False, reason="Left the company")
    assert CaseRecord.get_by_id(first.id).assignee_id == team.bob
    row = AuditRecord.get(AuditRecord.case == first.id, AuditRecord.action == "redistributed")
    assert row.reason.startswith("Left the company")


def test_a_bad_stored_setting_falls_back_to_its_default_only(services, team):
    from desktop_helpdesk.storage.records import SettingRecord

    services.settings.update(team.supervisor, due_soon_share=0.6)
    SettingRecord.insert(key="assignment_strategy", value='"coin_toss"').execute()
    current = services.settings.get()
    assert current.assignment_strategy is AssignmentStrategy.ROUND_ROBIN
    assert current.due_soon_share == 0.6


def test_mail_servers_are_stored_audited_and_read_under_their_flat_names(services, team):
    from desktop_helpdesk.storage.records import SettingRecord

    # Rows as databases have always held them (one per server field, e.g. "imap_port"),
    # with one bad value that falls back to its default alone.
    SettingRecord.insert_many(
        [("smtp_host", '"smtp.velsoft.example"'), ("imap_port", "143"), ("imap_security", '"tls"')],
        fields=[SettingRecord.key, SettingRecord.value],
    ).execute()
    current = services.settings.get()
    assert (current.smtp.host, current.smtp.port, current.smtp.security) == ("smtp.velsoft.example", 587, "starttls")
    assert (current.imap.host, current.imap.port, current.imap.security) == ("", 143, "ssl")

    updated = services.settings.update(team.admin, smtp_port=465, imap_host=" imap.velsoft.example ")
    assert (updated.smtp.host, updated.smtp.port, updated.imap.host) == ("smtp.velsoft.example", 465, "imap.velsoft.example")
    stored = dict(SettingRecord.select(SettingRecord.key, SettingRecord.value).tuples())
    assert (stored["smtp_port"], stored["imap_host"], stored["imap_port"]) == ("465", '"imap.velsoft.example"', "143")
    rows = AuditRecord.select().where(AuditRecord.entity == "setting").order_by(AuditRecord.field)
    assert [(r.field, r.before, r.after) for r in rows] == [
        ("imap_host", "", "imap.velsoft.example"), ("smtp_port", "587", "465")]
    with pytest.raises(ValidationError) as error:
        services.settings.update(team.admin, imap_username="support\n@velsoft.example")
    assert error.value.field == "imap_username"
