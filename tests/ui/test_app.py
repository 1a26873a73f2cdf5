"""The composition root: command line, demo data, screenshots, sign-in and the export dispatch."""

from datetime import timedelta

import pytest
from PySide6.QtGui import QImage

from desktop_helpdesk.app import EXIT_OK, EXIT_USAGE, main
from desktop_helpdesk.domain.clock import ManualClock
from desktop_helpdesk.services.container import Services
from desktop_helpdesk.storage.db import close_database, database, open_database
from desktop_helpdesk.ui.dialogs.member_picker import MemberPickerDialog
from tests.conftest import halifax
from tests.ui.conftest import OFFSCREEN_NOISE

# A pinned instant far from the wall clock: the demo must follow the injected clock.
DEMO_NOW = halifax(2026, 3, 4, 10, 0)

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
    assert main(["--demo", "--screenshot", str(png)], clock=ManualClock(DEMO_NOW)) == EXIT_OK
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
    clock = ManualClock(DEMO_NOW)
    assert main(["--demo", "--db", str(path), "--screenshot", str(tmp_path / "a.png")], clock=clock) == EXIT_OK
    open_database(path)
    from desktop_helpdesk.storage.records import CaseRecord

    seeded = CaseRecord.select().count()
    # The demo desk is built around the injected "now", not the wall clock.
    newest = CaseRecord.select(CaseRecord.received_at).order_by(CaseRecord.received_at.desc()).first().received_at
    close_database()
    assert seeded > 100
    assert DEMO_NOW - timedelta(days=7) < newest <= DEMO_NOW
    assert main(["--demo", "--db", str(path), "--screenshot", str(tmp_path / "b.png")], clock=clock) == EXIT_OK
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


def _team_database(path):
    """dana (admin) and ben (agent), like a previous session left them; returns their ids."""
    _prepared_database(path)
    open_database(path)
    services = Services.create(ManualClock(halifax(2026, 11, 25, 9, 0)))
    dana = services.team.find_member("dana")
    ben = services.team.add_member(dana.id, "ben", "Ben Agent")
    close_database()
    return dana.id, ben.id


def _drive_when_shown(find, act, polls=250):
    """Calls ``act(widget)`` once ``find()`` returns a visible widget, i.e. from inside the modal
    dialog's own event loop; after ``polls`` x 20 ms it gives up and rejects any modal dialog
    so a broken start-up fails the test instead of hanging it."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    timer = QTimer()
    timer.setObjectName("driveDialogTimer")
    timer.setInterval(20)
    left = [polls]

    def poll():
        widget = find()
        left[0] -= 1
        if widget is not None and widget.isVisible():
            timer.stop()
            act(widget)
        elif left[0] <= 0:
            timer.stop()
            modal = QApplication.activeModalWidget()
            if modal is not None:
                modal.reject()

    timer.timeout.connect(poll)
    timer.start()
    return timer


def _visible_picker():
    from PySide6.QtWidgets import QApplication

    return next((w for w in QApplication.topLevelWidgets()
                 if isinstance(w, MemberPickerDialog) and w.isVisible()), None)


# The start-up picker and password dialogs are driven in tests/ui/test_sign_in.py.


def test_unknown_user_in_the_desktop_gets_a_dialog_naming_the_known_usernames(qapp, tmp_path, unbind_database,
                                                                             capsys):
    from PySide6.QtWidgets import QApplication, QMessageBox

    path = tmp_path / "desk.sqlite3"
    _team_database(path)
    shown = []

    def read_and_close(box):
        shown.append((box.windowTitle(), box.text()))
        box.accept()

    driver = _drive_when_shown(
        lambda: box if isinstance(box := QApplication.activeModalWidget(), QMessageBox) else None,
        read_and_close)
    assert main(["--db", str(path), "--user", "nobody"]) == EXIT_USAGE
    driver.stop()
    assert len(shown) == 1
    title, text = shown[0]
    assert title == "Cannot sign in"
    assert "'nobody'" in text and "ben, dana" in text and "Traceback" not in text
    assert "'nobody'" in capsys.readouterr().err


def _sla_right_edge(window):
    from desktop_helpdesk.ui.models.case_table_model import CaseColumn

    header = window.table.horizontalHeader()
    return header.sectionViewportPosition(CaseColumn.NEXT_DUE) + header.sectionSize(CaseColumn.NEXT_DUE)


def test_on_a_laptop_screen_the_sla_column_is_in_view_without_scrolling(qtbot, make_window):
    from desktop_helpdesk.ui.models.case_table_model import CaseColumn

    window = make_window()
    header = window.table.horizontalHeader()
    viewport = window.table.viewport()
    window.resize(1900, 1000)
    # Wide: every column fits and the subject takes what is left, like a stretched column.
    qtbot.waitUntil(lambda: header.length() == viewport.width(), timeout=3000)
    # (Client names get 20 average characters, the subject the rest.)
    wide_client = header.sectionSize(CaseColumn.CLIENT)
    assert wide_client >= 20 * window.table.fontMetrics().averageCharWidth()
    assert header.sectionSize(CaseColumn.SUBJECT) > 200

    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.density.compact and viewport.width() < 1000, timeout=3000)
    # Compact on a laptop: every column fits beside the case, nothing scrolls sideways.
    qtbot.waitUntil(lambda: header.length() <= viewport.width(), timeout=3000)
    assert _sla_right_edge(window) <= viewport.width()
    assert header.sectionSize(CaseColumn.NEXT_DUE) >= 150
    assert header.sectionSize(CaseColumn.SUBJECT) >= 120
    assert header.sectionSize(CaseColumn.CLIENT) < wide_client

    # Widening again gives the client column back its width.
    window.resize(1900, 1000)
    qtbot.waitUntil(lambda: header.length() == viewport.width(), timeout=3000)
    assert header.sectionSize(CaseColumn.CLIENT) == wide_client


def test_a_column_width_the_user_drags_is_kept_when_the_window_is_wide(qtbot, make_window):
    from desktop_helpdesk.ui.models.case_table_model import CaseColumn

    window = make_window()
    header = window.table.horizontalHeader()
    window.resize(1900, 1000)
    qtbot.waitUntil(lambda: header.length() == window.table.viewport().width(), timeout=3000)
    header.resizeSection(CaseColumn.CLIENT, 190)
    assert header.sectionSize(CaseColumn.CLIENT) == 190
    assert header.length() == window.table.viewport().width()


def test_screenshot_size_renders_the_window_at_that_size(qapp, tmp_path, unbind_database, capsys):
    path = tmp_path / "desk.sqlite3"
    _prepared_database(path)
    png = tmp_path / "laptop.png"
    assert main(["--db", str(path), "--user", "dana", "--screenshot", str(png),
                 "--screenshot-size", "1366x768"]) == EXIT_OK
    image = QImage(str(png))
    assert (image.width(), image.height()) == (1366, 768)
    with pytest.raises(SystemExit) as usage:
        main(["--screenshot", str(png), "--screenshot-size", "wide"])
    assert usage.value.code == EXIT_USAGE
    assert "WIDTHxHEIGHT" in capsys.readouterr().err
