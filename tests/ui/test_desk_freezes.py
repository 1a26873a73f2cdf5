"""No freezes while a caller waits: selecting a case, commands, intake look-ups, similar
cases, new callers, draft saves and pastes run no SQL on the window's thread."""

import logging
import struct
import threading
import zlib
from datetime import timedelta

import pytest
from PySide6.QtCore import QEvent, QMimeData, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication

from desktop_helpdesk.domain.calendar import BusinessCalendar
from desktop_helpdesk.services.drafts import INTAKE_KEY
from tests.ui.conftest import OFFSCREEN_NOISE, log_case, settle

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


class _GuiThreadQueries(logging.Handler):
    """Records the SQL peewee runs on the main (window's) thread."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.statements = []

    def emit(self, record):
        statement = str(record.msg)
        if threading.current_thread() is threading.main_thread():
            self.statements.append(statement[:400])


@pytest.fixture
def gui_queries():
    logger = logging.getLogger("peewee")
    handler = _GuiThreadQueries()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def _shown(qtbot, window, case_id):
    with qtbot.waitSignal(window.detail.case_shown):
        assert window.select_case(case_id)
    settle(qtbot)


def test_selecting_a_case_reads_it_on_the_pool(qtbot, window, ui, gui_queries):
    first, second = log_case(ui, "First"), log_case(ui, "Second")
    with qtbot.waitSignal(window.list_loaded):
        window.reload_list()
    settle(qtbot)
    gui_queries.statements.clear()
    _shown(qtbot, window, first.id)
    qtbot.keyClicks(window.detail.summary_edit, "half typed")
    _shown(qtbot, window, second.id)
    assert window.detail.subject_label.text() == "Second"
    assert window.detail.timeline_model.rowCount() >= 1
    assert window.detail.audit_model.rowCount() >= 1
    assert gui_queries.statements == []


def test_a_command_runs_on_the_pool_with_the_panel_busy(qtbot, window, ui, clock, gui_queries):
    case = log_case(ui, "Busy case")
    with qtbot.waitSignal(window.list_loaded):
        window.reload_list()
    _shown(qtbot, window, case.id)
    detail = window.detail
    gui_queries.statements.clear()
    clock.advance(timedelta(minutes=2))
    qtbot.keyClicks(detail.summary_edit, "Called the client back")
    busy = []
    detail.busy_changed.connect(busy.append)
    with qtbot.waitSignal(detail.command_finished) as finished:
        qtbot.mouseClick(detail.add_interaction_button, Qt.MouseButton.LeftButton)
        assert detail.busy
        assert not detail.add_interaction_button.isEnabled()
        assert not detail.buttons["resolve"].isEnabled()
    settle(qtbot)
    assert finished.args == [True]
    assert busy == [True, False]
    assert detail.add_interaction_button.isEnabled()
    assert detail.summary_edit.toPlainText() == ""
    texts = [detail.timeline_model.describe(entry) for entry in detail.timeline_model.entries()]
    assert any("Called the client back" in text for text in texts)
    assert gui_queries.statements == []


def test_intake_look_ups_similar_cases_and_new_callers_stay_off_the_window_thread(
    qtbot, window, ui, gui_queries
):
    done = log_case(ui, "Certificate template prints blank")
    ui.services.cases.resolve(ui.member_id, done.id, summary="Reinstalled the font pack", told_via="email")
    gui_queries.statements.clear()
    dialog = window.open_phone_intake()
    settle(qtbot)
    qtbot.keyClicks(dialog.caller_field, "Carol")
    qtbot.waitUntil(lambda: dialog.matches.count() == 1)
    qtbot.keyClicks(dialog.subject_field, "certificate blank")
    qtbot.waitUntil(lambda: dialog.similar.count() == 1 and done.number in dialog.similar.item(0).text())
    dialog.caller_field.clear()
    qtbot.keyClicks(dialog.caller_field, "Zed Newcomer")
    qtbot.keyClick(dialog.caller_field, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.new_contact_box.isVisible)
    qtbot.waitUntil(lambda: dialog.client_field.count() == 1)
    assert dialog.client_field.itemText(0) == "Acme Learning"
    qtbot.waitUntil(lambda: not dialog.findChild(QTimer, "intakeDraftTimer").isActive())
    settle(qtbot)
    assert gui_queries.statements == []
    assert ui.drafts.load(ui.member_id, INTAKE_KEY).fields["new_name"] == "Zed Newcomer"
    gui_queries.statements.clear()
    dialog.new_email.setText("zed@acme.example")
    dialog.client_field.setEditText("Acme Learning")
    with qtbot.waitSignal(dialog.case_logged):
        qtbot.keyClick(dialog.subject_field, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert dialog.case_number_label.text() == dialog.outcome.logged_case.number
    assert gui_queries.statements == []
    dialog.reject()


def _png_header(width, height):
    """A PNG's signature and header chunk only: enough to know its size, nothing to decode."""
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    chunk = b"IHDR" + header
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(header)) + chunk + struct.pack(
        ">I", zlib.crc32(chunk)
    )


def test_a_huge_pasted_screenshot_is_refused_from_its_size_without_decoding(qtbot, window, ui):
    ui.services.settings.update(ui.member_id, attachment_max_bytes=1024 * 1024)
    case = log_case(ui, "Huge screenshot")
    with qtbot.waitSignal(window.list_loaded):
        window.reload_list()
    _shown(qtbot, window, case.id)
    mime = QMimeData()
    mime.setData("image/png", _png_header(8000, 6000) + b"\0" * (2 * 1024 * 1024))
    QGuiApplication.clipboard().setMimeData(mime)
    assert not window.detail.paste_screenshot()
    assert window.detail.message.text().startswith("The screenshot is 2 MB, over the team's 1 MB")
    assert not window.detail.busy
    assert window.detail.attachments.count() == 0


def test_a_pasted_png_is_stored_as_it_came(qtbot, window, ui):
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage

    case = log_case(ui, "Small screenshot")
    with qtbot.waitSignal(window.list_loaded):
        window.reload_list()
    _shown(qtbot, window, case.id)
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("#2563eb"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    mime = QMimeData()
    mime.setData("image/png", data)
    QGuiApplication.clipboard().setMimeData(mime)
    with qtbot.waitSignal(window.detail.command_finished):
        assert window.detail.paste_screenshot()
    settle(qtbot)
    info = window.detail.detail.attachments[0]
    _info, stored = ui.services.cases.attachment_content(info.id)
    assert stored == bytes(data.data())


class _CalendarSpy:
    """Notes the thread each time the business calendar indexes more years (delegates to it)."""

    def __init__(self, monkeypatch):
        self.threads = []
        original = BusinessCalendar._extend

        def extend(calendar, first_year, last_year):
            self.threads.append(threading.current_thread().name)
            return original(calendar, first_year, last_year)

        monkeypatch.setattr(BusinessCalendar, "_extend", extend)


def test_the_list_reads_its_rows_and_their_clocks_on_the_pool(qtbot, make_window, ui, clock, monkeypatch,
                                                              gui_queries):
    # A case open for two years: its clocks need business days the calendar has not indexed.
    clock.advance(timedelta(days=-730))
    old = log_case(ui, "Open since long ago")
    clock.advance(timedelta(days=730))
    recent = log_case(ui, "Recent")
    # A new closure makes the window start with a fresh calendar (nothing indexed yet).
    ui.services.settings.add_closure(ui.member_id, clock.now().date() + timedelta(days=40), "Inventory")
    spy = _CalendarSpy(monkeypatch)
    gui_queries.statements.clear()

    window = make_window()
    window.table.viewport().grab()  # the first paint: rows and clocks are already there
    assert window.model.data(window.model.index(window.model.row_of(old.id), 2)) == "Open since long ago"
    assert spy.threads and "MainThread" not in spy.threads
    # (Building the window reads the closures and settings, two one-row queries.)
    assert [s for s in gui_queries.statements if '"case" AS "t1"' in s] == []
    gui_queries.statements.clear()

    # A changed case stays shown as it was while its new version is read on the pool.
    ui.services.cases.edit_case(ui.member_id, recent.id, expected_version=recent.version,
                                 subject="Recent, renamed")
    gui_queries.statements.clear()
    row = window.model.row_of(recent.id)
    window.model.evict([recent.id])
    assert window.model.data(window.model.index(row, 2)) == "Recent"
    with qtbot.waitSignal(window.model.page_loaded):
        window.table.viewport().grab()
    settle(qtbot)
    assert window.model.data(window.model.index(row, 2)) == "Recent, renamed"
    assert gui_queries.statements == []
    assert "MainThread" not in spy.threads


class _PaintCounter(QObject):
    """Counts the paint events each watched widget receives."""

    def __init__(self, *widgets):
        super().__init__()
        self.paints = {widget.objectName(): 0 for widget in widgets}
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            self.paints[watched.objectName()] += 1
        return False


def test_a_change_in_one_pane_repaints_that_pane_not_the_whole_window(qtbot, window, ui):
    case = log_case(ui, "Repaint me")
    with qtbot.waitSignal(window.list_loaded):
        window.reload_list()
    _shown(qtbot, window, case.id)
    qtbot.waitExposed(window)
    counter = _PaintCounter(window.queue_panel, window.table, window.list_title, window.detail.message)
    window.list_title.setText("All open — a much longer title than before, 12,345 cases")
    window.detail.show_message("Saving…")
    # The layout request is posted first, the repaint follows: wait until both texts painted.
    qtbot.waitUntil(lambda: counter.paints["listTitle"] > 0 and counter.paints["detailMessage"] > 0)
    assert counter.paints["queuePanel"] == 0 and counter.paints["caseTable"] == 0


def _bmp_header(width, height):
    """A BMP's file and info headers only, saying ``width`` x ``height`` (24-bit)."""
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, 0, 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 54 + width * height * 3, 0, 0, 54) + info


def test_a_pasted_image_too_large_to_decode_is_refused_from_its_header(qtbot, window, ui):
    case = log_case(ui, "Giant bitmap")
    with qtbot.waitSignal(window.list_loaded):
        window.reload_list()
    _shown(qtbot, window, case.id)
    mime = QMimeData()
    mime.setData("image/bmp", _bmp_header(12_000, 9_000))
    QGuiApplication.clipboard().setMimeData(mime)
    with qtbot.waitSignal(window.detail.command_finished) as finished:
        assert window.detail.paste_screenshot()
    assert finished.args == [False]
    assert "12000 x 9000 pixels, too large to attach" in window.detail.message.text()
    assert window.detail.attachments.count() == 0


def test_a_reload_that_changes_nothing_leaves_the_list_unpainted_and_where_it_was(qtbot, window, ui):
    cases = [log_case(ui, f"Case {number}") for number in range(3)]
    with qtbot.waitSignal(window.list_loaded):
        window.reload_list()
    _shown(qtbot, window, cases[1].id)
    qtbot.waitExposed(window)
    window.table.viewport().setObjectName("caseTableViewport")
    counter = _PaintCounter(window.table.viewport(), window.list_title)
    with qtbot.waitSignal(window.list_loaded):
        window.reload_list()
    # A repaint the test asks for elsewhere marks the end of the paint pass.
    window.list_title.setText(window.list_title.text() + " ")
    qtbot.waitUntil(lambda: counter.paints["listTitle"] > 0)
    assert counter.paints["caseTableViewport"] == 0
    assert window.detail.case_id == cases[1].id
    assert window.selected_case_ids() == [cases[1].id]
