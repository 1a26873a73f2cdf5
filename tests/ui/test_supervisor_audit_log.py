"""The team-wide audit log tab: newest first, keyset pages fetched as the table scrolls."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QFileDialog

from desktop_helpdesk.services.audit_log import audit_page
from desktop_helpdesk.storage.records import AuditRecord
from desktop_helpdesk.ui.models.audit_model import AuditLogTableModel
from desktop_helpdesk.ui.models.roles import AUDIT_ID_ROLE
from desktop_helpdesk.ui.supervisor.audit_log_view import AuditLogView
from tests.conftest import HALIFAX
from tests.services.conftest import caller
from tests.ui.conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


@pytest.fixture
def supervisor(services, member):
    return services.team.add_member(member.id, "sam", "Sam Supervisor", role="supervisor",
                                    can_take_cases=False).id


@pytest.fixture
def busy_log(services, member, clock):
    """Twelve cases logged a minute apart, so the log has a known newest-first order."""
    numbers = []
    for minute in range(12):
        clock.advance(timedelta(minutes=1))
        logged = services.cases.log_case(member.id, subject=f"Issue {minute}", channel="email",
                                         new_contact=caller(email=f"c{minute}@acme.example"))
        numbers.append(logged.number)
    return numbers


def newest_first_ids():
    return [row.id for row in AuditRecord.select().order_by(AuditRecord.at.desc(), AuditRecord.id.desc())]


def test_the_model_pages_the_whole_log_newest_first(qtmodeltester, supervisor, busy_log):
    calls = []

    def load(cursor):
        calls.append(cursor)
        return audit_page(cursor, 7, viewer_id=supervisor, newest_first=True)

    model = AuditLogTableModel(load, HALIFAX, page_size=7)
    assert model.rowCount() == 0 and model.canFetchMore(QModelIndex())
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    qtmodeltester.check(model)

    everything = newest_first_ids()
    assert model.rowCount() == len(everything) > 7
    assert [model.index(row, 0).data(AUDIT_ID_ROLE) for row in range(model.rowCount())] == everything
    assert len(calls) == len(everything) // 7 + 1
    assert calls[0] is None
    # The newest row is the last case logged, and the About column names it by number.
    top = model.index(0, 0).data()
    assert top == f"Case {busy_log[-1]}"
    # Stored column names and UTC instants read as words and desk time.
    rows = [[model.index(row, column).data() for column in range(model.columnCount())]
            for row in range(model.rowCount())]
    due = next(row for row in rows if row[4] == "Acknowledge due")
    assert due[6].endswith(" AST") and due[6].startswith("Wed 25 Nov 2026 ")


def test_the_view_shows_the_newest_rows_and_filters_by_what_changed(qtbot, supervisor, busy_log, services,
                                                                    member):
    services.team.add_member(member.id, "zoe", "Zoe Agent")
    view = AuditLogView(supervisor, HALIFAX)
    qtbot.addWidget(view)
    view.resize(1100, 500)
    view.show()
    view.refresh()

    first_page = min(200, len(newest_first_ids()))
    assert view.model.rowCount() == first_page
    assert view.model.index(0, 0).data().startswith("Team member #")
    assert view.model.index(0, 3).data() == "Member added"

    view.entity_filter.setCurrentIndex(view.entity_filter.findData("case"))

    about = {view.model.index(row, 0).data() for row in range(view.model.rowCount())}
    assert about == {f"Case {number}" for number in busy_log}


def test_the_supervisor_view_has_the_audit_log_tab(qtbot, make_window, services, clock, supervisor, busy_log):
    from desktop_helpdesk.ui.context import UiContext
    from desktop_helpdesk.ui.supervisor import install

    window = make_window(UiContext.for_member(services, clock, services.team.get_member(supervisor)))
    install(window)
    view = window.findChild(AuditLogView, "auditLogView")
    assert view is not None and view.model.rowCount() == 0

    tabs = view.parentWidget()
    while tabs is not None and tabs.objectName() != "supervisorTabs":
        tabs = tabs.parentWidget()
    tabs.setCurrentWidget(view)

    # The page is read on the window's pool: the tab shows at once, its rows follow.
    assert view.model.rowCount() == 0 and view.model.fetching
    qtbot.waitUntil(lambda: view.model.rowCount() > 0)
    assert view.model.index(0, 0).data() == f"Case {busy_log[-1]}"
    assert view.model.rowCount() == len(newest_first_ids()) and not view.model.fetching


def test_the_chain_bar_verifies_shows_the_state_and_exports_an_anchor(
        qtbot, make_window, services, clock, supervisor, busy_log, tmp_path, monkeypatch):
    import json

    from desktop_helpdesk.ui.context import UiContext
    from desktop_helpdesk.ui.supervisor import install
    from desktop_helpdesk.ui.supervisor.audit_chain_bar import AuditChainBar

    window = make_window(UiContext.for_member(services, clock, services.team.get_member(supervisor)))
    install(window)
    bar = window.findChild(AuditChainBar, "auditChainBar")
    qtbot.waitUntil(lambda: not window.pool.busy)
    assert bar.state_label.text() == "Audit chain: not verified yet"

    rows = AuditRecord.select().count()
    with qtbot.waitSignal(bar.verified) as outcome:
        bar.verify_button.click()
    assert outcome.args == [True]
    assert f"OK: {rows} audit rows" in bar.state_label.text()
    assert "verified 2026-11-25" in bar.state_label.text()

    anchor = tmp_path / "anchor.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args: (str(anchor), ""))
    with qtbot.waitSignal(bar.verified):
        bar.anchor_button.click()
    assert json.loads(anchor.read_text())["rows"] == rows
    assert f"anchor saved to {anchor}" in bar.state_label.text()

    # A broken chain is shown in words, with the row.
    from desktop_helpdesk.storage.db import database

    database.execute_sql("DROP TRIGGER audit_no_update")
    database.execute_sql("UPDATE audit SET reason = 'x' WHERE id = 3")
    with qtbot.waitSignal(bar.verified) as outcome:
        bar.verify_button.click()
    assert outcome.args == [False]
    assert "BROKEN: row 3" in bar.state_label.text()


def test_the_team_log_shows_labels_and_desk_time_not_stored_values(supervisor, busy_log, services,
                                                                  member, clock):
    from desktop_helpdesk.storage.records import CaseRecord

    case = CaseRecord.get(CaseRecord.number == busy_log[0])
    clock.advance(timedelta(minutes=3))
    services.cases.wait_on_client(member.id, case.id, reason="needs a screenshot")
    model = AuditLogTableModel(lambda cursor: audit_page(cursor, 500, viewer_id=supervisor, newest_first=True),
                               HALIFAX, page_size=500)
    model.fetchMore(QModelIndex())
    rows = [[model.index(row, column).data() for column in range(model.columnCount())]
            for row in range(model.rowCount())]
    cells = {str(cell) for row in rows for cell in row}
    assert model.headerData(1, Qt.Orientation.Horizontal) == "When (Halifax)"
    assert "Waiting on client" in cells and "waiting_on_client" not in cells
    assert "Medium" in cells and "medium" not in cells
    assert not any(cell.startswith("2026-11-2") and "T" in cell for cell in cells)
    # Desk time (the clock started at 09:00 in Halifax, 13:00 UTC).
    assert rows[0][1] == "Wed 25 Nov 2026 09:15:00"
