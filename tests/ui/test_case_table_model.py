"""The case list model: qtmodeltester, paging into a bounded cache, and a tick with no SQL."""

from datetime import timedelta

from PySide6.QtCore import QModelRoleData, QModelRoleDataSpan, Qt
from PySide6.QtWidgets import QTableView

from desktop_helpdesk.domain.sla import ClockState
from desktop_helpdesk.services.case_queries import CaseFilter, Queue
from desktop_helpdesk.ui.models.case_table_model import (
    LOADING_TEXT,
    CaseColumn,
    CaseTableModel,
    PageRead,
)
from desktop_helpdesk.ui.models.roles import (
    CASE_ID_ROLE,
    CASE_IDS_MIME,
    CASE_ROW_ROLE,
    SLA_STATE_ROLE,
    decode_case_ids,
)
from tests.ui.conftest import log_case


def _model(ui, ids, **kwargs):
    model = CaseTableModel(ui.queries.rows, ui.sla_reader(), ui.clock.now(), ui.desk_zone, **kwargs)
    model.set_ids(ids)
    return model


def test_model_passes_qtmodeltester(qtmodeltester, ui):
    ids = [log_case(ui, f"Case {n}").id for n in range(5)]
    model = _model(ui, ids)
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 5
    assert model.data(model.index(0, CaseColumn.SUBJECT)) == "Case 0"
    assert model.data(model.index(2, 0), CASE_ID_ROLE) == ids[2]


def test_rows_load_by_page_into_a_bounded_cache(ui):
    ids = [log_case(ui, f"Case {n}").id for n in range(12)]
    model = _model(ui, ids, page_size=4, cache_size=8)
    pages = []
    model.page_loaded.connect(pages.append)

    model.data(model.index(5, CaseColumn.NUMBER))
    assert pages == [4]
    model.data(model.index(6, CaseColumn.NUMBER))
    assert pages == [4]  # same page, served from the cache
    for row in range(12):
        model.data(model.index(row, CaseColumn.NUMBER))
    assert model.cached_count() <= 8


def test_tick_runs_no_sql_and_turns_the_row_overdue(ui, count_queries):
    case = log_case(ui, "Slow reports")  # email at 09:00: acknowledge due 11:00
    model = _model(ui, [case.id])
    assert model.data(model.index(0, CaseColumn.NEXT_DUE), SLA_STATE_ROLE) == ClockState.ON_TRACK
    changed = []
    model.dataChanged.connect(lambda first, last, roles: changed.append((first.row(), last.row())))

    ui.clock.advance(timedelta(hours=2, minutes=5))
    before = count_queries.count
    recomputed = model.on_ticked(ui.clock.now(), 0, 0)

    assert count_queries.count == before, "a tick must not touch the database"
    assert recomputed == 1
    assert changed == [(0, 0)]
    cell = model.index(0, CaseColumn.NEXT_DUE)
    assert model.data(cell, SLA_STATE_ROLE) == ClockState.BREACHED
    assert model.data(cell) == "Overdue · Ack 5m late"
    assert model.data(model.index(0, CaseColumn.SUBJECT), Qt.ItemDataRole.BackgroundRole) is not None


def test_tick_skips_rows_never_loaded(ui, count_queries):
    ids = [log_case(ui, f"Case {n}").id for n in range(3)]
    model = _model(ui, ids)
    before = count_queries.count
    assert model.on_ticked(ui.clock.now(), 0, 2) == 0
    assert count_queries.count == before


def test_sort_is_requested_not_done_in_python(ui, qtbot):
    model = _model(ui, [log_case(ui).id])
    with qtbot.waitSignal(model.sort_requested) as blocker:
        model.sort(CaseColumn.CLIENT, Qt.SortOrder.DescendingOrder)
    assert blocker.args == [CaseColumn.CLIENT, True]


def test_evict_reloads_changed_rows(ui):
    case = log_case(ui, "Old subject")
    model = _model(ui, [case.id])
    assert model.data(model.index(0, CaseColumn.SUBJECT)) == "Old subject"
    detail = ui.services.cases.get_case(case.id)
    ui.services.cases.edit_case(ui.member_id, case.id, expected_version=detail.version, subject="New subject")
    assert model.data(model.index(0, CaseColumn.SUBJECT)) == "Old subject"  # cached
    model.evict([case.id])
    assert model.data(model.index(0, CaseColumn.SUBJECT)) == "New subject"


def test_drag_carries_case_ids(ui):
    ids = [log_case(ui, f"Case {n}").id for n in range(2)]
    model = _model(ui, ids)
    data = model.mimeData([model.index(0, 0), model.index(0, 1), model.index(1, 0)])
    assert bytes(data.data(CASE_IDS_MIME)).decode() == f"{ids[0]},{ids[1]}"
    # The supervisor's team table reads the same format (one definition in roles.py).
    assert decode_case_ids(data) == ids


def test_model_over_queue_ids(ui):
    log_case(ui, "Mine")
    ids = ui.queries.ids(CaseFilter(Queue.MY_CASES, member_id=ui.member_id), now=ui.clock.now())
    assert len(_model(ui, ids).ids()) == 1


def test_background_paging_shows_dots_then_the_row(qtbot, ui, qtmodeltester):
    from desktop_helpdesk.ui.workers import WorkerPool

    pool = WorkerPool()
    ids = [log_case(ui, f"Case {n}").id for n in range(3)]

    def fetch(page_ids, done):
        pool.submit(ui.queries.rows, page_ids, on_finished=done)

    model = _model(ui, ids, fetch_rows=fetch)
    with qtbot.waitSignal(model.dataChanged):
        assert model.data(model.index(1, CaseColumn.SUBJECT)) == "…"  # asks for the page
    assert model.data(model.index(1, CaseColumn.SUBJECT)) == "Case 1"
    qtmodeltester.check(model, force_py=True)
    pool.wait()


def test_a_tick_after_rows_came_again_repaints_only_what_changed(ui):
    ids = [log_case(ui, f"Case {n}").id for n in range(3)]  # acknowledge due 11:00
    model = _model(ui, ids)
    for row in range(3):
        model.data(model.index(row, CaseColumn.NEXT_DUE))
    ui.clock.advance(timedelta(seconds=10))
    model.on_ticked(ui.clock.now(), 0, 2)  # 1h 59m left
    # A reload brings the rows again, read a moment later (the 30-second refresh).
    model.store_page(PageRead(ui.queries.rows(ids), reader=model.sla_reader,
                              now=ui.clock.now() + timedelta(milliseconds=300)))
    changed = []
    model.dataChanged.connect(lambda first, last, roles: changed.append((first.row(), last.row())))

    ui.clock.advance(timedelta(seconds=1))
    model.on_ticked(ui.clock.now(), 0, 2)
    assert changed == []
    assert model.data(model.index(0, CaseColumn.NEXT_DUE)) == "On track · Ack 1h 59m left"


def test_multi_data_answers_every_role_as_data_does_in_one_call(ui):
    """A view asks for a cell's roles together (``multiData``); the answers must be the ones
    ``data`` gives role by role, for a loaded row, a High overdue one and one still loading."""
    overdue = log_case(ui, "Server down", priority="high")
    ui.clock.advance(timedelta(hours=5))
    quiet = log_case(ui, "Password reset")
    waiting = log_case(ui, "Not loaded yet")
    requested = []
    model = _model(ui, [overdue.id, quiet.id, waiting.id], page_size=2,
                   fetch_rows=lambda ids, arrived: requested.append(ids))
    model.store_page(PageRead(ui.queries.rows([overdue.id, quiet.id])))
    roles = [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.BackgroundRole,
             Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole, Qt.ItemDataRole.ToolTipRole,
             Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.TextAlignmentRole, CASE_ID_ROLE, CASE_ROW_ROLE,
             SLA_STATE_ROLE]
    answered = 0
    for row in range(3):
        for column in CaseColumn:
            index = model.index(row, column)
            for role in roles:
                role_data = QModelRoleData(role)
                model.multiData(index, QModelRoleDataSpan(role_data))
                assert role_data.data() == model.data(index, role), (row, column.name, role)
                answered += role_data.data() is not None
    # The rows said what they are: overdue High in red, the third one loading.
    assert model.data(model.index(0, CaseColumn.NEXT_DUE), SLA_STATE_ROLE) == ClockState.BREACHED
    assert model.data(model.index(2, CaseColumn.SUBJECT)) == LOADING_TEXT
    assert requested == [[waiting.id]]
    assert answered > 3 * len(CaseColumn)


def test_painting_the_list_asks_each_cell_once_not_once_a_role(ui, qtbot):
    """Each Python call from Qt's C++ takes the interpreter's lock (and waits for it while a
    worker thread reads): a painted cell costs one call (``multiData``), not one a role."""
    calls = {"data": 0, "multiData": 0}

    class CountingModel(CaseTableModel):
        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            calls["data"] += 1
            return super().data(index, role)

        def multiData(self, index, roles):  # noqa: N802 - Qt override
            calls["multiData"] += 1
            return super().multiData(index, roles)

    ids = [log_case(ui, f"Case {n}").id for n in range(4)]
    model = CountingModel(ui.queries.rows, ui.sla_reader(), ui.clock.now(), ui.desk_zone)
    model.set_ids(ids)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(900, 300)
    view.show()
    qtbot.waitExposed(view)
    calls.update(data=0, multiData=0)
    view.viewport().grab()
    shown_columns = sum(not view.isColumnHidden(column) and view.columnViewportPosition(column) < 900
                        for column in CaseColumn)
    assert calls["multiData"] >= 4 * shown_columns
    assert calls["data"] == 0
