"""The team jobs in the window: one runner on the worker pool, under leases, with the
status bar saying who delivers and how the last round went."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel

from desktop_helpdesk.services.jobs import JobReport
from desktop_helpdesk.services.leases import (
    CRM_DELIVERY,
    MAIL_SEND,
    HolderIdentity,
    LeaseService,
    current_holder,
)
from desktop_helpdesk.storage.records import CrmOutboxRecord
from desktop_helpdesk.ui import team_jobs
from desktop_helpdesk.ui.team_jobs import JobStatus, TeamJobRunner, describe_report
from tests.conftest import halifax
from tests.ui.conftest import OFFSCREEN_NOISE, log_case

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


@pytest.fixture
def drop(tmp_path):
    return tmp_path / "crm-drop"


def install(qtbot, window) -> TeamJobRunner:
    """Install the runner and wait until its first pass (it runs once on start) is over."""
    runner = team_jobs.install(window, environ={})
    assert window.findChild(TeamJobRunner, "teamJobRunner") is runner
    qtbot.waitUntil(lambda: runner.last_run_at is not None, timeout=5000)
    return runner


def outbox_unsent():
    return CrmOutboxRecord.select().where(CrmOutboxRecord.sent_at.is_null()).count()


def test_timer_slot_delivers_in_a_worker_and_the_status_bar_says_who_delivers(qtbot, window, ui, drop, clock):
    runner = install(qtbot, window)  # no folder yet: the first pass writes nothing
    status = window.findChild(JobStatus, "crmSyncStatus")
    holder = window.findChild(QLabel, "deliveriesHolderLabel")
    assert not status.isVisible()
    assert holder.isVisible() and holder.text() == "Deliveries: this workstation"
    assert current_holder(CRM_DELIVERY).label == "Dana Desk's window"
    assert runner.timer.objectName() == "teamJobTimer" and runner.timer.isActive()

    ui.services.settings.update(ui.member_id, crm_drop_folder=str(drop))
    first, second = log_case(ui, "Printer offline"), log_case(ui, "VPN down")
    pending = outbox_unsent()
    assert pending >= 2
    clock.set(halifax(2026, 11, 25, 9, 42))
    runner.scheduler.request(CRM_DELIVERY)
    with qtbot.waitSignal(runner.ran, timeout=5000) as blocker:
        runner.timer.timeout.emit()  # the interval is up
        assert runner.running
    outcome = blocker.args[0][CRM_DELIVERY]
    assert outcome.held and outcome.report.counters == {"sent": pending, "failed": 0, "pending": 0, "parked": 0}
    assert not runner.running
    files = sorted(drop.glob("*.json"))
    assert len(files) == pending
    assert {first.number, second.number} <= {path.name.split("-", 1)[1][:10] for path in files}
    assert all("event" in json.loads(path.read_text(encoding="utf-8")) for path in files)
    assert outbox_unsent() == 0
    assert status.isVisible() and status.label.text() == f"CRM 09:42 · {pending} sent · 0 waiting"


def test_another_workstation_holding_the_lease_is_named_and_nothing_is_sent_here(qtbot, window, ui, drop):
    other = LeaseService(HolderIdentity("desk-08", 999, "Eve Agent's window", "desk-08/999/x"), ui.clock,
                         process_exists=lambda _pid: True)
    assert other.acquire(CRM_DELIVERY) and other.acquire(MAIL_SEND)
    ui.services.settings.update(ui.member_id, crm_drop_folder=str(drop))
    log_case(ui)
    runner = install(qtbot, window)
    holder = window.findChild(QLabel, "deliveriesHolderLabel")
    assert holder.text() == "Deliveries: Eve Agent's window on desk-08"
    action = window.findChild(QAction, "actionCrmSync")
    with qtbot.waitSignal(runner.ran, timeout=5000):
        action.trigger()
    assert "CRM delivery is run by Eve Agent's window on desk-08" in window.statusBar().currentMessage()
    assert outbox_unsent() >= 1 and not drop.exists()


def test_sync_now_action_and_a_failing_folder(qtbot, window, ui, drop):
    runner = install(qtbot, window)
    action = window.findChild(QAction, "actionCrmSync")
    assert action.text() == "Sync to CRM now" and action.shortcut().toString() == "Ctrl+Shift+Y"
    log_case(ui)
    with qtbot.waitSignal(runner.ran, timeout=5000) as blocker:
        action.trigger()
    assert blocker.args[0][CRM_DELIVERY].report.configured is False
    assert "no CRM webhook or drop folder is set" in window.statusBar().currentMessage()

    # A file where the folder should be: delivery fails, events wait, the corner turns red.
    drop.write_text("not a folder", encoding="utf-8")
    ui.services.settings.update(ui.member_id, crm_drop_folder=str(drop))
    with qtbot.waitSignal(runner.ran, timeout=5000) as blocker:
        action.trigger()
    report = blocker.args[0][CRM_DELIVERY].report
    assert report.counters["sent"] == 0 and report.counters["failed"] >= 1
    status = window.findChild(JobStatus, "crmSyncStatus")
    assert "problem" in status.label.text() and status.label.toolTip().startswith("Kept and retried. Last error: ")


def test_one_pass_at_a_time_stop_and_hand_on_at_close(qtbot, window, ui, drop):
    runner = install(qtbot, window)
    with qtbot.waitSignal(runner.ran, timeout=5000):
        assert runner.run_now()
        assert not runner.run_now()  # the first is still in the pool; it runs again after
    qtbot.waitUntil(lambda: not runner.running, timeout=5000)
    assert current_holder(CRM_DELIVERY) is not None
    window.shutdown()  # hands the leases on before the pool is joined
    assert not runner.timer.isActive() and not runner.run_now()
    assert current_holder(CRM_DELIVERY) is None and current_holder(MAIL_SEND) is None


def test_describe_report_names_a_problem_first():
    at = halifax(2026, 11, 25, 10, 5)
    assert describe_report("CRM", JobReport("3 sent · 0 waiting"), at, at.tzinfo) == "CRM 10:05 · 3 sent · 0 waiting"
    assert describe_report("CRM", JobReport("2 failed · 7 waiting", problem="disk full"), at, at.tzinfo) == (
        "CRM 10:05: problem · 2 failed · 7 waiting"
    )


def test_parked_deliveries_warn_in_the_status_bar_and_open_the_deliveries_screen(qtbot, window, ui, drop):
    from desktop_helpdesk.services.deliveries import DeliveryState
    from desktop_helpdesk.ui.admin import install as install_admin
    from desktop_helpdesk.ui.admin.admin_dialog import AdminDialog

    install_admin(window)
    ui.services.settings.update(ui.member_id, crm_drop_folder=str(drop))
    first = log_case(ui, "Printer offline")
    CrmOutboxRecord.update(parked_at=ui.clock.now(), attempts=3, last_error="HTTP 422: unknown account manager").where(
        CrmOutboxRecord.case == first.id).execute()
    runner = team_jobs.install(window, environ={})
    holder = window.findChild(QLabel, "deliveriesHolderLabel")
    qtbot.waitUntil(lambda: holder.warning == "⚠ 1 parked", timeout=5000)
    assert "deliveries" in holder.text() and holder.isVisible()

    holder.linkActivated.emit("deliveries")  # what clicking the red link does
    dialog = window.findChild(AdminDialog, "adminDialog")
    qtbot.waitUntil(lambda: dialog.deliveries_page.model.rowCount() == 1, timeout=5000)
    page = dialog.deliveries_page
    assert dialog.tabs.currentWidget() is page
    [item] = page.model.rows()
    assert item.state is DeliveryState.PARKED and item.case_number == first.number
    assert "unknown account manager" in item.last_error
    page.table.selectRow(0)
    qtbot.keyClicks(page.reason_field, "Entered in the CRM by hand")
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        qtbot.mouseClick(page.skip_button, Qt.MouseButton.LeftButton)
    assert dialog.message_text().endswith("is skipped; it will not be sent.")
    assert page.model.rowCount() == 0 and page.summary.text() == "Everything has been delivered."
    with qtbot.waitSignal(runner.alerts_changed, timeout=5000):
        runner.run_now()
    assert holder.warning == "" and "⚠" not in holder.text()


def test_webhook_url_is_set_in_administration_settings(qtbot, window, ui):
    from desktop_helpdesk.ui.admin import install as install_admin
    from desktop_helpdesk.ui.admin import open_admin_dialog

    install_admin(window)
    dialog = open_admin_dialog(window, "settings")
    qtbot.waitUntil(lambda: dialog.settings_page.save_button.isEnabled(), timeout=5000)
    page = dialog.settings_page
    page.crm_webhook_field.setText("http://crm.example/hook")
    with qtbot.waitSignal(dialog.commands.settled, timeout=5000):
        page.save()
    assert dialog.message_text() == "CRM webhook URL: must use https:// (plain http only to this machine)"
    assert page.crm_webhook_field.hasFocus() or not dialog.isActiveWindow()
    page.crm_webhook_field.setText("https://hooks.crm.example/helpdesk")
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        page.save()
    assert ui.services.context.settings().crm_webhook_url == "https://hooks.crm.example/helpdesk"
    assert page.crm_webhook_field.text() == "https://hooks.crm.example/helpdesk"
