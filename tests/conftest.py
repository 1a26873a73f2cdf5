"""Shared fixtures: a real SQLite file per test (production pragmas, migrated) and a manual clock."""

import os

# Before any Qt import: tests run headless.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import datetime  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

import pytest  # noqa: E402

from desktop_helpdesk.domain.clock import ManualClock  # noqa: E402
from desktop_helpdesk.storage.db import DatabaseTarget, close_database, database, open_database  # noqa: E402
from desktop_helpdesk.ui.pyside_workarounds import protect_bool_singletons  # noqa: E402

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
