"""Replies from the case: canned replies, editable email templates, Cc and attachments on outbox emails."""

from __future__ import annotations

from peewee import (
    SQL,
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


class CannedReplyRecord(Model):
    """A frozen copy of the canned reply table as first released."""

    id = AutoField()
    title = CharField(max_length=80)
    body = TextField()
    owner = ForeignKeyField(_MemberRef, null=True, on_delete="RESTRICT", index=True, column_name="owner_id")
    active = BooleanField(default=True)
    created_at = UtcDateTimeField()
    updated_at = UtcDateTimeField()

    class Meta:
        database = _frozen
        table_name = "canned_reply"
        legacy_table_names = False


class EmailTemplateRecord(Model):
    """A frozen copy of the email template table as first released."""

    kind = CharField(max_length=24, primary_key=True)
    body = TextField()
    updated_at = UtcDateTimeField()
    updated_by = ForeignKeyField(_MemberRef, null=True, on_delete="RESTRICT", column_name="updated_by_id")

    class Meta:
        database = _frozen
        table_name = "email_template"
        legacy_table_names = False


def up(migrator, db):
    _frozen.initialize(db)
    db.create_tables([CannedReplyRecord, EmailTemplateRecord], safe=True)
    migrator.migrate(
        migrator.add_column("mail_outbox", "cc_addresses", TextField(default="", constraints=[SQL("DEFAULT ''")])),
        migrator.add_column("mail_outbox", "attachment_ids", TextField(default="", constraints=[SQL("DEFAULT ''")])),
    )
