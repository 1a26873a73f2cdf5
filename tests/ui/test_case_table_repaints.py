"""The case list repaints only what changed: a focus change repaints the selected and current
rows (not the whole list), and what it repaints covers every pixel the focus change alters; the
first case selected does not move the splitter (which repaints the whole list); a command after
the intake was opened repaints the case, not the whole window; the 1-second tick repaints only
the clocks a reader sees change."""

from datetime import timedelta

import pytest
from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QColor, QPalette, QRegion

from desktop_helpdesk.domain.sla import ClockState
from desktop_helpdesk.ui.models.case_table_model import CaseColumn
from desktop_helpdesk.ui.models.roles import SLA_STATE_ROLE
from tests.ui.conftest import OFFSCREEN_NOISE, log_case, settle
from tests.ui.test_desk_laptop import house_style  # noqa: F401

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


class _PaintedRegion(QObject):
    """The region a widget was repainted in while it was watched."""

    def __init__(self, widget):
        super().__init__()
        self.region = QRegion()
        self._widget = widget
        widget.installEventFilter(self)

    def stop(self) -> QRegion:
        self._widget.removeEventFilter(self)
        return QRegion(self.region)

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            self.region += event.region()
        return False


@pytest.fixture
def listed(qtbot, window, ui):
    """A window whose list has more rows than it shows, case 6 selected."""
    cases = [log_case(ui, f"Printer {number} offline") for number in range(40)]
    with qtbot.waitSignal(window.list_loaded):
        window.reload_list()
    settle(qtbot)
    with qtbot.waitSignal(window.detail.case_shown):
        window.select_case(window.model.case_id_at(5))
    settle(qtbot)
    qtbot.waitExposed(window)
    assert len(cases) > window.table.rowAt(window.table.viewport().height() - 1) > 10
    return window


def _painted_after(qtbot, window, change):
    """What ``change`` repainted of the list's viewport, with the viewport before and after
    (rendered afresh, whatever was repainted; rendering sends paint events too, so it is done
    while nothing watches)."""
    viewport = window.table.viewport()
    before = viewport.grab().toImage()
    painted = _PaintedRegion(viewport)
    change()
    # Every widget's repaint is done in one pass: a label repainted marks its end.
    marker = _PaintedRegion(window.list_title)
    window.list_title.setText(window.list_title.text() + " ")
    qtbot.waitUntil(lambda: not marker.region.isEmpty())
    marker.stop()
    region = painted.stop()
    return region, before, viewport.grab().toImage()


class _Polishes(QObject):
    """Counts the times a widget is polished (its style applied) again."""

    def __init__(self, widget):
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Polish:
            self.count += 1
        return False


def _row_rect(table, row):
    """The part of ``row`` the viewport shows."""
    viewport = table.viewport().rect()
    return QRect(0, table.rowViewportPosition(row), viewport.width(), table.rowHeight(row)).intersected(viewport)


def _changed_rows(table, before, after):
    last = table.rowAt(table.viewport().height() - 1)
    return [row for row in range(table.rowAt(0), last + 1)
            if before.copy(_row_rect(table, row)) != after.copy(_row_rect(table, row))]


def _covered(region, rect):
    return QRegion(rect).subtracted(region).isEmpty()


def _inactive_colour(table, role: QPalette.ColorRole, colour: str) -> None:
    """Give the list a palette whose inactive ``role`` differs from the active one."""
    palette = table.palette()
    palette.setColor(QPalette.ColorGroup.Inactive, role, QColor(colour))
    table.setPalette(palette)


def _focus_out_and_in(qtbot, window):
    """Focus leaves the list for the search box and comes back: both repaints, checked."""
    table = window.table
    _painted_after(qtbot, window, lambda: None)  # what was still to repaint before
    results = []
    for move in (window.queue_panel.search.setFocus, table.setFocus):
        painted, before, after = _painted_after(qtbot, window, move)
        changed = _changed_rows(table, before, after)
        assert all(_covered(painted, _row_rect(table, row)) for row in changed), changed
        results.append((painted, changed))
    return results


def test_focus_leaving_the_list_repaints_the_selected_row_not_the_list(house_style, qtbot, listed):  # noqa: F811
    table = listed.table
    table.setFocus()
    qtbot.waitUntil(table.hasFocus)
    for painted, _changed in _focus_out_and_in(qtbot, listed):
        assert _covered(painted, _row_rect(table, 5))
        # Rows whose look does not depend on focus are left as they were (Qt repainted all).
        assert not painted.intersects(_row_rect(table, 9))
        assert not painted.intersects(_row_rect(table, 0))


def test_selected_rows_get_their_inactive_colours_when_focus_leaves(qtbot, listed):
    table = listed.table
    _inactive_colour(table, QPalette.ColorRole.Highlight, "#d4d4d8")
    table.selectRow(3)
    table.setFocus()
    qtbot.waitUntil(table.hasFocus)
    (out_painted, out_changed), (in_painted, in_changed) = _focus_out_and_in(qtbot, listed)
    # The selected row really changed colour, both ways, and was repainted (checked above).
    assert 3 in out_changed and 3 in in_changed
    assert not out_painted.intersects(_row_rect(table, 9))


def test_a_palette_whose_inactive_text_differs_repaints_the_whole_list(qtbot, listed):
    table = listed.table
    _inactive_colour(table, QPalette.ColorRole.Text, "#64748b")
    table.setFocus()
    qtbot.waitUntil(table.hasFocus)
    (out_painted, out_changed), _ = _focus_out_and_in(qtbot, listed)
    assert 9 in out_changed and _covered(out_painted, _row_rect(table, 9))


def test_keyboard_focus_still_makes_the_first_row_current(qtbot, make_window, ui):
    for number in range(3):
        log_case(ui, f"Projector {number}")
    window = make_window()
    settle(qtbot)
    assert not window.table.currentIndex().isValid()
    painted = _PaintedRegion(window.table.viewport())
    window.table.setFocus(Qt.FocusReason.TabFocusReason)
    # Qt's own focus-in makes the first row current (and its case shows), and it is repainted.
    with qtbot.waitSignal(window.detail.case_shown):
        qtbot.waitUntil(lambda: window.table.currentIndex().row() == 0)
    assert window.detail.case_id == window.model.case_id_at(0)
    qtbot.waitUntil(lambda: _covered(painted.region, _row_rect(window.table, 0)))
    painted.stop()


def test_the_first_case_selected_on_a_laptop_leaves_the_list_as_it_was(house_style, qtbot, make_window, ui):  # noqa: F811
    for number in range(30):
        log_case(ui, f"Scanner {number} jams")
    window = make_window()
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.density.compact)
    settle(qtbot)
    assert window.detail.case_id is None
    _painted_after(qtbot, window, lambda: None)  # what was still to repaint before
    sizes = window.splitter.sizes()

    def select():
        with qtbot.waitSignal(window.detail.case_shown):
            window.select_case(window.model.case_id_at(3))

    painted, _before, _after = _painted_after(qtbot, window, select)
    # The pane already had the width a case needs: the list beside it was not resized.
    assert window.splitter.sizes() == sizes
    assert _covered(painted, _row_rect(window.table, 3))
    assert not painted.intersects(_row_rect(window.table, 9))


def test_a_command_after_the_intake_was_opened_repaints_the_case_not_the_window(house_style, qtbot, listed):  # noqa: F811
    window, detail = listed, listed.detail
    _painted_after(qtbot, window, lambda: None)  # what was still to repaint before
    polishes = _Polishes(window)

    def open_the_intake_then_add_a_note():
        dialog = window.open_phone_intake()
        settle(qtbot)
        with qtbot.waitSignal(dialog.finished):
            dialog.reject()
        qtbot.keyClicks(detail.summary_edit, "Called back, the printer prints")
        with qtbot.waitSignal(detail.command_finished), qtbot.waitSignal(detail.case_shown):
            qtbot.mouseClick(detail.add_interaction_button, Qt.MouseButton.LeftButton)
        settle(qtbot)

    painted, _before, _after = _painted_after(qtbot, window, open_the_intake_then_add_a_note)
    assert any("Called back" in detail.timeline_model.describe(entry)
               for entry in detail.timeline_model.entries())
    # The intake's connection to the window did not make Qt style the whole window again.
    assert polishes.count == 0
    assert not painted.intersects(_row_rect(window.table, 9))


def test_the_window_has_every_slot_its_dialogs_connect_to_from_the_start(qtbot, window, ui):
    """PySide adds a method first connected after the window was built to its meta-object,
    which makes Qt polish (and repaint) the whole window again: the window's methods that its
    dialogs connect to are declared slots."""
    case = log_case(ui, "Toner low")
    with qtbot.waitSignal(window.list_loaded):
        window.reload_list()
    with qtbot.waitSignal(window.detail.case_shown):
        window.select_case(case.id)
    settle(qtbot)
    methods = window.metaObject().methodCount()
    intake = window.open_phone_intake()
    settle(qtbot)
    intake.reject()
    with qtbot.waitSignal(window.bulk_dialog_opened) as opened:
        window.bulk_change()
    settle(qtbot)
    opened.args[0].reject()
    assert window.metaObject().methodCount() == methods


def _cells_changed_outside(table, painted, before, after):
    """The cells whose pixels changed though they were not repainted (should be none)."""
    model, viewport = table.model(), table.viewport().rect()
    missed = []
    for row in range(table.rowAt(0), table.rowAt(viewport.height() - 1) + 1):
        for column in range(model.columnCount()):
            cell = table.visualRect(model.index(row, column)).intersected(viewport)
            if not cell.isEmpty() and before.copy(cell) != after.copy(cell) and not _covered(painted, cell):
                missed.append((row, CaseColumn(column).name))
    return missed


def test_a_tick_repaints_only_the_clocks_a_reader_sees_change(qtbot, listed, clock):
    window, table, model = listed, listed.table, listed.model

    def tick(amount):
        clock.advance(amount)
        painted, before, after = _painted_after(qtbot, window, lambda: window.on_ticked(clock.now()))
        assert _cells_changed_outside(table, painted, before, after) == []
        return painted

    def cell(row, column):
        return table.visualRect(model.index(row, column))

    # Ten seconds on, every countdown went from 2h 00m to 1h 59m left: the clocks only.
    painted = tick(timedelta(seconds=10))
    assert model.data(model.index(9, CaseColumn.NEXT_DUE)).endswith("1h 59m left")
    assert _covered(painted, cell(9, CaseColumn.NEXT_DUE))
    assert not painted.intersects(cell(9, CaseColumn.SUBJECT))
    # A second later nothing a reader sees changed: nothing is repainted (every row was).
    assert tick(timedelta(seconds=1)).isEmpty()
    # Ten minutes before the acknowledgement is due the rows turn due soon, background and all.
    painted = tick(timedelta(hours=1, minutes=49, seconds=49))
    assert model.data(model.index(9, CaseColumn.NEXT_DUE), SLA_STATE_ROLE) == ClockState.DUE_SOON
    assert _covered(painted, _row_rect(table, 9))
