"""Panels and small models: qtmodeltester on each, intake look-ups, search, sorting, the ticker."""

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desktop_helpdesk.domain.policy import PRIORITY_DEFINITIONS, Priority
from desktop_helpdesk.services.case_queries import Queue
from desktop_helpdesk.services.contacts import NewContact
from desktop_helpdesk.ui.models.audit_model import AuditTableModel
from desktop_helpdesk.ui.models.case_table_model import CaseColumn
from desktop_helpdesk.ui.models.timeline_model import TimelineModel
from desktop_helpdesk.ui.ticker import Ticker
from desktop_helpdesk.ui.widgets.queue_panel import QueueListModel
from tests.ui.conftest import OFFSCREEN_NOISE, log_case, settle, type_a_new_caller

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


def test_queue_model_passes_qtmodeltester_and_shows_counts(qtmodeltester):
    model = QueueListModel()
    model.set_counts({queue: index for index, queue in enumerate(Queue)})
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 9
    assert model.data(model.index(0, 0)) == "My cases"
    assert model.count(Queue.OVERDUE) == 4
    assert "4 cases" in model.data(model.index(model.row_of(Queue.OVERDUE), 0), Qt.ItemDataRole.ToolTipRole)


def test_timeline_and_audit_models_pass_qtmodeltester(qtmodeltester, ui, clock):
    case = log_case(ui)
    clock.advance(timedelta(minutes=3))
    ui.services.cases.add_interaction(
        ui.member_id, case.id, channel="phone", direction="outbound", summary="Called", duration_seconds=245
    )
    timeline = TimelineModel(ui.desk_zone)
    timeline.set_entries(ui.services.cases.timeline(case.id))
    audit = AuditTableModel(ui.desk_zone)
    audit.set_entries(ui.services.cases.audit_trail(case.id))
    qtmodeltester.check(timeline, force_py=True)
    qtmodeltester.check(audit, force_py=True)
    texts = [timeline.data(timeline.index(row, 0)) for row in range(timeline.rowCount())]
    call = next(text for text in texts if text.startswith("Phone (outbound)"))
    assert call.splitlines()[1] == "Wed 25 Nov 09:03 · Dana Desk · Phone · Outbound · 4m 05s · met acknowledge, respond"
    assert texts.index(call) < len(texts) - 1  # newest first: the logging entry is last
    assert texts[-1].startswith("Case 2026-00001 logged")
    assert audit.rowCount() >= 3


def test_queue_click_and_search_reload_the_list(qtbot, window, ui):
    mine = log_case(ui, "Printer offline")
    other = log_case(ui, "Timesheet export", caller=NewContact(
        name="Ivan Other", email="ivan@zeta.example", client_name="Zeta Corp"))
    ui.services.cases.wait_on_client(ui.member_id, mine.id, reason="needs a screenshot")
    panel = window.queue_panel

    with qtbot.waitSignal(window.list_loaded):
        panel.select_queue(Queue.WAITING_ON_CLIENT)
    assert window.model.ids() == [mine.id]
    assert window.list_title.text() == "Waiting on client — 1 case"  # not "1 cases"

    with qtbot.waitSignal(window.list_loaded):
        qtbot.keyClicks(panel.search, "zeta")
    assert window.model.ids() == [other.id]
    assert "Search results" in window.list_title.text()
    assert not panel.list.currentIndex().isValid()  # results span all queues

    # Clicking the queue shown before the search leaves the search.
    with qtbot.waitSignal(window.list_loaded):
        panel.select_queue(Queue.WAITING_ON_CLIENT)
    assert panel.search.text() == ""
    assert window.model.ids() == [mine.id]


def test_header_click_sorts_in_sql(qtbot, window, ui, clock):
    first = log_case(ui, "Alpha")
    clock.advance(timedelta(minutes=1))
    second = log_case(ui, "Beta")
    with qtbot.waitSignal(window.list_loaded):
        window.reload_list()
    with qtbot.waitSignal(window.list_loaded):
        window.table.horizontalHeader().setSortIndicator(CaseColumn.RECEIVED, Qt.SortOrder.DescendingOrder)
    assert window.current_sort() == (CaseColumn.RECEIVED, True)
    assert window.model.ids() == [second.id, first.id]


def test_intake_matches_contacts_as_you_type_and_enter_picks(qtbot, window, ui):
    log_case(ui, "Old problem", caller=NewContact(
        name="Mona Lisa", email="mona@louvre.example", phone="902 555 0199", client_name="Louvre"))
    dialog = window.open_phone_intake()
    qtbot.keyClicks(dialog.caller_field, "555 0199")
    qtbot.waitUntil(lambda: dialog.matches.count() == 1)
    assert "Mona Lisa — Louvre" in dialog.matches.item(0).text()
    qtbot.keyClick(dialog.caller_field, Qt.Key.Key_Return)
    assert "Mona Lisa at Louvre" in dialog.contact_label.text()
    assert dialog.focusWidget() is dialog.subject_field
    assert not dialog.new_contact_box.isVisible()

    # Low shows the policy's note and serves as Medium.
    dialog.priority_field.setCurrentIndex(dialog.priority_field.findData("low"))
    assert "NO support requests are treated as Low" in dialog.priority_help.text()
    assert PRIORITY_DEFINITIONS[Priority.MEDIUM][:40] in dialog.priority_help.text()
    assert dialog.channel_field.currentData() == "phone"
    assert dialog.live_call_field.isChecked()
    # Email cannot be a live call; a Microsoft Teams call can.
    channels = [dialog.channel_field.itemText(i) for i in range(dialog.channel_field.count())]
    assert channels == ["Phone", "Email", "Microsoft Teams"]
    dialog.channel_field.setCurrentIndex(dialog.channel_field.findData("email"))
    assert not dialog.live_call_field.isEnabled() and not dialog.live_call_field.isChecked()
    dialog.channel_field.setCurrentIndex(dialog.channel_field.findData("teams"))
    assert dialog.live_call_field.isEnabled() and dialog.live_call_field.isChecked()
    dialog.reject()


def test_intake_shows_similar_resolved_cases(qtbot, window, ui, clock):
    case = log_case(ui, "Certificate template prints blank")
    ui.services.cases.resolve(ui.member_id, case.id, summary="Reinstalled the PDF font pack", told_via="email")
    dialog = window.open_phone_intake()
    qtbot.keyClicks(dialog.subject_field, "certificate blank")
    qtbot.waitUntil(lambda: dialog.similar.count() > 0)
    assert case.number in dialog.similar.item(0).text()
    assert "PDF font pack" in dialog.similar.item(0).text()
    dialog.reject()


def test_intake_error_names_the_field_and_keeps_the_text(qtbot, window, ui):
    dialog = window.open_phone_intake()
    type_a_new_caller(qtbot, dialog, "Newbie")
    qtbot.keyClicks(dialog.subject_field, "Login fails")
    qtbot.keyClicks(dialog.description_field, "It broke")
    # Logging runs on the pool; meanwhile the form says so and takes no second Ctrl+Enter.
    assert dialog.log_case()
    assert not dialog.log_button.isEnabled() and dialog.log_button.text() == "Logging…"
    assert not dialog.log_case()
    qtbot.waitUntil(dialog.error_label.isVisible)
    assert dialog.error_label.text().startswith("Client")
    assert dialog.log_button.isEnabled()
    assert dialog.description_field.toPlainText() == "It broke"
    dialog.reject()


def test_ticker_emits_the_clock_instant(qtbot, clock):
    ticker = Ticker(clock)
    try:
        with qtbot.waitSignal(ticker.ticked, timeout=3000) as blocker:
            ticker.start()
        assert blocker.args == [clock.now()]
    finally:
        ticker.stop()
    assert not ticker.running


def test_closed_case_opens_read_only(qtbot, window, ui):
    case = log_case(ui, "Done and dusted")
    ui.services.cases.resolve(ui.member_id, case.id, summary="Fixed", told_via="phone")
    ui.services.cases.close(ui.member_id, case.id)
    with qtbot.waitSignal(window.list_loaded):
        window.queue_panel.select_queue(Queue.CLOSED)
    assert window.select_case(case.id)
    settle(qtbot)
    detail = window.detail
    assert not detail.add_interaction_button.isEnabled()
    assert detail.description_edit.isReadOnly()
    assert "read-only" in detail.summary_edit.placeholderText()
    assert detail.countdowns[next(iter(detail.countdowns))].state_words() in ("Met", "Met late")


def test_pasted_screenshot_becomes_a_thumbnail(qtbot, window, ui):
    from PySide6.QtGui import QColor, QGuiApplication, QImage

    case = log_case(ui, "Error dialog")
    with qtbot.waitSignal(window.list_loaded):
        window.reload_list()
    window.select_case(case.id)
    settle(qtbot)
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("#dc2626"))
    QGuiApplication.clipboard().setImage(image)
    window.detail.paste_screenshot()
    settle(qtbot)
    assert window.detail.attachments.count() == 1
    assert window.detail.attachments.list.item(0).text().startswith("screenshot-")
    qtbot.waitUntil(lambda: not window.pool.busy)
    info = window.detail.detail.attachments[0]
    assert info.content_type == "image/png"


def test_escalate_dialog_flow(qtbot, window, ui):
    case = log_case(ui, "Needs development")
    with qtbot.waitSignal(window.list_loaded):
        window.reload_list()
    window.select_case(case.id)
    settle(qtbot)
    qtbot.mouseClick(window.detail.buttons["escalate"], Qt.MouseButton.LeftButton)
    settle(qtbot)
    dialog = window.findChild(QDialog, "escalateDialog")
    qtbot.keyClicks(dialog.target_name, "Development")
    qtbot.keyClicks(dialog.reason, "Player bug reproduced")
    dialog.expect_reply.setChecked(True)
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert window.detail.detail.status == "escalated"
    assert window.detail.detail.open_escalation.expected_reply_at is not None
    assert window.detail.info["waiting"].text().startswith("\u2068Development\u2069 since")


def test_answer_dialog_ends_the_escalation(qtbot, window, ui):
    case = log_case(ui, "Needs development")
    ui.services.cases.escalate(ui.member_id, case.id, target_kind="internal_department",
                               target_name="Development", reason="Player bug")
    with qtbot.waitSignal(window.list_loaded):
        window.reload_list()
    window.select_case(case.id)
    settle(qtbot)
    # Offered as a button, or in "More" when the pane is too narrow for it.
    assert window.detail.command_available("deescalate")
    window.detail.command_actions["deescalate"].trigger()
    settle(qtbot)
    dialog = window.findChild(QDialog, "answerDialog")
    qtbot.keyClicks(dialog.answer, "Fixed in release 4.2")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert window.detail.detail.open_escalation is None
    assert window.detail.detail.status == "in_progress"


def test_logged_case_is_shown_even_from_another_queue(qtbot, window, ui):
    with qtbot.waitSignal(window.list_loaded):
        window.queue_panel.select_queue(Queue.CLOSED)
    dialog = window.open_phone_intake()
    qtbot.keyClicks(dialog.caller_field, "Walter Newcaller")
    qtbot.keyClick(dialog.caller_field, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.new_contact_box.isVisible)
    qtbot.keyClicks(dialog.client_field, "Bishop Labs")
    qtbot.keyClicks(dialog.subject_field, "Cannot upload SCORM package")
    with qtbot.waitSignal(window.list_loaded):
        assert dialog.log_case()
    qtbot.waitUntil(lambda: window.detail.detail is not None
                    and window.detail.detail.number == dialog.case_number_label.text())
    assert window.queue_panel.current_queue() is Queue.MY_CASES
    dialog.accept()


def test_intake_text_survives_closing_the_dialog(qtbot, window, ui):
    dialog = window.open_phone_intake()
    qtbot.keyClicks(dialog.subject_field, "Half-logged call")
    qtbot.keyClicks(dialog.description_field, "Caller dropped")
    dialog.reject()
    again = window.open_phone_intake()
    # The intake is kept and emptied for the next call: the text comes back from the saved
    # draft, read on the pool, not from the widgets of the call before.
    assert again.subject_field.text() == "" and again.description_field.toPlainText() == ""
    qtbot.waitUntil(lambda: again.subject_field.text() == "Half-logged call")
    assert again.description_field.toPlainText() == "Caller dropped"
    assert again.draft_note.isVisibleTo(again)
    again.reject()


def test_keyboard_jumps_between_queues_search_and_list(qtbot, window, ui):
    case = log_case(ui, "Keyboard case")
    ui.services.cases.wait_on_client(ui.member_id, case.id, reason="waiting")
    with qtbot.waitSignal(window.list_loaded):
        qtbot.keyClick(window.table, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert window.queue_panel.current_queue() is Queue.OVERDUE
    with qtbot.waitSignal(window.list_loaded):
        qtbot.keyClick(window.table, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert window.model.ids() == [case.id]
    qtbot.keyClick(window.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.queue_panel.search.hasFocus() or window.focusWidget() is window.queue_panel.search
    qtbot.keyClick(window.queue_panel.search, Qt.Key.Key_Down)
    settle(qtbot)
    assert window.detail.case_id == case.id


def test_notification_click_opens_the_case(qtbot, window, ui, clock):
    from tests.conftest import halifax

    case = log_case(ui, "Slow reports")
    with qtbot.waitSignal(window.refreshed):
        window.refresh()
    with qtbot.waitSignal(window.list_loaded):
        window.queue_panel.select_queue(Queue.CLOSED)
    clock.set(halifax(2026, 11, 25, 11, 1))
    with qtbot.waitSignal(window.refreshed):
        window.refresh()
    window.open_notified_case()
    qtbot.waitUntil(lambda: window.detail.case_id == case.id)
    assert window.queue_panel.current_queue() is Queue.MY_CASES


def test_dropped_files_are_read_off_the_ui_thread_and_attached(qtbot, window, ui, tmp_path):
    case = log_case(ui, "Log file attached")
    with qtbot.waitSignal(window.list_loaded):
        window.reload_list()
    window.select_case(case.id)
    settle(qtbot)
    log_file = tmp_path / "player-console.log"
    log_file.write_text("TypeError: cannot read properties of undefined")
    window.detail.attachments.files_dropped.emit([str(log_file)])
    qtbot.waitUntil(lambda: window.detail.attachments.count() == 1)
    info = window.detail.detail.attachments[0]
    assert info.filename == "player-console.log"
    assert info.size == log_file.stat().st_size
