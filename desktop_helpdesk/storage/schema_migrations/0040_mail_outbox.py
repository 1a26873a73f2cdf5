"""Outgoing client emails (acknowledgements, resolutions) wait in a mail outbox table."""

from __future__ import annotations

from peewee import (
    AutoField,
    CharField,
    DatabaseProxy,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from desktop_helpdesk.storage.fields import UtcDateTimeField

_frozen = DatabaseProxy()


class _CaseRef(Model):
    """Just enough of the case table for the foreign key."""

    id = AutoField()

    class Meta:
        database = _frozen
        table_name = "case"


class MailOutboxRecord(Model):
    """A frozen copy of the mail outbox as first released."""

    id = AutoField()
    case = ForeignKeyField(_CaseRef, on_delete="RESTRICT", index=True, column_name="case_id")
    kind = CharField(max_length=24)
    to_address = CharField(max_length=254)
    to_name = CharField(max_length=200, default="")
    subject = CharField(max_length=400)
    body = TextField()
    created_at = UtcDateTimeField(index=True)
    sent_at = UtcDateTimeField(null=True)
    attempts = IntegerField(default=0)
    last_error = TextField(default="")

    class Meta:
        database = _frozen
        table_name = "mail_outbox"


def up(migrator, db):
    _frozen.initialize(db)
    db.create_tables([MailOutboxRecord], safe=True)
