"""Email intake in the window: import by menu and by drop, polling a real IMAP server in a
worker with the status bar, the Quarantine list's audited actions and "Show original"."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from desktop_helpdesk.services.leases import MAIL_INTAKE
from desktop_helpdesk.storage.records import AuditRecord, CaseRecord, InboundMailRecord
from desktop_helpdesk.ui import mail_intake, team_jobs
from tests.imap_server import PASSWORD, USER, running_imap_server
from tests.ui.conftest import OFFSCREEN_NOISE, settle

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)

CORPUS = Path(__file__).parent.parent / "data" / "mail"


def install(qtbot, window, **options):
    controller = mail_intake.install(window, **options)
    settle(qtbot)
    return controller


def ran_intake(outcomes) -> bool:
    return MAIL_INTAKE in outcomes


def test_import_email_from_the_toolbar_makes_cases_and_shows_what_happened(qtbot, window):
    files = [str(CORPUS / "thunderbird-new-request.eml"), str(CORPUS / "outlook-message.msg")]
    controller = install(qtbot, window, choose_files=lambda _parent: files)
    assert controller.runner is None  # no team jobs in this window: import still works

    window.findChild(type(controller.action_import), "actionImportEmail").trigger()
    qtbot.waitUntil(lambda: len(controller.last_import) == 2, timeout=10_000)
    settle(qtbot)

    message = window.statusBar().currentMessage()
    assert message.startswith("Imported 2 emails: 1 new case, 1 quarantined (2026-00001)")
    assert CaseRecord.get().subject == "Certificat non généré après le quiz"
    qtbot.waitUntil(lambda: controller.panel.model.rowCount() == 1, timeout=5000)
    qtbot.waitUntil(lambda: controller.status_label.text() == "1 quarantined", timeout=5000)


def test_an_eml_dropped_on_the_window_is_imported(qtbot, window):
    controller = install(qtbot, window)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(CORPUS / "html-only-with-remote-image.eml"))])
    target = window.windowHandle()  # the path a real drag takes: window -> widget under it
    with warnings.catch_warnings():
        # PySide6 marks the QPoint constructor deprecated but offers no QPointF one for enter.
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime,
                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    drop = QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)

    QApplication.sendEvent(target, enter)
    QApplication.sendEvent(target, drop)
    qtbot.waitUntil(lambda: len(controller.last_import) == 1, timeout=10_000)

    assert enter.isAccepted() and drop.isAccepted()
    assert CaseRecord.get().subject == "Dashboard shows wrong totals"


def test_quarantine_actions_are_audited_and_show_original_is_read_only(qtbot, window, ui):
    ui.services.settings.update(ui.member_id, mail_new_cases_per_sender_per_hour=1)
    first = CORPUS / "no-message-id.eml"
    second_raw = first.read_bytes().replace(b"Question about invoices", b"Second question")
    controller = install(qtbot, window, choose_files=lambda _p: [str(first)])
    ui.services.mail_intake.process(first.read_bytes(), mail_intake.MailSource("eml", "a.eml"))
    held = ui.services.mail_intake.process(second_raw, mail_intake.MailSource("eml", "b.eml"))
    assert held.outcome.value == "quarantined"
    panel = controller.panel
    panel.reload()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=5000)
    panel.table.selectRow(0)
    assert "Subject: Second question" in panel.headers_view.toPlainText()

    panel.open_selected()
    qtbot.waitUntil(lambda: panel.dialog is not None and panel.dialog.isVisible(), timeout=5000)
    dialog = panel.dialog
    assert dialog.fields["From"].text() == "Old Client <old.client@woodgrove.example>"
    assert dialog.fields["Date"].text().startswith("Monday 30 November 2026, 08:05")
    assert "Where can I download" in dialog.text_view.toPlainText()
    dialog.show_original_button.click()
    assert dialog.stack.currentWidget() is dialog.original_view
    assert dialog.original_view.isReadOnly()
    assert dialog.original_view.toPlainText() == second_raw.decode()
    dialog.close()

    panel.create_button.click()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0, timeout=5000)
    assert CaseRecord.select().count() == 2
    audit = AuditRecord.get(AuditRecord.action == "email_created_anyway")
    assert audit.actor_id == ui.member_id
    assert InboundMailRecord.get_by_id(held.inbound_id).quarantine_state == "released"


def test_polling_a_real_imap_server_as_a_team_job_updates_the_status_bar(qtbot, window, ui, tmp_path):
    with running_imap_server(tmp_path) as server:
        ui.services.settings.update(
            ui.member_id, imap_host="127.0.0.1", imap_port=server.port, imap_security="starttls",
            imap_username=USER)
        server.deliver((CORPUS / "thunderbird-new-request.eml").read_bytes())
        # The job verifies with the system's trusted CAs: the test's self-signed certificate
        # is refused, and that is shown as a status line, not a traceback.
        runner = team_jobs.install(window, environ={"HELPDESK_IMAP_PASSWORD": PASSWORD})
        controller = install(qtbot, window)
        assert controller.runner is runner
        assert runner.scheduler.jobs[-1].interval_seconds == 60
        with qtbot.waitSignal(runner.ran, timeout=15_000, check_params_cb=ran_intake):
            runner.run_now(MAIL_INTAKE)
        settle(qtbot)
        label = controller.status_label
        qtbot.waitUntil(lambda: label.text().startswith("Mail in: server problem"), timeout=5000)
        assert "certificate is not trusted" in label.toolTip()
        assert "this workstation" in label.toolTip()
        assert "retrying every 60 s" in controller.panel.status_line.text()
        assert CaseRecord.select().count() == 0

        ui.services.settings.update(ui.member_id, imap_security="none")
        with qtbot.waitSignal(runner.ran, timeout=15_000, check_params_cb=ran_intake):
            controller.panel.poll_button.click()
        settle(qtbot)
        qtbot.waitUntil(lambda: label.text().startswith("Mail in "), timeout=5000)
        assert CaseRecord.select().count() == 1
        assert server.uids("INBOX") == []
        runner.stop()


def test_imap_settings_in_administration(qtbot, window, ui):
    from desktop_helpdesk.ui import admin
    from desktop_helpdesk.ui.admin.admin_dialog import AdminDialog

    admin.install(window).trigger()
    dialog = window.findChild(AdminDialog, "adminDialog")
    # Loaded when Save is offered: the snapshot that enables it fills every page at once.
    qtbot.waitUntil(dialog.settings_page.save_button.isEnabled, timeout=5000)
    page = dialog.settings_page
    dialog.tabs.setCurrentWidget(page)
    assert (page.imap_port_field.text(), page.imap_folder_field.text()) == ("993", "INBOX")
    page.imap_host_field.setText("outlook.office365.com")
    page.imap_username_field.setText("support@velsoft.example")
    page.imap_auth_field.setCurrentIndex(page.imap_auth_field.findData("oauth2"))
    page.imap_client_id_field.setText("0d5e4c2a-app")
    page.poll_field.setCurrentIndex(page.poll_field.findData(120))
    page.auto_acknowledge_field.setChecked(True)
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        page.save_button.click()
        settle(qtbot)

    settings = ui.services.settings.get()
    assert settings.intake_configured and settings.imap_auth == "oauth2"
    assert (settings.imap_oauth_client_id, settings.mail_poll_seconds) == ("0d5e4c2a-app", 120)
    assert settings.mail_auto_acknowledge

    page.imap_processed_field.setText("INBOX")
    page.save_button.click()
    settle(qtbot)
    assert "Imap processed folder" in dialog.message_text()
    assert ui.services.settings.get().imap_processed_folder == "Processed"
