"""Queue review as a supervisor uses it: reassign only to members who take cases, the member
case table's SLA column for waiting and overdue cases, and only the newest refresh shown."""

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QLabel

from desktop_helpdesk.domain.sla import ClockState
from desktop_helpdesk.ui.sla_display import STATE_LOOKS
from desktop_helpdesk.ui.supervisor.models import MemberCaseColumn, TeamColumn
from tests.ui.conftest import OFFSCREEN_NOISE
from tests.ui.test_supervisor_view import desk_clock, pool, scenario, view  # noqa: F401

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


def _cases_of(view, qtbot, member_id):  # noqa: F811
    with qtbot.waitSignal(view.member_cases_loaded, timeout=5000):
        view.select_member(member_id)
    model = view.member_cases_model
    return {
        model.index(row, MemberCaseColumn.NUMBER).data(): model.index(row, MemberCaseColumn.NEXT_DUE)
        for row in range(model.rowCount())
    }


def test_waiting_cases_show_their_paused_clock_and_overdue_ones_are_coloured(
    view, scenario, qtbot  # noqa: F811
):
    bobs = _cases_of(view, qtbot, scenario.bob)
    (waiting,) = bobs.values()
    assert waiting.data().startswith("Paused · Resolve")
    assert waiting.data(Qt.ItemDataRole.BackgroundRole).color() == STATE_LOOKS[ClockState.PAUSED].background

    alices = _cases_of(view, qtbot, scenario.alice)
    assert len(alices) == 2
    for cell in alices.values():
        assert cell.data().startswith("Overdue · ")
        assert cell.data(Qt.ItemDataRole.ForegroundRole).color() == STATE_LOOKS[ClockState.BREACHED].foreground


def test_reassign_offers_only_members_who_take_cases(view, scenario, qtbot):  # noqa: F811
    _cases_of(view, qtbot, scenario.alice)
    view.member_cases.selectAll()
    offered = []

    def read_and_cancel():
        dialog = QApplication.activeModalWidget() or view.findChild(object, "reassignDialog")
        combo = dialog.findChild(QComboBox, "reassignMember")
        offered.extend(combo.itemText(i) for i in range(combo.count()))
        dialog.reject()

    QTimer.singleShot(0, read_and_cancel)
    view.reassign_button.click()
    assert offered == ["Alice", "Bob", "Unassigned"]  # not Sue, who takes no cases


def test_dropping_cases_on_a_member_who_takes_none_is_refused_with_a_sentence(
    view, scenario, qtbot  # noqa: F811
):
    _cases_of(view, qtbot, scenario.alice)
    view.member_cases.selectAll()
    mime = view.member_cases_model.mimeData(view.member_cases.selectionModel().selectedIndexes())
    sue_row = view.team_model.row_of_member(scenario.sue)
    view.team_model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1,
                                 view.team_model.index(sue_row, TeamColumn.MEMBER))
    assert view.asked == []  # no reason asked for a move that cannot happen
    assert view.findChild(QLabel, "supervisorMessage").text() == "Sue does not take cases; drop them on an agent or on Unassigned"


def test_only_the_newest_workload_refresh_is_shown(view, qtbot, pool):  # noqa: F811
    shown = []
    view.workload_loaded.connect(lambda: shown.append(1))
    view.refresh()
    view.refresh()
    qtbot.waitUntil(lambda: not pool.busy, timeout=5000)
    assert shown == [1]


def test_a_november_report_has_no_october_week_row(view, qtbot):  # noqa: F811
    from datetime import date

    view.set_date_range(date(2026, 11, 1), date(2026, 11, 30))
    view.table_kind.setCurrentIndex(view.table_kind.findData("sla"))
    view.grouping.setCurrentIndex(view.grouping.findData("week"))
    with qtbot.waitSignal(view.reports_loaded, timeout=5000):
        view.refresh_reports()
    model = view.report_model
    weeks = [model.index(row, 0).data() for row in range(model.rowCount())]
    assert weeks[0] == "2026-11-01"
    assert not any(str(week).startswith("2026-10") for week in weeks)


def test_a_november_weekly_trend_has_no_october_week_on_its_axis(view, qtbot):  # noqa: F811
    from datetime import date

    view.set_date_range(date(2026, 11, 1), date(2026, 11, 30))
    view.grouping.setCurrentIndex(view.grouping.findData("week"))
    with qtbot.waitSignal(view.reports_loaded, timeout=5000):
        view.refresh_reports()
    chart = view.compliance_chart.chart
    assert chart is not None and chart.categories
    assert not any("2026-10" in str(category) or "Oct" in str(category) for category in chart.categories)
