"""The done-when story, driven through the real window on a real SQLite file with a manual clock."""

import re
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel

from desktop_helpdesk.domain.sla import ClockState
from desktop_helpdesk.services.case_queries import Queue
from desktop_helpdesk.services.drafts import case_key
from desktop_helpdesk.ui.models.case_table_model import CaseColumn
from desktop_helpdesk.ui.models.roles import SLA_STATE_ROLE
from desktop_helpdesk.ui.sla_display import STATE_LOOKS
from tests.conftest import halifax
from tests.ui.conftest import OFFSCREEN_NOISE, log_case, settle

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


def _type(qtbot, dialog, text):
    """Type into whatever has keyboard focus in ``dialog`` (keyboard only, no clicks)."""
    qtbot.keyClicks(dialog.focusWidget(), text)


def _key(qtbot, dialog, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(dialog.focusWidget(), key, modifier)


def _intake(window):
    return window.findChild(QDialog, "phoneIntakeDialog")


def _log_call_with_keyboard(qtbot, window):
    qtbot.keyClick(window.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = _intake(window)
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.focusWidget() is dialog.caller_field)

    # A caller nobody knows yet: Enter opens the inline new-contact fields.
    _type(qtbot, dialog, "Carol Client")
    _key(qtbot, dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.new_contact_box.isVisible)
    assert dialog.new_contact_box.isVisible()
    assert dialog.new_name.text() == "Carol Client"
    assert dialog.focusWidget() is dialog.client_field
    _type(qtbot, dialog, "Acme Learning")
    _key(qtbot, dialog, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.subject_field
    _type(qtbot, dialog, "Course player shows a blank page")
    _key(qtbot, dialog, Qt.Key.Key_Tab)
    _type(qtbot, dialog, "Since this morning, all learners, Chrome and Edge.")
    _key(qtbot, dialog, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.priority_field
    _key(qtbot, dialog, Qt.Key.Key_Tab)  # medium stays
    _key(qtbot, dialog, Qt.Key.Key_Tab)  # channel: phone by default
    assert dialog.focusWidget() is dialog.live_call_field
    # A voicemail call-back rather than a live call: the acknowledgement clock runs.
    _key(qtbot, dialog, Qt.Key.Key_Space)
    assert not dialog.live_call_field.isChecked()
    with qtbot.waitSignal(dialog.case_logged):
        _key(qtbot, dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    number_label = dialog.findChild(QLabel, "caseNumberLabel")
    assert re.fullmatch(r"2026-\d{5}", number_label.text())
    assert "Dana Desk" in dialog.assignee_label.text()
    number = number_label.text()
    with qtbot.waitSignal(window.list_loaded):
        _key(qtbot, dialog, Qt.Key.Key_Return)  # Done
    return number


def test_log_call_work_it_overdue_resolve_close_reopen(qtbot, window, ui, clock):
    number = _log_call_with_keyboard(qtbot, window)
    settle(qtbot)

    # It is in My cases, selected, with its countdowns.
    assert window.queue_panel.current_queue() is Queue.MY_CASES
    assert window.model.rowCount() == 1
    assert window.model.data(window.model.index(0, CaseColumn.NUMBER)) == number
    detail = window.detail
    assert detail.detail is not None and detail.detail.number == number
    ack, respond, resolve = (detail.countdowns[t] for t in detail.countdowns)
    assert ack.objectName() == "slaAcknowledge"
    assert ack.state_words() == "On track"
    assert ack.remaining_text() == "2h 00m left"
    assert respond.state_words() == "On track"
    qtbot.waitUntil(lambda: window.queue_panel.model.count(Queue.MY_CASES) == 1)

    # Ten minutes later, an internal note (it meets no SLA target).
    clock.advance(timedelta(minutes=10))
    detail.channel_field.setCurrentIndex(detail.channel_field.findData("note"))
    detail.direction_field.setCurrentIndex(detail.direction_field.findData("internal"))
    qtbot.keyClicks(detail.summary_edit, "Asked the content team whether the player changed")
    qtbot.mouseClick(detail.add_interaction_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert detail.summary_edit.toPlainText() == ""
    assert "Asked the content team" in detail.timeline_model.describe(detail.timeline_model.entries()[0])

    # Past the acknowledgement due instant (11:00): the tick turns row and widget overdue.
    clock.set(halifax(2026, 11, 25, 11, 5))
    window.on_ticked(clock.now())
    row_state = window.model.data(window.model.index(0, CaseColumn.SUBJECT), SLA_STATE_ROLE)
    assert row_state == ClockState.BREACHED
    background = window.model.data(window.model.index(0, CaseColumn.SUBJECT), Qt.ItemDataRole.BackgroundRole)
    assert background.color() == STATE_LOOKS[ClockState.BREACHED].row_background
    assert ack.state_words() == "Overdue"
    assert ack.remaining_text() == "overdue by 5m"
    assert window.model.data(window.model.index(0, CaseColumn.NEXT_DUE)) == "Overdue · Ack 5m late"

    # Resolve with the resolution text and how the client was told.
    qtbot.mouseClick(detail.buttons["resolve"], Qt.MouseButton.LeftButton)
    settle(qtbot)
    dialog = window.findChild(QDialog, "resolveDialog")
    qtbot.keyClicks(dialog.summary, "Cleared the CDN cache; the player loads again")
    dialog.told_via.setCurrentIndex(dialog.told_via.findData("email"))
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert detail.detail.status == "resolved"
    assert detail.status_chip.text() == "Resolved"
    assert resolve.state_words() == "Met"
    assert ack.state_words() == "Met late"

    # Close: read-only.
    qtbot.mouseClick(detail.buttons["close"], Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert detail.detail.status == "closed"
    assert not detail.summary_edit.isEnabled()
    assert detail.subject_edit.isReadOnly()
    assert detail.buttons["reopen"].isVisibleTo(detail)
    assert not detail.buttons["resolve"].isVisibleTo(detail)

    # Reopen with a reason: a new resolution target from now (a minute later: the list's
    # change cursor tells changes apart by their instant).
    clock.advance(timedelta(minutes=1))
    qtbot.mouseClick(detail.buttons["reopen"], Qt.MouseButton.LeftButton)
    settle(qtbot)
    dialog = window.findChild(QDialog, "reopenDialog")
    qtbot.keyClicks(dialog.reason, "Client reports the blank page again")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert detail.detail.status == "in_progress"
    assert detail.summary_edit.isEnabled()
    assert resolve.state_words() == "On track"
    assert detail.audit_model.rowCount() > 5
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)


def test_unsaved_text_survives_a_crash(qtbot, make_window, ui):
    case = log_case(ui, "Certificate does not print")
    window = make_window()
    assert window.select_case(case.id)
    settle(qtbot)
    qtbot.keyClicks(window.detail.summary_edit, "Called, left a voicemail about the template")
    qtbot.waitUntil(lambda: ui.drafts.load(ui.member_id, case_key(case.id)) is not None, timeout=3000)

    # The crash: the window is dropped without closing or saving; a new one starts.
    window.ticker.stop()
    window.hide()
    reopened = make_window()
    assert reopened.select_case(case.id)
    settle(qtbot)
    panel = reopened.detail
    assert panel.draft_banner.isVisibleTo(panel)
    assert panel.summary_edit.toPlainText() == ""
    qtbot.mouseClick(panel.restore_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert panel.summary_edit.toPlainText() == "Called, left a voicemail about the template"
    assert not panel.draft_banner.isVisibleTo(panel)


def test_switching_cases_keeps_typed_text(qtbot, window, ui):
    first, second = log_case(ui, "First"), log_case(ui, "Second")
    window.reload_list()
    qtbot.waitUntil(lambda: window.model.rowCount() == 2)
    window.select_case(first.id)
    settle(qtbot)
    qtbot.keyClicks(window.detail.summary_edit, "half-typed note")
    window.select_case(second.id)
    settle(qtbot)
    assert window.detail.summary_edit.toPlainText() == ""
    window.select_case(first.id)
    settle(qtbot)
    assert window.detail.summary_edit.toPlainText() == "half-typed note"
    assert not window.detail.draft_banner.isVisibleTo(window.detail)


def test_conflict_keeps_the_users_text(qtbot, window, ui):
    case = log_case(ui, "Shared case")
    window.reload_list()
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    window.select_case(case.id)
    settle(qtbot)
    detail = window.detail
    # Another workstation changes the case after this one loaded it.
    version = ui.services.cases.get_case(case.id).version
    ui.services.cases.edit_case(ui.member_id, case.id, expected_version=version, subject="Changed elsewhere")

    detail.subject_edit.setFocus()
    detail.subject_edit.selectAll()
    qtbot.keyClicks(detail.subject_edit, "My better subject")
    qtbot.mouseClick(detail.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot)

    assert detail.message.isVisibleTo(detail)
    assert "another workstation" in detail.message.text()
    assert detail.subject_edit.text() == "My better subject"
    assert ui.services.cases.get_case(case.id).subject == "Changed elsewhere"
    assert detail.reload_button.isVisibleTo(detail)


def test_validation_message_names_the_field(qtbot, window, ui):
    case = log_case(ui, "Needs resolving")
    window.reload_list()
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    window.select_case(case.id)
    settle(qtbot)
    qtbot.mouseClick(window.detail.buttons["resolve"], Qt.MouseButton.LeftButton)
    settle(qtbot)
    dialog = window.findChild(QDialog, "resolveDialog")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert window.detail.message.isVisibleTo(window.detail)
    assert window.detail.message.text().startswith("Summary")
    assert window.detail.detail.status != "resolved"


def test_overdue_notification_once_in_business_hours(qtbot, window, ui, clock, notifications):
    log_case(ui, "Slow reports")  # acknowledge due 11:00
    with qtbot.waitSignal(window.refreshed):
        window.refresh()
    clock.set(halifax(2026, 11, 25, 10, 40))
    with qtbot.waitSignal(window.refreshed):
        window.refresh()
    assert [title for title, _ in notifications] == ["Case 2026-00001 is due soon"]
    clock.set(halifax(2026, 11, 25, 11, 1))
    with qtbot.waitSignal(window.refreshed):
        window.refresh()
    with qtbot.waitSignal(window.refreshed):
        window.refresh()
    assert [title for title, _ in notifications] == [
        "Case 2026-00001 is due soon",
        "Case 2026-00001 is overdue",
    ]


def test_refresh_shows_another_workstations_change_when_nothing_was_typed(qtbot, window, ui, clock):
    case = log_case(ui, "Original subject")
    with qtbot.waitSignal(window.list_loaded):
        window.reload_list()
    window.select_case(case.id)
    settle(qtbot)
    with qtbot.waitSignal(window.refreshed):
        window.refresh()
    clock.advance(timedelta(seconds=5))
    version = ui.services.cases.get_case(case.id).version
    ui.services.cases.edit_case(ui.member_id, case.id, expected_version=version, subject="Renamed elsewhere")
    with qtbot.waitSignal(window.refreshed):
        window.refresh()
    settle(qtbot)
    assert window.detail.subject_edit.text() == "Renamed elsewhere"
    assert window.detail.subject_label.text() == "Renamed elsewhere"
    assert not window.detail.has_unsaved_text()
    qtbot.waitUntil(lambda: window.model.data(window.model.index(0, CaseColumn.SUBJECT)) == "Renamed elsewhere")


def test_closing_the_window_keeps_text_typed_a_moment_ago(qtbot, make_window, ui):
    case = log_case(ui, "Closing soon")
    window = make_window()
    window.select_case(case.id)
    settle(qtbot)
    qtbot.keyClicks(window.detail.summary_edit, "typed just before closing")
    window.close()  # well inside the draft debounce: closing saves at once
    reopened = make_window()
    reopened.select_case(case.id)
    settle(qtbot)
    assert reopened.detail.draft_banner.isVisibleTo(reopened.detail)
    qtbot.mouseClick(reopened.detail.restore_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert reopened.detail.summary_edit.toPlainText() == "typed just before closing"
