"""The audit hash chain: written with every change, verified, and tampering found at the right row."""

import threading

import pytest
from peewee import SqliteDatabase

from desktop_helpdesk.domain.audit_chain import GENESIS_HASH, canonical_content, link_hash
from desktop_helpdesk.services.audit_chain import (
    AuditChainService,
    ChainAnchor,
    verify_chain,
)
from desktop_helpdesk.services.container import Services
from desktop_helpdesk.services.errors import PermissionDenied
from desktop_helpdesk.storage.db import database
from desktop_helpdesk.storage.records import AuditRecord, CaseRecord
from tests.services.conftest import caller

pytestmark = pytest.mark.usefixtures("engine")


def _sql(statement, params=()):
    return database.execute_sql(statement.replace("?", database.param), params)


def lift_triggers():
    """What someone with database access does before rewriting history."""
    if isinstance(database.obj, SqliteDatabase):
        _sql("DROP TRIGGER audit_no_update")
        _sql("DROP TRIGGER audit_no_delete")
    else:
        _sql("DROP TRIGGER audit_no_update ON audit")


def _log_cases(services, team, count=4):
    return [
        services.cases.log_case(team.alice, subject=f"LMS {n}", channel="email",
                                new_contact=caller(email=f"c{n}@acme.example")).id
        for n in range(count)
    ]


def _ids():
    return [row.id for row in AuditRecord.select(AuditRecord.id).order_by(AuditRecord.id)]


def _case_row(case_id):
    """The id of a middle audit row that belongs to ``case_id``."""
    return (AuditRecord.select(AuditRecord.id).where(AuditRecord.case == case_id)
            .order_by(AuditRecord.id).first().id)


def test_every_change_extends_one_chain(services, team, clock):
    _log_cases(services, team)
    rows = list(AuditRecord.select().order_by(AuditRecord.id))
    assert rows[0].prev_hash == GENESIS_HASH
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(rows, rows[1:], strict=False))
    report = verify_chain(clock.now())
    assert report.ok, report.summary()
    assert report.rows == len(rows)
    assert report.head.head_id == rows[-1].id and report.head.head_hash == rows[-1].hash
    assert report.summary().startswith(f"OK: {len(rows)} audit rows")


def test_an_edited_row_is_found_at_that_row(services, team, clock):
    cases = _log_cases(services, team)
    target = _case_row(cases[1])
    lift_triggers()
    _sql('UPDATE "audit" SET "after" = ? WHERE "id" = ?', ("forged", target))

    report = verify_chain(clock.now())

    assert not report.ok
    assert report.broken.row_id == target
    assert report.broken.kind == "edited"
    assert report.broken.case_number == CaseRecord.get_by_id(cases[1]).number
    assert report.summary().startswith(f"BROKEN: row {target} (case {report.broken.case_number})")


def test_an_edited_and_rehashed_row_breaks_the_next_link(services, team, clock):
    cases = _log_cases(services, team)
    target = _case_row(cases[2])
    row = AuditRecord.get_by_id(target)
    lift_triggers()
    forged = canonical_content((AuditRecord.at.db_value(row.at), row.actor_id, row.entity,
                                row.entity_id, row.case_id, row.action, row.field, row.before,
                                "forged", row.reason))
    _sql('UPDATE "audit" SET "after" = ?, "hash" = ? WHERE "id" = ?',
         ("forged", link_hash(row.prev_hash, forged), target))

    report = verify_chain(clock.now())

    following = _ids()[_ids().index(target) + 1]
    assert (report.broken.row_id, report.broken.kind) == (following, "deleted")
    assert "deleted or rewritten" in report.broken.detail


def test_a_deleted_row_is_found_at_the_gap(services, team, clock):
    cases = _log_cases(services, team)
    target = _case_row(cases[1])
    following = _ids()[_ids().index(target) + 1]
    lift_triggers()
    _sql('DELETE FROM "audit" WHERE "id" = ?', (target,))

    report = verify_chain(clock.now())

    assert (report.broken.row_id, report.broken.kind) == (following, "deleted")
    assert f"ids {target}–{target}" in report.broken.detail
    assert verify_chain(clock.now()).rows == _ids().index(following)


def _slip_in_row_after(previous_id, *, hash_correctly):
    """Shift the later rows up one id and insert a forged row right after ``previous_id``."""
    lift_triggers()
    _sql('DROP INDEX "audit_prev_hash"')
    _sql('UPDATE "audit" SET "id" = "id" + 1000000 WHERE "id" > ?', (previous_id,))
    _sql('UPDATE "audit" SET "id" = "id" - 999999 WHERE "id" > 1000000')
    previous = AuditRecord.get_by_id(previous_id)
    at = AuditRecord.at.db_value(previous.at)
    content = canonical_content((at, None, "case", None, None, "note", "", "", "forged", ""))
    forged_hash = link_hash(previous.hash, content) if hash_correctly else "f" * 64
    _sql('INSERT INTO "audit" ("id", "at", "entity", "action", "field", "before", "after", '
         '"reason", "prev_hash", "hash") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
         (previous_id + 1, at, "case", "note", "", "", "forged", "", previous.hash, forged_hash))
    return previous_id + 1


@pytest.mark.parametrize("hash_correctly", [True, False])
def test_a_row_inserted_in_the_middle_is_found_there(services, team, clock, hash_correctly):
    cases = _log_cases(services, team)
    inserted = _slip_in_row_after(_case_row(cases[1]), hash_correctly=hash_correctly)

    report = verify_chain(clock.now())

    assert report.broken.row_id == inserted
    assert report.broken.kind == ("inserted" if hash_correctly else "edited")


def test_an_anchor_catches_rows_deleted_from_the_end(services, team, clock):
    _log_cases(services, team, 2)
    anchor = verify_chain(clock.now()).head
    last = _ids()[-1]
    lift_triggers()
    _sql('DELETE FROM "audit" WHERE "id" = ?', (last,))

    assert verify_chain(clock.now()).ok  # the chain alone cannot see a shorter end...
    report = verify_chain(clock.now(), anchor=anchor)  # ...the anchor can
    assert report.broken.kind == "truncated"
    assert f"proves {anchor.rows}" in report.broken.detail


def test_an_anchor_catches_a_rewritten_history(services, team, clock):
    _log_cases(services, team, 2)
    anchor = verify_chain(clock.now()).head
    # Rewrite everything consistently: the chain holds, but not the anchor taken before.
    lift_triggers()
    _sql('DROP INDEX "audit_prev_hash"')
    previous = GENESIS_HASH
    for row in AuditRecord.select().order_by(AuditRecord.id):
        content = canonical_content((AuditRecord.at.db_value(row.at), row.actor_id, row.entity,
                                     row.entity_id, row.case_id, row.action, row.field,
                                     row.before, row.after.replace("Acme", "Other"), row.reason))
        current = link_hash(previous, content)
        _sql('UPDATE "audit" SET "after" = ?, "prev_hash" = ?, "hash" = ? WHERE "id" = ?',
             (row.after.replace("Acme", "Other"), previous, current, row.id))
        previous = current
    assert verify_chain(clock.now()).ok
    report = verify_chain(clock.now(), anchor=anchor)
    assert report.broken.kind == "anchor"
    assert report.broken.row_id == anchor.head_id


def test_anchors_round_trip_through_json(services, team, clock):
    head = verify_chain(clock.now()).head
    assert ChainAnchor.from_json(head.to_json()) == head


def test_two_workstations_writing_at_once_keep_one_chain(services, team, clock):
    # Threads have their own connections, like two workstations on the same database.
    start = threading.Barrier(4)
    errors = []

    def workstation(n):
        try:
            start.wait()
            for k in range(5):
                services.cases.log_case(team.bob if n % 2 else team.alice, subject=f"W{n}-{k}",
                                        channel="phone", new_contact=caller(email=f"w{n}{k}@a.example",
                                                           client_name=f"Client {n}-{k}"))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            database.close()

    threads = [threading.Thread(target=workstation, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert CaseRecord.select().count() == 20
    report = verify_chain(clock.now())
    assert report.ok, report.summary()
    assert report.rows == AuditRecord.select().count()


def test_verifying_remembers_the_last_state_for_managers_only(services, team, clock):
    chain = AuditChainService(services.context)
    assert chain.last_verified() is None
    with pytest.raises(PermissionDenied, match="Only a supervisor or admin can verify"):
        chain.verify(team.alice)
    report = chain.verify(team.supervisor)
    state = chain.last_verified()
    assert state["ok"] is True and state["rows"] == report.rows
    assert state["head"]["head_hash"] == report.head.head_hash
    assert state["summary"] == report.summary()


def test_the_chain_verifies_on_a_fresh_services_instance(team, clock):
    # Nothing is cached in the writer: another process continues the same chain.
    Services.create(clock).team.add_member(team.admin, "zed", "Zed Agent")
    assert verify_chain(clock.now()).ok
