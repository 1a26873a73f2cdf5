"""The one Target -> (due column, met column) mapping matches the records and the snapshots."""

import dataclasses
from datetime import UTC, datetime

from desktop_helpdesk.domain.policy import Target
from desktop_helpdesk.services.case_list_columns import CaseRow
from desktop_helpdesk.services.dto import CaseDetail
from desktop_helpdesk.storage.records import CaseRecord
from desktop_helpdesk.storage.target_columns import (
    DUE_COLUMNS,
    DUE_FIELDS,
    MET_COLUMNS,
    MET_FIELDS,
    due_column,
    met_column,
)


def test_every_target_has_its_own_due_and_met_column():
    assert set(DUE_FIELDS) == set(MET_FIELDS) == set(Target)
    columns = [*DUE_FIELDS.values(), *MET_FIELDS.values()]
    assert len(set(columns)) == 6
    for target in Target:
        assert due_column(target) is CaseRecord._meta.fields[DUE_FIELDS[target]]
        assert met_column(target) is CaseRecord._meta.fields[MET_FIELDS[target]]
    assert [c.name for c in DUE_COLUMNS] == ["acknowledge_due_at", "respond_due_at", "resolve_due_at"]
    assert [c.name for c in MET_COLUMNS] == ["acknowledged_at", "responded_at", "resolved_at"]


def test_rows_read_each_target_through_the_mapping():
    wanted = set(DUE_FIELDS.values()) | set(MET_FIELDS.values())
    assert wanted <= set(CaseRow._fields)
    detail_fields = {field.name: field.type for field in dataclasses.fields(CaseDetail)}
    # The case view's snapshot keeps no copies: its SLA instants are in its list row.
    assert detail_fields["row"] == "CaseRow" and not wanted & set(detail_fields)
    row = CaseRow(
        id=1, number="2026-00001", client_name="", contact_name="", subject="", requested_priority="high",
        priority="high", status="new", channel="phone", assignee_id=None, assignee_name="",
        received_at=_at(0), acknowledge_due_at=_at(1), respond_due_at=_at(2), resolve_due_at=_at(3),
        acknowledged_at=_at(4), responded_at=None, resolved_at=None, closed_at=None, next_due_at=_at(2),
        resolve_paused_at=None, version=1, updated_at=_at(0),
    )
    assert [row.due_at(t) for t in Target] == [_at(1), _at(2), _at(3)]
    assert [row.met_at(t) for t in Target] == [_at(4), None, None]
    assert row.next_target() is Target.RESPOND


def _at(hour):
    return datetime(2026, 11, 30, hour, tzinfo=UTC)
