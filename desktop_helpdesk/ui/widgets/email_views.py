"""The Email tab (intake status and the Quarantine list with its actions) and the email
dialog (From, To, Cc, Date, text; "Show original" shows the raw source, read-only)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_helpdesk.services.mail_imap import IntakeStatus
from desktop_helpdesk.services.mail_intake import EmailView, InboundMailInfo
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.form_fields import dialog_buttons
from desktop_helpdesk.ui.workers import WorkerPool

ReasonAsker = Callable[[QWidget], str | None]


def ask_discard_reason(parent: QWidget) -> str | None:
    """Ask why a quarantined email is discarded; None when cancelled."""
    text, ok = QInputDialog.getText(parent, "Discard email", "Why is this email discarded? (audited)")
    return text if ok else None


class QuarantineTableModel(QAbstractTableModel):
    """Quarantined emails waiting for an agent: received, sender, subject, reason."""

    HEADERS = ("Received", "From", "Subject", "Reason")

    def __init__(self, zone, parent=None) -> None:
        super().__init__(parent)
        self._zone = zone
        self._rows: list[InboundMailInfo] = []

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.HEADERS)):
            return self.HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = (
                row.received_at.astimezone(self._zone).strftime("%Y-%m-%d %H:%M"),
                row.from_address or "(no sender)",
                row.subject or "(no subject)",
                row.reason,
            )
            return values[index.column()] if 0 <= index.column() < len(values) else None
        return None

    def set_rows(self, rows: list[InboundMailInfo]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> InboundMailInfo | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None


class EmailDialog(QDialog):
    """One stored email: From, To, Cc, Date, Subject and the text, never rendered as HTML;
    "Show original" switches to the raw source (read-only) and back."""

    def __init__(self, view: EmailView, original: bytes, zone, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emailDialog")
        self.setWindowTitle(f"Email — {view.subject or '(no subject)'}")
        self.resize(820, 640)
        header = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        date = view.date.astimezone(zone).strftime("%A %d %B %Y, %H:%M %Z") if view.date else "—"
        for label, value in (("From", view.sender), ("To", view.to), ("Cc", view.cc), ("Date", date),
                             ("Subject", view.subject),
                             ("Files", ", ".join(view.attachments) or "—"),
                             ("Intake", f"{view.outcome}{' · case ' + view.case_number if view.case_number else ''}"
                                        f" — {view.reason}")):
            field = QLabel(value or "—", self)
            field.setObjectName(f"email{label}Field")
            field.setTextFormat(Qt.TextFormat.PlainText)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            field.setWordWrap(True)
            self.fields[label] = field
            header.addRow(f"{label}:", field)
        self.text_view = QPlainTextEdit(view.text, self)
        self.text_view.setObjectName("emailTextView")
        self.text_view.setReadOnly(True)
        self.original_view = QPlainTextEdit(original.decode("utf-8", "replace"), self)
        self.original_view.setObjectName("emailOriginalView")
        self.original_view.setReadOnly(True)
        self.original_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.original_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.text_view)
        self.stack.addWidget(self.original_view)
        self.show_original_button = QPushButton("Show original", self)
        self.show_original_button.setObjectName("showOriginalButton")
        self.show_original_button.setCheckable(True)
        self.show_original_button.toggled.connect(self._on_show_original_button_toggled)
        buttons = dialog_buttons(self, QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.show_original_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.stack, 1)
        layout.addWidget(buttons)

    def _on_show_original_button_toggled(self, checked: bool) -> None:
        self.stack.setCurrentWidget(self.original_view if checked else self.text_view)
        self.show_original_button.setText("Show text" if checked else "Show original")


class EmailPanel(QWidget):
    """The Email tab: the intake status and the Quarantine list with Reprocess, Create case
    anyway and Discard (each audited by the service), plus the headers of the selected email.

    Signals:
        changed(): an action made or changed a case (the case list should refresh).
        poll_requested(): "Check mail now" was clicked.

    Args:
        ui: services and the signed-in member.
        pool: the worker pool for every database read and write.
        parent: the Qt parent (the main window).
        ask_reason: asks why an email is discarded (tests pass a fake).
    """

    changed = Signal()
    poll_requested = Signal()

    def __init__(self, ui: UiContext, pool: WorkerPool, parent: QWidget | None = None, *,
                 ask_reason: ReasonAsker | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emailPanel")
        self._ui = ui
        self._pool = pool
        self._intake = ui.services.mail_intake
        self._ask_reason = ask_reason or ask_discard_reason
        self.dialog: EmailDialog | None = None
        self.status_line = QLabel("Email intake: …", self)
        self.status_line.setObjectName("intakeStatusLine")
        self.status_line.setWordWrap(True)
        self.message_line = QLabel("", self)
        self.message_line.setObjectName("quarantineMessage")
        self.message_line.setWordWrap(True)
        self.model = QuarantineTableModel(ui.desk_zone, self)
        self.table = QTableView(self)
        self.table.setObjectName("quarantineTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().resizeSection(0, 140)
        self.table.horizontalHeader().resizeSection(1, 220)
        self.table.horizontalHeader().resizeSection(2, 300)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)
        self.table.doubleClicked.connect(lambda _index: self.open_selected())
        self.headers_view = QPlainTextEdit(self)
        self.headers_view.setObjectName("quarantineHeadersView")
        self.headers_view.setReadOnly(True)
        self.headers_view.setPlaceholderText("Select a quarantined email to see its headers")
        self.headers_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))

        self.reprocess_button = QPushButton("Reprocess", self)
        self.reprocess_button.setObjectName("reprocessButton")
        self.reprocess_button.setToolTip("Run intake again (e.g. after a limit was raised)")
        self.create_button = QPushButton("Create case anyway", self)
        self.create_button.setObjectName("createCaseAnywayButton")
        self.discard_button = QPushButton("Discard…", self)
        self.discard_button.setObjectName("discardButton")
        self.open_button = QPushButton("Show email", self)
        self.open_button.setObjectName("showEmailButton")
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.setObjectName("refreshQuarantineButton")
        self.reprocess_button.clicked.connect(lambda: self._act("reprocess"))
        self.create_button.clicked.connect(lambda: self._act("create"))
        self.discard_button.clicked.connect(lambda: self._act("discard"))
        self.open_button.clicked.connect(self.open_selected)
        self.refresh_button.clicked.connect(self.reload)
        self.poll_button = QPushButton("Check mail now", self)
        self.poll_button.setObjectName("checkMailNowButton")
        self.poll_button.setToolTip("Read the support mailbox now (when this workstation reads it)")
        self.poll_button.clicked.connect(self.poll_requested)
        buttons = QHBoxLayout()
        for button in (self.reprocess_button, self.create_button, self.discard_button, self.open_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.poll_button)
        buttons.addWidget(self.refresh_button)

        title = QLabel("<b>Quarantine</b> — emails intake could not turn into a case on its own", self)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.headers_view)
        splitter.setSizes([400, 200])
        layout = QVBoxLayout(self)
        layout.addWidget(self.status_line)
        layout.addWidget(title)
        layout.addLayout(buttons)
        layout.addWidget(self.message_line)
        layout.addWidget(splitter, 1)
        self._update_buttons()
        self.reload()

    # -- loading ---------------------------------------------------------------------------
    def reload(self) -> None:
        """Reload the quarantine list in a worker."""
        self._pool.submit(self._intake.quarantined, on_finished=self._on_loaded, on_failed=self._on_failed)

    def show_status(self, status: IntakeStatus, holder: str = "") -> None:
        """Show the intake status line (and who reads the mailbox, when known)."""
        text = status.describe()
        if holder and status.configured:
            text += f" — read by {holder}"
        self.status_line.setText(text)

    def _on_loaded(self, rows: list[InboundMailInfo]) -> None:
        selected = self.selected()
        self.model.set_rows(rows)
        if selected is not None:
            for row in range(self.model.rowCount()):
                if self.model.row_at(row).id == selected.id:
                    self.table.selectRow(row)
                    break
        self._on_table_current_row_changed(self.table.currentIndex(), QModelIndex())

    def _on_failed(self, error: Exception) -> None:
        self.message_line.setText(f"Could not do that: {error}")

    def selected(self) -> InboundMailInfo | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def _on_table_current_row_changed(self, _current, _previous) -> None:
        row = self.selected()
        self.headers_view.setPlainText(row.headers if row else "")
        self._update_buttons()

    def _update_buttons(self) -> None:
        has = self.selected() is not None
        for button in (self.reprocess_button, self.create_button, self.discard_button, self.open_button):
            button.setEnabled(has)

    # -- actions ---------------------------------------------------------------------------
    def _act(self, action: str) -> None:
        row = self.selected()
        if row is None:
            return
        member = self._ui.member_id
        if action == "discard":
            reason = self._ask_reason(self)
            if reason is None:
                return
            work, args = self._intake.discard, (member, row.id, reason)
        elif action == "create":
            work, args = self._intake.create_case_anyway, (member, row.id)
        else:
            work, args = self._intake.reprocess, (member, row.id)
        self._pool.submit(work, *args, on_finished=self._on_acted, on_failed=self._on_failed)

    def _on_acted(self, result) -> None:
        if result is None:
            self.message_line.setText("Discarded (kept in the store, audited).")
        else:
            case = f" case {result.case_number}" if result.case_number else ""
            self.message_line.setText(f"{result.outcome.value}{case}: {result.reason}")
        self.changed.emit()
        self.reload()

    def open_selected(self) -> None:
        row = self.selected()
        if row is not None:
            self.open_email(row.id)

    def open_email(self, inbound_id: int) -> None:
        """Load a stored email in a worker and show it in the email dialog."""
        def load():
            return self._intake.email_view(inbound_id), self._intake.original(inbound_id)

        self._pool.submit(load, on_finished=self._on_email_loaded, on_failed=self._on_failed)

    def _on_email_loaded(self, loaded) -> None:
        view, original = loaded
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
        self.dialog = EmailDialog(view, original, self._ui.desk_zone, self)
        self.dialog.show()
