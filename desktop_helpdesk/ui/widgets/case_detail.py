"""Right panel: one case's fields, SLA countdowns, timeline, commands, attachments and audit."""

from __future__ import annotations

import logging
import mimetypes
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QBuffer, QEvent, QIODevice, QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QDesktopServices,
    QGuiApplication,
    QIcon,
    QImage,
    QImageReader,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QStyleOptionTabWidgetFrame,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    QWidgetItem,
)

from desktop_helpdesk.domain.cases import CaseStatus, file_size_text
from desktop_helpdesk.domain.policy import RequestedPriority, Target
from desktop_helpdesk.domain.templates import TemplateError, render_template
from desktop_helpdesk.services.context import DEFAULT_ATTACHMENT_LIMIT
from desktop_helpdesk.services.drafts import Draft, case_key
from desktop_helpdesk.services.dto import CaseDetail
from desktop_helpdesk.services.errors import ConflictError, ServiceError, ValidationError
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.dialogs.canned_picker import CANNED_REPLY_KEYS, CannedReplyPicker
from desktop_helpdesk.ui.dialogs.canned_replies_dialog import CannedRepliesDialog
from desktop_helpdesk.ui.dialogs.case_actions import (
    AnswerDialog,
    CaseActionDialog,
    EscalateDialog,
    MergeDialog,
    ReasonDialog,
    ReopenDialog,
    ResolveDialog,
    WaitOnClientDialog,
)
from desktop_helpdesk.ui.dialogs.contact_dialog import ContactDialog
from desktop_helpdesk.ui.dialogs.reply_dialog import ReplyDialog
from desktop_helpdesk.ui.form_fields import combo_box, line_field, named
from desktop_helpdesk.ui.messages import friendly_message
from desktop_helpdesk.ui.models.audit_model import AuditTableModel
from desktop_helpdesk.ui.resources import icon
from desktop_helpdesk.ui.sla_display import SlaReader
from desktop_helpdesk.ui.timers import single_shot_timer
from desktop_helpdesk.ui.widgets.attachments import (
    IMAGE_TYPES,
    MAX_IMAGE_PIXELS,
    AttachmentsView,
    image_to_png,
    thumbnail_from_bytes,
    thumbnail_of,
)
from desktop_helpdesk.ui.widgets.case_header import CaseHeader
from desktop_helpdesk.ui.widgets.category_field import fill_categories
from desktop_helpdesk.ui.widgets.message_bar import MessageBar
from desktop_helpdesk.ui.widgets.sla_countdown import SlaCountdown
from desktop_helpdesk.ui.widgets.timeline_tab import TimelineTab
from desktop_helpdesk.ui.workers import WorkerPool

log = logging.getLogger(__name__)

DRAFT_SAVE_MS = 500
# Commands offered in the "More" menu rather than as buttons of their own.
_MENU_COMMANDS = ("merge", "contact")
# The order in which the case's allowed commands get a button of their own in the one-row
# command bar; those that do not fit the pane's width wait in "More" (with their keys).
# (An unacknowledged case's running clock is the acknowledgement: its command comes early.)
_BUTTON_PRIORITY = ("reply", "acknowledge", "take", "handback", "resolve", "resume", "deescalate", "close",
                    "reopen", "escalate", "wait")
# Qt's in-process image on the clipboard (already decoded: no work to read it).
_QT_IMAGE = "application/x-qt-image"
# Tab labels: (roomy, compact) in tab order.
_TAB_LABELS = (("Timeline", "Timeline"), ("Details", "Details"), ("Attachments", "Files"), ("Audit", "Audit"))
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A case read slower than this (a busy server) greys the case being left until it arrives.
GREY_AFTER_MS = 150
_TIME = "%a %d %b %Y %H:%M"


class _VerticalScrollArea(QScrollArea):
    """Scrolls up and down only, so it is never narrower than its content needs (a plain
    scroll area's minimum is a few pixels: the splitter would clip the case's texts)."""

    def eventFilter(self, watched, event) -> bool:
        # The case's texts changed what the content needs: the pane (and the splitter) must
        # ask again, which a scroll area never makes them do by itself.
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        content = self.widget()
        if content is None:
            return hint
        width = content.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width()
        return QSize(max(hint.width(), width + 2 * self.frameWidth()), hint.height())


class _PaneTabs(QTabWidget):
    """The case's tabs. They ask for the least height their current page needs at their width
    (the timeline's form wraps its Add button under the fields in a narrow pane) and take
    whatever else the pane has. A plain tab widget asks for its tallest page's preferred
    height (the Details form), which would push the timeline out of a laptop's view, and
    without a height for its width the pane would squeeze the wrapped form."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currentChanged.connect(self.updateGeometry)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        page = self.currentWidget()
        if page is None:
            return self.minimumSizeHint().height()
        chrome = self._chrome()
        return _least_height_for_width(page, width - chrome.width()) + chrome.height()

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        page = self.currentWidget()
        if page is None:
            return hint
        # The current page's minimum, not the tallest page's (the stack's).
        return QSize(hint.width(), QWidgetItem(page).minimumSize().height() + self._chrome().height())

    def _chrome(self) -> QSize:
        """What the tab bar and the pane's frame add around a page."""
        option = QStyleOptionTabWidgetFrame()
        self.initStyleOption(option)
        frame = self.style().sizeFromContents(QStyle.ContentsType.CT_TabWidget, option, QSize(0, 0), self)
        return QSize(frame.width(), frame.height() + self.tabBar().sizeHint().height())


def _least_height_for_width(widget: QWidget, width: int) -> int:
    """The least height ``widget``'s layout can give its contents at ``width`` (wrapped
    labels and flow layouts at their height for that width), or its plain minimum height."""
    layout = widget.layout()
    item = QWidgetItem(widget)
    if layout is not None and layout.hasHeightForWidth():
        return max(item.minimumSize().height(), layout.totalMinimumHeightForWidth(width))
    return item.minimumSize().height()


class _CommandBar(QWidget):
    """The row of command buttons. Its minimum is one command beside "More": the panel moves
    the commands that do not fit into "More" (``fit_commands``), so the buttons it shows now
    must not hold the pane at their width."""

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        buttons = [b for b in self.findChildren(QPushButton) if not b.isHidden()]
        widest_two = sorted((b.sizeHint().width() for b in buttons), reverse=True)[:2]
        return QSize(min(hint.width(), sum(widest_two) + 4), hint.height())


class CaseDetailPanel(QWidget):
    """The detail editor of the selected case. It only calls services; it holds no rules.

    Every database read and command runs on the worker pool: selecting a case shows it when
    its reading arrives (the newest selection wins, by generation), and a command greys the
    command buttons ("busy") until its transaction is done, so the window keeps painting
    while another workstation holds the write lock.

    Signals:
        case_changed(int): a command changed this case (the list and counts refresh).
        case_shown(int): a case was read and shown (after a selection, reload or command).
        case_revealed(int): the pane, empty until then, shows its first case (a pass of the
            event loop after ``case_shown``).
        command_finished(bool): a command ended (True: done, False: refused or failed).
        busy_changed(bool): a command started (True) or ended (False).
        presence_updated(int): the heartbeat ran; this many others have the case open.
        merged(int, int): this case (first id) was merged into the second.

    Args:
        ui: the shared services, queries, drafts, clock and signed-in member.
        pool: worker pool for file reading and thumbnails.
        sla_reader: returns the current SLA reader (calendar and settings, no SQL).
    """

    case_changed = Signal(int)
    case_shown = Signal(int)
    case_revealed = Signal(int)
    command_finished = Signal(bool)
    busy_changed = Signal(bool)
    presence_updated = Signal(int)
    merged = Signal(int, int)

    def __init__(
        self,
        ui: UiContext,
        pool: WorkerPool,
        sla_reader: Callable[[], SlaReader],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        named(self, "caseDetail")
        self._ui = ui
        self._pool = pool
        self._sla_reader = sla_reader
        self._zone = ui.desk_zone
        self._detail: CaseDetail | None = None
        self._restoring = False
        self._read_generation = 0
        self._save_draft_after_read = False
        self._busy = False
        self._categories: list = []  # offered categories, read with the case
        self._situation = None  # the client's local time and holiday, read with the case
        self._requested_id: int | None = None  # the case load_case asked for last
        self._contacts: list = []  # the client's contacts, read with the case
        self._mail_configured = False
        self._attachment_limit = DEFAULT_ATTACHMENT_LIMIT
        # Attachments whose thumbnails a worker is making: a reload meanwhile (the paste's own
        # reload, the 30 s refresh) must not decode the same large image again.
        self._thumbnails_pending: set[int] = set()
        self._draft_saving = False
        self._draft_queued: tuple | None = None
        # Drafts typed in this session are restored silently when coming back to a case;
        # drafts found from an earlier run (close, crash) are offered with a banner.
        self._session_drafts: dict[str, dict] = {}
        self._pending_draft: Draft | None = None
        self._build()
        self._draft_timer = single_shot_timer(self, "draftSaveTimer", DRAFT_SAVE_MS, self.save_draft)
        self._grey_timer = single_shot_timer(self, "caseSwitchGreyTimer", GREY_AFTER_MS, self._grey_while_switching)
        self._reveal_timer = single_shot_timer(self, "caseRevealTimer", 0, self._reveal_case)
        for editor in (self.summary_edit, self.description_edit):
            editor.textChanged.connect(self._on_editor_text_changed)
        self.subject_edit.textChanged.connect(self._on_editor_text_changed)
        self.show_case(None)

    # -- construction ----------------------------------------------------------------------
    def _build(self) -> None:
        self.setAcceptDrops(True)
        self.message = MessageBar(self, "detailMessage")
        self.reload_button = QPushButton("Reload", self)
        self.reload_button.setObjectName("reloadButton")
        self.reload_button.clicked.connect(self._on_reload_button_clicked)
        self.reload_button.hide()
        message_row = QHBoxLayout()
        message_row.addWidget(self.message, 1)
        message_row.addWidget(self.reload_button)

        self.draft_banner = QFrame(self)
        self.draft_banner.setObjectName("draftBanner")
        self.draft_banner.setProperty("role", "banner")
        self.draft_label = QLabel(self.draft_banner)
        self.draft_label.setWordWrap(True)
        self.restore_button = QPushButton("Restore my text", self.draft_banner)
        self.restore_button.setObjectName("restoreDraftButton")
        self.restore_button.clicked.connect(self._on_restore_button_clicked)
        self.discard_button = QPushButton("Discard", self.draft_banner)
        self.discard_button.setObjectName("discardDraftButton")
        self.discard_button.clicked.connect(self._on_discard_button_clicked)
        banner_layout = QHBoxLayout(self.draft_banner)
        banner_layout.setContentsMargins(10, 6, 10, 6)
        banner_layout.addWidget(self.draft_label, 1)
        banner_layout.addWidget(self.restore_button)
        banner_layout.addWidget(self.discard_button)
        self.draft_banner.hide()

        self.header = CaseHeader(self._zone, self)
        self.presence_label = QLabel("", self)
        named(self.presence_label, "detailPresence")
        self.presence_label.setProperty("role", "banner")
        self.presence_label.setWordWrap(True)
        self.presence_label.hide()
        # Short names the panel's callers and tests use.
        self.number_label = self.header.number_label
        self.status_chip = self.header.status_chip
        self.priority_chip = self.header.priority_chip
        self.subject_label = self.header.subject_label
        self.info = self.header.info

        self.countdowns = {
            target: SlaCountdown(target, self._zone, parent=self) for target in Target
        }
        # Three cards side by side; compact: three one-line clocks under one another.
        self._sla_row = sla_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        sla_row.setSpacing(8)
        for widget in self.countdowns.values():
            sla_row.addWidget(widget, 1)

        # Commands at their full width on one row: what does not fit goes into "More".
        self.command_bar = _CommandBar(self)
        self.actions_row = QHBoxLayout(self.command_bar)
        self.actions_row.setContentsMargins(0, 0, 0, 0)
        self.actions_row.setSpacing(4)
        self._allowed: set[str] = set()
        self.buttons: dict[str, QPushButton] = {}
        self.command_actions: dict[str, QAction] = {}
        for key, text, slot in (
            ("reply", "Reply…", self.compose_reply),
            ("take", "Assign to me", self.take_case),
            ("handback", "Hand back", self.hand_back),
            ("escalate", "Escalate…", self._on_escalate_clicked),
            ("deescalate", "Answer received", self._on_deescalate_clicked),
            ("wait", "Wait on client…", self._on_wait_clicked),
            ("resume", "Client replied", self._on_resume_clicked),
            ("acknowledge", "Send acknowledgement email", self._on_acknowledge_clicked),
            ("resolve", "Resolve…", self._on_resolve_clicked),
            ("close", "Close", self._on_close_clicked),
            ("reopen", "Reopen…", self._on_reopen_clicked),
            ("merge", "Merge into…", self.merge_into),
            ("contact", "Contact…", self.edit_contact),
        ):
            button = QPushButton(text, self.command_bar)
            button.setObjectName(f"{key}Button")
            button.clicked.connect(slot)
            if key in _MENU_COMMANDS:
                button.hide()  # offered through the "More" menu (and its keys), not the crowded row
            else:
                self.actions_row.addWidget(button)
            self.buttons[key] = button
        self.buttons["resolve"].setProperty("accent", True)
        # Window-wide keys: taking the case under discussion must not depend on where focus is.
        for key, button in self.buttons.items():
            # Every command has an action: the "More" menu offers those without room for a button.
            action = QAction(button.text(), self)
            action.setObjectName(f"{key}Action")
            action.triggered.connect(button.click)
            self.command_actions[key] = action
        for key, keys, tip in (
            ("reply", "Ctrl+R", "Email the client from the case: template, preview, canned replies, files"),
            ("take", "Ctrl+Shift+M", "Make the case yours (a colleague's asks why)"),
            ("handback", "Ctrl+Shift+H", "Put the case back in the Unassigned queue for someone else"),
            ("merge", "Ctrl+Shift+G", "Close this case as a duplicate of another (supervisors)"),
            ("contact", "Ctrl+Shift+K", "Edit the caller: numbers, addresses, notes; move or merge (supervisors)"),
        ):
            action = self.command_actions[key]
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)
            self.buttons[key].setToolTip(f"{tip} ({keys})")
        # Less frequent commands wait in a menu: a laptop-width row must show the others whole.
        self.more_button = QPushButton("More", self.command_bar)
        self.more_button.setObjectName("moreCommandsButton")
        self._more_menu = QMenu(self.more_button)
        self.more_button.setMenu(self._more_menu)
        self.actions_row.addWidget(self.more_button)
        self.actions_row.addStretch(1)

        self.tabs = _PaneTabs(self)
        self.tabs.setObjectName("detailTabs")
        # Never scroll arrows over the tabs: compact labels (and eliding) keep every tab in view.
        self.tabs.setUsesScrollButtons(False)
        self.tabs.setElideMode(Qt.TextElideMode.ElideRight)
        self.tabs.addTab(self._build_timeline_tab(), icon("phone"), "Timeline")
        self.tabs.addTab(self._build_details_tab(), "Details")
        self.attachments = AttachmentsView(self)
        self.attachments.files_dropped.connect(self._on_attachments_files_dropped)
        self.attachments.paste_requested.connect(self.paste_screenshot)
        self.attachments.open_requested.connect(self._on_attachments_open_requested)
        self.tabs.addTab(self.attachments, icon("attachment"), "Attachments")
        self.audit_model = AuditTableModel(self._zone, self)
        self.audit_view = QTableView(self)
        self.audit_view.setObjectName("auditTable")
        self.audit_view.setModel(self.audit_model)
        self.audit_view.verticalHeader().hide()
        self.audit_view.setWordWrap(False)
        self.audit_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.audit_view.horizontalHeader().setStretchLastSection(True)
        self.tabs.addTab(self.audit_view, "Audit")
        self._tab_icons = [self.tabs.tabIcon(index) for index in range(self.tabs.count())]

        self.placeholder = QLabel("Select a case, or press Ctrl+N to log a call.", self)
        self.placeholder.setObjectName("detailPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setProperty("role", "placeholder")

        self.body = QWidget(self)
        self._body_layout = body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(8)
        body.addWidget(self.header)
        body.addWidget(self.presence_label)
        body.addLayout(sla_row)
        body.addWidget(self.command_bar)
        body.addWidget(self.tabs, 1)
        # The tabs take the height the pane has left, never more: the scroll area sizes the
        # case to its height for its width, the tabs' least (their current page's needs). On
        # a short screen (a laptop at 125 %) that is more than the pane: the case scrolls as
        # a whole rather than squeezing wrapped texts over one another.
        policy = self.tabs.sizePolicy()
        policy.setVerticalPolicy(QSizePolicy.Policy.Ignored)
        self.tabs.setSizePolicy(policy)
        self.body_scroll = _VerticalScrollArea(self)
        self.body_scroll.setObjectName("caseDetailScroll")
        self.body_scroll.setWidget(self.body)
        self.body_scroll.setWidgetResizable(True)
        self.body_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.body_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # A narrower or wider pane gives the command row fewer or more buttons.
        self.command_bar.installEventFilter(self)

        self._outer_layout = layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(8)
        layout.addLayout(message_row)
        layout.addWidget(self.draft_banner)
        layout.addWidget(self.placeholder, 1)
        layout.addWidget(self.body_scroll, 1)

        canned = QShortcut(QKeySequence(CANNED_REPLY_KEYS), self.summary_edit)
        canned.setContext(Qt.ShortcutContext.WidgetShortcut)
        canned.setWhatsThis("Insert a canned reply (in a note or reply)")
        canned.activated.connect(self.insert_canned_reply)

        paste = QShortcut(QKeySequence("Ctrl+Shift+V"), self)
        paste.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        paste.activated.connect(self.paste_screenshot)

    def _build_timeline_tab(self) -> QWidget:
        page = TimelineTab(self._zone, self)
        page.add_requested.connect(self.add_interaction)
        page.channel_field.currentIndexChanged.connect(self._on_editor_text_changed)
        # Short names the panel's commands, drafts and tests use.
        self.timeline_tab = page
        self.channel_field = page.channel_field
        self.direction_field = page.direction_field
        self.duration_field = page.duration_field
        self.summary_edit = page.summary_edit
        self.add_interaction_button = page.add_interaction_button
        self.timeline_model = page.timeline_model
        self.timeline_view = page.timeline_view
        self.read_only_note = page.read_only_note
        self.interaction_form = page.interaction_form
        return page

    def _build_details_tab(self) -> QWidget:
        page = QWidget(self)
        self.subject_edit = line_field(page, "detailSubjectField")
        self.description_edit = QPlainTextEdit(page)
        self.description_edit.setObjectName("detailDescriptionField")
        self.description_edit.setTabChangesFocus(True)
        self.priority_field = combo_box(
            page, "detailPriorityField", ((p.label, p.value) for p in RequestedPriority))
        self.contact_field = combo_box(page, "detailContactField")
        self.category_field = combo_box(page, "detailCategoryField")
        self.priority_reason = line_field(
            page, "priorityReasonField", "Why the priority changes (kept in the audit)")
        self.save_button = QPushButton("Save changes", page)
        self.save_button.setObjectName("saveCaseButton")
        self.save_button.setProperty("accent", True)
        self.save_button.clicked.connect(self.save_edits)
        self.resolution_label = QLabel("", page)
        self.resolution_label.setObjectName("detailResolution")
        self.resolution_label.setWordWrap(True)
        form = QFormLayout(page)
        # In a narrow (laptop) case pane a row's label goes above its field rather than
        # widening the pane.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("Subject", self.subject_edit)
        form.addRow("Description", self.description_edit)
        form.addRow("Priority", self.priority_field)
        form.addRow("", self.priority_reason)
        # One row for both: the tab must fit a 768-pixel screen.
        # Long client contact or category names must not widen the pane past a laptop's.
        for combo in (self.category_field, self.contact_field):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(6)
        category_row = QHBoxLayout()
        category_row.addWidget(self.category_field, 1)
        category_row.addWidget(QLabel("Contact", page))
        category_row.addWidget(self.contact_field, 1)
        form.addRow("Category", category_row)
        form.addRow("", self.save_button)
        form.addRow("Resolution", self.resolution_label)
        return page

    # -- showing a case --------------------------------------------------------------------
    @property
    def detail(self) -> CaseDetail | None:
        return self._detail

    @property
    def case_id(self) -> int | None:
        return self._detail.id if self._detail is not None else None

    @property
    def busy(self) -> bool:
        """A command is running for this panel."""
        return self._busy

    def load_case(self, case_id: int | None) -> None:
        """Show ``case_id`` when its reading arrives (saving the draft of the case being left
        first); ``case_shown`` tells when it is on screen."""
        if self._detail is not None and self._detail.id != case_id:
            self.save_draft()
            self._clear_editors()
        self._read_generation += 1
        self._requested_id = case_id
        if case_id is None:
            self.show_case(None)
            self.refresh_presence()
            return
        generation = self._read_generation
        if self._detail is not None and self._detail.id != case_id:
            # The old case stays in view until the new one arrives, greyed only if that takes
            # long enough to see: greying and restoring the pane's hundred widgets at every
            # selection repainted the whole pane twice, for a read of a few milliseconds.
            self._grey_timer.start()
        self._pool.submit(
            _read_case,
            self._ui,
            case_id,
            on_finished=lambda view: self._on_case_read(generation, view, switched=True),
            on_failed=lambda error: self._on_case_read_failed(generation, error),
        )

    def reload(self, *, keep_text: bool = True) -> None:
        """Re-read the case in the background; typed text stays unless ``keep_text`` is False."""
        if self._detail is None:
            return
        self._read_generation += 1
        generation = self._read_generation
        self._pool.submit(
            _read_case,
            self._ui,
            # The case asked for last: a reload right after switching (e.g. a merge opening
            # the survivor) must not bring the case being left back.
            self._requested_id if self._requested_id is not None else self._detail.id,
            on_finished=lambda view: self._on_case_read(generation, view, keep_text=keep_text),
            on_failed=lambda error: self._on_case_read_failed(generation, error),
        )

    def _grey_while_switching(self) -> None:
        if self.switching:
            self.body.setEnabled(False)

    @property
    def switching(self) -> bool:
        """Whether another case than the one shown was asked for and is still being read
        (commands wait: they would act on the case being left)."""
        return self._detail is not None and self._requested_id is not None and self._requested_id != self._detail.id

    def _end_switch(self) -> None:
        self._grey_timer.stop()
        if not self.body.isEnabled():
            self.body.setEnabled(True)

    def _on_case_read(self, generation: int, view: _CaseView, *, switched=False, keep_text=True) -> None:
        if generation != self._read_generation:
            return
        self._end_switch()
        previous = self._detail.id if self._detail is not None else None
        # Only what the user changed is carried over; untouched fields show the new values.
        texts = self._draft_fields() if previous == view.detail.id and keep_text else {}
        self._mail_configured = view.mail_configured
        self._attachment_limit = view.attachment_limit
        self._categories = view.categories
        self._situation = view.situation
        self._contacts = view.contacts
        self.show_case(view.detail, view.timeline, view.audit)
        if texts:
            self._apply_texts(texts)
        if switched and previous != view.detail.id:
            self.hide_message()
            self._offer_draft(view.draft)
            self.refresh_presence()
        if self._save_draft_after_read:
            self._save_draft_after_read = False
            self.save_draft()
        self.case_shown.emit(view.detail.id)

    def _on_case_read_failed(self, generation: int, error: Exception) -> None:
        if generation != self._read_generation:
            return
        self._end_switch()
        # The case still shown is the one commands act on again.
        self._requested_id = self._detail.id if self._detail is not None else None
        self.show_message(friendly_message(error), error=True)

    def show_case(self, detail: CaseDetail | None, timeline=(), audit=()) -> None:
        """Put a case read in the background (with its timeline and audit) on screen."""
        self._detail = detail
        if detail is None:
            self._reveal_timer.stop()
            self.placeholder.setVisible(True)
            self.body.setVisible(False)
            self.body_scroll.setVisible(False)
            self.draft_banner.hide()
            for widget in self.countdowns.values():
                widget.show_reading(None)
            return
        self.header.show_case(detail)
        situation = self._situation if self._situation is not None and self._situation.client_id == detail.client_id \
            else None
        self.header.show_client_situation(
            situation.text() if situation else "",
            holiday=bool(situation and (situation.holiday or situation.arrangements)),
        )
        if not self.subject_edit.hasFocus() or not self.subject_edit.isModified():
            self._restoring = True
            self.subject_edit.setText(detail.subject)
            self.subject_edit.setModified(False)
            self.description_edit.setPlainText(detail.description)
            self.priority_field.setCurrentIndex(self.priority_field.findData(detail.requested_priority))
            fill_categories(self.category_field, self._categories, detail.category_id, detail.category_name)
            self.contact_field.clear()
            # The client's active contacts; a deactivated caller stays listed on their own case.
            for contact in self._contacts:
                self.contact_field.addItem(contact.name, contact.contact_id)
            if detail.contact_id is not None and self.contact_field.findData(detail.contact_id) < 0:
                self.contact_field.addItem(detail.contact_name, detail.contact_id)
            self.contact_field.setCurrentIndex(max(0, self.contact_field.findData(detail.contact_id)))
            self._restoring = False
        self.resolution_label.setText(
            f"{detail.resolution_summary} (client told by {detail.resolution_channel})"
            if detail.resolution_summary and detail.resolution_channel
            else detail.resolution_summary or "—"
        )
        self.on_ticked(self._ui.clock.now())
        self.timeline_model.set_entries(list(timeline))
        self.audit_model.set_entries(list(audit))
        self.attachments.set_attachments(detail.attachments)
        self._load_thumbnails(detail)
        self._update_commands(detail)
        if self.body_scroll.isHidden() and not self._reveal_timer.isActive():
            # The first case after none is filled now and shown in the loop's next pass: showing
            # the pane's hundred widgets (about 6 ms) and their first paint, which follows at
            # once, held the window's thread 15-20 ms when done in one pass with the filling.
            self._reveal_timer.start()

    @property
    def revealing(self) -> bool:
        """Whether the first case after none is filled in and shows in the loop's next pass."""
        return self._reveal_timer.isActive()

    def _reveal_case(self) -> None:
        if self._detail is None:
            return
        self.placeholder.setVisible(False)
        self.body.setVisible(True)
        self.body_scroll.setVisible(True)
        self.case_revealed.emit(self._detail.id)

    def _update_commands(self, detail: CaseDetail) -> None:
        status = CaseStatus(detail.status)
        read_only = detail.is_read_only
        is_open = status.is_open
        escalated = detail.open_escalation is not None
        mine = detail.assignee_id == self._ui.member_id
        allowed = {
            "take": is_open and not mine,
            "handback": is_open and mine,
            "escalate": is_open and not escalated,
            "deescalate": escalated,
            "wait": is_open and status is not CaseStatus.WAITING_ON_CLIENT,
            "resume": status is CaseStatus.WAITING_ON_CLIENT,
            "resolve": is_open,
            "reply": not read_only,
            "acknowledge": (is_open and detail.row.acknowledged_at is None and bool(detail.contact_email)
                            and self._mail_configured),
            "close": status is CaseStatus.RESOLVED,
            "reopen": not is_open and detail.merged_into_id is None,
            "merge": not read_only,
            "contact": detail.contact_id is not None,
        }
        self._allowed = {key for key, ok in allowed.items() if ok}
        for key, action in self.command_actions.items():
            action.setEnabled(key in self._allowed)
        self.buttons["acknowledge"].setToolTip(f"Email {detail.contact_email} that the request is logged, "
                                               "with the case number, priority and when we will respond")
        self.command_actions["acknowledge"].setToolTip(self.buttons["acknowledge"].toolTip())
        self.fit_commands()
        self.timeline_tab.set_read_only(read_only)
        for widget in (self.save_button, self.priority_field, self.priority_reason, self.category_field,
                       self.contact_field):
            widget.setEnabled(not read_only)
        self.subject_edit.setReadOnly(read_only)
        self.description_edit.setReadOnly(read_only)
        self.attachments.set_read_only(read_only)

    def set_compact(self, compact: bool) -> None:
        """Laptop density: one-line SLA clocks, short tab labels (full names as tooltips)."""
        self._sla_row.setDirection(QBoxLayout.Direction.TopToBottom if compact else QBoxLayout.Direction.LeftToRight)
        self._sla_row.setSpacing(2 if compact else 8)
        # Tighter gaps: on a 768-pixel screen every pixel is a timeline line.
        self._body_layout.setSpacing(5 if compact else 8)
        self._outer_layout.setContentsMargins(*((8, 6, 6, 4) if compact else (12, 10, 12, 10)))
        # Entries wrap to the list's width: no sideways scroll bar under them.
        self.timeline_view.setHorizontalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAlwaysOff if compact else Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        for widget in self.countdowns.values():
            widget.set_compact(compact)
        for index, (full, short) in enumerate(_TAB_LABELS):
            self.tabs.setTabText(index, short if compact else full)
            self.tabs.setTabToolTip(index, full)
            # Words without icons in a narrow pane: every tab's name shows whole.
            self.tabs.setTabIcon(index, QIcon() if compact else self._tab_icons[index])
        self.header.set_compact(compact)
        self.fit_commands()

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        if not self.body_scroll.isHidden():
            return hint
        # With no case shown the pane still asks for the width a case needs: otherwise the
        # first case selected widens it, and the splitter's move repaints the whole list.
        margins = self._outer_layout.contentsMargins()
        case_width = self.body_scroll.minimumSizeHint().width() + margins.left() + margins.right()
        return QSize(max(hint.width(), case_width), hint.height())

    def eventFilter(self, watched, event) -> bool:
        if watched is self.command_bar and event.type() == QEvent.Type.Resize:
            self.fit_commands()
        return super().eventFilter(watched, event)

    def command_available(self, key: str) -> bool:
        """Whether the shown case allows the command ``key`` (a button or an entry in "More")."""
        return key in self._allowed

    def fit_commands(self) -> None:
        """One row of command buttons for the pane's width: the case's allowed commands in
        priority order get a button while they fit beside "More"; the rest wait in "More"."""
        width = self.command_bar.width()
        spacing = self.actions_row.spacing()
        self.more_button.ensurePolished()
        used = self.more_button.sizeHint().width()
        shown: list[str] = []
        for key in _BUTTON_PRIORITY:
            if key not in self._allowed:
                continue
            # A hidden button's font may not follow the density yet: polished first.
            self.buttons[key].ensurePolished()
            needed = self.buttons[key].sizeHint().width() + spacing
            # The first command always gets its button: the bar's minimum makes room for it.
            if not shown or used + needed <= width:
                shown.append(key)
                used += needed
        for key, button in self.buttons.items():
            button.setVisible(key in shown)
        # Shown, the buttons may measure wider (their style's font): drop the last ones.
        while len(shown) > 1 and self.actions_row.sizeHint().width() > width:
            self.buttons[shown.pop()].hide()
        # Laid out now, not at the next event loop turn: never a frame of squeezed buttons.
        self.actions_row.activate()
        self._more_menu.clear()
        overflow = [key for key in _BUTTON_PRIORITY if key in self._allowed and key not in shown]
        for key in overflow:
            self._more_menu.addAction(self.command_actions[key])
        if overflow:
            self._more_menu.addSeparator()
        for key in _MENU_COMMANDS:
            self._more_menu.addAction(self.command_actions[key])

    def on_ticked(self, now: datetime) -> None:
        """Recompute the three countdowns from the loaded case (no SQL)."""
        if self._detail is None:
            return
        readings = self._sla_reader().read_all(self._detail.row, now)
        for target, widget in self.countdowns.items():
            widget.show_reading(readings[target])

    # -- messages --------------------------------------------------------------------------
    def show_message(self, text: str, *, error: bool = False, conflict: bool = False) -> None:
        self.message.show_text(text, error=error)
        self.reload_button.setVisible(conflict)

    def hide_message(self) -> None:
        self.message.hide()
        self.reload_button.hide()

    def _on_reload_button_clicked(self) -> None:
        self.hide_message()
        self.reload(keep_text=True)

    # -- commands --------------------------------------------------------------------------
    def _run(
        self,
        done_text: str,
        command: Callable[[int], object],
        on_done: Callable[[], None] | None = None,
    ) -> bool:
        """Start a service command with the case's version on the pool (the panel is busy
        until it ends); show a friendly message on failure. ``command`` runs on a pool thread:
        it must take every value it needs from the widgets before, never read them itself.

        Returns:
            True when the command started (False: no case, or another command is running).
        """
        if self._detail is None or self._busy or self.switching:
            return False
        case_id = self._detail.id
        self._set_busy(True)
        self._pool.submit(
            command,
            self._detail.version,
            on_finished=lambda _result: self._on_command_done(case_id, done_text, on_done),
            on_failed=lambda error: self._on_command_failed(case_id, error),
        )
        return True

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for button in (*self.buttons.values(), self.add_interaction_button, self.save_button):
            button.setEnabled(not busy)
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)
        if busy:
            self.show_message("Saving…")
        self.busy_changed.emit(busy)

    def _on_command_done(self, case_id: int, done_text: str, on_done: Callable[[], None] | None) -> None:
        self._set_busy(False)
        if self.case_id == case_id:
            self.show_message(done_text)
            if on_done is not None:
                on_done()
            self.reload(keep_text=True)
        self.case_changed.emit(case_id)
        self.command_finished.emit(True)

    def _on_command_failed(self, case_id: int, error: Exception) -> None:
        self._set_busy(False)
        if self.case_id == case_id:
            if isinstance(error, ConflictError):
                log.info("conflict on case %s: %s", case_id, error)
                self.show_message(friendly_message(error), error=True, conflict=True)
            elif isinstance(error, ServiceError):
                log.info("command refused on case %s: %s", case_id, error)
                self.show_message(friendly_message(error), error=True)
            else:
                self.show_message(friendly_message(error), error=True)
        self.command_finished.emit(False)

    def add_interaction(self) -> bool:
        """Add the typed interaction to the timeline (in the background)."""
        summary = self.summary_edit.toPlainText().strip()
        me, case_id = self._ui.member_id, self._detail.id if self._detail else None
        channel = self.channel_field.currentData()
        direction = self.direction_field.currentData()
        duration = self.duration_field.value() * 60

        def command(_version: int) -> object:
            # An interaction only appends to the timeline, and what it meets is worked out on
            # the case as it is now: another workstation's field edit is no conflict for it
            # (a case closed meanwhile is still refused by the service).
            return self._ui.services.cases.add_interaction(
                me,
                case_id,
                channel=channel,
                direction=direction,
                summary=summary,
                duration_seconds=duration,
            )

        def done() -> None:
            self.summary_edit.clear()
            self.duration_field.setValue(0)
            self.save_draft()

        return self._run("Interaction added.", command, done)

    def save_edits(self) -> bool:
        """Save subject/description (and a priority change with its reason)."""
        detail = self._detail
        if detail is None:
            return False
        me = self._ui.member_id
        subject = self.subject_edit.text().strip()
        description = self.description_edit.toPlainText()
        requested = self.priority_field.currentData()
        reason = self.priority_reason.text().strip()
        category_id = self.category_field.currentData()
        contact_id = self.contact_field.currentData() if self.contact_field.count() else detail.contact_id

        def command(version: int) -> object:
            changed = None
            if category_id != detail.category_id:
                changed = self._ui.services.cases.set_category(
                    me, detail.id, category_id, expected_version=version
                )
                version = changed.version
            if subject != detail.subject or description != detail.description or contact_id != detail.contact_id:
                changed = self._ui.services.cases.edit_case(
                    me, detail.id, expected_version=version, subject=subject, description=description,
                    contact_id=contact_id if contact_id != detail.contact_id else None,
                )
                version = changed.version
            if requested != detail.requested_priority:
                changed = self._ui.services.cases.change_priority(
                    me, detail.id, requested, reason=reason, expected_version=version
                )
            return changed

        def done() -> None:
            self.subject_edit.setModified(False)
            self.priority_reason.clear()
            self._reset_editors_to_case(subject, description)
            # Against the saved case the texts are no draft any more: save once it is read.
            self._save_draft_after_read = True

        return self._run("Changes saved.", command, done)

    def take_case(self) -> None:
        """"Assign to me": at once from the queue; a colleague's case asks for the reason."""
        detail = self._detail
        if detail is None or detail.assignee_id == self._ui.member_id:
            return
        me, case_id = self._ui.member_id, detail.id
        cases = self._ui.services.cases
        if detail.assignee_id is None:
            self._run("The case is yours.", lambda version: cases.take_case(me, case_id, expected_version=version))
            return
        self._open_dialog(
            ReasonDialog(self, "takeCaseDialog", f"Take {detail.assignee_name}'s case",
                         f"{detail.number} is {detail.assignee_name}'s. Say why you take it; "
                         "the audit keeps who had it and your reason.",
                         "Assign to me", "e.g. Alice is off sick; the caller is on the line"),
            lambda v, version: cases.take_case(me, case_id, expected_version=version, **v),
            "The case is yours.",
        )

    def merge_into(self) -> None:
        """"Merge into…": this case closes as a duplicate of the case whose number is typed."""
        detail = self._detail
        if detail is None or detail.is_read_only:
            return
        me, case_id = self._ui.member_id, detail.id
        cases = self._ui.services.cases

        dialog = MergeDialog(self, detail.number)
        # Filled on the pool thread by the command, read back on this thread when it is done.
        outcome: dict[str, int] = {}

        def merge(values: dict, version: int) -> object:
            survivor_id = cases.case_id_for_number(values["survivor"])
            merged = cases.merge_cases(me, case_id, survivor_id, reason=values["reason"],
                                       expected_version=version)
            outcome["survivor"] = merged.id
            return merged

        def accepted() -> None:
            values = dialog.values()
            self._run("Merged; this case is closed as a duplicate.", lambda version: merge(values, version),
                      lambda: self.merged.emit(case_id, outcome["survivor"]))

        dialog.accepted.connect(accepted)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def compose_reply(self) -> ReplyDialog | None:
        """"Reply…" (Ctrl+R): the composer; once the email is queued the case re-reads (the
        reply is on the timeline, and the first one met the respond target)."""
        detail = self._detail
        if detail is None or detail.is_read_only:
            return None
        dialog = ReplyDialog(self._ui, self._pool, detail.id, self)
        dialog.sent.connect(self._on_reply_dialog_sent)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _on_reply_dialog_sent(self, case_id: int) -> None:
        self.case_changed.emit(case_id)
        if self.case_id == case_id:
            self.show_message("Reply queued in the mail outbox; it is on the timeline. The outbox sends it "
                              "within a minute (Administration → Deliveries shows any problem).")
            self.reload(keep_text=True)

    def insert_canned_reply(self) -> None:
        """Ctrl+Shift+R in the note field: pick a canned reply, inserted with the case's fields filled."""
        detail = self._detail
        if detail is None or detail.is_read_only:
            return
        ui, case_id = self._ui, detail.id
        self._pool.submit(ui.services.replies.canned_for_case, ui.member_id, case_id,
                          on_finished=lambda found: self._on_canned_loaded(case_id, found),
                          on_failed=lambda error: self.show_message(friendly_message(error), error=True))

    def _on_canned_loaded(self, case_id: int, found) -> None:
        if case_id != self.case_id:
            return
        values, replies = found
        picker = CannedReplyPicker(replies, values, self, manage=self._manage_canned_replies)
        picker.chosen.connect(lambda reply: self._on_note_canned_chosen(reply, values))
        picker.finished.connect(picker.deleteLater)
        picker.open()

    def _manage_canned_replies(self) -> None:
        dialog = CannedRepliesDialog(self._ui, self._pool, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _on_note_canned_chosen(self, reply, values) -> None:
        # A note is not rendered later: the placeholders are filled as it goes in.
        try:
            text = render_template(reply.body, values)
        except TemplateError:
            text = reply.body
        self.summary_edit.insertPlainText(text)
        self.summary_edit.setFocus()

    def edit_contact(self) -> ContactDialog | None:
        """"Contact…": the caller's editor; the case re-reads when the contact changes."""
        detail = self._detail
        if detail is None or detail.contact_id is None:
            return None
        dialog = ContactDialog(self._ui, self._pool, detail.contact_id, self)
        dialog.contact_changed.connect(lambda _contact_id: self.reload(keep_text=True))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def hand_back(self) -> None:
        """"Hand back": the case goes to the Unassigned queue, with an optional reason."""
        detail = self._detail
        if detail is None or detail.assignee_id is None:
            return
        me, case_id = self._ui.member_id, detail.id
        cases = self._ui.services.cases
        self._open_dialog(
            ReasonDialog(self, "handBackDialog", "Hand back to the queue",
                         f"{detail.number} goes to the Unassigned queue for a colleague to take.",
                         "Hand back", "Why (optional), e.g. needs the authoring-tool specialist"),
            lambda v, version: cases.hand_back(me, case_id, expected_version=version, **v),
            "The case is back in the Unassigned queue.",
        )

    # -- presence --------------------------------------------------------------------------
    def refresh_presence(self) -> None:
        """Beat for the case shown and look up who else has it open (in the worker pool)."""
        ui = self._ui
        case_id = self.case_id
        self._pool.submit(
            lambda: (case_id, ui.services.presence.beat_and_look(ui.member_id, ui.workstation, case_id)),
            on_finished=self._on_presence_loaded,
            on_failed=lambda error: log.info("presence heartbeat failed: %s", error),
        )

    def _on_presence_loaded(self, result) -> None:
        case_id, viewers = result
        if case_id != self.case_id:
            return  # an answer about a case already left
        if viewers:
            people = ", ".join(
                f"{v.member_name} on {v.workstation} (since "
                f"{v.opened_at.astimezone(self._zone).strftime('%H:%M')})" for v in viewers
            )
            self.presence_label.setText(f"Also open now: {people}")
        self.presence_label.setVisible(bool(viewers))
        self.presence_updated.emit(len(viewers))

    def leave_presence(self) -> None:
        """Say this workstation no longer shows a case (the window closes)."""
        try:
            self._ui.services.presence.leave(self._ui.member_id, self._ui.workstation)
        except Exception:  # noqa: BLE001 - closing must go on; the row expires by itself
            log.exception("could not clear the presence row")

    def _open_dialog(self, dialog: CaseActionDialog, apply: Callable[[dict, int], object], done: str) -> None:
        def accepted() -> None:
            values = dialog.values()
            self._run(done, lambda version: apply(values, version))

        dialog.accepted.connect(accepted)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _on_escalate_clicked(self) -> None:
        me, case_id = self._ui.member_id, self._detail.id
        self._open_dialog(
            EscalateDialog(self, self._zone, self._ui.clock.now()),
            lambda v, version: self._ui.services.cases.escalate(
                me, case_id, expected_version=version, **v
            ),
            "Case escalated.",
        )

    def _on_deescalate_clicked(self) -> None:
        me, case_id = self._ui.member_id, self._detail.id
        escalation = self._detail.open_escalation
        waiting_on = escalation.target_name if escalation is not None else "they"
        self._open_dialog(
            AnswerDialog(self, waiting_on),
            lambda v, version: self._ui.services.cases.de_escalate(
                me, case_id, expected_version=version, **v
            ),
            "Escalation answered.",
        )

    def _on_wait_clicked(self) -> None:
        me, case_id = self._ui.member_id, self._detail.id
        self._open_dialog(
            WaitOnClientDialog(self),
            lambda v, version: self._ui.services.cases.wait_on_client(
                me, case_id, expected_version=version, **v
            ),
            "Case is waiting on the client.",
        )

    def _on_resume_clicked(self) -> None:
        me, case_id = self._ui.member_id, self._detail.id
        self._run(
            "Work resumed.",
            lambda version: self._ui.services.cases.resume(
                me, case_id, reason="client replied", expected_version=version
            ),
        )

    def _mail_ready(self) -> bool:
        """Email is set up (SMTP server and sender), as read with the case."""
        return self._mail_configured

    def _on_acknowledge_clicked(self) -> None:
        me, case_id = self._ui.member_id, self._detail.id
        self._run(
            f"Acknowledgement email queued for {self._detail.contact_email}.",
            lambda version: self._ui.services.cases.send_acknowledgement(
                me, case_id, expected_version=version
            ),
        )

    def _on_resolve_clicked(self) -> None:
        me, case_id = self._ui.member_id, self._detail.id
        contact_email = self._detail.contact_email if self._mail_ready() else ""
        self._open_dialog(
            ResolveDialog(self, contact_email, mail_configured=self._mail_ready()),
            lambda v, version: self._ui.services.cases.resolve(
                me, case_id, expected_version=version, **v
            ),
            "Case resolved.",
        )

    def _on_close_clicked(self) -> None:
        me, case_id = self._ui.member_id, self._detail.id
        self._run(
            "Case closed. It stays searchable and read-only.",
            lambda version: self._ui.services.cases.close(me, case_id, expected_version=version),
        )

    def _on_reopen_clicked(self) -> None:
        me, case_id = self._ui.member_id, self._detail.id
        self._open_dialog(
            ReopenDialog(self),
            lambda v, version: self._ui.services.cases.reopen(
                me, case_id, expected_version=version, **v
            ),
            "Case reopened; a new resolution target runs from now.",
        )

    # -- attachments -----------------------------------------------------------------------
    def paste_screenshot(self) -> bool:
        """Attach the clipboard image as a PNG. Nothing is decoded on the window's thread: a
        PNG is measured from its header and refused at once when over the team's limit, then
        checked and stored by a worker; an in-process image is encoded by a worker.

        Returns:
            True when the paste started.
        """
        if self._detail is None or self._detail.is_read_only or self._busy:
            return False
        mime = QGuiApplication.clipboard().mimeData()
        stamp = self._ui.clock.now().astimezone(self._zone).strftime("%Y%m%d-%H%M%S")
        filename = f"screenshot-{stamp}.png"
        limit = self._attachment_limit
        if mime is not None and mime.hasFormat(_QT_IMAGE):
            image = mime.imageData()
            source = ("image", image)
        elif mime is not None and any(mime.hasFormat(kind) for kind in IMAGE_TYPES):
            kind = next(kind for kind in IMAGE_TYPES if mime.hasFormat(kind))
            # Measured before any copy: 25 MB of bytes take 100 ms to copy into Python.
            data = mime.data(kind)
            if kind == "image/png" and data.size() > limit:
                self.show_message(
                    f"The screenshot is {file_size_text(data.size())}, over the team's "
                    f"{file_size_text(limit)} attachment limit; paste a smaller part of the screen.",
                    error=True,
                )
                return False
            source = ("bytes", data)
        else:
            self.show_message("The clipboard holds no image to paste.", error=True)
            return False
        me, case_id = self._ui.member_id, self._detail.id
        add = self._ui.services.cases.add_attachment
        made: dict[int, QImage] = {}

        def command(_version: int) -> None:
            png = _clipboard_png(source)
            attached = add(me, case_id, filename=filename, data=png, content_type="image/png")
            if source[0] == "image":
                # Its thumbnail from the image in hand: reading the PNG back took a worker
                # about 100 ms for a 4000x3000 screenshot.
                made[attached.id] = thumbnail_of(source[1])

        return self._run(f"Attached {filename}.", command,
                         on_done=lambda: self.attachments.set_thumbnails(made))

    def attach_bytes(self, filename: str, data: bytes, content_type: str) -> bool:
        """Attach one file's bytes (in the background)."""
        return self.attach_files([(filename, data, content_type)])

    def attach_files(self, files: list[tuple[str, bytes, str]]) -> bool:
        """Attach files (name, bytes, type) one after the other in one background command;
        it stops at the first one refused."""
        if self._detail is None or not files:
            return False
        me, case_id = self._ui.member_id, self._detail.id
        add = self._ui.services.cases.add_attachment

        def command(_version: int) -> None:
            for filename, data, content_type in files:
                add(me, case_id, filename=filename, data=data, content_type=content_type)

        names = ", ".join(name for name, _data, _type in files)
        return self._run(f"Attached {names}.", command)

    def _on_attachments_files_dropped(self, paths: list) -> None:
        if self._detail is None or self._detail.is_read_only:
            return
        # Files can be large: read them off the UI thread, then store each one.
        self._pool.submit(
            _read_files, list(paths), on_finished=self._on_files_read, on_failed=self._on_files_failed
        )

    def _on_files_read(self, files: list) -> None:
        self.attach_files(files)

    def _on_files_failed(self, error: Exception) -> None:
        self.show_message(f"Could not read the file: {error}", error=True)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and self._detail is not None and not self._detail.is_read_only:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        self.attachments.dropEvent(event)

    def _on_attachments_open_requested(self, attachment_id: int) -> None:
        # Written to a private temp folder off the UI thread, then opened by the desktop.
        self._pool.submit(
            _export_attachment,
            self._ui.services.cases.attachment_content,
            attachment_id,
            on_finished=lambda path: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))),
            on_failed=self._on_files_failed,
        )

    def _load_thumbnails(self, detail: CaseDetail) -> None:
        # Attachments never change: each thumbnail is made once, not on every reload.
        wanted = [attachment.id for attachment in detail.attachments
                  if attachment.content_type in IMAGE_TYPES and not self.attachments.has_thumbnail(attachment.id)
                  and attachment.id not in self._thumbnails_pending]
        if not wanted:
            return
        self._thumbnails_pending.update(wanted)
        content = self._ui.services.cases.attachment_content
        self._pool.submit(
            _thumbnails, content, wanted,
            on_finished=lambda thumbnails: self._on_thumbnails_loaded(wanted, thumbnails),
            on_failed=lambda _error: self._thumbnails_pending.difference_update(wanted),
        )

    def _on_thumbnails_loaded(self, asked: list[int], thumbnails: list) -> None:
        self._thumbnails_pending.difference_update(asked)
        self.attachments.set_thumbnails(dict(thumbnails))

    # -- drafts ----------------------------------------------------------------------------
    def _apply_texts(self, texts: dict) -> None:
        self._restoring = True
        self.summary_edit.setPlainText(texts.get("summary", ""))
        index = self.channel_field.findData(texts.get("channel"))
        if index >= 0:
            self.channel_field.setCurrentIndex(index)
        if "subject" in texts:
            self.subject_edit.setText(texts["subject"])
            self.subject_edit.setModified(True)
        if "description" in texts:
            self.description_edit.setPlainText(texts["description"])
        self._restoring = False

    def _draft_fields(self) -> dict:
        """Only what differs from the saved case is worth keeping."""
        detail = self._detail
        fields = {}
        summary = self.summary_edit.toPlainText()
        if summary.strip():
            fields["summary"] = summary
            fields["channel"] = self.channel_field.currentData()
        if detail is not None and self.subject_edit.text() != detail.subject:
            fields["subject"] = self.subject_edit.text()
        if detail is not None and self.description_edit.toPlainText() != detail.description:
            fields["description"] = self.description_edit.toPlainText()
        return fields

    def _on_editor_text_changed(self, *_args) -> None:
        if not self._restoring and self._detail is not None:
            self._draft_timer.start()

    def save_draft(self) -> None:
        """Keep the unsaved text of the current case: in memory at once (coming back to the
        case restores it) and in the database on the pool, one save at a time so an older
        text never lands after a newer one."""
        self._draft_timer.stop()
        detail = self._detail
        if detail is None or detail.is_read_only:
            return
        key = case_key(detail.id)
        fields = self._draft_fields()
        if fields:
            self._session_drafts[key] = fields
        else:
            self._session_drafts.pop(key, None)
        self._draft_queued = (self._ui.member_id, key, fields, detail.version)
        if not self._draft_saving:
            self._write_next_draft()

    def _write_next_draft(self) -> None:
        if self._draft_queued is None:
            return
        member_id, key, fields, version = self._draft_queued
        self._draft_queued = None
        self._draft_saving = True
        self._pool.submit(
            self._ui.drafts.save,
            member_id,
            key,
            fields,
            version,
            on_finished=self._on_draft_written,
            on_failed=self._on_draft_written,
        )

    def _on_draft_written(self, _result) -> None:
        self._draft_saving = False
        self._write_next_draft()

    def flush_draft(self) -> None:
        """Write the unsaved text now, on this thread (the window is closing)."""
        self._draft_timer.stop()
        self._pool.wait()
        self._draft_saving = False
        self.save_draft()
        self._pool.wait()

    def has_unsaved_text(self) -> bool:
        return bool(self._draft_fields())

    def _clear_editors(self) -> None:
        self._restoring = True
        self.summary_edit.clear()
        self.duration_field.setValue(0)
        self.subject_edit.setModified(False)
        self._restoring = False

    def _reset_editors_to_case(self, subject: str, description: str) -> None:
        """The saved texts are the case's now: not unsaved text (the reload follows)."""
        if self._detail is None:
            return
        self._restoring = True
        self.subject_edit.setText(subject)
        self.subject_edit.setModified(False)
        self.description_edit.setPlainText(description)
        self._restoring = False

    def _offer_draft(self, draft: Draft | None) -> None:
        self.draft_banner.hide()
        self._pending_draft = None
        detail = self._detail
        if detail is None or detail.is_read_only:
            return
        key = case_key(detail.id)
        if key in self._session_drafts:
            self._apply_texts(self._session_drafts[key])
            return
        if draft is None or draft.is_empty:
            return
        self._pending_draft = draft
        saved = draft.saved_at.astimezone(self._zone).strftime(_TIME)
        changed = " The case has changed since then." if draft.base_version != detail.version else ""
        self.draft_label.setText(f"You have unsaved text on this case from {saved}.{changed}")
        self.draft_banner.show()

    def _on_restore_button_clicked(self) -> None:
        if self._pending_draft is not None:
            self._apply_texts(self._pending_draft.fields)
            self._session_drafts[self._pending_draft.key] = self._pending_draft.fields
        self._pending_draft = None
        self.draft_banner.hide()

    def _on_discard_button_clicked(self) -> None:
        if self._pending_draft is not None:
            self._ui.drafts.discard(self._ui.member_id, self._pending_draft.key)
        self._pending_draft = None
        self.draft_banner.hide()


def _read_files(paths: list[str]) -> list[tuple[str, bytes, str]]:
    """Worker: read dropped files (name, bytes, guessed type)."""
    files = []
    for raw in paths:
        path = Path(raw)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        files.append((path.name, path.read_bytes(), content_type))
    return files


def _export_attachment(content: Callable, attachment_id: int) -> Path:
    """Worker: write one attachment to a temp folder so the desktop can open it."""
    info, data = content(attachment_id)
    folder = Path(tempfile.mkdtemp(prefix="helpdesk-attachment-"))
    path = folder / Path(info.filename).name
    path.write_bytes(data)
    return path


def _thumbnails(content: Callable, attachment_ids: list[int]) -> list:
    """Worker: load image attachments and scale them to thumbnails."""
    found = []
    for attachment_id in attachment_ids:
        _info, data = content(attachment_id)
        image = thumbnail_from_bytes(data)
        if image is not None:
            found.append((attachment_id, image))
    return found


@dataclass(frozen=True)
class _CaseView:
    """What the panel shows of one case, read together on a pool thread."""

    detail: CaseDetail
    timeline: list
    audit: list
    draft: Draft | None
    mail_configured: bool
    attachment_limit: int
    categories: list = field(default_factory=list)
    situation: object = None  # ClientSituation
    contacts: list = field(default_factory=list)


def _read_case(ui: UiContext, case_id: int) -> _CaseView:
    """Worker: the case, its timeline, audit trail, my draft of it and whether email is on."""
    cases = ui.services.cases
    settings = ui.services.settings.get()
    detail = cases.get_case(case_id)
    return _CaseView(
        detail,
        list(cases.timeline(case_id)),
        list(cases.audit_trail(case_id)),
        ui.drafts.load(ui.member_id, case_key(case_id)),
        settings.mail_configured,
        settings.attachment_max_bytes,
        ui.services.categories.list_categories(),
        ui.services.abroad.situation(detail.client_id),
        ui.services.contacts.list_contacts(detail.client_id),
    )


def _clipboard_png(source: tuple[str, object]) -> bytes:
    """Worker: PNG bytes of a pasted image (a PNG as it came; other images re-encoded)."""
    kind, value = source
    if kind == "image":
        return image_to_png(value)
    data = bytes(value.data())
    if data.startswith(_PNG_SIGNATURE):
        return data
    buffer = QBuffer()
    buffer.setData(value)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    # QImageReader rather than QImage.fromData: it lets the window's thread run meanwhile,
    # and tells the size from the header, before anything is decoded.
    reader = QImageReader(buffer)
    size = reader.size()
    if size.isValid() and size.width() * size.height() > MAX_IMAGE_PIXELS:
        raise ValidationError(
            "file", f"the clipboard image is {size.width()} x {size.height()} pixels, too large to "
            "attach; paste a smaller part of the screen")
    image = reader.read()
    if image.isNull():
        raise ValidationError("file", "the clipboard image could not be read")
    return image_to_png(image)
