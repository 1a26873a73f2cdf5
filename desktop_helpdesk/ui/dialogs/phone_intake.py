"""Phone intake: find or add the caller, describe the problem, log it, read the number back."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_helpdesk.domain.cases import IntakeChannel
from desktop_helpdesk.domain.phone_calls import IncomingCall
from desktop_helpdesk.domain.policy import (
    LOW_PRIORITY_NOTE,
    PRIORITY_DEFINITIONS,
    RequestedPriority,
    effective_priority,
)
from desktop_helpdesk.services.contacts import NewContact
from desktop_helpdesk.services.drafts import INTAKE_KEY
from desktop_helpdesk.services.dto import CaseDetail, ContactMatch, LoggedCase
from desktop_helpdesk.services.errors import ServiceError, ValidationError
from desktop_helpdesk.services.search import similar_resolved_cases
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.form_fields import named
from desktop_helpdesk.ui.messages import friendly_message
from desktop_helpdesk.ui.resources import icon
from desktop_helpdesk.ui.timers import single_shot_timer
from desktop_helpdesk.ui.widgets.caller_history import (
    ADD_TO_CASE_KEY,
    CallerHistoryPanel,
)
from desktop_helpdesk.ui.widgets.category_field import fill_categories
from desktop_helpdesk.ui.workers import WorkerPool

log = logging.getLogger(__name__)

LOOKUP_DEBOUNCE_MS = 150
SIMILAR_DEBOUNCE_MS = 300
DRAFT_SAVE_MS = 500
_BUILT = object()
_RESULT_HEADING = "Case logged — read the number to the caller"
_FIELD_WIDGETS = {
    "category": "categoryField",
    "subject": "subjectField",
    "description": "descriptionField",
    "contact_name": "newContactNameField",
    "email": "newContactEmailField",
    "phone": "newContactPhoneField",
    "client": "clientField",
    "requested_priority": "priorityField",
}


@dataclass
class CallOutcome:
    """What became of the call on the form: logged as a new case, added to an open one, or
    being added (the pool is still on it). A new call starts with a new, empty outcome."""

    logged_case: LoggedCase | None = None
    added_to_case: CaseDetail | None = None
    adding: bool = False

    @property
    def handled(self) -> bool:
        """Logged or added (else dismissing the call is a missed call)."""
        # Adding to a case still running counts: closing meanwhile is not a missed call.
        return self.logged_case is not None or self.added_to_case is not None or self.adding


class PhoneIntakeDialog(QDialog):
    """Log a call with the keyboard alone.

    Caller field (type a phone, email or name; Enter picks the highlighted match or opens the
    new-contact fields), subject, description, priority with the policy's definitions beside
    it, channel and live-call box; Ctrl+Enter logs. The result page shows the case number large
    and copyable with the assignee.

    With ``call`` (a call the phone system handed over) the call timer counts from the ring
    and the form keeps its own draft; the caller's history beside the form can take the call
    as an interaction on an open case instead (Ctrl+D).

    With ``reusable`` the dialog is built ahead of time and kept: building its widgets under
    the house style sheet takes longer than a frame, and a caller is waiting. Each
    ``begin_call()`` empties the form and starts a call on it; answers still running for an
    earlier call are dropped (each call is a session), and the draft's reads and writes run
    one after another, so a reopened form never shows an older draft or loses the last one.
    With ``prepared`` it is built ahead the same way for one call only, handed over later
    with ``answer_call()`` (the phone system's calls).

    Signals:
        case_logged(int): the new case's id (or the case the call was added to).
    """

    case_logged = Signal(int)

    def __init__(
        self,
        ui: UiContext,
        parent: QWidget | None = None,
        *,
        pool: WorkerPool | None = None,
        call: IncomingCall | None = None,
        draft_key: str = INTAKE_KEY,
        reusable: bool = False,
        prepared: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("phoneIntakeDialog")
        self.setAccessibleName("phoneIntakeDialog")
        self.setWindowTitle("Log a call")
        self.setMinimumSize(980, 640)
        self._ui = ui
        # Look-ups, similar cases and draft saves read or write the database: on the worker
        # pool, so the form keeps up with typing while the caller talks. Each look-up carries
        # a generation; only the newest answer is shown.
        self._pool = pool if pool is not None else WorkerPool(self)
        self._lookup_generation = 0
        self._lookup_answered = 0
        self._pick_when_found: int | None = None
        self._similar_generation = 0
        self._clients_generation = 0
        self._situation_generation = 0
        # Answers are delivered to the call (session) that asked for them only.
        self._session = 0
        self._in_call = False
        self._reusable = reusable
        # The draft's load, saves and discards, run one at a time in order (see _run_draft_ops).
        self._draft_ops: list[tuple[str, object]] = []
        self._draft_op_running = False
        self._contact: ContactMatch | None = None
        self._started: datetime = ui.clock.now()
        self._restoring = False
        self.outcome = CallOutcome()
        self.call = call
        self._logging = False
        self.missed_call_id: int | None = None
        self._draft_key = draft_key
        # A dialog opened without the window's pool (tests, tools) brings its own, closed with it.
        self._own_pool = pool is None
        if call is not None:
            self.setWindowTitle(f"Call from {call.display}")

        self._lookup_timer = single_shot_timer(self, "contactLookupTimer", LOOKUP_DEBOUNCE_MS, self.lookup_contacts)
        self._similar_timer = single_shot_timer(self, "similarCasesTimer", SIMILAR_DEBOUNCE_MS, self.find_similar)
        self._draft_timer = single_shot_timer(self, "intakeDraftTimer", DRAFT_SAVE_MS, self._save_draft_soon)
        self._call_timer = QTimer(self)
        self._call_timer.setObjectName("callTimer")
        self._call_timer.setInterval(1000)
        self._call_timer.timeout.connect(self._update_call_time)
        self.finished.connect(self._on_finished)
        self._construction: Iterator[None] | None = self._construct()
        if not reusable and not prepared:
            self.finish_construction()
            self.begin_call()

    # -- construction ----------------------------------------------------------------------
    def construct_step(self) -> bool:
        """Build the next piece of the form; True once it is whole.

        The window builds its reusable intake a piece per pause of its event loop: the whole
        form is about 8 ms of CPU under the house style sheet (twice that on a slow desk PC),
        and the window's thread must never be held for a frame.
        """
        if self._construction is not None and next(self._construction, _BUILT) is _BUILT:
            self._construction = None
        return self._construction is None

    @property
    def built(self) -> bool:
        """Whether the form is whole (see ``construct_step``)."""
        return self._construction is None

    def finish_construction(self) -> None:
        """Build what is left of the form now."""
        while not self.construct_step():
            pass

    def _construct(self) -> Iterator[None]:
        self.pages = QStackedWidget(self)
        form_page = yield from self._build_form_page()
        self.pages.addWidget(form_page)
        yield
        self.pages.addWidget(self._build_result_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.addWidget(self.pages)

        self.caller_field.textChanged.connect(self._on_caller_text_changed)
        self.caller_field.returnPressed.connect(self.pick_contact)
        for field in (self.caller_field, self.subject_field, self.description_field):
            field.installEventFilter(self)
        self.subject_field.textChanged.connect(self._on_case_text_changed)
        self.description_field.textChanged.connect(self._on_case_text_changed)
        self.priority_field.currentIndexChanged.connect(self._on_priority_changed)
        self.channel_field.currentIndexChanged.connect(self._on_channel_changed)
        # The new caller's details and the call's channel are part of the draft too.
        for changed in (
            self.new_name.textChanged,
            self.new_email.textChanged,
            self.new_phone.textChanged,
            self.client_field.editTextChanged,
            self.channel_field.currentIndexChanged,
            self.live_call_field.toggled,
        ):
            changed.connect(self._on_draft_field_changed)
        for shortcut_keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(shortcut_keys), self)
            shortcut.activated.connect(self.log_case)
        QShortcut(QKeySequence(ADD_TO_CASE_KEY), self, activated=self.caller_history.request_add)
        self.caller_history.add_call_requested.connect(self.add_call_to_case)
        self._restoring = True  # the definition beside the priority, not a change to save
        self._on_priority_changed()
        self._restoring = False
        yield
        # The style sheet's polish, otherwise done by the first show while the caller waits.
        self.ensurePolished()

    def begin_call(self) -> None:
        """Start a call on an empty form: the call timer, and the categories and the saved
        draft read on the pool (the form takes the keyboard at once)."""
        self.finish_construction()
        self._start_session()
        self._submit(self._ui.services.categories.list_categories,
                     on_finished=self._on_categories_loaded,
                     on_failed=lambda error: log.info("categories not loaded: %s", error))
        if self.call is None:
            self._queue_draft_op("load", self._session)

    def answer_call(self, call: IncomingCall, draft_key: str) -> None:
        """Begin the call the phone system handed over on a ``prepared`` form."""
        self.call = call
        self._draft_key = draft_key
        self.begin_call()

    def _start_session(self) -> None:
        self._session += 1
        self._in_call = True
        self._reset_form()
        now = self._ui.clock.now()
        self._started = self.call.started_on_desk(now) if self.call is not None else now
        self._call_timer.start()
        self._update_call_time()
        self.caller_field.setFocus()

    def _submit(self, function, *args, on_finished, on_failed=None) -> None:
        """Run ``function`` on the pool; its answer reaches this call only (not a later one)."""
        session = self._session

        def for_this_call(callback):
            def deliver(value) -> None:
                if self._session == session:
                    callback(value)
            return deliver

        self._pool.submit(function, *args, on_finished=for_this_call(on_finished),
                          on_failed=for_this_call(on_failed) if on_failed is not None else None, owner=self)

    def _build_form_page(self) -> Iterator[None]:
        """The form, in pieces (see ``construct_step``); returns the page."""
        page = QWidget(self.pages)
        title = QLabel("Log a call", page)
        title.setProperty("role", "dialogTitle")
        self.call_time = named(QLabel("00:00", page), "callTimeLabel")
        self.call_time.setProperty("role", "callTimer")
        self.call_time.setToolTip("Time on the call")
        self.draft_note = named(QLabel("", page), "intakeDraftNote")
        self.draft_note.setProperty("role", "hint")
        self.draft_note.hide()
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.draft_note)
        top.addWidget(QLabel("On the call", page))
        top.addWidget(self.call_time)

        self.caller_field = named(QLineEdit(page), "callerField")
        self.caller_field.setPlaceholderText("Caller's phone number, email or name — Enter picks")
        self.matches = named(QListWidget(page), "contactMatches")
        self.matches.setMaximumHeight(120)
        self.matches.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.matches.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.matches.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.matches.hide()
        self.matches.itemDoubleClicked.connect(lambda _item: self.pick_contact())
        self.contact_label = named(QLabel("No caller chosen yet", page), "chosenContactLabel")
        self.contact_label.setProperty("role", "hint")
        self.client_local_label = named(QLabel("", page), "callerLocalLabel")
        self.client_local_label.setProperty("role", "hint")
        self.client_local_label.setWordWrap(True)
        self.client_local_label.hide()

        self.new_contact_box = named(QGroupBox("New contact", page), "newContactBox")
        self.new_name = named(QLineEdit(self.new_contact_box), "newContactNameField")
        self.new_email = named(QLineEdit(self.new_contact_box), "newContactEmailField")
        self.new_phone = named(QLineEdit(self.new_contact_box), "newContactPhoneField")
        self.client_field = named(QComboBox(self.new_contact_box), "clientField")
        self.client_field.setEditable(True)
        self.client_field.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.client_field.lineEdit().setPlaceholderText("Client organisation (pick or type a new one)")
        new_form = QFormLayout(self.new_contact_box)
        new_form.addRow("Name", self.new_name)
        new_form.addRow("Email", self.new_email)
        new_form.addRow("Phone", self.new_phone)
        new_form.addRow("Client", self.client_field)
        self.new_contact_box.hide()
        yield

        self.subject_field = named(QLineEdit(page), "subjectField")
        self.subject_field.setPlaceholderText("One line: what is wrong")
        self.description_field = named(QPlainTextEdit(page), "descriptionField")
        self.description_field.setPlaceholderText("The caller's words, steps tried, error messages")
        self.description_field.setTabChangesFocus(True)
        self.priority_field = named(QComboBox(page), "priorityField")
        for level in (RequestedPriority.MEDIUM, RequestedPriority.HIGH, RequestedPriority.LOW):
            self.priority_field.addItem(level.label, level.value)
        self.priority_help = named(QLabel("", page), "priorityDefinition")
        self.priority_help.setWordWrap(True)
        self.priority_help.setProperty("role", "definition")
        self.channel_field = named(QComboBox(page), "channelField")
        for channel in IntakeChannel:
            self.channel_field.addItem(icon(channel.value), channel.label, channel.value)
        self.live_call_field = named(QCheckBox("Live call (caller on the line)", page), "liveCallField")
        self.live_call_field.setChecked(True)
        self.category_field = named(QComboBox(page), "categoryField")
        fill_categories(self.category_field, [])

        form = QFormLayout()
        form.setVerticalSpacing(8)
        form.addRow("Caller", self.caller_field)
        form.addRow("", self.matches)
        form.addRow("", self.contact_label)
        form.addRow("", self.client_local_label)
        form.addRow("", self.new_contact_box)
        form.addRow("Subject", self.subject_field)
        form.addRow("Description", self.description_field)
        priority_row = QHBoxLayout()
        priority_row.addWidget(self.priority_field)
        priority_row.addWidget(self.priority_help, 1)
        form.addRow("Priority", priority_row)
        channel_row = QHBoxLayout()
        channel_row.addWidget(self.channel_field)
        channel_row.addWidget(self.live_call_field)
        channel_row.addStretch(1)
        form.addRow("Came in by", channel_row)
        form.addRow("Category", self.category_field)
        yield

        similar_heading = QLabel("Similar resolved cases", page)
        similar_heading.setProperty("role", "sectionHeading")
        self.similar = named(QListWidget(page), "similarCasesList")
        self.similar.setWordWrap(True)
        self.similar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.caller_history = CallerHistoryPanel(self._ui, self._pool, page)
        side = QVBoxLayout()
        side.addWidget(self.caller_history, 3)
        side.addWidget(similar_heading)
        side.addWidget(self.similar, 1)
        yield

        self.error_label = named(QLabel("", page), "intakeError")
        self.error_label.setProperty("role", "messageBar")
        self.error_label.setProperty("kind", "error")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.log_button = named(QPushButton("Log case  (Ctrl+Enter)", page), "logCaseButton")
        self.log_button.setProperty("accent", True)
        # No default button on the form: Enter in the caller field picks a contact, it must
        # never log a half-typed case. Ctrl+Enter (or Space on this button) logs.
        self.log_button.setAutoDefault(False)
        self.log_button.setDefault(False)
        self.log_button.clicked.connect(self.log_case)
        cancel = QPushButton("Cancel", page)
        cancel.setObjectName("cancelIntakeButton")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.error_label, 1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.log_button)

        columns = QHBoxLayout()
        columns.addLayout(form, 3)
        divider = QFrame(page)
        divider.setFrameShape(QFrame.Shape.VLine)
        divider.setProperty("role", "divider")
        columns.addWidget(divider)
        columns.addLayout(side, 2)
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addLayout(columns, 1)
        layout.addLayout(buttons)
        return page

    def _build_result_page(self) -> QWidget:
        page = QWidget(self.pages)
        heading = QLabel(_RESULT_HEADING, page)
        heading.setProperty("role", "dialogTitle")
        self.result_heading = heading
        self.case_number_label = named(QLabel("", page), "caseNumberLabel")
        self.case_number_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        font = QFont(self.case_number_label.font())
        font.setPointSize(40)
        font.setBold(True)
        self.case_number_label.setFont(font)
        self.case_number_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.case_number_label.setProperty("role", "bigNumber")
        self.assignee_label = named(QLabel("", page), "assigneeLabel")
        self.assignee_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.assignee_label.setWordWrap(True)
        self.copy_button = named(QPushButton("Copy number", page), "copyNumberButton")
        self.copy_button.setAutoDefault(False)
        self.copy_button.clicked.connect(self.copy_number)
        self.another_button = named(QPushButton("Log another call", page), "logAnotherButton")
        self.another_button.setAutoDefault(False)
        self.another_button.clicked.connect(self.start_over)
        self.done_button = named(QPushButton("Done", page), "doneButton")
        self.done_button.setProperty("accent", True)
        self.done_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.another_button)
        buttons.addWidget(self.done_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(heading, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.case_number_label)
        layout.addWidget(self.assignee_label)
        layout.addLayout(buttons)
        layout.addStretch(2)
        return page

    # -- caller ----------------------------------------------------------------------------
    @staticmethod
    def _is_log_key(event) -> bool:
        return event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and bool(
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        )

    def keyPressEvent(self, event) -> None:
        # Ctrl+Enter from any field logs, also when the window manager has not activated the
        # dialog yet (then its QShortcut is inactive but key events still arrive).
        if self._is_log_key(event):
            self.log_case()
            event.accept()
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == event.Type.KeyPress and self._is_log_key(event):
            self.log_case()
            return True
        # Up/Down in the caller field move through the matches without leaving the field.
        if watched is self.caller_field and event.type() == event.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.matches.count():
                row = self.matches.currentRow() + (1 if key == Qt.Key.Key_Down else -1)
                self.matches.setCurrentRow(max(0, min(row, self.matches.count() - 1)))
                return True
        return super().eventFilter(watched, event)

    def _on_caller_text_changed(self, _text: str) -> None:
        if self._contact is not None and self.caller_field.text() != self._contact_text(self._contact):
            self._contact = None
            self.contact_label.setText("No caller chosen yet")
            self.caller_history.clear()
        self._lookup_timer.start()
        self._draft_timer.start()

    def lookup_contacts(self) -> None:
        """Show contacts matching the caller field (phone digits, email or name)."""
        self._lookup_timer.stop()
        text = self.caller_field.text().strip()
        self._lookup_generation += 1
        generation = self._lookup_generation
        if not text or self._contact is not None:
            self._lookup_answered = generation
            self.matches.clear()
            self.matches.hide()
            return
        self._submit(
            self._ui.services.contacts.find_contacts,
            text,
            8,
            on_finished=lambda found: self._on_contacts_found(generation, found),
            on_failed=self._on_lookup_failed,
        )

    def _on_contacts_found(self, generation: int, found: list) -> None:
        if generation != self._lookup_generation:
            return
        self._lookup_answered = generation
        if self._contact is not None:
            return
        self._show_matches(found)
        if self._pick_when_found == generation:
            self._pick_when_found = None
            self.pick_contact()

    def _show_matches(self, matches: list[ContactMatch]) -> None:
        self.matches.clear()
        for match in matches:
            item = QListWidgetItem(
                f"{match.name} — {match.client_name}    {match.phone or ''} {match.email or ''}".rstrip()
            )
            item.setData(Qt.ItemDataRole.UserRole, match)
            self.matches.addItem(item)
        if self.matches.count():
            self.matches.setCurrentRow(0)
        self.matches.setVisible(self.matches.count() > 0)

    def pick_contact(self) -> None:
        """Enter in the caller field: take the highlighted match, or start a new contact."""
        if self._lookup_timer.isActive() or self._lookup_pending():
            # Enter before the matches arrived: pick once they are in.
            if self._lookup_timer.isActive():
                self.lookup_contacts()
            self._pick_when_found = self._lookup_generation
            return
        item = self.matches.currentItem()
        if item is not None:
            self._choose(item.data(Qt.ItemDataRole.UserRole))
            self.subject_field.setFocus()
            return
        if self._contact is not None:
            self.subject_field.setFocus()
            return
        self._start_new_contact(self.caller_field.text().strip())

    def _choose(self, match: ContactMatch) -> None:
        self._contact = match
        self.new_contact_box.hide()
        self.caller_field.blockSignals(True)
        self.caller_field.setText(self._contact_text(match))
        self.caller_field.blockSignals(False)
        self.matches.clear()
        self.matches.hide()
        self.contact_label.setText(
            f"✔ {match.name} at {match.client_name}"
            + (f" · {match.phone}" if match.phone else "")
            + (f" · {match.email}" if match.email else "")
        )
        self.caller_history.show_contact(match.contact_id)
        self._show_client_situation(match.client_id)

    def _show_client_situation(self, client_id: int | None) -> None:
        """The caller's local time and public holiday, for a client abroad."""
        self._situation_generation += 1
        generation = self._situation_generation
        self.client_local_label.hide()
        if client_id is None:
            return
        self._submit(self._ui.services.abroad.situation, client_id,
                     on_finished=lambda situation: self._on_situation_loaded(generation, situation),
                     on_failed=lambda error: log.info("client situation not read: %s", error))

    def _on_situation_loaded(self, generation: int, situation) -> None:
        if generation != self._situation_generation:
            return
        text = situation.text()
        holiday = bool(situation.holiday or situation.arrangements)
        self.client_local_label.setStyleSheet("color: #b91c1c; font-weight: 600;" if holiday else "")
        self.client_local_label.setText(f"Client's local time: {text}" if text else "")
        self.client_local_label.setVisible(bool(text))

    @staticmethod
    def _contact_text(match: ContactMatch) -> str:
        return f"{match.name} ({match.client_name})"

    def _start_new_contact(self, typed: str) -> None:
        self._contact = None
        if not self.new_contact_box.isVisible():
            self.client_field.clear()
            self.client_field.setEditText("")
            self._clients_generation += 1
            generation = self._clients_generation
            self._submit(
                self._ui.services.contacts.list_clients,
                on_finished=lambda clients: self._on_clients_listed(generation, clients),
                on_failed=self._on_lookup_failed,
            )
        if "@" in typed:
            self.new_email.setText(typed)
        elif any(ch.isdigit() for ch in typed) and not any(ch.isalpha() for ch in typed):
            self.new_phone.setText(typed)
        elif typed:
            self.new_name.setText(typed)
        self.new_contact_box.show()
        self.contact_label.setText("New contact — fill in the details below")
        (self.client_field if self.new_name.text() else self.new_name).setFocus()

    def _on_clients_listed(self, generation: int, clients: list) -> None:
        if generation != self._clients_generation:
            return
        typed = self.client_field.currentText()
        self.client_field.blockSignals(True)
        self.client_field.clear()
        for client in clients:
            self.client_field.addItem(client.name, client.id)
        self.client_field.setCurrentIndex(-1)
        # What was typed while the list loaded stays.
        self.client_field.setEditText(typed)
        self.client_field.blockSignals(False)

    def _on_lookup_failed(self, error: Exception) -> None:
        self._lookup_answered = self._lookup_generation
        self._pick_when_found = None
        self._show_error(friendly_message(error), None)

    def _lookup_pending(self) -> bool:
        return self._lookup_generation != self._lookup_answered

    def _new_contact(self) -> NewContact:
        name = self.client_field.currentText().strip()
        index = self.client_field.findText(name, Qt.MatchFlag.MatchFixedString)
        client_id = self.client_field.itemData(index) if index >= 0 else None
        return NewContact(
            name=self.new_name.text(),
            email=self.new_email.text(),
            phone=self.new_phone.text(),
            client_id=client_id,
            client_name="" if client_id is not None else name,
        )

    # -- case text -------------------------------------------------------------------------
    def _on_draft_field_changed(self, *_args) -> None:
        if not self._restoring:
            self._draft_timer.start()

    def _on_case_text_changed(self, *_args) -> None:
        self._similar_timer.start()
        if not self._restoring:
            self._draft_timer.start()

    def find_similar(self) -> None:
        """Show resolved cases like the one being typed."""
        self._similar_timer.stop()
        text = f"{self.subject_field.text()} {self.description_field.toPlainText()}"
        self._similar_generation += 1
        generation = self._similar_generation
        if not text.strip():
            self.similar.clear()
            return
        self._submit(
            similar_resolved_cases,
            text,
            6,
            on_finished=lambda found: self._on_similar_found(generation, found),
            on_failed=lambda error: log.info("similar cases failed: %s", error),
        )

    def _on_similar_found(self, generation: int, found: list) -> None:
        if generation != self._similar_generation:
            return
        self.similar.clear()
        for case in found:
            item = QListWidgetItem(
                f"{case.number}  {case.subject}\n↳ {case.resolution_summary or 'no resolution text'}"
            )
            item.setToolTip(case.resolution_summary)
            self.similar.addItem(item)
        if not self.similar.count():
            self.similar.addItem("No similar resolved cases yet")

    def _on_priority_changed(self, *_args) -> None:
        requested = RequestedPriority(self.priority_field.currentData())
        effective = effective_priority(requested)
        text = f"<b>{effective.label}:</b> {PRIORITY_DEFINITIONS[effective]}"
        if requested is RequestedPriority.LOW:
            text = f"<i>{LOW_PRIORITY_NOTE}</i><br>{text}"
        self.priority_help.setText(text)
        if not self._restoring:
            self._draft_timer.start()

    def _on_channel_changed(self, *_args) -> None:
        can_be_live = IntakeChannel(self.channel_field.currentData()).can_be_live
        self.live_call_field.setEnabled(can_be_live)
        self.live_call_field.setChecked(can_be_live)

    def _update_call_time(self) -> None:
        seconds = max(0, int((self._ui.clock.now() - self._started).total_seconds()))
        minutes, seconds = divmod(seconds, 60)
        self.call_time.setText(f"{minutes:02d}:{seconds:02d}")

    # -- logging ---------------------------------------------------------------------------
    def log_case(self) -> bool:
        """Log the call as a case on the worker pool (the form shows "Logging…" and takes no
        second Ctrl+Enter meanwhile); on success the number page shows, ``case_logged`` fires.

        Returns:
            True when logging started (False: refused on the form, or already logging).
        """
        if self.pages.currentIndex() != 0 or self._logging:
            return False
        if self._lookup_timer.isActive():
            self.lookup_contacts()
        contact_id = self._contact.contact_id if self._contact is not None else None
        new_contact = None
        if contact_id is None:
            if not self.new_contact_box.isVisible():
                self._show_error("Caller: pick a contact from the list (Enter) or add a new one", "callerField")
                return False
            new_contact = self._new_contact()
        channel = self.channel_field.currentData()
        values = {
            "subject": self.subject_field.text(),
            "description": self.description_field.toPlainText(),
            "channel": channel,
            "requested_priority": self.priority_field.currentData(),
            "received_at": min(self._started, self._ui.clock.now()),
            "contact_id": contact_id,
            "new_contact": new_contact,
            "live_call": IntakeChannel(channel).can_be_live and self.live_call_field.isChecked(),
            "category_id": self.category_field.currentData(),
        }
        cases, drafts, member_id, draft_key = self._ui.services.cases, self._ui.drafts, self._ui.member_id, self._draft_key
        caller = self._contact.name if self._contact is not None else self.new_name.text().strip()

        def log():
            logged = cases.log_case(member_id, **values)
            drafts.discard(member_id, draft_key)
            return logged

        self._set_logging(True)
        self._submit(log, on_finished=lambda logged: self._on_case_logged(logged, caller),
                     on_failed=self._on_log_failed)
        return True

    def _set_logging(self, logging_now: bool) -> None:
        self._logging = logging_now
        self.log_button.setEnabled(not logging_now)
        self.log_button.setText("Logging…" if logging_now else "Log case  (Ctrl+Enter)")
        if logging_now:
            self.error_label.hide()

    def _on_case_logged(self, logged, caller: str) -> None:
        self._set_logging(False)
        self.outcome.logged_case = logged
        # Logging discarded the draft; a save that ran meanwhile must not bring it back.
        self._forget_draft()
        self._call_timer.stop()
        log.info("logged case %s for %s", logged.number, logged.assignee_name or "unassigned")
        self._show_result(logged.id, logged.number, f"Case for <b>{caller}</b>", logged.assignee_name,
                          logged.assignment_reason)

    def _on_log_failed(self, error: Exception) -> None:
        self._set_logging(False)
        if isinstance(error, ValidationError):
            log.info("intake refused: %s", error)
            self._show_error(friendly_message(error), _FIELD_WIDGETS.get(error.field))
        elif isinstance(error, ServiceError):
            log.info("intake refused: %s", error)
            self._show_error(friendly_message(error), None)
        else:
            self._show_error("The case could not be logged (the details are in the log file); "
                             "what you typed is kept", None)

    def _on_categories_loaded(self, categories: list) -> None:
        chosen = self.category_field.currentData()
        fill_categories(self.category_field, categories, chosen)

    def _show_error(self, text: str, widget_name: str | None) -> None:
        self.error_label.setText(text)
        self.error_label.show()
        if widget_name:
            widget = self.findChild(QWidget, widget_name)
            if widget is not None:
                widget.setFocus()

    def copy_number(self) -> None:
        QGuiApplication.clipboard().setText(self.case_number_label.text())
        self.copy_button.setText("Copied ✔")

    def start_over(self) -> None:
        """Clear the form for the next call."""
        self.call = None
        self._start_session()

    def _reset_form(self) -> None:
        """An empty form on its first page: nothing of an earlier call stays (emptying it
        saves no draft)."""
        self._restoring = True
        for field in (self.caller_field, self.subject_field, self.new_name, self.new_email, self.new_phone):
            field.clear()
        self.description_field.clear()
        self.matches.clear()
        self.matches.hide()
        self.similar.clear()
        self.client_field.clear()
        self.priority_field.setCurrentIndex(0)
        self.channel_field.setCurrentIndex(0)
        self.live_call_field.setChecked(True)
        self.category_field.setCurrentIndex(0)
        self.new_contact_box.hide()
        self.error_label.hide()
        self.draft_note.hide()
        self._contact = None
        self._pick_when_found = None
        self._lookup_answered = self._lookup_generation
        self.contact_label.setText("No caller chosen yet")
        self.caller_history.clear()
        self._show_client_situation(None)
        self.outcome = CallOutcome()
        self._set_logging(False)
        self.setWindowTitle(f"Call from {self.call.display}" if self.call is not None else "Log a call")
        self.result_heading.setText(_RESULT_HEADING)
        self.done_button.setDefault(False)
        self.copy_button.setText("Copy number")
        self.pages.setCurrentIndex(0)
        for timer in (self._lookup_timer, self._similar_timer, self._draft_timer):
            timer.stop()
        self._restoring = False

    # -- drafts ----------------------------------------------------------------------------
    def _draft_fields(self) -> dict:
        return {
            "caller": self.caller_field.text(),
            "subject": self.subject_field.text(),
            "description": self.description_field.toPlainText(),
            "new_name": self.new_name.text(),
            "new_email": self.new_email.text(),
            "new_phone": self.new_phone.text(),
            # A restored call keeps what sets its SLA and routing, not only its text.
            "priority": self.priority_field.currentData(),
            "channel": self.channel_field.currentData(),
            "live_call": self.live_call_field.isChecked(),
            "new_client": "" if self.new_contact_box.isHidden() else self.client_field.currentText(),
        }

    def save_draft(self) -> None:
        """Keep what was typed so far, now (the window closing: a crash mid-call loses nothing)."""
        self._draft_timer.stop()
        if not self._in_call or self._restoring or self.pages.currentIndex() != 0:
            return
        self._ui.drafts.save(self._ui.member_id, self._draft_key, self._draft_fields())

    def _save_draft_soon(self) -> None:
        """The typing pause's save, on the pool."""
        if not self._in_call or self._restoring or self.pages.currentIndex() != 0:
            return
        # What the form holds now: by the time the save runs it may be emptied for the next call.
        self._queue_draft_op("save", self._draft_fields())

    def _forget_draft(self) -> None:
        """The call was logged (or added to a case): its draft must not come back, also not
        from a save still waiting or running."""
        self._draft_timer.stop()
        self._draft_ops = [op for op in self._draft_ops if op[0] != "save"]
        self._queue_draft_op("discard", None)

    def _queue_draft_op(self, operation: str, argument: object) -> None:
        """Queue the draft's ``load`` (for session ``argument``), ``save`` (of the fields
        ``argument``) or ``discard``.

        They run on the pool one after another in the order asked: a save never lands after
        a newer one or after the discard of a logged call, and a reopened form reads the
        draft only once the previous call's last save is written.
        """
        if operation == "save" and self._draft_ops and self._draft_ops[-1][0] == "save":
            self._draft_ops[-1] = (operation, argument)  # the newer text replaces one still waiting
        else:
            self._draft_ops.append((operation, argument))
        self._run_draft_ops()

    def _run_draft_ops(self) -> None:
        if self._draft_op_running or not self._draft_ops:
            return
        operation, argument = self._draft_ops.pop(0)
        drafts, member_id, key = self._ui.drafts, self._ui.member_id, self._draft_key
        if operation == "save":
            work, args = drafts.save, (member_id, key, argument)
        elif operation == "discard":
            work, args = drafts.discard, (member_id, key)
        else:
            work, args = drafts.load, (member_id, key)
        self._draft_op_running = True

        def done(result) -> None:
            self._draft_op_running = False
            if operation == "load" and argument == self._session:
                self._restore_draft(result)
            self._run_draft_ops()

        def failed(error: Exception) -> None:
            self._draft_op_running = False
            log.info("intake draft %s failed: %s", operation, error)
            self._run_draft_ops()

        # Not tied to the session: a save or discard of the previous call still completes.
        self._pool.submit(work, *args, on_finished=done, on_failed=failed, owner=self)

    def _restore_draft(self, draft) -> None:
        if draft is None or draft.is_empty:
            return
        if self.pages.currentIndex() != 0 or any(
            (self.caller_field.text(), self.subject_field.text(), self.description_field.toPlainText())
        ):
            # Typing started before the saved call arrived: what is typed now wins.
            log.info("intake draft not restored: the form was already in use")
            return
        self._restoring = True
        fields = draft.fields
        self.caller_field.setText(fields.get("caller", ""))
        self.subject_field.setText(fields.get("subject", ""))
        self.description_field.setPlainText(fields.get("description", ""))
        for combo, key in ((self.priority_field, "priority"), (self.channel_field, "channel")):
            index = combo.findData(fields.get(key))
            if index >= 0:
                combo.setCurrentIndex(index)
        if "live_call" in fields:
            self.live_call_field.setChecked(bool(fields["live_call"]))
        if any(fields.get(k) for k in ("new_name", "new_email", "new_phone", "new_client")):
            self._start_new_contact("")
            self.new_name.setText(fields.get("new_name", ""))
            self.new_email.setText(fields.get("new_email", ""))
            self.new_phone.setText(fields.get("new_phone", ""))
            self.client_field.setEditText(fields.get("new_client", ""))
        self._restoring = False
        saved = draft.saved_at.astimezone(self._ui.desk_zone).strftime("%H:%M")
        self.draft_note.setText(f"Restored your unsaved call from {saved}")
        self.draft_note.show()

    def _on_finished(self, _result: int) -> None:
        self._call_timer.stop()
        for timer in (self._lookup_timer, self._similar_timer):
            timer.stop()
        if self._draft_timer.isActive():
            if self._reusable:
                # The dialog stays: its last text is written on the pool, before the next load.
                self._draft_timer.stop()
                self._save_draft_soon()
            else:
                # The dialog is deleted next, and its queued draft work with it: write now.
                self.save_draft()
        self._in_call = False
        if self._own_pool:
            self._pool.close()

    # -- a call handed over by the phone system -------------------------------------------
    @property
    def chosen_contact(self) -> ContactMatch | None:
        return self._contact

    def show_incoming_call(self, matches: list[ContactMatch]) -> None:
        """Show who is calling: the one matching contact chosen, several to pick from, or the
        new-contact form with the number (and caller-ID name) when nobody has it."""
        call = self.call
        if call is None or self.pages.currentIndex() != 0:
            return
        self.live_call_field.setChecked(self.channel_field.currentData() == IntakeChannel.PHONE)
        if len(matches) == 1:
            self._choose(matches[0])
            self.subject_field.setFocus()
        elif matches:
            self.caller_field.blockSignals(True)
            self.caller_field.setText(call.number)
            self.caller_field.blockSignals(False)
            self._show_matches(matches)
            self.contact_label.setText(f"{len(matches)} contacts have this number — Enter picks")
            self.caller_field.setFocus()
        else:
            self.caller_field.blockSignals(True)
            self.caller_field.setText(call.number)
            self.caller_field.blockSignals(False)
            self._start_new_contact(call.number)
            self.new_phone.setText(call.number)  # also "… x12", which typing would read as a name
            self.new_name.setText("")
            if call.name:
                self.new_name.setText(call.name)
            self.contact_label.setText(f"Unknown number {call.number} — new contact")

    def add_call_to_case(self, case) -> None:
        """Log this call on an open case of the caller's client (an ``OpenCaseBrief``) as an
        inbound phone interaction instead of a new case; runs on the worker pool."""
        if self.pages.currentIndex() != 0 or case is None:
            return
        subject = self.subject_field.text().strip()
        description = self.description_field.toPlainText().strip()
        summary = "\n".join(part for part in (subject, description) if part)
        if not summary:
            self._show_error("Subject: say in a line what the caller said before adding the call",
                             "subjectField")
            return
        self.caller_history.set_busy(True)
        self.outcome.adding = True
        self.error_label.hide()
        calls, member_id, started = self._ui.services.calls, self._ui.member_id, self._started
        missed_call_id = self.missed_call_id
        self._submit(
            lambda: calls.add_call_to_case(member_id, case.id, summary=summary, rang_at=started,
                                           missed_call_id=missed_call_id),
            on_finished=lambda logged: self._on_call_added(case, logged),
            on_failed=self._on_call_add_failed,
        )

    def _on_call_added(self, case, logged) -> None:
        self.outcome.added_to_case = logged.case
        self._forget_draft()
        self._call_timer.stop()
        self._update_call_time()
        self.result_heading.setText("Call added to the open case — read the number to the caller")
        log.info("call added to case %s", case.number)
        self._show_result(case.id, case.number, case.subject, logged.case.assignee_name,
                          f"Logged as an inbound phone call of {self.call_time.text()}")

    def _show_result(self, case_id: int, number: str, what: str, assignee: str, note: str) -> None:
        """The result page: the number to read to the caller, whose case it is and why."""
        self.case_number_label.setText(number)
        self.assignee_label.setText(
            f"{what} · assigned to <b>{assignee or 'nobody yet — it waits in Unassigned'}</b>"
            f"<br><span style='color:#64748b'>{note}</span>"
        )
        self.pages.setCurrentIndex(1)
        self.done_button.setDefault(True)
        self.done_button.setFocus()
        self.case_logged.emit(case_id)

    def _on_call_add_failed(self, error: Exception) -> None:
        self.outcome.adding = False
        self.caller_history.set_busy(False)
        if isinstance(error, ServiceError):
            self._show_error(friendly_message(error), None)
        else:
            self._show_error("The call could not be added to the case (the details are in the log file)", None)
