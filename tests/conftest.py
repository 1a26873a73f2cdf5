"""Shared fixtures: a real SQLite file per test (production pragmas, migrated) and a manual clock."""

import os
import sys
from weakref import WeakKeyDictionary

# Before any Qt import: tests run headless.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import datetime  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QThreadPool, QTimer  # noqa: E402
from PySide6.QtNetwork import QLocalServer  # noqa: E402

from desktop_helpdesk.domain.clock import ManualClock  # noqa: E402
from desktop_helpdesk.storage.db import DatabaseTarget, close_database, database, open_database  # noqa: E402
from desktop_helpdesk.ui.pyside_workarounds import protect_bool_singletons  # noqa: E402
from desktop_helpdesk.ui.workers import WorkerPool  # noqa: E402

# Every Qt test anywhere (supervisor and export tests live outside tests/ui) disconnects
# signals through pytest-qt; PySide6 6.12 drops a reference to True on each disconnect, which
# aborts the whole run once the count reaches zero (see protect_bool_singletons).
protect_bool_singletons()

HALIFAX = ZoneInfo("America/Halifax")
TEST_DATABASE_URL_ENV = "HELPDESK_TEST_DATABASE_URL"


def halifax(year, month, day, hour=0, minute=0, second=0):
    """An aware Halifax wall-clock instant, for readable test expectations."""
    return datetime(year, month, day, hour, minute, second, tzinfo=HALIFAX)


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "helpdesk.sqlite3"


@pytest.fixture
def db(db_path):
    """A migrated SQLite file in tmp_path, opened with the production pragmas."""
    connection = open_database(DatabaseTarget(str(db_path)))
    yield connection
    close_database()
    database.initialize(None)


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL server: HELPDESK_TEST_DATABASE_URL if set, else one started on 127.0.0.1
    from the installed server binaries for this test session."""
    url = os.environ.get(TEST_DATABASE_URL_ENV)
    if url:
        yield url
        return
    from tests.pg import PostgresServer

    try:
        server = PostgresServer()
    except FileNotFoundError as missing:
        pytest.skip(f"{missing}; install postgresql or set {TEST_DATABASE_URL_ENV}")
    yield server.start()
    server.stop()


@pytest.fixture
def pg_db(postgres_url):
    """A fresh, migrated PostgreSQL database for one test."""
    from tests.pg import fresh_postgres_database

    connection = open_database(DatabaseTarget(fresh_postgres_database(postgres_url)))
    yield connection
    close_database()
    database.initialize(None)


@pytest.fixture
def clock():
    """A manual clock starting on a Wednesday morning in Halifax."""
    return ManualClock(halifax(2026, 11, 25, 9, 0))


@pytest.fixture(autouse=True)
def no_dangling_qt_work(monkeypatch):
    """Fail any test that leaves Qt work running when it ends (napari's dangling checks): a timer
    still active, a thread pool still working, a worker pool with results still to deliver, a
    local server still listening. Left over, they fire during the next test against a closed
    database or a deleted widget, and the failure shows up in a test that did nothing wrong.

    Runs after every other fixture's teardown (autouse fixtures are set up first), so what the
    fixtures shut down (windows, runners, servers) counts as stopped.
    """
    started = track_qt_work(monkeypatch)
    yield
    dangling = stop_dangling_qt_work(started)
    assert not dangling, "Qt work left running after the test:\n" + "\n".join(dangling)


def track_qt_work(monkeypatch) -> dict[str, WeakKeyDictionary]:
    """Record, by kind, each timer, thread pool and local server started, and where."""
    started = {kind: WeakKeyDictionary() for kind in ("timer", "pool", "server")}
    for kind, qt_class, method in (("timer", QTimer, "start"), ("pool", QThreadPool, "start"),
                                   ("server", QLocalServer, "listen")):
        monkeypatch.setattr(qt_class, method, _tracked(getattr(qt_class, method), started[kind]))
    return started


def stop_dangling_qt_work(started: dict[str, WeakKeyDictionary]) -> list[str]:
    """Stop what is still running of ``started`` and say what it was and where it started."""
    dangling = []
    for timer, where in _alive(started["timer"]):
        if timer.isActive():
            dangling.append(f"timer {timer.objectName() or '(unnamed)'} started at {where}")
            timer.stop()
    for pool, where in _alive(started["pool"]):
        owner = pool.parent()
        if pool.activeThreadCount() or (isinstance(owner, WorkerPool) and owner.busy):
            dangling.append(f"work still running or undelivered, submitted at {where}")
            pool.clear()
            pool.waitForDone(5000)
    for server, where in _alive(started["server"]):
        if server.isListening():
            dangling.append(f"local server {server.serverName()} still listening, started at {where}")
            server.close()
    return dangling


def _tracked(method, started):
    """``method`` recording, for each object it is called on, where in our code it was called."""
    def tracked(qt_object, *args):
        started[qt_object] = _called_from()
        return method(qt_object, *args)
    return tracked


def _alive(started):
    """The tracked objects whose C++ side still exists (a parent may have deleted the rest)."""
    for qt_object, where in list(started.items()):
        try:
            qt_object.objectName()
        except RuntimeError:
            continue
        yield qt_object, where


def _called_from() -> str:
    """The innermost frame of our code (application or tests) on the stack; frames are walked,
    not formatted, because debounce timers restart on every keystroke."""
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if "desktop_helpdesk" in filename or "/tests/" in filename:
            return f"{filename}:{frame.f_lineno}"
        frame = frame.f_back
    return "(outside our code)"
