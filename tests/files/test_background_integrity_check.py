"""The window never waits on the integrity check: the file opens unchecked, the list shows, the
check runs on its own thread afterwards and a damaged file is named across the window with
its ways out (the restart on another file is faked: it is the OS starting a process)."""

from __future__ import annotations

import shutil
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from desktop_helpdesk.domain.clock import ManualClock
from desktop_helpdesk.services.container import Services
from desktop_helpdesk.storage.db import (
    DatabaseDamagedError,
    DatabaseTarget,
    backup_name,
    check_integrity,
    close_database,
    database,
    open_database,
)
from desktop_helpdesk.storage.migrations import upgrade
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.database_problems import DamagedChoice, IntegrityCheck, open_with_way_out
from desktop_helpdesk.ui.main_window import MainWindow
from tests.files.conftest import NOW, build_desk_file, damage_middle_pages, digest
from tests.ui.conftest import OFFSCREEN_NOISE

pytestmark = [pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE), pytest.mark.usefixtures("database_unbound_after")]


class CheckSpy:
    """The real ``check_integrity``, noting the thread it ran on and what the window showed then."""

    def __init__(self, window_state) -> None:
        self.threads: list[threading.Thread] = []
        self.seen: list = []
        self._window_state = window_state

    def __call__(self, path):
        self.threads.append(threading.current_thread())
        self.seen.append(self._window_state())
        check_integrity(path)


def damage_pages_the_desk_does_not_read(path) -> None:
    """Pages of a table the window never reads (added last, so at the file's end) overwritten:
    the desk works on, only the integrity check can tell."""
    open_database(path)
    database.execute_sql("CREATE TABLE padding (text TEXT)")
    with database.atomic():
        for _ in range(200):
            database.execute_sql("INSERT INTO padding VALUES (?)", ("x" * 3000,))
    close_database()
    database.initialize(None)
    data = bytearray(path.read_bytes())
    page = 4096
    start = len(data) - 40 * page
    for offset in range(start, start + 3 * page, page):
        data[offset + 8: offset + 2000] = bytes((i * 37 + 11) % 251 for i in range(1992))
    path.write_bytes(bytes(data))


def _window(qtbot, path):
    clock = ManualClock(NOW)
    services = Services.create(clock)
    window = MainWindow(UiContext.for_member(services, clock, services.team.find_member("dana")))
    qtbot.addWidget(window)
    return window


def test_a_damaged_file_opens_shows_its_list_then_the_check_names_it_with_the_ways_out(qtbot, tmp_path):
    path = build_desk_file(tmp_path / "desk.sqlite3", cases=40)
    backup = tmp_path / backup_name(path, "nightly").name
    shutil.copyfile(path, backup)
    damage_pages_the_desk_does_not_read(path)
    backup_before = digest(backup)

    # As the window opens it: no dialog before the window, the check comes later.
    opened = open_with_way_out(DatabaseTarget(str(path)), allow_new=False, headless=False,
                               refuse=pytest.fail, ask=pytest.fail, check_first=False)
    assert opened.sqlite_path == path
    window = _window(qtbot, path)
    reopened, asked = [], []

    def ask(error):
        asked.append(error)
        return DamagedChoice.OPEN_BACKUP, ""

    spy = CheckSpy(lambda: window.loaded_once)
    integrity = IntegrityCheck(window, path, reopen=reopened.append, ask=ask, check=spy)
    integrity.start_after(window.list_loaded)
    with qtbot.waitSignal(integrity.finished, timeout=20_000) as checked:
        window.show()

    assert spy.seen == [True], "the check ran only after the list was shown"
    assert spy.threads and spy.threads[0] is not threading.main_thread()
    error = checked.args[0]
    assert isinstance(error, DatabaseDamagedError) and error.path == path
    banner = integrity.banner
    assert banner.isVisible()
    assert banner.text().startswith(f"Damaged: {path} failed its integrity check (")
    assert window.windowTitle().endswith("(damaged file)")

    qtbot.mouseClick(window.findChild(QPushButton, "damagedWayOutButton"), Qt.MouseButton.LeftButton)
    assert [e.path for e in asked] == [path]
    assert len(reopened) == 1 and ".restored-" in reopened[0].name and reopened[0].parent == tmp_path
    assert digest(reopened[0]) == backup_before == digest(backup)
    window.shutdown()


def test_a_healthy_file_shows_nothing_after_its_check(qtbot, tmp_path):
    path = build_desk_file(tmp_path / "desk.sqlite3", cases=5)
    open_database(path, check_first=False)
    window = _window(qtbot, path)
    integrity = IntegrityCheck(window, path, reopen=pytest.fail, ask=pytest.fail)
    integrity.start_after(window.list_loaded)
    with qtbot.waitSignal(integrity.finished, timeout=20_000) as checked:
        window.show()
    assert checked.args == [None]
    assert integrity.banner is None and not window.windowTitle().endswith("(damaged file)")
    window.shutdown()


def test_a_damaged_file_that_needs_an_upgrade_is_still_checked_before_it_is_written(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = open_database(path, migrate=False)
    upgrade(db, target="0001_initial")
    db.execute_sql("CREATE TABLE padding (text TEXT)")
    for _ in range(200):
        db.execute_sql("INSERT INTO padding VALUES (?)", ("x" * 3000,))
    close_database()
    database.initialize(None)
    damage_middle_pages(path)
    before = digest(path)

    with pytest.raises(DatabaseDamagedError):
        open_database(path, check_first=False)
    assert digest(path) == before and database.obj is None
