"""A case merged into another remembers which (its number then finds the survivor)."""

from __future__ import annotations

from peewee import AutoField, DatabaseProxy, ForeignKeyField, Model

_frozen = DatabaseProxy()


class _CaseRef(Model):
    """Just enough of the case table for the self-reference."""

    id = AutoField()

    class Meta:
        database = _frozen
        table_name = "case"


def up(migrator, db):
    _frozen.initialize(db)
    merged_into = ForeignKeyField(_CaseRef, null=True, on_delete="RESTRICT", field=_CaseRef.id)
    # peewee indexes a foreign key column it adds, as the record's index=True asks.
    migrator.migrate(migrator.add_column("case", "merged_into_id", merged_into))
