"""Email intake: the inbound message store, client email domains, failing contact addresses."""

from __future__ import annotations

from peewee import (
    SQL,
    AutoField,
    BigIntegerField,
    BlobField,
    BooleanField,
    CharField,
    DatabaseProxy,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from desktop_helpdesk.storage.fields import UtcDateTimeField

_frozen = DatabaseProxy()


class _Frozen(Model):
    class Meta:
        database = _frozen
        legacy_table_names = False


class _ClientRef(_Frozen):
    """Just enough of the client table for the foreign key."""

    id = AutoField()

    class Meta:
        table_name = "client"


class _CaseRef(_Frozen):
    """Just enough of the case table for the foreign key."""

    id = AutoField()

    class Meta:
        table_name = "case"


class _InteractionRef(_Frozen):
    """Just enough of the interaction table for the foreign key."""

    id = AutoField()

    class Meta:
        table_name = "interaction"


class ClientEmailDomainRecord(_Frozen):
    """A frozen copy of the client email domains as first released."""

    id = AutoField()
    client = ForeignKeyField(_ClientRef, on_delete="RESTRICT", index=True, column_name="client_id")
    domain = CharField(max_length=253, unique=True)
    created_at = UtcDateTimeField()

    class Meta:
        table_name = "client_email_domain"


class InboundMailRecord(_Frozen):
    """A frozen copy of the inbound message store as first released."""

    id = AutoField()
    message_key = CharField(max_length=400, unique=True)
    message_id = CharField(max_length=400, default="")
    raw_sha256 = CharField(max_length=64)
    raw = BlobField()
    size = IntegerField()
    source = CharField(max_length=16)
    mailbox = CharField(max_length=300, default="")
    uidvalidity = BigIntegerField(null=True)
    uid = BigIntegerField(null=True)
    from_address = CharField(max_length=254, default="", index=True)
    subject = CharField(max_length=400, default="")
    sent_at = UtcDateTimeField(null=True)
    received_at = UtcDateTimeField(index=True)
    outcome = CharField(max_length=16, index=True)
    reason = TextField(default="")
    case = ForeignKeyField(_CaseRef, null=True, on_delete="RESTRICT", index=True, column_name="case_id")
    interaction = ForeignKeyField(
        _InteractionRef, null=True, on_delete="RESTRICT", index=True, column_name="interaction_id"
    )
    quarantine_state = CharField(max_length=16, default="", index=True)
    quarantine_note = TextField(default="")

    class Meta:
        table_name = "inbound_mail"
        indexes = ((("uidvalidity", "uid"), False),)


# Database-level defaults too: bulk loaders (bench/big_database.py) insert rows naming only
# the columns they know, and must keep working on the widened tables.
_EMPTY_TEXT = [SQL("DEFAULT ''")]
_FALSE = [SQL("DEFAULT FALSE")]


def up(migrator, db):
    _frozen.initialize(db)
    db.create_tables([ClientEmailDomainRecord, InboundMailRecord], safe=True)
    migrator.migrate(
        migrator.add_column("contact", "email_failing_at", UtcDateTimeField(null=True)),
        migrator.add_column(
            "contact", "email_failing_reason", TextField(default="", constraints=_EMPTY_TEXT)
        ),
        migrator.add_column("mail_outbox", "automatic", BooleanField(default=False, constraints=_FALSE)),
        migrator.add_column("mail_outbox", "in_reply_to", TextField(default="", constraints=_EMPTY_TEXT)),
    )
