"""The toolbar's account menu: change my password, back up now (supervisors and admins)."""

from __future__ import annotations

from PySide6.QtWidgets import QMenu, QToolBar, QToolButton

from desktop_helpdesk.services.accounts import AccountService
from desktop_helpdesk.services.permissions import Actions, may
from desktop_helpdesk.ui.dialogs.sign_in import SetPasswordDialog
from desktop_helpdesk.ui.form_fields import named


def install(window, role: str, *, has_password: bool, backups=None) -> QToolButton:
    """Add an "Account" menu button at the right end of the main toolbar.

    Args:
        window: the main window.
        role: the signed-in member's role (what the menu offers follows the role matrix).
        has_password: whether they have a password (the dialog then asks for it first).
        backups: the window's ``BackupRunner`` (None: no "Back up now", e.g. PostgreSQL).

    Returns:
        The tool button (its menu holds the actions).
    """
    ui = window.ui_context
    accounts = AccountService(ui.services.context)
    button = QToolButton(window)
    named(button, "accountMenuButton")
    button.setText("Account")
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    menu = QMenu(button)
    menu.setObjectName("accountMenu")
    change = menu.addAction("Change my password…")
    change.setObjectName("actionChangePassword")
    state = {"has_password": has_password}

    def change_password() -> None:
        dialog = SetPasswordDialog(
            lambda current, new: accounts.change_own_password(ui.member_id, current, new),
            has_password=state["has_password"],
            reason="Choose a new password (at least 8 characters).", parent=window)
        dialog.setObjectName("changePasswordDialog")
        dialog.accepted.connect(lambda: state.update(has_password=True))
        dialog.open()

    change.triggered.connect(change_password)
    if backups is not None and may(role, Actions.RUN_BACKUP):
        back_up = menu.addAction("Back up the database now")
        back_up.setObjectName("actionBackUpNow")
        back_up.triggered.connect(lambda: backups.run(actor_id=ui.member_id))
    button.setMenu(menu)
    toolbar = window.findChild(QToolBar, "mainToolBar")
    if toolbar is not None:
        toolbar.addWidget(button)
    return button
