"""The Administration dialog: Team, Closures, Settings, Clients and Deliveries pages over the services."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_helpdesk.domain.cases import MemberRole
from desktop_helpdesk.services.abroad import HolidayArrangement
from desktop_helpdesk.services.canned_replies import CannedReply
from desktop_helpdesk.services.categories import Category
from desktop_helpdesk.services.context import TeamSettings
from desktop_helpdesk.services.deliveries import DeliveryAlerts, DeliveryItem
from desktop_helpdesk.services.dto import ClientSummary, ContactMatch, MemberSummary
from desktop_helpdesk.services.email_templates import EmailTemplate
from desktop_helpdesk.services.permissions import Actions, may
from desktop_helpdesk.services.settings import Closure
from desktop_helpdesk.ui.admin.canned_replies_page import CannedRepliesPage
from desktop_helpdesk.ui.admin.categories_page import CategoriesPage
from desktop_helpdesk.ui.admin.clients_page import ClientsPage
from desktop_helpdesk.ui.admin.closures_page import ClosuresPage
from desktop_helpdesk.ui.admin.deliveries_page import DeliveriesPage
from desktop_helpdesk.ui.admin.email_templates_page import EmailTemplatesPage
from desktop_helpdesk.ui.admin.holiday_cover_page import HolidayCoverPage
from desktop_helpdesk.ui.admin.pages import PagesDialog
from desktop_helpdesk.ui.admin.settings_page import (
    FolderChooser,
    SettingsPage,
    choose_folder_dialog,
)
from desktop_helpdesk.ui.admin.team_page import TeamPage
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.workers import WorkerPool

log = logging.getLogger(__name__)

_STYLE = """
QTableView { background: #ffffff; border: 1px solid #e2e8f0; border-radius: 6px;
             alternate-background-color: #f8fafc; selection-background-color: #bfdbfe;
             selection-color: #0f172a; }
QDateEdit { border: 1px solid #cbd5e1; border-radius: 6px; padding: 4px 6px; background: #ffffff; }
"""


@dataclass(frozen=True)
class AdminSnapshot:
    """Everything the dialog lists, read in one worker run."""

    members: list[MemberSummary]
    closures: list[Closure]
    settings: TeamSettings
    clients: list[ClientSummary]
    categories: list[Category]
    arrangements: list[HolidayArrangement]
    deliveries: list[DeliveryItem]
    delivery_alerts: DeliveryAlerts
    email_templates: list[EmailTemplate]
    canned_replies: list[CannedReply]


def load_snapshot(services, member_id: int | None = None) -> AdminSnapshot:
    """Read the team (deactivated members too), closures, settings and clients (worker thread)."""
    return AdminSnapshot(
        members=services.team.list_members(include_inactive=True),
        closures=services.settings.list_closures(),
        settings=services.settings.get(),
        clients=services.contacts.list_clients(),
        categories=services.categories.list_categories(include_inactive=True),
        arrangements=services.abroad.list_arrangements(
            from_day=services.context.now().astimezone(services.context.calendar.zone).date()),
        deliveries=services.deliveries.undelivered(),
        delivery_alerts=services.deliveries.alerts(),
        email_templates=services.email_templates.list_templates(),
        canned_replies=services.canned_replies.list_for(member_id, include_inactive=True)
        if member_id is not None else [],
    )


class AdminDialog(PagesDialog):
    """Team members, company closures, team settings and clients, each change through a service.

    Lists load in the window's worker pool, and so do commands (``commands``: the page is busy
    meanwhile); a refused command shows the service's message in the dialog's message bar,
    focusing the field it names.

    Signals:
        loaded(): the lists were (re)loaded.
        contacts_loaded(int): the selected client's contacts were loaded (client id).
        changed(): a command succeeded (the window refreshes its lists and SLA clocks).

    Args:
        ui: services, clock and the signed-in member.
        pool: the window's worker pool.
        parent: the Qt parent (the main window).
        choose_folder: asks for the CRM drop folder (tests pass a fake).
    """

    contacts_loaded = Signal(int)
    changed = Signal()

    def __init__(self, ui: UiContext, pool: WorkerPool, parent: QWidget | None = None, *,
                 choose_folder: FolderChooser = choose_folder_dialog) -> None:
        super().__init__(pool, parent, name="adminDialog", title="Administration")
        self.setStyleSheet(_STYLE)
        self._ui = ui
        self._generation = 0

        title = QLabel("Administration", self)
        title.setProperty("role", "dialogTitle")
        subtitle = QLabel(
            "Team, company closures, team settings, clients and deliveries to the CRM and clients. "
            "Every change is saved at once and kept in the audit log.",
            self,
        )
        subtitle.setProperty("role", "hint")
        subtitle.setWordWrap(True)
        self.read_only_note = QLabel(
            "You can look around, but only supervisors and admins can change the team, closures "
            "and settings.",
            self,
        )
        self.read_only_note.setObjectName("adminReadOnlyNote")
        self.read_only_note.setProperty("role", "readOnlyNote")
        self.read_only_note.setWordWrap(True)
        self.read_only_note.hide()

        commands = self.commands
        self.team_page = TeamPage(ui, commands, self)
        self.closures_page = ClosuresPage(ui, commands, self)
        self.settings_page = SettingsPage(ui, commands, choose_folder, self)
        self.clients_page = ClientsPage(ui, commands, self)
        self.categories_page = CategoriesPage(ui, commands, self)
        self.holiday_cover_page = HolidayCoverPage(ui, commands, self)
        self.clients_page.client_selected.connect(self._on_clients_page_client_selected)
        self.deliveries_page = DeliveriesPage(ui, commands, self)
        self.email_templates_page = EmailTemplatesPage(ui, commands, pool, self)
        self.canned_replies_page = CannedRepliesPage(ui, commands, self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("adminTabs")
        # No mnemonics on the tabs (Ctrl+Tab switches them): the form labels need the letters.
        self.tabs.addTab(self.team_page, "Team")
        self.tabs.addTab(self.closures_page, "Closures")
        self.tabs.addTab(self.settings_page, "Settings")
        self.tabs.addTab(self.clients_page, "Clients")
        self.tabs.addTab(self.categories_page, "Categories")
        self.tabs.addTab(self.holiday_cover_page, "Holiday cover")
        self.tabs.addTab(self.deliveries_page, "Deliveries")
        self.tabs.addTab(self.email_templates_page, "Email templates")
        self.tabs.addTab(self.canned_replies_page, "Canned replies")

        buttons = self.close_button_box()

        # Title and explanation on one line, tight margins: the dialog fits a 768-pixel-high
        # laptop screen with its Close button in reach.
        header = QHBoxLayout()
        header.setSpacing(14)
        header.addWidget(title)
        header.addWidget(subtitle, 1, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 8)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.read_only_note)
        message_row = QHBoxLayout()
        message_row.addWidget(self.message, 1)
        layout.addLayout(message_row)
        # The pages scroll when the screen is shorter than they are tall (a 768-pixel laptop),
        # so the dialog and its Close button stay on the screen.
        self.pages_area = QScrollArea(self)
        self.pages_area.setObjectName("adminPagesArea")
        self.pages_area.setWidgetResizable(True)
        self.pages_area.setFrameShape(QFrame.Shape.NoFrame)
        self.pages_area.setWidget(self.tabs)
        layout.addWidget(self.pages_area, 1)
        layout.addWidget(buttons)
        self.resize(_fitting_size(parent))

    # -- loading ---------------------------------------------------------------------------
    def reload(self) -> None:
        """Re-read every list in the worker pool; the newest request wins."""
        self._generation += 1
        generation = self._generation
        self._pool.submit(
            load_snapshot,
            self._ui.services,
            self._ui.member_id,
            on_finished=lambda snapshot: self._on_snapshot_loaded(generation, snapshot),
            on_failed=self._on_load_failed,
        )

    def _on_snapshot_loaded(self, generation: int, snapshot: AdminSnapshot) -> None:
        if generation != self._generation or self._closed:
            return
        self.team_page.set_members(snapshot.members)
        if self.team_page.selected_member() is None and snapshot.members:
            # Open on someone so the member form shows what it edits: yourself, else the first.
            if not self.team_page.select_member(self._ui.member_id):
                self.team_page.select_member(snapshot.members[0].id)
        self.closures_page.set_closures(snapshot.closures)
        self.settings_page.set_settings(snapshot.settings)
        self.clients_page.set_clients(snapshot.clients)
        self.categories_page.set_categories(snapshot.categories)
        self.holiday_cover_page.set_arrangements(snapshot.arrangements)
        self.deliveries_page.set_deliveries(snapshot.deliveries, snapshot.delivery_alerts)
        me = next((m for m in snapshot.members if m.id == self._ui.member_id), None)
        role = me.role if me is not None else ""
        self.email_templates_page.set_templates(snapshot.email_templates,
                                                may(role, Actions.EDIT_EMAIL_TEMPLATES))
        self.canned_replies_page.set_replies(snapshot.canned_replies,
                                             may(role, Actions.MANAGE_TEAM_CANNED_REPLIES))
        self.read_only_note.setVisible(me is None or not MemberRole(me.role).manages_team)
        self.loaded.emit()

    def _on_load_failed(self, error: Exception) -> None:
        if not self._closed:
            self.show_message(f"Could not load the administration lists: {error}", error=True)

    def _on_clients_page_client_selected(self, client_id: int) -> None:
        def shown(contacts: list[ContactMatch]) -> None:
            if self._closed:
                return
            self.clients_page.set_contacts(client_id, contacts)
            self.contacts_loaded.emit(client_id)

        self._pool.submit(
            self._ui.services.contacts.list_contacts, client_id, on_finished=shown, on_failed=self._on_load_failed
        )

    def _on_command_done(self) -> None:
        self.changed.emit()
        self.reload()

    # -- opening and closing ---------------------------------------------------------------
    def open_page(self, page: QWidget | None = None) -> None:
        """Show the dialog (window-modal) on ``page`` and reload its lists."""
        self._closed = False
        self.message.hide()
        if page is not None:
            self.tabs.setCurrentWidget(page)
        self.reload()
        self.open()
        self.raise_()
        self.activateWindow()


# Room a laptop keeps for the title bar and the task bar.
_WINDOW_CHROME = 72


def _fitting_size(parent: QWidget | None) -> QSize:
    """1280 x 740, or less on a smaller screen (a 1366 x 768 laptop): the dialog must never
    reach past the bottom of the screen, where its Close button would be out of reach."""
    if parent is not None and parent.isVisible():
        # The window the desk works in (maximised on a laptop) measures the screen it is on.
        room = parent.window().size()
    else:
        screen = parent.screen() if parent is not None else QGuiApplication.primaryScreen()
        room = screen.availableGeometry().size() if screen is not None else QSize(1280, 812)
    return QSize(min(1280, room.width() - 24), min(740, room.height() - _WINDOW_CHROME))
