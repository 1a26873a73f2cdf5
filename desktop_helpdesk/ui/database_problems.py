"""What the window says about a database it cannot use as usual: damaged (a way out) or read-only (a banner)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QToolBar,
    QWidget,
)

from desktop_helpdesk.storage.db import (
    DatabaseDamagedError,
    DatabaseOpenError,
    DatabaseTarget,
    open_database,
    restore_copy,
)

log = logging.getLogger(__name__)


class DamagedChoice(Enum):
    """The ways out of a damaged database file."""

    OPEN_BACKUP = "open_backup"
    OPEN_OTHER = "open_other"
    QUIT = "quit"


class DamagedDatabaseDialog(QMessageBox):
    """Names the damaged file and offers: open the newest backup (as a copy), another file, or quit.

    Args:
        error: the integrity-check failure (file, detail, newest backup).
        parent: the parent widget, if any.
    """

    def __init__(self, error: DatabaseDamagedError, parent: QWidget | None = None) -> None:
        super().__init__(QMessageBox.Icon.Critical, "The database file is damaged", "",
                         QMessageBox.StandardButton.NoButton, parent)
        self.setObjectName("damagedDatabaseDialog")
        self.setText(f"{error.path} is damaged and cannot be opened safely.\n\n"
                     f"SQLite reported: {error.detail}\n\nNothing was written to the file.")
        self._buttons: dict[object, DamagedChoice] = {}
        if error.newest_backup is not None:
            self.setInformativeText(
                f"The newest backup is {error.newest_backup.name}. Opening it works on a copy "
                "beside it; the damaged file and the backup stay as they are.")
            self._add("Open newest backup", QMessageBox.ButtonRole.AcceptRole, DamagedChoice.OPEN_BACKUP,
                      "openBackupButton")
        else:
            self.setInformativeText("No backup was found beside it.")
        self._add("Open another file…", QMessageBox.ButtonRole.ActionRole, DamagedChoice.OPEN_OTHER,
                  "openOtherButton")
        quit_button = self._add("Quit", QMessageBox.ButtonRole.RejectRole, DamagedChoice.QUIT, "quitButton")
        self.setEscapeButton(quit_button)

    def _add(self, text: str, role: QMessageBox.ButtonRole, choice: DamagedChoice, name: str):
        button = self.addButton(text, role)
        button.setObjectName(name)
        self._buttons[button] = choice
        return button

    def choice(self) -> DamagedChoice:
        """What the user clicked (Quit when the dialog was closed otherwise)."""
        return self._buttons.get(self.clickedButton(), DamagedChoice.QUIT)


def install_read_only_banner(window: QMainWindow, path: Path) -> QLabel:
    """Show, above everything in ``window``, that ``path`` is open read-only.

    Returns:
        The banner label (object name ``readOnlyBanner``).
    """
    bar = QToolBar("Read-only", window)
    bar.setObjectName("readOnlyBar")
    bar.setMovable(False)
    bar.setFloatable(False)
    banner = QLabel(
        f"Read-only: {path} cannot be written, so changes cannot be saved (drafts are kept on "
        "this computer). Open a writable copy to work on cases.", bar)
    banner.setObjectName("readOnlyBanner")
    banner.setToolTip(str(path))
    # Across the whole window, so the sentence stays on one line.
    banner.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    banner.setStyleSheet("QLabel#readOnlyBanner { background: #fef3c7; color: #78350f; "
                         "border: 1px solid #f59e0b; border-radius: 6px; padding: 6px 10px; font-weight: 600; }")
    bar.addWidget(banner)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    window.insertToolBarBreak(bar)
    window.setWindowTitle(f"{window.windowTitle()} (read-only)")
    return banner


def open_with_way_out(
    target: DatabaseTarget,
    *,
    allow_new: bool,
    headless: bool,
    refuse: Callable[[str], None],
    ask: Callable[[DatabaseDamagedError], tuple[DamagedChoice, str]] | None = None,
) -> DatabaseTarget | None:
    """Open ``target``; on a damaged file let the user choose a way out, never writing to it.

    Args:
        target: the database to open first.
        allow_new: a missing or empty SQLite file may become a new database.
        headless: no dialogs: a damaged file is one line on stderr.
        refuse: tells the user (dialog and stderr) why another kind of failure stops the start.
        ask: shows the damaged-file dialog and returns the choice and, for "another file", the
            path chosen ("" = cancelled); tests pass a fake.

    Returns:
        The target that was opened, or None when the user quit or the database cannot be used.
    """
    ask = ask or _ask
    while True:
        try:
            open_database(target, allow_new=allow_new)
            return target
        except DatabaseDamagedError as error:
            log.error("cannot open database: %s", error)
            if headless:
                print(f"The database file is damaged: {error}", file=sys.stderr)
                return None
            choice, other = ask(error)
            if choice is DamagedChoice.OPEN_BACKUP and error.newest_backup is not None:
                target = DatabaseTarget(str(restore_copy(error.newest_backup)))
            elif choice is DamagedChoice.OPEN_OTHER and other:
                target = DatabaseTarget(other)
            else:
                return None
            # Whatever is opened next was chosen as an existing database, never a new one.
            allow_new = False
            log.info("opening %s instead", target.display)
        except DatabaseOpenError as error:
            log.error("cannot open database: %s", error)
            refuse(str(error))
            return None


def _ask(error: DatabaseDamagedError) -> tuple[DamagedChoice, str]:
    dialog = DamagedDatabaseDialog(error)
    dialog.exec()
    choice = dialog.choice()
    if choice is not DamagedChoice.OPEN_OTHER:
        return choice, ""
    path, _filter = QFileDialog.getOpenFileName(
        None, "Open a Desktop Helpdesk database", str(error.path.parent),
        "Desktop Helpdesk databases (*.sqlite3 *.db *.bak);;All files (*)")
    return choice, path
