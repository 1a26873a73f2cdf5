"""An idle window hides its data until the signed-in member's password is typed again."""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop_helpdesk.services.accounts import AccountService
from desktop_helpdesk.ui.idle_lock import IdleLock
from tests.ui.conftest import OFFSCREEN_NOISE, settle

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)

FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)


@pytest.fixture
def accounts(ui, member):
    accounts = AccountService(ui.services.context, FAST_HASHER)
    accounts.change_own_password(member.id, None, "dana's password")
    return accounts


def test_an_idle_window_locks_and_only_the_members_password_unlocks_it(qtbot, window, ui, member, accounts):
    idle = {"ms": 0}
    lock = IdleLock(window, accounts, "dana", idle_ms=lambda: idle["ms"])
    ui.services.settings.update(member.id, idle_lock_minutes=10)
    idle["ms"] = 9 * 60_000
    lock.check()
    settle(qtbot)  # the setting is read on the window's pool
    assert not lock.is_locked and window.centralWidget().isVisible()

    idle["ms"] = 10 * 60_000
    with qtbot.waitSignal(lock.locked):
        lock.check()
    assert not window.centralWidget().isVisible()
    dialog = lock.dialog
    assert dialog.username.text() == "dana" and dialog.username.isReadOnly()

    dialog.password.setText("wrong")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: "Wrong username or password" in dialog.message.text(), timeout=20_000)
    assert lock.is_locked and not window.centralWidget().isVisible()

    ui.clock.advance(timedelta(seconds=2))
    dialog.password.setText("dana's password")
    with qtbot.waitSignal(lock.unlocked, timeout=20_000):
        dialog.ok_button.click()
    assert window.centralWidget().isVisible() and not lock.is_locked


def test_never_locks_when_the_setting_is_off(qtbot, window, ui, accounts):
    lock = IdleLock(window, accounts, "dana", idle_ms=lambda: 10 ** 9)
    lock.check()
    settle(qtbot)
    assert not lock.is_locked


def test_input_is_watched_only_until_the_first_key_after_each_check(qtbot, window, ui, member, accounts):
    """A filter on the application runs for every event of every widget; the lock needs one
    input per check, so it stops watching after that one and counts idle time from the check."""
    lock = IdleLock(window, accounts, "dana")
    ui.services.settings.update(member.id, idle_lock_minutes=10)
    lock.start()
    assert lock.watching_input
    window.activateWindow()
    QTest.keyClick(window.table, Qt.Key.Key_Down)
    assert not lock.watching_input

    lock.check()
    settle(qtbot)
    assert lock.watching_input and not lock.is_locked
    QTest.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton)
    assert not lock.watching_input
    lock.timer.stop()


def test_the_check_reads_the_setting_on_the_pool_not_the_windows_thread(qtbot, window, ui, member, accounts):
    import logging
    import threading

    threads = []

    class QueryThreads(logging.Handler):
        def emit(self, record):
            threads.append(record.thread)

    logger = logging.getLogger("peewee")
    handler, level = QueryThreads(logging.DEBUG), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        lock = IdleLock(window, accounts, "dana", idle_ms=lambda: 10 ** 9)
        ui.services.settings.update(member.id, idle_lock_minutes=10)
        threads.clear()
        with qtbot.waitSignal(lock.locked, timeout=5000):
            lock.check()
            assert threads == []  # nothing read while check() ran on the window's thread
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert threads and threading.main_thread().ident not in threads
    lock.dialog.reject()
