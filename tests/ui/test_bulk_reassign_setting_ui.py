"""The team setting "agents may bulk-reassign colleagues' cases" is switched in Administration → Settings."""

from __future__ import annotations

import pytest

from desktop_helpdesk.services.bulk import BulkAction, BulkRequest
from desktop_helpdesk.storage.records import AuditRecord, CaseRecord
from tests.ui.conftest import OFFSCREEN_NOISE, log_case
from tests.ui.test_admin_dialog import click, open_dialog, wait_reload

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


def test_admin_lets_agents_bulk_reassign_colleagues_cases(qtbot, window, ui):
    services = ui.services
    alice = services.team.add_member(ui.member_id, "alice", "Alice Agent").id
    bob = services.team.add_member(ui.member_id, "bob", "Bob Agent").id
    case = log_case(ui, "Printer offline")
    services.cases.reassign(ui.member_id, case.id, bob, reason="Bob's client")
    refused = services.bulk.run(alice, [case.id], BulkRequest(BulkAction.REASSIGN, assignee_id=alice,
                                                              reason="Bob is away"))
    assert refused.done == [] and "the team setting does not allow agents" in dict(refused.refused)[case.number]

    dialog = open_dialog(qtbot, window, "settings")
    page = dialog.settings_page
    assert not page.bulk_reassign_field.isChecked()
    page.bulk_reassign_field.setChecked(True)
    wait_reload(qtbot, dialog, lambda: click(qtbot, page.save_button))

    assert services.settings.get().agents_may_bulk_reassign is True
    assert AuditRecord.get(AuditRecord.field == "agents_may_bulk_reassign").actor_id == ui.member_id
    assert page.bulk_reassign_field.isChecked()
    done = services.bulk.run(alice, [case.id], BulkRequest(BulkAction.REASSIGN, assignee_id=alice,
                                                           reason="Bob is away"))
    assert done.done == [case.number] and CaseRecord.get_by_id(case.id).assignee_id == alice
