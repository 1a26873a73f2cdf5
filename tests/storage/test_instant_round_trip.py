"""The UTC timestamp field reads back exactly every instant it stores, on SQLite and
PostgreSQL, years before 1000 included (strftime would not pad them); an instant whose UTC
form leaves the calendar is refused naming the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from peewee import AutoField, Model

from desktop_helpdesk.storage.db import close_database, database, open_database
from desktop_helpdesk.storage.fields import UtcDateTimeField


class InstantProbe(Model):
    """A table with nothing but an instant."""

    id = AutoField()
    at = UtcDateTimeField()

    class Meta:
        database = database
        table_name = "test_instant_probe"


@pytest.fixture(params=["sqlite", "postgresql"])
def probe_table(request, tmp_path):
    if request.param == "sqlite":
        target = str(tmp_path / "probe.sqlite3")
    else:
        from tests.pg import fresh_postgres_database

        target = fresh_postgres_database(request.getfixturevalue("postgres_url"))
    db = open_database(target, migrate=False)
    db.create_tables([InstantProbe])
    yield
    close_database()
    database.initialize(None)


OFFSETS = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
INSTANTS = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=OFFSETS)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(instant=INSTANTS)
def test_every_storable_instant_reads_back_exactly(probe_table, instant):
    row_id = InstantProbe.insert(at=instant).execute()
    stored = InstantProbe.get_by_id(row_id).at
    assert stored == instant and stored.tzinfo == UTC
    # Text order on SQLite and timestamp order on PostgreSQL agree with time order.
    assert InstantProbe.select().where(InstantProbe.at <= instant).where(InstantProbe.id == row_id).exists()


def test_an_instant_outside_the_calendar_in_utc_is_refused_naming_the_field(probe_table):
    with pytest.raises(ValueError, match="^at: .* is outside the instants that can be stored$"):
        InstantProbe.insert(at=datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5)))).execute()
    year_999 = datetime(999, 6, 1, 12, 0, tzinfo=UTC)
    assert InstantProbe.get_by_id(InstantProbe.insert(at=year_999).execute()).at == year_999
