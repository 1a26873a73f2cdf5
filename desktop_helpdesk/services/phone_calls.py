"""Calls at the desk: caller look-up and history, a call added to an open case, missed-call
notes, and outbound calls timed from dialling to hang-up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from peewee import JOIN

from desktop_helpdesk.domain.cases import (
    OPEN_STATUS_VALUES,
    Direction,
    InteractionChannel,
    phone_digits,
)
from desktop_helpdesk.domain.phone_calls import IncomingCall, strip_extension
from desktop_helpdesk.services.audit import ChangeLog
from desktop_helpdesk.services.cases import CaseService
from desktop_helpdesk.services.contacts import ContactService, contact_with_client
from desktop_helpdesk.services.context import ServiceContext, write_transaction
from desktop_helpdesk.services.dto import ContactMatch, InteractionLogged
from desktop_helpdesk.services.errors import (
    NotFoundError,
    ValidationError,
    WorkflowError,
    checked_instant,
    checked_text,
    existing,
)
from desktop_helpdesk.services.permissions import Actions, acting_member, change_by, require
from desktop_helpdesk.storage.dialect import lock_rows
from desktop_helpdesk.storage.records import (
    CaseRecord,
    ClientRecord,
    ContactRecord,
    PhoneCallRecord,
    TeamMemberRecord,
)

INBOUND = "inbound"
OUTBOUND = "outbound"
# States of a phone_call row.
MISSED = "missed"  # an inbound call nobody logged: the note waits for an agent
DISMISSED = "dismissed"  # the note was looked at and needs nothing
TAKEN = "taken"  # a case was logged (or the call added to one) from the note
IN_PROGRESS = "in_progress"  # an outbound call being dialled or talked on
LOGGED = "logged"  # the outbound call was logged as an interaction
CANCELLED = "cancelled"  # dialled, nobody answered, nothing to log
_MIN_MATCH_DIGITS = 4
_MAX_SUMMARY = 20_000


@dataclass(frozen=True)
class OpenCaseBrief:
    """One open case in a caller's history (the intake's side panel)."""

    id: int
    number: str
    subject: str
    status: str
    assignee_name: str
    next_due_at: datetime | None
    contact_id: int | None
    contact_name: str
    version: int


@dataclass(frozen=True)
class CallerHistory:
    """The caller's client and its open cases, the caller's own first, then by next due."""

    contact_id: int
    contact_name: str
    client_id: int
    client_name: str
    open_cases: tuple[OpenCaseBrief, ...]


@dataclass(frozen=True)
class PhoneCallInfo:
    """A missed-call note or an outbound call."""

    id: int
    direction: str
    state: str
    number: str
    caller_name: str
    line: str
    external_id: str
    member_id: int
    member_name: str
    contact_id: int | None
    contact_name: str
    client_name: str
    case_id: int | None
    case_number: str
    started_at: datetime
    ended_at: datetime | None

    @property
    def who(self) -> str:
        """The caller as the desk knows them: contact, caller-ID name, or the number."""
        name = self.contact_name or self.caller_name
        return f"{name} ({self.number})" if name else self.number


class PhoneCallService:
    """What the phone at the desk needs beyond logging a case.

    Args:
        context: the shared services context.
        cases: logs interactions (an added call, a finished outbound call).
        contacts: finds callers by phone digits.
    """

    def __init__(self, context: ServiceContext, cases: CaseService, contacts: ContactService) -> None:
        self._context = context
        self._cases = cases
        self._contacts = contacts

    # ------------------------------------------------------------------------------ callers

    def match_caller(self, number: str, limit: int = 8) -> list[ContactMatch]:
        """Contacts whose phone is this number, in any formatting, extension ignored.

        Args:
            number: e.g. ``"+1 (902) 955-6611 x204"``.
            limit: at most this many.

        Returns:
            Matching active contacts by name; empty for fewer than 4 digits.
        """
        digits = phone_digits(strip_extension(number))
        if len(digits) < _MIN_MATCH_DIGITS:
            return []
        return self._contacts.find_contacts(digits, limit=limit)

    def caller_history(self, contact_id: int, limit: int = 25) -> CallerHistory:
        """The open cases of the caller's client (the caller's own first, then by next due).

        Args:
            contact_id: the caller.
            limit: at most this many cases.

        Returns:
            The client and its open cases.

        Raises:
            NotFoundError: no such contact.
        """
        contact = contact_with_client(contact_id)
        Assignee = TeamMemberRecord.alias()
        CaseContact = ContactRecord.alias()
        rows = (
            CaseRecord.select(
                CaseRecord.id, CaseRecord.number, CaseRecord.subject, CaseRecord.status,
                CaseRecord.next_due_at, CaseRecord.contact, CaseRecord.version,
                Assignee.display_name, CaseContact.name,
            )
            .join(Assignee, JOIN.LEFT_OUTER, on=(CaseRecord.assignee == Assignee.id))
            .switch(CaseRecord)
            .join(CaseContact, JOIN.LEFT_OUTER, on=(CaseRecord.contact == CaseContact.id))
            .where(
                CaseRecord.client == contact.client_id,
                CaseRecord.status.in_(OPEN_STATUS_VALUES),
            )
            # The caller's own cases first: "I'm calling about my ticket" is the usual call.
            .order_by(
                CaseRecord.contact != contact.id,
                CaseRecord.next_due_at.is_null(),
                CaseRecord.next_due_at,
                CaseRecord.id,
            )
            .limit(limit)
            .tuples()
        )
        cases = tuple(
            OpenCaseBrief(case_id, number, subject, status, assignee or "", next_due, case_contact,
                          contact_name or "", version)
            for case_id, number, subject, status, next_due, case_contact, version, assignee, contact_name
            in rows
        )
        return CallerHistory(contact.id, contact.name, contact.client_id, contact.client.name, cases)

    def add_call_to_case(
        self,
        actor_id: int,
        case_id: int,
        *,
        summary: str,
        rang_at: datetime,
        missed_call_id: int | None = None,
    ) -> InteractionLogged:
        """Log this call on an open case as an inbound phone interaction (instead of a duplicate
        case), lasting from the ring until now.

        Args:
            actor_id: the agent who took the call.
            case_id: the open case the caller is calling about.
            summary: what was said (required).
            rang_at: when the call rang (the interaction's instant).
            missed_call_id: the missed-call note this call back answers, marked taken.

        Returns:
            The interaction, the targets it met and the updated case.

        Raises:
            ValidationError: empty summary or a ring in the future.
            WorkflowError: the case is resolved or closed (reopen it, or log a new case).
        """
        summary = _summary(summary)
        now = self._context.now()
        rang_at = checked_instant("rang_at", rang_at, now)
        if rang_at > now:
            raise ValidationError("rang_at", "the call cannot ring in the future")
        duration = int((now - rang_at).total_seconds())
        with write_transaction():
            status = CaseRecord.select(CaseRecord.status).where(CaseRecord.id == case_id).scalar()
            if status is None:
                raise NotFoundError(f"No case with id {case_id}")
            if status not in OPEN_STATUS_VALUES:
                raise WorkflowError("The case is no longer open: reopen it or log a new case")
            logged = self._cases.add_interaction(
                actor_id,
                case_id,
                channel=InteractionChannel.PHONE.value,
                direction=Direction.INBOUND.value,
                summary=summary,
                occurred_at=rang_at,
                duration_seconds=duration,
            )
            if missed_call_id is not None:
                self._take(actor_id, missed_call_id, case_id, now)
        return logged

    # ------------------------------------------------------------------------- missed calls

    def record_missed_call(self, actor_id: int, call: IncomingCall, contact_id: int | None = None) -> PhoneCallInfo:
        """Keep a "missed call from …" note for a call whose intake was dismissed unlogged.

        Args:
            actor_id: the member whose desk it rang at.
            call: the call as the phone system handed it over.
            contact_id: the matched caller, if one was.

        Returns:
            The note.
        """
        now = self._context.now()
        with change_by(actor_id) as actor:
            if contact_id is not None and ContactRecord.get_or_none(ContactRecord.id == contact_id) is None:
                raise NotFoundError(f"No contact with id {contact_id}")
            call_id = PhoneCallRecord.insert(
                direction=INBOUND,
                state=MISSED,
                number=call.number,
                number_digits=call.digits,
                caller_name=call.name,
                line=call.line,
                external_id=call.call_id,
                member=actor.id,
                contact=contact_id,
                started_at=min(call.rang_at, now),
                ended_at=now,
            ).execute()
            log = ChangeLog(actor.id, now, entity="phone_call", entity_id=call_id)
            log.add("missed_call", field="number", after=call.number,
                    reason=f"Intake dismissed without logging; rang {call.line or 'at the desk'}")
            log.flush()
        return self.get_call(call_id)

    def missed_calls(self, limit: int = 100) -> list[PhoneCallInfo]:
        """Missed-call notes still waiting for an agent, newest first (the whole team's)."""
        return self._infos(PhoneCallRecord.state == MISSED, limit)

    def dismiss_missed_call(self, actor_id: int, call_id: int, reason: str = "") -> PhoneCallInfo:
        """Close a missed-call note that needs nothing (wrong number, caller rang back...).

        Raises:
            WorkflowError: the note was already dealt with.
        """
        now = self._context.now()
        with change_by(actor_id) as actor:
            row = self._locked(call_id)
            if row.state != MISSED:
                raise WorkflowError("This missed call was already dealt with")
            row.state = DISMISSED
            row.save()
            log = ChangeLog(actor.id, now, entity="phone_call", entity_id=row.id)
            log.add("dismissed", field="state", before=MISSED, after=DISMISSED,
                    reason=checked_text("reason", reason, max_length=2_000))
            log.flush()
        return self.get_call(call_id)

    def take_missed_call(self, actor_id: int, call_id: int, case_id: int) -> PhoneCallInfo:
        """Mark a missed-call note as turned into (or added to) ``case_id``.

        Raises:
            WorkflowError: the note was already dealt with.
        """
        now = self._context.now()
        with write_transaction():
            self._take(actor_id, call_id, case_id, now)
        return self.get_call(call_id)

    def _take(self, actor_id: int, call_id: int, case_id: int, now: datetime) -> None:
        actor = acting_member(actor_id)
        row = self._locked(call_id)
        if row.state != MISSED:
            raise WorkflowError("This missed call was already dealt with")
        number = CaseRecord.select(CaseRecord.number).where(CaseRecord.id == case_id).scalar()
        if number is None:
            raise NotFoundError(f"No case with id {case_id}")
        row.state = TAKEN
        row.case = case_id
        row.save()
        log = ChangeLog(actor.id, now, entity="phone_call", entity_id=row.id, case_id=case_id)
        log.add("taken", field="state", before=MISSED, after=TAKEN,
                reason=f"Missed call from {row.number} handled in case {number}")
        log.flush()

    # ------------------------------------------------------------------------ outbound calls

    def start_outbound_call(self, actor_id: int, case_id: int, number: str) -> PhoneCallInfo:
        """The agent dialled ``number`` from a case: the call's timer starts now.

        Args:
            actor_id: the agent dialling.
            case_id: the case the call is about.
            number: the number dialled, any formatting.

        Returns:
            The call in progress.

        Raises:
            ValidationError: ``number`` has no digits.
            WorkflowError: the case is closed.
        """
        number = " ".join(checked_text("number", number, PhoneCallRecord.number).split())
        if len(phone_digits(strip_extension(number))) < 3:
            raise ValidationError("number", f"{number!r} is not a phone number")
        now = self._context.now()
        with change_by(actor_id) as actor:
            case = existing(CaseRecord, case_id, "case")
            if case.status == "closed":
                raise WorkflowError(f"Case {case.number} is closed (read-only); reopen it to call about it")
            call_id = PhoneCallRecord.insert(
                direction=OUTBOUND,
                state=IN_PROGRESS,
                number=number,
                number_digits=phone_digits(strip_extension(number)),
                member=actor.id,
                contact=case.contact_id,
                case=case.id,
                started_at=now,
            ).execute()
            log = ChangeLog(actor.id, now, entity="phone_call", entity_id=call_id, case_id=case.id)
            log.add("dialled", field="number", after=number, reason=f"Outbound call from case {case.number}")
            log.flush()
        return self.get_call(call_id)

    def end_outbound_call(self, actor_id: int, call_id: int, *, summary: str) -> InteractionLogged:
        """Hang up: log the call on its case as an outbound phone interaction with its duration
        (dialling to now), in one transaction with the call's end.

        Args:
            actor_id: the agent who dialled (or a supervisor tidying up).
            call_id: the call in progress.
            summary: what was said (required).

        Returns:
            The interaction (it meets the acknowledge and respond targets) and the updated case.

        Raises:
            ValidationError: empty summary.
            WorkflowError: the call already ended.
            PermissionDenied: someone else's call, for an agent.
        """
        summary = _summary(summary)
        now = self._context.now()
        with change_by(actor_id) as actor:
            row = self._own_call_in_progress(actor, call_id)
            duration = max(0, int((now - row.started_at).total_seconds()))
            logged = self._cases.add_interaction(
                actor.id,
                row.case_id,
                channel=InteractionChannel.PHONE.value,
                direction=Direction.OUTBOUND.value,
                summary=summary,
                occurred_at=row.started_at,
                duration_seconds=duration,
            )
            row.state = LOGGED
            row.ended_at = now
            row.interaction = logged.interaction_id
            row.save()
            log = ChangeLog(actor.id, now, entity="phone_call", entity_id=row.id, case_id=row.case_id)
            log.add("call_ended", field="duration_seconds", after=duration,
                    reason=f"Logged as interaction #{logged.interaction_id}")
            log.flush()
        # Re-read after the call row changed in the same transaction.
        return InteractionLogged(logged.interaction_id, logged.satisfied, self._cases.get_case(row.case_id))

    def cancel_outbound_call(self, actor_id: int, call_id: int, reason: str = "No answer") -> PhoneCallInfo:
        """End a dialled call that reached nobody: nothing is logged on the case but the audit.

        Raises:
            WorkflowError: the call already ended.
            PermissionDenied: someone else's call, for an agent.
        """
        now = self._context.now()
        with change_by(actor_id) as actor:
            row = self._own_call_in_progress(actor, call_id)
            row.state = CANCELLED
            row.ended_at = now
            row.save()
            log = ChangeLog(actor.id, now, entity="phone_call", entity_id=row.id, case_id=row.case_id)
            log.add("call_cancelled", field="state", before=IN_PROGRESS, after=CANCELLED,
                    reason=checked_text("reason", reason, max_length=2_000) or "No answer")
            log.flush()
        return self.get_call(call_id)

    def calls_in_progress(self, member_id: int) -> list[PhoneCallInfo]:
        """The member's outbound calls still running (the window shows them again after a restart)."""
        return self._infos(
            (PhoneCallRecord.state == IN_PROGRESS) & (PhoneCallRecord.member == member_id), 20
        )

    # -------------------------------------------------------------------------------- reads

    def get_call(self, call_id: int) -> PhoneCallInfo:
        """One call or missed-call note.

        Raises:
            NotFoundError: no such call.
        """
        found = self._infos(PhoneCallRecord.id == call_id, 1)
        if not found:
            raise NotFoundError(f"No phone call with id {call_id}")
        return found[0]

    @staticmethod
    def _infos(condition, limit: int) -> list[PhoneCallInfo]:
        Member = TeamMemberRecord.alias()
        Contact = ContactRecord.alias()
        Client = ClientRecord.alias()
        Case = CaseRecord.alias()
        rows = (
            PhoneCallRecord.select(
                PhoneCallRecord,
                Member.display_name.alias("member_name"),
                Contact.name.alias("contact_name"),
                Client.name.alias("client_name"),
                Case.number.alias("case_number"),
            )
            .join(Member, on=(PhoneCallRecord.member == Member.id))
            .switch(PhoneCallRecord)
            .join(Contact, JOIN.LEFT_OUTER, on=(PhoneCallRecord.contact == Contact.id))
            .join(Client, JOIN.LEFT_OUTER, on=(Contact.client == Client.id))
            .switch(PhoneCallRecord)
            .join(Case, JOIN.LEFT_OUTER, on=(PhoneCallRecord.case == Case.id))
            .where(condition)
            .order_by(PhoneCallRecord.started_at.desc(), PhoneCallRecord.id.desc())
            .limit(limit)
            .objects()
        )
        return [
            PhoneCallInfo(
                row.id, row.direction, row.state, row.number, row.caller_name, row.line,
                row.external_id, row.member_id, row.member_name or "",
                row.contact_id, row.contact_name or "", row.client_name or "",
                row.case_id, row.case_number or "", row.started_at, row.ended_at,
            )
            for row in rows
        ]

    @staticmethod
    def _locked(call_id: int) -> PhoneCallRecord:
        row = lock_rows(PhoneCallRecord.select().where(PhoneCallRecord.id == call_id)).first()
        if row is None:
            raise NotFoundError(f"No phone call with id {call_id}")
        return row

    def _own_call_in_progress(self, actor: TeamMemberRecord, call_id: int) -> PhoneCallRecord:
        row = self._locked(call_id)
        if row.direction != OUTBOUND or row.state != IN_PROGRESS:
            raise WorkflowError("This call has already ended")
        if row.member_id != actor.id:
            require(actor, Actions.END_OTHERS_CALL)
        return row


def _summary(summary: object) -> str:
    text = checked_text("summary", summary, max_length=_MAX_SUMMARY)
    if not text:
        raise ValidationError("summary", "say in a line what was said on the call")
    return text
