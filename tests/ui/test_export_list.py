""""Export list…" in the real window: the list's queue or search, its visible columns, to CSV/XLSX."""

import csv

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QToolBar

from desktop_helpdesk.domain.calendar import DESK_ZONE
from desktop_helpdesk.services.case_queries import Queue
from desktop_helpdesk.services.contacts import NewContact
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.models.case_table_model import HEADERS, CaseColumn
from tests.ui.conftest import OFFSCREEN_NOISE, log_case

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)

# The list's "Next SLA due" column (target and time left in words) becomes three export columns.
SLA_HEADERS = ["Next target", "Next SLA due", "Business hours left"]


class PathChooser:
    """Stands in for the save-file dialog: answers with a fixed path and remembers the offer."""

    def __init__(self, path):
        self.path = path
        self.suggested = []

    def __call__(self, suggested):
        self.suggested.append(suggested)
        return str(self.path)


@pytest.fixture
def alex(services, member):
    return services.team.add_member(member.id, "alex", "Alex Agent")


@pytest.fixture
def cases(ui, alex):
    """Two cases of Dana's and one of Alex's (client Zeta Corp)."""
    first = log_case(ui, "Printer offline")
    second = log_case(ui, "VPN drops every hour")
    other = log_case(ui, "Timesheet export", caller=NewContact(
        name="Ivan Other", email="ivan@zeta.example", client_name="Zeta Corp"))
    for case in (first, second):
        ui.services.cases.reassign(ui.member_id, case.id, ui.member_id, reason="Dana's")
    ui.services.cases.reassign(ui.member_id, other.id, alex.id, reason="Alex knows Zeta")
    return first, second, other


def _visible_headers(window):
    """The case table's visible column titles, in the order shown, SLA column expanded."""
    header = window.table.horizontalHeader()
    shown = sorted((header.visualIndex(c), c) for c in CaseColumn if not header.isSectionHidden(c))
    titles = []
    for _position, column in shown:
        titles.extend(SLA_HEADERS if column is CaseColumn.NEXT_DUE else [HEADERS[column]])
    return titles


def _reload(qtbot, window):
    with qtbot.waitSignal(window.list_loaded, timeout=5000):
        window.reload_list()


def _export_with_keyboard(qtbot, window):
    with qtbot.waitSignal(window.exporter.finished, timeout=15000) as finished:
        qtbot.keyClick(window.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    window.exporter.runner.wait()
    return finished.args[0]


def _read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        header, *rows = csv.reader(handle)
    return header, rows


def test_ctrl_e_exports_my_cases_with_the_visible_columns_to_csv(qtbot, make_window, tmp_path, cases):
    first, second, _other = cases
    chooser = PathChooser(tmp_path / "mine.csv")
    window = make_window(choose_export_path=chooser)
    _reload(qtbot, window)
    assert window.current_filter().queue is Queue.MY_CASES
    assert sorted(window.model.ids()) == sorted([first.id, second.id])
    toolbar_names = [a.objectName() for a in window.findChild(QToolBar, "mainToolBar").actions()]
    assert toolbar_names.index("actionExportList") == toolbar_names.index("actionRefresh") - 1

    path = _export_with_keyboard(qtbot, window)

    assert str(path) == str(chooser.path)
    assert chooser.suggested == ["cases-my_cases.xlsx"]
    header, rows = _read_csv(path)
    # My cases hides the assignee; the SLA column is shown right after the subject.
    assert header == _visible_headers(window)
    assert header == ["Case", "Client", "Subject", *SLA_HEADERS, "Priority", "Status", "Received"]
    assert sorted(row[0] for row in rows) == sorted([first.number, second.number])
    assert {row[2] for row in rows} == {"Printer offline", "VPN drops every hour"}
    assert window.statusBar().currentMessage() == f"Exported 2 cases to {chooser.path}"
    assert window.action_export.isEnabled()


def test_search_exports_its_matches_to_xlsx_with_the_columns_left_visible(qtbot, make_window, tmp_path, cases):
    _first, _second, other = cases
    chooser = PathChooser(tmp_path / "zeta.xlsx")
    window = make_window(choose_export_path=chooser)
    with qtbot.waitSignal(window.list_loaded, timeout=5000):
        qtbot.keyClicks(window.queue_panel.search, "zeta")
    assert window.model.ids() == [other.id]
    window.table.setColumnHidden(CaseColumn.RECEIVED, True)

    path = _export_with_keyboard(qtbot, window)

    book = load_workbook(path, read_only=True)  # read-only keeps the file open until close()
    values = [list(row) for row in book.active.iter_rows(values_only=True)]
    book.close()
    header_at = next(i for i, row in enumerate(values) if row and row[0] == "Case")
    header, rows = values[header_at], values[header_at + 1:]
    # A search spans every member's cases, so the assignee is shown (and exported).
    assert header == _visible_headers(window)
    assert header == ["Case", "Client", "Subject", *SLA_HEADERS, "Priority", "Status", "Assignee"]
    assert [row[0] for row in rows] == [other.number]
    assert rows[0][1] == "Zeta Corp" and rows[0][-1] == "Alex Agent"
    assert any(row[:2] == ("Search", "zeta") for row in map(tuple, values[:header_at]))
    assert chooser.suggested == ["cases-search.xlsx"]
    assert window.statusBar().currentMessage() == f"Exported 1 case to {chooser.path}"


def test_an_agent_exports_their_own_queue(qtbot, make_window, services, clock, tmp_path, cases, alex):
    *_mine, other = cases
    chooser = PathChooser(tmp_path / "alex.csv")
    window = make_window(UiContext.for_member(services, clock, alex), choose_export_path=chooser)
    _reload(qtbot, window)
    assert window.model.ids() == [other.id]

    with qtbot.waitSignal(window.exporter.finished, timeout=15000):
        window.action_export.trigger()
    window.exporter.runner.wait()

    header, rows = _read_csv(chooser.path)
    assert header == _visible_headers(window)
    assert [row[0] for row in rows] == [other.number]


def test_a_failed_export_is_a_message_not_a_traceback(qtbot, make_window, tmp_path, cases):
    chooser = PathChooser(tmp_path / "no such folder" / "mine.csv")
    window = make_window(choose_export_path=chooser)

    with qtbot.waitSignal(window.exporter.failed, timeout=15000):
        window.action_export.trigger()
    window.exporter.runner.wait()

    box = window.findChild(QMessageBox, "exportFailedMessage")
    assert box is not None and box.isVisible()
    assert "no such folder" in box.text() and "does not exist" in box.text()
    assert "Traceback" not in box.text()
    assert not chooser.path.exists()
    assert window.action_export.isEnabled()
    box.close()


def test_choosing_no_file_exports_nothing(qtbot, make_window, cases):
    offered = []
    window = make_window(choose_export_path=lambda suggested: offered.append(suggested) or "")
    assert not window.export_list()
    assert offered and not window.exporter.runner.busy
    assert window.action_export.isEnabled()


def test_the_file_lists_cases_in_the_order_the_list_shows(qtbot, make_window, tmp_path, cases):
    first, second, _other = cases
    chooser = PathChooser(tmp_path / "ordered.csv")
    window = make_window(choose_export_path=chooser)
    _reload(qtbot, window)
    with qtbot.waitSignal(window.list_loaded, timeout=5000):
        window.table.sortByColumn(CaseColumn.NUMBER, Qt.SortOrder.DescendingOrder)
    assert window.model.ids() == [second.id, first.id]

    path = _export_with_keyboard(qtbot, window)

    _header, rows = _read_csv(path)
    assert [row[0] for row in rows] == [second.number, first.number]


def test_the_last_contact_column_shown_from_the_header_menu_is_listed_and_exported(
        qtbot, make_window, tmp_path, cases):
    first, second, _other = cases
    chooser = PathChooser(tmp_path / "contact.xlsx")
    window = make_window(choose_export_path=chooser)
    _reload(qtbot, window)
    header = window.table.horizontalHeader()
    assert header.isSectionHidden(CaseColumn.LAST_CONTACT)  # off until asked for
    toggle = window.column_menu().findChild(QAction, "showColumnLast_Contact")
    assert toggle.text() == "Last contact" and not toggle.isChecked()
    toggle.trigger()
    assert not header.isSectionHidden(CaseColumn.LAST_CONTACT)
    row = window.model.row_of(first.id)
    qtbot.waitUntil(lambda: window.model.index(row, CaseColumn.LAST_CONTACT).data() != "…")
    received_at = window.model.cached_row(first.id).received_at
    # Logging records the client's first email: the case's last contact until someone replies.
    assert window.model.cached_row(first.id).last_contact_at == received_at
    shown = received_at.astimezone(DESK_ZONE).strftime("%d %b %H:%M")
    assert window.model.index(row, CaseColumn.LAST_CONTACT).data() == shown

    path = _export_with_keyboard(qtbot, window)

    book = load_workbook(path, read_only=True)
    values = [list(r) for r in book.active.iter_rows(values_only=True)]
    book.close()
    header_at = next(i for i, r in enumerate(values) if r and r[0] == "Case")
    titles, rows = values[header_at], values[header_at + 1:]
    assert titles == _visible_headers(window) and titles[-1] == "Last contact"
    exported = {r[0]: r[-1] for r in rows}
    local = received_at.astimezone(DESK_ZONE).replace(tzinfo=None, second=0,
                                                                   microsecond=0)
    assert exported[first.number].replace(second=0, microsecond=0) == local  # a date-time cell
    assert set(exported) == {first.number, second.number}
