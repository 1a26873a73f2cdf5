"""Backups while the window is open (the scheduled team job and "Back up now"), restores
refused while it is open, and the Account menu."""

import io
import json
import sqlite3
from datetime import timedelta

import pytest
from PySide6.QtGui import QAction

from desktop_helpdesk.cli.restore import main as restore_main
from desktop_helpdesk.services.backups import BackupJob, list_backups
from desktop_helpdesk.storage.records import CaseRecord
from desktop_helpdesk.ui import account_menu, backup_runner
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.dialogs.sign_in import SetPasswordDialog
from tests.ui.conftest import OFFSCREEN_NOISE, log_case

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


def _cases(path):
    connection = sqlite3.connect(str(path))
    try:
        return connection.execute('SELECT count(*) FROM "case"').fetchone()[0]
    finally:
        connection.close()


def test_backup_and_restore_round_trip_while_the_window_is_open(qtbot, window, ui, db_path, tmp_path, clock):
    log_case(ui)
    # The scheduled backup is a team job; the window's own connection stays open meanwhile.
    job = BackupJob(ui.services.context)
    report = job.run_round(lambda: False)
    assert report.counters == {"backed_up": 1, "removed": 0}
    first = list_backups(db_path.parent / "backups", db_path)[0]
    assert _cases(first.path) == 1
    assert json.loads((first.path.parent / "audit-anchor-2026-11-25.json").read_text())["rows"] > 0
    # Not due again within the day.
    assert job.run_round(lambda: False).text == "Backup not due"

    # "Back up now" from the Account menu, after more work.
    log_case(ui, "VPN drops")
    runner = backup_runner.install(window, db_path)
    account_menu.install(window, "admin", has_password=False, backups=runner)
    clock.advance(timedelta(minutes=5))
    with qtbot.waitSignal(runner.backed_up, timeout=20_000) as backed_up:
        window.findChild(QAction, "actionBackUpNow").trigger()
    second = backed_up.args[0]
    assert _cases(second.backup) == 2
    assert "Backed up to" in window.statusBar().currentMessage()
    # One per day is kept: the morning's copy made way for the newer one.
    assert second.removed == [first.path] and not first.path.exists()

    # The window still has the database open: restoring over it is refused...
    out, err = io.StringIO(), io.StringIO()
    assert restore_main(["--db", str(db_path), str(second.backup)], out=out, err=err) == 1
    assert "is open" in err.getvalue()
    assert CaseRecord.select().count() == 2
    # ...restoring next to it works, and the copy holds what was backed up.
    restored = tmp_path / "restored.sqlite3"
    assert restore_main(["--db", str(restored), str(second.backup)], out=out, err=err) == 0
    assert _cases(restored) == 2
    # The desk keeps working throughout.
    log_case(ui, "Printer jams")
    assert CaseRecord.select().count() == 3


def test_agents_change_their_password_but_get_no_backup_action(qtbot, make_window, ui, db_path):
    alice = ui.services.team.add_member(ui.member_id, "alice", "Alice Agent")
    window = make_window(UiContext.for_member(ui.services, ui.clock, alice))
    runner = backup_runner.BackupRunner(ui.services.context, db_path, window.pool, window)
    button = account_menu.install(window, "agent", has_password=False, backups=runner)
    names = [action.objectName() for action in button.menu().actions()]
    assert names == ["actionChangePassword"]

    button.menu().actions()[0].trigger()
    dialog = window.findChild(SetPasswordDialog, "changePasswordDialog")
    assert dialog.current is None  # no password yet: nothing to confirm
    dialog.password.setText("alice's password")
    dialog.confirm.setText("alice's password")
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        dialog.ok_button.click()
    from desktop_helpdesk.services.accounts import AccountService

    assert not AccountService(ui.services.context).sign_in("alice", "alice's password").must_set_password
    # The service refuses an agent's "back up now" too.
    with qtbot.waitSignal(runner.backup_failed) as failed:
        runner.run(actor_id=alice.id)
    assert failed.args == ["Only a supervisor or admin can back up the database"]
