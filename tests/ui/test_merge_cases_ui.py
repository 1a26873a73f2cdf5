"""Merging a duplicate through the real window: Ctrl+Shift+G, the number typed, the survivor shown."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desktop_helpdesk.services.case_queries import Queue
from desktop_helpdesk.storage.records import CaseRecord
from tests.ui.conftest import OFFSCREEN_NOISE, log_case
from tests.ui.test_taking_cases_ui import accept, press, settle, show

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


def test_merge_by_keyboard_opens_the_survivor(qtbot, window, ui):
    survivor = log_case(ui, "Course will not launch")
    duplicate = log_case(ui, "Course won't launch (email)")
    ui.services.cases.add_interaction(ui.member_id, duplicate.id, channel="email", direction="inbound",
                                      summary="Same problem, by email")
    show(qtbot, window, duplicate.id, Queue.ALL_OPEN)
    window.activateWindow()
    press(qtbot, window, Qt.Key.Key_G)
    dialog = window.detail.findChild(QDialog, "mergeDialog")
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.survivor, "99999")
    qtbot.keyClicks(dialog.reason, "Same caller, same course")
    accept(qtbot, dialog)
    assert "no case is numbered 2026-99999" in window.detail.message.text()
    assert CaseRecord.get_by_id(duplicate.id).merged_into_id is None

    press(qtbot, window, Qt.Key.Key_G)
    dialog = [d for d in window.detail.findChildren(QDialog, "mergeDialog") if d.isVisible()][0]
    qtbot.keyClicks(dialog.survivor, str(int(survivor.number.split("-")[1])))
    qtbot.keyClicks(dialog.reason, "Same caller, same course")
    accept(qtbot, dialog)
    qtbot.waitUntil(lambda: window.detail.case_id == survivor.id, timeout=5000)
    settle(qtbot, window)
    assert CaseRecord.get_by_id(duplicate.id).merged_into_id == survivor.id
    summaries = [e.detail for e in window.detail.timeline_model.entries() if e.kind == "interaction"]
    assert "Same problem, by email" in summaries
    assert any(e.field == "merged_from" for e in ui.services.cases.audit_trail(survivor.id))

    # The duplicate, opened again, says where it went and cannot be reopened.
    show(qtbot, window, duplicate.id, Queue.CLOSED)
    assert window.detail.resolution_label.text() == f"Merged into {survivor.number}"
    assert not window.detail.buttons["reopen"].isVisibleTo(window.detail)
