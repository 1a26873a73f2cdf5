"""Email intake: each inbound message becomes exactly one outcome (new case, threaded reply,
automatic reply, bounce, duplicate or quarantine), stored raw in the same transaction."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from peewee import IntegrityError, fn

from desktop_helpdesk.domain.cases import (
    CaseStatus,
    Direction,
    IntakeChannel,
    InteractionChannel,
    case_number_in_subject,
    is_valid_email,
)
from desktop_helpdesk.services.audit import ChangeLog
from desktop_helpdesk.services.cases import MAX_DESCRIPTION_LENGTH, MAX_SUBJECT_LENGTH, CaseService
from desktop_helpdesk.services.contacts import NewContact, find_or_create_contact
from desktop_helpdesk.services.context import ServiceContext, TeamSettings, write_transaction
from desktop_helpdesk.services.errors import (
    ServiceError,
    ValidationError,
    WorkflowError,
    existing,
)
from desktop_helpdesk.services.mail_identity import (
    LOOP_HEADER,
    case_id_from_message_id,
    loop_token,
    threading_secret,
)
from desktop_helpdesk.services.mail_parsing import (
    NotAnEmail,
    ParsedMail,
    looks_like_rfc822,
    parse_mail,
    raw_message_key,
)
from desktop_helpdesk.services.permissions import change_by
from desktop_helpdesk.storage.records import (
    AttachmentRecord,
    CaseRecord,
    ClientEmailDomainRecord,
    ClientRecord,
    ContactAddressRecord,
    ContactRecord,
    InboundMailRecord,
    MailOutboxRecord,
    TeamMemberRecord,
)

log = logging.getLogger(__name__)

INTAKE_USERNAME = "email-intake"
UNKNOWN_SENDERS_CLIENT = "Unknown senders"
ACKNOWLEDGEMENT_INTERVAL = timedelta(hours=4)
FLOOD_WINDOW = timedelta(hours=1)
# Interaction texts are capped by the case service; the raw message keeps everything.
_MAX_INTERACTION_TEXT = 20_000
_AUTOMATIC_SENDERS = re.compile(
    r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?)([+@-]|$)|-(request|bounces|owner|admin)@", re.I)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|delivery (status )?notification|delivery (has )?fail|returned mail|mail delivery"
    r"|failure notice|could not be delivered|non[- ]?delivery|delivery failure", re.I)


class Outcome(StrEnum):
    """What one inbound message became (the values are the CLI's ``outcome`` field)."""

    NEW_CASE = "new_case"
    THREADED = "threaded"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    DUPLICATE = "duplicate"
    QUARANTINED = "quarantined"


class QuarantineState(StrEnum):
    """Where a quarantined message stands: waiting for an agent, released, or discarded."""

    WAITING = ""
    RELEASED = "released"
    DISCARDED = "discarded"


@dataclass(frozen=True)
class IntakeResult:
    """The outcome of one message: what it became, on which case, and why."""

    outcome: Outcome
    case_number: str | None
    reason: str
    inbound_id: int | None = None


@dataclass(frozen=True)
class MailSource:
    """Where a message came from: an IMAP mailbox (with UIDVALIDITY and UID) or a .eml file."""

    kind: str  # imap | eml
    mailbox: str = ""
    uidvalidity: int | None = None
    uid: int | None = None
    arrived_at: datetime | None = None  # IMAP INTERNALDATE: when the server received it


@dataclass(frozen=True)
class InboundMailInfo:
    """A stored inbound message as the Quarantine list and the email view show it."""

    id: int
    received_at: datetime
    sent_at: datetime | None
    from_address: str
    subject: str
    outcome: str
    reason: str
    case_number: str | None
    quarantine_state: str
    quarantine_note: str
    headers: str
    size: int


@dataclass(frozen=True)
class EmailView:
    """A stored email as the window shows it: headers, text (never live HTML), file names."""

    id: int
    sender: str
    to: str
    cc: str
    date: datetime | None
    subject: str
    text: str
    attachments: tuple[str, ...]
    outcome: str
    reason: str
    case_number: str | None


class MailIntakeService:
    """Turns inbound messages into cases and interactions, and runs the Quarantine.

    Args:
        context: the shared services context.
        cases: the case service (intake logs, threads and acknowledges through it).
    """

    def __init__(self, context: ServiceContext, cases: CaseService) -> None:
        self._context = context
        self._cases = cases

    # --------------------------------------------------------------------------- intake

    def process(self, raw: bytes, source: MailSource) -> IntakeResult:
        """Store one raw message and apply what it becomes, in one transaction.

        The same message (same normalised Message-ID, else the same bytes) arriving again is
        a duplicate and writes nothing. A message that cannot be handled is quarantined with
        the reason, never left blocking the queue.

        Args:
            raw: the message's bytes exactly as received.
            source: where it came from.

        Returns:
            The outcome, the case number (if any) and the reason.
        """
        settings = self._context.settings()
        key, parsed, problem = self._read(raw, settings)
        if InboundMailRecord.select().where(InboundMailRecord.message_key == key).exists():
            return IntakeResult(Outcome.DUPLICATE, self._case_number_of(key), "already received")
        try:
            with write_transaction():
                row = self._store(raw, key, parsed, source)
                result = self._apply(row, parsed, problem, settings, force_new_case=False)
        except (IntegrityError, ServiceError, ValueError, LookupError, TypeError, AttributeError) as exc:
            if isinstance(exc, IntegrityError) and InboundMailRecord.select().where(
                    InboundMailRecord.message_key == key).exists():
                # Another workstation (or poll) stored the same message between check and insert.
                return IntakeResult(Outcome.DUPLICATE, self._case_number_of(key), "already received")
            # Whatever went wrong with this one message, keep it (quarantined) and move on.
            log.exception("Email intake: message %s could not be processed", key)
            reason = f"could not be processed: {exc}"
            try:
                with write_transaction():
                    row = self._store(raw, key, parsed, source)
                    self._finish(row, Outcome.QUARANTINED, reason)
            except IntegrityError:
                return IntakeResult(Outcome.DUPLICATE, self._case_number_of(key), "already received")
            return IntakeResult(Outcome.QUARANTINED, None, reason, row.id)
        return result

    def _read(self, raw: bytes, settings: TeamSettings) -> tuple[str, ParsedMail | None, str]:
        if len(raw) > settings.mail_max_message_bytes:
            # Not parsed at all: a huge message must not stall the queue or the memory.
            return (raw_message_key(raw), None,
                    f"over the size limit ({len(raw):,} bytes; the limit is "
                    f"{settings.mail_max_message_bytes:,})")
        if not looks_like_rfc822(raw):
            return raw_message_key(raw), None, "not an RFC 822 message"
        try:
            parsed = parse_mail(raw)
        except NotAnEmail:
            return raw_message_key(raw), None, "not an RFC 822 message"
        except (ValueError, LookupError, TypeError, AttributeError, IndexError, UnicodeError) as exc:
            log.warning("Email intake: unparseable message: %s", exc)
            return raw_message_key(raw), None, f"the message could not be decoded ({type(exc).__name__})"
        return parsed.message_key, parsed, ""

    def _store(self, raw: bytes, key: str, parsed: ParsedMail | None, source: MailSource) -> InboundMailRecord:
        now = self._context.now()
        return InboundMailRecord.create(
            message_key=key,
            message_id=parsed.message_id if parsed else "",
            raw_sha256=hashlib.sha256(raw).hexdigest(),
            raw=raw,
            size=len(raw),
            source=source.kind,
            mailbox=source.mailbox[:300],
            uidvalidity=source.uidvalidity,
            uid=source.uid,
            # Lower case: the flood limit counts per sender whatever case they type.
            from_address=(parsed.from_address.lower() if parsed else "")[:254],
            subject=(parsed.subject if parsed else "")[:400],
            sent_at=parsed.date if parsed else None,
            received_at=source.arrived_at if source.arrived_at and source.arrived_at <= now else now,
            outcome=Outcome.QUARANTINED.value,
        )

    def _apply(
        self,
        row: InboundMailRecord,
        parsed: ParsedMail | None,
        problem: str,
        settings: TeamSettings,
        *,
        force_new_case: bool,
    ) -> IntakeResult:
        if parsed is None:
            return self._finish(row, Outcome.QUARANTINED, problem)
        secret = threading_secret()
        sender = parsed.from_address.lower()
        if not force_new_case:
            ours = settings.mail_from_address.lower()
            if parsed.header(LOOP_HEADER) == loop_token(secret) or (ours and sender == ours):
                return self._finish(row, Outcome.AUTO_REPLY, "sent by this desk (mail loop refused)")
            if _is_bounce(parsed):
                return self._bounce(row, parsed, secret)
            automatic = automatic_reason(parsed)
            if automatic:
                return self._auto_reply(row, parsed, secret, automatic)
        if not sender or not is_valid_email(sender):
            return self._finish(row, Outcome.QUARANTINED,
                                f"no usable sender address (From: {parsed.header('from') or 'missing'})")
        mentioned = None
        if not force_new_case:
            case, how, mentioned = self._thread_target(parsed, secret, sender)
            if case is not None:
                return self._threaded(row, parsed, case, how, settings)
            limit = settings.mail_new_cases_per_sender_per_hour
            recent = self._recent_new_cases(sender, row.received_at)
            if recent >= limit:
                return self._finish(
                    row, Outcome.QUARANTINED,
                    f"held: {sender} already opened {recent} new cases in the last hour "
                    f"(limit {limit}); create the case anyway or discard")
        note = ""
        if mentioned is not None:
            note = f"Mentions case {mentioned}, but the sender is not a contact of that case's client"
        return self._new_case(row, parsed, settings, note=note)

    # ------------------------------------------------------------------------- outcomes

    def _new_case(self, row, parsed: ParsedMail, settings: TeamSettings, *, note: str = "",
                  follows: CaseRecord | None = None) -> IntakeResult:
        actor = intake_member(self._context.now())
        contact = self._contact_for(parsed, actor.id)
        description = parsed.body_with_history
        preface = []
        if follows is not None:
            preface.append(f"Follows closed case {follows.number} (the client replied to it).")
        if note:
            preface.append(note + ".")
        if preface:
            description = "\n".join(preface) + "\n\n" + description
        logged = self._cases.log_case(
            actor.id,
            subject=(parsed.subject or "(no subject)")[:MAX_SUBJECT_LENGTH],
            channel=IntakeChannel.EMAIL.value,
            description=description[:MAX_DESCRIPTION_LENGTH],
            received_at=row.received_at,
            contact_id=contact.id,
        )
        first = self._first_interaction(logged.id)
        self._attach(row, parsed, logged.id, first, actor.id)
        reason = "new case from " + parsed.from_address
        if follows is not None:
            self._link(follows.id, logged.id, logged.number, follows.number, actor.id)
            reason = f"reply to closed case {follows.number}: new linked case"
        elif note:
            reason = note
        if settings.mail_auto_acknowledge and settings.mail_configured:
            if self._may_acknowledge(contact.email_lower):
                self._cases.send_acknowledgement(actor.id, logged.id, automatic=True,
                                                 in_reply_to=parsed.message_id)
                reason += "; acknowledged automatically"
            else:
                reason += "; not acknowledged (one automatic acknowledgement per sender per 4 hours)"
        return self._finish(row, Outcome.NEW_CASE, reason, case_id=logged.id, interaction_id=first,
                            case_number=logged.number)

    def _threaded(self, row, parsed: ParsedMail, case: CaseRecord, how: str,
                  settings: TeamSettings) -> IntakeResult:
        status = CaseStatus(case.status)
        if status is CaseStatus.CLOSED:
            return self._new_case(row, parsed, settings, follows=case)
        actor = intake_member(self._context.now())
        reason = f"reply on case {case.number} ({how})"
        if status is CaseStatus.RESOLVED:
            self._cases.reopen(actor.id, case.id, reason=f"The client replied by email ({parsed.from_address})")
            reason += "; the resolved case was reopened"
        logged = self._cases.add_interaction(
            actor.id, case.id, channel=InteractionChannel.EMAIL.value,
            direction=Direction.INBOUND.value, summary=_interaction_text(parsed),
            occurred_at=row.received_at,
        )
        self._attach(row, parsed, case.id, logged.interaction_id, actor.id)
        return self._finish(row, Outcome.THREADED, reason, case_id=case.id,
                            interaction_id=logged.interaction_id, case_number=case.number)

    def _auto_reply(self, row, parsed: ParsedMail, secret: bytes, why: str) -> IntakeResult:
        case = self._case_by_our_ids(parsed, secret)
        if case is None:
            return self._finish(row, Outcome.AUTO_REPLY, f"automatic mail ({why}); no case")
        interaction_id = self._note_on_case(
            case, InteractionChannel.EMAIL, Direction.INBOUND,
            f"Automatic reply ({why}): {parsed.subject}\n\n{parsed.text}"[:_MAX_INTERACTION_TEXT])
        return self._finish(row, Outcome.AUTO_REPLY, f"automatic mail ({why}) logged on case {case.number}",
                            case_id=case.id, interaction_id=interaction_id, case_number=case.number)

    def _bounce(self, row, parsed: ParsedMail, secret: bytes) -> IntakeResult:
        case = self._case_by_our_ids(parsed, secret, include_body=True)
        failed = _failed_recipients(parsed)
        now = self._context.now()
        diagnostic = _diagnostic(parsed)
        marked = []
        for address in failed:
            for contact in ContactRecord.select().where(_has_address(address.lower())):
                if case is not None and contact.client_id != case.client_id:
                    continue
                ContactRecord.update(email_failing_at=now, email_failing_reason=diagnostic[:2000]).where(
                    ContactRecord.id == contact.id).execute()
                change_log = ChangeLog(None, now, entity="contact", entity_id=contact.id)
                change_log.add("email_failing", field="email", after=contact.email, reason=diagnostic[:500])
                change_log.flush()
                marked.append(contact.email)
        what = f"delivery to {', '.join(failed) or 'an unknown address'} failed"
        if case is None:
            return self._finish(row, Outcome.BOUNCE, what + "; no case found")
        # An internal note: a bounce never acknowledges, responds or reopens anything.
        interaction_id = self._note_on_case(
            case, InteractionChannel.NOTE, Direction.INTERNAL,
            f"Bounce: {what}.\n{diagnostic}".strip()[:_MAX_INTERACTION_TEXT])
        if interaction_id is not None:
            self._attach_raw(row, case.id, interaction_id, "bounce.eml")
        suffix = f"; {', '.join(marked)} marked failing" if marked else ""
        return self._finish(row, Outcome.BOUNCE, f"{what} (case {case.number}){suffix}",
                            case_id=case.id, interaction_id=interaction_id, case_number=case.number)

    def _note_on_case(self, case: CaseRecord, channel: InteractionChannel, direction: Direction,
                      text: str) -> int | None:
        if CaseStatus(case.status) is CaseStatus.CLOSED:
            return None  # closed cases are read-only; the message stays linked from the store
        actor = intake_member(self._context.now())
        try:
            logged = self._cases.add_interaction(
                actor.id, case.id, channel=channel.value, direction=direction.value,
                summary=text.strip() or "(empty message)")
        except WorkflowError:
            return None
        return logged.interaction_id

    def _finish(self, row, outcome: Outcome, reason: str, *, case_id: int | None = None,
                interaction_id: int | None = None, case_number: str | None = None) -> IntakeResult:
        InboundMailRecord.update(
            outcome=outcome.value, reason=reason[:2000], case=case_id, interaction=interaction_id,
            quarantine_state=QuarantineState.WAITING.value,
        ).where(InboundMailRecord.id == row.id).execute()
        change_log = ChangeLog(None, self._context.now(), entity="inbound_mail", entity_id=row.id,
                               case_id=case_id)
        change_log.add("email_received", field="outcome", after=outcome.value, reason=reason[:500])
        change_log.flush()
        return IntakeResult(outcome, case_number, reason, row.id)

    # -------------------------------------------------------------------------- helpers

    def _thread_target(self, parsed: ParsedMail, secret: bytes, sender: str):
        case = self._case_by_our_ids(parsed, secret)
        if case is not None:
            return case, "our Message-ID in In-Reply-To/References", None
        number = case_number_in_subject(parsed.subject)
        if number is None:
            return None, "", None
        case = CaseRecord.get_or_none(CaseRecord.number == number)
        if case is None:
            return None, "", number
        # Only people of the case's client may post into it by quoting its number. Strangers
        # all sit under "Unknown senders", so there only the case's own contact may.
        who = ContactRecord.select().where(
            _has_address(sender), ContactRecord.active == True,  # noqa: E712
        )
        client_name = ClientRecord.select(ClientRecord.name).where(ClientRecord.id == case.client_id).scalar()
        if (client_name or "").lower() == UNKNOWN_SENDERS_CLIENT.lower():
            who = who.where(ContactRecord.id == case.contact_id)
        else:
            who = who.where(ContactRecord.client == case.client_id)
        is_client_contact = who.exists()
        if not is_client_contact:
            return None, "", number
        return case, f"[Case {number}] in the subject from a contact of the client", None

    def _case_by_our_ids(self, parsed: ParsedMail, secret: bytes, *, include_body: bool = False):
        candidates = list(parsed.in_reply_to) + list(reversed(parsed.references))
        if include_body:
            text = "\n".join((parsed.returned_headers, parsed.text, parsed.quoted))
            candidates += re.findall(r"<(hd\d+\.\d+\.[0-9a-f]+@[^<>\s]+)>", text)
        for message_id in candidates:
            case_id = case_id_from_message_id(secret, message_id)
            if case_id is not None:
                case = CaseRecord.get_or_none(CaseRecord.id == case_id)
                if case is not None:
                    return case
        return None

    def _recent_new_cases(self, sender: str, now: datetime) -> int:
        return InboundMailRecord.select().where(
            InboundMailRecord.from_address == sender,
            InboundMailRecord.outcome == Outcome.NEW_CASE.value,
            InboundMailRecord.received_at > now - FLOOD_WINDOW,
        ).count()

    def _may_acknowledge(self, address: str) -> bool:
        since = self._context.now() - ACKNOWLEDGEMENT_INTERVAL
        return not MailOutboxRecord.select().where(
            MailOutboxRecord.automatic == True,  # noqa: E712
            fn.LOWER(MailOutboxRecord.to_address) == address,
            MailOutboxRecord.created_at > since,
        ).exists()

    def _contact_for(self, parsed: ParsedMail, actor_id: int) -> ContactRecord:
        address = parsed.from_address.strip()
        lower = address.lower()
        existing = ContactRecord.select().where(
            _has_address(lower), ContactRecord.active == True  # noqa: E712
        ).order_by(ContactRecord.id).first()
        if existing is not None:
            return existing
        domain = lower.rpartition("@")[2]
        owner = ClientEmailDomainRecord.get_or_none(ClientEmailDomainRecord.domain == domain)
        client_id = owner.client_id if owner is not None else unknown_senders_client(self._context.now()).id
        name = (parsed.from_name or address.split("@")[0]).strip()[:200] or address
        details = NewContact(name=name, email=address, client_id=client_id).validated()
        return find_or_create_contact(None, self._context.now(), details, reuse=False)

    @staticmethod
    def _first_interaction(case_id: int) -> int | None:
        from desktop_helpdesk.storage.records import InteractionRecord

        return InteractionRecord.select(InteractionRecord.id).where(
            InteractionRecord.case == case_id).order_by(InteractionRecord.id).scalar()

    def _attach(self, row, parsed: ParsedMail, case_id: int, interaction_id: int | None, actor_id: int) -> None:
        now = self._context.now()
        for part in parsed.parts:
            if not part.data:
                continue
            digest = hashlib.sha256(part.data).hexdigest()
            attachment_id = AttachmentRecord.insert(
                case=case_id, interaction=interaction_id, filename=part.filename,
                content_type=part.content_type[:128], size=len(part.data), sha256=digest,
                data=part.data, added_by=actor_id, added_at=now,
            ).execute()
            change_log = ChangeLog(actor_id, now, entity_id=case_id, case_id=case_id)
            change_log.add("attachment_added", field="attachment",
                           after=f"{part.filename} ({len(part.data)} bytes, sha256 {digest[:12]}, #{attachment_id})",
                           reason=f"from email #{row.id}")
            change_log.flush()

    def _attach_raw(self, row, case_id: int, interaction_id: int, name: str) -> None:
        now = self._context.now()
        actor = intake_member(now)
        data = bytes(row.raw)
        AttachmentRecord.insert(
            case=case_id, interaction=interaction_id, filename=name, content_type="message/rfc822",
            size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data, added_by=actor.id,
            added_at=now,
        ).execute()

    def _link(self, old_id: int, new_id: int, new_number: str, old_number: str, actor_id: int) -> None:
        now = self._context.now()
        for case_id, other in ((new_id, old_number), (old_id, new_number)):
            change_log = ChangeLog(actor_id, now, entity_id=case_id, case_id=case_id)
            change_log.add("linked", field="linked_case", after=other,
                           reason="client replied by email to a closed case")
            change_log.flush()

    @staticmethod
    def _case_number_of(key: str) -> str | None:
        row = (InboundMailRecord.select(CaseRecord.number)
               .join(CaseRecord, on=(InboundMailRecord.case == CaseRecord.id))
               .where(InboundMailRecord.message_key == key).tuples().first())
        return row[0] if row else None

    # ------------------------------------------------------------------------ quarantine

    def quarantined(self, *, include_settled: bool = False, limit: int = 500) -> list[InboundMailInfo]:
        """Quarantined messages, newest first (by default only those waiting for an agent).

        Args:
            include_settled: also released and discarded ones.
            limit: at most this many.

        Returns:
            The messages with their reason and headers.
        """
        query = InboundMailRecord.select().where(InboundMailRecord.outcome == Outcome.QUARANTINED.value)
        if not include_settled:
            query = query.where(InboundMailRecord.quarantine_state == QuarantineState.WAITING.value)
        rows = query.order_by(InboundMailRecord.received_at.desc(), InboundMailRecord.id.desc()).limit(limit)
        return [_info(row) for row in rows]

    def inbound(self, inbound_id: int) -> InboundMailInfo:
        """One stored message's description.

        Raises:
            NotFoundError: no such message.
        """
        return _info(self._row(inbound_id))

    def original(self, inbound_id: int) -> bytes:
        """The raw source of a stored message, exactly as received (for "Show original").

        Raises:
            NotFoundError: no such message.
        """
        return bytes(self._row(inbound_id).raw)

    def email_view(self, inbound_id: int) -> EmailView:
        """A stored email decoded for reading: From, To, Cc, Date, subject, text and files.

        Raises:
            NotFoundError: no such message.
        """
        row = self._row(inbound_id)
        info = _info(row)
        try:
            parsed = parse_mail(bytes(row.raw))
        except (NotAnEmail, ValueError, LookupError, TypeError, AttributeError, IndexError, UnicodeError):
            return EmailView(row.id, row.from_address, "", "", row.sent_at, row.subject,
                             "(This file is not an RFC 822 email; see the original source.)", (),
                             row.outcome, row.reason, info.case_number)
        sender = parsed.header("from") or parsed.from_address
        return EmailView(row.id, sender, parsed.to, parsed.cc, parsed.date, parsed.subject,
                         parsed.body_with_history, tuple(part.filename for part in parsed.parts),
                         row.outcome, row.reason, info.case_number)

    def inbound_for_interaction(self, interaction_id: int) -> InboundMailInfo | None:
        """The stored email an interaction was made from, if any."""
        row = InboundMailRecord.get_or_none(InboundMailRecord.interaction == interaction_id)
        return None if row is None else _info(row)

    def reprocess(self, actor_id: int, inbound_id: int) -> IntakeResult:
        """Run a quarantined message through intake again (e.g. after the limit was raised).

        Args:
            actor_id: the member acting.
            inbound_id: the stored message.

        Returns:
            Its new outcome.

        Raises:
            WorkflowError: the message is not waiting in the quarantine.
        """
        return self._release(actor_id, inbound_id, force_new_case=False)

    def create_case_anyway(self, actor_id: int, inbound_id: int) -> IntakeResult:
        """Make a new case from a quarantined message, skipping the automatic-mail, loop and
        flood checks (an agent decided it is a real request).

        Raises:
            WorkflowError: the message is not waiting in the quarantine, or cannot be read.
        """
        return self._release(actor_id, inbound_id, force_new_case=True)

    def discard(self, actor_id: int, inbound_id: int, reason: str) -> None:
        """Settle a quarantined message without a case (kept, never deleted), with the reason.

        Raises:
            ValidationError: empty ``reason``.
            WorkflowError: the message is not waiting in the quarantine.
        """
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError("reason", "say why the message is discarded")
        now = self._context.now()
        with change_by(actor_id) as actor:
            row = self._waiting(inbound_id)
            InboundMailRecord.update(quarantine_state=QuarantineState.DISCARDED.value,
                                     quarantine_note=reason[:2000]).where(
                InboundMailRecord.id == row.id).execute()
            change_log = ChangeLog(actor.id, now, entity="inbound_mail", entity_id=row.id)
            change_log.add("email_discarded", field="quarantine_state", before="waiting",
                           after=QuarantineState.DISCARDED.value, reason=reason[:2000])
            change_log.flush()

    def _release(self, actor_id: int, inbound_id: int, *, force_new_case: bool) -> IntakeResult:
        settings = self._context.settings()
        now = self._context.now()
        with change_by(actor_id) as actor:
            row = self._waiting(inbound_id)
            raw = bytes(row.raw)
            _key, parsed, problem = self._read(raw, settings)
            if parsed is None and force_new_case:
                raise WorkflowError(f"This message cannot become a case: {problem}")
            result = self._apply(row, parsed, problem, settings, force_new_case=force_new_case)
            state = (QuarantineState.WAITING if result.outcome is Outcome.QUARANTINED
                     else QuarantineState.RELEASED)
            InboundMailRecord.update(quarantine_state=state.value,
                                     quarantine_note=f"{'created anyway' if force_new_case else 'reprocessed'}"
                                                     f" by {actor.display_name}").where(
                InboundMailRecord.id == row.id).execute()
            change_log = ChangeLog(actor.id, now, entity="inbound_mail", entity_id=row.id,
                                   case_id=None)
            change_log.add("email_created_anyway" if force_new_case else "email_reprocessed",
                           field="outcome", before=Outcome.QUARANTINED.value, after=result.outcome.value,
                           reason=result.reason[:500])
            change_log.flush()
        return result

    @staticmethod
    def _row(inbound_id: int) -> InboundMailRecord:
        row = existing(InboundMailRecord, inbound_id, "stored email")
        return row

    def _waiting(self, inbound_id: int) -> InboundMailRecord:
        row = self._row(inbound_id)
        if row.outcome != Outcome.QUARANTINED.value or row.quarantine_state != QuarantineState.WAITING.value:
            raise WorkflowError(f"Email #{inbound_id} is not waiting in the quarantine")
        return row


# ---------------------------------------------------------------------------- module helpers


def intake_member(now: datetime) -> TeamMemberRecord:
    """The team member email intake acts as ("Email intake"): it logs, threads and
    acknowledges, never takes cases. Created on first use (inside the caller's transaction).

    Args:
        now: the instant, should it be created.

    Returns:
        Its record (reactivated if an admin deactivated it: intake must never stop).
    """
    member = TeamMemberRecord.get_or_none(TeamMemberRecord.username == INTAKE_USERNAME)
    if member is None:
        member = TeamMemberRecord.create(
            username=INTAKE_USERNAME, display_name="Email intake", role="agent",
            can_take_cases=False, availability="off_shift", created_at=now,
        )
        change_log = ChangeLog(None, now, entity="team_member", entity_id=member.id)
        change_log.add("member_created", field="username", after=INTAKE_USERNAME,
                       reason="email intake acts as this member")
        change_log.flush()
    elif not member.active:
        TeamMemberRecord.update(active=True).where(TeamMemberRecord.id == member.id).execute()
        member.active = True
    return member


def unknown_senders_client(now: datetime) -> ClientRecord:
    """The "Unknown senders" client new email senders go under until an agent sorts them.

    Args:
        now: the instant, should it be created.

    Returns:
        Its record (created on first use, audited).
    """
    client = ClientRecord.select().where(fn.LOWER(ClientRecord.name) == UNKNOWN_SENDERS_CLIENT.lower()).first()
    if client is not None:
        return client
    from desktop_helpdesk.services.contacts import NewClient, create_client_record

    return create_client_record(None, now, NewClient(UNKNOWN_SENDERS_CLIENT))


def automatic_reason(parsed: ParsedMail) -> str:
    """Why a message is automatic mail that must never be answered, or "" for a person's mail.

    Follows RFC 3834 (``Auto-Submitted``), the de-facto ``Precedence``, Exchange's
    ``X-Auto-Response-Suppress`` and inbox-rules loop header, mailing lists (``List-Id``),
    the null return path and daemon senders.

    Args:
        parsed: the message.

    Returns:
        A short reason, e.g. ``"Auto-Submitted: auto-replied"``.
    """
    auto_submitted = parsed.header("auto-submitted").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = parsed.header("precedence").strip().lower()
    if precedence in ("bulk", "list", "junk", "auto_reply"):
        return f"Precedence: {precedence}"
    for name in ("x-auto-response-suppress", "x-ms-exchange-inbox-rules-loop", "list-id",
                 "list-unsubscribe", "list-post", "x-mailman-version", "x-autoreply",
                 "x-autorespond", "x-autogenerated"):
        if parsed.header(name):
            return f"{name}: {parsed.header(name)[:60]}"
    if "return-path" in parsed.headers and parsed.header("return-path").strip() in ("<>", ""):
        return "Return-Path: <>"
    if _AUTOMATIC_SENDERS.search(parsed.from_address):
        return f"sender {parsed.from_address}"
    return ""


def _has_address(lower: str):
    """Contacts whose main email, or one of their further addresses, is ``lower``."""
    further = ContactAddressRecord.select(ContactAddressRecord.contact).where(
        ContactAddressRecord.kind == "email", ContactAddressRecord.normalised == lower)
    return (ContactRecord.email_lower == lower) | ContactRecord.id.in_(further)


def _is_bounce(parsed: ParsedMail) -> bool:
    if parsed.is_report and (parsed.delivery_status or "delivery-status" in parsed.header("content-type").lower()):
        return True
    daemon = bool(re.match(r"^(mailer-daemon|postmaster)@", parsed.from_address, re.I)) or (
        "return-path" in parsed.headers and parsed.header("return-path").strip() in ("<>", ""))
    return daemon and bool(_BOUNCE_SUBJECT.search(parsed.subject))


def _failed_recipients(parsed: ParsedMail) -> list[str]:
    found: list[str] = []
    if parsed.delivery_status:
        for block in parsed.delivery_status.split("\n\n"):
            fields = dict(
                (k.strip().lower(), v.strip()) for k, _, v in
                (line.partition(":") for line in block.splitlines()) if k
            )
            recipient = fields.get("final-recipient") or fields.get("original-recipient") or ""
            action = fields.get("action", "failed").lower()
            if recipient and action in ("failed", "delayed", ""):
                address = recipient.split(";", 1)[-1].strip().strip("<>")
                if "@" in address and address not in found:
                    found.append(address)
    text = parsed.text + "\n" + parsed.quoted
    if not found:
        # A report whose MIME structure broke still carries its fields as text.
        for address in re.findall(r"(?im)^\s*(?:final-recipient:[^;\n]*;|recipient address:)\s*<?([^\s<>]+@[^\s<>]+)>?", text):
            if address not in found:
                found.append(address)
    if not found:
        # Plain-text bounces: the usual "<addr>: ..." or "addr ... failed" lines.
        for address in re.findall(r"<?([A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})>?", text):
            lowered = address.lower()
            if lowered.startswith(("mailer-daemon@", "postmaster@")) or address in found:
                continue
            if ContactRecord.select().where(_has_address(lowered)).exists():
                found.append(address)
    return found


def _diagnostic(parsed: ParsedMail) -> str:
    for line in parsed.delivery_status.splitlines():
        if line.lower().startswith("diagnostic-code:"):
            return line.split(":", 1)[1].strip()
    for line in parsed.text.splitlines():
        stripped = line.strip()
        if re.search(r"\b[45]\.\d\.\d+\b|\b5\d\d\b", stripped):
            return stripped[:500]
    return parsed.subject


def _interaction_text(parsed: ParsedMail) -> str:
    head = f"Subject: {parsed.subject}\n\n" if parsed.subject else ""
    text = head + (parsed.body_with_history or "(empty message)")
    return text[:_MAX_INTERACTION_TEXT]


def _info(row: InboundMailRecord) -> InboundMailInfo:
    from desktop_helpdesk.services.mail_parsing import header_block

    number = None
    if row.case_id is not None:
        number = CaseRecord.select(CaseRecord.number).where(CaseRecord.id == row.case_id).scalar()
    return InboundMailInfo(
        id=row.id, received_at=row.received_at, sent_at=row.sent_at,
        from_address=row.from_address, subject=row.subject, outcome=row.outcome, reason=row.reason,
        case_number=number, quarantine_state=row.quarantine_state,
        quarantine_note=row.quarantine_note, headers=header_block(bytes(row.raw)), size=row.size,
    )
