"""Calls at the desk: matching by phone digits, caller history, adding a call to an open case,
missed-call notes and timed outbound calls, on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest

from desktop_helpdesk.domain.phone_calls import new_call
from desktop_helpdesk.services.errors import (
    NotFoundError,
    PermissionDenied,
    ValidationError,
    WorkflowError,
)
from desktop_helpdesk.storage.records import AuditRecord, InteractionRecord, PhoneCallRecord
from tests.services.conftest import caller, table_counts

pytestmark = pytest.mark.usefixtures("engine")


def _case(services, actor, subject, **contact):
    return services.cases.log_case(actor, subject=subject, channel="email", new_contact=caller(**contact))


def test_caller_matched_by_digits_in_any_format_with_extension_ignored(services, team):
    _case(services, team.alice, "Login fails", phone="+1 (902) 955-6611")
    _case(services, team.alice, "Other", name="Otto", email="otto@x.example", phone="902 555 0000",
          client_name="Other Co")
    for typed in ("+1 (902) 955-6611", "9029556611", "1-902-955-6611 x204", "902.955.6611;ext=3"):
        assert [m.name for m in services.calls.match_caller(typed)] == ["Carol Client"], typed
    assert services.calls.match_caller("+1 (902) 111-2222") == []
    assert services.calls.match_caller("12") == []


def test_history_lists_the_clients_open_cases_callers_own_first(services, team, clock):
    mine = _case(services, team.alice, "Certificates blank")
    colleague = _case(services, team.alice, "Course import", name="Pat Peer", email="pat@acme.example",
                      phone="902 555 7777")
    done = _case(services, team.alice, "Old thing")
    services.cases.resolve(team.alice, done.id, summary="Fixed", told_via="email")
    _case(services, team.alice, "Elsewhere", name="Zed", email="z@z.example", phone="902 555 1234",
          client_name="Zed Corp")
    history = services.calls.caller_history(mine.contact_id)
    assert history.client_name == "Acme Learning"
    assert [c.number for c in history.open_cases] == [mine.number, colleague.number]
    first = history.open_cases[0]
    assert (first.subject, first.status, first.contact_name) == ("Certificates blank", "new", "Carol Client")
    assert first.assignee_name in ("Alice Agent", "Bob Agent")
    assert first.next_due_at is not None
    with pytest.raises(NotFoundError):
        services.calls.caller_history(99_999)


def test_call_added_to_an_open_case_is_an_inbound_phone_interaction_with_its_duration(services, team, clock):
    case = _case(services, team.alice, "Login fails")
    rang = clock.now()
    clock.advance(timedelta(minutes=4, seconds=30))
    logged = services.calls.add_call_to_case(team.bob, case.id, summary="Still failing after reset",
                                             rang_at=rang)
    row = InteractionRecord.get_by_id(logged.interaction_id)
    assert (row.channel, row.direction, row.duration_seconds) == ("phone", "inbound", 270)
    assert row.occurred_at == rang
    assert row.author_id == team.bob
    # A live call answered by a person acknowledges and responds.
    assert set(logged.satisfied) == {"acknowledge", "respond"}
    assert logged.case.status == "in_progress"
    assert AuditRecord.select().where(AuditRecord.case == case.id, AuditRecord.action == "interaction").exists()


def test_adding_a_call_refuses_closed_cases_empty_summary_and_future_rings(services, team, clock):
    case = _case(services, team.alice, "Login fails")
    services.cases.resolve(team.alice, case.id, summary="Fixed", told_via="email")
    before = table_counts()
    with pytest.raises(WorkflowError, match="no longer open"):
        services.calls.add_call_to_case(team.bob, case.id, summary="again", rang_at=clock.now())
    with pytest.raises(ValidationError) as error:
        services.calls.add_call_to_case(team.bob, case.id, summary="  ", rang_at=clock.now())
    assert error.value.field == "summary"
    with pytest.raises(ValidationError) as error:
        services.calls.add_call_to_case(team.bob, case.id, summary="x", rang_at=clock.now() + timedelta(1))
    assert error.value.field == "rang_at"
    assert table_counts() == before


def test_missed_call_note_is_kept_audited_and_turned_into_a_case(services, team, clock):
    case = _case(services, team.alice, "Login fails")
    call = new_call("+1 (902) 555-0142 x9", rang_at=clock.now(), name="CAROL C", line="Support",
                    call_id="pbx-1")
    clock.advance(timedelta(seconds=40))
    note = services.calls.record_missed_call(team.alice, call, contact_id=case.contact_id)
    assert (note.state, note.number, note.contact_name, note.client_name) == (
        "missed", "+1 (902) 555-0142 x9", "Carol Client", "Acme Learning")
    assert note.who == "Carol Client (+1 (902) 555-0142 x9)"
    assert note.started_at == call.rang_at
    assert [n.id for n in services.calls.missed_calls()] == [note.id]
    audit = AuditRecord.get(AuditRecord.entity == "phone_call", AuditRecord.entity_id == note.id)
    assert (audit.action, audit.actor_id) == ("missed_call", team.alice)

    taken = services.calls.take_missed_call(team.bob, note.id, case.id)
    assert (taken.state, taken.case_number) == ("taken", case.number)
    assert services.calls.missed_calls() == []
    with pytest.raises(WorkflowError, match="already dealt with"):
        services.calls.dismiss_missed_call(team.bob, note.id)


def test_missed_call_dismissed_or_answered_by_adding_the_call_back(services, team, clock):
    case = _case(services, team.alice, "Login fails")
    first = services.calls.record_missed_call(team.alice, new_call("9025550142", rang_at=clock.now()))
    second = services.calls.record_missed_call(team.alice, new_call("9025559999", rang_at=clock.now()))
    assert services.calls.dismiss_missed_call(team.bob, second.id, "wrong number").state == "dismissed"
    services.calls.add_call_to_case(team.bob, case.id, summary="Called back", rang_at=clock.now(),
                                    missed_call_id=first.id)
    assert services.calls.get_call(first.id).case_id == case.id
    assert services.calls.missed_calls() == []


def test_outbound_call_logs_its_duration_when_ended(services, team, clock):
    case = _case(services, team.alice, "Login fails")
    dialled_at = clock.now()
    call = services.calls.start_outbound_call(team.alice, case.id, "+1 (902) 555-0142")
    assert (call.state, call.case_number, call.started_at) == ("in_progress", case.number, dialled_at)
    assert [c.id for c in services.calls.calls_in_progress(team.alice)] == [call.id]
    assert services.calls.calls_in_progress(team.bob) == []
    clock.advance(timedelta(minutes=7, seconds=5))
    with pytest.raises(PermissionDenied):
        services.calls.end_outbound_call(team.bob, call.id, summary="not mine")
    with pytest.raises(ValidationError):
        services.calls.end_outbound_call(team.alice, call.id, summary="")
    logged = services.calls.end_outbound_call(team.alice, call.id, summary="Walked through the reset")
    row = InteractionRecord.get_by_id(logged.interaction_id)
    assert (row.channel, row.direction, row.duration_seconds, row.occurred_at) == (
        "phone", "outbound", 425, dialled_at)
    assert "respond" in logged.satisfied
    ended = PhoneCallRecord.get_by_id(call.id)
    assert (ended.state, ended.interaction_id, ended.ended_at) == ("logged", row.id, clock.now())
    actions = [a.action for a in AuditRecord.select().where(AuditRecord.entity == "phone_call",
                                                             AuditRecord.entity_id == call.id)]
    assert actions == ["dialled", "call_ended"]
    with pytest.raises(WorkflowError, match="already ended"):
        services.calls.end_outbound_call(team.alice, call.id, summary="again")


def test_outbound_call_nobody_answered_logs_nothing_on_the_case(services, team, clock):
    case = _case(services, team.alice, "Login fails")
    call = services.calls.start_outbound_call(team.alice, case.id, "902 555 0142")
    interactions = InteractionRecord.select().count()
    assert services.calls.cancel_outbound_call(team.alice, call.id).state == "cancelled"
    assert InteractionRecord.select().count() == interactions
    with pytest.raises(ValidationError) as error:
        services.calls.start_outbound_call(team.alice, case.id, "call me")
    assert error.value.field == "number"


def test_nul_and_oversized_input_is_refused_naming_the_field(services, team, clock):
    case = _case(services, team.alice, "Login fails")
    before = table_counts()
    for call, field in (
        (lambda: services.calls.add_call_to_case(team.bob, case.id, summary="a\x00b", rang_at=clock.now()),
         "summary"),
        (lambda: services.calls.add_call_to_case(team.bob, case.id, summary="x" * 20_001,
                                                 rang_at=clock.now()), "summary"),
        (lambda: services.calls.start_outbound_call(team.bob, case.id, "902\x00555"), "number"),
        (lambda: services.calls.start_outbound_call(team.bob, case.id, "9" * 65), "number"),
    ):
        with pytest.raises(ValidationError) as error:
            call()
        assert error.value.field == field
    assert table_counts() == before
