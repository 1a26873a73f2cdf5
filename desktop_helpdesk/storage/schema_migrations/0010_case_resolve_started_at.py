"""Cases remember when their current resolution clock started (reopening starts a new one)."""

from __future__ import annotations

from desktop_helpdesk.storage.fields import UtcDateTimeField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("case", "resolve_started_at", UtcDateTimeField(null=True)),
    )
