"""Assign to me, hand back to the queue, and who else has a case open on another workstation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desktop_helpdesk.services.errors import PermissionDenied, ValidationError, WorkflowError
from desktop_helpdesk.services.permissions import ACTIONS
from tests.services.conftest import caller, table_counts

pytestmark = pytest.mark.usefixtures("engine")


def assignee_trail(services, case_id):
    return [(e.action, e.before, e.after, e.reason, e.actor_name)
            for e in services.cases.audit_trail(case_id) if e.field == "assignee"][1:]


def unassigned_case(services, team):
    logged = services.cases.log_case(team.alice, subject="Printer", channel="email", new_contact=caller())
    if logged.assignee_id is not None:
        services.cases.hand_back(logged.assignee_id, logged.id)
    return logged.id


def test_assign_to_me_from_the_queue_needs_no_reason(services, team):
    case_id = unassigned_case(services, team)
    taken = services.cases.take_case(team.bob, case_id)
    assert taken.assignee_id == team.bob
    assert assignee_trail(services, case_id)[-1] == (
        "taken", "", f"Bob Agent (#{team.bob})", "Taken from the Unassigned queue", "Bob Agent")


def test_taking_a_colleagues_case_needs_a_reason_and_names_them(services, team):
    case_id = unassigned_case(services, team)
    services.cases.take_case(team.alice, case_id)
    before = table_counts()
    with pytest.raises(ValidationError) as refused:
        services.cases.take_case(team.bob, case_id, reason="  ")
    assert refused.value.field == "reason" and "Alice Agent's case" in str(refused.value)
    assert table_counts() == before
    taken = services.cases.take_case(team.bob, case_id, reason="Alice is off sick")
    assert taken.assignee_id == team.bob
    assert assignee_trail(services, case_id)[-1] == (
        "taken", f"Alice Agent (#{team.alice})", f"Bob Agent (#{team.bob})", "Alice is off sick", "Bob Agent")


def test_a_member_who_takes_no_cases_cannot_assign_to_themselves(services, team):
    case_id = unassigned_case(services, team)
    with pytest.raises(ValidationError, match="does not take cases"):
        services.cases.take_case(team.supervisor, case_id)


def test_hand_back_own_case_but_not_a_colleagues_unless_supervisor(services, team):
    case_id = unassigned_case(services, team)
    services.cases.take_case(team.alice, case_id)
    with pytest.raises(PermissionDenied, match="hand another member's case back"):
        services.cases.hand_back(team.bob, case_id)
    back = services.cases.hand_back(team.alice, case_id, reason="Needs the authoring specialist")
    assert back.assignee_id is None
    assert assignee_trail(services, case_id)[-1][:4] == (
        "handed_back", f"Alice Agent (#{team.alice})", "", "Needs the authoring specialist")
    with pytest.raises(WorkflowError, match="already in the Unassigned queue"):
        services.cases.hand_back(team.alice, case_id)
    services.cases.take_case(team.bob, case_id)
    assert services.cases.hand_back(team.supervisor, case_id).assignee_id is None


def test_agents_still_cannot_reassign_a_colleagues_case_to_someone_else(services, team):
    case_id = unassigned_case(services, team)
    services.cases.take_case(team.alice, case_id)
    with pytest.raises(PermissionDenied, match="reassign another member's case"):
        services.cases.reassign(team.bob, case_id, team.bob, reason="mine now")


def test_guarded_actions_are_registered():
    assert {"manage_categories", "reassign_others_case", "hand_back_others_case"} <= set(ACTIONS)


def test_presence_shows_other_workstations_until_they_leave_or_go_quiet(services, team, clock):
    case_id = unassigned_case(services, team)
    other = services.cases.log_case(team.alice, subject="Other", channel="email", new_contact=caller()).id
    presence = services.presence
    assert presence.beat_and_look(team.alice, "WS-ALICE", case_id) == []
    clock.advance(timedelta(seconds=5))
    seen = presence.beat_and_look(team.bob, "WS-BOB", case_id)
    assert [(v.member_name, v.workstation) for v in seen] == [("Alice Agent", "WS-ALICE")]
    # Alice on a second workstation is listed for her first one too.
    presence.heartbeat(team.alice, "WS-LAPTOP", case_id)
    seen = presence.viewers(case_id, member_id=team.alice, workstation="WS-ALICE")
    assert [(v.member_name, v.workstation) for v in seen] == [("Bob Agent", "WS-BOB"), ("Alice Agent", "WS-LAPTOP")]

    # Bob moves on to another case: he no longer shows on the first.
    presence.heartbeat(team.bob, "WS-BOB", other)
    assert [v.workstation for v in presence.viewers(case_id, member_id=team.alice, workstation="WS-ALICE")] == [
        "WS-LAPTOP"]
    presence.leave(team.alice, "WS-LAPTOP")
    assert presence.viewers(case_id, member_id=team.bob, workstation="WS-BOB")[0].workstation == "WS-ALICE"

    # A workstation that stops beating (crash, sleep) drops out after 90 s.
    clock.advance(timedelta(seconds=91))
    assert presence.viewers(case_id, member_id=team.bob, workstation="WS-BOB") == []
    presence.heartbeat(team.alice, "WS-ALICE", None)
    assert presence.beat_and_look(team.bob, "WS-BOB", case_id) == []
    with pytest.raises(ValidationError):
        presence.heartbeat(team.bob, " ", case_id)
