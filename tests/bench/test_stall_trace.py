"""bench_stalls' instrument times each top-level dispatch on the window's thread and names it."""

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QObject, QTimer
from PySide6.QtGui import QRegion
from PySide6.QtWidgets import QLineEdit, QWidget

from bench.stall_trace import DispatchTracer, StackSampler

STALL_S = 0.030
THIS_FOLDER = str(Path(__file__).resolve().parent)


def burn(cpu_seconds: float) -> None:
    """Keep the window's thread busy for ``cpu_seconds`` of its own CPU time (a deliberate
    stall; CPU time, so that a loaded machine makes it no shorter)."""
    end = time.thread_time() + cpu_seconds
    while time.thread_time() < end:
        pass


@pytest.fixture
def tracer(qapp):
    tracer = DispatchTracer()
    tracer.install(qapp)
    tracer.start()
    yield tracer
    tracer.stop()
    tracer.uninstall(qapp)


@pytest.fixture
def loop():
    """The bench's event loop, with a guard that ends it if what should end it never runs."""
    event_loop = QEventLoop()
    guard = QTimer()
    guard.setObjectName("stallTraceTestGuard")
    guard.setSingleShot(True)
    guard.timeout.connect(event_loop.quit)
    guard.start(10_000)
    yield event_loop
    guard.stop()


def _shown_and_painted(qtbot, widget, name: str) -> None:
    """Show a 200x100 test widget and wait for its first paint (not traced)."""
    widget.setObjectName(name)
    widget.resize(200, 100)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.paints > 0)


def stalled_slot(loop, name_of_stall: str, quit_after: bool = True):
    def slot():
        burn(STALL_S)
        if quit_after:
            loop.quit()
    slot.__name__ = name_of_stall
    return slot


def test_a_30_ms_stall_in_a_timer_slot_is_one_call_with_its_culprit(tracer, loop):
    sampler = StackSampler(tracer, code_roots=(THIS_FOLDER,))
    sampler.start()
    owner = QObject()
    owner.setObjectName("stallingOwner")
    timer = QTimer(owner)
    timer.setObjectName("stallingTimer")
    timer.setSingleShot(True)
    timer.timeout.connect(stalled_slot(loop, "thirty_ms_slot"))
    timer.start(0)
    tracer.loop(loop)
    sampler.stop()

    calls = tracer.stop()
    longest = calls[0]
    assert longest.what == "Timer → QTimer 'stallingTimer'"
    assert longest.wall_s >= STALL_S and longest.cpu_s >= STALL_S
    # The sampler saw the stalling code on the window thread's stack.
    assert "burn" in longest.culprit()
    assert all(call.wall_s < STALL_S for call in calls[1:])


def test_a_30_ms_paint_is_the_repaint_call_that_names_the_painted_widget(qtbot, tracer, loop):
    class SlowPainter(QWidget):
        paints = 0
        slow = False

        def paintEvent(self, event):  # noqa: N802 - Qt override
            self.paints += 1
            if self.slow:
                burn(STALL_S)
                loop.quit()

    widget = SlowPainter()
    _shown_and_painted(qtbot, widget, "slowPainter")
    widget.slow = True
    tracer.start()
    widget.update()
    tracer.loop(loop)

    longest = tracer.stop()[0]
    assert longest.what.startswith("UpdateRequest → ")
    assert longest.wall_s >= STALL_S and longest.cpu_s >= STALL_S
    assert longest.painted["slowPainter"] == 200 * 100


def test_a_repaint_counts_the_area_of_its_region_not_of_its_bounding_rectangle(qtbot, tracer, loop):
    class Framed(QWidget):
        paints = 0

        def paintEvent(self, event):  # noqa: N802 - Qt override
            self.paints += 1
            loop.quit()

    widget = Framed()
    _shown_and_painted(qtbot, widget, "framed")
    tracer.keep_over_s = 0.0
    tracer.start()
    widget.update(QRegion(widget.rect()).subtracted(QRegion(widget.rect().adjusted(1, 1, -1, -1))))
    tracer.loop(loop)

    painted = sum(call.painted["framed"] for call in tracer.stop())
    assert painted == 2 * 200 + 2 * 98


def test_two_stalls_dispatched_in_one_loop_pass_are_two_calls(tracer, loop):
    first, second = QTimer(), QTimer()
    for timer, name, quits in ((first, "firstStall", False), (second, "secondStall", True)):
        timer.setObjectName(name)
        timer.setSingleShot(True)
        timer.timeout.connect(stalled_slot(loop, name, quit_after=quits))
    # Both due at once: the loop hands them out one after the other in the same pass.
    first.start(0)
    second.start(0)
    tracer.loop(loop)

    stalls = [call for call in tracer.stop() if call.wall_s >= STALL_S]
    assert sorted(call.what for call in stalls) == [
        "Timer → QTimer 'firstStall'", "Timer → QTimer 'secondStall'"]


def test_events_sent_inside_a_call_count_towards_it(qtbot, tracer, loop):
    field = QLineEdit()
    qtbot.addWidget(field)
    field.show()
    qtbot.waitExposed(field)

    def slot():
        # Focus, resize and a synchronous repaint request are sent inside this call.
        field.setFocus()
        field.resize(300, 40)
        field.repaint()
        burn(STALL_S)
        loop.quit()

    timer = QTimer()
    timer.setObjectName("nestingTimer")
    timer.setSingleShot(True)
    timer.timeout.connect(slot)
    tracer.start()
    timer.start(0)
    tracer.loop(loop)

    longest = tracer.stop()[0]
    assert longest.what == "Timer → QTimer 'nestingTimer'"
    assert longest.wall_s >= STALL_S and longest.cpu_s >= STALL_S


def test_the_benchs_own_code_counts_only_through_direct(tracer):
    burn(STALL_S)  # the bench between its loops: not a call of the app
    assert tracer.direct("a direct call", burn, STALL_S) is None

    calls = tracer.stop()
    assert [call.what for call in calls] == ["a direct call"]
    assert calls[0].cpu_s >= STALL_S


def test_the_filters_own_cost_is_calibrated_and_taken_out_of_each_call(qapp):
    tracer = DispatchTracer()
    cost = tracer.calibrate(qapp)
    # A Python filter call costs microseconds, not nothing and not milliseconds.
    assert 0 < cost < 0.001
    tracer.install(qapp)
    tracer.start()
    tracer.keep_over_s = 0  # every call is kept, however fast the machine
    target = QObject()
    event = QEvent(QEvent.Type.User)

    def send_many():
        for _ in range(2000):
            QCoreApplication.sendEvent(target, event)

    tracer.direct("sending 2000 events", send_many)
    calls = tracer.stop()
    tracer.uninstall(qapp)
    (call,) = [c for c in calls if c.what == "sending 2000 events"]
    assert call.events == 2000
    assert call.instrument_s == pytest.approx(2000 * cost)
    assert call.own_wall_s == pytest.approx(call.wall_s - 2000 * cost)
