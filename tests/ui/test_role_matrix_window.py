"""The window follows the role matrix: what a role may not do is not offered (the services
refuse it anyway: tests/services/test_role_matrix.py)."""

import pytest
from PySide6.QtWidgets import QTabWidget, QToolBar

from desktop_helpdesk.services.permissions import Actions
from desktop_helpdesk.ui import account_menu, admin, backup_runner, supervisor
from desktop_helpdesk.ui.admin.admin_dialog import AdminDialog
from desktop_helpdesk.ui.context import UiContext
from tests.ui.conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)


@pytest.mark.parametrize("role", ["agent", "supervisor", "admin"])
def test_each_role_sees_only_what_it_may_do(qtbot, make_window, ui, db_path, role):
    person = ui.services.team.add_member(ui.member_id, f"{role}1", f"{role.title()} One", role=role)
    window = make_window(UiContext.for_member(ui.services, ui.clock, person))
    supervisor.install(window)
    administration = admin.install(window)
    runner = backup_runner.install(window, db_path)
    menu = account_menu.install(window, role, has_password=False, backups=runner).menu()

    toolbar = window.findChild(QToolBar, "mainToolBar")
    offered = {
        "administration": administration is not None and administration in toolbar.actions(),
        "supervisor tab": any(tabs.tabText(i) == "Supervisor" for tabs in window.findChildren(QTabWidget)
                              for i in range(tabs.count())),
        "back up now": "actionBackUpNow" in [a.objectName() for a in menu.actions()],
        "change own password": "actionChangePassword" in [a.objectName() for a in menu.actions()],
    }
    manages = Actions.ADD_MEMBER.allows(role)
    assert offered == {
        "administration": manages,
        "supervisor tab": Actions.SEE_REPORTS.allows(role),
        "back up now": Actions.RUN_BACKUP.allows(role),
        "change own password": Actions.CHANGE_OWN_PASSWORD.allows(role),
    }
    if manages:
        administration.trigger()
        dialog = window.findChild(AdminDialog, "adminDialog")
        qtbot.waitUntil(lambda: dialog.team_page.select_member(ui.member_id), timeout=5000)
        visible = dialog.team_page.reset_password_button.isVisible()
        assert visible is Actions.RESET_PASSWORD.allows(role)
        dialog.done(0)
