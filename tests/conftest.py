"""Shared fixtures: a real SQLite file per test (production pragmas, migrated) and a manual clock."""

import os

# Before any Qt import: tests run headless.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import datetime  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

import pytest  # noqa: E402

from desktop_helpdesk.domain.clock import ManualClock  # noqa: E402
from desktop_helpdesk.storage.db import DatabaseTarget, close_database, database, open_database  # noqa: E402

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
    """A migrated database: a SQLite file in tmp_path, or PostgreSQL when
    HELPDESK_TEST_DATABASE_URL is set (each test then gets a fresh schema)."""
    url = os.environ.get(TEST_DATABASE_URL_ENV)
    if url:
        from tests.pg import fresh_postgres_database

        target = DatabaseTarget(fresh_postgres_database(url))
    else:
        target = DatabaseTarget(str(db_path))
    connection = open_database(target)
    yield connection
    close_database()
    database.initialize(None)


@pytest.fixture
def clock():
    """A manual clock starting on a Wednesday morning in Halifax."""
    return ManualClock(halifax(2026, 11, 25, 9, 0))
