"""Start-up feedback: a small progress window while long preparation runs on a worker thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

from desktop_helpdesk.ui.workers import WorkerPool

T = TypeVar("T")
Progress = Callable[[int, int], None]


class StartupProgressWindow(QWidget):
    """A small window without a close button: "Preparing demo data… 120 of 300 cases"."""

    def __init__(self, title: str, describe: Callable[[int, int], str], parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Dialog | Qt.WindowType.CustomizeWindowHint
                         | Qt.WindowType.WindowTitleHint)
        self.setObjectName("startupProgressWindow")
        self.setAccessibleName("startupProgressWindow")
        self.setWindowTitle(title)
        self.setMinimumWidth(380)
        self._describe = describe
        self.label = QLabel(describe(0, 0), self)
        self.label.setObjectName("startupProgressLabel")
        self.bar = QProgressBar(self)
        self.bar.setObjectName("startupProgressBar")
        # Busy (moving) bar until the first step reports how much there is to do.
        self.bar.setRange(0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)

    @Slot(int, int)
    def show_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.label.setText(self._describe(done, total))


class _ProgressRelay(QObject):
    """Carries progress from the worker thread to the window (queued: never touches widgets).

    Signals:
        advanced(int, int): done, total.
    """

    advanced = Signal(int, int)


def run_with_progress(
    task: Callable[[Progress], T],
    *,
    title: str,
    describe: Callable[[int, int], str],
    on_window: Callable[[StartupProgressWindow], Any] | None = None,
) -> T:
    """Run ``task(progress)`` on a worker thread (in its own database connection) while a
    progress window shows what it reports; returns its result once it is done.

    A nested event loop (not a processEvents loop) keeps the window painted and responsive
    before the main window exists.

    Raises:
        Exception: whatever the task raised (already logged with its traceback by the worker).
    """
    window = StartupProgressWindow(title, describe)
    if on_window is not None:
        on_window(window)
    relay = _ProgressRelay()
    relay.advanced.connect(window.show_progress)
    outcome: dict[str, Any] = {}
    loop = QEventLoop()

    def finished(result: Any) -> None:
        outcome["result"] = result
        loop.quit()

    def failed(error: Exception) -> None:
        outcome["error"] = error
        loop.quit()

    def prepare() -> T:
        return task(relay.advanced.emit)

    pool = WorkerPool()
    pool.submit(prepare, on_finished=finished, on_failed=failed)
    window.show()
    # The result arrives as a queued signal, so it cannot be missed before exec() starts.
    loop.exec()
    pool.close()
    window.close()
    window.deleteLater()
    relay.deleteLater()
    pool.deleteLater()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]
