"""Replying from a case through the real window: Ctrl+R, the template preview, a canned reply
(Ctrl+Shift+R), a case file ticked, Send; and plainly nothing sent when email is not set up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QPushButton

from desktop_helpdesk.services.case_queries import Queue
from desktop_helpdesk.storage.records import ContactRecord, MailOutboxRecord
from tests.ui import test_admin_dialog as admin_steps
from tests.ui.conftest import OFFSCREEN_NOISE, log_case
from tests.ui.test_taking_cases_ui import settle, show

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


def configure_mail(ui):
    ui.services.settings.update(ui.member_id, smtp_host="127.0.0.1", smtp_port=2525, smtp_security="none",
                                mail_from_address="support@velsoft.example", mail_from_name="Velsoft Support")


def open_composer(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    dialog = window.detail.findChild(QDialog, "replyDialog")
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.start is not None, timeout=5000)
    return dialog


def test_compose_a_reply_with_a_canned_answer_and_a_case_file(qtbot, window, ui, clock):
    configure_mail(ui)
    case = log_case(ui, "Course player shows a blank page")
    ui.services.cases.add_attachment(ui.member_id, case.id, filename="steps.pdf", data=b"%PDF-1.4 steps",
                                     content_type="application/pdf")
    ui.services.canned_replies.add(ui.member_id, "Clear the browser cache",
                                   "Please clear your browser cache and reopen case {case_number}.", shared=True)
    clock.advance(timedelta(minutes=20))
    show(qtbot, window, case.id, Queue.ALL_OPEN)

    dialog = open_composer(qtbot, window)

    assert dialog.to_field.text() == "Carol Client <carol@acme.example>"
    assert dialog.subject_field.text() == f"[Case {case.number}] Course player shows a blank page"
    assert dialog.preview.toPlainText().startswith("Dear Carol Client,\n\n")
    assert dialog.preview.toPlainText().endswith("Kind regards,\nDana Desk\nVelsoft Support\n")
    qtbot.keyClick(dialog.body_edit, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    picker = dialog.findChild(QDialog, "cannedReplyPicker")
    assert picker is not None and picker.isVisible()
    qtbot.keyClicks(picker.filter_field, "cache")
    assert picker.preview.toPlainText() == f"Please clear your browser cache and reopen case {case.number}."
    qtbot.keyClick(picker.filter_field, Qt.Key.Key_Return)
    assert "Please clear your browser cache and reopen case {case_number}." in dialog.body_edit.toPlainText()
    assert f"Dear Carol Client,\n\nPlease clear your browser cache and reopen case {case.number}." \
        in dialog.preview.toPlainText()
    qtbot.keyClicks(dialog.cc_field, "it@acme.example")
    dialog.attachments.item(0).setCheckState(Qt.CheckState.Checked)

    with qtbot.waitSignal(dialog.sent, timeout=5000):
        qtbot.keyClick(dialog.body_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)

    row = MailOutboxRecord.get(MailOutboxRecord.kind == "reply")
    assert row.cc_addresses == "it@acme.example" and row.attachment_ids != ""
    assert f"reopen case {case.number}." in row.body
    assert "Reply queued in the mail outbox" in window.detail.message.text()
    assert window.detail.detail.row.responded_at == clock.now()
    qtbot.waitUntil(lambda: window.detail.findChild(QDialog, "replyDialog") is None, timeout=5000)


def test_a_bad_placeholder_shows_in_the_preview_and_the_refusal_names_it(qtbot, window, ui):
    configure_mail(ui)
    case = log_case(ui)
    show(qtbot, window, case.id, Queue.ALL_OPEN)
    dialog = open_composer(qtbot, window)

    dialog.body_edit.setPlainText("Your ticket {ticket_id}")

    assert dialog.preview_problem.isVisibleTo(dialog)
    assert "unknown placeholder {ticket_id}" in dialog.preview_problem.text()
    with qtbot.waitSignal(dialog.send_failed, timeout=5000) as failed:
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    assert failed.args[0].startswith("Message: unknown placeholder {ticket_id}")
    assert dialog.isVisible() and MailOutboxRecord.select().count() == 0
    dialog.reject()


def test_without_email_set_up_the_composer_says_so_and_cannot_send(qtbot, window, ui):
    case = log_case(ui)
    show(qtbot, window, case.id, Queue.ALL_OPEN)

    dialog = open_composer(qtbot, window)

    assert dialog.problem_bar.isVisibleTo(dialog)
    assert "Email is not set up" in dialog.problem_bar.text() and "nothing can be sent" in dialog.problem_bar.text()
    assert not dialog.send_button.isEnabled()
    assert not dialog.send()
    assert MailOutboxRecord.select().count() == 0
    dialog.reject()


def test_a_canned_reply_goes_into_a_note_with_the_case_fields_filled(qtbot, window, ui):
    case = log_case(ui, "Printer offline")
    ui.services.canned_replies.add(ui.member_id, "Called, no answer", "Called {contact_name}, left a voicemail.")
    show(qtbot, window, case.id, Queue.ALL_OPEN)
    detail = window.detail
    detail.summary_edit.setFocus()

    qtbot.keyClick(detail.summary_edit, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: detail.findChild(QDialog, "cannedReplyPicker") is not None, timeout=5000)
    picker = detail.findChild(QDialog, "cannedReplyPicker")
    qtbot.keyClick(picker.filter_field, Qt.Key.Key_Return)

    assert detail.summary_edit.toPlainText() == "Called Carol Client, left a voicemail."


def test_reply_and_canned_reply_keys_are_in_the_shortcuts_help(qtbot, window):
    from desktop_helpdesk.ui.dialogs.shortcuts_dialog import ShortcutsDialog

    dialog = ShortcutsDialog(window)
    rows = {(dialog.table.item(r, 0).text(), dialog.table.item(r, 1).text()) for r in range(dialog.table.rowCount())}

    assert ("Ctrl+R", "Reply") in rows
    assert any(keys == "Ctrl+Shift+R" and "canned reply" in what for keys, what in rows)


def test_admin_edits_the_acknowledgement_a_bad_placeholder_is_refused_and_previewed(qtbot, window, ui):

    configure_mail(ui)
    case = log_case(ui, "Course player shows a blank page")
    dialog = admin_steps.open_dialog(qtbot, window, "email_templates")
    page = dialog.email_templates_page
    page.select_kind("acknowledgement")
    assert page.editor.toPlainText().startswith("Dear {contact_name},\n\nThank you for contacting")
    assert page.state_label.text() == "built-in text"

    page.editor.setPlainText("Hi {contact_first_name}, case {case_number} is logged ({ticket_url}).")
    admin_steps.wait_refused(qtbot, dialog, lambda: admin_steps.click(qtbot, page.save_button))

    assert dialog.message_is_error()
    assert dialog.message_text().startswith("Text: unknown placeholder {ticket_url}")
    with qtbot.waitSignal(page.preview_failed, timeout=5000) as failed:
        admin_steps.click(qtbot, page.preview_button)
    assert "unknown placeholder {ticket_url}" in failed.args[0]

    page.editor.setPlainText("Hi {contact_first_name}, case {case_number} is logged; we respond by {respond_due}.")
    qtbot.keyClicks(page.case_field, case.number)
    with qtbot.waitSignal(page.previewed, timeout=5000):
        qtbot.keyClick(page.case_field, Qt.Key.Key_Return)
    assert page.preview_text.toPlainText().startswith(f"Hi Carol, case {case.number} is logged; we respond by ")
    assert f"[Case {case.number}] Course player shows a blank page" in page.preview_heading.text()
    admin_steps.wait_reload(qtbot, dialog, lambda: admin_steps.click(qtbot, page.save_button))
    assert page.state_label.text() == "edited by the team"

    ui.services.cases.send_acknowledgement(ui.member_id, case.id)
    row = MailOutboxRecord.get(MailOutboxRecord.kind == "acknowledgement")
    assert row.body.startswith(f"Hi Carol, case {case.number} is logged; we respond by ")

    admin_steps.wait_reload(qtbot, dialog, lambda: admin_steps.click(qtbot, page.restore_button))
    assert page.state_label.text() == "built-in text"
    assert page.editor.toPlainText().startswith("Dear {contact_name},")


def test_team_and_personal_canned_replies_are_kept_in_administration(qtbot, window, ui):

    dialog = admin_steps.open_dialog(qtbot, window, "canned_replies")
    page = dialog.canned_replies_page
    assert page.shared_box.isEnabled()  # Dana is an admin
    admin_steps.type_into(qtbot, page.title_field, "Clear the cache")
    page.body_field.setPlainText("Hi {contact_first_name}, please clear the browser cache.")
    page.shared_box.setChecked(True)
    admin_steps.wait_reload(qtbot, dialog, lambda: admin_steps.click(qtbot, page.add_button))
    admin_steps.type_into(qtbot, page.title_field, "Sign-off")
    page.body_field.setPlainText("Cheers, {nickname}")
    page.shared_box.setChecked(False)
    admin_steps.wait_refused(qtbot, dialog, lambda: admin_steps.click(qtbot, page.add_button))
    assert dialog.message_text().startswith("Text: unknown placeholder {nickname}")
    page.body_field.setPlainText("Cheers, {agent_name}")
    admin_steps.wait_reload(qtbot, dialog, lambda: admin_steps.click(qtbot, page.add_button))

    assert admin_steps.table_texts(page.table) == ["Clear the cache", "Sign-off"]
    assert admin_steps.table_texts(page.table, 1) == ["The team", "Me"]
    assert [r.title for r in ui.services.canned_replies.list_for(ui.member_id)] == ["Clear the cache", "Sign-off"]


def test_a_bounced_address_is_marked_in_the_contact_editor_and_the_composer_until_corrected(qtbot, window, ui, clock):
    from tests.ui.test_contacts_ui import open_editor

    configure_mail(ui)
    case = log_case(ui, "Printer offline")
    # What mail intake records when a bounce for this address comes back (tested in test_mail_intake).
    ContactRecord.update(email_failing_at=clock.now(), email_failing_reason="550 5.1.1 user unknown").execute()
    show(qtbot, window, case.id, Queue.ALL_OPEN)

    composer = open_composer(qtbot, window)
    assert composer.failing_mark.isVisibleTo(composer)
    assert "550 5.1.1 user unknown" in composer.failing_mark.text()
    composer.reject()
    editor = open_editor(qtbot, window)
    assert editor.failing.isVisibleTo(editor) and "550 5.1.1 user unknown" in editor.failing.text()

    editor.email.setText("carol.client@acme.example")
    with qtbot.waitSignal(editor.loaded, timeout=5000):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)

    assert not editor.failing.isVisibleTo(editor)
    assert ContactRecord.get().email_failing_reason == ""
    editor.reject()
    settle(qtbot, window)
    composer = open_composer(qtbot, window)
    assert composer.to_field.text() == "Carol Client <carol.client@acme.example>"
    assert not composer.failing_mark.isVisibleTo(composer)
    composer.reject()


def test_an_unsent_reply_is_kept_as_a_draft_and_forgotten_once_sent(qtbot, window, ui):
    from desktop_helpdesk.services.drafts import reply_key

    configure_mail(ui)
    case = log_case(ui)
    show(qtbot, window, case.id, Queue.ALL_OPEN)
    dialog = open_composer(qtbot, window)
    qtbot.keyClicks(dialog.body_edit, "The printer driver update is on its way.")
    qtbot.keyClicks(dialog.cc_field, "it@acme.example")

    dialog.reject()  # Cancel: what was typed is kept
    settle(qtbot, window)

    assert ui.drafts.load(ui.member_id, reply_key(case.id)) is not None
    dialog = open_composer(qtbot, window)
    assert "The printer driver update is on its way." in dialog.body_edit.toPlainText()
    assert dialog.cc_field.text() == "it@acme.example"
    assert "Your unsent reply from" in dialog.message_text()
    with qtbot.waitSignal(dialog.sent, timeout=5000):
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert ui.drafts.load(ui.member_id, reply_key(case.id)) is None
    assert "The printer driver update is on its way." in MailOutboxRecord.get().body


def test_an_agent_keeps_personal_canned_replies_from_the_picker(qtbot, make_window, ui):
    from desktop_helpdesk.ui.dialogs.canned_replies_dialog import CannedRepliesDialog

    configure_mail(ui)
    agent = ui.services.team.add_member(ui.member_id, "alice", "Alice Agent")
    agent_ui = admin_steps.context_for(agent, ui)
    case = log_case(ui, "Printer offline")
    window = make_window(agent_ui)
    show(qtbot, window, case.id, Queue.ALL_OPEN)
    composer = open_composer(qtbot, window)
    picker = composer.open_canned_picker()
    assert picker.empty_note.isVisibleTo(picker) and picker.list.count() == 0

    qtbot.mouseClick(picker.findChild(QPushButton, "cannedManageButton"), Qt.MouseButton.LeftButton)
    manager = composer.findChild(CannedRepliesDialog)
    # Once the list is read, the team box turns off: the team's replies are for supervisors.
    qtbot.waitUntil(lambda: not manager.page.shared_box.isEnabled(), timeout=5000)
    admin_steps.type_into(qtbot, manager.page.title_field, "Driver link")
    manager.page.body_field.setPlainText("Hi {contact_first_name}, the driver is at https://example.com/d.")
    with qtbot.waitSignal(manager.loaded, timeout=5000):
        admin_steps.click(qtbot, manager.page.add_button)
    assert manager.message_text() == "Canned reply \u201cDriver link\u201d added."
    manager.reject()
    qtbot.waitUntil(lambda: len(composer.start.canned) == 1, timeout=5000)

    picker = composer.open_canned_picker()
    assert picker.list.count() == 1 and picker.list.item(0).text() == "Driver link  (mine)"
    assert picker.preview.toPlainText() == "Hi Carol, the driver is at https://example.com/d."
    composer.reject()
