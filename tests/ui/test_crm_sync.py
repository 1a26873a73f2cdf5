"""CRM sync in the window: the 60 s runner writes outbox events to the drop folder in a worker."""

from __future__ import annotations

import json

import pytest
from PySide6.QtGui import QAction

from desktop_helpdesk.services.crm import DeliveryReport
from desktop_helpdesk.storage.records import CrmOutboxRecord
from desktop_helpdesk.ui import crm_sync
from desktop_helpdesk.ui.crm_sync import CrmSyncStatus, describe_report
from desktop_helpdesk.ui.outbox_runner import OutboxRunner
from tests.conftest import halifax
from tests.ui.conftest import OFFSCREEN_NOISE, log_case

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


@pytest.fixture
def drop(tmp_path):
    return tmp_path / "crm-drop"


def install(qtbot, window) -> OutboxRunner:
    """Install CRM sync and wait for its first run (it delivers once on start); the result
    comes back through a queued signal, so connecting after ``install`` misses nothing."""
    runner = crm_sync.install(window)
    assert window.findChild(OutboxRunner, "crmSyncRunner") is runner
    with qtbot.waitSignal(runner.ran, timeout=5000):
        pass
    return runner


def outbox_unsent():
    return CrmOutboxRecord.select().where(CrmOutboxRecord.sent_at.is_null()).count()


def test_timer_slot_delivers_outbox_in_a_worker_and_shows_the_result(qtbot, window, ui, drop, clock):
    runner = install(qtbot, window)  # no folder yet: the first run writes nothing
    status = window.findChild(CrmSyncStatus, "crmSyncStatus")
    assert runner.last_report is None and not status.isVisible()
    assert runner.timer.objectName() == "crmSyncTimer" and runner.timer.isActive()
    assert runner.timer.interval() == 60_000

    ui.services.settings.update(ui.member_id, crm_drop_folder=str(drop))
    first, second = log_case(ui, "Printer offline"), log_case(ui, "VPN down")
    pending = outbox_unsent()
    assert pending >= 2
    clock.set(halifax(2026, 11, 25, 9, 42))
    with qtbot.waitSignal(runner.ran, timeout=5000) as blocker:
        runner._on_timer_timeout()  # what the 60 s timer calls
        assert runner.running
    report = blocker.args[0]
    assert report == DeliveryReport(sent=pending, failed=0, pending=0, last_error="")
    assert not runner.running

    files = sorted(drop.glob("*.json"))
    assert len(files) == pending
    bodies = [json.loads(path.read_text(encoding="utf-8")) for path in files]
    assert {first.number, second.number} <= {path.name.split("-", 1)[1][:10] for path in files}
    assert all("outbox_id" in body and "event" in body for body in bodies)
    assert outbox_unsent() == 0
    assert {row.sent_at for row in CrmOutboxRecord.select()} == {clock.now()}
    assert status.isVisible()
    assert status.label.text() == f"CRM synced 09:42 · {pending} sent · 0 waiting"


def test_sync_now_action_and_a_failing_folder(qtbot, window, ui, drop):
    runner = install(qtbot, window)
    action = window.findChild(QAction, "actionCrmSync")
    assert action.text() == "Sync to CRM now" and action.shortcut().toString() == "Ctrl+Shift+Y"

    # No folder configured: the action says so and nothing is written.
    log_case(ui)
    with qtbot.waitSignal(runner.ran, timeout=5000) as blocker:
        action.trigger()
    assert blocker.args == [None]
    assert "no CRM drop folder is set" in window.statusBar().currentMessage()
    assert outbox_unsent() >= 1

    # A file where the folder should be: delivery fails, events wait, the corner turns red.
    drop.write_text("not a folder", encoding="utf-8")
    ui.services.settings.update(ui.member_id, crm_drop_folder=str(drop))
    with qtbot.waitSignal(runner.ran, timeout=5000) as blocker:
        action.trigger()
    report = blocker.args[0]
    assert report.sent == 0 and report.failed >= 1 and report.pending == outbox_unsent() >= 1
    status = window.findChild(CrmSyncStatus, "crmSyncStatus")
    assert "failed" in status.label.text() and status.label.toolTip().startswith("Last error: ")


def test_one_run_at_a_time_and_stop(qtbot, window, ui, drop):
    runner = install(qtbot, window)
    ui.services.settings.update(ui.member_id, crm_drop_folder=str(drop))
    log_case(ui)
    with qtbot.waitSignal(runner.ran, timeout=5000):
        assert runner.run_now()
        assert not runner.run_now()  # the first is still in the pool
    runner.stop()
    assert not runner.timer.isActive()
    assert not runner.run_now()


def test_describe_report_puts_failures_first():
    at = halifax(2026, 11, 25, 10, 5)
    assert describe_report(DeliveryReport(3, 0, 0), at, at.tzinfo) == "CRM synced 10:05 · 3 sent · 0 waiting"
    assert describe_report(DeliveryReport(0, 2, 7, "disk full"), at, at.tzinfo) == (
        "CRM sync 10:05: 2 failed · 7 waiting"
    )
