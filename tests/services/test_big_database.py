"""The benchmark database builder writes rows the services would have written."""

from bench.big_database import DEFAULT_NOW, build_big_database
from desktop_helpdesk.domain.clock import ManualClock
from desktop_helpdesk.domain.policy import DEFAULT_POLICY
from desktop_helpdesk.domain.sla import Target, default_calendar, due_instants
from desktop_helpdesk.services.cases import next_due
from desktop_helpdesk.services.container import Services
from desktop_helpdesk.services.search import search_case_ids
from desktop_helpdesk.storage.db import close_database, database
from desktop_helpdesk.storage.records import CaseRecord, CaseSequenceRecord


def test_big_database_is_consistent_and_usable(tmp_path):
    info = build_big_database(tmp_path / "big.sqlite3", 600)
    try:
        assert CaseRecord.select().count() == info.cases == 600
        # Its audit rows carry the hash chain, like rows written by the app.
        from desktop_helpdesk.services.audit_chain import verify_chain

        assert verify_chain(DEFAULT_NOW).ok
        calendar = default_calendar()
        numbers = set()
        for case in CaseRecord.select():
            due = due_instants(calendar, DEFAULT_POLICY, case.received_at, case.effective_priority)
            assert (case.acknowledge_due_at, case.respond_due_at, case.resolve_due_at) == (
                due[Target.ACKNOWLEDGE], due[Target.RESPOND], due[Target.RESOLVE])
            assert case.next_due_at == next_due(case)
            assert case.received_at <= DEFAULT_NOW
            numbers.add(case.number)
        assert len(numbers) == 600
        last = {row.year: row.last_number for row in CaseSequenceRecord.select()}
        assert sum(last.values()) == 600
        assert search_case_ids("learners") or search_case_ids("page")
        services = Services.create(ManualClock(DEFAULT_NOW))
        admin = services.team.find_member("admin")
        contact = services.contacts.find_contacts("a", limit=1)[0]
        logged = services.cases.log_case(admin.id, subject="After the bulk load", channel="email",
                                         contact_id=contact.contact_id)
        assert logged.number == f"2026-{last[2026] + 1:05d}"
    finally:
        close_database()
        database.initialize(None)
