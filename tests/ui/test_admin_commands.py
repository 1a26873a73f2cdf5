"""Administration's commands run on the worker pool: the window's thread stays free while a save
waits behind another workstation's write, the page is busy meanwhile, and refusals and failures
land in the message bar with nothing half-written."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt, QTimer

from desktop_helpdesk.storage.records import AuditRecord, CannedReplyRecord, CategoryRecord
from desktop_helpdesk.ui.admin.pages import SAVING_TEXT
from desktop_helpdesk.ui.dialogs.canned_replies_dialog import CannedRepliesDialog
from tests.ui.conftest import OFFSCREEN_NOISE
from tests.ui.test_admin_dialog import click, open_dialog, type_into, wait_refused, wait_reload

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


@pytest.fixture
def other_workstation(db_path):
    """Another workstation's connection to the same file, holding the write lock until released."""
    connection = sqlite3.connect(str(db_path), isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    yield connection
    if connection.in_transaction:
        connection.rollback()
    connection.close()


def window_thread_answers(qtbot) -> None:
    """The window's thread runs a timer it was given: it is not stuck in a query."""
    fired = []
    QTimer.singleShot(0, lambda: fired.append(True))
    qtbot.waitUntil(lambda: fired == [True], timeout=1000)


def test_a_save_waiting_on_another_workstation_leaves_the_window_free(qtbot, window, other_workstation):
    dialog = open_dialog(qtbot, window, "categories")
    page = dialog.categories_page
    type_into(qtbot, page.name_field, "SCORM")

    # On the window's thread this click would wait out the 10 s busy timeout behind the lock.
    click(qtbot, page.add_button)
    assert dialog.message_text() == SAVING_TEXT and not dialog.message_is_error()
    assert page.is_busy() and not page.add_button.isEnabled() and not page.rename_button.isEnabled()
    window_thread_answers(qtbot)
    # A second Enter while the first save waits starts nothing.
    qtbot.keyClick(page.name_field, Qt.Key.Key_Return)
    assert dialog.commands.busy

    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        other_workstation.rollback()  # the other workstation is done: the save goes through
    assert [c.name for c in CategoryRecord.select()] == ["SCORM"]
    assert AuditRecord.select().where(AuditRecord.entity == "category").count() == 1
    assert dialog.message_text() == "Category \u201cSCORM\u201d added."
    assert not page.is_busy() and page.add_button.isEnabled()
    assert page.name_field.text() == ""


def test_settings_save_waits_off_the_window_thread_too(qtbot, window, ui, other_workstation):
    dialog = open_dialog(qtbot, window, "settings")
    page = dialog.settings_page
    page.strategy_field.setCurrentIndex(page.strategy_field.findData("least_workload"))
    click(qtbot, page.save_button)
    assert dialog.message_text() == SAVING_TEXT
    assert not page.save_button.isEnabled() and not page.revert_button.isEnabled()
    window_thread_answers(qtbot)
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        other_workstation.rollback()
    assert ui.services.settings.get().assignment_strategy.value == "least_workload"
    assert page.save_button.isEnabled()


def test_a_refusal_names_the_field_and_leaves_the_page_usable(qtbot, window):
    dialog = open_dialog(qtbot, window, "categories")
    page = dialog.categories_page
    type_into(qtbot, page.name_field, "   ")
    wait_refused(qtbot, dialog, lambda: qtbot.keyClick(page.name_field, Qt.Key.Key_Return))
    assert dialog.message_is_error() and dialog.message_text().startswith("Category: ")
    assert "Traceback" not in dialog.message_text()
    assert page.name_field.hasFocus()
    assert not page.is_busy() and page.add_button.isEnabled()
    assert not CategoryRecord.select().exists()
    assert not AuditRecord.select().where(AuditRecord.entity == "category").exists()


def test_a_failure_that_is_no_refusal_is_one_sentence_pointing_at_the_log(qtbot, window, tmp_path):
    dialog = open_dialog(qtbot, window, "categories")
    page = dialog.categories_page
    missing = tmp_path / "gone.txt"
    with qtbot.waitSignal(dialog.commands.settled, timeout=5000) as settled:
        assert dialog.commands.run(page, "never said", missing.read_text)
    assert settled.args == [False]
    text = dialog.message_text()
    assert dialog.message_is_error()
    assert text.startswith("Not saved (") and "the log file" in text and "Traceback" not in text
    assert not page.is_busy() and page.add_button.isEnabled()


def test_canned_replies_dialog_saves_on_the_pool_and_selects_the_new_reply(qtbot, window, ui, other_workstation):
    manager = CannedRepliesDialog(ui, window.pool, window)
    qtbot.addWidget(manager)
    # Reading is not held up by the other workstation's write (write-ahead log).
    qtbot.waitUntil(lambda: not window.pool.busy, timeout=5000)
    page = manager.page
    type_into(qtbot, page.title_field, "Clear the cache")
    page.body_field.setPlainText("Hi {contact_first_name}, please clear the cache.")
    click(qtbot, page.add_button)
    assert manager.message_text() == SAVING_TEXT and not page.add_button.isEnabled()
    window_thread_answers(qtbot)
    with qtbot.waitSignal(manager.loaded, timeout=5000):
        other_workstation.rollback()
    assert [r.title for r in CannedReplyRecord.select()] == ["Clear the cache"]
    assert page.selected_reply().title == "Clear the cache"
    wait_reload(qtbot, manager, lambda: click(qtbot, page.retire_button))
    assert page.retire_button.text() == "Offer again"
    manager.done(0)
