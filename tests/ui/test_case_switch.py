"""Moving to another case in the list: the list repaints first, the pane greys only for a slow
read, and commands wait for the case the member moved to."""

from __future__ import annotations

import logging
import threading

import pytest
from PySide6.QtCore import QBuffer, QEvent, QIODevice, QObject, Qt
from PySide6.QtGui import QColor, QImage

from desktop_helpdesk.ui.widgets.case_detail import GREY_AFTER_MS
from tests.ui.conftest import OFFSCREEN_NOISE, log_case, settle

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


class _EnabledChanges(QObject):
    """Counts the pane's enabled/disabled switches (each one repaints all of it)."""

    def __init__(self, widget) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.EnabledChange:
            self.count += 1
        return False


class _ImageReads(logging.Handler):
    """The SQL statements that read an attachment's bytes (peewee logs every statement)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.queries: list[str] = []
        self._logger = logging.getLogger("peewee")
        self._level = self._logger.level
        self._logger.addHandler(self)
        self._logger.setLevel(logging.DEBUG)

    def emit(self, record) -> None:
        sql = str(record.msg[0]) if isinstance(record.msg, tuple) else record.getMessage()
        if 'FROM "attachment"' in sql and '"data"' in sql:
            self.queries.append(sql)

    def stop(self) -> None:
        self._logger.removeHandler(self)
        self._logger.setLevel(self._level)


def _pool_busy_elsewhere(window) -> threading.Event:
    """Both of the window's pool threads busy elsewhere (another workstation's long report,
    say): what is submitted next waits until the returned event is set."""
    release = threading.Event()
    for _ in range(2):
        window.pool.submit(release.wait, 10, on_finished=lambda _result: None)
    return release


def _two_cases_first_shown(qtbot, window, ui):
    cases = [log_case(ui, "Printer offline"), log_case(ui, "Timesheet export")]
    with qtbot.waitSignal(window.list_loaded, timeout=5000):
        window.reload_list()
    first_row = min(window.model.row_of(case.id) for case in cases)
    assert window.select_case(window.model.case_id_at(first_row))
    qtbot.waitUntil(lambda: window.detail.case_id == window.model.case_id_at(first_row))
    settle(qtbot)
    window.table.setFocus()
    return window.model.case_id_at(first_row), window.model.case_id_at(first_row + 1)


def test_moving_down_reads_the_next_case_after_the_move_and_never_greys_a_quick_read(qtbot, window, ui):
    shown, below = _two_cases_first_shown(qtbot, window, ui)
    changes = _EnabledChanges(window.detail.body)

    qtbot.keyClick(window.table, Qt.Key.Key_Down)
    # The move is on screen; the read starts in the loop's next pass, not inside the key press.
    assert window.case_load_pending and window.detail.case_id == shown
    qtbot.waitUntil(lambda: window.detail.case_id == below, timeout=5000)
    settle(qtbot)
    assert changes.count == 0
    assert window.detail.body.isEnabled()


def test_a_slow_read_greys_the_case_being_left_and_commands_wait_for_the_new_one(qtbot, window, ui):
    shown, below = _two_cases_first_shown(qtbot, window, ui)
    release = _pool_busy_elsewhere(window)

    qtbot.keyClick(window.table, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: window.detail.switching, timeout=5000)
    # A command now would act on the case being left: it does not start.
    window.detail.summary_edit.setPlainText("Called back; the cache clear fixed it")
    window.detail.add_interaction()
    assert not window.detail.busy
    qtbot.waitUntil(lambda: not window.detail.body.isEnabled(), timeout=GREY_AFTER_MS * 20)
    assert window.detail.case_id == shown

    release.set()
    qtbot.waitUntil(lambda: window.detail.case_id == below, timeout=5000)
    assert window.detail.body.isEnabled() and not window.detail.switching
    settle(qtbot)
    assert not any("cache clear" in (entry.detail or "") for entry in ui.services.cases.timeline(shown))


def test_a_reload_while_a_thumbnail_is_made_does_not_decode_the_image_again(qtbot, window, ui):
    """A large screenshot takes a worker about 100 ms to decode: the paste's own reload and the
    30-second refresh used to start a second decode of the same image while the first ran."""
    case = log_case(ui, "Error dialog")
    image = QImage(400, 300, QImage.Format.Format_RGB32)
    image.fill(QColor("#dc2626"))
    png = QBuffer()
    png.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(png, "PNG")
    ui.services.cases.add_attachment(ui.member_id, case.id, filename="error.png",
                                     data=bytes(png.data()), content_type="image/png")
    detail = ui.services.cases.get_case(case.id)
    reads = _ImageReads()
    # The first thumbnail job waits while the pane is shown again.
    release = _pool_busy_elsewhere(window)
    window.detail.show_case(detail)
    window.detail.show_case(detail)
    release.set()
    settle(qtbot)
    reads.stop()
    assert len(reads.queries) == 1, reads.queries
    thumbnail = window.detail.attachments.list.item(0).icon()
    assert not thumbnail.isNull()


def test_the_first_case_after_none_is_filled_first_and_shown_in_the_next_pass(qtbot, window, ui):
    """Showing the empty pane's hundred widgets and painting them follows the filling in the
    loop's next pass, so neither holds the window's thread alone for longer than a frame."""
    case = log_case(ui, "Printer offline")
    with qtbot.waitSignal(window.list_loaded, timeout=5000):
        window.reload_list()
    detail = window.detail
    assert detail.case_id is None and detail.placeholder.isVisible()
    with qtbot.waitSignal(detail.case_shown, timeout=5000):
        window.select_case(case.id)
    # Filled, still behind the placeholder: no half-shown case is ever painted.
    assert detail.revealing and detail.subject_edit.text() == "Printer offline"
    assert detail.placeholder.isVisible() and not detail.body_scroll.isVisible()
    with qtbot.waitSignal(detail.case_revealed, timeout=5000) as revealed:
        pass
    assert revealed.args == [case.id]
    assert detail.body_scroll.isVisible() and not detail.placeholder.isVisible()
    settle(qtbot)


def test_every_screenshot_of_a_case_gets_its_thumbnail_in_one_pass(qtbot, window, ui):
    case = log_case(ui, "Error dialogs")
    for number, colour in enumerate(("#dc2626", "#16a34a", "#2563eb")):
        image = QImage(300, 200, QImage.Format.Format_RGB32)
        image.fill(QColor(colour))
        png = QBuffer()
        png.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(png, "PNG")
        ui.services.cases.add_attachment(ui.member_id, case.id, filename=f"error-{number}.png",
                                         data=bytes(png.data()), content_type="image/png")
    with qtbot.waitSignal(window.list_loaded, timeout=5000):
        window.reload_list()
    assert window.select_case(case.id)
    qtbot.waitUntil(lambda: window.detail.case_id == case.id, timeout=5000)
    settle(qtbot)
    rows = window.detail.attachments.list
    colours = {rows.item(row).icon().pixmap(16, 16).toImage().pixelColor(8, 8).name() for row in range(rows.count())}
    assert colours == {"#dc2626", "#16a34a", "#2563eb"}
    # Shown again (a reload): the same thumbnails, none decoded again.
    reads = _ImageReads()
    with qtbot.waitSignal(window.detail.case_shown, timeout=5000):
        window.detail.reload()
    settle(qtbot)
    reads.stop()
    assert reads.queries == []
    assert {rows.item(row).icon().pixmap(16, 16).toImage().pixelColor(8, 8).name() for row in range(rows.count())} == colours


def test_a_pasted_screenshot_gets_its_thumbnail_without_reading_its_png_back(qtbot, window, ui):
    from PySide6.QtGui import QGuiApplication

    case = log_case(ui, "Error dialog")
    with qtbot.waitSignal(window.list_loaded, timeout=5000):
        window.reload_list()
    assert window.select_case(case.id)
    qtbot.waitUntil(lambda: window.detail.case_id == case.id, timeout=5000)
    settle(qtbot)
    image = QImage(640, 480, QImage.Format.Format_RGB32)
    image.fill(QColor("#7c3aed"))
    QGuiApplication.clipboard().setImage(image)
    reads = _ImageReads()
    assert window.detail.paste_screenshot()
    qtbot.waitUntil(lambda: window.detail.attachments.count() == 1, timeout=5000)
    settle(qtbot)
    reads.stop()
    assert reads.queries == []
    shown = window.detail.attachments.list.item(0).icon().pixmap(16, 16).toImage().pixelColor(8, 8)
    assert shown.name() == "#7c3aed"
    stored = ui.services.cases.attachment_content(window.detail.detail.attachments[0].id)[1]
    assert QImage.fromData(stored).pixelColor(320, 240).name() == "#7c3aed"


def test_moving_down_and_straight_back_while_the_read_waits_keeps_the_first_case(qtbot, window, ui):
    shown, below = _two_cases_first_shown(qtbot, window, ui)
    release = _pool_busy_elsewhere(window)
    qtbot.keyClick(window.table, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: window.detail.switching, timeout=5000)
    qtbot.keyClick(window.table, Qt.Key.Key_Up)
    qtbot.waitUntil(lambda: not window.case_load_pending, timeout=5000)
    release.set()
    settle(qtbot)
    # The list's row and the pane agree: the read of the case below never lands.
    assert window.model.case_id_at(window.table.currentIndex().row()) == shown
    assert window.detail.case_id == shown and not window.detail.switching
