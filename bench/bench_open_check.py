"""Benchmark: the integrity check every SQLite file gets when it is opened, on a 300,000-case file.

Goal (issue 15): ``PRAGMA quick_check`` at open must stay fast enough that nobody waits for it
(well under 2 s on a 300k-case file on a laptop disk, warm cache). Also shown: the full
``open_database`` (check, connect, migration check) and, for contrast, ``PRAGMA integrity_check``,
which also verifies index contents and is the slower check we do not run at open.

Run: ``python3 bench/bench_open_check.py [--cases N] [--db PATH]``. With ``--db`` an existing
big database is reused (built with ``bench/big_database.py`` otherwise).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

# Runnable as a script from the repository root, like the other benchmarks.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import desktop_helpdesk.storage.db as db_module  # noqa: E402
from bench.big_database import build_big_database  # noqa: E402
from desktop_helpdesk.storage.db import (  # noqa: E402
    check_integrity,
    close_database,
    database,
    open_database,
    read_only_uri,
)

GOAL_SECONDS = 2.0


def _best_of(runs: int, work) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def _cpu_of(work) -> float:
    # CPU seconds of this process: what the check costs when the machine is not shared
    # (a loaded machine stretches wall time; SQLite runs the check in this thread).
    start = time.process_time()
    work()
    return time.process_time() - start


def _full_integrity_check(path: Path) -> None:
    connection = sqlite3.connect(read_only_uri(path), uri=True)
    try:
        connection.execute("PRAGMA integrity_check(3)").fetchall()
    finally:
        connection.close()


def _open_and_close(path: Path) -> None:
    open_database(path, allow_new=False)
    close_database()
    database.initialize(None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300_000)
    parser.add_argument("--db", type=Path, help="reuse this big database (built if missing)")
    args = parser.parse_args(argv)
    folder = None
    path = args.db
    if path is None:
        folder = tempfile.TemporaryDirectory(prefix="bench-open-check-")
        path = Path(folder.name) / "big.sqlite3"
    if not path.exists():
        print(f"building {args.cases:,} cases in {path} …", flush=True)
        build_big_database(path, args.cases)
    size_mb = path.stat().st_size / 1e6
    print(f"{path} ({size_mb:,.0f} MB)")
    quick = _best_of(3, lambda: check_integrity(path))
    quick_cpu = _cpu_of(lambda: check_integrity(path))
    opened = _best_of(3, lambda: _open_and_close(path))
    full = _best_of(1, lambda: _full_integrity_check(path))
    # Before issue 15 the file was opened without a check: the same open with the check skipped.
    checked = db_module.check_integrity
    db_module.check_integrity = lambda _path: None
    try:
        unchecked = _best_of(3, lambda: _open_and_close(path))
    finally:
        db_module.check_integrity = checked
    print(f"quick_check at open:   {quick:6.2f} s  (goal < {GOAL_SECONDS:.1f} s; CPU {quick_cpu:.2f} s)")
    print(f"open_database total:   {opened:6.2f} s  (without the check: {unchecked:.2f} s)")
    print(f"integrity_check (not run at open): {full:6.2f} s")
    if folder is not None:
        folder.cleanup()
    return 0 if quick < GOAL_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
