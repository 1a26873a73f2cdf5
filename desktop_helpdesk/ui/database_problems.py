"""What the window says about a database it cannot use as usual: damaged (a way out) or read-only (a banner)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QToolBar,
    QWidget,
)

from desktop_helpdesk.storage.db import (
    DatabaseDamagedError,
    DatabaseOpenError,
    DatabaseTarget,
    check_integrity,
    open_database,
    restore_copy,
)
from desktop_helpdesk.ui import startup
from desktop_helpdesk.ui.workers import WorkerPool

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
    return _install_banner(
        window, title="Read-only", name="readOnly",
        text=f"Read-only: {path} cannot be written, so changes cannot be saved (drafts are kept on "
             "this computer). Open a writable copy to work on cases.",
        tooltip=str(path), colours=("#fef3c7", "#78350f", "#f59e0b"), title_suffix="read-only",
        word_wrap=False,  # across the whole window, so the sentence stays on one line
    )


def open_with_way_out(
    target: DatabaseTarget,
    *,
    allow_new: bool,
    headless: bool,
    refuse: Callable[[str], None],
    ask: Callable[[DatabaseDamagedError], tuple[DamagedChoice, str]] | None = None,
    check_first: bool = True,
    upgrade_with_progress: bool = False,
) -> DatabaseTarget | None:
    """Open ``target``; on a damaged file let the user choose a way out, never writing to it.

    Args:
        target: the database to open first.
        allow_new: a missing or empty SQLite file may become a new database.
        headless: no dialogs: a damaged file is one line on stderr.
        refuse: tells the user (dialog and stderr) why another kind of failure stops the start.
        ask: shows the damaged-file dialog and returns the choice and, for "another file", the
            path chosen ("" = cancelled); tests pass a fake.
        check_first: run the integrity check before opening; the window passes False and
            runs it afterwards with ``IntegrityCheck`` (a file needing an upgrade is still
            checked first).
        upgrade_with_progress: a file needing a schema upgrade is checked, backed up and
            upgraded on a worker behind a progress window naming it and counting the bytes
            copied, with Cancel (which leaves the file untouched and stops the start).

    Returns:
        The target that was opened, or None when the user quit or the database cannot be used.
    """
    ask = ask or _ask
    while True:
        try:
            runner = startup.upgrade_with_progress(target.sqlite_path) \
                if upgrade_with_progress and target.is_sqlite else None
            open_database(target, allow_new=allow_new, check_first=check_first, run_upgrade=runner)
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


class IntegrityCheck(QObject):
    """SQLite's ``quick_check`` of the open file, run on its own pool thread once the window
    shows its list (seconds on a large file: nobody waits for it). A damaged file gets a red
    banner across the window naming it, with the ways out of ``DamagedDatabaseDialog``: the
    newest backup (as a copy) or another file is opened by starting over on it (``reopen``).

    Signals:
        finished(object): None when the file is healthy, else the ``DatabaseDamagedError``.
        banner_shown(object): the damaged-file banner (a QLabel) is on screen.

    Args:
        window: the main window (the banner goes across it; its ``closing`` ends the check).
        path: the SQLite file the window works on.
        reopen: starts the app over on another file (the app restarts itself; tests fake it).
        ask: shows the damaged-file dialog and returns the choice (tests pass a fake).
        check: the check to run (``check_integrity``).
    """

    finished = Signal(object)
    banner_shown = Signal(object)

    def __init__(
        self,
        window: QMainWindow,
        path: Path,
        *,
        reopen: Callable[[Path], None],
        ask: Callable[[DatabaseDamagedError], tuple[DamagedChoice, str]] | None = None,
        check: Callable[[Path], None] = check_integrity,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._path = path
        self._reopen = reopen
        self._ask = ask or _ask
        self._check = check
        # Its own thread: the window's two pool threads stay free for the desk's work.
        self._pool = WorkerPool(self, max_threads=1)
        self.error: DatabaseDamagedError | None = None
        self.banner: QLabel | None = None
        closing = getattr(window, "closing", None)
        if closing is not None:
            closing.connect(self._pool.close)

    def start_after(self, signal, *, at_the_latest_ms: int = 3000) -> None:
        """Start the check when ``signal`` first fires (the window's first list is shown), or
        after ``at_the_latest_ms`` if it does not (a damaged file may fail the list's query)."""
        self._started = False
        signal.connect(self._on_trigger)
        self._fallback = QTimer(self)
        self._fallback.setObjectName("integrityCheckFallback")
        self._fallback.setSingleShot(True)
        self._fallback.timeout.connect(self._on_trigger)
        self._fallback.start(at_the_latest_ms)

    def _on_trigger(self, *_args) -> None:
        self._fallback.stop()
        if not self._started:
            self._started = True
            self.start()

    def start(self) -> None:
        """Run the check in the background."""
        self._pool.submit(_checked, self._check, self._path, on_finished=self._on_checked,
                          on_failed=self._on_check_failed)

    @property
    def running(self) -> bool:
        return self._pool.busy

    def _on_checked(self, error: DatabaseDamagedError | None) -> None:
        if error is None:
            log.info("%s passed its integrity check", self._path)
        else:
            self.error = error
            self.banner = install_damaged_banner(self._window, error, self.choose_way_out)
            self.banner_shown.emit(self.banner)
        self.finished.emit(error)

    def _on_check_failed(self, error: Exception) -> None:
        # The check itself could not run (the pool logged why); the desk keeps working.
        log.error("the integrity check of %s could not run: %s", self._path, error)
        self.finished.emit(None)

    def choose_way_out(self) -> DamagedChoice:
        """The damaged-file dialog: open the newest backup (a copy), another file, or quit."""
        error = self.error
        if error is None:
            return DamagedChoice.QUIT
        choice, other = self._ask(error)
        if choice is DamagedChoice.OPEN_BACKUP and error.newest_backup is not None:
            self._reopen(restore_copy(error.newest_backup))
        elif choice is DamagedChoice.OPEN_OTHER and other:
            self._reopen(Path(other))
        elif choice is DamagedChoice.QUIT:
            self._window.close()
        return choice


def _checked(check: Callable[[Path], None], path: Path) -> DatabaseDamagedError | None:
    """Worker: the check's finding (None: healthy)."""
    try:
        check(path)
    except DatabaseDamagedError as error:
        return error
    return None


def install_damaged_banner(window: QMainWindow, error: DatabaseDamagedError,
                           way_out: Callable[[], object]) -> QLabel:
    """Show, above everything in ``window``, that its file failed the integrity check, with a
    button to the ways out.

    Returns:
        The banner label (object name ``damagedBanner``); the button is ``damagedWayOutButton``.
    """
    button = QPushButton("Ways out…", window)
    button.setObjectName("damagedWayOutButton")
    button.clicked.connect(lambda: way_out())
    return _install_banner(
        window, title="Damaged database", name="damaged",
        text=f"Damaged: {error.path} failed its integrity check ({error.detail}). What is saved now "
             "may be lost: open the newest backup or another file.",
        tooltip=str(error), colours=("#fee2e2", "#7f1d1d", "#ef4444"), title_suffix="damaged file",
        word_wrap=True, button=button,
    )


def _install_banner(window: QMainWindow, *, title: str, name: str, text: str, tooltip: str,
                    colours: tuple[str, str, str], title_suffix: str, word_wrap: bool,
                    button: QPushButton | None = None) -> QLabel:
    """Put a coloured ``text`` banner (background, ink, border ``colours``; and ``button``) in a
    fixed tool bar above everything in ``window`` and add ``title_suffix`` to its title.

    Returns:
        The banner label, object name ``{name}Banner`` (its bar: ``{name}Bar``).
    """
    bar = QToolBar(title, window)
    bar.setObjectName(f"{name}Bar")
    bar.setMovable(False)
    bar.setFloatable(False)
    banner = QLabel(text, bar)
    banner.setObjectName(f"{name}Banner")
    banner.setToolTip(tooltip)
    banner.setWordWrap(word_wrap)
    banner.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    background, ink, border = colours
    banner.setStyleSheet(f"QLabel#{name}Banner {{ background: {background}; color: {ink}; "
                         f"border: 1px solid {border}; border-radius: 6px; padding: 6px 10px; font-weight: 600; }}")
    bar.addWidget(banner)
    if button is not None:
        bar.addWidget(button)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    window.insertToolBarBreak(bar)
    # Added to a window already on screen: a new child stays hidden until shown.
    bar.show()
    window.setWindowTitle(f"{window.windowTitle()} ({title_suffix})")
    return banner


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
