"""What every service shares: the clock, the business calendar, the policy and team settings."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from urllib.parse import urlsplit

from desktop_helpdesk.domain.cases import AssignmentStrategy, is_valid_email
from desktop_helpdesk.domain.clock import Clock
from desktop_helpdesk.domain.policy import DEFAULT_POLICY, SlaPolicy
from desktop_helpdesk.domain.sla import DUE_SOON_SHARE, BusinessCalendar, default_calendar
from desktop_helpdesk.services.errors import ReadOnlyError, ValidationError, checked_text
from desktop_helpdesk.storage.db import database, is_read_only
from desktop_helpdesk.storage.dialect import hold_write_lock, serialised_write
from desktop_helpdesk.storage.records import ClosureRecord, SettingRecord

DEFAULT_ATTACHMENT_LIMIT = 20 * 1024 * 1024
DEFAULT_MAIL_MESSAGE_LIMIT = 25 * 1024 * 1024


MAIL_SECURITY_MODES = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class MailServer:
    """A mail server the desk logs in to: the SMTP server sending client email or the IMAP
    server holding the support mailbox. Its password is never stored here (the database is
    shared): each workstation reads its own (see the mail jobs).
    """

    host: str = ""
    port: int = 0
    security: str = "none"  # starttls | ssl | none
    username: str = ""

    def validated(self, group: str) -> MailServer:
        """This server with its text stripped.

        Args:
            group: the settings group it is stored under (``smtp``, ``imap``), which names
                the field in an error.

        Raises:
            ValidationError: naming the first bad field as it is stored (e.g. ``smtp_port``).
        """
        host = checked_text(f"{group}_host", self.host)
        if any(ch.isspace() for ch in host):
            raise ValidationError(f"{group}_host", "must be a host name without spaces")
        port = self.port
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise ValidationError(f"{group}_port", "must be a port number from 1 to 65535")
        if self.security not in MAIL_SECURITY_MODES:
            raise ValidationError(f"{group}_security", "must be starttls, ssl or none")
        username = checked_text(f"{group}_username", self.username)
        if any(ch in username for ch in "\r\n"):
            raise ValidationError(f"{group}_username", "must be one line of text")
        return replace(self, host=host, username=username)


@dataclass(frozen=True)
class TeamSettings:
    """Team-wide settings stored in the ``setting`` table (one JSON value per name, see ``stored``)."""

    assignment_strategy: AssignmentStrategy = AssignmentStrategy.ROUND_ROBIN
    due_soon_share: float = DUE_SOON_SHARE
    pause_resolution_while_waiting: bool = True
    # Bulk work: may agents move colleagues' cases to someone else (supervisors always may)?
    agents_may_bulk_reassign: bool = False
    attachment_max_bytes: int = DEFAULT_ATTACHMENT_LIMIT
    crm_drop_folder: str = ""
    # The CRM webhook (HTTPS); its signing secret is never stored here: each delivering
    # workstation reads HELPDESK_CRM_WEBHOOK_SECRET. When set it is used instead of the folder.
    crm_webhook_url: str = ""
    # Delivered (or skipped) outbox rows older than this many days are deleted.
    outbox_retention_days: int = 90
    # Outgoing client email; each workstation reads the password from HELPDESK_SMTP_PASSWORD.
    smtp: MailServer = MailServer(port=587, security="starttls")
    mail_from_address: str = ""
    mail_from_name: str = "Technical Support"
    # Accounts: this many wrong passwords in a row lock the account for that many minutes
    # (each failure before that makes the next attempt wait longer: 1, 2, 4... seconds).
    sign_in_lock_attempts: int = 5
    sign_in_lock_minutes: int = 15
    # A window nobody used for this many minutes hides its data until the member's password
    # is typed again (0 = never).
    idle_lock_minutes: int = 0
    # Online backups of a SQLite database: the folder ("" = "backups" beside the database
    # file) and how often (hours; 0 turns scheduled backups off).
    backup_folder: str = ""
    backup_interval_hours: int = 24
    # Email intake (the support mailbox); the password: HELPDESK_IMAP_PASSWORD, or an OAuth2
    # token kept in the workstation's keyring.
    imap: MailServer = MailServer(port=993, security="ssl")
    imap_auth: str = "password"  # password | oauth2
    imap_oauth_client_id: str = ""
    imap_oauth_authority: str = ""  # e.g. https://login.microsoftonline.com/<tenant>
    imap_folder: str = "INBOX"
    imap_processed_folder: str = "Processed"
    mail_poll_seconds: int = 60
    mail_auto_acknowledge: bool = False
    mail_max_message_bytes: int = DEFAULT_MAIL_MESSAGE_LIMIT
    mail_new_cases_per_sender_per_hour: int = 10

    def validated(self) -> TeamSettings:
        """This settings object with normalised values.

        Raises:
            ValidationError: naming the first setting that is out of range.
        """
        try:
            strategy = AssignmentStrategy(self.assignment_strategy)
        except ValueError:
            raise ValidationError(
                "assignment_strategy", f"unknown strategy {self.assignment_strategy!r}"
            ) from None
        share = self.due_soon_share
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share < 1:
            raise ValidationError("due_soon_share", "must be a fraction between 0 and 1")
        limit = self.attachment_max_bytes
        if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
            raise ValidationError("attachment_max_bytes", "must be a positive number of bytes")
        if not isinstance(self.pause_resolution_while_waiting, bool):
            raise ValidationError("pause_resolution_while_waiting", "must be on or off")
        if not isinstance(self.agents_may_bulk_reassign, bool):
            raise ValidationError("agents_may_bulk_reassign", "must be on or off")
        checked_text("crm_drop_folder", self.crm_drop_folder)
        webhook_url = validated_webhook_url(checked_text("crm_webhook_url", self.crm_webhook_url))
        days = self.outbox_retention_days
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3650:
            raise ValidationError("outbox_retention_days", "must be a number of days from 1 to 3650")
        _check_whole_number("sign_in_lock_attempts", self.sign_in_lock_attempts, 1, 100)
        _check_whole_number("sign_in_lock_minutes", self.sign_in_lock_minutes, 1, 24 * 60)
        _check_whole_number("idle_lock_minutes", self.idle_lock_minutes, 0, 24 * 60)
        _check_whole_number("backup_interval_hours", self.backup_interval_hours, 0, 24 * 31)
        checked_text("backup_folder", self.backup_folder)
        mail_text = _validated_mail_settings(self)
        intake = _validated_intake_settings(self)
        return replace(
            self,
            assignment_strategy=strategy,
            due_soon_share=float(share),
            crm_drop_folder=self.crm_drop_folder.strip(),
            crm_webhook_url=webhook_url,
            backup_folder=self.backup_folder.strip(),
            smtp=self.smtp.validated("smtp"),
            imap=self.imap.validated("imap"),
            **mail_text,
            **intake,
        )

    def stored(self) -> dict[str, object]:
        """The settings by the names they are stored, changed and audited under: a mail
        server's fields flat, as ``smtp_host``, ``imap_port`` and so on."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if not isinstance(f.default, MailServer)}
        values.update((name, getattr(getattr(self, group), field)) for name, (group, field) in _SERVER_FIELDS.items())
        return values

    def with_stored(self, changes: Mapping[str, object]) -> TeamSettings:
        """These settings with ``changes`` (by stored name, see ``stored``) applied, not validated."""
        plain = dict(changes)
        servers: dict[str, dict[str, object]] = {}
        for name in changes.keys() & _SERVER_FIELDS.keys():
            group, field = _SERVER_FIELDS[name]
            servers.setdefault(group, {})[field] = plain.pop(name)
        return replace(self, **plain, **{group: replace(getattr(self, group), **parts)
                                         for group, parts in servers.items()})

    @property
    def mail_configured(self) -> bool:
        """An SMTP server and a sender address are set, so client emails can be sent."""
        return bool(self.smtp.host and self.mail_from_address)

    @property
    def intake_configured(self) -> bool:
        """An IMAP server and user are set, so the support mailbox can be polled."""
        return bool(self.imap.host and self.imap.username)


# Each mail server field's stored name: ``smtp_host`` is ``TeamSettings.smtp.host``.
_SERVER_FIELDS = {
    f"{group.name}_{field.name}": (group.name, field.name)
    for group in fields(TeamSettings) if isinstance(group.default, MailServer)
    for field in fields(MailServer)
}


def _check_whole_number(name: str, value: object, lowest: int, highest: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not lowest <= value <= highest:
        raise ValidationError(name, f"must be a whole number from {lowest} to {highest}")


_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def validated_webhook_url(url: str) -> str:
    """A CRM webhook URL, stripped: ``https://`` (plain ``http://`` only to this machine, for
    trying a receiver out); "" turns the webhook off.

    Raises:
        ValidationError: naming ``crm_webhook_url``.
    """
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if any(ch.isspace() for ch in url) or parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationError("crm_webhook_url", "must be an https:// URL")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK_HOSTS:
        raise ValidationError("crm_webhook_url", "must use https:// (plain http only to this machine)")
    return url


def _validated_mail_settings(settings: TeamSettings) -> dict:
    """The sender settings, stripped; raises ``ValidationError`` naming the first bad one."""
    text = {}
    for name in ("mail_from_address", "mail_from_name"):
        text[name] = checked_text(name, getattr(settings, name))
    if text["mail_from_address"] and not is_valid_email(text["mail_from_address"]):
        raise ValidationError("mail_from_address", "is not a valid email address")
    if any(ch in text["mail_from_name"] for ch in "\r\n"):
        raise ValidationError("mail_from_name", "must be one line")
    return text


IMAP_AUTH_MODES = ("password", "oauth2")


def _validated_intake_settings(settings: TeamSettings) -> dict:
    """The email intake settings, stripped; raises ``ValidationError`` naming the first bad one."""
    text = {}
    for name in ("imap_oauth_client_id", "imap_oauth_authority", "imap_folder", "imap_processed_folder"):
        value = getattr(settings, name)
        if not isinstance(value, str) or any(ch in value for ch in "\r\n"):
            raise ValidationError(name, "must be one line of text")
        text[name] = value.strip()
    if settings.imap_auth not in IMAP_AUTH_MODES:
        raise ValidationError("imap_auth", "must be password or oauth2")
    if not text["imap_folder"]:
        raise ValidationError("imap_folder", "must name the folder to read (e.g. INBOX)")
    if not text["imap_processed_folder"] or text["imap_processed_folder"] == text["imap_folder"]:
        raise ValidationError("imap_processed_folder", "must name a folder other than the one read")
    _check_whole_number("mail_poll_seconds", settings.mail_poll_seconds, 10, 86_400)
    _check_whole_number("mail_max_message_bytes", settings.mail_max_message_bytes, 1024, 1024 * 1024 * 1024)
    _check_whole_number("mail_new_cases_per_sender_per_hour", settings.mail_new_cases_per_sender_per_hour, 1, 10_000)
    if not isinstance(settings.mail_auto_acknowledge, bool):
        raise ValidationError("mail_auto_acknowledge", "must be on or off")
    return text


SETTING_NAMES = frozenset(TeamSettings().stored())


# pg_advisory_xact_lock key serialising writers on PostgreSQL ("audit_ch" in ASCII): every
# change appends to the one audit chain, so writers queue for its head anyway.
WRITE_LOCK_KEY = 0x61756469745F6368


@contextmanager
def write_transaction() -> Iterator[None]:
    """A transaction for a change that queues for the write lock up front.

    SQLite: ``BEGIN IMMEDIATE``, so two workstations queue for the file's write lock instead of
    one failing when it upgrades a read lock. PostgreSQL: a transaction-scoped advisory lock,
    taken before anything else, because every change ends by extending the audit chain's head;
    taking that lock first (not at the audit insert, after row locks) keeps two workstations
    from deadlocking on each other's rows. Inside a transaction: a savepoint (the lock is held).

    Raises:
        ReadOnlyError: the database was opened read-only; nothing is written.
    """
    refuse_if_read_only()
    with serialised_write(WRITE_LOCK_KEY):
        yield


def lock_audit_chain() -> None:
    """Wait for the audit chain's head until this transaction ends (re-entrant; a no-op where
    writers already hold the database's single write lock)."""
    hold_write_lock(WRITE_LOCK_KEY)


def refuse_if_read_only() -> None:
    """Raise ``ReadOnlyError`` naming the file when the bound database cannot be changed."""
    if is_read_only():
        raise ReadOnlyError(
            f"{database.obj.path} is read-only (the file or its folder cannot be written); "
            "changes cannot be saved. Open a writable copy to make changes"
        )


class ServiceContext:
    """The shared state of the services: clock, policy, calendar (with closures) and settings.

    Args:
        clock: the source of "now" (a ``ManualClock`` in tests and demos).
        policy: the SLA budgets.
        calendar_factory: builds the calendar from company closure dates.
    """

    def __init__(
        self,
        clock: Clock,
        policy: SlaPolicy = DEFAULT_POLICY,
        *,
        calendar_factory: Callable[[Iterable[date]], BusinessCalendar] = default_calendar,
    ) -> None:
        self.clock = clock
        self.policy = policy
        self._calendar_factory = calendar_factory
        # One tuple, replaced in one assignment: worker threads share this context.
        self._cached_calendar: tuple[tuple[str, ...], BusinessCalendar] | None = None

    def now(self) -> datetime:
        """The current instant from the injected clock (aware UTC)."""
        return self.clock.now()

    @property
    def calendar(self) -> BusinessCalendar:
        """The business calendar as ``reload_calendar`` last loaded it (loaded on first use).

        Runs no query after the first use, so reading the desk's zone or a due instant is free;
        work that computes business time calls ``reload_calendar`` first.
        """
        cached = self._cached_calendar
        return cached[1] if cached is not None else self.reload_calendar()

    def reload_calendar(self) -> BusinessCalendar:
        """Re-read the company closures (one tiny query) and return the calendar with them.

        Rebuilt only when the closure list differs from the one it was built from, which also
        picks up closures another workstation added.

        Returns:
            The business calendar with today's closures.
        """
        days = tuple(
            row[0] for row in ClosureRecord.select(ClosureRecord.day).order_by(ClosureRecord.day).tuples()
        )
        cached = self._cached_calendar
        # Comparing the list (not a flag) also notices closures another workstation added.
        if cached is None or cached[0] != days:
            cached = (days, self._calendar_factory(date.fromisoformat(day) for day in days))
            self._cached_calendar = cached
        return cached[1]

    def settings(self) -> TeamSettings:
        """The team settings, defaults for those never saved."""
        stored = {
            key: json.loads(value)
            for key, value in SettingRecord.select(SettingRecord.key, SettingRecord.value)
            .where(SettingRecord.key.in_(SETTING_NAMES))
            .tuples()
        }
        try:
            return TeamSettings().with_stored(stored).validated()
        except ValidationError:
            # A hand-edited or future value must not lock the team out: fall back per field.
            defaults = TeamSettings()
            good = {}
            for key, value in stored.items():
                try:
                    defaults.with_stored({key: value}).validated()
                except ValidationError:
                    continue
                good[key] = value
            return defaults.with_stored(good).validated()

    def read_state(self, key: str, default: object = None) -> object:
        """An internal JSON value kept in the settings table (e.g. the round-robin cursor)."""
        row = SettingRecord.get_or_none(SettingRecord.key == key)
        return default if row is None else json.loads(row.value)

    def write_state(self, key: str, value: object) -> None:
        """Store an internal JSON value (inside the caller's transaction)."""
        encoded = json.dumps(value)
        (
            SettingRecord.insert(key=key, value=encoded)
            .on_conflict(conflict_target=[SettingRecord.key], update={SettingRecord.value: encoded})
            .execute()
        )
