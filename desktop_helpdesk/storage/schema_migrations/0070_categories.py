"""Cases get a category from a short admin-managed list (reports and exports group by it)."""

from __future__ import annotations

from peewee import AutoField, BooleanField, CharField, DatabaseProxy, ForeignKeyField, Model

from desktop_helpdesk.storage.fields import UtcDateTimeField

_frozen = DatabaseProxy()


class CategoryRecord(Model):
    """A frozen copy of the category table as first released."""

    id = AutoField()
    name = CharField(max_length=80, unique=True)
    active = BooleanField(default=True)
    created_at = UtcDateTimeField()

    class Meta:
        database = _frozen
        table_name = "category"
        legacy_table_names = False


def up(migrator, db):
    _frozen.initialize(db)
    db.create_tables([CategoryRecord], safe=True)
    category = ForeignKeyField(CategoryRecord, null=True, on_delete="RESTRICT", field=CategoryRecord.id)
    migrator.migrate(
        # peewee indexes a foreign key column it adds, as the record's index=True asks.
        migrator.add_column("case", "category_id", category),
    )
