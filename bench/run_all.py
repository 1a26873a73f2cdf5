"""Runs every benchmark (``bench/bench_*.py``) on one realistic database and writes RESULTS.md.

Run: ``python3 bench/run_all.py [--cases 100000] [--keep PATH]`` from the repository root.

Builds the benchmark database once (``big_database.py``, timed), then runs each
``bench_*.py`` it finds as a script, in name order: a benchmark whose parser takes ``--db``
gets its own copy of that database (some write to it), the others run as they are. Every
benchmark's output goes into ``bench/RESULTS.md`` verbatim, with the machine, its load, the
versions and each run's wall time and exit code. Benchmarks that time SQL print the bare
``sqlite3`` statements returning the same rows beside their own figures, in the same run.
A new benchmark needs no change here: name it ``bench_<what>.py``.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from bench.big_database import build_big_database  # noqa: E402
from desktop_helpdesk.storage.db import close_database  # noqa: E402

TIMEOUT_SECONDS = 900


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="build the database here and keep it")
    parser.add_argument("--only", help="run only benchmarks whose name contains this")
    parser.add_argument("--output", type=Path, default=BENCH / "RESULTS.md")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-all-"))
    database = args.keep or work / "big.sqlite3"
    machine = _machine()
    print(machine, flush=True)
    info = build_big_database(database, args.cases)
    close_database()
    built = (f"{info.cases:,} cases, {info.interactions:,} interactions, {info.audit_rows:,} "
             f"audit rows, {info.crm_outbox:,} CRM and {info.mail_outbox:,} mail outbox rows, "
             f"{info.attachments:,} attachments, {info.contacts:,} contacts, {info.clients} "
             f"clients in {info.seconds:.1f} s (generate {info.generate_seconds:.1f} s, "
             f"insert {info.insert_seconds:.1f} s; CPU {info.cpu_seconds:.1f} s); "
             f"file {database.stat().st_size / 1e6:.0f} MB")
    print(f"database: {built}", flush=True)
    sections, failed = [], []
    for script in sorted(BENCH.glob("bench_*.py")):
        if args.only and args.only not in script.name:
            continue
        command = [sys.executable, str(script.relative_to(ROOT))]
        if _takes_db(script):
            copy = work / f"{script.stem}.sqlite3"
            shutil.copy(database, copy)
            command += ["--db", str(copy)]
        print(f"running {' '.join(command)} ...", flush=True)
        started = time.perf_counter()
        try:
            finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                                      timeout=TIMEOUT_SECONDS,
                                      env={**os.environ, "PYTHONPATH": str(ROOT),
                                           "QT_QPA_PLATFORM": "offscreen"})
            code, output = finished.returncode, finished.stdout + _without_qt_noise(finished.stderr)
        except subprocess.TimeoutExpired as expired:
            code, output = "timeout", f"{expired.stdout or ''}\nstopped after {TIMEOUT_SECONDS} s"
        seconds = time.perf_counter() - started
        shown = " ".join(["python3", *command[1:]]).replace(str(work), "$WORK")
        sections.append((script.name, shown, code, seconds, output.strip()))
        print(output.strip(), flush=True)
        if code != 0:
            failed.append(script.name)
    args.output.write_text(_markdown(machine, built, sections), encoding="utf-8")
    print(f"wrote {args.output}; {len(sections)} benchmarks, "
          f"{'all met their targets' if not failed else 'missed: ' + ', '.join(failed)}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


def _without_qt_noise(text: str) -> str:
    # Qt's offscreen platform says this for every window a benchmark shows; it means nothing.
    return "\n".join(line for line in text.splitlines()
                     if line != "This plugin does not support propagateSizeHints()")


def _takes_db(script: Path) -> bool:
    return re.search(r"add_argument\(\s*[\"']--db[\"']", script.read_text(encoding="utf-8")) is not None


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        model = next(line.split(":", 1)[1].strip() for line in
                     Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
        cpu = model
    except (OSError, StopIteration):
        pass
    try:
        memory = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                          if line.startswith("MemTotal"))) / 1e6
        memory_text = f"{memory:.1f} GB RAM"
    except (OSError, StopIteration):
        memory_text = "RAM unknown"
    try:
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    except OSError:
        load = "unknown"
    from importlib.metadata import version

    versions = ", ".join(f"{name} {version(name)}" for name in (
        "PySide6-Essentials", "peewee", "XlsxWriter", "holidays"))
    return (f"{cpu}, {os.cpu_count()} logical CPUs, {memory_text}; {platform.platform()}; "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {versions}; "
            f"load average at start {load}")


def _markdown(machine: str, built: str, sections: list[tuple]) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmark results",
        "",
        f"Run with `python3 bench/run_all.py` on {stamp}. Every `bench/bench_*.py` ran on its",
        "own copy of one benchmark database built at the start; the figures below are each",
        "script's own output. Where a benchmark times SQL it prints the bare `sqlite3`",
        "statements returning the same rows beside its figures, measured in the same run.",
        "",
        f"- **Machine**: {machine}",
        f"- **Database**: {built}",
        "",
        "| benchmark | exit | wall s |",
        "| --- | --- | --- |",
        *(f"| `{name}` | {code} | {seconds:.0f} |" for name, _, code, seconds, _ in sections),
        "",
    ]
    for name, command, code, seconds, output in sections:
        lines += [f"## {name}", "", f"`{command}` (exit {code}, {seconds:.0f} s)", "",
                  "```", output, "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
