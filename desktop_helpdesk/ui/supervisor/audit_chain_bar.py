"""The audit log's chain line: the last verified state, "Verify now" and "Export anchor…"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from desktop_helpdesk.services.audit_chain import AuditChainService, ChainReport
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.ui.form_fields import named
from desktop_helpdesk.ui.workers import WorkerPool


class AuditChainBar(QWidget):
    """Shows whether the audit chain held when last verified, and verifies it on demand
    (on the worker pool: a million rows take seconds).

    Signals:
        verified(bool): a verification finished (True when the chain holds).
    """

    verified = Signal(bool)

    def __init__(self, context: ServiceContext, viewer_id: int, zone: ZoneInfo, pool: WorkerPool,
                 parent: QWidget | None = None, *,
                 choose_anchor_path: Callable[[str], str] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditChainBar")
        self._chain = AuditChainService(context)
        self._viewer_id = viewer_id
        self._zone = zone
        self._pool = pool
        self._choose_anchor_path = choose_anchor_path or self._anchor_dialog
        self._today = lambda: context.now().astimezone(zone).date().isoformat()
        self.state_label = QLabel("Audit chain: not verified yet", self)
        named(self.state_label, "auditChainState")
        self.verify_button = QPushButton("Verify now", self)
        self.verify_button.setObjectName("auditVerifyButton")
        self.verify_button.setToolTip("Check every audit row against its hash and the row before")
        self.anchor_button = QPushButton("Export anchor…", self)
        self.anchor_button.setObjectName("auditAnchorButton")
        self.anchor_button.setToolTip(
            "Save the chain's head (row count and hash) so a copy kept elsewhere can prove later "
            "that nothing before it changed")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.state_label, 1)
        layout.addWidget(self.verify_button)
        layout.addWidget(self.anchor_button)
        self.verify_button.clicked.connect(self.verify)
        self.anchor_button.clicked.connect(self._on_anchor_button_clicked)

    def load(self) -> None:
        """Show the last verified state (read on the worker pool)."""
        self._pool.submit(self._chain.last_verified, on_finished=self._show_state,
                          on_failed=self._on_failed)

    def verify(self) -> None:
        """Verify the whole chain in the background and show the outcome."""
        self._busy("Audit chain: verifying…")
        self._pool.submit(self._chain.verify, self._viewer_id, on_finished=self._on_verified,
                          on_failed=self._on_failed)

    def _on_anchor_button_clicked(self) -> None:
        path = self._choose_anchor_path(f"audit-anchor-{self._today()}.json")
        if not path:
            return
        self._busy("Audit chain: verifying before exporting the anchor…")
        destination = Path(path)
        self._pool.submit(self._chain.export_anchor, self._viewer_id, destination,
                          on_finished=lambda report: self._on_verified(report, destination),
                          on_failed=self._on_failed)

    def _busy(self, text: str) -> None:
        self.state_label.setText(text)
        self.verify_button.setEnabled(False)
        self.anchor_button.setEnabled(False)

    def _on_verified(self, report: ChainReport, anchor: Path | None = None) -> None:
        self._show_state(self._chain_state(report))
        if anchor is not None and report.ok:
            self.state_label.setText(self.state_label.text() + f" — anchor saved to {anchor}")
        self.verified.emit(report.ok)

    @staticmethod
    def _chain_state(report: ChainReport) -> dict:
        return {"ok": report.ok, "summary": report.summary(),
                "verified_at": report.verified_at.isoformat()}

    def _show_state(self, state: dict | None) -> None:
        self.verify_button.setEnabled(True)
        self.anchor_button.setEnabled(True)
        if not state:
            self.state_label.setText("Audit chain: not verified yet")
            self.state_label.setStyleSheet("")
            return
        when = datetime.fromisoformat(state["verified_at"]).astimezone(self._zone)
        self.state_label.setText(
            f"Audit chain, verified {when:%Y-%m-%d %H:%M %Z}: {state['summary']}")
        colour = "#1e6b34" if state["ok"] else "#b42318"
        self.state_label.setStyleSheet(f"color: {colour}; font-weight: 600;")

    def _on_failed(self, error: Exception) -> None:
        self.verify_button.setEnabled(True)
        self.anchor_button.setEnabled(True)
        self.state_label.setText(f"Audit chain: could not verify ({error})")

    def _anchor_dialog(self, suggested: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self, "Export audit anchor", suggested,
                                              "Audit anchor (*.json)")
        return path
