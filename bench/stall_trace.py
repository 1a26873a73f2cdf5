"""Names what ran on the window's thread during its stalls: timed event dispatches, sampled stacks.

Used by ``bench_stalls.py``. Three instruments, all on the benchmark's side (the app is not
changed to be measured):

- ``DispatchTracer`` times every top-level event dispatch on the window's thread: a slot run by
  a timer or a queued signal, a repaint, a call the bench makes itself. Each one's wall time is
  one "call on the window's thread"; its CPU time (``time.thread_time``) beside it tells a call
  that worked from one that waited (a lock, the disk, or a machine that did not schedule us).
  It is an event filter on the application plus the event dispatcher's ``aboutToBlock`` and
  ``awake`` signals, not an override of ``QApplication.notify``: PySide 6.12 calls a Python
  ``notify`` from every thread and now and then hands it stale wrappers, and one run died of a
  heap corruption. A filter only sees the window thread's events and only reads them.
- ``StackSampler`` (a timer signal handled on the window's thread) samples that thread's
  Python stack every 2 ms while a dispatch has run for more than a few milliseconds, or while
  the watchdog's timer is late, and keeps the innermost frames of our code: the culprit is
  named, not guessed.
- A stall the watchdog saw with no dispatch and no code of ours running was the machine's
  (other processes had the CPUs): that is the noise floor, reported apart.

How a filter, which sees where dispatches begin but not where they end, times them: the event
loop hands out one event at a time, so a top-level dispatch ends where the next one begins or
where the loop goes back to waiting (``aboutToBlock``/``awake``) or the bench's own loop
returns. A top-level dispatch begins with an event of a kind only the loop delivers (a timer,
a queued call, a repaint request, a deferred delete, an expose) handed over with no Python
code between the loop and the filter; every other event (a paint, a focus change, a resize, a
``repaint()``'s synchronous repaint request from a slot) is sent inside whatever dispatch is
running and counts towards it. Only Qt's C++ sending a queued kind synchronously, with none of
our Python in between, would split a call; the watchdog's stall, measured independently, shows
such a miss.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QAbstractEventDispatcher, QCoreApplication, QEvent, QObject
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QMainWindow, QSplitter, QStackedWidget, QTabWidget, QWidget

# Only code under these folders is "ours"; the rest of a stack is Qt, peewee or the bench.
OUR_CODE = (str(Path(__file__).resolve().parents[1] / "desktop_helpdesk"),)
_SAMPLE_AFTER_S = 0.004
_SAMPLE_EVERY_S = 0.002
KEEP_CALLS_OVER_S = 0.004
WATCHDOG_NAME = "stallWatchdog"

# Events only the event loop delivers: each one begins a top-level dispatch.
_LOOP_EVENTS = frozenset({
    QEvent.Type.Timer, QEvent.Type.MetaCall, QEvent.Type.UpdateRequest, QEvent.Type.UpdateLater,
    QEvent.Type.DeferredDelete, QEvent.Type.LayoutRequest, QEvent.Type.SockAct,
    QEvent.Type.Quit, QEvent.Type.Expose, QEvent.Type.PolishRequest,
})
# Containers paint under whatever their children paint: naming them says nothing.
_CONTAINERS = (QMainWindow, QTabWidget, QStackedWidget, QSplitter)


@dataclass
class Call:
    """One top-level dispatch (or a direct call by the bench) on the window's thread."""

    what: str
    started: float
    started_cpu: float = 0.0
    wall_s: float = 0.0
    cpu_s: float = 0.0
    frames: Counter = field(default_factory=Counter)
    painted: Counter = field(default_factory=Counter)
    # Events the tracer's filter saw during this call: the filter runs in Python for each one,
    # which the app itself does not (``DispatchTracer.calibrate`` measures what one costs).
    events: int = 0
    event_cost_s: float = 0.0

    @property
    def instrument_s(self) -> float:
        """The tracer's own share of this call (its filter's calls, as calibrated)."""
        return self.events * self.event_cost_s

    @property
    def own_wall_s(self) -> float:
        """The call's wall time without the tracer's share: what the app alone spends."""
        return max(0.0, self.wall_s - self.instrument_s)

    @property
    def own_cpu_s(self) -> float:
        return max(0.0, self.cpu_s - self.instrument_s)

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


class DispatchTracer(QObject):
    """Collects the top-level dispatches of one scenario at a time (``start``/``stop``).

    ``install(app)`` puts it in place; the bench runs its own event loops through ``loop``
    and its own calls through ``direct``, so that bench code between them is never counted.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("stallTracer")
        self.calls: list[Call] = []
        self.current: Call | None = None
        self.recording = False
        self.keep_over_s = KEEP_CALLS_OVER_S
        self._loop_frames: list = []  # the bench's frames running an event loop, innermost last
        self.direct_depth = 0
        self.event_cost_s = 0.0  # see calibrate
        self.odd_wrappers = 0  # events PySide handed over under a wrong type: read no further
        self.outside = 0  # events the bench sent outside its loops and its direct calls
        self.main_ident = threading.main_thread().ident

    def install(self, app: QCoreApplication) -> None:
        app.installEventFilter(self)
        dispatcher = QAbstractEventDispatcher.instance(app.thread())
        # The loop goes back to waiting: whatever it dispatched has finished.
        dispatcher.aboutToBlock.connect(self._on_loop_idle)
        dispatcher.awake.connect(self._on_loop_idle)

    def uninstall(self, app: QCoreApplication) -> None:
        app.removeEventFilter(self)
        dispatcher = QAbstractEventDispatcher.instance(app.thread())
        dispatcher.aboutToBlock.disconnect(self._on_loop_idle)
        dispatcher.awake.disconnect(self._on_loop_idle)

    def start(self) -> None:
        self.calls = []
        self.current = None
        self.recording = True

    def stop(self) -> list[Call]:
        self._end()
        self.recording = False
        return sorted(self.calls, key=lambda c: c.wall_s, reverse=True)

    def loop(self, event_loop) -> None:
        """Run ``event_loop.exec()`` as the bench's own loop: its dispatches are timed."""
        self._end()
        self._loop_frames.append(sys._getframe())
        try:
            event_loop.exec()
        finally:
            self._loop_frames.pop()
            self._end()  # the last dispatch (the loop's quit) ends when the loop returns

    def direct(self, what: str, function, *args):
        """Run a call the bench makes itself (not through the event loop) as a traced call."""
        self._end()
        self._begin(what)
        self.direct_depth += 1
        try:
            return function(*args)
        finally:
            self.direct_depth -= 1
            self._end()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        # Another thread sending an event to a window-thread object calls filters there.
        if not self.recording or threading.get_ident() != self.main_ident:
            return False
        try:
            return self._filter(watched, event)
        finally:
            if self.current is not None:
                self.current.events += 1

    def _filter(self, watched, event) -> bool:
        if not isinstance(event, QEvent) or not isinstance(watched, QObject):
            self.odd_wrappers += 1
            return False
        kind = event.type()
        if self.direct_depth:
            self._note_paint(watched, event, kind)
            return False
        if not self._loop_frames:
            self.outside += 1
            return False
        if kind == QEvent.Type.Timer and watched.objectName() == WATCHDOG_NAME:
            # The watchdog's own tick is the measuring instrument, not a call of the app.
            self._end()
            return False
        # Handed over by the loop itself: no Python frame between the bench's loop and here.
        from_the_loop = sys._getframe(2) is self._loop_frames[-1]  # (eventFilter, then us)
        if self.current is None or (from_the_loop and kind in _LOOP_EVENTS):
            self._end()
            self._begin(_describe(watched, kind))
        self._note_paint(watched, event, kind)
        return False

    def _on_loop_idle(self) -> None:
        if not self.direct_depth:
            self._end()

    def _begin(self, what: str) -> None:
        if not self.recording:
            return
        self.current = Call(what, time.perf_counter(), time.thread_time(), event_cost_s=self.event_cost_s)

    def calibrate(self, app: QCoreApplication, count: int = 5000) -> float:
        """Measure what the filter adds to one event (sent to a plain object, inside a traced
        call, as the app's events are), best of three rounds; kept as ``event_cost_s``."""
        target = QObject()
        event = QEvent(QEvent.Type.User)

        def send_all() -> float:
            started = time.thread_time()
            for _ in range(count):
                QCoreApplication.sendEvent(target, event)
            return time.thread_time() - started

        bare = min(send_all() for _ in range(3))
        self.install(app)
        self.start()
        try:
            traced = min(self.direct("calibration", send_all) for _ in range(3))
        finally:
            self.stop()
            self.calls = []
            self.uninstall(app)
        self.event_cost_s = max(0.0, traced - bare) / count
        return self.event_cost_s

    def _end(self) -> None:
        call = self.current
        if call is None:
            return
        self.current = None
        call.wall_s = time.perf_counter() - call.started
        call.cpu_s = time.thread_time() - call.started_cpu
        if call.wall_s >= self.keep_over_s:
            self.calls.append(call)

    def _note_paint(self, watched, event, kind) -> None:
        call = self.current
        if (call is None or kind != QEvent.Type.Paint or not isinstance(event, QPaintEvent)
                or not isinstance(watched, QWidget) or isinstance(watched, _CONTAINERS)):
            return
        name = watched.objectName() or type(watched).__name__
        parent = watched.parent() if not watched.objectName() else None
        if parent is not None and parent.objectName():
            name = f"{parent.objectName()}/{name}"
        # The region's own area: a frame's thin border is not its bounding rectangle.
        call.painted[name] += sum(rect.width() * rect.height() for rect in event.region())


def _describe(receiver: QObject, kind: QEvent.Type) -> str:
    try:
        kind_name = QEvent.Type(kind).name
    except ValueError:
        kind_name = str(int(kind))
    name = receiver.objectName()
    return f"{kind_name} → {type(receiver).__name__}{f' {name!r}' if name else ''}"


class StackSampler:
    """Samples the window thread's Python stack every 2 ms while a traced call runs long or the
    watchdog is late: a timer signal whose Python handler runs on the window's (main) thread
    between two bytecodes, with that thread's frame. Not from a thread of its own: reading
    the main thread's frames there (``sys._current_frames``) crashed CPython 3.11 when a worker
    thread's frames were torn down meanwhile (python/cpython#99729, #111363). Samples land
    where Python runs: in a repaint, the model's ``data`` or a delegate; pure C++ work shows
    as "no code of ours sampled"."""

    def __init__(self, tracer: DispatchTracer, watchdog=None, code_roots=OUR_CODE) -> None:
        self._tracer = tracer
        self._watchdog = watchdog
        self._code_roots = tuple(code_roots)
        self._previous = None

    def start(self) -> None:
        if threading.get_ident() != self._tracer.main_ident:
            raise RuntimeError("the sampler is started on the window's thread")
        self._previous = signal.signal(signal.SIGALRM, self._on_signal)
        # Other threads' system calls (the pool's SQLite reads) restart instead of failing.
        signal.siginterrupt(signal.SIGALRM, False)
        signal.setitimer(signal.ITIMER_REAL, _SAMPLE_EVERY_S, _SAMPLE_EVERY_S)

    def stop(self) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self._previous if self._previous is not None else signal.SIG_DFL)

    def _on_signal(self, _signum, frame) -> None:
        call = self._tracer.current
        if call is None:
            return
        now = time.perf_counter()
        late = (self._watchdog is not None and now - self._watchdog.last_tick
                > _SAMPLE_AFTER_S + self._watchdog.interval_s)
        if now - call.started < _SAMPLE_AFTER_S and not late:
            return
        where = _our_frames(frame, self._code_roots)
        if where:
            call.frames[where] += 1


def _our_frames(frame, code_roots: tuple[str, ...]) -> str:
    """The innermost frame of our code and the outermost (the slot that started it)."""
    ours = []
    while frame is not None:
        if frame.f_code.co_filename.startswith(code_roots):
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
