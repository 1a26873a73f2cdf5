"""Benchmark: logging one case end to end on a 100,000-case database.

Run: ``python3 bench/bench_log_case.py [--cases 100000] [--log 300] [--db PATH]``

Builds (or reuses, with ``--db`` pointing at an existing file made by ``big_database.py``) a
large SQLite database, then logs ``--log`` cases through ``CaseService.log_case`` — validation,
contact look-up, case number, assignment (least open workload, the costlier strategy), SLA
due instants, audit rows, CRM outbox, search index, commit — and prints the median and 95th
percentile milliseconds per case. Target: under 20 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time as timer
from datetime import timedelta
from pathlib import Path

from big_database import DEFAULT_NOW, ensure_big_database

from desktop_helpdesk.domain.clock import ManualClock
from desktop_helpdesk.services.contacts import NewContact
from desktop_helpdesk.services.container import Services
from desktop_helpdesk.storage.db import open_database

TARGET_MS = 20.0


def run(db_path: Path, n_cases: int, n_log: int) -> tuple[float, float]:
    """Log ``n_log`` cases on the database at ``db_path`` (built with ``n_cases`` if missing).

    Returns:
        (median ms, p95 ms) per logged case.
    """
    open_database(ensure_big_database(db_path, n_cases))
    clock = ManualClock(DEFAULT_NOW)
    services = Services.create(clock)
    admin = services.team.find_member("admin")
    services.settings.update(admin.id, assignment_strategy="least_workload", reason="benchmark")
    contacts = services.contacts.find_contacts("Avery", limit=50) or services.contacts.find_contacts("a", 50)
    timings = []
    for i in range(n_log):
        clock.advance(timedelta(seconds=20))
        if i % 3 == 0:
            # A caller not yet known: look-up by phone and email, then created under a client.
            contact = {"new_contact": NewContact(
                f"Bench Caller {i}", email=f"bench{i}@example.org", phone=f"902 555 {i:04d}",
                client_name=f"Bench Client {i % 7}")}
        else:
            contact = {"contact_id": contacts[i % len(contacts)].contact_id}
        started = timer.perf_counter()
        services.cases.log_case(
            admin.id,
            subject=f"Course player shows a blank page for learners ({i})",
            description="Several learners on Chrome see a blank page after signing in.",
            channel="email" if i % 2 else "phone",
            requested_priority=("high", "medium", "low")[i % 3],
            **contact,
        )
        timings.append((timer.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--log", type=int, default=300)
    parser.add_argument("--db", type=Path, default=None, help="reuse/create this database file")
    args = parser.parse_args(argv)
    median, p95 = run(args.db, args.cases, args.log)
    verdict = "OK" if median < TARGET_MS else "SLOWER THAN TARGET"
    print(f"log_case on {args.cases:,} cases: median {median:.2f} ms, p95 {p95:.2f} ms "
          f"per case over {args.log} cases (target < {TARGET_MS:.0f} ms: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
