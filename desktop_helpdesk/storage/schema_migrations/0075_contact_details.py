"""Contacts get notes and further phone numbers and email addresses."""

from __future__ import annotations

from peewee import SQL, AutoField, CharField, DatabaseProxy, ForeignKeyField, Model, TextField

from desktop_helpdesk.storage.fields import UtcDateTimeField

_frozen = DatabaseProxy()


class _ContactRef(Model):
    id = AutoField()

    class Meta:
        database = _frozen
        table_name = "contact"


class ContactAddressRecord(Model):
    """A frozen copy of the contact address table as first released."""

    id = AutoField()
    contact = ForeignKeyField(_ContactRef, on_delete="RESTRICT", index=True, column_name="contact_id")
    kind = CharField(max_length=8)
    value = CharField(max_length=254)
    normalised = CharField(max_length=254, index=True)
    created_at = UtcDateTimeField()

    class Meta:
        database = _frozen
        table_name = "contact_address"
        legacy_table_names = False


def up(migrator, db):
    _frozen.initialize(db)
    db.create_tables([ContactAddressRecord], safe=True)
    # A database default too: bulk loaders insert contacts naming only the columns they know.
    migrator.migrate(migrator.add_column("contact", "notes", TextField(default="", constraints=[SQL("DEFAULT ''")])))
