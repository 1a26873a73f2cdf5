"""The mail outbox's indexes get the names the records declare (0040 named them after its
frozen model class), so later migrations and the schema check find them by their real names."""

from __future__ import annotations


def up(migrator, db):
    migrator.migrate(
        migrator.drop_index("mail_outbox", "mailoutboxrecord_case_id"),
        migrator.drop_index("mail_outbox", "mailoutboxrecord_created_at"),
        migrator.add_index("mail_outbox", ("case_id",), False),
        migrator.add_index("mail_outbox", ("created_at",), False),
    )
