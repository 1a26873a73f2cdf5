"""Surprises found using the desk for real, each driven through the real window."""

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from desktop_helpdesk.services.drafts import INTAKE_KEY
from tests.ui.conftest import OFFSCREEN_NOISE, log_case, settle

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


def _loaded(qtbot, window):
    with qtbot.waitSignal(window.list_loaded):
        window.reload_list()
    settle(qtbot)


def test_opening_a_notified_case_in_the_list_shows_it_at_once_and_never_jumps_later(
    qtbot, window, ui, clock
):
    working, notified = log_case(ui, "Being typed in"), log_case(ui, "Notified")
    _loaded(qtbot, window)
    with qtbot.waitSignal(window.refreshed):
        window.refresh()
    window.select_case(working.id)
    settle(qtbot)
    window.open_case(notified.id)
    settle(qtbot)
    assert window.detail.case_id == notified.id

    # The agent goes back to their case; the next reloads leave them there.
    window.select_case(working.id)
    settle(qtbot)
    clock.advance(timedelta(minutes=1))
    with qtbot.waitSignal(window.list_loaded):
        window.reload_list()
    with qtbot.waitSignal(window.refreshed):
        window.refresh()
    settle(qtbot)
    assert window.detail.case_id == working.id


def test_a_restored_call_draft_keeps_priority_channel_and_new_client(qtbot, window, ui):
    dialog = window.open_phone_intake()
    qtbot.keyClicks(dialog.caller_field, "Nora Newcaller")
    qtbot.keyClick(dialog.caller_field, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.new_contact_box.isVisible)
    qtbot.keyClicks(dialog.client_field, "Bishop Labs")
    qtbot.keyClicks(dialog.subject_field, "Whole school cannot sign in")
    dialog.priority_field.setCurrentIndex(dialog.priority_field.findData("high"))
    dialog.channel_field.setCurrentIndex(dialog.channel_field.findData("email"))
    dialog.reject()
    settle(qtbot)
    assert ui.drafts.load(ui.member_id, INTAKE_KEY).fields["priority"] == "high"

    again = window.open_phone_intake()
    settle(qtbot)
    assert again.priority_field.currentData() == "high"
    assert again.channel_field.currentData() == "email"
    assert again.new_contact_box.isVisibleTo(again)
    assert again.new_name.text() == "Nora Newcaller"
    assert again.client_field.currentText() == "Bishop Labs"
    assert again.subject_field.text() == "Whole school cannot sign in"
    again.reject()
