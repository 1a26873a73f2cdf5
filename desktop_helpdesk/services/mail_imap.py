"""IMAP intake: fetch the support mailbox by UID (with UIDVALIDITY), store and apply each message,
then move it to the Processed folder; the intake status the window and ``mail status`` show."""

from __future__ import annotations

import logging
import os
import socket
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from desktop_helpdesk.services.audit import audit_text
from desktop_helpdesk.services.cases import CaseService
from desktop_helpdesk.services.context import ServiceContext, TeamSettings, write_transaction
from desktop_helpdesk.services.jobs import JobReport
from desktop_helpdesk.services.leases import MAIL_INTAKE
from desktop_helpdesk.services.mail_intake import (
    MailIntakeService,
    MailSource,
    Outcome,
    QuarantineState,
)
from desktop_helpdesk.storage.records import InboundMailRecord

log = logging.getLogger(__name__)

PASSWORD_ENVIRONMENT_VARIABLE = "HELPDESK_IMAP_PASSWORD"
IMAP_TIMEOUT_SECONDS = 30.0
_STATUS_KEY = "mail_intake_status"
# Messages handled per poll: a backlog drains over several polls, each one short.
DEFAULT_BATCH = 200


@dataclass(frozen=True)
class PolledMessage:
    """One message a poll handled: its UID and what it became."""

    uid: int
    outcome: str
    case_number: str | None
    reason: str


@dataclass(frozen=True)
class PollReport:
    """What one poll did; ``ok`` is False when the server could not be read."""

    ok: bool
    status_line: str
    results: tuple[PolledMessage, ...] = ()
    waiting: int = 0


@dataclass(frozen=True)
class IntakeStatus:
    """The intake's health for the status bar and ``mail status``."""

    configured: bool
    mailbox: str
    last_good_fetch: datetime | None
    last_error: str
    last_error_at: datetime | None
    quarantined: int
    waiting: int
    poll_seconds: int

    def describe(self) -> str:
        """One line, e.g. ``"Mail: last fetch 14:02 UTC · 2 quarantined · 0 waiting"``."""
        if not self.configured:
            return f"Mail intake: not set up (Administration or 'mail set-inbox'); {self.quarantined} quarantined"
        fetched = (f"last good fetch {self.last_good_fetch:%Y-%m-%d %H:%M} UTC"
                   if self.last_good_fetch else "no fetch yet")
        text = f"Mail intake ({self.mailbox}): {fetched}; {self.quarantined} quarantined; {self.waiting} waiting"
        if self.last_error:
            text += f"; last error: {self.last_error} (retrying every {self.poll_seconds} s)"
        return text

    def as_dict(self) -> dict:
        """The status as JSON-ready values (instants as UTC ISO text)."""
        return {
            "configured": self.configured, "mailbox": self.mailbox,
            "last_good_fetch": audit_text(self.last_good_fetch) or None,
            "last_error": self.last_error or None,
            "last_error_at": audit_text(self.last_error_at) or None,
            "quarantined": self.quarantined, "waiting": self.waiting,
        }


class MailboxError(Exception):
    """The mailbox cannot be read (unreachable, refused login, bad certificate, no folder)."""


def imap_password(environ: Mapping[str, str] | None = None) -> str:
    """The IMAP password from ``HELPDESK_IMAP_PASSWORD`` (never stored in the shared database).

    Args:
        environ: the environment to read (default ``os.environ``).

    Returns:
        The password, or "" when unset.
    """
    return (os.environ if environ is None else environ).get(PASSWORD_ENVIRONMENT_VARIABLE, "")


def mailbox_label(settings: TeamSettings) -> str:
    """``support@acme.example on imap.acme.example, INBOX``: the mailbox in the store and status."""
    return f"{settings.imap.username} on {settings.imap.host}, {settings.imap_folder}"


def poll_mailbox(
    intake: MailIntakeService,
    context: ServiceContext,
    *,
    environ: Mapping[str, str] | None = None,
    ssl_context: ssl.SSLContext | None = None,
    token_provider: Callable[[TeamSettings], str] | None = None,
    timeout: float = IMAP_TIMEOUT_SECONDS,
    batch: int = DEFAULT_BATCH,
    on_result: Callable[[PolledMessage], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> PollReport:
    """Fetch new messages from the support mailbox and apply each one.

    Works by UID under the folder's UIDVALIDITY: every message still in the folder is new to
    the desk (processed ones are moved out), whatever its \\Seen flag or date. Each message is
    stored with its outcome in one transaction *before* it is moved to the Processed folder,
    so a crash in between re-reads it next time as a duplicate and only then moves it. Mail
    is never deleted.

    Args:
        intake: the intake service.
        context: the services context (settings, clock, status).
        environ: where ``HELPDESK_IMAP_PASSWORD`` is read.
        ssl_context: certificate verification (default: the system's trusted CAs).
        token_provider: OAuth2 access token for the settings (default: ``mail_oauth``).
        timeout: seconds to wait for the server on each operation.
        batch: at most this many messages per poll.
        on_result: called with each message once it is stored and moved (progress output).
        should_stop: checked between messages (process stopping, lease lost); the rest wait.

    Returns:
        The report; ``ok`` is False (with a status line saying why) when the server could
        not be read. Nothing raises for server trouble.
    """
    settings = context.settings()
    if not settings.intake_configured:
        return PollReport(False, "Mail intake is not set up: enter the IMAP server in "
                                 "Administration → Settings or run 'desktop-helpdesk mail set-inbox'")
    results: list[PolledMessage] = []
    waiting = 0
    try:
        client = _connect(settings, environ, ssl_context, token_provider, timeout)
        try:
            uidvalidity = _select(client, settings)
            uids = sorted(client.search("ALL"))
            waiting = max(0, len(uids) - batch)
            can_move = client.has_capability("MOVE")
            for uid in uids[:batch]:
                if should_stop():
                    waiting += 1
                    continue
                fetched = client.fetch([uid], ["BODY.PEEK[]", "INTERNALDATE"]).get(uid)
                if fetched is None:
                    continue  # expunged by another client meanwhile
                raw = fetched.get(b"BODY[]") or b""
                arrived = _aware(fetched.get(b"INTERNALDATE"))
                result = intake.process(raw, MailSource("imap", mailbox_label(settings), uidvalidity,
                                                        uid, arrived))
                _move(client, uid, settings.imap_processed_folder, can_move)
                polled = PolledMessage(uid, result.outcome.value, result.case_number, result.reason)
                results.append(polled)
                if on_result is not None:
                    on_result(polled)
        finally:
            _logout(client)
    except MailboxError as exc:
        return _failed(context, settings, str(exc), results)
    except Exception as exc:  # noqa: BLE001 - any server trouble is a status line, never a crash
        if not _is_network_error(exc):
            raise
        return _failed(context, settings, describe_error(exc, settings), results)
    now = context.now()
    # A good fetch ends the error state (the log file keeps the history).
    _write_status(context, last_good_fetch=now, waiting=waiting, last_error="", last_error_at=None)
    new = sum(1 for r in results if r.outcome != Outcome.DUPLICATE.value)
    line = f"Mail intake: fetched {len(results)} message(s) ({new} new) from {mailbox_label(settings)}"
    return PollReport(True, line, tuple(results), waiting)


def intake_status(context: ServiceContext) -> IntakeStatus:
    """The intake's last good fetch, last error, quarantined and waiting counts.

    Args:
        context: the services context.

    Returns:
        The status.
    """
    settings = context.settings()
    stored = context.read_state(_STATUS_KEY, {}) or {}
    quarantined = InboundMailRecord.select().where(
        InboundMailRecord.outcome == Outcome.QUARANTINED.value,
        InboundMailRecord.quarantine_state == QuarantineState.WAITING.value,
    ).count()
    return IntakeStatus(
        configured=settings.intake_configured,
        mailbox=mailbox_label(settings) if settings.intake_configured else "",
        last_good_fetch=_instant(stored.get("last_good_fetch")),
        last_error=stored.get("last_error", ""),
        last_error_at=_instant(stored.get("last_error_at")),
        quarantined=quarantined,
        waiting=int(stored.get("waiting", 0)),
        poll_seconds=settings.mail_poll_seconds,
    )


def describe_error(exc: BaseException, settings: TeamSettings) -> str:
    """A sentence for the status bar about why the server could not be read."""
    where = f"{settings.imap.host}:{settings.imap.port}"
    from imapclient.exceptions import LoginError

    if isinstance(exc, LoginError):
        how = (PASSWORD_ENVIRONMENT_VARIABLE if settings.imap_auth == "password"
               else "the OAuth2 token (run 'desktop-helpdesk mail sign-in')")
        return f"{where} refused the login of {settings.imap.username} (check {how})"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"{where}: the server's certificate is not trusted ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"{where}: TLS failed ({exc.reason or exc}); check the security setting"
    if isinstance(exc, socket.gaierror):
        return f"{settings.imap.host}: unknown host name"
    if isinstance(exc, ConnectionRefusedError):
        return f"{where} refused the connection (is the port right?)"
    if isinstance(exc, socket.timeout | TimeoutError):
        return f"{where} did not answer in time"
    if isinstance(exc, OSError):
        return f"{where}: {exc.strerror or exc}"
    return f"{where}: {type(exc).__name__}: {exc}"


def _connect(settings, environ, ssl_context, token_provider, timeout):
    from imapclient import IMAPClient

    context = ssl_context or ssl.create_default_context()
    client = IMAPClient(settings.imap.host, port=settings.imap.port,
                        ssl=settings.imap.security == "ssl", ssl_context=context, timeout=timeout)
    # Aware INTERNALDATE values: the server's zone, not this workstation's.
    client.normalise_times = False
    try:
        if settings.imap.security == "starttls":
            client.starttls(context)
        if settings.imap_auth == "oauth2":
            provider = token_provider or _oauth_token
            client.oauth2_login(settings.imap.username, provider(settings))
        else:
            password = imap_password(environ)
            if not password:
                raise MailboxError(f"{PASSWORD_ENVIRONMENT_VARIABLE} is not set on this computer "
                                   f"(the IMAP password for {settings.imap.username})")
            client.login(settings.imap.username, password)
    except BaseException:
        _logout(client)
        raise
    return client


def _oauth_token(settings: TeamSettings) -> str:
    from desktop_helpdesk.services.mail_oauth import OAuthError, access_token

    try:
        return access_token(settings)
    except OAuthError as exc:
        raise MailboxError(str(exc)) from exc


def _select(client, settings: TeamSettings) -> int:
    if not client.folder_exists(settings.imap_folder):
        raise MailboxError(f"the mailbox has no folder {settings.imap_folder!r}")
    if not client.folder_exists(settings.imap_processed_folder):
        client.create_folder(settings.imap_processed_folder)
    info = client.select_folder(settings.imap_folder)
    return int(info[b"UIDVALIDITY"])


def _move(client, uid: int, folder: str, can_move: bool) -> None:
    if can_move:
        client.move([uid], folder)
        return
    # Without MOVE: copy, then remove only this UID from the folder (UIDPLUS UID EXPUNGE).
    # A server without UIDPLUS keeps the copy in place; it is recognised as a duplicate.
    client.copy([uid], folder)
    if client.has_capability("UIDPLUS"):
        client.add_flags([uid], [b"\\Deleted"])
        client.uid_expunge([uid])


def _logout(client) -> None:
    try:
        client.logout()
    except Exception:  # noqa: BLE001 - the connection may already be gone
        try:
            client.shutdown()
        except Exception:  # noqa: BLE001
            pass


def _is_network_error(exc: BaseException) -> bool:
    import imaplib

    from imapclient.exceptions import IMAPClientError

    return isinstance(exc, OSError | IMAPClientError | imaplib.IMAP4.error | EOFError)


def _failed(context, settings, message: str, results) -> PollReport:
    log.warning("Mail intake: %s", message)
    _write_status(context, last_error=message, last_error_at=context.now())
    line = f"Mail intake: {message}; retrying in {settings.mail_poll_seconds} s"
    return PollReport(False, line, tuple(results))


def _write_status(context: ServiceContext, **changes) -> None:
    with write_transaction():
        stored = dict(context.read_state(_STATUS_KEY, {}) or {})
        for key, value in changes.items():
            stored[key] = audit_text(value) if isinstance(value, datetime) else value
        context.write_state(_STATUS_KEY, stored)


def _aware(value) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _instant(text) -> datetime | None:
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class MailIntakeJob:
    """The team job polling the support mailbox (lease ``mail-intake``, every
    ``mail_poll_seconds``): one workstation or the headless worker reads it for the team.

    Args:
        context: the services context (IMAP settings, clock, status).
        environ: where ``HELPDESK_IMAP_PASSWORD`` is read (default the process environment).
        timeout: seconds to wait for the IMAP server on each operation.
        ssl_context: certificate verification (default: the system's trusted CAs).
    """

    lease_name = MAIL_INTAKE

    def __init__(self, context: ServiceContext, *, environ: Mapping[str, str] | None = None,
                 timeout: float = IMAP_TIMEOUT_SECONDS, ssl_context: ssl.SSLContext | None = None) -> None:
        self._context = context
        self._environ = environ
        self._timeout = timeout
        self._ssl_context = ssl_context
        self._intake = MailIntakeService(context, CaseService(context))
        # The interval is the team setting when the job is built (each process builds its own).
        self.interval_seconds = float(context.settings().mail_poll_seconds)

    def run_round(self, should_stop: Callable[[], bool]) -> JobReport:
        """Poll once; see ``poll_mailbox``."""
        settings = self._context.settings()
        if not settings.intake_configured:
            return JobReport("Email intake is off: no IMAP server is set", configured=False)
        report = poll_mailbox(self._intake, self._context, environ=self._environ,
                              ssl_context=self._ssl_context, timeout=self._timeout,
                              should_stop=should_stop)
        counts = {outcome.value: 0 for outcome in Outcome}
        for item in report.results:
            counts[item.outcome] = counts.get(item.outcome, 0) + 1
        text = (f"{len(report.results)} read · {counts[Outcome.NEW_CASE.value]} new cases · "
                f"{counts[Outcome.THREADED.value]} replies · {report.waiting} waiting")
        return JobReport(
            text if report.ok else report.status_line,
            {"fetched": len(report.results), "waiting": report.waiting, **counts},
            problem="" if report.ok else report.status_line,
        )
