"""Property, on SQLite and PostgreSQL: any input to a public service method that takes typed
values either succeeds and reads back exactly, or raises the project's own error (a
``ValidationError`` names one of the method's inputs) with the database unchanged.

A fixed, derandomised example budget (``EXAMPLES`` per method and engine) keeps the file at
about 45 s for both engines on a 2-core machine; raise it only with a measurement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_helpdesk.services.case_queries import CaseFilter, CaseQueries, Queue
from desktop_helpdesk.services.contacts import NewClient, NewContact
from desktop_helpdesk.services.errors import ServiceError, ValidationError
from desktop_helpdesk.storage.db import database
from tests.services.conftest import caller, table_counts

pytestmark = pytest.mark.usefixtures("engine")

EXAMPLES = 25

# Text as a fuzzer types it: any Unicode (NUL included), the characters that break engines
# and encodings, and lengths around the column limits.
TEXT = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=st.sampled_from(list("aZ É éÊêß\x00\t\n-+()@._0123456789'\"%\\")), max_size=40),
    st.text(alphabet="ab É", min_size=120, max_size=330),
    st.sampled_from(["", " ", "Acme", "école", "902 555 0142", "carol@acme.example", "1" * 33]),
)
EMAIL = st.one_of(TEXT, st.from_regex(r"[a-zé]{1,8}@[a-z]{1,8}\.example", fullmatch=True))
PHONE = st.one_of(TEXT, st.from_regex(r"\+?[0-9 ()-]{4,70}", fullmatch=True))
NUMBER = st.one_of(st.integers(-3, 100_000), st.sampled_from([2**31 - 1, 2**31, 2**63, -(2**31)]),
                   st.booleans(), st.floats(allow_nan=False, max_value=1e6, min_value=-1))
OFFSET = st.integers(-14 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))


def instants(now: datetime):
    """Instants from year 1 to 9999, naive ones, and ones close to now on either side."""
    return st.one_of(
        st.none(),
        st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                     timezones=st.one_of(st.none(), OFFSET)),
        st.timedeltas(min_value=timedelta(days=-40), max_value=timedelta(minutes=5)).map(lambda d: now + d),
    )


def fingerprint() -> tuple:
    """What a refused call must leave as it was: row counts and every case's version."""
    versions = database.execute_sql('SELECT coalesce(sum(version), 0), count(*) FROM "case"').fetchone()
    return tuple(sorted(table_counts().items())), tuple(versions)


@dataclass
class Desk:
    services: Any
    team: Any
    clock: Any
    client_id: int

    def fresh_case(self) -> int:
        return self.services.cases.log_case(self.team.alice, subject="Fuzz target", channel="email",
                                            new_contact=caller(phone="", email="")).id


@pytest.fixture
def desk(services, team, clock):
    client = services.contacts.create_client(team.admin, NewClient("Fuzz Client"))
    return Desk(services, team, clock, client.id)


def check(desk: Desk, call, inputs: set[str], read_back) -> None:
    """Run ``call``: on success ``read_back(result)`` must hold; on failure it must be our own
    error, a ``ValidationError`` must name one of ``inputs``, and nothing may have changed."""
    before = fingerprint()
    try:
        result = call()
    except ValidationError as error:
        assert error.field in inputs, f"{error.field!r} is not an input of this method: {error}"
        assert fingerprint() == before
        return
    except ServiceError:
        assert fingerprint() == before
        return
    read_back(result)


def _stored(value: str) -> str:
    return value.strip()


# ----------------------------------------------------------------------------- the methods

SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@SETTINGS
@given(data=st.data(), subject=TEXT, description=TEXT, channel=st.sampled_from(["phone", "email", "fax", "\x00"]),
       priority=st.sampled_from(["high", "medium", "low", "urgent"]), name=TEXT, email=EMAIL, phone=PHONE,
       client_name=TEXT)
def test_log_case(desk, data, subject, description, channel, priority, name, email, phone, client_name):
    received = data.draw(instants(desk.clock.now()))
    contact = NewContact(name=name, email=email, phone=phone, client_name=client_name)

    def read_back(logged):
        case = desk.services.cases.get_case(logged.id)
        assert (case.subject, case.description) == (_stored(subject), description)
        assert case.received_at == (received or desk.clock.now())
        stored = desk.services.contacts.get_contact(logged.contact_id)
        if stored.name == _stored(name):  # a new contact (else an existing one was matched)
            assert (stored.email, stored.phone) == (_stored(email), _stored(phone))

    check(desk, lambda: desk.services.cases.log_case(
        desk.team.alice, subject=subject, channel=channel, requested_priority=priority, description=description,
        received_at=received, new_contact=contact),
        {"subject", "description", "channel", "requested_priority", "received_at", "contact_name", "email",
         "phone", "client", "contact"}, read_back)


@SETTINGS
@given(name=TEXT, manager=TEXT, manager_email=EMAIL, phone=PHONE)
def test_create_client(desk, name, manager, manager_email, phone):
    def read_back(client):
        stored = next(c for c in desk.services.contacts.list_clients() if c.id == client.id)
        assert (stored.name, stored.account_manager, stored.account_manager_email, stored.phone) == (
            _stored(name), _stored(manager), _stored(manager_email), _stored(phone))

    check(desk, lambda: desk.services.contacts.create_client(
        desk.team.admin, NewClient(name, account_manager=manager, account_manager_email=manager_email, phone=phone)),
        {"client", "account_manager", "account_manager_email", "phone"}, read_back)


@SETTINGS
@given(name=TEXT, email=EMAIL, phone=PHONE)
def test_create_contact(desk, name, email, phone):
    def read_back(contact):
        stored = desk.services.contacts.get_contact(contact.contact_id)
        assert (stored.name, stored.email, stored.phone) == (_stored(name), _stored(email), _stored(phone))

    check(desk, lambda: desk.services.contacts.create_contact(desk.team.admin, desk.client_id, name,
                                                              email=email, phone=phone),
          {"contact_name", "email", "phone", "client"}, read_back)


@SETTINGS
@given(data=st.data(), summary=TEXT, duration=NUMBER,
       channel=st.sampled_from(["phone", "email", "skype", "note", "pigeon"]),
       direction=st.sampled_from(["inbound", "outbound", "internal", "sideways"]))
def test_add_interaction(desk, data, summary, duration, channel, direction):
    case_id = desk.fresh_case()
    occurred = data.draw(instants(desk.clock.now()))

    def read_back(logged):
        entry = next(e for e in desk.services.cases.timeline(case_id) if e.ref_id == logged.interaction_id)
        assert (entry.detail, entry.duration_seconds) == (_stored(summary), duration)
        assert entry.at == (occurred or desk.clock.now())

    check(desk, lambda: desk.services.cases.add_interaction(
        desk.team.alice, case_id, channel=channel, direction=direction, summary=summary, occurred_at=occurred,
        duration_seconds=duration),
        {"channel", "direction", "summary", "occurred_at", "duration_seconds"}, read_back)


@SETTINGS
@given(data=st.data(), name=TEXT, reason=TEXT, kind=st.sampled_from(["internal_department", "client_it", "x"]))
def test_escalate(desk, data, name, reason, kind):
    case_id = desk.fresh_case()
    expected = data.draw(st.one_of(st.none(), instants(desk.clock.now() + timedelta(days=30))))

    def read_back(case):
        escalation = case.escalations[-1]
        assert (escalation.target_name, escalation.reason, escalation.expected_reply_at) == (
            _stored(name), _stored(reason), expected)

    check(desk, lambda: desk.services.cases.escalate(desk.team.alice, case_id, target_kind=kind, target_name=name,
                                                     reason=reason, expected_reply_at=expected),
          {"target_kind", "target_name", "reason", "expected_reply_at"}, read_back)


@SETTINGS
@given(data=st.data(), summary=TEXT, told_via=st.sampled_from(["email", "phone", "note", "telegram"]),
       wait_reason=TEXT, priority_reason=TEXT)
def test_priority_wait_and_resolve(desk, data, summary, told_via, wait_reason, priority_reason):
    case_id = desk.fresh_case()
    cases = desk.services.cases
    check(desk, lambda: cases.change_priority(desk.team.alice, case_id, "high", reason=priority_reason),
          {"requested_priority", "reason"}, lambda case: case.requested_priority == "high")
    check(desk, lambda: cases.wait_on_client(desk.team.alice, case_id, reason=wait_reason),
          {"reason"}, lambda case: _assert(case.status == "waiting_on_client" and _stored(wait_reason) in {
              entry.reason for entry in desk.services.cases.audit_trail(case_id) if entry.field == "status"}))
    told_at = data.draw(instants(desk.clock.now()))
    check(desk, lambda: cases.resolve(desk.team.alice, case_id, summary=summary, told_via=told_via, told_at=told_at),
          {"summary", "told_via", "told_at"},
          lambda case: _assert(case.resolution_summary == _stored(summary) and case.status == "resolved"))


@SETTINGS
@given(username=TEXT, display_name=TEXT, email=EMAIL, role=st.sampled_from(["agent", "supervisor", "boss"]))
def test_add_and_update_member(desk, username, display_name, email, role):
    team = desk.services.team

    def read_back(member):
        stored = team.get_member(member.id)
        assert (stored.username, stored.display_name, stored.email) == (
            _stored(username).lower(), _stored(display_name), _stored(email))

    check(desk, lambda: team.add_member(desk.team.admin, username, display_name, role=role, email=email),
          {"username", "display_name", "role", "email"}, read_back)
    check(desk, lambda: team.update_member(desk.team.admin, desk.team.bob, display_name=display_name, email=email),
          {"display_name", "email", "role"},
          lambda member: _assert((member.display_name, member.email) == (_stored(display_name), _stored(email))))


@SETTINGS
@given(folder=TEXT, host=TEXT, port=NUMBER, sender=EMAIL, reason=TEXT, closure_reason=TEXT,
       day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_settings_and_closures(desk, folder, host, port, sender, reason, closure_reason, day):
    settings_service = desk.services.settings
    check(desk, lambda: settings_service.update(desk.team.admin, reason=reason, crm_drop_folder=folder,
                                                smtp_host=host, smtp_port=port, mail_from_address=sender),
          {"crm_drop_folder", "smtp_host", "smtp_port", "mail_from_address", "reason"},
          lambda saved: _assert((saved.crm_drop_folder, saved.smtp.host, saved.smtp.port) == (
              _stored(folder), _stored(host), port)))
    check(desk, lambda: settings_service.add_closure(desk.team.admin, day, closure_reason),
          {"day", "reason"}, lambda closure: _assert(closure.day == day))


@SETTINGS
@given(subject=TEXT, description=TEXT, filename=TEXT, content_type=TEXT, data=st.binary(max_size=64))
def test_edit_case_and_attach(desk, subject, description, filename, content_type, data):
    case_id = desk.fresh_case()
    cases = desk.services.cases
    check(desk, lambda: cases.edit_case(desk.team.alice, case_id, expected_version=1, subject=subject,
                                        description=description),
          {"subject", "description", "contact"},
          lambda case: _assert((case.subject, case.description) == (_stored(subject), description)))

    def read_back(attachment):
        info, content = cases.attachment_content(attachment.id)
        assert content == data and info.filename == attachment.filename and info.size == len(data)

    check(desk, lambda: cases.add_attachment(desk.team.alice, case_id, filename=filename, data=data,
                                             content_type=content_type),
          {"file", "filename", "content_type", "interaction"}, read_back)


@SETTINGS
@given(answer=TEXT, reason=TEXT, status=st.sampled_from(["in_progress", "closed", "resolved", "nope"]),
       availability=st.sampled_from(["away", "available", "on_leave", "asleep"]))
def test_answers_statuses_and_availability(desk, answer, reason, status, availability):
    case_id = desk.fresh_case()
    cases = desk.services.cases
    cases.escalate(desk.team.alice, case_id, target_kind="client_it", target_name="IT", reason="Proxy")
    check(desk, lambda: cases.de_escalate(desk.team.alice, case_id, answer=answer), {"answer"},
          lambda case: _assert(case.escalations[-1].answer == _stored(answer)))
    check(desk, lambda: cases.change_status(desk.team.alice, case_id, status, reason=reason),
          {"status", "reason"}, lambda case: _assert(case.status == status))
    check(desk, lambda: desk.services.team.set_availability(desk.team.alice, desk.team.alice, availability,
                                                            reason=reason),
          {"availability", "reason"},
          lambda _result: _assert(desk.services.team.get_member(desk.team.alice).availability == availability))


@SETTINGS
@given(query=TEXT)
def test_look_ups(desk, query):
    queries = CaseQueries(desk.services.context)
    check(desk, lambda: desk.services.contacts.find_contacts(query), {"query"}, lambda found: None)
    check(desk, lambda: desk.services.team.find_member(query), {"username"}, lambda found: None)
    check(desk, lambda: queries.ids(CaseFilter(Queue.ALL_OPEN, search=query)), {"search"}, lambda ids: None)


def _assert(condition: bool) -> None:
    assert condition

