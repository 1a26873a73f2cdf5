"""The Supervisor view: live team queue review, reassignment, report charts and exports."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_helpdesk.services.case_queries import CaseColumn, CaseFilter, Queue
from desktop_helpdesk.services.reporting.case_list_export import case_list_pack
from desktop_helpdesk.services.reporting.packs import (
    ReportKind,
    backlog_chart,
    build_report_pack,
    compliance_trend_chart,
    trend_grouping,
    workload_chart,
)
from desktop_helpdesk.services.reporting.periods import DateRange, Grouping, ReportFilter
from desktop_helpdesk.services.reporting.service import ReportService
from desktop_helpdesk.services.reporting.workload import WorkloadSnapshot
from desktop_helpdesk.services.reporting.writers import ExportFormat
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.form_fields import combo_box, dialog_buttons, line_field
from desktop_helpdesk.ui.models.roles import CASE_IDS_MIME, MEMBER_ID_ROLE, decode_case_ids
from desktop_helpdesk.ui.supervisor.audit_chain_bar import AuditChainBar
from desktop_helpdesk.ui.supervisor.audit_log_view import AuditLogView
from desktop_helpdesk.ui.supervisor.charts import ChartWidget
from desktop_helpdesk.ui.supervisor.export_runner import ExportRunner
from desktop_helpdesk.ui.supervisor.models import (
    MemberCasesModel,
    ReportTableModel,
    TeamColumn,
    TeamTableModel,
)
from desktop_helpdesk.ui.workers import WorkerPool

log = logging.getLogger(__name__)

MEMBER_CASE_LIMIT = 500  # the queue review lists a member's open cases; the main list pages the rest
ReasonPrompt = Callable[[str, str], str | None]

REPORT_KIND_LABELS = {
    ReportKind.SLA: "SLA performance",
    ReportKind.WORKLOAD: "Team workload",
    ReportKind.CLIENTS: "Client summary",
    ReportKind.BACKLOG: "Backlog and intake",
    ReportKind.CASES: "Open cases (list)",
}
GROUPING_CHOICES = (Grouping.PRIORITY, Grouping.MEMBER, Grouping.CLIENT, Grouping.CHANNEL,
                    Grouping.CATEGORY,
                    Grouping.DAY, Grouping.WEEK, Grouping.MONTH, Grouping.NONE)


TABLE_CHOICES = {
    "sla": "SLA compliance",
    "times": "Time to meet targets",
    "waiting": "Waiting on others",
    "channels": "Cases per channel",
    "clients": "Client summary",
}
GROUPED_TABLES = frozenset({"sla", "times", "channels"})


def _report_table(reports: ReportService, kind: str, report_filter: ReportFilter,
                  grouping: Grouping):
    """The table the Reports tab shows (computed in a worker)."""
    if kind == "times":
        return reports.sla_times(report_filter, grouping).table()
    if kind == "waiting":
        return reports.waiting_on_others(report_filter).table()
    if kind == "channels":
        return reports.cases_per_channel(report_filter, grouping).table()
    if kind == "clients":
        return reports.client_summary(report_filter).table()
    return reports.sla_compliance(report_filter, grouping).table()


def _ask_reason_with_dialog(parent: QWidget) -> ReasonPrompt:
    def ask(title: str, prompt: str) -> str | None:
        text, accepted = QInputDialog.getText(parent, title, prompt)
        return text.strip() if accepted and text.strip() else None
    return ask


_TEAM_ROWS_SHOWN = 12


class UnassignedDropLabel(QLabel):
    """The "Unassigned: N" badge, which also takes cases dropped on it (back to Unassigned).

    Signals:
        cases_dropped(list): case ids dropped on it.
    """

    cases_dropped = Signal(list)

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setAcceptDrops(True)
        self.setToolTip("Drop cases here to put them back in the Unassigned queue")

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasFormat(CASE_IDS_MIME):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        case_ids = decode_case_ids(event.mimeData())
        if case_ids:
            event.acceptProposedAction()
            self.cases_dropped.emit(case_ids)


class ReassignDialog(QDialog):
    """Pick the member (or Unassigned) and give the reason for a reassignment."""

    def __init__(self, members: list[tuple[int | None, str]], count: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reassignDialog")
        self.setWindowTitle("Reassign cases")
        self._member = combo_box(self, "reassignMember", ((name, member_id) for member_id, name in members))
        self._reason = line_field(self, "reassignReason", "Why (kept in the audit log)")
        form = QFormLayout(self)
        form.addRow(QLabel(f"Move {count} selected case{'s' if count != 1 else ''} to:"))
        form.addRow("Team member", self._member)
        form.addRow("Reason", self._reason)
        buttons = dialog_buttons(self)
        self._ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self._ok.setEnabled(False)
        self._reason.textChanged.connect(lambda text: self._ok.setEnabled(bool(text.strip())))
        form.addRow(buttons)

    def choice(self) -> tuple[int | None, str]:
        return self._member.currentData(), self._reason.text().strip()


class SupervisorView(QWidget):
    """Queue review per member (live), reassignment incl. drag and drop, reports and exports.

    Numbers follow the case list's timer discipline: ``on_ticked`` recounts from memory (no
    SQL) and ``refresh`` reloads open cases in a worker.

    Signals:
        workload_loaded(): a refreshed snapshot is shown.
        reports_loaded(): the report panels show fresh figures.
        reassigned(int): cases were reassigned (their count).
        message_changed(str): a sentence shown to the supervisor.
    """

    workload_loaded = Signal()
    reports_loaded = Signal()
    member_cases_loaded = Signal()
    reassigned = Signal(int)
    message_changed = Signal(str)

    def __init__(self, ui: UiContext, pool: WorkerPool, parent: QWidget | None = None, *,
                 ask_reason: ReasonPrompt | None = None,
                 choose_save_path: Callable[[str, str], str] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("supervisorView")
        self._ui = ui
        self._pool = pool
        context = ui.services.context
        # Raises PermissionDenied for agents: the view cannot be built without the role.
        self._reports = ReportService(context, viewer_id=ui.member_id)
        self._zone = context.calendar.zone
        self._ask_reason = ask_reason or _ask_reason_with_dialog(self)
        self._choose_save_path = choose_save_path or self._save_path_dialog
        self._selected_member: int | None = None
        self._has_selection = False
        self._member_names: dict[int | None, str] = {}
        self._case_takers: set[int] = set()
        self._workload_generation = 0
        self._member_cases_generation = 0
        self._reports_generation = 0
        self.exporter = ExportRunner(self)
        self.exporter.export_finished.connect(
            lambda path: self._say(f"Exported to {path}"))
        self.exporter.export_failed.connect(lambda text: self._say(f"Export failed: {text}"))
        self.exporter.export_cancelled.connect(lambda: self._say("Export cancelled"))

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("supervisorTabs")
        self.tabs.addTab(self._build_queue_review(), "Queue review")
        self.tabs.addTab(self._build_reports(), "Reports")
        chain_bar = AuditChainBar(context, ui.member_id, self._zone, pool)
        self.audit_log = AuditLogView(ui.member_id, self._zone, self, chain_bar=chain_bar, pool=pool)
        chain_bar.load()
        self.tabs.addTab(self.audit_log, "Audit log")
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self._message = QLabel(self)
        self._message.setObjectName("supervisorMessage")
        self._message.setStyleSheet("color: #1f4e79;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.tabs)
        layout.addWidget(self._message)

    # ------------------------------------------------------------------ building the panels
    def _build_queue_review(self) -> QWidget:
        page = QWidget(self)
        self._oldest_label = QLabel("Oldest waiting acknowledgement: none", page)
        self._oldest_label.setObjectName("oldestAcknowledgementLabel")
        # Also a drop target that never scrolls away (the Unassigned row is the team table's last).
        self._unassigned_label = UnassignedDropLabel("Unassigned: 0", page)
        self._unassigned_label.cases_dropped.connect(
            lambda case_ids: self._on_team_model_cases_dropped(case_ids, None))
        self._unassigned_label.setObjectName("unassignedLabel")
        for label in (self._oldest_label, self._unassigned_label):
            label.setStyleSheet("font-weight: 600; padding: 4px 8px; background: #f3f6f9;"
                                " border: 1px solid #d7dee6; border-radius: 4px;")
        summary = QHBoxLayout()
        summary.addWidget(self._oldest_label)
        summary.addWidget(self._unassigned_label)
        summary.addStretch(1)

        self.team_model = TeamTableModel(self)
        self.team_model.cases_dropped.connect(self._on_team_model_cases_dropped)
        self.team_model.summary_changed.connect(self._on_team_model_summary_changed)
        self.team_model.modelReset.connect(self._update_unassigned_label)
        self.team_model.modelReset.connect(self._fit_team_table)
        self.team_model.dataChanged.connect(self._update_unassigned_label)
        self.team_table = QTableView(page)
        self.team_table.setObjectName("teamTable")
        self.team_table.setAccessibleName("Team workload")
        self.team_table.setModel(self.team_model)
        self.team_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.team_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.team_table.setAcceptDrops(True)
        self.team_table.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.team_table.setDropIndicatorShown(True)
        self.team_table.verticalHeader().hide()
        self.team_table.setAlternatingRowColors(True)
        header = self.team_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(TeamColumn.MEMBER, QHeaderView.ResizeMode.ResizeToContents)
        header.setMinimumSectionSize(70)
        self.team_table.selectionModel().currentRowChanged.connect(
            self._on_team_table_current_row_changed)

        self.member_cases_model = MemberCasesModel(self._zone, self)
        self.member_cases = QTableView(page)
        self.member_cases.setObjectName("memberCasesTable")
        self.member_cases.setAccessibleName("Open cases of the selected member")
        self.member_cases.setModel(self.member_cases_model)
        self.member_cases.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.member_cases.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.member_cases.setDragEnabled(True)
        self.member_cases.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.member_cases.verticalHeader().hide()
        self.member_cases.setAlternatingRowColors(True)
        cases_header = self.member_cases.horizontalHeader()
        cases_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        cases_header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self._cases_title = QLabel("Select a team member to see their open cases; drag cases "
                                   "onto a member to reassign them.", page)
        self._cases_title.setObjectName("memberCasesTitle")

        self.reassign_button = QPushButton("&Reassign selected\u2026", page)
        self.reassign_button.setObjectName("reassignButton")
        self.reassign_button.clicked.connect(self._on_reassign_button_clicked)
        self.mark_away_button = QPushButton("Mark &away and redistribute\u2026", page)
        self.mark_away_button.setObjectName("markAwayButton")
        self.mark_away_button.clicked.connect(self._on_mark_away_button_clicked)
        self.mark_available_button = QPushButton("Mark a&vailable", page)
        self.mark_available_button.setObjectName("markAvailableButton")
        self.mark_available_button.clicked.connect(self._on_mark_available_button_clicked)
        actions = QHBoxLayout()
        actions.addWidget(self.reassign_button)
        actions.addStretch(1)
        actions.addWidget(self.mark_available_button)
        actions.addWidget(self.mark_away_button)

        lower = QWidget(page)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self._cases_title)
        lower_layout.addWidget(self.member_cases)
        lower_layout.addLayout(actions)
        splitter = QSplitter(Qt.Orientation.Vertical, page)
        splitter.addWidget(self.team_table)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(page)
        layout.addLayout(summary)
        layout.addWidget(splitter)
        return page

    def _build_reports(self) -> QWidget:
        page = QWidget(self)
        today = self._today()
        self.date_from = QDateEdit(QDate(today.year, today.month, 1), page)
        self.date_from.setObjectName("reportFrom")
        self.date_to = QDateEdit(QDate(today.year, today.month, today.day), page)
        self.date_to.setObjectName("reportTo")
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.grouping = combo_box(page, "reportGrouping", ((g.label, g.value) for g in GROUPING_CHOICES))
        self.table_kind = combo_box(
            page, "reportTableKind", ((label, key) for key, label in TABLE_CHOICES.items()))
        self.refresh_button = QPushButton("Re&fresh", page)
        self.refresh_button.setObjectName("refreshReportsButton")
        self.refresh_button.clicked.connect(self.refresh_reports)
        self.table_kind.currentIndexChanged.connect(self._on_report_choice_changed)
        self.grouping.currentIndexChanged.connect(self._on_report_choice_changed)
        self.export_kind = combo_box(
            page, "exportReportKind", ((label, kind.value) for kind, label in REPORT_KIND_LABELS.items()))
        self.export_format = combo_box(page, "exportFormat", (
            (f.value.upper(), f.value) for f in (ExportFormat.PDF, ExportFormat.XLSX, ExportFormat.CSV)))
        self.export_button = QPushButton("E&xport\u2026", page)
        self.export_button.setObjectName("exportButton")
        self.export_button.clicked.connect(self._on_export_button_clicked)
        filters = QHBoxLayout()
        for text, widget in (("From", self.date_from), ("To", self.date_to),
                             ("Table", self.table_kind), ("Group by", self.grouping)):
            label = QLabel(text, page)
            label.setBuddy(widget)
            filters.addWidget(label)
            filters.addWidget(widget)
        filters.addWidget(self.refresh_button)
        filters.addStretch(1)
        filters.addWidget(QLabel("Export", page))
        filters.addWidget(self.export_kind)
        filters.addWidget(self.export_format)
        filters.addWidget(self.export_button)

        self.compliance_chart = ChartWidget("complianceChart", page)
        self.backlog_chart = ChartWidget("backlogChart", page)
        self.workload_chart = ChartWidget("workloadChart", page)
        charts = QGridLayout()
        charts.addWidget(self.compliance_chart, 0, 0, 1, 2)
        charts.addWidget(self.backlog_chart, 1, 0)
        charts.addWidget(self.workload_chart, 1, 1)
        self.report_model = ReportTableModel(self._zone, self)
        self.report_table = QTableView(page)
        self.report_table.setObjectName("reportTable")
        self.report_table.setAccessibleName("SLA compliance table")
        self.report_table.setModel(self.report_model)
        self.report_table.verticalHeader().hide()
        self.report_table.setAlternatingRowColors(True)
        self.report_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(page)
        layout.addLayout(filters)
        layout.addLayout(charts, 3)
        layout.addWidget(self.report_table, 2)
        return page

    # ------------------------------------------------------------------ live queue review
    def on_ticked(self, now: datetime) -> None:
        """Recount due soon / overdue for the new instant; runs no query."""
        self.team_model.on_ticked(now)
        self.member_cases_model.on_ticked(now)

    def _on_tabs_current_changed(self, index: int) -> None:
        # Read when opened, so the log shows what happened up to now without a per-tick query.
        if self.tabs.widget(index) is self.audit_log:
            self.audit_log.refresh()

    def refresh(self) -> None:
        """Reload open cases and members in a worker (the 30 s refresh, or after an action);
        only the newest answer is shown (by generation), as the case list does."""
        self._workload_generation += 1
        generation = self._workload_generation
        self._pool.submit(self._reports.load_workload,
                          on_finished=lambda snapshot: self._on_workload_loaded(snapshot, generation),
                          on_failed=self._on_background_failed)

    def _on_workload_loaded(self, snapshot: WorkloadSnapshot, generation: int | None = None) -> None:
        if generation is not None and generation != self._workload_generation:
            return
        self._member_names = {m.member_id: m.name for m in snapshot.members}
        self._case_takers = {m.member_id for m in snapshot.members if m.can_take_cases}
        self._member_names[None] = "Unassigned"
        self.team_model.set_snapshot(snapshot, self._ui.clock.now())
        known = self._has_selection and self._selected_member in self._member_names
        if known:
            # Keep the supervisor on the member they were looking at, even after a reset
            # (a member added elsewhere): re-select by id, then reload their cases.
            row = self.team_model.row_of_member(self._selected_member)
            if self.team_table.currentIndex().row() != row:
                self.team_table.selectRow(row)
            else:
                self._load_member_cases(self._selected_member)
        elif self.team_model.rowCount():
            self.team_table.selectRow(0)
        self._update_unassigned_label()
        self.workload_loaded.emit()

    def _on_team_model_summary_changed(self, oldest) -> None:
        if oldest is None:
            self._oldest_label.setText("Oldest waiting acknowledgement: none")
            return
        received = oldest.received_at.astimezone(self._zone).strftime("%a %d %b %H:%M")
        self._oldest_label.setText(
            f"Oldest waiting acknowledgement: {oldest.number} (received {received}, "
            f"{oldest.waiting_hours:.1f} business h)")

    def _fit_team_table(self) -> None:
        """Tall enough for every row up to a dozen, so the Unassigned row (the last) stays in
        view on a laptop screen; the member's case table below takes the rest."""
        rows = min(self.team_model.rowCount(), _TEAM_ROWS_SHOWN)
        table = self.team_table
        height = (table.horizontalHeader().sizeHint().height()
                  + rows * table.verticalHeader().defaultSectionSize() + 2 * table.frameWidth() + 2)
        table.setFixedHeight(height)

    def _update_unassigned_label(self, *args) -> None:
        if self.team_model.rowCount():
            unassigned = self.team_model.workload(self.team_model.rowCount() - 1)
            self._unassigned_label.setText(f"Unassigned: {unassigned.open_cases}")

    def _on_team_table_current_row_changed(self, current, previous) -> None:
        if not current.isValid():
            return
        self._selected_member = current.data(MEMBER_ID_ROLE)
        self._has_selection = True
        self._load_member_cases(self._selected_member)

    def select_member(self, member_id: int | None) -> None:
        """Select a member's row (or Unassigned) and (re)load their open cases."""
        row = self.team_model.row_of_member(member_id)
        if self.team_table.currentIndex().row() == row:
            self._load_member_cases(member_id)
        else:
            self.team_table.selectRow(row)

    def _load_member_cases(self, member_id: int | None) -> None:
        queries = self._ui.queries
        now = self._ui.clock.now()
        if member_id is None:
            case_filter = CaseFilter(queue=Queue.UNASSIGNED)
        else:
            case_filter = CaseFilter(queue=Queue.MY_CASES, member_id=member_id)

        self._member_cases_generation += 1
        generation = self._member_cases_generation

        ui = self._ui

        def load():
            ids = queries.ids(case_filter, CaseColumn.NEXT_DUE, False, now)[:MEMBER_CASE_LIMIT]
            # The calendar and settings for the SLA column are read here, off the window.
            return member_id, queries.rows(ids), generation, ui.sla_reader()

        self._pool.submit(load, on_finished=self._on_member_cases_loaded,
                          on_failed=self._on_background_failed)

    def _on_member_cases_loaded(self, result) -> None:
        member_id, rows, generation, reader = result
        if member_id != self._selected_member or generation != self._member_cases_generation:
            return  # the selection moved on (or a newer load started) while this loaded
        name = self._member_names.get(member_id, "Unassigned")
        self._cases_title.setText(f"Open cases of {name} ({len(rows)}) \u2014 select and drag "
                                  "onto a team member to reassign")
        self.member_cases_model.set_rows(rows, reader, self._ui.clock.now())
        self.member_cases_loaded.emit()

    def selected_case_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.member_cases.selectionModel().selectedRows()})
        return [self.member_cases_model.case_id(r) for r in rows]

    # ------------------------------------------------------------------ actions
    def reassign_cases(self, case_ids: list[int], member_id: int | None, reason: str) -> None:
        """Reassign cases through the lifecycle service (audited) in a worker, then refresh."""
        cases = self._ui.services.cases
        actor = self._ui.member_id

        def work():
            for case_id in case_ids:
                cases.reassign(actor, case_id, member_id, reason=reason)
            return len(case_ids)

        def done(count: int) -> None:
            name = self._member_names.get(member_id, "Unassigned")
            self._say(f"Reassigned {count} case{'s' if count != 1 else ''} to {name}")
            self.reassigned.emit(count)
            self.refresh()

        self._pool.submit(work, on_finished=done, on_failed=self._on_background_failed)

    def _on_team_model_cases_dropped(self, case_ids: list[int], member_id) -> None:
        name = self._member_names.get(member_id, "Unassigned")
        if member_id is not None and member_id not in self._case_takers:
            self._say(f"{name} does not take cases; drop them on an agent or on Unassigned")
            return
        count = len(case_ids)
        reason = self._ask_reason(
            "Reassign cases", f"Reason for moving {count} case{'s' if count != 1 else ''} "
                              f"to {name}:")
        if reason:
            self.reassign_cases(case_ids, member_id, reason)

    def _on_reassign_button_clicked(self) -> None:
        case_ids = self.selected_case_ids()
        if not case_ids:
            self._say("Select one or more cases first")
            return
        # Only members who take cases: the service refuses the others.
        members = [(mid, name) for mid, name in self._member_names.items()
                   if mid is not None and mid in self._case_takers]
        dialog = ReassignDialog([*members, (None, "Unassigned")], len(case_ids), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            member_id, reason = dialog.choice()
            self.reassign_cases(case_ids, member_id, reason)

    def mark_away(self, member_id: int, reason: str, *, redistribute: bool = True) -> None:
        """Mark a member away and hand their open cases out by the assignment strategy."""
        team = self._ui.services.team
        actor = self._ui.member_id

        def work():
            return team.set_availability(actor, member_id, "away", redistribute=redistribute,
                                         reason=reason)

        def done(results) -> None:
            name = self._member_names.get(member_id, "member")
            self._say(f"{name} is away; {len(results)} open case"
                      f"{'s' if len(results) != 1 else ''} redistributed")
            self.refresh()

        self._pool.submit(work, on_finished=done, on_failed=self._on_background_failed)

    def mark_available(self, member_id: int) -> None:
        team = self._ui.services.team
        actor = self._ui.member_id
        self._pool.submit(lambda: team.set_availability(actor, member_id, "available"),
                          on_finished=lambda _: self.refresh(),
                          on_failed=self._on_background_failed)

    def _on_mark_away_button_clicked(self) -> None:
        if self._selected_member is None:
            self._say("Select a team member first")
            return
        name = self._member_names.get(self._selected_member, "")
        reason = self._ask_reason("Mark away", f"Why is {name} away? Their open cases will be "
                                               "redistributed.")
        if reason:
            self.mark_away(self._selected_member, reason)

    def _on_mark_available_button_clicked(self) -> None:
        if self._selected_member is not None:
            self.mark_available(self._selected_member)

    # ------------------------------------------------------------------ reports
    def report_filter(self) -> ReportFilter:
        start = self.date_from.date().toPython()
        end = self.date_to.date().toPython()
        if end < start:
            start, end = end, start
        return ReportFilter(DateRange(start, end))

    def set_date_range(self, start: date, end: date) -> None:
        self.date_from.setDate(QDate(start.year, start.month, start.day))
        self.date_to.setDate(QDate(end.year, end.month, end.day))

    def refresh_reports(self) -> None:
        """Compute the report panels in a worker: trend, backlog, workload and the table."""
        reports = self._reports
        report_filter = self.report_filter()
        grouping = Grouping(self.grouping.currentData())
        table_kind = self.table_kind.currentData()

        self._reports_generation += 1
        generation = self._reports_generation

        def work():
            trend = reports.sla_compliance(report_filter, trend_grouping(report_filter))
            table = _report_table(reports, table_kind, report_filter, grouping)
            return (compliance_trend_chart(trend), backlog_chart(reports.backlog(report_filter)),
                    workload_chart(reports.workload()), table)

        def loaded(result) -> None:
            # A date or report changed while this computed: the newer request's answer wins.
            if generation == self._reports_generation:
                self._on_reports_loaded(result)

        self._pool.submit(work, on_finished=loaded, on_failed=self._on_background_failed)

    def _on_report_choice_changed(self, index: int) -> None:
        uses_grouping = self.table_kind.currentData() in GROUPED_TABLES
        self.grouping.setEnabled(uses_grouping)
        self.refresh_reports()

    def _on_reports_loaded(self, result) -> None:
        compliance, backlog, workload, table = result
        self.compliance_chart.set_chart(compliance)
        self.backlog_chart.set_chart(backlog)
        self.workload_chart.set_chart(workload)
        self.report_model.set_table(table)
        self.reports_loaded.emit()

    def export_to(self, kind: ReportKind, export_format: ExportFormat, path: Path) -> None:
        """Export a report in the background with a cancellable progress dialog."""
        reports = self._reports
        context = self._ui.services.context
        report_filter = self.report_filter()

        def build(progress, cancelled):
            if kind is ReportKind.CASES:
                return case_list_pack(context, Queue.ALL_OPEN, progress=progress,
                                      cancelled=cancelled)
            return build_report_pack(reports, kind, report_filter)

        self.exporter.start(build, export_format, Path(path),
                            f"Exporting {REPORT_KIND_LABELS[kind]}\u2026")

    def _on_export_button_clicked(self) -> None:
        kind = ReportKind(self.export_kind.currentData())
        export_format = ExportFormat(self.export_format.currentData())
        suggested = f"{kind.value}-{self.report_filter().dates.start:%Y-%m}.{export_format.value}"
        path = self._choose_save_path(suggested, export_format.value)
        if path:
            self.export_to(kind, export_format, Path(path))

    def _save_path_dialog(self, suggested: str, extension: str) -> str:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export report", suggested, f"{extension.upper()} files (*.{extension})")
        return path

    # ------------------------------------------------------------------ helpers
    def _today(self) -> date:
        return self._ui.clock.now().astimezone(self._zone).date()

    def _say(self, text: str) -> None:
        self._message.setText(text)
        self.message_changed.emit(text)

    def _on_background_failed(self, exc: Exception) -> None:
        self._say(str(exc))

    def shutdown(self) -> None:
        """Cancel a running export and wait for it (before the database closes)."""
        try:
            self.exporter.cancel()
            self.exporter.wait()
        except RuntimeError:
            pass  # the view was already deleted with its window: nothing is running
