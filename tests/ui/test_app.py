"""The composition root: command line, demo data, screenshots, sign-in and the export dispatch."""

import pytest
from PySide6.QtGui import QImage

from desktop_helpdesk.app import EXIT_OK, EXIT_USAGE, main
from desktop_helpdesk.domain.clock import ManualClock
from desktop_helpdesk.services.container import Services
from desktop_helpdesk.storage.db import close_database, database, open_database
from desktop_helpdesk.ui.dialogs.member_picker import MemberPickerDialog
from tests.conftest import halifax
from tests.ui.conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


@pytest.fixture
def unbind_database():
    yield
    close_database()
    database.initialize(None)


def _prepared_database(path):
    """A file with one member (dana) and one case, closed again like a previous session."""
    open_database(path)
    services = Services.create(ManualClock(halifax(2026, 11, 25, 9, 0)))
    member = services.team.bootstrap_admin("dana", "Dana Desk")
    from desktop_helpdesk.services.contacts import NewContact

    services.cases.log_case(
        member.id, subject="Printer offline", channel="email",
        new_contact=NewContact(name="Carol", email="carol@acme.example", client_name="Acme"),
    )
    close_database()


def test_demo_screenshot_renders_the_window_with_data(qapp, tmp_path, unbind_database):
    png = tmp_path / "shots" / "main.png"
    assert main(["--demo", "--screenshot", str(png)]) == EXIT_OK
    image = QImage(str(png))
    assert not image.isNull()
    assert image.width() >= 1200 and image.height() >= 700


def test_user_option_signs_in_and_db_option_opens_that_file(qapp, tmp_path, unbind_database):
    path = tmp_path / "desk.sqlite3"
    _prepared_database(path)
    png = tmp_path / "dana.png"
    assert main(["--db", str(path), "--user", "dana", "--screenshot", str(png)]) == EXIT_OK
    assert png.exists()


def test_unknown_user_is_a_usage_error(qapp, tmp_path, unbind_database, capsys):
    path = tmp_path / "desk.sqlite3"
    _prepared_database(path)
    assert main(["--db", str(path), "--user", "nobody", "--screenshot", str(tmp_path / "x.png")]) == EXIT_USAGE
    assert "nobody" in capsys.readouterr().err


def test_demo_with_db_fills_an_empty_file_only_once(qapp, tmp_path, unbind_database):
    path = tmp_path / "demo.sqlite3"
    assert main(["--demo", "--db", str(path), "--screenshot", str(tmp_path / "a.png")]) == EXIT_OK
    open_database(path)
    from desktop_helpdesk.storage.records import CaseRecord

    seeded = CaseRecord.select().count()
    close_database()
    assert seeded > 100
    assert main(["--demo", "--db", str(path), "--screenshot", str(tmp_path / "b.png")]) == EXIT_OK
    open_database(path)
    assert CaseRecord.select().count() == seeded


def test_export_is_dispatched_to_the_export_command(qapp, capsys):
    try:
        code = main(["export", "--no-such-option"])
    except SystemExit as exit_:
        code = exit_.code
    assert code == 2
    assert "export" in capsys.readouterr().err


def test_member_picker_preselects_the_remembered_member(qtbot, db, clock):
    services = Services.create(clock)
    admin = services.team.bootstrap_admin("ana", "Ana Admin")
    ben = services.team.add_member(admin.id, "ben", "Ben Agent")
    dialog = MemberPickerDialog(services.team.list_members(), last_member_id=ben.id)
    qtbot.addWidget(dialog)
    assert dialog.chosen_member_id() == ben.id
    dialog.list.setCurrentRow(0)
    assert dialog.chosen_member_id() == admin.id


def test_ui_state_round_trips_layout(qtbot, make_window, tmp_path):
    from PySide6.QtCore import QSettings

    from desktop_helpdesk.ui.ui_state import UiState

    settings = QSettings(str(tmp_path / "ui-state.ini"), QSettings.Format.IniFormat)
    state = UiState(settings)
    first = make_window()
    assert not state.restore(first)
    first.table.horizontalHeader().resizeSection(0, 151)
    state.save(first)
    second = make_window()
    assert state.restore(second)
    assert second.table.horizontalHeader().sectionSize(0) == 151


def test_unexpected_error_shows_a_friendly_dialog_and_logs_the_traceback(qtbot, tmp_path):
    import sys

    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop_helpdesk.app import install_excepthook, setup_logging

    handler = setup_logging(tmp_path)
    previous = install_excepthook(tmp_path / "desktop-helpdesk.log")
    try:
        try:
            raise KeyError("boom in a slot")
        except KeyError:
            sys.excepthook(*sys.exc_info())
        boxes = [w for w in QApplication.topLevelWidgets() if w.objectName() == "errorDialog"]
        assert len(boxes) == 1
        box = boxes[0]
        assert isinstance(box, QMessageBox)
        assert "boom in a slot" in box.text()
        assert "Traceback" not in box.text()
        box.done(0)
    finally:
        sys.excepthook = previous
        import logging

        logging.getLogger().removeHandler(handler)
        handler.close()
    logged = (tmp_path / "desktop-helpdesk.log").read_text()
    assert "Traceback" in logged and "boom in a slot" in logged


def test_a_file_that_is_not_a_database_is_refused_with_a_message(qapp, tmp_path, unbind_database, capsys):
    not_a_database = tmp_path / "notes.sqlite3"
    not_a_database.write_text("shopping list")
    code = main(["--db", str(not_a_database), "--user", "dana", "--screenshot", str(tmp_path / "x.png")])
    assert code == 1
    err = capsys.readouterr().err
    assert "not a SQLite file" in err and "Traceback" not in err
    assert not_a_database.read_text() == "shopping list"
