"""Documentation screenshots of the main window, queue review and Administration at a laptop's
1366x768 and a desktop's 1920x1080, on the demo data as a supervisor sees it.

Usage (from the repository root): ``python3 docs/take_screenshots.py [--out docs]``; writes
``screenshot-1366-main.png``, ``screenshot-1366-queue-review.png``, ``screenshot-1366-admin.png``
and the same for 1920.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_helpdesk.domain.clock import ManualClock  # noqa: E402
from desktop_helpdesk.services.container import Services  # noqa: E402
from desktop_helpdesk.services.demo import seed_demo_data  # noqa: E402
from desktop_helpdesk.storage.db import close_database, open_database  # noqa: E402
from desktop_helpdesk.ui import admin, supervisor  # noqa: E402
from desktop_helpdesk.ui.context import UiContext  # noqa: E402
from desktop_helpdesk.ui.main_window import MainWindow  # noqa: E402
from desktop_helpdesk.ui.pyside_workarounds import protect_bool_singletons  # noqa: E402
from desktop_helpdesk.ui.resources import stylesheet  # noqa: E402

SIZES = ((1366, 768), (1920, 1080))
# Window-manager chrome a laptop keeps for itself (title bar, task bar): dialogs get the rest.
_CHROME = 72
NOW = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)  # Wed 11:30 in Halifax


def settle(ms: int = 600) -> None:
    """Let queued work land and layouts settle (documentation tooling only)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def demo_desk() -> tuple[ManualClock, Services]:
    """The application styled as app.py does it, over a fresh demo database at ``NOW``."""
    protect_bool_singletons()
    app = QApplication.instance() or QApplication([])
    app.setStyle("Fusion")
    app.setStyleSheet(stylesheet())
    open_database(Path(tempfile.mkdtemp()) / "demo.sqlite3")
    clock = ManualClock(NOW)
    seed_demo_data(clock)
    return clock, Services.create(clock)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs")
    args = parser.parse_args(argv)
    out = Path(args.out)
    clock, services = demo_desk()
    member = next(m for m in services.team.list_members() if m.role == "supervisor")
    for width, height in SIZES:
        window = MainWindow(UiContext.for_member(services, clock, member))
        supervisor.install(window)
        admin.install(window)
        window.resize(width, height)
        window.show()
        settle(1500)
        window.select_case(window.model.case_id_at(0))
        settle()
        window.on_ticked(clock.now())
        window.grab().save(str(out / f"screenshot-{width}-main.png"))
        window.tabs.setCurrentIndex(1)
        settle(1500)
        window.grab().save(str(out / f"screenshot-{width}-queue-review.png"))
        window.tabs.setCurrentIndex(0)
        dialog = admin.open_admin_dialog(window)
        settle(1000)
        usable = height - _CHROME
        print(f"{width}x{height}: Administration {dialog.width()}x{dialog.height()} "
              f"(usable height {usable}){'' if dialog.height() <= usable else ' TOO TALL'}")
        dialog.grab().save(str(out / f"screenshot-{width}-admin.png"))
        dialog.reject()
        window.shutdown()
        window.deleteLater()
        settle(200)
    close_database()
    return 0


if __name__ == "__main__":
    sys.exit(main())
