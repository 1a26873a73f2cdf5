"""``sslmode`` (and the other libpq options) in a postgresql:// URL reach the driver."""

import pytest

from desktop_helpdesk.storage.db import (
    DatabaseOpenError,
    DatabaseTarget,
    close_database,
    database,
    open_database,
)


@pytest.fixture
def unbind():
    yield
    close_database()
    database.initialize(None)


def test_sslmode_require_is_honoured(postgres_url, unbind):
    # The test server has no TLS: a URL that requires it must be refused, not silently downgraded.
    target = DatabaseTarget(f"{postgres_url}?sslmode=require")
    with pytest.raises(DatabaseOpenError, match="SSL"):
        open_database(target)


def test_sslmode_disable_connects(postgres_url, unbind):
    from tests.pg import fresh_postgres_database

    db = open_database(DatabaseTarget(f"{fresh_postgres_database(postgres_url)}?sslmode=disable"))
    assert db.connect_params.get("sslmode") == "disable"
    assert db.execute_sql("SHOW ssl").fetchone()[0] in ("off", "on")
    assert db.execute_sql("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()[0] is False
