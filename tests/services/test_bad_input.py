"""Fuzzed input gets one answer on SQLite and PostgreSQL: a ValidationError naming the field
and nothing written (NUL characters, lengths the columns enforce, instants a desk cannot
mean), client names unique in every script, and a race-free find-or-create of callers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest

from desktop_helpdesk.services.case_queries import CaseFilter, CaseQueries, Queue
from desktop_helpdesk.services.contacts import NewClient, NewContact
from desktop_helpdesk.services.errors import NotFoundError, ValidationError
from desktop_helpdesk.storage.db import database
from desktop_helpdesk.storage.records import ClientRecord, ContactRecord
from tests.services.conftest import caller, table_counts

pytestmark = pytest.mark.usefixtures("engine")

NUL = "before\x00after"


def refused(call) -> ValidationError:
    """The ValidationError ``call`` raises, after checking it wrote nothing."""
    before = table_counts()
    with pytest.raises(ValidationError) as error:
        call()
    assert table_counts() == before
    return error.value


def log(services, actor, **overrides):
    values = {"subject": "Course player shows a blank page", "channel": "email", "new_contact": caller()}
    values.update(overrides)
    return services.cases.log_case(actor, **values)


def test_nul_characters_are_refused_naming_the_field(services, team):
    case = log(services, team.alice)
    client = services.contacts.create_client(team.admin, NewClient("Beta Corp"))
    cases, contacts = services.cases, services.contacts
    attempts = {
        "subject": lambda: log(services, team.alice, subject=NUL),
        "description": lambda: log(services, team.alice, description=NUL),
        "contact_name": lambda: log(services, team.alice, new_contact=caller(name=NUL)),
        "email": lambda: log(services, team.alice, new_contact=caller(email="a\x00@b.example")),
        "phone": lambda: contacts.create_contact(team.admin, client.id, "Dee", phone="902\x00555"),
        "client": lambda: log(services, team.alice, new_contact=caller(client_name=NUL)),
        "account_manager": lambda: contacts.create_client(team.admin, NewClient("Gamma", account_manager=NUL)),
        "summary": lambda: cases.add_interaction(team.alice, case.id, channel="phone", direction="outbound",
                                                 summary=NUL),
        "reason": lambda: cases.change_priority(team.alice, case.id, "high", reason=NUL),
        "target_name": lambda: cases.escalate(team.alice, case.id, target_kind="internal_department",
                                              target_name=NUL, reason="Needs IT"),
        "display_name": lambda: services.team.update_member(team.admin, team.alice, display_name=NUL),
        "query": lambda: contacts.find_contacts(NUL),
        "username": lambda: services.team.find_member(NUL),
        "search": lambda: CaseQueries(services.context).ids(CaseFilter(Queue.ALL_OPEN, search=NUL)),
    }
    for field, attempt in attempts.items():
        error = refused(attempt)
        assert (error.field, error.message) == (field, "contains a NUL character (\\x00), which cannot be stored")


def test_lengths_the_database_enforces_are_checked_first(services, team):
    case = log(services, team.alice)
    contacts = services.contacts
    client = contacts.create_client(team.admin, NewClient("Beta Corp"))
    error = refused(lambda: contacts.create_contact(team.admin, client.id, "Dee", phone="1" * 33))
    assert (error.field, error.message) == ("phone", "at most 32 digits")
    error = refused(lambda: contacts.create_contact(team.admin, client.id, "Dee", phone="902 " + "-" * 61))
    assert (error.field, error.message) == ("phone", "at most 64 characters")
    error = refused(lambda: contacts.create_client(team.admin, NewClient("Gamma", account_manager="M" * 129)))
    assert (error.field, error.message) == ("account_manager", "at most 128 characters")
    error = refused(lambda: contacts.create_client(team.admin, NewClient("G" * 201)))
    assert (error.field, error.message) == ("client", "at most 200 characters")
    error = refused(lambda: log(services, team.alice, subject="S" * 301))
    assert (error.field, error.message) == ("subject", "at most 300 characters")
    for seconds in (2**31, 2**63, -1, True, 1.5):
        error = refused(lambda s=seconds: services.cases.add_interaction(
            team.alice, case.id, channel="phone", direction="outbound", summary="Call", duration_seconds=s))
        assert (error.field, error.message) == ("duration_seconds", "must be a whole number from 0 to 2,147,483,647")
    # The largest number the column holds on both engines is stored and read back.
    logged = services.cases.add_interaction(team.alice, case.id, channel="phone", direction="outbound",
                                            summary="A very long call", duration_seconds=2**31 - 1)
    assert logged.case.id == case.id
    # Exactly at the limits is accepted.
    contacts.create_contact(team.admin, client.id, "Dee", phone="1" * 32)
    contacts.create_client(team.admin, NewClient("M" * 200, account_manager="M" * 128))


def test_instants_are_accepted_only_where_a_desk_can_mean_them(services, team, clock):
    for received, message in (
        (datetime(999, 6, 1, 12, 0, tzinfo=UTC), "cannot be before the year 2000"),
        (datetime(1, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=5))), "cannot be before the year 2000"),
        (datetime(1999, 12, 31, 23, 59, tzinfo=UTC), "cannot be before the year 2000"),
        (clock.now() + timedelta(minutes=3), "cannot be in the future"),
        (datetime(2026, 11, 25, 9, 0), "must carry a time zone"),
    ):
        error = refused(lambda r=received: log(services, team.alice, received_at=r))
        assert (error.field, error.message) == ("received_at", message)
    case = log(services, team.alice)
    error = refused(lambda: services.cases.escalate(
        team.alice, case.id, target_kind="internal_department", target_name="IT", reason="Server",
        expected_reply_at=clock.now() + timedelta(days=400)))
    assert (error.field, error.message) == ("expected_reply_at", "cannot be more than 366 days ahead")
    # The first instant of 2000 and a little clock drift are fine, and read back exactly.
    earliest = datetime(2000, 1, 1, tzinfo=UTC)
    assert services.cases.get_case(log(services, team.alice, received_at=earliest).id).received_at == earliest
    drift = clock.now() + timedelta(minutes=1, microseconds=7)
    assert services.cases.get_case(log(services, team.alice, received_at=drift).id).received_at == drift


def test_client_names_are_unique_in_every_script(services, team):
    ecole = services.contacts.create_client(team.admin, NewClient("École Nord"))
    for twin in ("école nord", "ÉCOLE  NORD", "E\u0301cole Nord"):
        error = refused(lambda t=twin: services.contacts.create_client(team.admin, NewClient(t)))
        assert (error.field, error.message) == ("client", f"a client named {twin!r} already exists")
    # A new caller naming the same organisation in another case joins it instead of failing.
    logged = log(services, team.alice, new_contact=caller(client_name="éCOLE NORD", phone="", email="x@ecole.example"))
    assert logged.client_id == ecole.id
    services.contacts.create_client(team.admin, NewClient("Ê"))
    assert refused(lambda: services.contacts.create_client(team.admin, NewClient("ê"))).field == "client"
    assert [c.name for c in ClientRecord.select().order_by(ClientRecord.id)] == ["École Nord", "Ê"]


def _at_the_same_moment(workers: int, work) -> list:
    """Runs ``work(index)`` on ``workers`` threads released together (each with its own
    connection, like separate workstations); returns results or the exceptions raised."""
    barrier = threading.Barrier(workers)
    results: list = [None] * workers

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001 - the test inspects it
            results[index] = error
        finally:
            database.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_workstations_logging_the_same_new_caller_get_one_client_and_one_contact(services, team):
    for round_ in range(4):
        newcomer = NewContact(name=f"Nora {round_}", phone=f"+1 902 555 01{round_:02d}",
                              email=f"nora{round_}@delta.example", client_name=f"Délta Óne {round_}")
        results = _at_the_same_moment(3, lambda i, n=newcomer: log(
            services, [team.alice, team.bob, team.admin][i], subject=f"Call {i}", new_contact=n))
        assert not [r for r in results if isinstance(r, Exception)], results
        assert len({r.contact_id for r in results}) == 1
        assert len({r.client_id for r in results}) == 1
    assert ClientRecord.select().where(ClientRecord.name.startswith("Délta")).count() == 4
    assert ContactRecord.select().where(ContactRecord.name.startswith("Nora")).count() == 4


def test_two_workstations_creating_the_same_client_get_one_and_a_clear_refusal(services, team):
    results = _at_the_same_moment(3, lambda i: services.contacts.create_client(
        team.admin, NewClient(["Zeta Ünion", "zeta ünion", "ZETA ÜNION"][i])))
    created = [r for r in results if not isinstance(r, Exception)]
    refusals = [r for r in results if isinstance(r, Exception)]
    assert len(created) == 1
    assert all(isinstance(r, ValidationError) and r.field == "client" for r in refusals), refusals
    assert ClientRecord.select().where(ClientRecord.name_key == "zeta ünion").count() == 1


def test_a_missing_record_is_named_with_its_id(services, team):
    # One lookup (services.errors.existing) answers for every kind of record.
    with pytest.raises(NotFoundError, match="^No client with id 999999$"):
        services.abroad.client_place(999999)
    with pytest.raises(NotFoundError, match="^No contact with id 999999$"):
        services.contact_editing.details(999999)
    before = table_counts()
    with pytest.raises(NotFoundError, match="^No client with id 999999$"):
        services.abroad.set_client_place(team.admin, 999999, country="DE")
    assert table_counts() == before
