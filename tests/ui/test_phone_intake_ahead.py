"""The window's intake is built ahead and reused: no earlier call, older draft or lost draft."""

import threading

import pytest
from PySide6.QtCore import QEvent, QObject, Qt, QTimer

from desktop_helpdesk.services.contacts import NewContact
from desktop_helpdesk.services.drafts import INTAKE_KEY
from desktop_helpdesk.ui.dialogs.phone_intake import PhoneIntakeDialog
from tests.ui.conftest import OFFSCREEN_NOISE, leave_a_new_caller_draft, log_case, settle

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


def _prepared(qtbot, window) -> PhoneIntakeDialog:
    qtbot.waitUntil(lambda: window.findChild(PhoneIntakeDialog, "phoneIntakeDialog") is not None, timeout=5000)
    return window.findChild(PhoneIntakeDialog, "phoneIntakeDialog")


def _hold_the_pool(window) -> threading.Event:
    """Both pool threads wait until the event is set: what the form asks for meanwhile queues."""
    release = threading.Event()
    for _ in range(2):
        window.pool.submit(release.wait, 10, on_finished=lambda _result: None)
    return release


def _draft_timer(dialog) -> QTimer:
    return dialog.findChild(QTimer, "intakeDraftTimer")


class _Paints(QObject):
    """Which of the watched widgets were painted."""

    def __init__(self, *widgets):
        super().__init__()
        self.painted = []
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            self.painted.append(watched)
        return False


def test_opening_the_intake_does_not_repaint_the_window_s_lists(qtbot, window):
    """Deactivating the window made every item view repaint its whole viewport."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    settle(qtbot)
    queues = window.queue_panel.list.viewport()
    paints = _Paints(queues, window.list_title)
    dialog = window.open_phone_intake()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    # The window paints what is pending in one pass: the title asked now, and a list if asked.
    window.list_title.update()
    qtbot.waitUntil(lambda: window.list_title in paints.painted, timeout=5000)
    assert queues not in paints.painted
    dialog.reject()


def test_the_intake_is_built_a_piece_per_pause_of_the_window(qtbot, window, ui):
    pauses = []
    window.findChild(QTimer, "intakePrepareTimer").timeout.connect(lambda: pauses.append(1))
    prepared = _prepared(qtbot, window)
    qtbot.waitUntil(lambda: prepared.built, timeout=5000)
    # The form came in several pieces, one per pause of the event loop, never all at once.
    assert len(pauses) >= 4

    # A dialog opened before its last piece is finished on the spot and works.
    early = PhoneIntakeDialog(ui, window, pool=window.pool, reusable=True)
    assert not early.construct_step() and not early.built
    early.begin_call()
    early.open()
    assert early.built
    qtbot.waitUntil(lambda: early.focusWidget() is early.caller_field)
    qtbot.keyClicks(early.subject_field, "Half-built form")
    qtbot.waitUntil(lambda: not _draft_timer(early).isActive())
    settle(qtbot)
    assert ui.drafts.load(ui.member_id, INTAKE_KEY).fields["subject"] == "Half-built form"
    early.reject()


def test_ctrl_n_opens_the_intake_built_while_the_desk_was_idle(qtbot, window):
    prepared = _prepared(qtbot, window)
    assert not prepared.isVisible()
    qtbot.keyClick(window.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    # Opening built nothing: the form built in the pause after the first list is the one shown.
    assert window.findChildren(PhoneIntakeDialog) == [prepared]
    assert prepared.isVisible()
    qtbot.waitUntil(lambda: prepared.focusWidget() is prepared.caller_field)
    prepared.reject()


def test_a_reused_intake_restores_the_whole_draft_then_starts_the_next_call_empty(qtbot, window, ui):
    dialog = leave_a_new_caller_draft(qtbot, window)

    again = window.open_phone_intake()
    assert again is dialog
    # Emptied at once; the draft comes back from the database, whole.
    assert again.subject_field.text() == "" and again.priority_field.currentData() == "medium"
    assert not again.new_contact_box.isVisibleTo(again)
    qtbot.waitUntil(lambda: again.subject_field.text() == "Whole school cannot sign in")
    assert again.priority_field.currentData() == "high"
    assert again.channel_field.currentData() == "email"
    assert again.new_contact_box.isVisibleTo(again)
    assert again.new_name.text() == "Nora Newcaller"
    assert again.client_field.currentText() == "Bishop Labs"
    assert again.draft_note.isVisibleTo(again)

    with qtbot.waitSignal(again.case_logged):
        assert again.log_case()
    qtbot.mouseClick(again.done_button, Qt.MouseButton.LeftButton)
    settle(qtbot)

    # The next caller sees nothing of Nora's call, and no draft comes back.
    third = window.open_phone_intake()
    settle(qtbot)
    assert third.pages.currentIndex() == 0 and third.log_button.isEnabled()
    assert (third.caller_field.text(), third.subject_field.text(), third.new_name.text()) == ("", "", "")
    assert third.priority_field.currentData() == "medium"
    assert third.channel_field.currentData() == "phone" and third.live_call_field.isChecked()
    assert not third.new_contact_box.isVisibleTo(third)
    assert not third.draft_note.isVisibleTo(third)
    assert third.contact_label.text() == "No caller chosen yet"
    assert third.windowTitle() == "Log a call"
    assert ui.drafts.load(ui.member_id, INTAKE_KEY) is None
    third.reject()


def test_answers_for_the_call_before_do_not_reach_the_reused_intake(qtbot, window, ui):
    log_case(ui, "Old problem", caller=NewContact(
        name="Mona Lisa", email="mona@louvre.example", phone="902 555 0199", client_name="Louvre"))
    dialog = window.open_phone_intake()
    settle(qtbot)
    release = _hold_the_pool(window)
    qtbot.keyClicks(dialog.caller_field, "555 0199")
    qtbot.waitUntil(lambda: not dialog.findChild(QTimer, "contactLookupTimer").isActive())
    dialog.reject()  # the look-up for Mona waits for a thread still

    again = window.open_phone_intake()
    # Typing before the saved call arrives: what is typed wins.
    qtbot.keyClicks(again.subject_field, "Printer jam")
    release.set()
    settle(qtbot)
    qtbot.waitUntil(lambda: not _draft_timer(again).isActive())
    settle(qtbot)
    assert again.matches.count() == 0 and not again.matches.isVisibleTo(again)
    assert again.caller_field.text() == "" and again.subject_field.text() == "Printer jam"
    again.reject()


def test_closing_and_reopening_at_once_restores_the_last_text_never_an_older_one(qtbot, window, ui):
    dialog = window.open_phone_intake()
    settle(qtbot)
    release = _hold_the_pool(window)
    qtbot.keyClicks(dialog.subject_field, "Printer jam")
    qtbot.waitUntil(lambda: not _draft_timer(dialog).isActive())  # its save waits for a thread
    qtbot.keyClicks(dialog.subject_field, " on floor two")
    dialog.reject()  # the last text is saved on the way out, after the first save

    again = window.open_phone_intake()
    release.set()
    qtbot.waitUntil(lambda: again.draft_note.isVisibleTo(again), timeout=5000)
    settle(qtbot)
    assert again.subject_field.text() == "Printer jam on floor two"
    assert ui.drafts.load(ui.member_id, INTAKE_KEY).fields["subject"] == "Printer jam on floor two"
    again.reject()


def test_closing_the_window_keeps_a_draft_the_prepared_intake_never_showed(qtbot, window, ui):
    ui.drafts.save(ui.member_id, INTAKE_KEY, {"subject": "Left from yesterday"})
    _prepared(qtbot, window)
    window.shutdown()
    assert ui.drafts.load(ui.member_id, INTAKE_KEY).fields["subject"] == "Left from yesterday"
