"""Start-up feedback: a small progress window while long preparation (demo data, the backup before a schema upgrade) runs on a worker thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QProgressBar, QVBoxLayout, QWidget

from desktop_helpdesk.storage.db import BackupProgress, UpgradeCancelled
from desktop_helpdesk.ui.form_fields import named
from desktop_helpdesk.ui.workers import WorkerPool

T = TypeVar("T")
Progress = Callable[[int, int], None]


# The bar counts in thousandths: byte counts of a large file do not fit a QProgressBar's int.
_BAR_STEPS = 1000


class StartupProgressWindow(QWidget):
    """A small window without a close button: "Preparing demo data… 120 of 300 cases"; with
    ``cancellable`` a Cancel button asks the task to stop (``cancel_requested``).

    Signals:
        cancel_requested(): the member pressed Cancel.
    """

    cancel_requested = Signal()

    def __init__(self, title: str, describe: Callable[[int, int], str], parent: QWidget | None = None, *,
                 cancellable: bool = False) -> None:
        super().__init__(parent, Qt.WindowType.Dialog | Qt.WindowType.CustomizeWindowHint
                         | Qt.WindowType.WindowTitleHint)
        named(self, "startupProgressWindow")
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self._describe = describe
        self.label = QLabel(describe(0, 0), self)
        self.label.setObjectName("startupProgressLabel")
        # A long file name and its byte counts wrap rather than being cut.
        self.label.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("startupProgressBar")
        # Busy (moving) bar until the first step reports how much there is to do.
        self.bar.setRange(0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        self.cancel_button = None
        if cancellable:
            buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
            self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
            self.cancel_button.setObjectName("startupCancelButton")
            buttons.rejected.connect(self._on_cancel_clicked)
            layout.addWidget(buttons)

    def _on_cancel_clicked(self) -> None:
        self.cancel_button.setEnabled(False)
        self.label.setText("Stopping…")
        self.cancel_requested.emit()

    @Slot(object, object)
    def show_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, _BAR_STEPS)
        self.bar.setValue(done * _BAR_STEPS // total if total > 0 else 0)
        if self.cancel_button is None or self.cancel_button.isEnabled():
            self.label.setText(self._describe(done, total))


class _ProgressRelay(QObject):
    """Carries progress from the worker thread to the window (queued: never touches widgets).

    Signals:
        advanced(object, object): done, total (Python ints: byte counts pass 2**31).
    """

    advanced = Signal(object, object)


def run_with_progress(
    task: Callable[[Progress], T],
    *,
    title: str,
    describe: Callable[[int, int], str],
    on_window: Callable[[StartupProgressWindow], Any] | None = None,
    cancelled: Callable[[], Exception] | None = None,
) -> T:
    """Run ``task(progress)`` on a worker thread (in its own database connection) while a
    progress window shows what it reports; returns its result once it is done.

    A nested event loop (not a processEvents loop) keeps the window painted and responsive
    before the main window exists. With ``cancelled`` the window offers Cancel: once pressed,
    the task's next progress report raises ``cancelled()`` on the worker thread (the task
    stops there and cleans up after itself).

    Raises:
        Exception: whatever the task raised (already logged with its traceback by the worker).
    """
    window = StartupProgressWindow(title, describe, cancellable=cancelled is not None)
    relay = _ProgressRelay()
    relay.advanced.connect(window.show_progress)
    stop_asked: list[bool] = []
    window.cancel_requested.connect(lambda: stop_asked.append(True))
    if on_window is not None:
        on_window(window)
    outcome: dict[str, Any] = {}
    loop = QEventLoop()

    def finished(result: Any) -> None:
        outcome["result"] = result
        loop.quit()

    def failed(error: Exception) -> None:
        outcome["error"] = error
        loop.quit()

    def progress(done: int, total: int) -> None:
        # Worker thread: reading a list the window's thread appends to is safe in CPython.
        if stop_asked and cancelled is not None:
            raise cancelled()
        relay.advanced.emit(done, total)

    def prepare() -> T:
        return task(progress)

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


def _size(count: int) -> str:
    """Bytes as a person reads them: "640 KB", "12.5 MB", "6.8 GB"."""
    for unit, scale in (("GB", 1024 ** 3), ("MB", 1024 ** 2)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{max(count, 0) // 1024} KB"


def upgrade_with_progress(
    path: Path, *, on_window: Callable[[StartupProgressWindow], Any] | None = None,
) -> Callable[[Callable[[BackupProgress | None], None]], None]:
    """The upgrade runner the window gives ``open_database`` for ``path``: the check, the
    backup and the migrations run on a worker while a progress window names the file and counts
    the bytes copied; Cancel stops the backup (``UpgradeCancelled``) before anything changes.
    ``on_window`` is given the progress window (tests press its buttons)."""

    def describe(done: int, total: int) -> str:
        if not total:
            return f"Checking {path.name} before upgrading it…"
        if done >= total:
            return f"Backed up {path.name} ({_size(total)}); upgrading it…"
        return f"Backing up {path.name} before upgrading it…\n{_size(done)} of {_size(total)} copied"

    def run(upgrade_file: Callable[[BackupProgress | None], None]) -> None:
        run_with_progress(
            upgrade_file, title="Upgrading the database — Desktop Helpdesk", describe=describe,
            on_window=on_window, cancelled=lambda: UpgradeCancelled(
                f"{path}: the upgrade was cancelled before anything was changed; the file is as it was "
                "(this version of Desktop Helpdesk needs the upgrade to open it)"),
        )

    return run
