"""The worker pool: results come back on the window's thread, and only to widgets that still exist."""

import os
import threading

import pytest
import shiboken6
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QWidget

from desktop_helpdesk.ui.dialogs.phone_intake import PhoneIntakeDialog
from desktop_helpdesk.ui.workers import BACKGROUND_NICENESS, WorkerPool
from tests.ui.conftest import OFFSCREEN_NOISE, settle


def test_a_result_for_a_deleted_owner_is_dropped_but_the_work_is_done(qtbot, db):
    pool = WorkerPool()
    owner = QWidget()
    release = threading.Event()
    done, delivered = [], []

    def work():
        release.wait(10)
        done.append("written")
        return "answer"

    pool.submit(work, on_finished=delivered.append, owner=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(owner), timeout=5000)
    release.set()
    qtbot.waitUntil(lambda: not pool.busy, timeout=5000)
    assert done == ["written"] and delivered == []
    # A live owner gets its answer.
    other = QWidget()
    pool.submit(lambda: "again", on_finished=delivered.append, owner=other)
    qtbot.waitUntil(lambda: delivered == ["again"], timeout=5000)
    pool.close()


@pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)
def test_intake_closed_while_the_client_list_loads_touches_no_deleted_widget(qtbot, window, ui):
    """A new caller asks for the client list; the call taker presses Escape before it lands.

    A handed-over call's intake is deleted when it closes (the window's own intake is kept and
    reused: tests/ui/test_phone_intake_ahead.py)."""
    dialog = PhoneIntakeDialog(ui, window, pool=window.pool)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    settle(qtbot)
    qtbot.keyClicks(dialog.caller_field, "Nora Newcaller")
    qtbot.keyClick(dialog.caller_field, Qt.Key.Key_Return)  # starts the caller look-up
    release = threading.Event()
    # Both pool threads held once the look-up ran: the client list the new caller asks for
    # next cannot answer before the dialog is gone.
    for _ in range(2):
        window.pool.submit(release.wait, 10, on_finished=lambda _result: None)
    qtbot.waitUntil(dialog.new_contact_box.isVisible, timeout=5000)
    dialog.reject()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=5000)
    release.set()
    settle(qtbot)
    # pytest-qt fails the test on any exception raised in a slot; none was.
    assert not window.pool.busy


def test_the_dangling_work_check_names_a_running_timer_and_where_it_started(qtbot, monkeypatch):
    from PySide6.QtCore import QTimer

    from tests.conftest import stop_dangling_qt_work, track_qt_work

    started = track_qt_work(monkeypatch)
    stopped, running = QTimer(), QTimer()
    running.setObjectName("forgottenTimer")
    stopped.start(60_000)
    stopped.stop()
    running.start(60_000)
    dangling = stop_dangling_qt_work(started)
    assert len(dangling) == 1
    assert dangling[0].startswith("timer forgottenTimer started at ") and __file__ in dangling[0]
    assert not running.isActive()  # stopped, so it cannot fire into the next test



@pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)
def test_the_window_pool_keeps_idle_threads_so_a_later_submit_starts_none(qtbot, window):
    """Starting a thread runs on the window's thread (2-4 ms): the intake opening after a quiet
    spell would pay it. Idle threads stay until the window closes (its pool's close ends them)."""
    assert window.pool.findChild(QThreadPool).expiryTimeout() < 0


def test_pool_threads_run_below_the_windows_thread(qtbot, db):
    """Background work must not take the CPU from the window's repaints (two cores, one of
    them decoding a large screenshot)."""
    pool = WorkerPool()
    niceness = []
    for _ in range(2):
        pool.submit(lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id()),
                    on_finished=niceness.append)
    qtbot.waitUntil(lambda: len(niceness) == 2, timeout=5000)
    window_thread = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert all(nice == min(19, window_thread + BACKGROUND_NICENESS) for nice in niceness)
    # Lowered once: a later task on the same thread does not lower it further.
    later = []
    pool.submit(lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id()), on_finished=later.append)
    qtbot.waitUntil(lambda: bool(later), timeout=5000)
    assert later == [niceness[0]]
    pool.close()
