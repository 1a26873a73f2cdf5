"""Clients get a case-folded name key with a unique index, filled for the clients already there."""

from __future__ import annotations

import logging

from peewee import CharField

from desktop_helpdesk.domain.cases import client_name_key

log = logging.getLogger(__name__)


def up(migrator, db):
    migrator.migrate(migrator.add_column("client", "name_key", CharField(max_length=600, default="")))
    taken: set[str] = set()
    rows = db.execute_sql('SELECT id, name FROM "client" ORDER BY id').fetchall()
    for client_id, name in rows:
        key = client_name_key(name)
        if key in taken:
            # Two clients that differ only in non-ASCII case were let in before; both keep their
            # cases and history, and the newer one gets a key of its own (new look-ups find the
            # older one).
            log.warning("client %s (%r) has the same name as an older client; keyed apart", client_id, name)
            key = f"{key}#{client_id}"
        taken.add(key)
        db.execute_sql('UPDATE "client" SET name_key = %s WHERE id = %s'.replace("%s", db.param),
                       (key, client_id))
    migrator.migrate(migrator.add_index("client", ("name_key",), unique=True))
