"""The change feed follows database revision numbers: two workstations whose clocks are five
minutes apart, each on its own connection, see each other's changes; nothing is seen twice."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import timedelta

import pytest

from desktop_helpdesk.domain.clock import ManualClock
from desktop_helpdesk.services.case_queries import CaseQueries
from desktop_helpdesk.services.container import Services
from desktop_helpdesk.storage.db import database
from desktop_helpdesk.storage.records import CaseRecord
from tests.conftest import halifax
from tests.services.conftest import caller

pytestmark = pytest.mark.usefixtures("engine")


class Workstation:
    """One workstation: its own clock, its own thread, so its own database connection."""

    def __init__(self, clock: ManualClock) -> None:
        self.services = Services.create(clock)
        self.queries = CaseQueries(self.services.context)
        self._thread = ThreadPoolExecutor(max_workers=1)
        self.connection_ids: set[int] = set()

    def run(self, function, *args, **kwargs):
        def on_own_connection():
            database.connect(reuse_if_open=True)
            self.connection_ids.add(id(database.connection()))
            return function(*args, **kwargs)
        return self._thread.submit(on_own_connection).result(timeout=30)

    def close(self):
        self._thread.submit(database.close).result(timeout=30)
        self._thread.shutdown()


def test_clocks_five_minutes_apart_each_see_the_others_changes(services, team):
    ahead = Workstation(ManualClock(halifax(2026, 11, 25, 9, 5)))
    behind = Workstation(ManualClock(halifax(2026, 11, 25, 9, 0)))
    try:
        cursor_ahead = ahead.run(ahead.queries.initial_cursor)
        cursor_behind = behind.run(behind.queries.initial_cursor)

        logged = ahead.run(ahead.services.cases.log_case, team.alice, subject="LMS down", channel="phone",
                           new_contact=caller())
        changed, may_have_changed, cursor_behind = behind.run(behind.queries.changes_since, cursor_behind)
        assert changed == [logged.id] and may_have_changed
        changed, _, cursor_ahead = ahead.run(ahead.queries.changes_since, cursor_ahead)
        assert changed == [logged.id]

        # The slow clock writes an instant five minutes before the fast one's last write: a
        # timestamp cursor would never show it to the fast one; the revision does.
        other = behind.run(behind.services.cases.log_case, team.bob, subject="VPN down", channel="phone",
                           new_contact=caller(name="Dan", client_name="Globex"))
        assert CaseRecord.get_by_id(other.id).updated_at < CaseRecord.get_by_id(logged.id).updated_at
        changed, _, cursor_ahead = ahead.run(ahead.queries.changes_since, cursor_ahead)
        assert changed == [other.id]
        assert ahead.run(ahead.queries.changes_since, cursor_ahead) == ([], False, cursor_ahead)

        behind.services.context.clock.advance(timedelta(minutes=1))
        behind.run(behind.services.cases.add_interaction, team.bob, other.id, channel="phone",
                   direction="outbound", summary="Called back")
        ahead.services.context.clock.advance(timedelta(minutes=1))
        ahead.run(ahead.services.cases.add_interaction, team.alice, logged.id, channel="phone",
                  direction="outbound", summary="Called back")
        changed, _, cursor_ahead = ahead.run(ahead.queries.changes_since, cursor_ahead)
        assert changed == [other.id, logged.id]
        changed, _, cursor_behind = behind.run(behind.queries.changes_since, cursor_behind)
        assert changed == [other.id, logged.id]
        assert ahead.connection_ids.isdisjoint(behind.connection_ids)
    finally:
        ahead.close()
        behind.close()


def test_revisions_are_assigned_by_the_database_on_every_write(services, team):
    first = services.cases.log_case(team.alice, subject="LMS down", channel="phone", new_contact=caller())
    revision = CaseRecord.get_by_id(first.id).revision
    assert revision > 0
    services.cases.add_interaction(team.alice, first.id, channel="phone", direction="outbound", summary="x")
    after_interaction = CaseRecord.get_by_id(first.id).revision
    assert after_interaction > revision
    # Even a write that bypasses the services (a bulk fix by an administrator) moves it.
    CaseRecord.update(subject="LMS down (all users)").where(CaseRecord.id == first.id).execute()
    assert CaseRecord.get_by_id(first.id).revision > after_interaction


def test_concurrent_writers_never_make_a_reader_skip_a_revision(services, team):
    """Writers on several connections; a reader following the feed the whole time sees every
    case each writer touched (a revision taken early but committed late is not skipped)."""
    cases = [services.cases.log_case(team.alice, subject=f"Case {n}", channel="phone",
                                     new_contact=caller(name=f"Caller {n}", client_name=f"Client {n}")).id
             for n in range(4)]
    reader = CaseQueries(services.context)
    cursor = reader.initial_cursor()
    seen: list[int] = []
    done = threading.Event()

    def write(case_id):
        database.connect(reuse_if_open=True)
        try:
            for n in range(5):
                services.cases.add_interaction(team.alice, case_id, channel="phone", direction="outbound",
                                               summary=f"try {n}")
        finally:
            database.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(write, case_id) for case_id in cases]
        while not done.is_set():
            # Read the feed every few milliseconds while the writers run. A reader spinning
            # without pause held the GIL so much that a writer holding SQLite's write lock
            # crawled, and the last writer's BEGIN IMMEDIATE outwaited its 10 s busy timeout.
            finished, _ = wait(futures, timeout=0.005)
            changed, _, cursor = reader.changes_since(cursor)
            seen.extend(changed)
            if len(finished) == len(futures):
                done.set()
        for future in futures:
            future.result()
    changed, _, cursor = reader.changes_since(cursor)
    seen.extend(changed)
    assert set(seen) == set(cases)
    # Each case's final revision was seen: the cursor is at the newest one.
    assert cursor.revision == max(row.revision for row in CaseRecord.select())
