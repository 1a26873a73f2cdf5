"""Start-up sign-in: the first-admin wizard, the name picker of a team without passwords (then
"set your password"), the password dialog, ``--user`` with HELPDESK_PASSWORD, and headless
``--screenshot`` runs that never wait for a dialog nobody can see."""

import argparse
import io
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication

from desktop_helpdesk import app
from desktop_helpdesk.app import EXIT_OK, EXIT_USAGE, main
from desktop_helpdesk.cli.admin import main as admin_main
from desktop_helpdesk.domain.clock import ManualClock
from desktop_helpdesk.services.accounts import AccountService
from desktop_helpdesk.services.container import Services
from desktop_helpdesk.storage.db import close_database, database, open_database
from desktop_helpdesk.ui.dialogs.member_picker import MemberPickerDialog
from desktop_helpdesk.ui.dialogs.sign_in import FirstAdminDialog, SetPasswordDialog, SignInDialog
from tests.conftest import halifax
from tests.ui.conftest import OFFSCREEN_NOISE

pytestmark = pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE)

FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
NOW = halifax(2026, 11, 25, 9, 0)


@pytest.fixture
def unbind_database():
    yield
    close_database()
    database.initialize(None)


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "ui-state.ini"), QSettings.Format.IniFormat)


def _visible(kind, condition=lambda widget: True):
    def find():
        return next((w for w in QApplication.topLevelWidgets()
                     if isinstance(w, kind) and w.isVisible() and condition(w)), None)
    return find


class Driver:
    """Acts on start-up dialogs from inside their own event loops, in order: each step waits
    until its widget is shown (and ready), acts, then the next step waits. A step that never
    comes rejects the open dialog after ~20 s so a broken start-up fails instead of hanging."""

    def __init__(self, *steps):
        self._steps = list(steps)
        self.done = []
        self._left = 1000
        self._timer = QTimer()
        self._timer.setObjectName("signInDriverTimer")
        self._timer.setInterval(20)
        self._timer.timeout.connect(self._poll)
        self._timer.start()

    def _poll(self):
        self._left -= 1
        if not self._steps or self._left <= 0:
            self.stop()
            modal = QApplication.activeModalWidget()
            if self._steps and modal is not None:
                modal.reject()
            return
        find, act = self._steps[0]
        widget = find()
        if widget is not None:
            self._steps.pop(0)
            self.done.append(type(widget).__name__)
            act(widget)

    def stop(self):
        self._timer.stop()


def _args(**values):
    return argparse.Namespace(**{"user": None, "demo": False, "screenshot": None, "db": None, **values})


def _team_without_passwords(path):
    open_database(path)
    services = Services.create(ManualClock(NOW))
    dana = services.team.bootstrap_admin("dana", "Dana Desk")
    ben = services.team.add_member(dana.id, "ben", "Ben Agent")
    return services, dana.id, ben.id


def _type_passwords(new, confirm=None):
    def act(dialog):
        if dialog.current is not None:
            dialog.current.setText(new[1])
        dialog.password.setText(new[0])
        dialog.confirm.setText(confirm if confirm is not None else new[0])
        dialog.ok_button.click()
    return act


def test_a_team_without_passwords_picks_a_name_then_sets_a_password(qapp, qtbot, tmp_path, settings,
                                                                     unbind_database):
    services, dana_id, ben_id = _team_without_passwords(tmp_path / "desk.sqlite3")
    accounts = AccountService(services.context, FAST_HASHER)
    seen = {}

    def choose_dana(picker):
        seen["first_preselected"] = picker.chosen_member_id()
        qtbot.keyClicks(picker.list, "Dana")
        qtbot.keyClick(picker.list, Qt.Key.Key_Return)

    def refuse_then_set(dialog):
        dialog.password.setText("short")
        dialog.confirm.setText("short")
        dialog.ok_button.click()

    driver = Driver(
        (_visible(MemberPickerDialog), choose_dana),
        (_visible(SetPasswordDialog), refuse_then_set),
        (_visible(SetPasswordDialog, lambda d: "at least 8" in d.message.text()),
         _type_passwords(("dana's own password", None))),
    )
    member = app.sign_in(_args(), services, settings, accounts)
    driver.stop()

    assert driver.done == ["MemberPickerDialog", "SetPasswordDialog", "SetPasswordDialog"]
    assert seen["first_preselected"] == ben_id
    assert member.id == dana_id
    assert int(settings.value("signIn/memberId")) == dana_id
    assert settings.value("signIn/username") == "dana"
    # Dana is an admin: from now on everyone needs a password.
    assert accounts.passwords_required()


def test_the_password_dialog_remembers_the_username_and_never_the_password(qapp, tmp_path, settings,
                                                                            unbind_database):
    services, dana_id, _ = _team_without_passwords(tmp_path / "desk.sqlite3")
    accounts = AccountService(services.context, FAST_HASHER)
    accounts.change_own_password(dana_id, None, "dana's own password")
    settings.setValue("signIn/username", "dana")

    def wrong(dialog):
        assert dialog.username.text() == "dana"
        dialog.password.setText("not it")
        dialog.ok_button.click()

    def after_refusal(dialog):
        assert dialog.password.text() == ""  # cleared after the refusal
        services.context.clock.advance(timedelta(seconds=1))  # past the 1 s slow-down
        dialog.password.setText("dana's own password")
        dialog.ok_button.click()

    driver = Driver(
        (_visible(SignInDialog), wrong),
        (_visible(SignInDialog, lambda d: "Wrong username or password" in d.message.text()), after_refusal),
    )
    member = app.sign_in(_args(), services, settings, accounts)
    driver.stop()

    assert member.id == dana_id
    stored = {key: settings.value(key) for key in settings.allKeys()}
    assert stored == {"signIn/username": "dana"}


def test_cancelling_starts_nothing_and_remembers_nothing(qapp, tmp_path, settings, unbind_database):
    services, _, _ = _team_without_passwords(tmp_path / "desk.sqlite3")
    settings.setValue("signIn/memberId", "not a number")
    driver = Driver((_visible(MemberPickerDialog), lambda picker: picker.reject()))
    assert app.sign_in(_args(), services, settings, AccountService(services.context, FAST_HASHER)) == EXIT_OK
    driver.stop()
    assert settings.value("signIn/memberId") == "not a number"


def test_the_first_start_creates_the_first_admin_with_a_password(qapp, tmp_path, settings, unbind_database):
    open_database(tmp_path / "new.sqlite3")
    services = Services.create(ManualClock(NOW))
    accounts = AccountService(services.context, FAST_HASHER)

    def fill(dialog):
        dialog.name.setText("Ada Admin")
        assert dialog.username.text() == "adaadmin"
        dialog.username.setText("ada")
        dialog.password.setText("a long password")
        dialog.confirm.setText("a long password")
        dialog.ok_button.click()

    driver = Driver((_visible(FirstAdminDialog), fill))
    member = app.sign_in(_args(), services, settings, accounts)
    driver.stop()

    assert (member.username, member.role, member.has_password) == ("ada", "admin", True)
    assert accounts.sign_in("ada", "a long password").member.id == member.id


def test_screenshots_never_wait_for_a_dialog(qapp, tmp_path, unbind_database, capsys):
    fresh = tmp_path / "fresh.sqlite3"
    assert main(["--db", str(fresh), "--new", "--screenshot", str(tmp_path / "x.png")]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "--screenshot: the database has no team yet" in err and "admin create" in err
    close_database()
    services, _, _ = _team_without_passwords(tmp_path / "team.sqlite3")
    close_database()
    assert main(["--db", str(tmp_path / "team.sqlite3"), "--screenshot", str(tmp_path / "y.png")]) == EXIT_USAGE
    assert "--screenshot: say who signs in with --user NAME" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists() and not (tmp_path / "y.png").exists()


def test_headless_first_admin_then_user_with_password_from_the_environment(
        qapp, tmp_path, unbind_database, capsys, monkeypatch):
    path = tmp_path / "desk.sqlite3"
    out, err = io.StringIO(), io.StringIO()
    code = admin_main(["create", "--db", str(path), "--new", "--username", "ada", "--name", "Ada Admin",
                       "--role", "admin"], clock=ManualClock(NOW), out=out, err=err,
                      environ={"HELPDESK_ADMIN_PASSWORD": "a long password"})
    assert (code, err.getvalue()) == (0, "")
    assert out.getvalue().strip() == "Created admin ada (Ada Admin)"
    close_database()

    # The team has a password now: --user alone is refused with the way out...
    assert main(["--db", str(path), "--user", "ada", "--screenshot", str(tmp_path / "a.png")]) == EXIT_USAGE
    assert "HELPDESK_PASSWORD" in capsys.readouterr().err
    # ...a wrong password is refused...
    monkeypatch.setenv("HELPDESK_PASSWORD", "wrong password")
    assert main(["--db", str(path), "--user", "ada", "--screenshot", str(tmp_path / "b.png")]) == 1
    assert "Wrong username or password" in capsys.readouterr().err
    # ...and the right one signs in (after the slow-down of the one failure has passed).
    open_database(path)
    AccountService(Services.create(ManualClock(NOW)).context).unlock(None, 1)
    close_database()
    monkeypatch.setenv("HELPDESK_PASSWORD", "a long password")
    png = tmp_path / "c.png"
    assert main(["--db", str(path), "--user", "ada", "--screenshot", str(png)]) == EXIT_OK
    assert png.exists()


def test_admin_command_refuses_without_a_password_and_names_bad_fields(tmp_path, unbind_database):
    path = tmp_path / "desk.sqlite3"

    def run(*argv, environ=None, typed=()):
        answers = iter(typed)
        out, err = io.StringIO(), io.StringIO()
        code = admin_main(list(argv), clock=ManualClock(NOW), out=out, err=err, environ=environ or {},
                          read_password=lambda prompt: next(answers))
        return code, out.getvalue(), err.getvalue()

    code, _, err = run("create", "--db", str(path), "--username", "ada", "--name", "Ada",
                       "--role", "admin", typed=("a long password", "a long password"))
    assert code == 2 and "--db: no database file at" in err  # a typo must not create a database
    code, _, err = run("create", "--db", str(path), "--new", "--username", "ada", "--name", "Ada",
                       "--role", "admin", typed=("a long password", "another one"))
    assert code == 2 and "the two passwords differ" in err
    code, _, err = run("create", "--db", str(path), "--new", "--username", "ada", "--name", "Ada",
                       "--role", "admin", typed=("short", "short"))
    assert code == 1 and "password: must be at least 8 characters" in err
    code, out, _ = run("create", "--db", str(path), "--new", "--username", "ada", "--name", "Ada",
                       "--role", "admin", typed=("a long password", "a long password"))
    assert code == 0
    code, out, err = run("reset-password", "--db", str(path), "--username", "nobody",
                         typed=("x" * 9, "x" * 9))
    assert code == 1 and "--username: no team member 'nobody'" in err
    code, out, _ = run("unlock", "--db", str(path), "--username", "ada", "--json")
    assert code == 0 and '"username": "ada"' in out
