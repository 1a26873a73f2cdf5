"""Clients abroad: a client's country, region and time zone; holiday cover arrangements."""

from __future__ import annotations

from peewee import SQL, AutoField, BooleanField, CharField, DatabaseProxy, Model, TextField

from desktop_helpdesk.storage.fields import UtcDateTimeField

_frozen = DatabaseProxy()


class HolidayArrangementRecord(Model):
    """A frozen copy of the holiday arrangement table as first released."""

    id = AutoField()
    country = CharField(max_length=2)
    region = CharField(max_length=16, default="")
    starts_on = CharField(max_length=10, index=True)
    ends_on = CharField(max_length=10, index=True)
    covered_by = CharField(max_length=200)
    how_to_reach = TextField(default="")
    notes = TextField(default="")
    active = BooleanField(default=True)
    created_at = UtcDateTimeField()

    class Meta:
        database = _frozen
        table_name = "holiday_arrangement"
        legacy_table_names = False


# Database-level defaults too: bulk loaders (bench/big_database.py) insert clients naming only
# the columns they know, and must keep working on the widened table.
_EMPTY_TEXT = [SQL("DEFAULT ''")]


def up(migrator, db):
    _frozen.initialize(db)
    db.create_tables([HolidayArrangementRecord], safe=True)
    migrator.migrate(
        migrator.add_column("client", "country", CharField(max_length=2, default="", constraints=_EMPTY_TEXT)),
        migrator.add_column("client", "region", CharField(max_length=16, default="", constraints=_EMPTY_TEXT)),
        migrator.add_column("client", "time_zone", CharField(max_length=64, default="", constraints=_EMPTY_TEXT)),
    )
