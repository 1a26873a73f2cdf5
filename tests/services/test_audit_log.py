"""The team-wide audit log reads in keyset pages without gaps or repeats."""

import pytest

from desktop_helpdesk.services.audit_log import audit_page
from desktop_helpdesk.storage.records import AuditRecord
from tests.services.conftest import caller

pytestmark = pytest.mark.usefixtures("engine")


def test_pages_cover_the_log_once_in_order(services, team):
    for _ in range(4):
        services.cases.log_case(team.alice, subject="LMS", channel="email", new_contact=caller())
    everything = list(AuditRecord.select().order_by(AuditRecord.at, AuditRecord.id))
    seen, cursor = [], None
    while True:
        page = audit_page(cursor, limit=7)
        seen.extend(entry.id for entry in page)
        if len(page) < 7:
            break
        cursor = (page[-1].at, page[-1].id)
    assert seen == [row.id for row in everything]
    members = audit_page(entity="team_member")
    assert {e.action for e in members} == {"member_added", "update"}
    assert all(e.actor_name in ("", "Ada Admin") for e in members)
    one_case = audit_page(case_id=1)
    assert one_case and {e.case_id for e in one_case} == {1}
