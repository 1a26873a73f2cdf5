"""Client email: composes acknowledgement and resolution emails, queues them in the mail outbox
and delivers the outbox over SMTP."""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from enum import StrEnum

from desktop_helpdesk.domain.calendar import DESK_ZONE
from desktop_helpdesk.domain.cases import case_subject
from desktop_helpdesk.domain.clock import Clock
from desktop_helpdesk.domain.templates import TemplateKind, render_template
from desktop_helpdesk.domain.templates import desk_time as template_desk_time
from desktop_helpdesk.services import outbox
from desktop_helpdesk.services.audit import ChangeLog
from desktop_helpdesk.services.context import MailServer, TeamSettings
from desktop_helpdesk.services.email_templates import case_fields, template_text
from desktop_helpdesk.services.errors import ServiceError, ValidationError
from desktop_helpdesk.services.jobs import JobReport
from desktop_helpdesk.services.leases import MAIL_SEND
from desktop_helpdesk.services.mail_identity import (
    LOOP_HEADER,
    loop_token,
    our_message_id,
    threading_secret,
)
from desktop_helpdesk.storage.records import (
    AttachmentRecord,
    CaseRecord,
    ContactRecord,
    MailOutboxRecord,
)

log = logging.getLogger(__name__)

PASSWORD_ENVIRONMENT_VARIABLE = "HELPDESK_SMTP_PASSWORD"
SMTP_TIMEOUT_SECONDS = 20.0
# After this many failed sends a row waits for an operator instead of retrying every 30 s.


class MailKind(StrEnum):
    """Which client email a mail outbox row holds."""

    ACKNOWLEDGEMENT = "acknowledgement"
    RESOLUTION = "resolution"
    REPLY = "reply"  # written by a member in the composer


class MailNotConfigured(ServiceError):
    """No SMTP server or sender address is set, so no client email can be sent."""

    def __init__(self) -> None:
        super().__init__(
            "Email is not set up: an administrator must enter the SMTP server and the sender "
            "address in Administration → Settings"
        )


def desk_time(instant: datetime) -> str:
    """An instant as the client reads it: ``"Wednesday 25 November 2026, 11:00 AST"``."""
    return template_desk_time(instant, DESK_ZONE)


def acknowledgement_body(case: CaseRecord, contact: ContactRecord, settings: TeamSettings,
                         agent_name: str = "") -> str:
    """The acknowledgement email's text: the team's template (Administration → Email
    templates; by default case number, priority and when we will respond) rendered for the case.

    Args:
        case: the case (its respond due instant is the promise).
        contact: the client contact addressed.
        settings: the team settings (the sender name signs the email).
        agent_name: the member sending it ("" when the desk sends it on its own).

    Returns:
        Plain text.
    """
    fields = case_fields(case, contact, settings, agent_name=agent_name)
    return render_template(template_text(TemplateKind.ACKNOWLEDGEMENT), fields.values())


def resolution_body(case: CaseRecord, contact: ContactRecord, summary: str, settings: TeamSettings,
                    agent_name: str = "") -> str:
    """The resolution email's text: the team's template (by default case number, subject and
    the resolution) rendered for the case.

    Args:
        case: the case.
        contact: the client contact addressed.
        summary: the resolution summary.
        settings: the team settings (the sender name signs the email).
        agent_name: the member resolving.

    Returns:
        Plain text.
    """
    fields = case_fields(case, contact, settings, agent_name=agent_name, resolution=summary)
    return render_template(template_text(TemplateKind.RESOLUTION), fields.values())


def require_mail_contact(case: CaseRecord) -> ContactRecord:
    """The case's contact, when it has an email address.

    Raises:
        ValidationError: naming ``contact_email`` when there is no contact or no address.
    """
    contact = case.contact if case.contact_id is not None else None
    if contact is None or not contact.email.strip():
        raise ValidationError(
            "contact_email", f"case {case.number}'s contact has no email address; add one to the contact first"
        )
    return contact


def queue_case_email(
    case: CaseRecord,
    kind: MailKind,
    body: str,
    contact: ContactRecord | None,
    settings: TeamSettings,
    now: datetime,
    change_log: ChangeLog,
    *,
    automatic: bool = False,
    in_reply_to: str = "",
    subject: str = "",
    cc: tuple[str, ...] = (),
    attachment_ids: tuple[int, ...] = (),
    to_address: str = "",
    to_name: str = "",
) -> int:
    """Queue one client email in the mail outbox, inside the caller's transaction (so it is
    sent if and only if the case change is committed), and audit it.

    Args:
        case: the case the email is about.
        kind: acknowledgement or resolution.
        body: the plain text.
        contact: the addressee (None only with ``to_address``).
        settings: the team settings (must be configured for mail).
        now: the instant of the change.
        change_log: the case change's audit log.
        automatic: sent by the desk on its own (carries ``Auto-Submitted: auto-replied``).
        in_reply_to: the client's Message-ID this email answers ("" for none).
        subject: the subject as written ("" for the case's own, tagged with its number).
        cc: further addressees (checked by the caller).
        attachment_ids: the case's attachments sent with it (checked by the caller).
        to_address: the addressee when not the contact (a reply typed to someone else).
        to_name: their display name with ``to_address``.

    Returns:
        The outbox row id.

    Raises:
        MailNotConfigured: no SMTP server or sender address.
    """
    if not settings.mail_configured:
        raise MailNotConfigured()
    subject = subject or case_subject(case.number, case.subject)
    address = to_address or contact.email.strip()
    outbox_id = MailOutboxRecord.insert(
        case=case.id,
        kind=kind.value,
        to_address=address,
        to_name=to_name if to_address else contact.name,
        subject=subject[:400],
        body=body,
        created_at=now,
        automatic=automatic,
        in_reply_to=in_reply_to,
        cc_addresses=", ".join(cc),
        attachment_ids=",".join(str(i) for i in attachment_ids),
    ).execute()
    copied = f", cc {', '.join(cc)}" if cc else ""
    attached = f", {len(attachment_ids)} attachment(s)" if attachment_ids else ""
    change_log.add("email_queued", field="email",
                   after=f"{kind.value} to {address}{copied}{attached} (#{outbox_id})")
    return outbox_id


def build_message(row: MailOutboxRecord, settings: TeamSettings, secret: bytes) -> EmailMessage:
    """The email of an outbox row, with From, To, Reply-To, Subject, Date, our loop header and
    a Message-ID derived from the row and signed with the case (a re-send after a crash carries
    the same id, so the client's mail program can drop the duplicate; a reply quoting it
    threads back onto the case). Automatic emails carry ``Auto-Submitted: auto-replied``.

    Args:
        row: the outbox row.
        settings: the team settings (sender).
        secret: the threading secret (``mail_identity.threading_secret``).

    Returns:
        The message.
    """
    sender = formataddr((settings.mail_from_name, settings.mail_from_address))
    domain = settings.mail_from_address.rpartition("@")[2] or "helpdesk.invalid"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr((row.to_name, row.to_address))
    if row.cc_addresses:
        message["Cc"] = row.cc_addresses
    message["Reply-To"] = sender
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = our_message_id(secret, row.case.id, row.id, domain)
    if row.in_reply_to:
        message["In-Reply-To"] = f"<{row.in_reply_to}>"
        message["References"] = f"<{row.in_reply_to}>"
    if row.automatic:
        # RFC 3834: the client's own auto-responders must not answer this one.
        message["Auto-Submitted"] = "auto-replied"
        message["X-Auto-Response-Suppress"] = "All"
    message[LOOP_HEADER] = loop_token(secret)
    message["X-Helpdesk-Case"] = row.case.number
    message.set_content(row.body)
    for attachment in _attachments(row):
        maintype, _, subtype = attachment.content_type.partition("/")
        if not subtype:
            maintype, subtype = "application", "octet-stream"
        message.add_attachment(bytes(attachment.data), maintype=maintype, subtype=subtype,
                               filename=attachment.filename)
    return message


def _attachments(row: MailOutboxRecord) -> list[AttachmentRecord]:
    ids = [int(part) for part in row.attachment_ids.split(",") if part.strip()]
    if not ids:
        return []
    # Only the case's own files: the ids were checked when queued, and this keeps it so.
    return list(AttachmentRecord.select().where(
        AttachmentRecord.id.in_(ids) & (AttachmentRecord.case == row.case_id)).order_by(AttachmentRecord.id))


class SmtpChannel:
    """Sends outbox emails over one SMTP connection per round (opened at the first email).

    Outcomes: accepted = delivered; the server unreachable, refusing the login or dropping
    the connection = the whole round waits (retried with back-off); a recipient or message
    refused with a 5xx code = parked for an operator with the server's answer; other SMTP
    answers (4xx) = retried.

    Args:
        settings: the SMTP server and sender.
        password: the SMTP password ("" to send without logging in when no username is set).
        timeout: seconds to wait for the server on each network operation.
    """

    record = MailOutboxRecord

    def __init__(self, settings: TeamSettings, password: str, timeout: float) -> None:
        self._settings = settings
        self._password = password
        self._timeout = timeout
        self._connection: smtplib.SMTP | None = None
        self._secret: bytes | None = None

    def __enter__(self) -> SmtpChannel:
        return self

    def __exit__(self, *exc_info) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()

    def send(self, row: MailOutboxRecord) -> outbox.Delivered | outbox.Failed:
        if self._connection is None:
            try:
                self._connection = _connect(self._settings.smtp, self._password, self._timeout)
            except (OSError, smtplib.SMTPException) as exc:
                log.warning("Mail delivery: cannot reach %s: %s", self._settings.smtp.host, _describe(exc))
                return outbox.Failed(_describe(exc), whole_batch=True)
        if self._secret is None:
            # Read (or first made) only once a server answered: a failed round changes nothing.
            self._secret = threading_secret()
        try:
            self._connection.send_message(build_message(row, self._settings, self._secret))
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._connection = None
            return outbox.Failed(_describe(exc), whole_batch=True)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            return outbox.Failed(_describe(exc), permanent=all(code >= 500 for code in codes))
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            return outbox.Failed(_describe(exc), permanent=exc.smtp_code >= 500)
        except smtplib.SMTPException as exc:
            return outbox.Failed(_describe(exc))
        return outbox.DELIVERED

    def after_sent(self, row: MailOutboxRecord, at: datetime) -> None:
        change_log = ChangeLog(None, at, entity="mail_outbox", entity_id=row.id, case_id=row.case_id)
        change_log.add("email_sent", field="email", after=f"{row.kind} to {row.to_address} (#{row.id})")
        change_log.flush()


def deliver_mail_outbox(
    clock: Clock,
    settings: TeamSettings,
    password: str,
    *,
    holder: str,
    limit: int = 50,
    timeout: float = SMTP_TIMEOUT_SECONDS,
    should_stop: Callable[[], bool] = lambda: False,
    rng=None,
) -> outbox.DeliveryReport:
    """Send due outbox emails (claimed, in case order) over one SMTP connection.

    A row is marked sent only after the server accepted it (a crash in between re-sends it
    with the same Message-ID); failures are retried with back-off or parked (see
    ``SmtpChannel`` and ``outbox.deliver_round``). Nothing is ever deleted here.

    Args:
        clock: gives the sent instant.
        settings: the SMTP server and sender.
        password: the SMTP password ("" to send without logging in when no username is set).
        holder: this process's ``mail-send`` lease token (rows are claimed under it).
        limit: at most this many emails per run.
        timeout: seconds to wait for the server on each network operation.
        should_stop: checked before each email; True ends the run after the current one.
        rng: jitter source for retries.

    Returns:
        Counts of sent, failed, still pending and parked emails.

    Raises:
        MailNotConfigured: no SMTP server or sender address.
    """
    if not settings.mail_configured:
        raise MailNotConfigured()
    return outbox.deliver_round(SmtpChannel(settings, password, timeout), MAIL_SEND, holder, clock,
                                limit=limit, should_stop=should_stop, rng=rng)


MAIL_BATCH = 50
MAIL_INTERVAL_SECONDS = 30.0
# The window waits for its pool when it closes, and SIGTERM waits for the current email: a
# silent (firewalled) server must give up well before either wait runs out.
MAIL_TIMEOUT_SECONDS = 8.0


class MailSendJob(outbox.OutboxJob):
    """The team job sending client emails from the mail outbox (lease ``mail-send``, every 30 s).

    Settings name the SMTP server; ``environ`` is where ``HELPDESK_SMTP_PASSWORD`` is read.
    """

    lease_name = MAIL_SEND
    interval_seconds = MAIL_INTERVAL_SECONDS
    outbox = MailOutboxRecord
    batch = MAIL_BATCH
    timeout = MAIL_TIMEOUT_SECONDS
    secret_variable = PASSWORD_ENVIRONMENT_VARIABLE

    def needs_secret(self, settings) -> bool:
        return settings.mail_configured and bool(settings.smtp.username)

    def run_round(self, should_stop: Callable[[], bool]) -> JobReport:
        """Send up to one batch of pending emails; see ``deliver_mail_outbox``."""
        settings = self._context.settings()
        if not settings.mail_configured:
            return JobReport("Email is off: no SMTP server is set", configured=False)
        report = deliver_mail_outbox(self._context.clock, settings, self.secret(),
                                     holder=self.holder, limit=self.batch, timeout=self.timeout,
                                     should_stop=should_stop, rng=self._rng)
        return self.finish_round(report, failed_word="not sent")


def pending_mail_count() -> int:
    """How many client emails wait to be sent (parked ones included)."""
    return MailOutboxRecord.select().where(outbox.unsent(MailOutboxRecord)).count()


def _connect(server: MailServer, password: str, timeout: float) -> smtplib.SMTP:
    if server.security == "ssl":
        connection = smtplib.SMTP_SSL(
            server.host, server.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = smtplib.SMTP(server.host, server.port, timeout=timeout)
    try:
        if server.security == "starttls":
            connection.starttls(context=ssl.create_default_context())
        if server.username:
            connection.login(server.username, password)
    except BaseException:
        connection.close()
        raise
    return connection


def _describe(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "the SMTP server did not answer in time"
    if isinstance(exc, ConnectionRefusedError):
        return f"the SMTP server refused the connection ({exc})"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"the SMTP server refused the user name or password ({PASSWORD_ENVIRONMENT_VARIABLE})"
    return f"{type(exc).__name__}: {exc}"
