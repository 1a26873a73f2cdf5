"""Benchmark: the case list's first page and a case-number search, beside bare sqlite3.

Each figure is the service path the list runs (``CaseQueries.ids`` for the queue or search,
then ``CaseQueries.rows`` for the first 200 ids: named ``CaseRow`` fields, aware instants)
beside the bare ``sqlite3`` statements that return the same rows as plain tuples of text,
measured in the same run on the same connection settings. Target (issue 13): within 2x.

Run: ``python3 bench/bench_case_list.py [--cases N] [--db PATH]`` from the repository root.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import time
from pathlib import Path

# Runnable as a script from the repository root, like the other benchmarks.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.big_database import DEFAULT_NOW, ensure_big_database  # noqa: E402
from desktop_helpdesk.domain.cases import OPEN_STATUS_VALUES  # noqa: E402
from desktop_helpdesk.domain.clock import ManualClock  # noqa: E402
from desktop_helpdesk.services.case_queries import (  # noqa: E402
    CaseColumn,
    CaseFilter,
    CaseQueries,
    Queue,
)
from desktop_helpdesk.services.context import ServiceContext  # noqa: E402
from desktop_helpdesk.storage.db import close_database, open_database  # noqa: E402

PAGE = 200
REPEATS = 200
TARGET_RATIO = 2.0

_BARE_COLUMNS = """c.id, c.number, cl.name, co.name, c.subject, c.requested_priority,
    c.effective_priority, c.status, c.channel, c.assignee_id, tm.display_name, c.received_at,
    c.acknowledge_due_at, c.respond_due_at, c.resolve_due_at, c.acknowledged_at,
    c.responded_at, c.resolved_at, c.closed_at, c.next_due_at, c.resolve_paused_at, c.version,
    c.updated_at, ca.name,
    (SELECT max(i.occurred_at) FROM interaction i
     WHERE i.case_id = c.id AND i.direction <> 'internal')"""
_BARE_FROM = """FROM "case" c JOIN client cl ON cl.id = c.client_id
    LEFT JOIN contact co ON co.id = c.contact_id
    LEFT JOIN team_member tm ON tm.id = c.assignee_id
    LEFT JOIN category ca ON ca.id = c.category_id"""
BARE_OPEN_IDS = (f'SELECT id FROM "case" WHERE status IN ({", ".join("?" * len(OPEN_STATUS_VALUES))}) '
                 "ORDER BY +next_due_at, id")
BARE_PAGE = f"SELECT {_BARE_COLUMNS} {_BARE_FROM} WHERE c.id IN (SELECT value FROM json_each(?))"
BARE_NUMBER = f"SELECT {_BARE_COLUMNS} {_BARE_FROM} WHERE c.number = ?"


def paired_medians(app, bare) -> tuple[float, float, object, object]:
    """Median CPU ms of ``app`` and of ``bare`` over ``REPEATS`` alternating runs.

    CPU time, not wall time: on a shared, loaded machine wall time mostly measures waiting
    for a core (the same pair differed 3x from run to run); everything here is in-process
    (SQLite included) and served from the page cache. Alternating runs share conditions.
    """
    app_result, bare_result = app(), bare()  # warm: statement caches, pages in memory
    app_times, bare_times = [], []
    for _ in range(REPEATS):
        for action, times in ((app, app_times), (bare, bare_times)):
            started = time.process_time()
            action()
            times.append((time.process_time() - started) * 1000)
    return (statistics.median(app_times), statistics.median(bare_times), app_result,
            bare_result)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="reuse this big database (built if missing)")
    args = parser.parse_args(argv)
    path = ensure_big_database(args.db, args.cases)
    open_database(path)
    queries = CaseQueries(ServiceContext(ManualClock(DEFAULT_NOW)))
    bare = sqlite3.connect(path)
    bare.execute("PRAGMA journal_mode=wal")
    cases = bare.execute('SELECT COUNT(*) FROM "case"').fetchone()[0]
    number = bare.execute('SELECT number FROM "case" ORDER BY id LIMIT 1 OFFSET ?',
                          (cases // 2,)).fetchone()[0]
    now = DEFAULT_NOW

    def app_first_page():
        ids = queries.ids(CaseFilter(Queue.ALL_OPEN), CaseColumn.NEXT_DUE, False, now)
        return queries.rows(ids[:PAGE])

    def bare_first_page():
        ids = [row[0] for row in bare.execute(BARE_OPEN_IDS, OPEN_STATUS_VALUES)]
        return bare.execute(BARE_PAGE, (json.dumps(ids[:PAGE]),)).fetchall()

    def app_number_search():
        ids = queries.ids(CaseFilter(search=number), CaseColumn.NEXT_DUE, False, now)
        return queries.rows(ids[:PAGE])

    def bare_number_search():
        return bare.execute(BARE_NUMBER, (number,)).fetchall()

    print(f"database: {path} ({cases:,} cases); searching for case {number}")
    print(f"{'measure (median CPU ms)':<44}{'app ms':>9}{'sqlite3 ms':>12}{'ratio':>8}")
    ok = True
    for label, app, plain in (
        ("case list first page (All open, 200 rows)", app_first_page, bare_first_page),
        ("case-number search", app_number_search, bare_number_search),
    ):
        app_ms, bare_ms, app_rows, bare_rows = paired_medians(app, plain)
        # The same rows (IN returns them in table order; the list orders them by its ids).
        same = sorted(row.id for row in app_rows) == sorted(row[0] for row in bare_rows)
        ratio = app_ms / bare_ms
        ok &= same and ratio <= TARGET_RATIO
        verdict = "ok" if ratio <= TARGET_RATIO else f"OVER {TARGET_RATIO:.0f}x"
        print(f"{label:<44}{app_ms:>9.3f}{bare_ms:>12.3f}{ratio:>7.2f}x  {verdict}"
              f"{'' if same else '  ROWS DIFFER'}  ({len(app_rows)} rows)")
    bare.close()
    close_database()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
