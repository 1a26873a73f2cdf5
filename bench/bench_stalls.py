"""Longest call on the window's thread per desk scenario on a 300,000-case database, with its culprit.

Usage: ``python3 bench/bench_stalls.py [--db PATH] [--cases 300000] [--calls N] [--profile]``
(the database is built with ``bench/big_database.py`` when missing; a smaller one given with
``--db`` is measured but flagged as not the goal's; the run adds notes and an attachment).

Two instruments (``bench/stall_trace.py``):

- Every top-level event dispatch on the window's thread (a slot run by a timer or a queued
  signal, a repaint) and every call the benchmark makes itself (a key press, a click) is timed,
  wall and CPU, by an event filter on the application (no ``notify`` override). That filter
  runs in Python for every event, which the app does not: its cost per event is calibrated
  first and each call is reported without it (a case pane shown for the first time is about
  700 events, 5-6 ms of filter). The longest is the scenario's figure; its culprit is named from the window
  thread's Python stack, sampled every 2 ms while a call runs long (the innermost frame of
  ours and the slot that started it), and, for a repaint, the widgets it painted and their
  area in thousands of pixels (a full 1366x768 window is about 960k).
- A stall watchdog: a precise 4 ms timer notes how late each tick fires. Its longest stall is
  marked "ours" when one of our calls ran during it, "machine" when none did (the process
  was not scheduled: other engineers' tests share the CPUs). The idle window's longest stall
  is the machine's noise floor, printed with the load average.

The window runs as the app runs it: its 1-second tick (the list's countdowns, on a clock that
moves with the wall clock) and 30-second refresh are on throughout.

Wall time beside CPU time tells work from waiting: on a loaded machine a 5 ms repaint can take
50 ms of wall time. Scenarios: typing a call with similar cases, a new caller (their client
list), selecting cases one after another, a command (adding a note) and pasting screenshots
(one over the size limit, one large in-process image).
Target (issue 10): no call over 16 ms in any scenario (one frame at 60 Hz).
"""

from __future__ import annotations

import argparse
import cProfile
import faulthandler
import os
import pstats
import sqlite3
import struct
import sys
import time
import zlib
from datetime import datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEventLoop, QMimeData, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QColor, QGuiApplication, QImage  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bench.big_database import DEFAULT_NOW, ensure_big_database  # noqa: E402
from bench.stall_trace import WATCHDOG_NAME, Call, DispatchTracer, StackSampler  # noqa: E402
from desktop_helpdesk.app import freeze_startup_heap  # noqa: E402
from desktop_helpdesk.services.case_queries import Queue  # noqa: E402
from desktop_helpdesk.services.container import Services  # noqa: E402
from desktop_helpdesk.storage.db import close_database, open_database  # noqa: E402
from desktop_helpdesk.ui.context import UiContext  # noqa: E402
from desktop_helpdesk.ui.main_window import MainWindow  # noqa: E402
from desktop_helpdesk.ui.pyside_workarounds import protect_bool_singletons  # noqa: E402
from desktop_helpdesk.ui.resources import stylesheet  # noqa: E402

TARGET_MS = 16.0
_TICK_MS = 4
_KEY_GAP_MS = 45  # a fast typist
# Made once the application exists; the bench's loops and its own calls go through it.
TRACER: DispatchTracer | None = None


class StallWatchdog:
    """A precise timer on the window's thread that records how late each tick fires."""

    def __init__(self) -> None:
        self._timer = QTimer()
        self._timer.setObjectName(WATCHDOG_NAME)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(_TICK_MS)
        self._timer.timeout.connect(self._on_timeout)
        self.interval_s = _TICK_MS / 1000
        self.last_tick = time.perf_counter()
        self.longest_ms = 0.0
        self.longest_at = (0.0, 0.0)

    def start(self) -> None:
        self.longest_ms = 0.0
        self.last_tick = time.perf_counter()
        self._timer.start()

    def stop(self) -> float:
        self._on_timeout()  # a stall still running when the scenario ends counts too
        self._timer.stop()
        return self.longest_ms

    def _on_timeout(self) -> None:
        now = time.perf_counter()
        late = (now - self.last_tick) * 1000 - _TICK_MS
        if late > self.longest_ms:
            self.longest_ms = late
            self.longest_at = (self.last_tick, now)
        self.last_tick = now


class RunningClock:
    """The bench's clock: the database's "now" when the window opens, then running like a wall
    clock, so the window's 1-second tick sees its countdowns move as at a desk."""

    def __init__(self, start: datetime) -> None:
        self._start = start
        self._started = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._started)


def spin(ms: int) -> None:
    """Let the event loop run for ``ms`` (benchmarks only; the app never does this)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    if TRACER is None:
        loop.exec()
    else:
        TRACER.loop(loop)


def spin_until(predicate, timeout_ms: int = 20_000) -> bool:
    waited = 0
    while not predicate():
        if waited >= timeout_ms:
            return False
        spin(10)
        waited += 10
    return True


def idle(window) -> bool:
    return not window.pool.busy and not window.case_load_pending


def type_slowly(widget, text: str) -> None:
    for character in text:
        TRACER.direct(f"key {character!r}", QTest.keyClicks, widget, character)
        spin(_KEY_GAP_MS)


def png_header_only(width: int, height: int, size: int) -> bytes:
    """A clipboard PNG of ``size`` bytes whose header says ``width`` x ``height``."""
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    chunk = b"IHDR" + header
    head = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(header)) + chunk
    head += struct.pack(">I", zlib.crc32(chunk))
    return head + b"\0" * (size - len(head))


def case_count(path: Path) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        return connection.execute("SELECT count(*) FROM \"case\"").fetchone()[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/tmp/helpdesk-bench-300k.sqlite3")
    parser.add_argument("--cases", type=int, default=300_000)
    parser.add_argument("--profile", action="store_true", help="what the window's thread spent time on")
    parser.add_argument("--calls", type=int, default=1, help="longest calls listed per scenario")
    args = parser.parse_args(argv)
    faulthandler.enable()  # a crash names the Python code it happened in
    path = ensure_big_database(args.db, args.cases)
    cases = case_count(path)

    protect_bool_singletons()
    app = QApplication.instance() or QApplication([])
    app.setStyle("Fusion")
    app.setStyleSheet(stylesheet())
    open_database(path)
    clock = RunningClock(DEFAULT_NOW)
    services = Services.create(clock)
    agent = next(m for m in services.team.list_members() if m.role == "agent" and m.can_take_cases)
    ui = UiContext.for_member(services, clock, agent)
    window = MainWindow(ui)
    window.resize(1366, 768)
    window.show()
    window.ticker.start()  # as app.py does: the 1-second tick and the 30-second refresh run
    freeze_startup_heap(window)  # and what start-up built leaves the collector's sight
    spin_until(lambda: window.loaded_once)
    window.queue_panel.select_queue(Queue.ALL_OPEN)
    spin_until(lambda: window.model.rowCount() > 50 and idle(window))
    spin(500)
    global TRACER
    TRACER = tracer = DispatchTracer()
    event_cost = tracer.calibrate(app)
    tracer.install(app)
    watchdog = StallWatchdog()
    sampler = StackSampler(tracer, watchdog)
    sampler.start()
    results: dict[str, tuple[float, Call | None]] = {}
    cpu_results: dict[str, float] = {}
    direct = tracer.direct

    def scenario(name: str, action) -> None:
        spin_until(lambda: idle(window))
        spin(100)
        profiler = cProfile.Profile() if args.profile else None
        tracer.start()
        watchdog.start()
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        action()
        spin_until(lambda: idle(window))
        spin(100)
        stall = watchdog.stop()
        calls = sorted(tracer.stop(), key=lambda c: c.own_wall_s, reverse=True)
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(12)
        longest = calls[0] if calls else None
        busiest = max(calls, key=lambda c: c.own_cpu_s) if calls else None
        results[name] = (stall, longest)
        cpu_results[name] = busiest.own_cpu_s * 1000 if busiest else 0.0
        # Was the watchdog's longest stall one of our calls, or the machine (no call running)?
        begin, end = watchdog.longest_at
        ours = any(c.started < end and c.started + c.wall_s > begin for c in calls)
        call_text = (f"{longest.own_wall_s * 1000:6.1f} ms (CPU {longest.own_cpu_s * 1000:5.1f})"
                     if longest else "     -")
        print(f"  {name:<36} {call_text} | stall {stall:6.1f} ms "
              f"{'ours' if ours else 'machine'} ({time.perf_counter() - started:.1f} s)"
              f" | most CPU {cpu_results[name]:5.1f} ms", flush=True)
        listed = calls[: args.calls]
        if busiest is not None and busiest not in listed:
            listed.append(busiest)  # on a loaded machine the longest is often not the busiest
        for call in listed:
            print(f"      {call.own_wall_s * 1000:6.1f} ms (CPU {call.own_cpu_s * 1000:5.1f}; traced "
                  f"{call.wall_s * 1000:.1f} ms with {call.events} events) {call.culprit()}", flush=True)
        inside = sorted((c for c in calls if c.started < end and c.started + c.wall_s > begin), key=lambda c: c.started)
        if args.calls > 1 and inside:
            # What kept the loop from the watchdog's timer: calls run back to back add up.
            print("      watchdog's stall: " + " + ".join(
                f"{c.what} {c.wall_s * 1000:.1f} ms" for c in inside), flush=True)

    def select_cases() -> None:
        direct("table setFocus", window.table.setFocus)
        direct("select_case", window.select_case, window.model.case_id_at(0))
        for _ in range(15):
            direct("key Down", QTest.keyClick, window.table, Qt.Key.Key_Down)
            spin(150)

    intake = {}

    def type_a_call() -> None:
        dialog = direct("open_phone_intake", window.open_phone_intake)
        intake["dialog"] = dialog
        type_slowly(dialog.subject_field, "LMS shows a blank page after the update")
        type_slowly(dialog.description_field, " since this morning, SSO login for learners")
        spin(800)  # the similar-cases pause and its answer

    def new_caller() -> None:
        dialog = intake["dialog"]
        direct("caller_field setFocus", dialog.caller_field.setFocus)
        type_slowly(dialog.caller_field, "Saulnier Chris")
        spin(300)
        direct("caller_field.clear", dialog.caller_field.clear)
        type_slowly(dialog.caller_field, "Nora Newcomer")
        direct("key Return", QTest.keyClick, dialog.caller_field, Qt.Key.Key_Return)
        spin(800)
        direct("intake reject", dialog.reject)

    def a_command() -> None:
        detail = window.detail
        direct("tabs setCurrentIndex", detail.tabs.setCurrentIndex, 0)
        direct("summary setPlainText", detail.summary_edit.setPlainText, "Called back; the cache clear fixed it")
        direct("click Add interaction", QTest.mouseClick, detail.add_interaction_button,
               Qt.MouseButton.LeftButton)
        spin(1500)

    # What the other application put on the clipboard is made before the measuring starts.
    huge_png = QMimeData()
    huge_png.setData("image/png", png_header_only(8000, 6000, 25 * 1024 * 1024))
    large_image = QImage(4000, 3000, QImage.Format.Format_RGB32)
    large_image.fill(QColor("#e2e8f0"))

    def paste() -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setMimeData(huge_png)  # the other application copies (not our thread's work)
        direct("paste_screenshot (8000x6000 PNG)", window.detail.paste_screenshot)
        spin(500)
        clipboard.setImage(large_image)
        direct("paste_screenshot (4000x3000 image)", window.detail.paste_screenshot)
        spin(3000)

    goal = "" if cases >= 300_000 else "  (NOT the 300,000 cases of the goal)"
    print(f"database: {path}: {cases:,} cases{goal}; {window.model.rowCount():,} open in the list")
    print(f"the tracer's filter costs {event_cost * 1e6:.1f} µs an event (calibrated); calls are shown "
          "without it, \"traced\" with it; the watchdog's stalls include it")
    print(f"  {'scenario':<36} {'longest call on the window thread':<33} | watchdog's longest stall")
    # The floor: stalls with nothing to do come from the machine (other processes, painting).
    scenario("idle window (noise floor)", lambda: spin(2000))
    scenario("selecting cases", select_cases)
    scenario("intake typing with similar cases", type_a_call)
    scenario("new caller", new_caller)
    scenario("a command (add a note)", a_command)
    scenario("paste (over the limit, then 4000x3000)", paste)
    sampler.stop()
    tracer.uninstall(app)
    window.shutdown()
    close_database()
    floor, _idle_call = results.pop("idle window (noise floor)")
    worst_name, (worst_stall, worst_call) = max(
        results.items(), key=lambda item: item[1][1].own_wall_s if item[1][1] else 0.0)
    worst = worst_call.own_wall_s * 1000 if worst_call else 0.0
    print(f"noise floor {floor:.1f} ms (idle window's longest stall; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())})")
    verdict = "OK" if worst < TARGET_MS else f"OVER {TARGET_MS:.0f} ms"
    print(f"longest call on the window's thread {worst:.1f} ms ({worst_name}): {verdict}{goal}")
    cpu_results.pop("idle window (noise floor)", None)
    cpu_name, cpu_worst = max(cpu_results.items(), key=lambda item: item[1])
    cpu_verdict = "OK" if cpu_worst < TARGET_MS else f"OVER {TARGET_MS:.0f} ms"
    # What the same calls cost where the CPU is not shared (a desk workstation).
    print(f"most CPU in one call {cpu_worst:.1f} ms ({cpu_name}): {cpu_verdict}")
    if tracer.odd_wrappers:
        print(f"({tracer.odd_wrappers} events came in PySide wrappers of the wrong type; not timed)")
    return 0 if worst < TARGET_MS and not goal else 1


if __name__ == "__main__":
    sys.exit(main())
