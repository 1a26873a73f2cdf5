"""The team-wide audit log reads in keyset pages without gaps or repeats."""

import pytest

from desktop_helpdesk.services.audit_log import audit_page
from desktop_helpdesk.services.errors import PermissionDenied
from desktop_helpdesk.storage.records import AuditRecord, CaseRecord
from tests.services.conftest import caller

pytestmark = pytest.mark.usefixtures("engine")


def test_pages_cover_the_log_once_in_order(services, team):
    for _ in range(4):
        services.cases.log_case(team.alice, subject="LMS", channel="email", new_contact=caller())
    everything = list(AuditRecord.select().order_by(AuditRecord.at, AuditRecord.id))
    seen, cursor = [], None
    while True:
        page = audit_page(cursor, limit=7, viewer_id=team.admin)
        seen.extend(entry.id for entry in page)
        if len(page) < 7:
            break
        cursor = (page[-1].at, page[-1].id)
    assert seen == [row.id for row in everything]
    members = audit_page(entity="team_member", viewer_id=team.admin)
    assert {e.action for e in members} == {"member_added", "update"}
    assert all(e.actor_name in ("", "Ada Admin") for e in members)
    one_case = audit_page(case_id=1, viewer_id=team.admin)
    assert one_case and {e.case_id for e in one_case} == {1}
    assert {e.case_number for e in one_case} == {CaseRecord.get_by_id(1).number}


def test_newest_first_pages_walk_the_log_backwards(services, team):
    for _ in range(3):
        services.cases.log_case(team.alice, subject="VPN", channel="phone", new_contact=caller())
    everything = list(AuditRecord.select().order_by(AuditRecord.at.desc(), AuditRecord.id.desc()))
    first = audit_page(limit=5, viewer_id=team.admin, newest_first=True)
    rest = audit_page((first[-1].at, first[-1].id), limit=1000, viewer_id=team.admin,
                      newest_first=True)
    assert [e.id for e in first + rest] == [row.id for row in everything]


def test_agents_cannot_read_the_team_log(services, team):
    with pytest.raises(PermissionDenied, match="audit log"):
        audit_page(viewer_id=team.alice)
