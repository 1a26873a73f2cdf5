"""Editing contacts: details and further numbers, move, deactivate, merge duplicates; audited."""

from __future__ import annotations

import pytest

from desktop_helpdesk.services.contacts import NewClient
from desktop_helpdesk.services.errors import PermissionDenied, ValidationError
from desktop_helpdesk.storage.records import AuditRecord, CaseRecord, ContactRecord
from tests.services.conftest import caller, table_counts

pytestmark = pytest.mark.usefixtures("engine")


def contact_audit(contact_id):
    return [(r.action, r.field, r.before, r.after) for r in AuditRecord.select().where(
        AuditRecord.entity == "contact", AuditRecord.entity_id == contact_id).order_by(AuditRecord.id)]


def test_edit_details_and_further_numbers_found_at_intake(services, team):
    logged = services.cases.log_case(team.alice, subject="x", channel="phone", new_contact=caller())
    contact_id = logged.contact_id
    edited = services.contact_editing.update_contact(
        team.alice, contact_id, name="Carol Client-Smith", email="carol@acme.example", phone="902 555 0142",
        other_emails=["c.smith@acme.example", "CAROL@acme.example"], other_phones=["(902) 555-0199 x2"],
        notes="Prefers email after 3 pm")
    assert edited.name == "Carol Client-Smith"
    assert edited.other_emails == ("c.smith@acme.example",)  # the main address is not repeated
    assert edited.other_phones == ("(902) 555-0199 x2",)
    assert edited.notes == "Prefers email after 3 pm"
    fields = [f for _a, f, _b, _c in contact_audit(contact_id)]
    assert {"name", "notes", "other_emails", "other_phones"} <= set(fields)
    # Look-ups and intake find the contact by a further number or address.
    assert [m.contact_id for m in services.contacts.find_contacts("c.smith@acme.example")] == [contact_id]
    assert [m.contact_id for m in services.contacts.find_contacts("902 555 01992")] == [contact_id]
    again = services.cases.log_case(team.alice, subject="y", channel="email",
                                    new_contact=caller(name="C Smith", email="c.smith@acme.example", phone=""))
    assert again.contact_id == contact_id
    before = table_counts()
    with pytest.raises(ValidationError) as bad:
        services.contact_editing.update_contact(team.alice, contact_id, name="Carol", other_emails=["nope"])
    assert bad.value.field == "email"
    assert table_counts() == before


def test_deactivate_keeps_history_and_hides_from_intake(services, team):
    logged = services.cases.log_case(team.alice, subject="x", channel="phone", new_contact=caller())
    services.contact_editing.set_active(team.alice, logged.contact_id, False, reason="Left the company")
    assert services.contacts.find_contacts("Carol") == []
    assert services.cases.get_case(logged.id).contact_name == "Carol Client"
    assert contact_audit(logged.contact_id)[-1] == ("contact_deactivated", "active", "yes", "no")
    assert services.contact_editing.set_active(team.alice, logged.contact_id, True).active


def test_move_needs_a_supervisor_and_keeps_old_cases_with_their_client(services, team):
    logged = services.cases.log_case(team.alice, subject="x", channel="phone", new_contact=caller())
    other = services.contacts.create_client(team.admin, NewClient("Bluenose College"))
    with pytest.raises(PermissionDenied, match="move a contact"):
        services.contact_editing.move_contact(team.alice, logged.contact_id, other.id, reason="new job")
    moved = services.contact_editing.move_contact(team.supervisor, logged.contact_id, other.id, reason="New job")
    assert moved.client_name == "Bluenose College"
    assert CaseRecord.get_by_id(logged.id).client_id == logged.client_id
    assert contact_audit(logged.contact_id)[-1][:2] == ("contact_moved", "client")


def test_merge_duplicates_moves_cases_and_addresses(services, team):
    first = services.cases.log_case(team.alice, subject="a", channel="phone", new_contact=caller())
    dup = services.contacts.create_contact(team.alice, first.client_id, "Carol C.", email="carol.c@acme.example",
                                           phone="902 555 0177")
    second = services.cases.log_case(team.alice, subject="b", channel="email", contact_id=dup.contact_id)
    with pytest.raises(PermissionDenied, match="merge contacts"):
        services.contact_editing.merge_contacts(team.bob, dup.contact_id, first.contact_id, reason="same")
    merged = services.contact_editing.merge_contacts(team.supervisor, dup.contact_id, first.contact_id,
                                                     reason="Same person")
    assert merged.other_emails == ("carol.c@acme.example",) and merged.other_phones == ("902 555 0177",)
    assert merged.cases == 2
    assert CaseRecord.get_by_id(second.id).contact_id == first.contact_id
    assert not ContactRecord.get_by_id(dup.contact_id).active
    trail = [e for e in services.cases.audit_trail(second.id) if e.field == "contact"]
    assert trail[-1].after == f"Carol Client (#{first.contact_id})"
    other = services.contacts.create_client(team.admin, NewClient("Other Co"))
    stranger = services.contacts.create_contact(team.alice, other.id, "Stan")
    with pytest.raises(ValidationError, match="same client"):
        services.contact_editing.merge_contacts(team.supervisor, stranger.contact_id, first.contact_id, reason="x")


def test_change_a_cases_contact_within_its_client(services, team):
    logged = services.cases.log_case(team.alice, subject="a", channel="phone", new_contact=caller())
    colleague = services.contacts.create_contact(team.alice, logged.client_id, "Dave Client")
    detail = services.cases.get_case(logged.id)
    changed = services.cases.edit_case(team.alice, logged.id, expected_version=detail.version,
                                       contact_id=colleague.contact_id)
    assert changed.contact_name == "Dave Client"


def test_edit_a_client_supervisors_only_audited(services, team):
    client = services.contacts.create_client(team.admin, NewClient("Acme Learning"))
    services.contacts.create_client(team.admin, NewClient("Bluenose College"))
    with pytest.raises(PermissionDenied, match="edit client organisations"):
        services.contact_editing.update_client(team.alice, client.id, name="Acme")
    with pytest.raises(ValidationError) as taken:
        services.contact_editing.update_client(team.admin, client.id, name="bluenose college")
    assert taken.value.field == "client"
    before = table_counts()
    with pytest.raises(ValidationError) as bad_place:
        services.contact_editing.save_client(team.admin, client.id, name="Acme Learning Ltd", country="XX")
    assert bad_place.value.field == "country"
    assert table_counts() == before  # the name did not change either
    services.contact_editing.save_client(team.supervisor, client.id, name="Acme Learning Ltd",
                                         account_manager="Avery", notes="Key account", country="GB",
                                         time_zone="Europe/London")
    listed = {c.name: c for c in services.contacts.list_clients()}["Acme Learning Ltd"]
    assert (listed.account_manager, listed.notes, listed.country) == ("Avery", "Key account", "GB")
    fields = [r.field for r in AuditRecord.select().where(AuditRecord.entity == "client",
                                                          AuditRecord.action == "client_updated")]
    assert {"name", "account_manager", "notes", "country", "time_zone"} <= set(fields)
