"""The contact editor through the real window (Ctrl+Shift+K) and changing a case's contact."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop_helpdesk.storage.records import CaseRecord, ContactRecord
from tests.ui.conftest import OFFSCREEN_NOISE, log_case
from tests.ui.test_taking_cases_ui import settle, show

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


def open_editor(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    from desktop_helpdesk.ui.dialogs.contact_dialog import ContactDialog

    dialog = window.detail.findChild(ContactDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.details is not None, timeout=5000)
    return dialog


def test_edit_the_caller_from_the_case(qtbot, window, ui):
    case = log_case(ui, "Printer offline")
    show(qtbot, window, case.id)
    dialog = open_editor(qtbot, window)
    assert dialog.name.text() == "Carol Client"
    dialog.other_phones.setPlainText("902 555 0199\n")
    dialog.notes.setPlainText("Call before noon")
    dialog.email.setText("not an address")
    with qtbot.waitSignal(dialog.command_finished, timeout=5000) as done:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert done.args == [False] and dialog.message.text().startswith("Email")
    dialog.email.setText("carol@acme.example")
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    contact = ContactRecord.get()
    assert contact.notes == "Call before noon"
    assert [m.contact_id for m in ui.services.contacts.find_contacts("902 555 0199")] == [contact.id]
    # Deactivating keeps the case's history; the agent (an admin here) can also merge.
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        qtbot.mouseClick(dialog.active_button, Qt.MouseButton.LeftButton)
    assert not ContactRecord.get().active and dialog.active_button.text() == "Reactivate"
    assert "(deactivated)" in dialog.title.text()
    dialog.reject()


def test_merge_a_duplicate_caller_and_change_a_cases_contact(qtbot, window, ui):
    case = log_case(ui, "Printer offline")
    duplicate = ui.services.contacts.create_contact(ui.member_id, case.client_id, "Carol C.",
                                                    email="carol.c@acme.example")
    second = ui.services.cases.log_case(ui.member_id, subject="Again", channel="email",
                                        contact_id=duplicate.contact_id)
    show(qtbot, window, second.id)
    dialog = open_editor(qtbot, window)
    assert dialog.merge_into.currentText() == "Carol Client"
    dialog.reason.setText("Same person")
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        qtbot.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)
    assert dialog.details.name == "Carol Client" and dialog.details.other_emails == ("carol.c@acme.example",)
    assert CaseRecord.get_by_id(second.id).contact_id == case.contact_id
    dialog.reject()
    settle(qtbot, window)

    other = ui.services.contacts.create_contact(ui.member_id, case.client_id, "Dave Client")
    show(qtbot, window, case.id)
    detail = window.detail
    detail.reload()
    settle(qtbot, window)
    detail.contact_field.setCurrentIndex(detail.contact_field.findData(other.contact_id))
    qtbot.mouseClick(detail.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert CaseRecord.get_by_id(case.id).contact_id == other.contact_id
    assert detail.info["contact"].text().startswith("\u2068Dave Client")
