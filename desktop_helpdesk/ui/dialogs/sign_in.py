"""Start-up account dialogs: sign in with a password, create the first admin, set a password.

Password hashing (Argon2id) takes a noticeable moment, so each check runs on a worker thread
while the dialog shows that it is working.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_helpdesk.ui.form_fields import dialog_buttons, line_field, named
from desktop_helpdesk.ui.workers import WorkerPool


class _WorkingDialog(QDialog):
    """A form whose OK runs ``work(values)`` in the background: success accepts the dialog
    (``result_value`` holds what ``work`` returned), an error is shown under the form.

    Signals (inherited): ``accepted``, ``rejected``, ``finished``.
    """

    def __init__(self, title: str, intro: str, ok_text: str, work: Callable[[dict], Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(400)
        self._work = work
        self._pool = WorkerPool(self, max_threads=1)
        self.result_value: Any = None
        self.intro = QLabel(intro, self)
        self.intro.setWordWrap(True)
        self.form = QFormLayout()
        self.message = QLabel("", self)
        named(self.message, "signInMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b42318;")
        self.buttons = dialog_buttons(self, ok_text=ok_text, on_accepted=self.submit)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def _field(self, label: str, name: str, *, secret: bool = False, text: str = "") -> QLineEdit:
        field = line_field(self, name, text=text)
        if secret:
            field.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.addRow(label, field)
        return field

    def values(self) -> dict:
        raise NotImplementedError

    def check(self, values: dict) -> str:
        """A message for input refused before any work ("" when fine)."""
        return ""

    def submit(self) -> None:
        values = self.values()
        problem = self.check(values)
        if problem:
            self.message.setText(problem)
            return
        self.ok_button.setEnabled(False)
        self.message.setStyleSheet("color: #5f6b7a;")
        self.message.setText("Checking…")
        self._pool.submit(self._work, values, on_finished=self._on_work_finished,
                          on_failed=self._on_work_failed)

    def _on_work_finished(self, result: Any) -> None:
        self.result_value = result
        self.message.setText("")
        self.accept()

    def _on_work_failed(self, error: Exception) -> None:
        self.ok_button.setEnabled(True)
        self.message.setStyleSheet("color: #b42318;")
        self.message.setText(str(error))
        self.on_refused()

    def on_refused(self) -> None:
        """Called after a refusal (e.g. to clear the password)."""

    def done(self, result: int) -> None:
        self._pool.close()
        super().done(result)


class SignInDialog(_WorkingDialog):
    """Username and password; the last username is filled in (never the password)."""

    def __init__(self, sign_in: Callable[[str, str], Any], last_username: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__("Sign in to Desktop Helpdesk", "Sign in with your username and password.",
                         "Sign in", lambda v: sign_in(v["username"], v["password"]), parent)
        self.setObjectName("signInDialog")
        self.username = self._field("Username", "signInUsername", text=last_username)
        self.password = self._field("Password", "signInPassword", secret=True)
        (self.password if last_username else self.username).setFocus()

    def values(self) -> dict:
        return {"username": self.username.text().strip(), "password": self.password.text()}

    def check(self, values: dict) -> str:
        if not values["username"]:
            return "Type your username."
        if not values["password"]:
            return "Type your password."
        return ""

    def on_refused(self) -> None:
        self.password.clear()
        self.password.setFocus()


class FirstAdminDialog(_WorkingDialog):
    """First start on an empty database: the person at the desk becomes the first admin."""

    def __init__(self, create: Callable[[str, str, str], Any], parent: QWidget | None = None) -> None:
        super().__init__(
            "Welcome to Desktop Helpdesk",
            "This database has no team yet. Create the first admin account: you can add the "
            "rest of the team from Administration afterwards.",
            "Create admin",
            lambda v: create(v["username"], v["name"], v["password"]),
            parent,
        )
        self.setObjectName("firstAdminDialog")
        self.name = self._field("Your name", "firstAdminName")
        self.username = self._field("Username", "firstAdminUsername")
        self.password = self._field("Password", "firstAdminPassword", secret=True)
        self.confirm = self._field("Password again", "firstAdminConfirm", secret=True)
        self.name.textChanged.connect(self._suggest_username)
        self._suggested = ""

    def _suggest_username(self, name: str) -> None:
        suggestion = "".join(ch for ch in name.lower() if ch.isalnum() or ch in "._-")
        if self.username.text() in ("", self._suggested):
            self.username.setText(suggestion)
        self._suggested = suggestion

    def values(self) -> dict:
        return {"name": self.name.text().strip(), "username": self.username.text().strip(),
                "password": self.password.text(), "confirm": self.confirm.text()}

    def check(self, values: dict) -> str:
        if not values["name"]:
            return "Type your name."
        if values["password"] != values["confirm"]:
            return "The two passwords differ."
        return ""


class SetPasswordDialog(_WorkingDialog):
    """Set or change one's own password (the current one is asked when there is one)."""

    def __init__(self, change: Callable[[str | None, str], Any], *, has_password: bool, reason: str,
                 parent: QWidget | None = None) -> None:
        super().__init__("Set your password", reason, "Save password",
                         lambda v: change(v["current"], v["password"]), parent)
        self.setObjectName("setPasswordDialog")
        self.current = self._field("Current password", "currentPassword", secret=True) if has_password else None
        self.password = self._field("New password", "newPassword", secret=True)
        self.confirm = self._field("New password again", "confirmPassword", secret=True)

    def values(self) -> dict:
        return {"current": self.current.text() if self.current is not None else None,
                "password": self.password.text(), "confirm": self.confirm.text()}

    def check(self, values: dict) -> str:
        if values["password"] != values["confirm"]:
            return "The two new passwords differ."
        return ""
