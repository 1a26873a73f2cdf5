"""Logging cases: intake channels, numbering, contacts, priority mapping, validation, search."""

from datetime import UTC, timedelta

import pytest

from desktop_helpdesk.domain.sla import ClockState
from desktop_helpdesk.services import search
from desktop_helpdesk.services.contacts import NewClient, NewContact
from desktop_helpdesk.services.errors import NotFoundError, PermissionDenied, ValidationError
from desktop_helpdesk.storage.records import (
    AuditRecord,
    CaseRecord,
    ClientRecord,
    ContactRecord,
    CrmOutboxRecord,
    InteractionRecord,
)
from tests.conftest import halifax
from tests.services.conftest import caller, table_counts

pytestmark = pytest.mark.usefixtures("engine")


def log(services, actor, **overrides):
    values = {"subject": "Course player shows a blank page", "channel": "email",
              "requested_priority": "medium", "new_contact": caller()}
    values.update(overrides)
    return services.cases.log_case(actor, **values)


def test_email_case_is_acknowledged_within_two_business_hours_of_receipt(services, team, clock):
    # Received Tuesday 15:45, typed in Wednesday 09:00 (clock): due instants count from receipt.
    received = halifax(2026, 11, 24, 15, 45)
    logged = log(services, team.alice, received_at=received)
    case = services.cases.get_case(logged.id)
    assert case.status == "new"
    assert case.received_at == received
    assert case.logged_at == halifax(2026, 11, 25, 9, 0)
    assert case.row.acknowledged_at is None
    # 0:45 on Tuesday then 1:15 on Wednesday.
    assert case.row.acknowledge_due_at == halifax(2026, 11, 25, 9, 15)
    # Medium respond 8.5 h: 0:45 Tuesday + 7:45 Wednesday -> Wed 15:45.
    assert case.row.respond_due_at == halifax(2026, 11, 25, 15, 45)
    # Medium resolve 25.5 h = 3 business days -> Friday 15:45.
    assert case.row.resolve_due_at == halifax(2026, 11, 27, 15, 45)
    assert case.row.next_due_at == case.row.acknowledge_due_at
    # At 09:00 1:45 of the 2 h are used (87 %): due soon.
    assert case.acknowledge_clock.state is ClockState.DUE_SOON
    assert case.acknowledge_clock.remaining == timedelta(minutes=15)


def test_acknowledgement_email_meets_only_the_acknowledge_target(services, team, clock):
    logged = log(services, team.alice, received_at=halifax(2026, 11, 25, 8, 30))
    clock.set(halifax(2026, 11, 25, 9, 10))
    result = services.cases.add_interaction(
        team.alice, logged.id, channel="email", direction="outbound",
        summary="We have your request and are looking into it.", acknowledgement_only=True)
    assert result.satisfied == ("acknowledge",)
    assert result.case.status == "acknowledged"
    assert result.case.row.acknowledged_at == halifax(2026, 11, 25, 9, 10)
    assert result.case.row.responded_at is None
    assert result.case.row.next_due_at == result.case.row.respond_due_at
    # An inbound email from the client meets nothing; a later call is the first response.
    clock.set(halifax(2026, 11, 25, 10, 0))
    inbound = services.cases.add_interaction(team.alice, logged.id, channel="email", direction="inbound",
                                             summary="Here is a screenshot")
    assert inbound.satisfied == ()
    clock.set(halifax(2026, 11, 25, 10, 30))
    call = services.cases.add_interaction(team.alice, logged.id, channel="skype", direction="outbound",
                                          summary="Screen share", duration_seconds=1200)
    assert call.satisfied == ("respond",)
    assert call.case.status == "in_progress"
    stored = InteractionRecord.get_by_id(call.interaction_id)
    assert (stored.channel, stored.duration_seconds, stored.author_id, stored.satisfies) == (
        "skype", 1200, team.alice, "respond")


def test_case_numbers_are_sequential_per_halifax_year(services, team, clock):
    clock.set(halifax(2026, 12, 31, 19, 0))  # 23:00 UTC, still 2026 in Halifax
    first = log(services, team.alice, received_at=clock.now())
    second = log(services, team.alice, received_at=clock.now())
    clock.set(halifax(2027, 1, 1, 0, 5))
    third = log(services, team.alice, received_at=clock.now())
    assert [first.number, second.number, third.number] == ["2026-00001", "2026-00002", "2027-00001"]


def test_low_priority_is_served_as_medium_and_the_mapping_is_audited(services, team):
    logged = log(services, team.alice, requested_priority="Low")
    case = services.cases.get_case(logged.id)
    assert (case.requested_priority, case.effective_priority) == ("low", "medium")
    row = AuditRecord.get(AuditRecord.case == logged.id, AuditRecord.field == "effective_priority")
    assert (row.before, row.after) == ("low", "medium")
    assert "Low" in row.reason


def test_existing_contact_is_found_by_phone_digits_or_email_in_any_form(services, team):
    first = log(services, team.alice)
    by_phone = log(services, team.alice, new_contact=caller(name="Carol C.", email="", phone="902.555.0142 "))
    by_email = log(services, team.alice, new_contact=caller(phone="", email="CAROL@Acme.Example"))
    assert first.contact_id == by_phone.contact_id == by_email.contact_id
    assert ContactRecord.select().count() == 1
    assert ClientRecord.select().count() == 1
    assert [m.contact_id for m in services.contacts.find_contacts("(902) 555-0142")] == [first.contact_id]
    assert [m.matched_on for m in services.contacts.find_contacts("carol@ACME.example")] == ["email"]
    assert [m.name for m in services.contacts.find_contacts("car")] == ["Carol Client"]
    assert [m.name for m in services.contacts.find_contacts("cli")] == ["Carol Client"]  # word prefix
    assert services.contacts.find_contacts("zed") == []


def test_new_contact_joins_an_existing_client_by_name_or_creates_it(services, team):
    acme = services.contacts.create_client(team.supervisor, NewClient("Acme Learning", account_manager="Ann Manager"))
    joined = log(services, team.alice, new_contact=caller(client_name="acme learning"))
    assert joined.client_id == acme.id
    created = log(services, team.alice, new_contact=NewContact("Dan", phone="902 555 7777",
                                                               client_name="Bluenose College"))
    assert ClientRecord.get_by_id(created.client_id).name == "Bluenose College"
    assert [c.name for c in services.contacts.list_clients()] == ["Acme Learning", "Bluenose College"]
    assert {c.name: c.open_cases for c in services.contacts.list_clients()} == {
        "Acme Learning": 1, "Bluenose College": 1}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"subject": "   "}, "subject"),
        ({"description": "x" * 100_001}, "description"),
        ({"channel": "fax"}, "channel"),
        ({"requested_priority": "urgent"}, "requested_priority"),
        ({"new_contact": caller(email="carol@")}, "email"),
        ({"new_contact": caller(phone="call reception")}, "phone"),
        ({"new_contact": caller(name="")}, "contact_name"),
        ({"new_contact": caller(client_name="")}, "client"),
        ({"new_contact": None}, "contact"),
        ({"received_at": halifax(2026, 11, 25, 12, 0)}, "received_at"),  # in the future
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(services, team, overrides, field):
    log(services, team.alice)
    before = table_counts()
    with pytest.raises(ValidationError) as error:
        log(services, team.alice, **overrides)
    assert error.value.field == field
    assert table_counts() == before


def test_failure_inside_the_transaction_rolls_everything_back(services, team):
    log(services, team.alice)
    before = table_counts()
    # The contact is created and the number taken before the missing client is noticed.
    with pytest.raises(ValidationError) as error:
        log(services, team.alice, new_contact=NewContact("Eve", email="eve@x.example", client_id=999))
    assert error.value.field == "client"
    assert table_counts() == before
    assert log(services, team.alice).number == "2026-00002"  # the number was not burnt


def test_unknown_actor_or_contact_is_refused(services, team):
    with pytest.raises(PermissionDenied):
        log(services, 999)
    with pytest.raises(NotFoundError):
        log(services, team.alice, new_contact=None, contact_id=999)
    services.team.update_member(team.admin, team.bob, active=False)
    with pytest.raises(PermissionDenied, match="deactivated"):
        log(services, team.bob)


def test_logging_indexes_the_case_and_queues_a_crm_event(services, team):
    logged = log(services, team.alice, subject="Quiz engine exports wrong totals",
                 description="The gradebook export doubles every score")
    assert search.search_case_ids("gradebook doub") == [logged.id]
    assert search.search_case_ids("quiz") == [logged.id]
    assert search.search_case_ids("missing") == []
    event = CrmOutboxRecord.get(CrmOutboxRecord.case == logged.id)
    assert event.event == "case_logged"
    assert '"case_number": "2026-00001"' in event.payload
    assert event.sent_at is None
    first = InteractionRecord.get(InteractionRecord.case == logged.id)
    assert (first.direction, first.channel, first.satisfies) == ("inbound", "email", "")


def test_phone_message_not_taken_live_waits_for_acknowledgement(services, team, clock):
    logged = log(services, team.alice, channel="phone", live_call=False, received_at=clock.now())
    case = services.cases.get_case(logged.id)
    assert case.status == "new" and case.row.acknowledged_at is None
    assert case.row.acknowledge_due_at == halifax(2026, 11, 25, 11, 0)


def test_live_teams_call_is_acknowledged_on_the_spot_and_a_teams_chat_is_not(services, team, clock):
    call = services.cases.get_case(log(services, team.alice, channel="teams").id)
    assert (call.channel, call.status, call.row.acknowledged_at) == ("teams", "acknowledged", clock.now())
    first = InteractionRecord.get(InteractionRecord.case == call.id)
    assert (first.channel, first.satisfies) == ("teams", "acknowledge")
    chat = services.cases.get_case(log(services, team.alice, channel="teams", live_call=False).id)
    assert chat.status == "new" and chat.row.acknowledged_at is None
    assert chat.row.acknowledge_due_at == halifax(2026, 11, 25, 11, 0)


def test_updated_at_and_version_move_on_every_change(services, team, clock):
    logged = log(services, team.alice)
    row = CaseRecord.get_by_id(logged.id)
    assert (row.version, row.updated_at) == (1, clock.now())
    clock.advance(timedelta(minutes=5))
    case = services.cases.edit_case(team.alice, logged.id, expected_version=1, description="More detail")
    assert case.version == 2
    assert case.updated_at == clock.now().astimezone(UTC)
    assert search.search_case_ids("detail") == [logged.id]


def test_edit_case_moves_between_contacts_of_the_same_client_only(services, team):
    logged = log(services, team.alice)
    colleague = services.contacts.create_contact(team.alice, logged.client_id, "Dave Colleague",
                                                 email="dave@acme.example")
    other = services.contacts.create_client(team.alice, NewClient("Other Org"))
    stranger = services.contacts.create_contact(team.alice, other.id, "Stranger")
    with pytest.raises(ValidationError) as error:
        services.cases.edit_case(team.alice, logged.id, expected_version=1, contact_id=stranger.contact_id)
    assert error.value.field == "contact"
    detail = services.cases.edit_case(team.alice, logged.id, expected_version=1,
                                      contact_id=colleague.contact_id)
    assert detail.contact_name == "Dave Colleague"
    row = AuditRecord.get(AuditRecord.case == logged.id, AuditRecord.field == "contact",
                          AuditRecord.action == "update")
    assert (row.before, row.after) == (f"Carol Client (#{logged.contact_id})",
                                       f"Dave Colleague (#{colleague.contact_id})")
