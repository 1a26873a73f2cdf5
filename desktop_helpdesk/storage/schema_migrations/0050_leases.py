"""Named leases: which process runs each team job (CRM delivery, mail sending, mail intake)."""

from __future__ import annotations

from peewee import CharField, DatabaseProxy, IntegerField, Model

from desktop_helpdesk.storage.fields import UtcDateTimeField

_frozen = DatabaseProxy()


class LeaseRecord(Model):
    """A frozen copy of the lease table as first released."""

    name = CharField(max_length=64, primary_key=True)
    holder = CharField(max_length=200, default="")
    holder_host = CharField(max_length=128, default="")
    holder_pid = IntegerField(default=0)
    holder_label = CharField(max_length=128, default="")
    beat = IntegerField(default=0)
    acquired_at = UtcDateTimeField(null=True)
    renewed_at = UtcDateTimeField(null=True)

    class Meta:
        database = _frozen
        table_name = "lease"


def up(migrator, db):
    _frozen.initialize(db)
    db.create_tables([LeaseRecord], safe=True)
