"""The team's audit log for supervisors: newest first, filtered by what changed, paged on scroll."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_helpdesk.services.audit_log import audit_page
from desktop_helpdesk.ui.form_fields import named
from desktop_helpdesk.ui.models.audit_model import AuditLogTableModel
from desktop_helpdesk.ui.workers import WorkerPool

log = logging.getLogger(__name__)

PAGE_SIZE = 200

# What the log can be narrowed to: (label, stored entity or None for everything).
ENTITY_CHOICES = (
    ("Everything", None),
    ("Cases", "case"),
    ("Team members", "team_member"),
    ("Clients", "client"),
    ("Contacts", "contact"),
    ("Company closures", "closure"),
    ("Team settings", "setting"),
)


class AuditLogView(QWidget):
    """Every audited change across the desk, newest first; more rows load as the table scrolls."""

    def __init__(self, viewer_id: int, zone: ZoneInfo, parent: QWidget | None = None, *,
                 chain_bar: QWidget | None = None, pool: WorkerPool | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditLogView")
        self._viewer_id = viewer_id
        # The chain's last verified state above the log (``AuditChainBar``; optional in tests).
        self.chain_bar = chain_bar
        self.entity_filter = QComboBox(self)
        named(self.entity_filter, "auditEntityFilter")
        for label, entity in ENTITY_CHOICES:
            self.entity_filter.addItem(label, entity)
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.setObjectName("auditRefreshButton")
        note = QLabel("Append-only: rows can be added, never changed or deleted.", self)
        note.setStyleSheet("color: #5f6b7a;")
        # With the window's pool each page (a query over millions of audit rows) is read there.
        fetch_page = None
        if pool is not None:
            def fetch_page(read, done):
                pool.submit(read, on_finished=done, on_failed=self._on_page_failed)
        self.model = AuditLogTableModel(self._loader(None), zone, self, page_size=PAGE_SIZE,
                                        fetch_page=fetch_page)
        self.table = QTableView(self)
        named(self.table, "auditLogTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((130, 150, 140, 130, 130, 150, 150)):
            self.table.setColumnWidth(column, width)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("Show", self))
        bar.addWidget(self.entity_filter)
        bar.addWidget(self.refresh_button)
        bar.addSpacing(12)
        bar.addWidget(note)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        if chain_bar is not None:
            chain_bar.setParent(self)
            layout.addWidget(chain_bar)
        layout.addLayout(bar)
        layout.addWidget(self.table)

        self.entity_filter.currentIndexChanged.connect(self._on_entity_filter_changed)
        self.refresh_button.clicked.connect(self.refresh)

    def refresh(self) -> None:
        """Read the log again from the newest row with the chosen filter."""
        self.model.restart(self._loader(self.entity_filter.currentData()))
        # The first page is wanted at once, before any scrolling asks for it.
        self.model.fetchMore(QModelIndex())

    def _on_page_failed(self, error: Exception) -> None:
        # No retry loop from the view's scrolling: Refresh reads again.
        log.error("audit log page not read: %s", error)
        self.model.stop_fetching()

    def _on_entity_filter_changed(self, _index: int) -> None:
        self.refresh()

    def _loader(self, entity: str | None):
        viewer_id = self._viewer_id

        def load(cursor):
            return audit_page(cursor, PAGE_SIZE, viewer_id=viewer_id, entity=entity, newest_first=True)

        return load
