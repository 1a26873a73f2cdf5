"""The benchmark database builder writes rows the services would have written."""

import hashlib

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


def test_big_database_has_a_desk_history_per_case(tmp_path):
    """About ten interactions a case, an audit row for every change, outboxes with sent
    history and attachment metadata: what searches and outbox runners meet at scale."""
    info = build_big_database(tmp_path / "big.sqlite3", 400)
    try:
        def scalar(sql):
            return database.execute_sql(sql).fetchone()[0]

        assert 8 <= info.interactions / info.cases <= 12
        assert scalar("SELECT COUNT(*) FROM interaction") == info.interactions
        # Every interaction and every status change has its audit row.
        assert scalar("SELECT COUNT(*) FROM audit WHERE action = 'interaction'") == info.interactions
        assert scalar("SELECT COUNT(*) FROM audit WHERE action = 'logged'") == info.cases
        closed = scalar("SELECT COUNT(*) FROM \"case\" WHERE status = 'closed'")
        assert scalar("SELECT COUNT(*) FROM audit WHERE action = 'status' "
                      "AND after = 'closed'") == closed > 0
        # Every interaction reaches the CRM outbox; all but the last hour's are sent.
        assert scalar("SELECT COUNT(DISTINCT interaction_id) FROM crm_outbox") == info.interactions
        assert scalar("SELECT COUNT(*) FROM crm_outbox WHERE sent_at IS NULL") < info.crm_outbox / 50
        assert scalar("SELECT COUNT(*) FROM crm_outbox WHERE sent_at IS NOT NULL") > info.interactions
        assert scalar("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NOT NULL") > info.cases / 2
        assert scalar("SELECT COUNT(*) FROM audit WHERE action = 'email_queued'") == info.mail_outbox
        # Attachment metadata matches its (small) body.
        assert info.attachments > info.cases / 10
        for data, size, digest in database.execute_sql(
                "SELECT data, size, sha256 FROM attachment LIMIT 50"):
            assert (len(data), hashlib.sha256(data).hexdigest()) == (size, digest)
        # Text typed during the work is searchable, not only the request.
        assert search_case_ids("firewall")
    finally:
        close_database()
        database.initialize(None)
