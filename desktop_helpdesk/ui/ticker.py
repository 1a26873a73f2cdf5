"""The countdown heartbeat: a 1 s tick (no SQL) and a 30 s refresh of changed cases."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from desktop_helpdesk.domain.clock import Clock

TICK_MS = 1_000
REFRESH_MS = 30_000


class Ticker(QObject):
    """Owns the two timers behind live countdowns and overdue highlights.

    Signals:
        ticked(object): every second, with the injected clock's current instant.
        refresh_due(): every 30 seconds; the window then asks for changed cases in a worker.
    """

    ticked = Signal(object)
    refresh_due = Signal()

    def __init__(self, clock: Clock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._tick_timer = QTimer(self)
        self._tick_timer.setObjectName("slaTickTimer")
        self._tick_timer.setInterval(TICK_MS)
        self._tick_timer.timeout.connect(self._on_tick_timer_timeout)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setObjectName("slaRefreshTimer")
        self._refresh_timer.setTimerType(Qt.TimerType.VeryCoarseTimer)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh_due)

    def start(self) -> None:
        """Start both timers (after the window is shown)."""
        self._tick_timer.start()
        self._refresh_timer.start()

    def stop(self) -> None:
        """Stop both timers (on ``aboutToQuit`` or when the window closes)."""
        self._tick_timer.stop()
        self._refresh_timer.stop()

    @property
    def running(self) -> bool:
        return self._tick_timer.isActive()

    def _on_tick_timer_timeout(self) -> None:
        self.ticked.emit(self._clock.now())
