"""Benchmark: verifying a 1,000,000-row audit chain, and what the chain adds to logging a case.

Run: ``python3 bench/bench_audit_chain.py [--rows 1000000] [--log 200]``

1. Builds a SQLite file with ``--rows`` chained audit rows (realistic text sizes), then times
   ``verify_chain`` over all of them. Target: under 10 s.
2. Logs ``--log`` cases through ``CaseService.log_case`` twice, interleaved: with the chain
   (``append_audit_rows``: head read, hashing, insert) and with a plain multi-row insert (what
   logging did before the chain). Prints both medians and the difference. Target: < 1 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time as timer
from datetime import timedelta
from pathlib import Path

from big_database import DEFAULT_NOW

import desktop_helpdesk.services.audit as audit_module
from desktop_helpdesk.domain.audit_chain import GENESIS_HASH, canonical_content, link_hash
from desktop_helpdesk.domain.clock import ManualClock
from desktop_helpdesk.services.audit_chain import verify_chain
from desktop_helpdesk.services.contacts import NewContact
from desktop_helpdesk.services.container import Services
from desktop_helpdesk.storage.db import close_database, database, open_database
from desktop_helpdesk.storage.records import AuditRecord

VERIFY_TARGET_S = 10.0
OVERHEAD_TARGET_MS = 1.0


def build_chain(path: Path, rows: int) -> float:
    """A migrated database whose audit table holds ``rows`` chained rows; returns seconds."""
    started = timer.perf_counter()
    db = open_database(path)
    at = AuditRecord.at.db_value(DEFAULT_NOW)
    previous = GENESIS_HASH
    batch = []
    sql = ('INSERT INTO "audit" ("at", "actor_id", "entity", "entity_id", "case_id", "action", '
           '"field", "before", "after", "reason", "prev_hash", "hash") '
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
    with db.atomic():
        for n in range(rows):
            values = (at, None, "case", n, None, "update", "status", "in_progress",
                      "waiting_on_client", f"Waiting for the client's IT team to reply ({n})")
            current = link_hash(previous, canonical_content(values))
            batch.append((*values, previous, current))
            previous = current
            if len(batch) == 50_000:
                db.cursor().executemany(sql, batch)
                batch.clear()
        if batch:
            db.cursor().executemany(sql, batch)
    close_database()
    return timer.perf_counter() - started


def time_verify(path: Path) -> tuple[float, float, int]:
    """Wall and CPU seconds of verifying the whole chain, and the rows verified (the CPU time
    shows the cost on a shared, busy machine, where wall time includes waiting for a core)."""
    open_database(path)
    started, cpu = timer.perf_counter(), timer.process_time()
    report = verify_chain(DEFAULT_NOW)
    seconds, cpu = timer.perf_counter() - started, timer.process_time() - cpu
    assert report.ok, report.summary()
    close_database()
    return seconds, cpu, report.rows


def _plain_insert(rows: list[dict]) -> None:
    # Logging as it was before the chain: one multi-row INSERT, no head read, no hashing
    # (prev_hash must still be unique: a counter stands in for it).
    for row in rows:
        _plain_counter[0] += 1
        row["prev_hash"], row["hash"] = f"p{_plain_counter[0]}", f"h{_plain_counter[0]}"
    AuditRecord.insert_many(rows).execute()


_plain_counter = [0]


def time_logging(path: Path, n_log: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """Median ms per logged case, wall and CPU, for (chained, plain), interleaved so both see the
    same machine. CPU time (this process) is what the chain costs when the machine is shared."""
    open_database(path)
    clock = ManualClock(DEFAULT_NOW)
    services = Services.create(clock)
    admin = services.team.bootstrap_admin("admin", "Ada Admin").id
    for n in range(5):
        services.team.add_member(admin, f"agent{n}", f"Agent {n}")
    chained, plain, chained_cpu, plain_cpu = [], [], [], []
    real_append = audit_module.append_audit_rows
    try:
        for i in range(n_log * 2):
            use_chain = i % 2 == 0
            audit_module.append_audit_rows = real_append if use_chain else _plain_insert
            clock.advance(timedelta(seconds=20))
            started, cpu = timer.perf_counter(), timer.process_time()
            services.cases.log_case(
                admin, subject=f"Course player shows a blank page ({i})", channel="phone",
                new_contact=NewContact(f"Caller {i}", email=f"c{i}@example.org",
                                       client_name=f"Client {i % 7}"),
            )
            (chained if use_chain else plain).append((timer.perf_counter() - started) * 1000)
            (chained_cpu if use_chain else plain_cpu).append((timer.process_time() - cpu) * 1000)
    finally:
        audit_module.append_audit_rows = real_append
    close_database()
    database.initialize(None)
    return ((statistics.median(chained), statistics.median(plain)),
            (statistics.median(chained_cpu), statistics.median(plain_cpu)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--log", type=int, default=200)
    parser.add_argument("--skip-verify", action="store_true", help="only time logging cases")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="helpdesk-bench-chain-"))
    if not args.skip_verify:
        verify(folder, args.rows)
    log_cases(folder, args.log)
    return 0


def verify(folder: Path, rows_wanted: int) -> None:
    built = build_chain(folder / "chain.sqlite3", rows_wanted)
    print(f"built {rows_wanted:,} chained audit rows in {built:.1f} s")
    seconds, cpu, rows = time_verify(folder / "chain.sqlite3")
    verdict = "OK" if seconds < VERIFY_TARGET_S else "SLOWER THAN TARGET"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"verify_chain: {rows:,} rows in {seconds:.2f} s wall, {cpu:.2f} s CPU "
          f"({rows / seconds:,.0f} rows/s; load average {load:.1f}; "
          f"target < {VERIFY_TARGET_S:.0f} s: {verdict})")


def log_cases(folder: Path, n_log: int) -> None:
    (chained, plain), (chained_cpu, plain_cpu) = time_logging(folder / "log.sqlite3", n_log)
    for label, with_chain, without in (("wall", chained, plain), ("CPU", chained_cpu, plain_cpu)):
        added = with_chain - without
        verdict = "OK" if added < OVERHEAD_TARGET_MS else "OVER TARGET"
        print(f"log_case median {label}: {with_chain:.2f} ms with the chain, {without:.2f} ms with a "
              f"plain insert; the chain adds {added:.3f} ms (target < {OVERHEAD_TARGET_MS:.0f} ms: {verdict})")


if __name__ == "__main__":
    sys.exit(main())
