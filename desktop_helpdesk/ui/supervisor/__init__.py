"""Supervisor view: team queue review, reassignment, report panels with charts, and exports."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from desktop_helpdesk.services.errors import PermissionDenied
from desktop_helpdesk.services.permissions import acting_member, is_manager


def install(window) -> None:
    """Add the Supervisor tab to the main window for supervisors and admins.

    The view follows the window's ticker: the 1 s tick recounts from memory and the 30 s
    refresh reloads open cases in the window's worker pool. Agents get no tab (the report
    service refuses them too).
    """
    from desktop_helpdesk.ui.supervisor.supervisor_view import SupervisorView

    ui = window.ui_context
    try:
        if not is_manager(acting_member(ui.member_id)):
            return
    except PermissionDenied:
        return
    view = SupervisorView(ui, window.pool, window)
    window.add_panel("Supervisor", view, "supervisorView")
    window.ticker.ticked.connect(view.on_ticked)
    window.ticker.refresh_due.connect(view.refresh)
    application = QCoreApplication.instance()
    if application is not None:
        # A running export is cancelled and waited for before the database closes.
        application.aboutToQuit.connect(view.shutdown)
    view.refresh()
    view.refresh_reports()
