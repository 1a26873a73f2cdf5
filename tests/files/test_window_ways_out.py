"""The window's ways out of a damaged file (dialog driven with qtbot; choices through a fake
dialog) and its read-only banner."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QPushButton

from desktop_helpdesk.domain.clock import ManualClock
from desktop_helpdesk.services.container import Services
from desktop_helpdesk.storage.db import (
    DatabaseDamagedError,
    DatabaseTarget,
    backup_name,
    close_database,
    database,
    open_database,
)
from desktop_helpdesk.storage.records import CaseRecord
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.database_problems import (
    DamagedChoice,
    DamagedDatabaseDialog,
    install_read_only_banner,
    open_with_way_out,
)
from desktop_helpdesk.ui.main_window import MainWindow
from tests.files.conftest import (
    NOW,
    build_desk_file,
    damage_middle_pages,
    digest,
    make_read_only,
    side_files,
)
from tests.ui.conftest import OFFSCREEN_NOISE

pytestmark = [pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE), pytest.mark.usefixtures("database_unbound_after")]


@pytest.fixture
def damaged_with_backup(tmp_path):
    path = build_desk_file(tmp_path / "desk.sqlite3", cases=40)
    backup = tmp_path / backup_name(path, "nightly").name
    shutil.copyfile(path, backup)
    damage_middle_pages(path)
    return path, backup


def test_the_dialog_names_the_file_and_offers_backup_other_file_and_quit(qtbot, damaged_with_backup):
    path, backup = damaged_with_backup
    error = DatabaseDamagedError(path, "Rowid 97 out of order", backup)
    dialog = DamagedDatabaseDialog(error)
    qtbot.addWidget(dialog)
    assert str(path) in dialog.text() and "Rowid 97 out of order" in dialog.text()
    assert backup.name in dialog.informativeText()
    assert sorted(b.text() for b in dialog.buttons()) == ["Open another file…", "Open newest backup", "Quit"]
    assert dialog.choice() is DamagedChoice.QUIT
    dialog.show()
    qtbot.mouseClick(dialog.findChild(QPushButton, "openBackupButton"), Qt.MouseButton.LeftButton)
    assert dialog.choice() is DamagedChoice.OPEN_BACKUP
    assert dialog.escapeButton().objectName() == "quitButton"


def test_open_newest_backup_works_on_a_copy_and_never_writes_the_damaged_file(damaged_with_backup):
    path, backup = damaged_with_backup
    damaged_before, backup_before = digest(path), digest(backup)
    asked = []

    def ask(error):
        asked.append(error)
        return DamagedChoice.OPEN_BACKUP, ""

    opened = open_with_way_out(DatabaseTarget(str(path)), allow_new=False, headless=False,
                               refuse=pytest.fail, ask=ask)

    assert [e.path for e in asked] == [path]
    assert opened.sqlite_path.name.startswith("desk.nightly-") and ".restored-" in opened.sqlite_path.name
    assert CaseRecord.select().count() == 40
    close_database()
    assert digest(path) == damaged_before and digest(backup) == backup_before
    assert side_files(path) == []


def test_another_file_or_quit(damaged_with_backup, tmp_path):
    path, _backup = damaged_with_backup
    other = build_desk_file(tmp_path / "other.sqlite3", cases=3)
    opened = open_with_way_out(DatabaseTarget(str(path)), allow_new=False, headless=False, refuse=pytest.fail,
                               ask=lambda _error: (DamagedChoice.OPEN_OTHER, str(other)))
    assert opened.sqlite_path == other and CaseRecord.select().count() == 3
    close_database()
    database.initialize(None)

    quit_ = open_with_way_out(DatabaseTarget(str(path)), allow_new=False, headless=False, refuse=pytest.fail,
                              ask=lambda _error: (DamagedChoice.QUIT, ""))
    assert quit_ is None and database.obj is None
    # Choosing another file that is itself empty is refused with its own message.
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    refused = []
    assert open_with_way_out(DatabaseTarget(str(path)), allow_new=True, headless=False, refuse=refused.append,
                             ask=lambda _error: (DamagedChoice.OPEN_OTHER, str(empty))) is None
    assert refused == [f"{empty}: the file is empty (0 bytes), not a Desktop Helpdesk database; "
                       "open another file, or ask for a new database with --new"]


def test_the_read_only_banner_names_the_file(qtbot, tmp_path):
    window = QMainWindow()
    window.setWindowTitle("Desktop Helpdesk — Dana")
    qtbot.addWidget(window)
    banner = install_read_only_banner(window, tmp_path / "desk.sqlite3")
    window.show()
    assert banner.isVisible()
    assert banner.text().startswith(f"Read-only: {tmp_path / 'desk.sqlite3'} cannot be written, so changes cannot be saved")
    assert window.windowTitle().endswith("(read-only)")


def test_in_a_read_only_window_a_change_is_refused_in_words_and_the_draft_is_kept(qtbot, tmp_path):
    path = build_desk_file(tmp_path / "desk.sqlite3", cases=3)
    make_read_only(path)
    before = digest(path)
    open_database(path)
    clock = ManualClock(NOW)
    services = Services.create(clock)
    ui = UiContext.for_member(services, clock, services.team.find_member("dana"), drafts_folder=tmp_path / "drafts")
    window = MainWindow(ui)
    qtbot.addWidget(window)
    install_read_only_banner(window, path)
    with qtbot.waitSignal(window.list_loaded, timeout=5000):
        window.show()
    qtbot.waitUntil(lambda: not window.pool.busy, timeout=5000)
    case_id = window.model.case_id_at(0)
    window.select_case(case_id)
    detail = window.detail
    qtbot.waitUntil(lambda: detail.case_id == case_id and not window.pool.busy, timeout=5000)

    detail.summary_edit.setPlainText("Called back, printer works again")
    detail.save_draft()
    qtbot.waitUntil(lambda: ui.drafts.read_only_file().exists(), timeout=5000)
    detail.add_interaction()
    qtbot.waitUntil(lambda: detail.message.isVisible() and "read-only" in detail.message.text(), timeout=5000)

    assert detail.message.text() == (f"{path} is read-only (the file or its folder cannot be written); "
                                     "changes cannot be saved. Open a writable copy to make changes")
    assert detail.summary_edit.toPlainText() == "Called back, printer works again"
    assert ui.drafts.read_only_file().parent == tmp_path / "drafts"
    window.shutdown()
    close_database()
    assert digest(path) == before and side_files(path) == []
