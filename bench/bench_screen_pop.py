"""Screen-pop on a big database: ``desktop-helpdesk call`` in another process to the caller shown.

Usage: ``QT_QPA_PLATFORM=offscreen python3 bench/bench_screen_pop.py [--cases 100000] [--db PATH]``.
Target (issue 16): the intake shows the matched contact within 300 ms of the hand-over; also
reported: from starting the command (Python start-up included) and until the caller's open
cases are listed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bench.big_database import DEFAULT_NOW, ensure_big_database  # noqa: E402
from desktop_helpdesk.config import database_target  # noqa: E402
from desktop_helpdesk.domain.clock import ManualClock  # noqa: E402
from desktop_helpdesk.services.container import Services  # noqa: E402
from desktop_helpdesk.storage.db import close_database, open_database  # noqa: E402
from desktop_helpdesk.storage.records import ContactRecord  # noqa: E402
from desktop_helpdesk.ui import screen_pop  # noqa: E402
from desktop_helpdesk.ui.context import UiContext  # noqa: E402
from desktop_helpdesk.ui.main_window import MainWindow  # noqa: E402
from desktop_helpdesk.ui.pyside_workarounds import protect_bool_singletons  # noqa: E402

CALLS = 12
TARGET_MS = 300


def run_until(condition, timeout_ms: int = 30_000) -> None:
    """Turn the event loop until ``condition()`` (benchmarks only; the app never does this)."""
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(1)
    poll.timeout.connect(lambda: condition() and loop.quit())
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(loop.quit)
    poll.start()
    guard.start(timeout_ms)
    loop.exec()
    poll.stop()
    guard.stop()


def reformat(phone: str, index: int) -> str:
    """The stored number as different phone systems write it."""
    digits = "".join(ch for ch in phone if ch.isdigit())[-10:]
    forms = (
        f"+1 ({digits[:3]}) {digits[3:6]}-{digits[6:]}",
        f"1{digits}",
        f"{digits[:3]}.{digits[3:6]}.{digits[6:]} x{index}",
        f"tel:+1{digits}",
    )
    return forms[index % len(forms)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--db", help="reuse this database (built if missing)")
    args = parser.parse_args(argv)

    path = ensure_big_database(args.db, args.cases)

    protect_bool_singletons()
    app = QApplication.instance() or QApplication([])
    app.setStyle("Fusion")
    open_database(database_target(str(path)))
    clock = ManualClock(DEFAULT_NOW)
    services = Services.create(clock)
    agent = next(m for m in services.team.list_members() if m.role == "agent")
    window = MainWindow(UiContext.for_member(services, clock, agent))
    window.show()
    run_until(lambda: window.loaded_once)
    display = database_target(str(path)).display
    pop = screen_pop.install(window, display, open_url=lambda _url: True)
    phones = [
        phone for (phone,) in ContactRecord.select(ContactRecord.phone)
        .where(ContactRecord.phone != "").order_by(ContactRecord.id).limit(400).tuples()
    ][::400 // CALLS][:CALLS]

    state: dict = {}
    def on_opened(dialog) -> None:
        state.update(opened=time.perf_counter(), dialog=dialog)
        dialog.caller_history.history_loaded.connect(lambda _count: state.update(listed=time.perf_counter()))

    pop.intake_opened.connect(on_opened)
    pop.caller_shown.connect(lambda _dialog: state.update(shown=time.perf_counter()))
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    handover, whole, history = [], [], []
    for index, phone in enumerate(phones):
        state.clear()
        number = reformat(phone, index)
        command = [sys.executable, "-m", "desktop_helpdesk", "call", "--db", str(path), "--no-start"]
        command += [number] if number.startswith("tel:") else ["--from", number]
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        run_until(lambda: "shown" in state)
        dialog = state["dialog"]
        run_until(lambda d=dialog: "listed" in state or d.chosen_contact is None)
        if process.wait(timeout=30) != 0:
            print(f"call {number!r} failed: {process.stderr.read().decode().strip()}")
            return 1
        if dialog.chosen_contact is None:
            print(f"call {number!r}: no contact matched")
            return 1
        handover.append((state["shown"] - state["opened"]) * 1000)
        whole.append((state["shown"] - started) * 1000)
        history.append((state["listed"] - state["opened"]) * 1000)
        dialog.reject()  # each leaves a missed-call note in the bench database (as in real life)
        run_until(lambda: not pop.intakes())

    def line(name: str, figures: list[float], target: int | None = None) -> str:
        verdict = "" if target is None else ("  OK" if max(figures) <= target else f"  over {target} ms")
        return (f"{name:<44} median {statistics.median(figures):7.1f} ms   "
                f"max {max(figures):7.1f} ms{verdict}")

    print(f"{len(phones)} calls, database {path} ({args.cases:,} cases if built here)")
    print(line("hand-over -> matched contact shown", handover, TARGET_MS))
    print(line("hand-over -> caller's open cases listed", history))
    print(line("command started -> matched contact shown", whole))
    pop.shutdown()
    window.shutdown()
    close_database()
    return 0


if __name__ == "__main__":
    sys.exit(main())
