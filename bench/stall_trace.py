"""Names what ran on the window's thread during its stalls: timed event dispatches, sampled stacks.

Used by ``bench_stalls.py``. Three instruments, all on the benchmark's side (the app is not
changed to be measured):

- ``TracedApplication`` times every top-level event dispatch (``QApplication.notify``): a slot
  run by a timer or a queued signal, a key press, a paint. Each dispatch's wall time is one
  "call on the window's thread"; its CPU time (``time.thread_time``) beside it tells a call
  that worked from one that waited (a lock, the disk, or a machine that did not schedule us).
- ``StackSampler`` (a thread) samples the window thread's Python stack every 2 ms while a
  dispatch has run for more than a few milliseconds, or while the watchdog's timer is late,
  and keeps the innermost frames of our code: the culprit is named, not guessed.
- A stall the watchdog saw with no dispatch and no code of ours running was the machine's
  (other processes had the CPUs): that is the noise floor, reported apart.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow, QSplitter, QStackedWidget, QTabWidget
from shiboken6 import Shiboken

# Only code under these folders is "ours"; the rest of a stack is Qt, peewee or the bench.
_OUR_CODE = str(Path(__file__).resolve().parents[1] / "desktop_helpdesk")
_SAMPLE_AFTER_S = 0.004
_SAMPLE_EVERY_S = 0.002
_KEEP_CALLS_OVER_S = 0.004
WATCHDOG_NAME = "stallWatchdog"


@dataclass
class Call:
    """One top-level dispatch (or a direct call by the bench) on the window's thread."""

    what: str
    started: float
    wall_s: float = 0.0
    cpu_s: float = 0.0
    frames: Counter = field(default_factory=Counter)
    painted: Counter = field(default_factory=Counter)

    def culprit(self) -> str:
        """The code of ours seen most often in this call's samples (or what the event was),
        and the widgets it painted most (area in thousands of pixels)."""
        painted = ""
        if self.painted:
            painted = "; painted " + ", ".join(
                f"{name} {area // 1000}k" for name, area in self.painted.most_common(6))
        if not self.frames:
            return f"{self.what} (no code of ours sampled){painted}"
        (where, count), = self.frames.most_common(1)
        total = sum(self.frames.values())
        return f"{self.what} → {where} ({count} of {total} samples){painted}"


class Tracer:
    """Collects the calls of one scenario at a time (``start``/``stop``)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.current: Call | None = None
        self.depth = 0
        self.recording = False
        self.stale_wrappers = 0
        self.main_ident = threading.main_thread().ident

    def start(self) -> None:
        self.calls = []
        self.recording = True

    def stop(self) -> list[Call]:
        self.recording = False
        return sorted(self.calls, key=lambda c: c.wall_s, reverse=True)

    def enter(self, what) -> Call | None:
        """Count one dispatch level; a top-level one while recording becomes a ``Call``
        (``what``: its description, or a function making it, called only then)."""
        self.depth += 1
        if self.depth > 1 or not self.recording:
            return None
        call = Call(what() if callable(what) else what, time.perf_counter())
        call.cpu_s = time.thread_time()
        self.current = call
        return call

    def leave(self, call: Call | None) -> None:
        self.depth -= 1
        if call is None:
            return
        self.current = None
        call.wall_s = time.perf_counter() - call.started
        call.cpu_s = time.thread_time() - call.cpu_s
        if call.wall_s >= _KEEP_CALLS_OVER_S:
            self.calls.append(call)

    def direct(self, what: str, function, *args):
        """Run a call the bench makes itself (not through the event loop) as a traced call."""
        call = self.enter(what)
        try:
            return function(*args)
        finally:
            self.leave(call)


TRACER = Tracer()


def _describe(receiver, event) -> str:
    kind = event.type()
    try:
        kind_name = QEvent.Type(kind).name
    except ValueError:
        kind_name = str(int(kind))
    name = receiver.objectName() if hasattr(receiver, "objectName") else ""
    return f"{kind_name} → {type(receiver).__name__}{f' {name!r}' if name else ''}"


# Containers paint under whatever their children paint: naming them says nothing.
_CONTAINERS = (QMainWindow, QTabWidget, QStackedWidget, QSplitter)


class TracedApplication(QApplication):
    """A QApplication that times each top-level event dispatch (benchmarks only)."""

    def notify(self, receiver, event) -> bool:  # noqa: N802 - Qt override
        if not isinstance(receiver, QObject) or not isinstance(event, QEvent):
            # PySide 6.12 now and then hands over a stale wrapper (a C++ object that reused
            # another's address); re-wrapping by address gives Qt its real types back.
            TRACER.stale_wrappers += 1
            receiver = Shiboken.wrapInstance(Shiboken.getCppPointer(receiver)[0], QObject)
            event = Shiboken.wrapInstance(Shiboken.getCppPointer(event)[0], QEvent)
            return super().notify(receiver, event)
        if event.type() == QEvent.Type.Timer and receiver.objectName() == WATCHDOG_NAME:
            # The watchdog's own tick is the measuring instrument, not a call of the app.
            return super().notify(receiver, event)
        current = TRACER.current
        if (current is not None and event.type() == QEvent.Type.Paint
                and not isinstance(receiver, _CONTAINERS)):
            # PySide may hand over a stale wrapper of another event type reusing the address.
            rect = event.rect() if hasattr(event, "rect") else None
            if rect is None:
                return self._dispatch(receiver, event)
            name = receiver.objectName() or type(receiver).__name__
            parent = receiver.parent() if not receiver.objectName() else None
            if parent is not None and parent.objectName():
                name = f"{parent.objectName()}/{name}"
            current.painted[name] += rect.width() * rect.height()
        return self._dispatch(receiver, event)

    def _dispatch(self, receiver, event) -> bool:
        call = TRACER.enter(lambda: _describe(receiver, event))
        try:
            return super().notify(receiver, event)
        finally:
            TRACER.leave(call)


class StackSampler(threading.Thread):
    """Samples the window thread's stack while a traced call runs long or the watchdog is late."""

    def __init__(self, watchdog) -> None:
        super().__init__(daemon=True, name="stall-sampler")
        self._watchdog = watchdog
        self._stopped = threading.Event()

    def stop(self) -> None:
        self._stopped.set()

    def run(self) -> None:
        main = TRACER.main_ident
        while not self._stopped.wait(_SAMPLE_EVERY_S):
            call = TRACER.current
            now = time.perf_counter()
            late = now - self._watchdog.last_tick > _SAMPLE_AFTER_S + self._watchdog.interval_s
            if call is None and not late:
                continue
            if call is not None and now - call.started < _SAMPLE_AFTER_S and not late:
                continue
            frame = sys._current_frames().get(main)
            where = _our_frames(frame)
            if call is not None and where:
                call.frames[where] += 1


def _our_frames(frame) -> str:
    """The innermost frame of our code and the outermost (the slot that started it)."""
    ours = []
    while frame is not None:
        if frame.f_code.co_filename.startswith(_OUR_CODE):
            ours.append(frame)
        frame = frame.f_back
    if not ours:
        return ""
    inner, outer = ours[0], ours[-1]
    text = _frame_text(inner)
    if outer is not inner:
        text = f"{_frame_text(outer)} … {text}"
    return text


def _frame_text(frame) -> str:
    path = Path(frame.f_code.co_filename)
    return f"{path.parent.name}/{path.name}:{frame.f_lineno} {frame.f_code.co_name}"
