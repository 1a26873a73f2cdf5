"""Saved filters beside the queues (personal or shared)."""

from __future__ import annotations

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DatabaseProxy,
    ForeignKeyField,
    Model,
    TextField,
)

from desktop_helpdesk.storage.fields import UtcDateTimeField

_frozen = DatabaseProxy()


class _MemberRef(Model):
    id = AutoField()

    class Meta:
        database = _frozen
        table_name = "team_member"


class SavedFilterRecord(Model):
    """A frozen copy of the saved filter table as first released."""

    id = AutoField()
    name = CharField(max_length=80)
    owner = ForeignKeyField(_MemberRef, on_delete="RESTRICT", index=True, column_name="owner_id")
    shared = BooleanField(default=False)
    criteria = TextField()
    created_at = UtcDateTimeField()

    class Meta:
        database = _frozen
        table_name = "saved_filter"
        legacy_table_names = False


def up(migrator, db):
    _frozen.initialize(db)
    db.create_tables([SavedFilterRecord], safe=True)
