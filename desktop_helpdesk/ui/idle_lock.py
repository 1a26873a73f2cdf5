"""Locking the window after the team's idle minutes: the case data is hidden until the signed-in
member types their password again (another member must quit and sign in themselves)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog

from desktop_helpdesk.services.accounts import AccountService, SignInRefused
from desktop_helpdesk.ui.dialogs.sign_in import SignInDialog

CHECK_INTERVAL_MS = 15_000
_ACTIVITY = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
})


class IdleLock(QObject):
    """Watches keyboard and mouse input to the application and locks the window when nobody has
    used it for ``idle_lock_minutes`` (team setting; 0 = never).

    Signals:
        locked(): the window was locked.
        unlocked(): the member signed in again.
    """

    locked = Signal()
    unlocked = Signal()

    def __init__(self, window, accounts: AccountService, username: str,
                 idle_ms: Callable[[], int] | None = None) -> None:
        super().__init__(window)
        self.setObjectName("idleLock")
        self._window = window
        self._accounts = accounts
        self._username = username
        self._since = QElapsedTimer()
        self._since.start()
        # Injected in tests; the real one measures since the last input.
        self._idle_ms = idle_ms or self._since.elapsed
        self.dialog: SignInDialog | None = None
        self._watching = False
        self.timer = QTimer(self)
        self.timer.setObjectName("idleLockTimer")
        self.timer.setInterval(CHECK_INTERVAL_MS)
        self.timer.setTimerType(Qt.TimerType.VeryCoarseTimer)
        self.timer.timeout.connect(self.check)

    def start(self) -> None:
        self._watch_input()
        self.timer.start()

    @property
    def watching_input(self) -> bool:
        """Whether the application's events pass through this lock's filter now."""
        return self._watching

    def _watch_input(self) -> None:
        if not self._watching:
            QApplication.instance().installEventFilter(self)
            self._watching = True

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        if event.type() in _ACTIVITY and self.dialog is None:
            self._since.restart()
            # One input is enough until the next check: a filter on the application runs in
            # Python for every event of every widget (each paint, each layout), which made
            # the window's thread wait for the interpreter's lock while a worker read.
            QApplication.instance().removeEventFilter(self)
            self._watching = False
        return False

    @property
    def is_locked(self) -> bool:
        return self.dialog is not None

    def check(self) -> None:
        """Lock if idle longer than the team's setting (read on each check, on the window's
        pool: another workstation may change it, and a read waits behind others' writes)."""
        if not self._watching and self.dialog is None:
            # Input came since the last check and was not watched after: the member may have
            # worked on until now, so idle time counts from now (a lock comes at most one
            # check late, never early).
            self._since.restart()
            self._watch_input()
        self._window.pool.submit(self._accounts.idle_lock_minutes, on_finished=self._lock_if_idle_for,
                                 owner=self)

    def _lock_if_idle_for(self, minutes: int) -> None:
        if minutes and not self.is_locked and self._idle_ms() >= minutes * 60_000:
            self.lock()

    def lock(self) -> None:
        """Hide the case data and ask the signed-in member for their password."""
        if self.is_locked:
            return
        central = self._window.centralWidget()
        if central is not None:
            central.setVisible(False)

        def sign_in(username: str, password: str):
            if username.strip().lower() != self._username.lower():
                raise SignInRefused(f"Only {self._username} can unlock this window; "
                                    "anyone else quits and signs in")
            return self._accounts.sign_in(username, password)

        dialog = SignInDialog(sign_in, self._username, self._window)
        dialog.setObjectName("unlockDialog")
        dialog.setWindowTitle("Desktop Helpdesk is locked")
        dialog.intro.setText("The window was locked after a while without use. "
                             "Type your password to carry on.")
        dialog.username.setReadOnly(True)
        dialog.ok_button.setText("Unlock")
        dialog.finished.connect(self._on_dialog_finished)
        self.dialog = dialog
        dialog.open()
        self.locked.emit()

    def _on_dialog_finished(self, result: int) -> None:
        self.dialog = None
        if result != QDialog.DialogCode.Accepted:
            # Nobody unlocked it: close the window rather than leave the data a click away.
            self._window.close()
            return
        central = self._window.centralWidget()
        if central is not None:
            central.setVisible(True)
        self._since.restart()
        self.unlocked.emit()


def install(window, accounts: AccountService, username: str, *, has_password: bool) -> IdleLock | None:
    """Start the idle lock for a member with a password (None for one without: nothing to ask)."""
    if not has_password:
        return None
    lock = IdleLock(window, accounts, username)
    lock.start()
    return lock
