"""Who has a case open on which workstation, kept fresh by a heartbeat."""

from __future__ import annotations

from peewee import AutoField, CharField, DatabaseProxy, ForeignKeyField, Model

from desktop_helpdesk.storage.fields import UtcDateTimeField

_frozen = DatabaseProxy()


class _Ref(Model):
    id = AutoField()

    class Meta:
        database = _frozen


class _MemberRef(_Ref):
    class Meta:
        table_name = "team_member"


class _CaseRef(_Ref):
    class Meta:
        table_name = "case"


class CasePresenceRecord(Model):
    """A frozen copy of the presence table as first released."""

    id = AutoField()
    member = ForeignKeyField(_MemberRef, on_delete="CASCADE", column_name="member_id")
    workstation = CharField(max_length=128)
    case = ForeignKeyField(_CaseRef, on_delete="CASCADE", index=True, column_name="case_id")
    opened_at = UtcDateTimeField()
    seen_at = UtcDateTimeField(index=True)

    class Meta:
        database = _frozen
        table_name = "case_presence"
        legacy_table_names = False
        indexes = ((("member", "workstation"), True),)


def up(migrator, db):
    _frozen.initialize(db)
    db.create_tables([CasePresenceRecord], safe=True)
