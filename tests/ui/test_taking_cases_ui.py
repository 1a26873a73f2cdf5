"""Assign to me, hand back and "also open now" through the real window and keyboard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desktop_helpdesk.services.case_queries import Queue
from desktop_helpdesk.storage.records import CaseRecord
from tests.ui.conftest import OFFSCREEN_NOISE, log_case

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


def show(qtbot, window, case_id, queue=Queue.ALL_OPEN):
    """List ``queue`` (fresh) and select the case in it; wait until the panel shows it."""
    case_filter = window.current_filter()
    with qtbot.waitSignal(window.list_loaded, timeout=5000):
        if case_filter.queue is queue and not case_filter.search and case_filter.criteria is None \
                and window.queue_panel.current_queue() is queue:
            window.reload_list()
        else:
            window.queue_panel.select_queue(queue)
    assert window.select_case(case_id)
    settle(qtbot, window)
    assert window.detail.case_id == case_id


def settle(qtbot, window):
    """Wait for the reads and commands the panel runs on the pool."""
    qtbot.waitUntil(lambda: not window.pool.busy and not window.detail.busy, timeout=5000)


def press(qtbot, window, key):
    """A window shortcut, then the command it started."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    settle(qtbot, window)


def accept(qtbot, dialog):
    """OK on a command dialog, then the command it started."""
    window = dialog.parent().window()
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    settle(qtbot, window)


def test_hand_back_then_assign_to_me_by_keyboard(qtbot, window, ui):
    case = log_case(ui, "Printer offline")
    show(qtbot, window, case.id)
    detail = window.detail
    assert detail.buttons["handback"].isVisibleTo(detail) and not detail.buttons["take"].isVisibleTo(detail)
    window.activateWindow()
    press(qtbot, window, Qt.Key.Key_H)
    dialog = detail.findChild(QDialog, "handBackDialog")
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.reason, "Needs the SCORM specialist")
    accept(qtbot, dialog)
    assert CaseRecord.get_by_id(case.id).assignee_id is None
    assert detail.info["assignee"].text() == "Unassigned"
    assert detail.buttons["take"].isVisibleTo(detail)
    trail = [e for e in ui.services.cases.audit_trail(case.id) if e.action == "handed_back"]
    assert trail[0].reason == "Needs the SCORM specialist"

    press(qtbot, window, Qt.Key.Key_M)  # from the queue: no question asked
    assert CaseRecord.get_by_id(case.id).assignee_id == ui.member_id
    assert detail.message.text() == "The case is yours."
    assert "Dana Desk" in detail.info["assignee"].text()


def test_taking_a_colleagues_case_asks_why(qtbot, window, ui):
    bob = ui.services.team.add_member(ui.member_id, "bob", "Bob Agent")
    case = log_case(ui, "Course will not launch")
    ui.services.cases.reassign(ui.member_id, case.id, bob.id, reason="Bob knows SCORM")
    show(qtbot, window, case.id)
    detail = window.detail
    qtbot.mouseClick(detail.buttons["take"], Qt.MouseButton.LeftButton)
    dialog = detail.findChild(QDialog, "takeCaseDialog")
    assert "Bob Agent's" in dialog.windowTitle()
    accept(qtbot, dialog)  # no reason: refused, named
    assert detail.message.text().startswith("Reason")
    assert CaseRecord.get_by_id(case.id).assignee_id == bob.id

    qtbot.mouseClick(detail.buttons["take"], Qt.MouseButton.LeftButton)
    dialog = [d for d in detail.findChildren(QDialog, "takeCaseDialog") if d.isVisible()][0]
    qtbot.keyClicks(dialog.reason, "Bob is at lunch, caller on the line")
    accept(qtbot, dialog)
    assert CaseRecord.get_by_id(case.id).assignee_id == ui.member_id
    taken = [e for e in ui.services.cases.audit_trail(case.id) if e.action == "taken"][0]
    assert (taken.before, taken.reason) == (f"Bob Agent (#{bob.id})", "Bob is at lunch, caller on the line")


def test_header_says_who_else_has_the_case_open(qtbot, window, ui, clock):
    bob = ui.services.team.add_member(ui.member_id, "bob", "Bob Agent")
    case = log_case(ui, "Printer offline")
    ui.services.presence.heartbeat(bob.id, "WS-BOB", case.id)
    detail = window.detail
    with qtbot.waitSignal(detail.presence_updated, timeout=5000, check_params_cb=lambda n: n == 1) as shown:
        show(qtbot, window, case.id)
    assert shown.args == [1]
    assert detail.presence_label.isVisibleTo(detail)
    assert "Bob Agent on WS-BOB" in detail.presence_label.text()
    # Our own row was written by the same heartbeat: Bob sees us.
    others = ui.services.presence.viewers(case.id, member_id=bob.id, workstation="WS-BOB")
    assert [(v.member_name, v.workstation) for v in others] == [("Dana Desk", ui.workstation)]

    clock.advance(timedelta(seconds=120))  # Bob's workstation went quiet
    with qtbot.waitSignal(detail.presence_updated, timeout=5000) as shown:
        window.refresh()
    assert shown.args == [0]
    assert not detail.presence_label.isVisibleTo(detail)

    window.shutdown()  # closing the window clears our row
    assert ui.services.presence.viewers(case.id, member_id=bob.id, workstation="WS-BOB") == []
