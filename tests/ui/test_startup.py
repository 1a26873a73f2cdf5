"""Start-up progress: demo seeding runs on a worker thread while a progress window counts cases."""

import logging
import threading

import pytest

from desktop_helpdesk.domain.clock import ManualClock
from desktop_helpdesk.services.demo import DemoDataError, seed_demo_data
from desktop_helpdesk.storage.records import CaseRecord, TeamMemberRecord
from desktop_helpdesk.ui.startup import run_with_progress
from tests.conftest import halifax
from tests.ui.conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


def test_demo_seeding_runs_off_the_ui_thread_while_the_window_counts_cases(qapp, db, clock):
    shown = []
    seeding_threads = []
    windows = []

    def describe(done, total):
        # Called on the UI thread by the window for every step the worker reports.
        if windows:
            shown.append((done, total, windows[0].isVisible(), threading.get_ident()))
        return f"Preparing demo data… {done} of {total} cases"

    def seed(progress):
        seeding_threads.append(threading.get_ident())
        seed_demo_data(clock, cases=6, progress=progress)
        return "seeded"

    result = run_with_progress(seed, title="Desktop Helpdesk", describe=describe, on_window=windows.append)

    assert result == "seeded"  # the work's own result comes back to the caller
    assert CaseRecord.select().count() == 6
    ui_thread = threading.get_ident()
    assert seeding_threads and seeding_threads[0] != ui_thread
    assert [(done, total) for done, total, _visible, _thread in shown] == [(n, 6) for n in range(1, 7)]
    assert all(visible and thread == ui_thread for _done, _total, visible, thread in shown)
    assert windows[0].label.text() == "Preparing demo data… 6 of 6 cases"
    assert windows[0].bar.value() == windows[0].bar.maximum()  # full


def test_a_failed_preparation_is_raised_on_the_ui_thread_and_logged(qapp, db, clock, caplog):
    seed_demo_data(clock, cases=1)
    with caplog.at_level(logging.ERROR), pytest.raises(DemoDataError, match="empty database"):
        run_with_progress(lambda progress: seed_demo_data(clock, cases=3, progress=progress),
                          title="Desktop Helpdesk", describe=lambda done, total: f"{done} of {total}")
    assert "Traceback" in caplog.text and "DemoDataError" in caplog.text


def test_demo_start_up_that_cannot_seed_says_so_and_exits_1(qapp, tmp_path, capsys, caplog):
    from desktop_helpdesk.app import EXIT_ERROR, main
    from desktop_helpdesk.storage.db import close_database, database, open_database

    path = tmp_path / "demo.sqlite3"
    open_database(path)
    # A real database-side refusal halfway through seeding (after the team was added).
    database.execute_sql("""CREATE TRIGGER refuse_cases BEFORE INSERT ON "case"
                            BEGIN SELECT RAISE(ABORT, 'the disk is full'); END""")
    close_database()
    try:
        with caplog.at_level(logging.INFO):
            code = main(["--demo", "--db", str(path), "--screenshot", str(tmp_path / "x.png")],
                        clock=ManualClock(halifax(2026, 11, 25, 9, 0)))
    finally:
        close_database()
        database.initialize(None)
    assert code == EXIT_ERROR
    err = capsys.readouterr().err
    assert "The demo data could not be prepared" in err and "the disk is full" in err
    assert "Traceback" not in err
    assert "Traceback" in caplog.text and "the disk is full" in caplog.text
    assert not (tmp_path / "x.png").exists()
    open_database(path)
    try:
        # The seeding transaction was rolled back: the next --demo start can try again.
        assert not CaseRecord.select().exists() and not TeamMemberRecord.select().exists()
    finally:
        close_database()
        database.initialize(None)
