"""Demo data: an empty database gets a realistic, deterministic desk in every state."""

from collections import Counter

import pytest

from desktop_helpdesk.domain.cases import CaseStatus
from desktop_helpdesk.domain.sla import ClockState
from desktop_helpdesk.services.container import Services
from desktop_helpdesk.services.demo import DemoDataError, seed_demo_data
from desktop_helpdesk.storage.db import open_database
from desktop_helpdesk.storage.records import CaseRecord, ContactRecord, TeamMemberRecord


def snapshot():
    return [
        (row.number, row.status, row.assignee_id, row.next_due_at)
        for row in CaseRecord.select().order_by(CaseRecord.id)
    ]


def test_demo_data_covers_every_state_relative_to_now(db, clock, tmp_path):
    seed_demo_data(clock, cases=120)
    assert CaseRecord.select().count() == 120
    statuses = Counter(row.status for row in CaseRecord.select(CaseRecord.status))
    assert set(statuses) == {s.value for s in CaseStatus}
    now = clock.now()
    assert all(row.received_at <= now and row.updated_at <= now for row in CaseRecord.select())
    services = Services.create(clock)
    states = Counter()
    for row in CaseRecord.select().where(CaseRecord.status.not_in(["resolved", "closed"])):
        for reading in services.cases.clock_readings(row.id):
            states[reading.state] += 1
    assert states[ClockState.BREACHED] > 0
    assert states[ClockState.DUE_SOON] + states[ClockState.ON_TRACK] > 0
    assert states[ClockState.PAUSED] > 0
    # Each contact works for one client, and a resolution answers its own subject.
    contacts = [(c.name, c.client_id) for c in ContactRecord.select()]
    assert len({name for name, _ in contacts}) == len(contacts)
    sso = CaseRecord.get((CaseRecord.subject == "SSO rejects all users since this morning")
                         & (CaseRecord.resolution_summary != ""))
    assert "Azure AD" in sso.resolution_summary
    roles = Counter(m.role for m in TeamMemberRecord.select())
    assert roles == {"admin": 1, "supervisor": 1, "agent": 5}
    with pytest.raises(DemoDataError):
        seed_demo_data(clock, cases=5)

    first = snapshot()
    db.close()
    open_database(tmp_path / "second.sqlite3")
    seed_demo_data(clock, cases=120)
    assert snapshot() == first
