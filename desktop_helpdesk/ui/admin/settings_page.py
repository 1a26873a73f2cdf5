"""Administration page "Settings": assignment strategy, due-soon share, pauses, limits, CRM target, SMTP, IMAP intake."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QVBoxLayout,
    QWidget,
)

from desktop_helpdesk.domain.cases import AssignmentStrategy
from desktop_helpdesk.services.context import TeamSettings
from desktop_helpdesk.services.mail import PASSWORD_ENVIRONMENT_VARIABLE
from desktop_helpdesk.services.mail_imap import (
    PASSWORD_ENVIRONMENT_VARIABLE as IMAP_PASSWORD_VARIABLE,
)
from desktop_helpdesk.ui.admin import forms, pages
from desktop_helpdesk.ui.context import UiContext
from desktop_helpdesk.ui.form_fields import combo_box

MEBIBYTE = 1024 * 1024
FolderChooser = Callable[[QWidget, str], str]


# Presets rather than spin boxes: the app stylesheet garbles Fusion's spin arrows, and a
# short list is quicker with the keyboard. A stored value off the list is added to it.
DUE_SOON_PERCENTS = (50, 60, 70, 75, 80, 85, 90)
SMTP_SECURITY_CHOICES = (
    ("starttls", "STARTTLS (usually port 587)"),
    ("ssl", "SSL/TLS (usually port 465)"),
    ("none", "None (local relay only)"),
)
ATTACHMENT_MEGABYTES = (5, 10, 20, 25, 50, 100, 250)
LOCK_ATTEMPTS = (3, 5, 10)
LOCK_MINUTES = (5, 15, 30, 60)
BACKUP_HOURS = (0, 6, 12, 24, 168)
IDLE_LOCK_MINUTES = (0, 5, 10, 15, 30, 60)


def _idle_text(minutes: int) -> str:
    return "Never" if not minutes else f"After {minutes} minutes without use"


def _backup_hours_text(hours: int) -> str:
    names = {0: "Off (no scheduled backups)", 24: "Daily", 168: "Weekly"}
    return names.get(hours, f"Every {hours} hours")


IMAP_SECURITY_CHOICES = (
    ("ssl", "SSL/TLS (usually port 993)"),
    ("starttls", "STARTTLS (usually port 143)"),
    ("none", "None (local test server only)"),
)
IMAP_AUTH_CHOICES = (("password", "Password"), ("oauth2", "OAuth2 (Microsoft 365)"))
POLL_SECONDS = (30, 60, 120, 300, 600)
FLOOD_LIMITS = (5, 10, 20, 50, 100)


def _poll_text(seconds: int) -> str:
    return f"every {seconds} s" if seconds < 120 else f"every {seconds // 60} min"


def _flood_text(limit: int) -> str:
    return f"at most {limit} new cases per sender per hour"


def _percent_text(percent: int) -> str:
    return f"{percent} % of the target's business time used"


def _megabyte_text(megabytes: int) -> str:
    return f"{megabytes} MB per file"


def _megabytes(size: int) -> int:
    return max(1, round(size / MEBIBYTE))


def _preset_combo(parent: QWidget, object_name: str) -> QComboBox:
    return combo_box(parent, object_name)


def _port(field) -> int:
    """The port typed in ``field``; 0 when blank."""
    text = field.text().strip()
    return int(text) if text.isdigit() else 0


def _edited(loaded: TeamSettings, values: dict[str, object]) -> dict[str, object]:
    """The ``values`` that differ from the ``loaded`` settings of the same (stored) names."""
    stored = loaded.stored()
    return {name: value for name, value in values.items() if value != stored[name]}


def _choice_combo(parent: QWidget, object_name: str, choices: tuple[tuple[str, str], ...]) -> QComboBox:
    """A drop-down of ``(value, text)`` choices."""
    return combo_box(parent, object_name, ((text, value) for value, text in choices))


def _port_field(parent: QWidget, object_name: str, usual: int):
    """A short field taking a TCP port number (``usual`` as its placeholder)."""
    field = forms.line_edit(parent, object_name, str(usual))
    field.setValidator(QIntValidator(1, 65535, field))
    field.setMaximumWidth(90)
    return field


def _choose(combo: QComboBox, value: int, presets: tuple[int, ...], text) -> None:
    """Fill ``combo`` with the presets plus ``value`` (in order) and select ``value``."""
    combo.clear()
    for choice in sorted({*presets, value}):
        combo.addItem(text(choice), choice)
    combo.setCurrentIndex(combo.findData(value))


def choose_folder_dialog(parent: QWidget, start: str) -> str:
    """Ask for a folder with the platform's dialog; "" when cancelled."""
    return QFileDialog.getExistingDirectory(parent, "CRM drop folder", start)


class SettingsPage(pages.AdminPage):
    """The team settings as one form with a Save button; only changed settings are sent.

    Args:
        ui, commands: as ``AdminPage``.
        choose_folder: asks for the CRM drop folder (tests pass a fake).
        parent: the Qt parent.
    """

    def __init__(
        self,
        ui: UiContext,
        commands: pages.PageCommands,
        choose_folder: FolderChooser = choose_folder_dialog,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ui, commands, parent, page_name="settingsPage")
        self._choose_folder = choose_folder
        self._loaded: TeamSettings | None = None

        box = forms.group("Team settings", self, "settingsForm")
        self.strategy_field = combo_box(box, "strategyField", ((s.label, s.value) for s in AssignmentStrategy))
        self.due_soon_field = _preset_combo(box, "dueSoonField")
        self.pause_field = QCheckBox("Pause the resolution clock while waiting on the client", box)
        self.pause_field.setObjectName("pauseWhileWaitingField")
        self.bulk_reassign_field = QCheckBox(
            "Agents may bulk-reassign colleagues' cases (supervisors and admins always may)", box)
        self.bulk_reassign_field.setObjectName("agentsMayBulkReassignField")
        self.attachment_field = _preset_combo(box, "attachmentLimitField")
        self.crm_folder_field = forms.line_edit(box, "crmFolderField", "Not set — CRM sync is off")
        self.crm_folder_button = forms.push_button("Choose…", box, "crmFolderButton")
        self.crm_folder_button.clicked.connect(self.choose_crm_folder)
        self.crm_webhook_field = forms.line_edit(box, "crmWebhookField", "https://… (used instead of the folder when set)")
        self.save_button = forms.push_button("Save settings", box, "saveSettingsButton", accent=True)
        self.save_button.clicked.connect(self.save)
        self.revert_button = forms.push_button("Undo edits", box, "revertSettingsButton")
        self.revert_button.clicked.connect(self._on_revert_button_clicked)
        # Nothing to compare the form with until the settings have been read.
        for button in (self.save_button, self.revert_button):
            button.setEnabled(False)

        form = QFormLayout(box)
        form.addRow("&New cases go to", self.strategy_field)
        form.addRow("", forms.hint("Round robin takes turns; least open workload counts a High case as two.", box))
        form.addRow("&Due soon after", self.due_soon_field)
        form.addRow("", self.pause_field)
        form.addRow("", self.bulk_reassign_field)
        form.addRow("&Attachments up to", self.attachment_field)
        forms.add_buddy_row(form, box, "&CRM drop folder", self.crm_folder_field,
                            forms.row(box, (self.crm_folder_field, 1), self.crm_folder_button))
        form.addRow(
            "",
            forms.hint("Every minute the desk writes queued case events there as JSON files for the CRM.", box),
        )
        form.addRow("CRM &webhook URL", self.crm_webhook_field)
        form.addRow("", forms.hint(
            "When set, case events are POSTed there, signed (Standard Webhooks) with the secret in "
            "HELPDESK_CRM_WEBHOOK_SECRET on the delivering workstation or worker. Format: "
            "docs/crm-events.md.", box))

        mail_box = self._build_mail_box()
        safety_box = self._build_safety_box()
        intake_box = self._build_intake_box()
        box.setMaximumWidth(860)
        mail_box.setMaximumWidth(860)
        safety_box.setMaximumWidth(860)
        intake_box.setMaximumWidth(860)
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addWidget(mail_box)
        layout.addWidget(intake_box)
        layout.addWidget(safety_box)
        # One Save for both boxes, below them, so it visibly covers the email settings too.
        layout.addLayout(forms.row(self, self.save_button, self.revert_button, None))
        layout.addStretch(1)

    def _build_mail_box(self):
        # Saved with the same "Save settings" button: one form, one audited update.
        box = forms.group("Client email (SMTP)", self, "mailSettingsForm")
        self.smtp_host_field = forms.line_edit(box, "smtpHostField", "Not set — client emails are off")
        self.smtp_port_field = _port_field(box, "smtpPortField", 587)
        self.smtp_security_field = _choice_combo(box, "smtpSecurityField", SMTP_SECURITY_CHOICES)
        self.smtp_username_field = forms.line_edit(box, "smtpUsernameField", "None — the server takes mail without login")
        self.mail_from_address_field = forms.line_edit(box, "mailFromAddressField", "support@velsoft.example")
        self.mail_from_name_field = forms.line_edit(box, "mailFromNameField", "Technical Support")
        self._mail_text_fields = {
            "smtp_host": self.smtp_host_field,
            "smtp_username": self.smtp_username_field,
            "mail_from_address": self.mail_from_address_field,
            "mail_from_name": self.mail_from_name_field,
        }
        form = QFormLayout(box)
        forms.add_buddy_row(form, box, "SMTP &server", self.smtp_host_field,
                            forms.row(box, (self.smtp_host_field, 1), "Port", self.smtp_port_field))
        form.addRow("Securit&y", self.smtp_security_field)
        form.addRow("&User name", self.smtp_username_field)
        self.password_hint = forms.hint(
            f"The password is not stored in the shared database: each workstation reads it from the "
            f"{PASSWORD_ENVIRONMENT_VARIABLE} environment variable.",
            box,
        )
        self.password_hint.setObjectName("smtpPasswordHint")
        form.addRow("", self.password_hint)
        form.addRow("Sender add&ress", self.mail_from_address_field)
        form.addRow("Sender na&me", self.mail_from_name_field)
        form.addRow(
            "",
            forms.hint("Acknowledgement and resolution emails go out from this address; replies come back to it.", box),
        )
        return box

    def _build_safety_box(self):
        # Also saved with "Save settings".
        box = forms.group("Sign-in and backups", self, "safetySettingsForm")
        self.lock_attempts_field = _preset_combo(box, "lockAttemptsField")
        self.lock_minutes_field = _preset_combo(box, "lockMinutesField")
        self.idle_lock_field = _preset_combo(box, "idleLockField")
        self.backup_folder_field = forms.line_edit(box, "backupFolderField",
                                             "Not set — a backups folder beside the database")
        self.backup_folder_button = forms.push_button("Choose…", box, "backupFolderButton")
        self.backup_folder_button.clicked.connect(self.choose_backup_folder)
        self.backup_hours_field = _preset_combo(box, "backupIntervalField")
        form = QFormLayout(box)
        forms.add_buddy_row(form, box, "Wrong &passwords in a row", self.lock_attempts_field, forms.row(
            box, self.lock_attempts_field, "lock the account for", self.lock_minutes_field, None))
        form.addRow("Lock &idle windows", self.idle_lock_field)
        forms.add_buddy_row(form, box, "&Backup folder", self.backup_folder_field,
                            forms.row(box, (self.backup_folder_field, 1), self.backup_folder_button))
        form.addRow("Back up &every", self.backup_hours_field)
        form.addRow("", forms.hint("SQLite databases: 7 daily and 4 weekly backups are kept, each with the "
                             "day's audit anchor. PostgreSQL: use pg_dump on the server.", box))
        return box

    def choose_backup_folder(self) -> None:
        chosen = self._choose_folder(self, self.backup_folder_field.text())
        if chosen:
            self.backup_folder_field.setText(chosen)

    def _build_intake_box(self):
        # Same Save button and the same audited update as the rest of the page.
        box = forms.group("Email intake (IMAP support mailbox)", self, "intakeSettingsForm")
        self.imap_host_field = forms.line_edit(box, "imapHostField", "Not set — email intake is off")
        self.imap_port_field = _port_field(box, "imapPortField", 993)
        self.imap_security_field = _choice_combo(box, "imapSecurityField", IMAP_SECURITY_CHOICES)
        self.imap_auth_field = _choice_combo(box, "imapAuthField", IMAP_AUTH_CHOICES)
        self.imap_username_field = forms.line_edit(box, "imapUsernameField", "support@velsoft.example")
        self.imap_folder_field = forms.line_edit(box, "imapFolderField", "INBOX")
        self.imap_processed_field = forms.line_edit(box, "imapProcessedFolderField", "Processed")
        self.imap_client_id_field = forms.line_edit(box, "imapOauthClientIdField", "OAuth2 only: application (client) id")
        self.imap_authority_field = forms.line_edit(box, "imapOauthAuthorityField",
                                              "OAuth2 only: https://login.microsoftonline.com/<tenant>")
        self.auto_acknowledge_field = QCheckBox(
            "Acknowledge new email requests automatically (meets the 2-hour acknowledge target)", box)
        self.auto_acknowledge_field.setObjectName("autoAcknowledgeField")
        self.poll_field = _preset_combo(box, "mailPollField")
        self.flood_field = _preset_combo(box, "floodLimitField")
        for combo in (self.poll_field, self.flood_field):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._intake_text_fields = {
            "imap_host": self.imap_host_field,
            "imap_username": self.imap_username_field,
            "imap_folder": self.imap_folder_field,
            "imap_processed_folder": self.imap_processed_field,
            "imap_oauth_client_id": self.imap_client_id_field,
            "imap_oauth_authority": self.imap_authority_field,
        }
        form = QFormLayout(box)
        forms.add_buddy_row(form, box, "IMAP ser&ver", self.imap_host_field, forms.row(
            box, (self.imap_host_field, 1), "Port", self.imap_port_field, self.imap_security_field))
        form.addRow("Mailbox user", forms.row(box, (self.imap_username_field, 1), self.imap_auth_field))
        form.addRow("OAuth2", forms.row(box, (self.imap_client_id_field, 1), (self.imap_authority_field, 1)))
        form.addRow("Read folder", forms.row(box, (self.imap_folder_field, 1), "then move to",
                                             (self.imap_processed_field, 1)))
        form.addRow("Polling", forms.row(box, self.poll_field, self.flood_field, None))
        form.addRow("", self.auto_acknowledge_field)
        form.addRow("", forms.hint(
            f"Password from {IMAP_PASSWORD_VARIABLE}; OAuth2: 'desktop-helpdesk mail sign-in' once. "
            "Mail is never deleted.", box))
        return box

    def set_settings(self, settings: TeamSettings) -> None:
        self._loaded = settings
        self.save_button.setEnabled(True)
        self.revert_button.setEnabled(True)
        stored = settings.stored()
        for name, field in {**self._mail_text_fields, **self._intake_text_fields}.items():
            field.setText(stored[name])
        self.imap_port_field.setText(str(settings.imap.port))
        self.imap_security_field.setCurrentIndex(max(self.imap_security_field.findData(settings.imap.security), 0))
        self.imap_auth_field.setCurrentIndex(max(self.imap_auth_field.findData(settings.imap_auth), 0))
        self.auto_acknowledge_field.setChecked(settings.mail_auto_acknowledge)
        _choose(self.poll_field, settings.mail_poll_seconds, POLL_SECONDS, _poll_text)
        _choose(self.flood_field, settings.mail_new_cases_per_sender_per_hour, FLOOD_LIMITS, _flood_text)
        index = self.strategy_field.findData(AssignmentStrategy(settings.assignment_strategy).value)
        self.strategy_field.setCurrentIndex(max(index, 0))
        _choose(self.due_soon_field, round(settings.due_soon_share * 100), DUE_SOON_PERCENTS, _percent_text)
        self.pause_field.setChecked(settings.pause_resolution_while_waiting)
        self.bulk_reassign_field.setChecked(settings.agents_may_bulk_reassign)
        _choose(self.attachment_field, _megabytes(settings.attachment_max_bytes), ATTACHMENT_MEGABYTES, _megabyte_text)
        self.crm_folder_field.setText(settings.crm_drop_folder)
        self.crm_webhook_field.setText(settings.crm_webhook_url)
        self.smtp_port_field.setText(str(settings.smtp.port))
        self.smtp_security_field.setCurrentIndex(max(self.smtp_security_field.findData(settings.smtp.security), 0))
        _choose(self.lock_attempts_field, settings.sign_in_lock_attempts, LOCK_ATTEMPTS,
                lambda n: f"{n} wrong passwords")
        _choose(self.lock_minutes_field, settings.sign_in_lock_minutes, LOCK_MINUTES,
                lambda n: f"{n} minutes")
        _choose(self.idle_lock_field, settings.idle_lock_minutes, IDLE_LOCK_MINUTES, _idle_text)
        self.backup_folder_field.setText(settings.backup_folder)
        _choose(self.backup_hours_field, settings.backup_interval_hours, BACKUP_HOURS, _backup_hours_text)

    def edited_changes(self) -> dict[str, object]:
        """The settings whose field differs from what was loaded (compared at the field's precision)."""
        loaded = self._loaded or TeamSettings()
        changes: dict[str, object] = {}
        strategy = self.strategy_field.currentData()
        if strategy != AssignmentStrategy(loaded.assignment_strategy).value:
            changes["assignment_strategy"] = strategy
        if self.due_soon_field.currentData() != round(loaded.due_soon_share * 100):
            changes["due_soon_share"] = self.due_soon_field.currentData() / 100
        if self.pause_field.isChecked() != loaded.pause_resolution_while_waiting:
            changes["pause_resolution_while_waiting"] = self.pause_field.isChecked()
        if self.bulk_reassign_field.isChecked() != loaded.agents_may_bulk_reassign:
            changes["agents_may_bulk_reassign"] = self.bulk_reassign_field.isChecked()
        if self.attachment_field.currentData() != _megabytes(loaded.attachment_max_bytes):
            changes["attachment_max_bytes"] = self.attachment_field.currentData() * MEBIBYTE
        text_fields = {"crm_drop_folder": self.crm_folder_field, "crm_webhook_url": self.crm_webhook_field,
                       "backup_folder": self.backup_folder_field, **self._mail_text_fields,
                       **self._intake_text_fields}
        changes.update(_edited(loaded, {name: field.text().strip() for name, field in text_fields.items()}))
        # A blank port is 0, which the service refuses, naming the field.
        changes.update(_edited(loaded, {"smtp_port": _port(self.smtp_port_field),
                                        "imap_port": _port(self.imap_port_field)}))
        if self.smtp_security_field.currentData() != loaded.smtp.security:
            changes["smtp_security"] = self.smtp_security_field.currentData()
        for name, combo in (("sign_in_lock_attempts", self.lock_attempts_field),
                            ("sign_in_lock_minutes", self.lock_minutes_field),
                            ("backup_interval_hours", self.backup_hours_field),
                            ("idle_lock_minutes", self.idle_lock_field)):
            if combo.currentData() is not None and combo.currentData() != getattr(loaded, name):
                changes[name] = combo.currentData()
        changes.update(self._edited_intake_changes(loaded))
        return changes

    def _edited_intake_changes(self, loaded: TeamSettings) -> dict[str, object]:
        changes: dict[str, object] = {}
        stored = loaded.stored()
        for name, combo in (("imap_security", self.imap_security_field), ("imap_auth", self.imap_auth_field),
                            ("mail_poll_seconds", self.poll_field),
                            ("mail_new_cases_per_sender_per_hour", self.flood_field)):
            if combo.currentData() != stored[name]:
                changes[name] = combo.currentData()
        if self.auto_acknowledge_field.isChecked() != loaded.mail_auto_acknowledge:
            changes["mail_auto_acknowledge"] = self.auto_acknowledge_field.isChecked()
        return changes

    def choose_crm_folder(self) -> None:
        chosen = self._choose_folder(self, self.crm_folder_field.text())
        if chosen:
            self.crm_folder_field.setText(chosen)

    def _on_revert_button_clicked(self) -> None:
        if self._loaded is not None:
            self.set_settings(self._loaded)

    def save(self) -> None:
        if self._loaded is None:
            return  # still loading: nothing to compare the form with
        changes = self.edited_changes()
        if not changes:
            loaded = self._loaded
            self._command("No settings changed.", lambda: loaded)
            return
        ui = self._ui
        self._command(
            "Team settings saved.",
            lambda: ui.services.settings.update(ui.member_id, **changes),
            {
                "assignment_strategy": self.strategy_field,
                "due_soon_share": self.due_soon_field,
                "attachment_max_bytes": self.attachment_field,
                "crm_drop_folder": self.crm_folder_field,
                "crm_webhook_url": self.crm_webhook_field,
                "smtp_port": self.smtp_port_field,
                "smtp_security": self.smtp_security_field,
                "sign_in_lock_attempts": self.lock_attempts_field,
                "sign_in_lock_minutes": self.lock_minutes_field,
                "backup_interval_hours": self.backup_hours_field,
                "backup_folder": self.backup_folder_field,
                "idle_lock_minutes": self.idle_lock_field,
                **self._mail_text_fields,
                "imap_port": self.imap_port_field,
                "imap_security": self.imap_security_field,
                "imap_auth": self.imap_auth_field,
                "mail_poll_seconds": self.poll_field,
                "mail_new_cases_per_sender_per_hour": self.flood_field,
                **self._intake_text_fields,
            },
        )
