"""Calls the desk has not turned into a case yet: missed-call notes and outbound calls in progress."""

from __future__ import annotations

from peewee import AutoField, CharField, DatabaseProxy, ForeignKeyField, Model

from desktop_helpdesk.storage.fields import UtcDateTimeField

_frozen = DatabaseProxy()


def _ref(table: str) -> type[Model]:
    """Just enough of an existing table for a foreign key."""

    class Ref(Model):
        id = AutoField()

        class Meta:
            database = _frozen
            table_name = table

    return Ref


class PhoneCallRecord(Model):
    """A frozen copy of the phone call table as first released."""

    id = AutoField()
    direction = CharField(max_length=16)
    state = CharField(max_length=16, index=True)
    number = CharField(max_length=64)
    number_digits = CharField(max_length=32, default="")
    caller_name = CharField(max_length=200, default="")
    line = CharField(max_length=200, default="")
    external_id = CharField(max_length=200, default="")
    member = ForeignKeyField(_ref("team_member"), on_delete="RESTRICT", column_name="member_id")
    contact = ForeignKeyField(_ref("contact"), null=True, on_delete="RESTRICT", column_name="contact_id")
    case = ForeignKeyField(_ref("case"), null=True, on_delete="RESTRICT", column_name="case_id")
    interaction = ForeignKeyField(_ref("interaction"), null=True, on_delete="RESTRICT",
                                  column_name="interaction_id")
    started_at = UtcDateTimeField()
    ended_at = UtcDateTimeField(null=True)

    class Meta:
        database = _frozen
        table_name = "phone_call"
        # Index names come from the table name, as for the live records (BaseRecord).
        legacy_table_names = False


def up(migrator, db):
    _frozen.initialize(db)
    db.create_tables([PhoneCallRecord], safe=True)
