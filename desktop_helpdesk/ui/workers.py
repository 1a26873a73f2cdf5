"""Background work off the UI thread: a QRunnable that runs a function in its own DB connection."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal
from shiboken6 import isValid

from desktop_helpdesk.storage.db import database

log = logging.getLogger(__name__)

# How much lower than the window's thread a pool thread runs (Linux "nice" steps).
BACKGROUND_NICENESS = 10


def _run_below_the_window() -> None:
    """Give this pool thread a lower scheduling priority than the window's (main) thread.

    Decoding a pasted screenshot or reading a page of cases on two cores otherwise takes CPU
    from the window's repaints: on the 2-core test machine a repaint of 4 ms of CPU took 16-18
    ms beside a worker encoding a 4000x3000 PNG; below the window it took 9-12 ms. The work
    still runs at full speed when the window is idle. Idempotent (a pool thread's Python
    state, and so any thread-local mark, does not outlive one task).
    """
    # Windows and macOS: Qt maps this to the thread's priority. Linux ignores it for normal
    # threads, so there the thread's own niceness is raised (allowed without privileges).
    QThread.currentThread().setPriority(QThread.Priority.LowPriority)
    if not sys.platform.startswith("linux"):
        return
    try:
        wanted = min(19, os.getpriority(os.PRIO_PROCESS, threading.main_thread().native_id) + BACKGROUND_NICENESS)
        this_thread = threading.get_native_id()
        if os.getpriority(os.PRIO_PROCESS, this_thread) < wanted:
            os.setpriority(os.PRIO_PROCESS, this_thread, wanted)
    except OSError:  # a sandbox that forbids it: the work runs as before
        log.debug("could not lower the priority of a pool thread", exc_info=True)


class WorkerSignals(QObject):
    """Signals of one worker, delivered on the UI thread (queued).

    Signals:
        finished(object): the function's return value.
        failed(object): the exception it raised.
    """

    finished = Signal(object)
    failed = Signal(object)


class Worker(QRunnable):
    """Runs ``function(*args)`` on a pool thread inside ``database.connection_context()``.

    The function must not touch widgets; results go back through ``signals``.
    """

    def __init__(self, function: Callable[..., Any], *args: Any) -> None:
        super().__init__()
        self._function = function
        self._args = args
        self.signals = WorkerSignals()

    def run(self) -> None:
        _run_below_the_window()
        try:
            with database.connection_context():
                result = self._function(*self._args)
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the UI as a message
            log.exception("background task %s failed", getattr(self._function, "__name__", "?"))
            self.signals.failed.emit(exc)
            return
        self.signals.finished.emit(result)


class WorkerPool(QObject):
    """A private thread pool so a window can wait for its own work before the database closes."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        # Idle threads stay (by default they end after 30 s): starting one is the window's
        # thread's work, 2-4 ms when the phone intake opens after a quiet spell.
        self._pool.setExpiryTimeout(-1)
        self._running: set[WorkerSignals] = set()
        self._closed = False

    def submit(
        self,
        function: Callable[..., Any],
        *args: Any,
        on_finished: Callable[[Any], None],
        on_failed: Callable[[Exception], None] | None = None,
        owner: QObject | None = None,
    ) -> None:
        """Run ``function(*args)`` in the background and call back on the UI thread.

        A dialog sharing the window's pool names itself ``owner``: once it is deleted its
        callbacks are dropped (the work itself still completes), so a result landing after the
        user closed it touches no deleted widget.
        """
        if self._closed:
            return
        worker = Worker(function, *args)
        signals = worker.signals
        # Keeping the signals object alive until it fired: the runnable is deleted by the pool.
        self._running.add(signals)

        def deliverable() -> bool:
            return not self._closed and (owner is None or isValid(owner))

        def finished(result: Any) -> None:
            self._running.discard(signals)
            if deliverable():
                on_finished(result)

        def failed(exc: Exception) -> None:
            self._running.discard(signals)
            if on_failed is not None and deliverable():
                on_failed(exc)

        signals.finished.connect(finished)
        signals.failed.connect(failed)
        self._pool.start(worker)

    def wait(self, msecs: int = 10_000) -> bool:
        """Block until running work is done (used when the window closes)."""
        return self._pool.waitForDone(msecs)

    def close(self) -> None:
        """Wait for running work and drop results still queued for delivery: their
        callbacks belong to widgets that are being destroyed."""
        self._closed = True
        self._pool.waitForDone(10_000)

    @property
    def busy(self) -> bool:
        """Whether results are still to be delivered (none are after ``close``)."""
        return bool(self._running) and not self._closed
