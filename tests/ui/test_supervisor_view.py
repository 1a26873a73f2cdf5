"""The Supervisor view on the report scenario: live numbers, reassignment, reports, exports."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QLabel, QLineEdit

from desktop_helpdesk.domain.clock import ManualClock
from desktop_helpdesk.services.case_queries import CaseQueries
from desktop_helpdesk.services.container import Services
from desktop_helpdesk.services.drafts import DraftService
from desktop_helpdesk.services.errors import PermissionDenied
from desktop_helpdesk.services.reporting.packs import ReportKind
from desktop_helpdesk.services.reporting.writers import ExportFormat
from desktop_helpdesk.storage.records import AuditRecord, CaseRecord, TeamMemberRecord
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.main_window import MainWindow
from desktop_helpdesk.ui.supervisor import install
from desktop_helpdesk.ui.supervisor.models import TeamColumn
from desktop_helpdesk.ui.supervisor.supervisor_view import SupervisorView
from desktop_helpdesk.ui.workers import WorkerPool
from tests.conftest import halifax
from tests.services.test_reports_scenario import AS_OF, build_scenario
from tests.ui.conftest import OFFSCREEN_NOISE  # noqa: E402

REASON = "Cover while Alice is out"
pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


@pytest.fixture
def scenario(db):
    return build_scenario()


@pytest.fixture
def desk_clock():
    return ManualClock(AS_OF)


def context_for(member_id, clock):
    services = Services.create(clock)
    member = TeamMemberRecord.get_by_id(member_id)
    return UiContext(services, CaseQueries(services.context), DraftService(clock), clock,
                     member.id, member.display_name)


@pytest.fixture
def pool():
    workers = WorkerPool()
    yield workers
    # As the window does: wait for running work and drop answers for widgets being destroyed.
    workers.close()


@pytest.fixture
def view(qtbot, scenario, desk_clock, pool):
    reasons = []

    def ask_reason(title, prompt):
        reasons.append(prompt)
        return REASON

    widget = SupervisorView(context_for(scenario.sue, desk_clock), pool, ask_reason=ask_reason)
    widget.asked = reasons
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    widget.show()
    with qtbot.waitSignal(widget.workload_loaded, timeout=5000):
        widget.refresh()
    qtbot.waitUntil(lambda: not pool.busy, timeout=5000)
    yield widget
    widget.shutdown()
    pool.close()


def team_numbers(view):
    model = view.team_model
    return {
        model.index(row, TeamColumn.MEMBER).data(): [
            int(model.index(row, c).data()) for c in range(TeamColumn.OPEN, len(TeamColumn))]
        for row in range(model.rowCount())
    }


def test_models_pass_the_model_tester(view, qtmodeltester):
    qtmodeltester.check(view.team_model)
    qtmodeltester.check(view.member_cases_model)
    qtmodeltester.check(view.report_model)


def test_team_table_shows_each_members_queue(view):
    # Columns: open, high, medium, due soon, overdue, waiting on client, escalated.
    assert team_numbers(view) == {
        "Alice": [2, 1, 1, 0, 2, 0, 1],  # C (high, escalated, overdue), F (overdue)
        "Bob": [1, 0, 1, 0, 0, 1, 0],  # E waiting on client, resolution clock paused
        "Sue": [0, 0, 0, 0, 0, 0, 0],
        "Unassigned": [1, 0, 1, 0, 0, 0, 0],  # D, acknowledgement due 10:30
    }
    assert view.team_model.index(1, TeamColumn.AVAILABILITY).data() == "Away"
    assert view.findChild(QLabel, "oldestAcknowledgementLabel").text() == (
        "Oldest waiting acknowledgement: 2026-00006 (received Wed 25 Nov 08:30, 0.5 business h)")
    assert view.findChild(QLabel, "unassignedLabel").text() == "Unassigned: 1"


def test_tick_recounts_without_queries_and_touches_only_changed_cells(view, desk_clock,
                                                                      count_queries, qtbot):
    changes = []
    view.team_model.dataChanged.connect(
        lambda first, last, roles=(): changes.append((first.row(), first.column(), last.column())))
    count_queries.count = 0
    view.on_ticked(halifax(2026, 11, 25, 9, 59))
    assert changes == []  # nothing crossed a threshold
    view.on_ticked(halifax(2026, 11, 25, 10, 0))  # D's acknowledgement is 75% used
    unassigned = view.team_model.rowCount() - 1
    assert changes == [(unassigned, TeamColumn.DUE_SOON, TeamColumn.DUE_SOON)]
    assert team_numbers(view)["Unassigned"][3:5] == [1, 0]
    view.on_ticked(halifax(2026, 11, 25, 10, 31))  # past due by business time
    assert changes[-1] == (unassigned, TeamColumn.DUE_SOON, TeamColumn.OVERDUE)
    assert team_numbers(view)["Unassigned"][3:5] == [0, 1]
    assert count_queries.count == 0
    assert view.team_model.index(unassigned, TeamColumn.OVERDUE).data(
        Qt.ItemDataRole.BackgroundRole) is not None


def test_dragging_cases_onto_a_member_reassigns_them_with_a_reason(view, scenario, qtbot):
    with qtbot.waitSignal(view.member_cases_loaded, timeout=5000):
        view.select_member(scenario.alice)
    assert view.member_cases_model.rowCount() == 2
    view.member_cases.selectAll()
    indexes = view.member_cases.selectionModel().selectedIndexes()
    mime = view.member_cases_model.mimeData(indexes)
    bob_row = view.team_model.row_of_member(scenario.bob)
    target = view.team_model.index(bob_row, TeamColumn.MEMBER)
    assert view.team_model.canDropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, target)
    assert not view.team_model.canDropMimeData(mime, Qt.DropAction.MoveAction, -1, -1,
                                               QModelIndex())
    with qtbot.waitSignal(view.workload_loaded, timeout=5000):
        view.team_model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, target)
    assert view.asked == ["Reason for moving 2 cases to Bob:"]
    numbers = team_numbers(view)
    assert numbers["Alice"][0] == 0 and numbers["Bob"][0] == 3
    moved = {scenario.cases["C"], scenario.cases["F"]}
    assert {c.assignee_id for c in CaseRecord.select().where(CaseRecord.id.in_(moved))} == {
        scenario.bob}
    audit = AuditRecord.select().where(AuditRecord.case.in_(moved), AuditRecord.reason == REASON)
    assert {row.case_id for row in audit} == moved
    assert view.findChild(QLabel, "supervisorMessage").text() == "Reassigned 2 cases to Bob"
    # The refresh keeps the supervisor on Alice's row (now empty).
    assert view.team_table.currentIndex().row() == view.team_model.row_of_member(scenario.alice)
    qtbot.waitUntil(lambda: view.member_cases_model.rowCount() == 0, timeout=5000)


def test_mark_away_redistributes_open_cases(view, scenario, qtbot):
    with qtbot.waitSignal(view.workload_loaded, timeout=5000):
        view.mark_available(scenario.bob)
    with qtbot.waitSignal(view.workload_loaded, timeout=5000):
        view.mark_away(scenario.alice, "Sick today")
    numbers = team_numbers(view)
    # Bob is the only available member who takes cases: he gets both of Alice's.
    assert numbers["Alice"][0] == 0 and numbers["Bob"][0] == 3
    assert TeamMemberRecord.get_by_id(scenario.alice).availability == "away"
    assert view.findChild(QLabel, "supervisorMessage").text() == "Alice is away; 2 open cases redistributed"


def test_agents_cannot_open_the_view(scenario, desk_clock, pool):
    with pytest.raises(PermissionDenied):
        SupervisorView(context_for(scenario.alice, desk_clock), pool)


def test_report_panels_show_hand_checked_figures(view, qtbot, qtmodeltester):
    view.set_date_range(date(2026, 11, 1), date(2026, 11, 30))
    with qtbot.waitSignal(view.reports_loaded, timeout=5000):
        view.refresh_reports()
    trend = view.compliance_chart.chart
    # The first week is cut at the report's first day: no "26 Oct" outside a November report.
    assert trend.categories == ("1 Nov", "2 Nov", "9 Nov", "16 Nov", "23 Nov", "30 Nov")
    by_name = {s.name: s.values for s in trend.series}
    # Week of 16 Nov: acknowledge A, B on time, C, E late -> 50%; respond A, E on time, B late,
    # C breached -> 50%; resolve A, B on time, C breached (E paused, open) -> 66.7%.
    assert by_name["Acknowledge"][3] == 50.0
    assert by_name["Respond"][3] == 50.0
    assert by_name["Resolve"][3] == 66.7
    assert by_name["Resolve"][4] is None  # week of 23 Nov: only D, nothing decided
    backlog = view.backlog_chart.chart.series[0].values
    assert (backlog[0], backlog[15], backlog[16], backlog[-1]) == (1.0, 2.0, 3.0, 4.0)
    workload = {s.name: s.values for s in view.workload_chart.chart.series}
    assert workload["Overdue"][0] == 2.0  # Alice
    assert view.report_model.rowCount() == 9
    qtmodeltester.check(view.report_model)
    assert view.report_model.index(8, 11).data() == "66.7%"
    assert "Resolve" in view.compliance_chart.accessibleDescription()

    # The table can show the other reports; choosing one recomputes it in the background.
    with qtbot.waitSignal(view.reports_loaded, timeout=5000):
        view.table_kind.setCurrentIndex(view.table_kind.findData("clients"))
    assert not view.grouping.isEnabled()
    assert view.report_model.index(0, 0).data() == "Acme Ltd"
    assert view.report_model.index(1, 3).data() == "2"  # Globex: C and D open
    with qtbot.waitSignal(view.reports_loaded, timeout=5000):
        view.table_kind.setCurrentIndex(view.table_kind.findData("waiting"))
    assert view.report_model.index(0, 0).data() == "Globex IT"
    assert view.report_model.index(0, 4).data() == "16.00"


def test_export_runs_in_the_background_and_writes_the_pdf(view, qtbot, tmp_path):
    view.set_date_range(date(2026, 11, 1), date(2026, 11, 30))
    path = tmp_path / "nov.pdf"
    with qtbot.waitSignal(view.exporter.export_finished, timeout=15000) as finished:
        view.export_to(ReportKind.SLA, ExportFormat.PDF, path)
    assert finished.args == [path]
    assert len(PdfReader(path).pages) == 4
    assert view.findChild(QLabel, "supervisorMessage").text() == f"Exported to {path}"


def test_cancelling_an_export_leaves_no_file(view, qtbot, tmp_path):
    started, release = threading.Event(), threading.Event()

    def slow_build(progress, cancelled):
        started.set()
        release.wait(5)  # the export "works" until the test has pressed Cancel
        from desktop_helpdesk.services.reporting.packs import ReportPack
        from desktop_helpdesk.services.reporting.tables import Column, ReportTable

        table = ReportTable("t", (), (Column("n"),), [("x",)], AS_OF)
        return ReportPack("t", "t", (), AS_OF, (table,))

    path = tmp_path / "never.csv"
    view.exporter.start(slow_build, ExportFormat.CSV, path, "Exporting")
    assert started.wait(5)
    assert view.exporter.busy
    view.exporter.cancel()
    with qtbot.waitSignal(view.exporter.export_cancelled, timeout=5000):
        release.set()
    assert not view.exporter.busy
    # Nothing at the destination and no temporary file beside it.
    assert [p.name for p in tmp_path.iterdir() if "never" in p.name] == []
    assert view.findChild(QLabel, "supervisorMessage").text() == "Export cancelled"


def test_install_adds_the_tab_for_supervisors_only(qtbot, scenario, desk_clock):
    windows = []
    for member_id, expected in ((scenario.sue, True), (scenario.alice, False)):
        window = MainWindow(context_for(member_id, desk_clock), notify=lambda *args: None)
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.list_loaded, timeout=5000):
            window.show()
        install(window)
        titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
        assert ("Supervisor" in titles) is expected
        windows.append(window)
    view = windows[0].findChild(SupervisorView, "supervisorView")
    qtbot.waitUntil(lambda: view.team_model.rowCount() == 4, timeout=5000)
    for window in windows:
        window.pool.wait()
        window.shutdown()


def test_screenshots_render(view, qtbot, tmp_path):
    view.set_date_range(date(2026, 11, 1), date(2026, 11, 30))
    with qtbot.waitSignal(view.reports_loaded, timeout=5000):
        view.refresh_reports()
    for index, name in enumerate(("queue", "reports")):
        view.tabs.setCurrentIndex(index)
        image = view.grab().toImage()
        assert image.width() == 1200 and not image.isNull()
        assert image.save(str(tmp_path / f"supervisor-{name}.png"))


def test_case_list_exporter_writes_the_queue_in_the_background(qtbot, scenario, desk_clock,
                                                               tmp_path):
    from PySide6.QtWidgets import QWidget

    from desktop_helpdesk.services.case_list_columns import ExportColumn
    from desktop_helpdesk.services.case_queries import Queue
    from desktop_helpdesk.ui.supervisor.export_runner import CaseListExporter

    parent = QWidget()
    qtbot.addWidget(parent)
    target = tmp_path / "overdue.csv"
    ui = context_for(scenario.sue, desk_clock)
    exporter = CaseListExporter(parent, ui.services.context, choose_path=lambda name: str(target),
                                show_dialog=False)
    with qtbot.waitSignal(exporter.finished, timeout=10000):
        assert exporter.export(Queue.OVERDUE, columns=[ExportColumn.NUMBER, ExportColumn.STATUS])
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    # Overdue at Wed 25 09:00: F (in progress) and C (escalated), in case-number order.
    assert lines == ["Case,Status", "2026-00001,In progress", "2026-00004,Escalated"]
    exporter.runner.wait()


def test_reassign_dialog_needs_a_reason(qtbot):
    from desktop_helpdesk.ui.supervisor.supervisor_view import ReassignDialog

    dialog = ReassignDialog([(7, "Alice"), (8, "Bob"), (None, "Unassigned")], 2)
    qtbot.addWidget(dialog)
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.findChild(QComboBox, "reassignMember").setCurrentIndex(1)
    reason = dialog.findChild(QLineEdit, "reassignReason")
    reason.setText("  ")
    assert not ok.isEnabled()  # blank is not a reason
    reason.setText("Bob knows this client")
    assert ok.isEnabled()
    assert dialog.choice() == (8, "Bob knows this client")
