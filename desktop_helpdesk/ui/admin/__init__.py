"""Administration: team members, company closures, team settings and clients, from the main window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence, QPixmap
from PySide6.QtWidgets import QToolBar, QToolButton

from desktop_helpdesk.services.errors import PermissionDenied
from desktop_helpdesk.services.permissions import acting_member, is_manager

# A gear in the style of resources/icons (24 px grid, 2 px blue stroke); kept here because
# resources/ belongs to the UI engineer (it can move to resources/icons/admin.svg).
_GEAR_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48" viewBox="0 0 24 24"
fill="none" stroke="#2563eb" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
<circle cx="12" cy="12" r="3"/><path d="M19.4 15a1.65 1.65 0 0 0 .33 1.82l.06.06a2 2 0 1 1-2.83
2.83l-.06-.06a1.65 1.65 0 0 0-1.82-.33 1.65 1.65 0 0 0-1 1.51V21a2 2 0 0 1-4 0v-.09A1.65 1.65
0 0 0 9 19.4a1.65 1.65 0 0 0-1.82.33l-.06.06a2 2 0 1 1-2.83-2.83l.06-.06A1.65 1.65 0 0 0 4.68
15a1.65 1.65 0 0 0-1.51-1H3a2 2 0 0 1 0-4h.09A1.65 1.65 0 0 0 4.6 9a1.65 1.65 0 0 0-.33-1.82
l-.06-.06a2 2 0 1 1 2.83-2.83l.06.06A1.65 1.65 0 0 0 9 4.6a1.65 1.65 0 0 0 1-1.51V3a2 2 0 0 1
4 0v.09a1.65 1.65 0 0 0 1 1.51 1.65 1.65 0 0 0 1.82-.33l.06-.06a2 2 0 1 1 2.83 2.83l-.06.06A1.65
1.65 0 0 0 19.4 9a1.65 1.65 0 0 0 1.51 1H21a2 2 0 0 1 0 4h-.09a1.65 1.65 0 0 0-1.51 1z"/></svg>"""


def admin_icon() -> QIcon:
    pixmap = QPixmap()
    pixmap.loadFromData(_GEAR_SVG, "SVG")
    return QIcon(pixmap)


def install(window) -> QAction | None:
    """Add the "Administration…" action (Ctrl+Shift+A) to the main window's toolbar for
    supervisors and admins; agents get nothing (the services refuse them anyway).

    The dialog is built on first use, kept as a child of the window and reloaded each time it
    opens; after a change the window refreshes its lists and SLA clocks (closures move them)
    and CRM sync runs at once (the drop folder may just have been set).

    Returns:
        The action, or None for an agent.
    """
    ui = window.ui_context
    try:
        if not is_manager(acting_member(ui.member_id)):
            return None
    except PermissionDenied:
        return None
    action = QAction(admin_icon(), "Administration…", window)
    action.setObjectName("actionAdministration")
    action.setShortcut(QKeySequence("Ctrl+Shift+A"))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.setToolTip("Team members, company closures, team settings and clients (Ctrl+Shift+A)")
    action.triggered.connect(lambda: open_admin_dialog(window))
    toolbar = window.findChild(QToolBar, "mainToolBar")
    if toolbar is None:
        window.addAction(action)
        return action
    # Beside "Log a call" and "Refresh", before the spacer that pushes "Signed in as" right.
    spacer = next(
        (a for a in toolbar.actions() if not isinstance(toolbar.widgetForAction(a), QToolButton)), None
    )
    if spacer is None:
        toolbar.addAction(action)
    else:
        toolbar.insertAction(spacer, action)
    return action


def open_admin_dialog(window, page: str | None = None):
    """Open (or raise) the window's Administration dialog, optionally on a page
    (``"team"``, ``"closures"``, ``"settings"``, ``"clients"``, ``"categories"``). Returns the dialog."""
    from desktop_helpdesk.ui.admin.admin_dialog import AdminDialog
    from desktop_helpdesk.ui.team_jobs import TeamJobRunner

    dialog = window.findChild(AdminDialog, "adminDialog")
    if dialog is None:
        dialog = AdminDialog(window.ui_context, window.pool, window)
        # Through the ticker's refresh signal, so the case list and every panel that follows it
        # (e.g. the Supervisor tab) pick up new members, closures and settings at once.
        dialog.changed.connect(window.ticker.refresh_due)
        runner = window.findChild(TeamJobRunner, "teamJobRunner")
        if runner is not None:
            # A CRM target or SMTP server set a moment ago gets the waiting events now, not
            # within the minute.
            dialog.changed.connect(lambda *_args: runner.run_now())
    pages = {
        "team": dialog.team_page,
        "closures": dialog.closures_page,
        "settings": dialog.settings_page,
        "clients": dialog.clients_page,
        "categories": dialog.categories_page,
        "holiday_cover": dialog.holiday_cover_page,
        "deliveries": dialog.deliveries_page,
    }
    dialog.open_page(pages.get(page) if page else None)
    return dialog
