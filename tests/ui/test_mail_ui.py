"""Client email from the window: resolve with "Email the resolution", send an acknowledgement,
SMTP settings in Administration; the worker delivers to a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desktop_helpdesk.services.contacts import NewContact
from desktop_helpdesk.storage.records import MailOutboxRecord
from desktop_helpdesk.ui import admin, team_jobs
from desktop_helpdesk.ui.admin.admin_dialog import AdminDialog
from desktop_helpdesk.ui.team_jobs import JobStatus, TeamJobRunner
from tests.smtp_server import free_port, running_smtp_server
from tests.ui.conftest import OFFSCREEN_NOISE, log_case, settle

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


@pytest.fixture
def smtp_server():
    with running_smtp_server() as server:
        yield server


def configure_mail(ui, port):
    ui.services.settings.update(
        ui.member_id, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none",
        mail_from_address="support@velsoft.example", mail_from_name="Velsoft Support",
    )


def install_mail(qtbot, window) -> TeamJobRunner:
    runner = team_jobs.install(window, environ={})
    qtbot.waitUntil(lambda: runner.last_run_at is not None, timeout=5000)  # the pass run at install
    return runner


def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    settle(qtbot)


def test_resolve_with_email_checkbox_delivers_the_resolution(qtbot, window, ui, smtp_server):
    configure_mail(ui, smtp_server.port)
    logged = log_case(ui, "Course player shows a blank page")
    runner = install_mail(qtbot, window)
    assert runner.scheduler.jobs[1].interval_seconds == 30
    detail = window.detail
    detail.load_case(logged.id)
    settle(qtbot)

    click(qtbot, detail.buttons["resolve"])
    settle(qtbot)
    dialog = window.findChild(QDialog, "resolveDialog")
    assert dialog.told_via.currentData() == "email"
    assert dialog.email_client.isVisibleTo(dialog) and dialog.email_client.isChecked()
    assert dialog.email_client.text() == "Email the resolution to carol@acme.example"
    qtbot.keyClicks(dialog.summary, "Cleared the CDN cache; the player loads again")
    click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    settle(qtbot)

    assert detail.detail.status == "resolved"
    qtbot.waitUntil(lambda: len(smtp_server.messages) == 1, timeout=5000)
    message = smtp_server.messages[0]
    assert message["To"] == "Carol Client <carol@acme.example>"
    assert message["Subject"] == f"[Case {logged.number}] Course player shows a blank page"
    assert "Cleared the CDN cache; the player loads again" in message.get_content()
    qtbot.waitUntil(lambda: not runner.running, timeout=5000)
    status = window.findChild(JobStatus, "mailStatus")
    qtbot.waitUntil(lambda: "1 sent" in status.label.text(), timeout=5000)
    assert status.isVisible() and "0 waiting" in status.label.text()
    assert MailOutboxRecord.get().sent_at is not None


def test_checkbox_hides_for_phone_and_unchecked_sends_nothing(qtbot, window, ui, smtp_server):
    configure_mail(ui, smtp_server.port)
    logged = log_case(ui)
    window.detail.load_case(logged.id)
    settle(qtbot)
    click(qtbot, window.detail.buttons["resolve"])
    settle(qtbot)
    dialog = window.findChild(QDialog, "resolveDialog")
    dialog.told_via.setCurrentIndex(dialog.told_via.findData("phone"))
    assert not dialog.email_client.isVisibleTo(dialog)
    assert dialog.values()["email_client"] is False
    dialog.told_via.setCurrentIndex(dialog.told_via.findData("email"))
    dialog.email_client.setChecked(False)
    qtbot.keyClicks(dialog.summary, "Fixed on the call")
    click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    settle(qtbot)
    assert window.detail.detail.status == "resolved"
    assert MailOutboxRecord.select().count() == 0


def test_no_checkbox_when_email_is_not_set_up_or_contact_has_no_address(qtbot, window, ui):
    logged = log_case(ui)
    window.detail.load_case(logged.id)
    settle(qtbot)
    assert not window.detail.buttons["acknowledge"].isVisibleTo(window.detail)
    click(qtbot, window.detail.buttons["resolve"])
    settle(qtbot)
    dialog = window.findChild(QDialog, "resolveDialog")
    dialog.told_via.setCurrentIndex(dialog.told_via.findData("email"))
    assert not dialog.email_client.isVisibleTo(dialog)
    dialog.reject()

    configure_mail(ui, free_port())
    no_email = log_case(ui, "Fax", caller=NewContact(name="Pat Phone", phone="902 555 0199",
                                                       client_name="Acme Learning"))
    window.detail.load_case(no_email.id)
    settle(qtbot)
    assert not window.detail.buttons["acknowledge"].isVisibleTo(window.detail)


def test_send_acknowledgement_button_meets_the_target_and_delivers(qtbot, window, ui, clock, smtp_server):
    configure_mail(ui, smtp_server.port)
    logged = log_case(ui, "Certificate emails bounce")
    runner = install_mail(qtbot, window)
    detail = window.detail
    detail.load_case(logged.id)
    settle(qtbot)
    # Offered as a button, or in "More" when the pane is too narrow for it.
    assert detail.command_available("acknowledge")

    detail.command_actions["acknowledge"].trigger()
    settle(qtbot)

    assert detail.detail.row.acknowledged_at == clock.now()
    assert detail.countdowns[next(iter(detail.countdowns))].state_words() == "Met"
    assert not detail.command_available("acknowledge")
    assert not detail.buttons["acknowledge"].isVisibleTo(detail)
    assert detail.message.text() == "Acknowledgement email queued for carol@acme.example."
    qtbot.waitUntil(lambda: len(smtp_server.messages) == 1, timeout=5000)
    assert f"We have logged your request as case {logged.number}" in smtp_server.messages[0].get_content()
    qtbot.waitUntil(lambda: not runner.running, timeout=5000)


def test_unreachable_server_shows_a_friendly_status_and_keeps_the_email(qtbot, window, ui):
    configure_mail(ui, free_port())
    logged = log_case(ui)
    ui.services.cases.send_acknowledgement(ui.member_id, logged.id)
    runner = team_jobs.build_runner(window, environ={})
    status = JobStatus(runner, "mail-send", "Email", ui.desk_zone, None, window.statusBar(), name="mailStatus")
    window.statusBar().addPermanentWidget(status)
    with qtbot.waitSignal(runner.ran, timeout=10_000) as blocker:
        runner.start()
    report = blocker.args[0]["mail-send"].report
    assert (report.counters["failed"], report.counters["pending"]) == (1, 1)
    assert status.label.text().endswith("1 not sent · 1 waiting")
    assert "refused" in status.label.toolTip() and "Traceback" not in status.label.toolTip()
    row = MailOutboxRecord.get()
    assert row.sent_at is None and row.attempts == 1
    runner.stop()


def test_smtp_settings_in_administration(qtbot, window, ui):
    action = admin.install(window)
    action.trigger()
    dialog = window.findChild(AdminDialog, "adminDialog")
    # Loaded when Save is offered: the snapshot that enables it fills every page at once.
    qtbot.waitUntil(dialog.settings_page.save_button.isEnabled, timeout=5000)
    page = dialog.settings_page
    dialog.tabs.setCurrentWidget(page)
    assert page.smtp_port_field.text() == "587"
    assert "HELPDESK_SMTP_PASSWORD" in page.password_hint.text()
    page.smtp_host_field.setText("smtp.velsoft.example")
    page.smtp_port_field.setText("465")
    page.smtp_security_field.setCurrentIndex(page.smtp_security_field.findData("ssl"))
    page.smtp_username_field.setText("helpdesk")
    page.mail_from_address_field.setText("support@velsoft.example")
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        click(qtbot, page.save_button)
        settle(qtbot)

    settings = ui.services.settings.get()
    assert (settings.smtp.host, settings.smtp.port, settings.smtp.security) == ("smtp.velsoft.example", 465, "ssl")
    assert (settings.smtp.username, settings.mail_from_address) == ("helpdesk", "support@velsoft.example")
    assert settings.mail_configured

    page.mail_from_address_field.setText("not an address")
    click(qtbot, page.save_button)
    settle(qtbot)
    assert "Mail from address" in dialog.message_text()
    assert ui.services.settings.get().mail_from_address == "support@velsoft.example"
