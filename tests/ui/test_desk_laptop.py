"""A 1366x768 laptop: the list's working columns beside the case without sideways scrolling,
a case pane that collapses (F8), Administration within the screen, and the Unassigned drop
target of queue review in view."""

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtTest import QTest

from desktop_helpdesk.ui import admin
from desktop_helpdesk.ui.admin.admin_dialog import AdminDialog
from desktop_helpdesk.ui.models.case_table_model import CaseColumn
from desktop_helpdesk.ui.supervisor.models import encode_case_ids
from tests.ui.conftest import OFFSCREEN_NOISE, log_case, settle
from tests.ui.test_supervisor_view import desk_clock, pool, scenario, view  # noqa: F401

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)
WORKING_COLUMNS = (CaseColumn.NUMBER, CaseColumn.CLIENT, CaseColumn.SUBJECT, CaseColumn.PRIORITY,
                   CaseColumn.STATUS, CaseColumn.RECEIVED, CaseColumn.NEXT_DUE)


def _on_a_laptop(qtbot, window):
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.density.compact)
    settle(qtbot)


def _columns_fit(window) -> bool:
    header = window.table.horizontalHeader()
    right = max(header.sectionViewportPosition(c) + header.sectionSize(c) for c in WORKING_COLUMNS)
    return (
        all(not header.isSectionHidden(c) for c in WORKING_COLUMNS)
        and min(header.sectionViewportPosition(c) for c in WORKING_COLUMNS) >= 0
        and right <= window.table.viewport().width()
    )


def test_a_laptop_shows_the_working_columns_beside_the_case(qtbot, window, ui):
    case = log_case(ui, "Laptop case")
    with qtbot.waitSignal(window.list_loaded):
        window.reload_list()
    _on_a_laptop(qtbot, window)
    window.select_case(case.id)
    settle(qtbot)
    qtbot.waitUntil(lambda: _columns_fit(window))
    assert not window.table.horizontalScrollBar().isVisible()
    assert window.detail.isVisible() and window.detail.width() >= window.detail.minimumWidth() > 0
    assert window.table.verticalHeader().defaultSectionSize() == 24  # compact rows

    # A wide screen goes back to the roomy layout by itself.
    window.resize(1900, 1000)
    qtbot.waitUntil(lambda: not window.density.compact)
    assert window.table.verticalHeader().defaultSectionSize() == 30


def test_the_case_pane_collapses_and_the_choice_of_density_sticks(qtbot, window):
    _on_a_laptop(qtbot, window)
    list_width = window.table.width()
    QTest.keyClick(window, Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: not window.detail.isVisible())
    qtbot.waitUntil(lambda: window.table.width() > list_width + 300)
    assert not window.density.action_case_pane.isChecked()
    QTest.keyClick(window, Qt.Key.Key_F8)
    qtbot.waitUntil(window.detail.isVisible)

    # Chosen from the toolbar: the window's width no longer decides.
    window.density.action_compact.trigger()
    assert not window.density.compact
    window.resize(1300, 760)
    settle(qtbot)
    assert not window.density.compact


def test_administration_fits_a_laptop_screen(qtbot, window):
    _on_a_laptop(qtbot, window)
    admin.install(window).trigger()
    dialog = window.findChild(AdminDialog, "adminDialog")
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        pass
    # The title bar and the task bar take about 72 pixels of the 768.
    assert dialog.height() <= 768 - 72
    assert dialog.width() <= 1366
    dialog.reject()


def test_the_unassigned_drop_target_stays_in_view(qtbot, view, scenario):  # noqa: F811
    view.resize(1366, 620)
    team_table = view.findChild(type(view.team_table), "teamTable")
    qtbot.waitUntil(lambda: view.team_model.rowCount() > 0)
    last = view.team_model.rowCount() - 1
    assert view.team_model.index(last, 0).data() == "Unassigned"
    rect = team_table.visualRect(view.team_model.index(last, 0))
    assert team_table.viewport().rect().contains(rect)

    # The "Unassigned: N" badge above takes drops too.
    label = view._unassigned_label
    mime = encode_case_ids([scenario.cases["C"]])
    assert label.acceptDrops()
    dropped = []
    label.cases_dropped.connect(dropped.append)
    label.dropEvent(QDropEvent(QPointF(5, 5), Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton,
                               Qt.KeyboardModifier.NoModifier))
    assert dropped == [[scenario.cases["C"]]]
    assert view.asked == ["Reason for moving 1 case to Unassigned:"]
    qtbot.waitUntil(lambda: view._message.text() == "Reassigned 1 case to Unassigned", timeout=5000)
