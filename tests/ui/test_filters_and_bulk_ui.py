"""Saved filters beside the queues and bulk work on the selection, through the real window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop_helpdesk.services.case_queries import FilterCriteria, Queue
from desktop_helpdesk.storage.records import AuditRecord, CaseRecord, SavedFilterRecord
from tests.ui.conftest import OFFSCREEN_NOISE, log_case
from tests.ui.test_taking_cases_ui import settle

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


def keys(qtbot, window, key):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)


def test_saved_filter_then_bulk_reassign_by_keyboard(qtbot, window, ui):
    high = [log_case(ui, f"Outage {n}", priority="high") for n in range(3)]
    log_case(ui, "Medium question")
    ui.services.cases.resolve(ui.member_id, high[2].id, summary="Fixed", told_via="email")
    ui.services.cases.close(ui.member_id, high[2].id)

    with qtbot.waitSignal(window.filter_dialog_opened, timeout=5000) as opened:
        keys(qtbot, window, Qt.Key.Key_F)
    dialog = opened.args[0]
    qtbot.keyClicks(dialog.name, "High priority")
    dialog.priority.setCurrentIndex(dialog.priority.findData("high"))
    dialog.shared.setChecked(True)
    with qtbot.waitSignal(window.list_loaded, timeout=5000) as loaded:
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert loaded.args == [3]
    saved = SavedFilterRecord.get()
    assert (saved.name, saved.shared) == ("High priority", True)
    assert [f.name for f in window.saved_filters.filters()] == ["High priority"]
    assert window.list_title.text() == "Filter “High priority” — 3 cases"
    assert set(window.model.ids()) == {c.id for c in high}

    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert set(window.selected_case_ids()) == {c.id for c in high}
    with qtbot.waitSignal(window.bulk_dialog_opened, timeout=5000) as opened:
        keys(qtbot, window, Qt.Key.Key_B)
    bulk = opened.args[0]
    assert bulk.windowTitle() == "Change 3 selected cases"
    bulk.action.setCurrentIndex(bulk.action.findData("reassign"))
    assert bulk.assignee.currentData() is None  # the Unassigned queue
    qtbot.keyClicks(bulk.reason, "Dana is off tomorrow")
    with qtbot.waitSignal(bulk.run_finished, timeout=10000) as finished:
        qtbot.mouseClick(bulk.run_button, Qt.MouseButton.LeftButton)
    outcome = finished.args[0]
    assert bulk.progress.value() == 3
    assert len(outcome.done) == 2 and outcome.refused[0][0] == high[2].number
    assert high[2].number in bulk.refusals.toPlainText() and "closed" in bulk.refusals.toPlainText()
    assert bulk.status.text() == "2 of 3 cases changed, 1 refused."
    assert [CaseRecord.get_by_id(c.id).assignee_id for c in high[:2]] == [None, None]
    reasons = [r.reason for r in AuditRecord.select().where(AuditRecord.action == "reassigned")]
    assert reasons == ["Dana is off tomorrow"] * 2
    bulk.reject()
    settle(qtbot, window)


def test_bulk_with_nothing_selected_says_so(qtbot, window, ui):
    window.table.clearSelection()
    window.bulk_change()
    assert "Select the cases" in window.statusBar().currentMessage()


def test_queue_click_leaves_the_filter(qtbot, window, ui):
    log_case(ui, "Outage", priority="high")
    ui.services.saved_filters.save_filter(ui.member_id, "Mine", FilterCriteria(priority="medium"))
    with qtbot.waitSignal(window.saved_filters_loaded, timeout=5000):
        window.load_saved_filters()
    with qtbot.waitSignal(window.list_loaded, timeout=5000) as loaded:
        assert window.saved_filters.choose(SavedFilterRecord.get().id)
    assert loaded.args == [0]
    with qtbot.waitSignal(window.list_loaded, timeout=5000) as loaded:
        window.queue_panel.select_queue(Queue.ALL_OPEN)
    assert loaded.args == [1]
    assert window.saved_filters.current_filter() is None
