"""Opening a file that needs a schema upgrade: the backup before it runs on a worker behind a
progress window naming the file and counting the bytes copied; Cancel leaves the file untouched."""

from __future__ import annotations

import threading

import pytest

from desktop_helpdesk.storage.db import (
    DatabaseTarget,
    UpgradeCancelled,
    close_database,
    database,
    open_database,
)
from desktop_helpdesk.storage.migrations import pending, upgrade
from desktop_helpdesk.ui import startup
from desktop_helpdesk.ui.database_problems import open_with_way_out
from tests.files.conftest import digest
from tests.ui.conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


def old_file(path, *, megabytes: int = 3):
    """A file at the first schema with some megabytes of rows (the backup copies them)."""
    db = open_database(path, migrate=False)
    upgrade(db, target="0001_initial")
    db.execute_sql("CREATE TABLE padding (text TEXT)")
    with db.atomic():
        for _ in range(megabytes * 256):
            db.execute_sql("INSERT INTO padding VALUES (?)", ("x" * 4000,))
    close_database()
    database.initialize(None)
    return path


def backups(folder):
    return sorted(p.name for p in folder.iterdir() if ".before-upgrade-" in p.name)


@pytest.fixture
def closing():
    yield
    close_database()
    database.initialize(None)


def test_the_backup_before_an_upgrade_shows_its_progress_and_the_file_name(qtbot, tmp_path, closing):
    path = old_file(tmp_path / "desk.sqlite3")
    windows, shown = [], []

    def watch(window):
        windows.append(window)
        # Each report reaches the window on the window's thread while it is on screen.
        window.bar.valueChanged.connect(
            lambda value: shown.append((value, window.isVisible(), threading.get_ident(), window.label.text())))

    db = open_database(path, check_first=False, run_upgrade=startup.upgrade_with_progress(path, on_window=watch))

    assert pending(db) == []
    [backup] = backups(tmp_path)
    assert backup.endswith(".sqlite3.bak") and (tmp_path / backup).stat().st_size >= 3 * 1024 * 1024
    assert windows and windows[0].windowTitle() == "Upgrading the database — Desktop Helpdesk"
    assert shown and shown[-1][0] == 1000
    assert all(visible and thread == threading.get_ident() for _value, visible, thread, _text in shown)
    assert windows[0].label.text().startswith("Backed up desk.sqlite3 (3.")
    assert windows[0].label.text().endswith(" MB); upgrading it…")


def test_the_window_opens_an_old_file_through_the_progress_window(qtbot, tmp_path, closing):
    path = old_file(tmp_path / "desk.sqlite3", megabytes=1)
    refused = []
    opened = open_with_way_out(DatabaseTarget(str(path)), allow_new=False, headless=False, refuse=refused.append,
                               ask=pytest.fail, check_first=False, upgrade_with_progress=True)
    assert opened is not None and not refused
    assert pending(database.obj) == []
    assert len(backups(tmp_path)) == 1


def test_cancel_stops_the_backup_and_leaves_the_file_untouched(qtbot, tmp_path, closing):
    path = old_file(tmp_path / "desk.sqlite3")
    before = digest(path)

    def press_cancel(window):
        assert window.cancel_button is not None and window.cancel_button.isEnabled()
        window.cancel_button.click()

    with pytest.raises(UpgradeCancelled, match="cancelled before anything was changed"):
        open_database(path, check_first=False, run_upgrade=startup.upgrade_with_progress(path, on_window=press_cancel))

    assert digest(path) == before
    assert backups(tmp_path) == []  # no half-written copy left behind
    assert database.obj is None
    # Still the old schema: the next start offers the upgrade again.
    db = open_database(path, migrate=False)
    assert pending(db)
