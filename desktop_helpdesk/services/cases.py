"""Case lifecycle use cases: logging, assignment, SLA clocks, workflow, interactions, attachments."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from peewee import JOIN, fn

from desktop_helpdesk.domain.cases import (
    CASE_NUMBER_DIGITS,
    RESOLUTION_CHANNELS,
    CaseStatus,
    Direction,
    EscalationTarget,
    IntakeChannel,
    InteractionChannel,
    can_transition,
    case_number_in_subject,
    case_subject,
    file_size_text,
    format_case_number,
    normalise_case_number,
    sanitise_filename,
    transition_error,
)
from desktop_helpdesk.domain.policy import Priority, RequestedPriority, effective_priority
from desktop_helpdesk.domain.sla import ClockReading, Target, due_instants
from desktop_helpdesk.domain.templates import render_template
from desktop_helpdesk.services import search
from desktop_helpdesk.services.assignment import choose_assignee
from desktop_helpdesk.services.audit import ChangeLog, audit_label, enqueue_crm_event
from desktop_helpdesk.services.case_reads import (
    attachment_description,
    attachment_info,
    case_audit_trail,
    case_detail,
    case_timeline,
    desk_time_text,
    hours_text,
    read_case_clocks,
)
from desktop_helpdesk.services.categories import chosen_category
from desktop_helpdesk.services.contacts import NewContact, find_or_create_contact
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.dto import (
    AttachmentInfo,
    AuditEntry,
    CaseDetail,
    InteractionLogged,
    LoggedCase,
    TimelineEntry,
)
from desktop_helpdesk.services.email_templates import case_fields
from desktop_helpdesk.services.errors import (
    ConflictError,
    NotFoundError,
    ValidationError,
    WorkflowError,
    checked_instant,
    checked_text,
    checked_whole_number,
    column_length,
    existing,
)
from desktop_helpdesk.services.mail import (
    MailKind,
    MailNotConfigured,
    acknowledgement_body,
    queue_case_email,
    require_mail_contact,
    resolution_body,
)
from desktop_helpdesk.services.permissions import Actions, change_by, require_action
from desktop_helpdesk.services.reply_checks import (
    checked_reply,
    last_client_message_id,
    reply_attachments,
)
from desktop_helpdesk.storage.dialect import lock_rows
from desktop_helpdesk.storage.records import (
    AttachmentRecord,
    CaseRecord,
    CaseSequenceRecord,
    CategoryRecord,
    ClientRecord,
    ContactRecord,
    EscalationRecord,
    InteractionRecord,
    SlaPauseRecord,
    TeamMemberRecord,
)
from desktop_helpdesk.storage.target_columns import DUE_FIELDS, MET_FIELDS

# The subject column decides; the intake form limits its field to the same length.
MAX_SUBJECT_LENGTH = column_length(CaseRecord.subject)
# Room for a long pasted email thread; beyond that it belongs in an attachment.
MAX_DESCRIPTION_LENGTH = 100_000

# What a command does to the locked case inside ``CaseService._change``: (actor, case, log, now).
CaseChange = Callable[[TeamMemberRecord, CaseRecord, ChangeLog, datetime], None]
# A change that logs one contact and returns its interaction id and the SLA targets it met.
ContactRecorder = Callable[[TeamMemberRecord, CaseRecord, ChangeLog, datetime],
                           tuple[int, tuple[str, ...]]]


def member_label(member: TeamMemberRecord | None) -> str:
    """How a member appears in audit rows.

    Args:
        member: the member, or None.

    Returns:
        ``"Name (#id)"``, or "" for nobody.
    """
    return "" if member is None else audit_label(member.display_name, member.id)


class CaseService:
    """Everything that changes a case, plus the case reads the case view needs.

    Every change runs in one write transaction with its audit rows, its CRM outbox event and
    its search-index update, bumps ``version`` and ``updated_at`` and keeps ``next_due_at``.

    Every command on one case takes the same arguments, described here once; each command's
    docstring names only its own:

    - ``actor_id``: the member acting, who is the author of anything the command records.
    - ``case_id``: the case.
    - ``expected_version`` (keyword): the version the caller read; a stale one raises
      ``ConflictError``, None skips the check.
    - ``read_back`` (keyword, on the commands bulk work runs): False returns None instead of
      reading the updated case back.

    Unless its docstring says otherwise, a command returns the updated case (``CaseDetail``)
    and raises ``PermissionDenied`` for an unknown or inactive actor, ``NotFoundError`` for no
    such case, ``WorkflowError`` for a closed case (read-only until reopened) and
    ``ConflictError`` for a stale ``expected_version``. Nothing is written when it raises.

    Args:
        context: the shared services context (clock, calendar, policy, settings).
    """

    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    # ----------------------------------------------------------------------------- logging

    def log_case(self, actor_id: int, *, subject: str, channel: str,
                 requested_priority: str = RequestedPriority.MEDIUM.value, description: str = "",
                 received_at: datetime | None = None, contact_id: int | None = None,
                 new_contact: NewContact | None = None, live_call: bool = True,
                 category_id: int | None = None) -> LoggedCase:
        """Log a new case: number it, find or create the caller, compute its SLA due instants,
        assign it, index it for search and queue it for the CRM, all in one transaction.

        A live phone call is acknowledged at ``received_at`` (the caller is on the line); an
        email (or a phone message, ``live_call=False``) must be acknowledged within the
        policy's 2 business hours.

        Args:
            actor_id: the member logging the case.
            subject: one-line summary (required).
            channel: ``"phone"`` or ``"email"``.
            requested_priority: ``"high"``, ``"medium"`` or ``"low"`` (served as medium).
            description: the client's words.
            received_at: when the client made contact (default now; never in the future).
            contact_id: an existing contact, or
            new_contact: details to find (by phone digits or email) or create the contact.
            live_call: for calls (phone, Teams), whether a person took the call live.
            category_id: an offered category (None: chosen later).

        Returns:
            The new case's id, number, status and assignee with the reason for the choice.

        Raises:
            ValidationError: naming the bad field (``category``: unknown or retired); nothing
                is written.
            PermissionDenied: unknown or inactive actor.
            NotFoundError: ``contact_id`` names no contact.
        """
        context = self._context
        now = context.now()
        subject = _required_text("subject", subject, MAX_SUBJECT_LENGTH)
        description = _optional_text("description", description, MAX_DESCRIPTION_LENGTH)
        intake = _enum("channel", IntakeChannel, channel)
        requested = _enum("requested_priority", RequestedPriority, str(requested_priority).lower())
        received = _instant("received_at", received_at if received_at is not None else now, now)
        # Everything that can be checked without the database is checked before the write
        # lock is taken, so a typo never queues behind another workstation's transaction.
        if (contact_id is None) == (new_contact is None):
            raise ValidationError("contact", "choose an existing contact or enter a new one")
        details = new_contact.validated() if new_contact is not None else None
        priority = effective_priority(requested)
        # Policy: a call answered by a person is "logged immediately on connection", which is
        # the acknowledgement; a voicemail or an email still needs one within 2 business hours.
        live = intake.can_be_live and live_call

        with change_by(actor_id) as actor:
            category = chosen_category(category_id)
            settings = context.settings()
            calendar = context.reload_calendar()
            if details is not None:
                contact = find_or_create_contact(actor.id, now, details)
            else:
                contact = existing(ContactRecord, contact_id, "contact")
            # The year is the Halifax year of logging: a case typed at 21:00 on 31 December
            # belongs to that year even though it is already 1 January in UTC.
            number = self._next_number(now.astimezone(calendar.zone).year)
            # Due instants count from when the client made contact, not from when it was typed.
            due = due_instants(calendar, context.policy, received, priority)
            choice = choose_assignee(context, settings.assignment_strategy)
            status = CaseStatus.ACKNOWLEDGED if live else CaseStatus.NEW
            acknowledged_at = received if live else None
            next_due = min(
                due[target] for target in Target if not (live and target is Target.ACKNOWLEDGE)
            )
            case_id = CaseRecord.insert(
                number=number,
                subject=subject,
                description=description,
                requested_priority=requested.value,
                effective_priority=priority.value,
                status=status.value,
                channel=intake.value,
                client=contact.client_id,
                contact=contact.id,
                assignee=choice.member_id,
                logged_by=actor.id,
                received_at=received,
                logged_at=now,
                acknowledge_due_at=due[Target.ACKNOWLEDGE],
                respond_due_at=due[Target.RESPOND],
                resolve_due_at=due[Target.RESOLVE],
                acknowledged_at=acknowledged_at,
                next_due_at=next_due,
                category=category.id if category is not None else None,
                version=1,
                updated_at=now,
            ).execute()
            # The request itself opens the timeline, so the first contact is explained there.
            first_contact = description.strip() or subject
            interaction_id = _insert_interaction(
                case_id, intake.value, Direction.INBOUND, first_contact,
                author_id=actor.id if live else None, occurred_at=received, created_at=now,
                satisfied=[Target.ACKNOWLEDGE.value] if live else [],
            )

            log = ChangeLog(actor.id, now, entity_id=case_id, case_id=case_id)
            log.add("logged", field="number", after=number, reason=f"{intake.label} intake")
            log.add("logged", field="status", after=status.value)
            log.add("logged", field="contact", after=audit_label(contact.name, contact.id))
            log.add("logged", field="requested_priority", after=requested.value)
            if category is not None:
                log.add("logged", field="category", after=audit_label(category.name, category.id))
            log.add(
                "logged",
                field="effective_priority",
                before=requested.value,
                after=priority.value,
                reason=(
                    "Policy: no request is treated as Low priority; served as Medium"
                    if requested is RequestedPriority.LOW
                    else "As requested"
                ),
            )
            for target in Target:
                log.add(
                    "logged",
                    field=DUE_FIELDS[target],
                    after=due[target],
                    reason=f"{priority.label} priority, from received {desk_time_text(received)}",
                )
            if live:
                log.add(
                    "logged",
                    field=MET_FIELDS[Target.ACKNOWLEDGE],
                    after=received,
                    reason="Live phone call: acknowledged on connection",
                )
            log.add(
                "assigned",
                field="assignee",
                after=audit_label(choice.member_name, choice.member_id),
                reason=choice.reason,
            )
            log.flush()
            # Written directly from the values in hand: re-reading the case would cost queries.
            search.write_search_row(case_id, subject, description, first_contact, "")
            client = ClientRecord.get_by_id(contact.client_id)
            enqueue_crm_event(
                case_id,
                "case_logged",
                now,
                {
                    **_crm_case(number, subject, client, contact),
                    "channel": intake.value,
                    "priority": priority.value,
                    "received_at": received,
                    "assignee": choice.member_name,
                },
                interaction_id=interaction_id,
            )
        return LoggedCase(
            case_id,
            number,
            status.value,
            choice.member_id,
            choice.member_name,
            choice.reason,
            contact.id,
            contact.client_id,
            1,
        )

    @staticmethod
    def _next_number(year: int) -> str:
        # Runs inside the BEGIN IMMEDIATE transaction (or a row lock on PostgreSQL), so two
        # workstations can never read the same last number.
        (
            CaseSequenceRecord.insert(year=year, last_number=1)
            .on_conflict(
                conflict_target=[CaseSequenceRecord.year],
                update={CaseSequenceRecord.last_number: CaseSequenceRecord.last_number + 1},
            )
            .execute()
        )
        last = (
            CaseSequenceRecord.select(CaseSequenceRecord.last_number)
            .where(CaseSequenceRecord.year == year)
            .scalar()
        )
        return format_case_number(year, last)

    # ------------------------------------------------------------------------ plain edits

    def edit_case(self, actor_id: int, case_id: int, *, expected_version: int,
                  subject: str | None = None, description: str | None = None,
                  contact_id: int | None = None) -> CaseDetail:
        """Change the subject, description or contact of an open or resolved case.

        Args:
            expected_version: required: an edit always checks the version the editor read.
            subject: the new subject (None: unchanged).
            description: the new description (None: unchanged).
            contact_id: another contact of the same client (None: unchanged).

        Raises:
            ValidationError: empty subject, unknown contact or one of another client.
        """
        if subject is not None:
            subject = _required_text("subject", subject, MAX_SUBJECT_LENGTH)
        if description is not None:
            description = _optional_text("description", description, MAX_DESCRIPTION_LENGTH)

        def apply(actor, case, log, now):
            if subject is not None:
                log.change(case, "subject", subject)
            if description is not None:
                log.change(case, "description", description)
            if contact_id is not None and contact_id != case.contact_id:
                # The client organisation is what the SLA and CRM history hang on, so a case
                # only moves between contacts of its own client.
                contact = ContactRecord.get_or_none(ContactRecord.id == contact_id)
                if contact is None or contact.client_id != case.client_id:
                    raise ValidationError("contact", "choose a contact of the case's client")
                previous = ContactRecord.get_or_none(ContactRecord.id == case.contact_id)
                log.add(
                    "update",
                    field="contact",
                    before=audit_label(previous.name, previous.id) if previous else "",
                    after=audit_label(contact.name, contact.id),
                )
                case.contact = contact_id

        return self._change(actor_id, case_id, expected_version, apply, reindex=True)

    def change_priority(self, actor_id: int, case_id: int, requested_priority: str, *, reason: str,
                        expected_version: int | None = None,
                        read_back: bool = True) -> CaseDetail | None:
        """Change the requested priority; the due instants are recomputed from the same starts
        (received for acknowledge/respond, the current resolution start for resolve, plus the
        business time already paused) and every change is audited with ``reason``.

        Args:
            requested_priority: ``"high"``, ``"medium"`` or ``"low"`` (served as medium).
            reason: why (required; audited with each changed field).

        Raises:
            ValidationError: unknown ``requested_priority`` or empty ``reason``.
        """
        requested = _enum("requested_priority", RequestedPriority, str(requested_priority).lower())
        reason = _required_text("reason", reason, 2000)

        def apply(actor, case, log, now):
            old = Priority(case.effective_priority)
            priority = effective_priority(requested)
            log.change(case, "requested_priority", requested.value, reason=reason)
            if not log.change(case, "effective_priority", priority.value, reason=reason):
                # Low <-> Medium changes the request but not the targets the team works to.
                return
            why = f"Priority changed {old.label} -> {priority.label}: {reason}"
            self._recompute_due(case, priority, log, why)

        return self._change(actor_id, case_id, expected_version, apply, read_back=read_back)

    def _recompute_due(self, case: CaseRecord, priority: Priority, log: ChangeLog, why: str) -> None:
        calendar = self._context.reload_calendar()
        due = due_instants(calendar, self._context.policy, case.received_at, priority)
        log.change(case, "acknowledge_due_at", due[Target.ACKNOWLEDGE], action="sla", reason=why)
        log.change(case, "respond_due_at", due[Target.RESPOND], action="sla", reason=why)
        # The resolution target of a reopened case runs from the reopening, and time already
        # spent waiting on the client stays credited, so the new due instant is explainable.
        start = case.resolve_started_at or case.received_at
        resolve_due = calendar.add(start, self._context.policy.budget(priority, Target.RESOLVE))
        paused = self._paused_since(case.id, start)
        if paused > timedelta(0):
            resolve_due = calendar.add(resolve_due, paused)
            why = f"{why} (plus {hours_text(paused)} paused waiting on client)"
        log.change(case, "resolve_due_at", resolve_due, action="sla", reason=why)

    @staticmethod
    def _paused_since(case_id: int, start: datetime) -> timedelta:
        seconds = (
            SlaPauseRecord.select(fn.COALESCE(fn.SUM(SlaPauseRecord.business_seconds), 0))
            .where(
                SlaPauseRecord.case == case_id,
                SlaPauseRecord.started_at >= start,
                SlaPauseRecord.ended_at.is_null(False),
            )
            .scalar()
        )
        return timedelta(seconds=int(seconds or 0))

    def reassign(self, actor_id: int, case_id: int, assignee_id: int | None, *, reason: str,
                 expected_version: int | None = None, bulk: bool = False,
                 read_back: bool = True) -> CaseDetail | None:
        """Give the case to another member (or nobody: back to the Unassigned queue).

        Agents may take an unassigned case themselves or hand on their own cases; reassigning
        anyone else's case needs a supervisor or admin.

        Args:
            assignee_id: the new assignee, or None for the Unassigned queue.
            reason: why (required; audited).
            bulk: part of bulk work, where the team setting may let agents move colleagues' cases.

        Raises:
            ValidationError: empty ``reason``; ``assignee`` unknown, inactive or not taking cases.
            PermissionDenied: an agent moving someone else's case.
        """
        reason = _required_text("reason", reason, 2000)

        def apply(actor, case, log, now):
            own = case.assignee_id == actor.id
            taking = case.assignee_id is None and assignee_id == actor.id
            if not (own or taking):
                if not bulk:
                    require_action(actor, "reassign_others_case")
                elif not self._context.settings().agents_may_bulk_reassign:
                    require_action(actor, "bulk_reassign_others_case")
            before = TeamMemberRecord.get_or_none(TeamMemberRecord.id == case.assignee_id)
            after = None
            if assignee_id is not None:
                after = TeamMemberRecord.get_or_none(TeamMemberRecord.id == assignee_id)
                if after is None or not after.active:
                    raise ValidationError("assignee", f"no active team member with id {assignee_id}")
                if not after.can_take_cases:
                    raise ValidationError("assignee", f"{after.display_name} does not take cases")
            if case.assignee_id == assignee_id:
                return  # nothing to audit; the version still moves so callers see a write
            case.assignee = assignee_id
            log.add(
                "reassigned",
                field="assignee",
                before=member_label(before),
                after=member_label(after),
                reason=reason,
            )

        return self._change(actor_id, case_id, expected_version, apply, read_back=read_back)

    def take_case(self, actor_id: int, case_id: int, *, reason: str = "",
                  expected_version: int | None = None) -> CaseDetail:
        """"Assign to me": take an unassigned case, or a colleague's with a reason.

        Any member who takes cases may do it (a desk covers for an absent colleague); taking
        someone else's case says why, and the audit names who had it.

        Args:
            reason: why (required when the case was a colleague's; audited).

        Raises:
            ValidationError: ``reason`` missing for a colleague's case; ``assignee`` when the
                actor does not take cases.
        """
        reason = _optional_text("reason", reason, 2000).strip()

        def apply(actor, case, log, now):
            if not actor.can_take_cases:
                raise ValidationError("assignee", f"{actor.display_name} does not take cases")
            if case.assignee_id == actor.id:
                return
            before = TeamMemberRecord.get_or_none(TeamMemberRecord.id == case.assignee_id)
            if before is not None and not reason:
                raise ValidationError(
                    "reason", f"say why you take {before.display_name}'s case (kept in the audit)"
                )
            case.assignee = actor.id
            log.add(
                "taken",
                field="assignee",
                before=member_label(before),
                after=member_label(actor),
                reason=reason or "Taken from the Unassigned queue",
            )

        return self._change(actor_id, case_id, expected_version, apply)

    def hand_back(self, actor_id: int, case_id: int, *, reason: str = "",
                  expected_version: int | None = None) -> CaseDetail:
        """"Hand back to the queue": the case goes to Unassigned for someone else to take.

        Agents hand back their own cases; a supervisor or admin may hand back anyone's.

        Args:
            reason: why (optional; audited).

        Raises:
            PermissionDenied: an agent handing back someone else's case.
            WorkflowError: the case is closed or already unassigned.
        """
        reason = _optional_text("reason", reason, 2000).strip()

        def apply(actor, case, log, now):
            if case.assignee_id is None:
                raise WorkflowError(f"Case {case.number} is already in the Unassigned queue")
            if case.assignee_id != actor.id:
                require_action(actor, "hand_back_others_case")
            before = TeamMemberRecord.get_or_none(TeamMemberRecord.id == case.assignee_id)
            case.assignee = None
            log.add(
                "handed_back",
                field="assignee",
                before=member_label(before),
                after="",
                reason=reason or "Handed back to the Unassigned queue",
            )

        return self._change(actor_id, case_id, expected_version, apply)

    def set_category(self, actor_id: int, case_id: int, category_id: int | None, *,
                     reason: str = "", expected_version: int | None = None,
                     read_back: bool = True) -> CaseDetail | None:
        """Give the case a category (or none), audited.

        Args:
            category_id: an offered category, or None to clear it.
            reason: why (optional; audited).

        Raises:
            ValidationError: ``category`` unknown or retired.
        """
        reason = _optional_text("reason", reason, 2000)

        def apply(actor, case, log, now):
            if case.category_id == category_id:
                return
            after = chosen_category(category_id)
            before = CategoryRecord.get_or_none(CategoryRecord.id == case.category_id)
            log.add(
                "update",
                field="category",
                before=audit_label(before.name, before.id) if before else "",
                after=audit_label(after.name, after.id) if after else "",
                reason=reason,
            )
            case.category = category_id

        return self._change(actor_id, case_id, expected_version, apply, read_back=read_back)

    # ------------------------------------------------------------------------ interactions

    def add_interaction(self, actor_id: int, case_id: int, *, channel: str, direction: str,
                        summary: str, occurred_at: datetime | None = None,
                        duration_seconds: int = 0, acknowledgement_only: bool = False,
                        expected_version: int | None = None) -> InteractionLogged:
        """Record a contact with the client (or an internal note) and the SLA targets it meets.

        An outbound contact, or an inbound live one (call, Skype, remote session...) means a
        team member reached the client: it acknowledges the case and, unless it is only an
        acknowledgement (``acknowledgement_only``), is the first response. Inbound emails and
        internal notes meet nothing. A New case becomes Acknowledged, then In progress.

        Args:
            channel: phone, email, skype, join_me, gotomeeting, remote_session or note.
            direction: inbound, outbound or internal (notes are always internal).
            summary: what was said or done (required).
            occurred_at: when it happened (default now; not before the case was received).
            duration_seconds: length of a call or session.
            acknowledgement_only: an acknowledgement email that does not progress the case.

        Returns:
            The interaction id, the targets it met and the updated case.

        Raises:
            ValidationError: naming ``channel``, ``direction``, ``summary``, ``occurred_at``
                or ``duration_seconds``.
        """
        medium = _enum("channel", InteractionChannel, channel)
        way = _enum("direction", Direction, direction)
        if medium is InteractionChannel.NOTE and way is not Direction.INTERNAL:
            raise ValidationError("direction", "an internal note has direction internal")
        summary = _required_text("summary", summary, 20_000)
        duration_seconds = checked_whole_number("duration_seconds", duration_seconds,
                                                InteractionRecord.duration_seconds)

        def record(actor, case, log, now):
            at = _case_instant("occurred_at", occurred_at, now, case)
            return self._record_contact(
                actor, case, log, now, medium, way, summary, at,
                duration_seconds=duration_seconds, acknowledgement_only=acknowledgement_only)

        return self._contact_change(actor_id, case_id, expected_version, record)

    def _contact_change(self, actor_id: int, case_id: int, expected_version: int | None,
                        record: ContactRecorder) -> InteractionLogged:
        """Run ``record``, which logs one contact and returns its interaction id and the
        targets it met, as a change of the case (reindexed: the contact's text is searchable)."""
        logged = []

        def apply(actor, case, log, now):
            logged.append(record(actor, case, log, now))

        detail = self._change(actor_id, case_id, expected_version, apply, reindex=True)
        interaction_id, satisfied = logged[0]
        return InteractionLogged(interaction_id, satisfied, detail)

    def _record_contact(self, actor: TeamMemberRecord, case: CaseRecord, log: ChangeLog,
                        now: datetime, medium: InteractionChannel, way: Direction, summary: str,
                        at: datetime, *, duration_seconds: int = 0,
                        acknowledgement_only: bool = False,
                        how: str = "") -> tuple[int, tuple[str, ...]]:
        """Insert an interaction, meet the SLA targets it meets, move the status on and queue
        it for the CRM (inside the caller's ``_change``). The one rule of what a contact meets:
        a team member "in touch with the client" -- anything outbound, or a live conversation
        the client started (they called or opened a Skype chat and someone answered) --
        acknowledges the case and, unless it is only an acknowledgement, is the first response.
        ``how`` explains the met targets in the audit (default: the channel and direction).

        Returns:
            The interaction id and the targets it met.
        """
        reaches_client = way is Direction.OUTBOUND or (way is Direction.INBOUND and medium.is_live)
        targets = []
        if reaches_client:
            targets.append(Target.ACKNOWLEDGE)
            if not acknowledgement_only:
                targets.append(Target.RESPOND)
        satisfied = self._meet(case, targets, at, log, how or f"{medium.label} {way.value}")
        interaction_id = _insert_interaction(
            case.id, medium.value, way, summary, author_id=actor.id, occurred_at=at,
            created_at=now, satisfied=satisfied, duration_seconds=duration_seconds,
        )
        log.add("interaction", field="interaction", after=f"{medium.value} {way.value} #{interaction_id}")
        self._progress_status(case, log)
        self._crm(case, "interaction", now, interaction_id, {
            "channel": medium.value,
            "direction": way.value,
            "summary": summary,
            "occurred_at": at,
            "duration_seconds": duration_seconds,
            "author": actor.display_name,
        })
        return interaction_id, tuple(satisfied)

    def send_reply(self, actor_id: int, case_id: int, *, to: str, subject: str, body: str,
                   cc: str | tuple[str, ...] = (), attachment_ids: tuple[int, ...] = (),
                   expected_version: int | None = None) -> InteractionLogged:
        """Email the client from the case: the body (placeholders filled with the case's
        fields) is queued in the mail outbox with the chosen case attachments, and logged as an
        outbound email interaction -- the first response when the case has none yet -- in one
        audited transaction. The subject keeps the ``[Case YYYY-NNNNN]`` tag (added when it is
        missing) so the client's answer threads back onto the case.

        Args:
            to: the addressee (``a@b`` or ``Name <a@b>``).
            subject: the subject.
            body: the text; case-field placeholders such as ``{case_number}`` are filled.
            cc: further addressees, comma separated or a tuple.
            attachment_ids: the case's attachments to send with it.

        Returns:
            The interaction id, the targets it met and the updated case.

        Raises:
            MailNotConfigured: no SMTP server or sender address (nothing is written).
            ValidationError: naming ``to``, ``cc``, ``subject``, ``body`` (an unknown
                placeholder is named) or ``attachments``.
        """
        settings = self._context.settings()
        if not settings.mail_configured:
            raise MailNotConfigured()
        reply = checked_reply(to, cc, subject, body, attachment_ids)

        def record(actor, case, log, now):
            attachments = reply_attachments(case.id, reply.attachment_ids, settings)
            contact = case.contact if case.contact_id is not None else None
            to_name = reply.to_name or (contact.name if contact is not None
                                        and contact.email.strip().lower() == reply.to_address.lower() else "")
            fields = case_fields(case, contact, settings, agent_name=actor.display_name)
            text = render_template(reply.body, fields.values())
            tagged = reply.subject if case_number_in_subject(reply.subject) == case.number \
                else case_subject(case.number, reply.subject)
            copied = f" (cc {', '.join(reply.cc)})" if reply.cc else ""
            files = f"\nAttached: {', '.join(a.filename for a in attachments)}" if attachments else ""
            summary = f"Email to {reply.to_address}{copied}: {tagged}\n\n{text}{files}"[:20_000]
            interaction_id, satisfied = self._record_contact(
                actor, case, log, now, InteractionChannel.EMAIL, Direction.OUTBOUND, summary, now)
            queue_case_email(
                case, MailKind.REPLY, text, contact, settings, now, log,
                subject=tagged[:400], cc=reply.cc, attachment_ids=tuple(a.id for a in attachments),
                to_address=reply.to_address, to_name=to_name, in_reply_to=last_client_message_id(case.id),
            )
            return interaction_id, satisfied

        return self._contact_change(actor_id, case_id, expected_version, record)

    def send_acknowledgement(self, actor_id: int, case_id: int, *,
                             expected_version: int | None = None, automatic: bool = False,
                             in_reply_to: str = "") -> InteractionLogged:
        """Email the client that the request is logged (case number, priority, when we will
        respond). Queues the email in the mail outbox and logs an outbound email interaction
        that meets the acknowledgement target now, in one audited transaction.

        Args:
            automatic: sent by email intake on its own (marked ``Auto-Submitted``).
            in_reply_to: the client's Message-ID being acknowledged ("" for none).

        Returns:
            The interaction id, the targets it met (``("acknowledge",)``) and the updated case.

        Raises:
            ValidationError: naming ``contact_email`` when the contact has no email address.
            MailNotConfigured: no SMTP server or sender address is set.
            WorkflowError: the case is already acknowledged, resolved or closed.
        """
        settings = self._context.settings()
        if not settings.mail_configured:
            raise MailNotConfigured()

        def record(actor, case, log, now):
            if not CaseStatus(case.status).is_open or case.resolved_at is not None:
                raise WorkflowError(f"Case {case.number} is {CaseStatus(case.status).label.lower()}; "
                                    "there is nothing to acknowledge")
            if case.acknowledged_at is not None:
                raise WorkflowError(f"Case {case.number} is already acknowledged")
            contact = require_mail_contact(case)
            how = "Automatic acknowledgement email" if automatic else "Acknowledgement email"
            interaction_id, satisfied = self._record_contact(
                actor, case, log, now, InteractionChannel.EMAIL, Direction.OUTBOUND,
                f"{how} to {contact.email.strip()}", now, acknowledgement_only=True, how=how)
            queue_case_email(
                case, MailKind.ACKNOWLEDGEMENT, acknowledgement_body(case, contact, settings,
                                                                     "" if automatic else actor.display_name),
                contact, settings, now, log, automatic=automatic, in_reply_to=in_reply_to,
            )
            return interaction_id, satisfied

        return self._contact_change(actor_id, case_id, expected_version, record)

    def _meet(
        self, case: CaseRecord, targets: list[Target], at: datetime, log: ChangeLog, how: str
    ) -> list[str]:
        met = []
        for target in targets:
            field = MET_FIELDS[target]
            if getattr(case, field) is None:
                log.change(case, field, at, action="sla_met", reason=how)
                met.append(target.value)
        return met

    @staticmethod
    def _progress_status(case: CaseRecord, log: ChangeLog) -> None:
        status = CaseStatus(case.status)
        if status in (CaseStatus.NEW, CaseStatus.ACKNOWLEDGED) and case.responded_at is not None:
            log.change(case, "status", CaseStatus.IN_PROGRESS.value, action="status",
                       reason="First response to the client")
        elif status is CaseStatus.NEW and case.acknowledged_at is not None:
            log.change(case, "status", CaseStatus.ACKNOWLEDGED.value, action="status",
                       reason="Client acknowledged")

    # ---------------------------------------------------------------------------- workflow

    def change_status(self, actor_id: int, case_id: int, status: str, *, reason: str = "",
                      expected_version: int | None = None) -> CaseDetail:
        """Move a case to Acknowledged or In progress (resuming from waiting on client).
        Statuses that need more facts go through their own method: ``escalate``,
        ``wait_on_client``, ``resolve``, ``close``, ``reopen``, ``de_escalate``.

        Args:
            status: the stored value of the new status.
            reason: why (audited).

        Raises:
            ValidationError: ``status`` is not a known status.
            WorkflowError: the move is not allowed, or needs its own method (the message says which).
        """
        target = _enum("status", CaseStatus, status)

        def apply(actor, case, log, now):
            current = CaseStatus(case.status)
            self._check_transition(current, target)
            special = {
                CaseStatus.ESCALATED: "escalate it (to whom and why)",
                CaseStatus.WAITING_ON_CLIENT: "use 'Waiting on client' (with the reason)",
                CaseStatus.RESOLVED: "resolve it (resolution summary and how the client was told)",
                CaseStatus.CLOSED: "close it",
            }
            if target in special:
                raise WorkflowError(f"To move case {case.number} to {target.label}, {special[target]}")
            if current is CaseStatus.ESCALATED:
                raise WorkflowError(
                    f"Case {case.number} is escalated: record the answer (de-escalate) to continue"
                )
            if current in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
                raise WorkflowError(f"Reopen case {case.number} (with a reason) to work on it again")
            if current is CaseStatus.WAITING_ON_CLIENT:
                # Leaving "waiting" any way must close the pause, or the due instant would lie.
                self._leave_waiting(case, log, now, reason or "Client came back")
            log.change(case, "status", target.value, action="status", reason=reason)

        return self._change(actor_id, case_id, expected_version, apply)

    def escalate(self, actor_id: int, case_id: int, *, target_kind: str, target_name: str,
                 reason: str, expected_reply_at: datetime | None = None,
                 expected_version: int | None = None) -> CaseDetail:
        """Escalate to an internal department or the client's IT team; the case then shows
        it is waiting on them since now.

        Args:
            target_kind: ``"internal_department"`` or ``"client_it"``.
            target_name: the department or person (e.g. "Development", "Acme IT").
            reason: why (required).
            expected_reply_at: when an answer is expected (aware, not in the past).

        Raises:
            ValidationError: naming ``target_kind``, ``target_name``, ``reason`` or
                ``expected_reply_at`` (naive or in the past).
            WorkflowError: the case cannot be escalated from its status.
        """
        kind = _enum("target_kind", EscalationTarget, target_kind)
        name = _required_text("target_name", target_name, column=EscalationRecord.target_name)
        reason = _required_text("reason", reason, 5000)
        if expected_reply_at is not None:
            # An answer is expected later, but within a year: a date further out is a typo.
            checked_instant("expected_reply_at", expected_reply_at, self._context.now(),
                            future_limit=timedelta(days=366))

        def apply(actor, case, log, now):
            if expected_reply_at is not None and expected_reply_at < now:
                raise ValidationError("expected_reply_at", "cannot be in the past")
            self._check_transition(CaseStatus(case.status), CaseStatus.ESCALATED)
            if case.status == CaseStatus.WAITING_ON_CLIENT:
                self._leave_waiting(case, log, now, f"Escalated to {name}")
            escalation = EscalationRecord.create(
                case=case.id,
                target_kind=kind.value,
                target_name=name,
                reason=reason,
                expected_reply_at=expected_reply_at,
                escalated_at=now,
                escalated_by=actor.id,
            )
            log.add("escalated", field="escalation", after=audit_label(f"{kind.label}: {name}", escalation.id),
                    reason=reason)
            log.change(case, "status", CaseStatus.ESCALATED.value, action="status", reason=reason)
            log.change(case, "waiting_on", f"{kind.label}: {name}", reason=reason)
            log.change(case, "waiting_since", now, reason=reason)
            self._crm(case, "case_escalated", now, None, {
                "target_kind": kind.value, "target_name": name, "reason": reason,
                "expected_reply_at": expected_reply_at,
            })

        return self._change(actor_id, case_id, expected_version, apply)

    def de_escalate(self, actor_id: int, case_id: int, *, answer: str,
                    expected_version: int | None = None) -> CaseDetail:
        """Record the answer to the open escalation; an escalated case goes back to In progress.

        Args:
            answer: what the department or client IT answered (required).

        Raises:
            ValidationError: empty ``answer``.
            WorkflowError: no open escalation, or the case is closed.
        """
        answer = _required_text("answer", answer, 20_000)

        def apply(actor, case, log, now):
            escalation = (
                EscalationRecord.select()
                .where(EscalationRecord.case == case.id, EscalationRecord.answered_at.is_null())
                .order_by(EscalationRecord.escalated_at.desc(), EscalationRecord.id.desc())
                .first()
            )
            if escalation is None:
                raise WorkflowError(f"Case {case.number} has no open escalation to answer")
            EscalationRecord.update(answered_at=now, answer=answer, answered_by=actor.id).where(
                EscalationRecord.id == escalation.id
            ).execute()
            log.add("de_escalated", field="escalation", before=audit_label(escalation.target_name, escalation.id),
                    after="answered", reason=answer)
            # A case moved on to "waiting on client" while escalated keeps that status: the
            # answer only closes the escalation.
            if case.status == CaseStatus.ESCALATED:
                log.change(case, "status", CaseStatus.IN_PROGRESS.value, action="status",
                           reason=f"Answer from {escalation.target_name}")
                log.change(case, "waiting_on", "")
                log.change(case, "waiting_since", None)
            self._crm(case, "case_de_escalated", now, None, {
                "target_name": escalation.target_name, "answer": answer,
            })

        return self._change(actor_id, case_id, expected_version, apply, reindex=True)

    def wait_on_client(self, actor_id: int, case_id: int, *, reason: str,
                       expected_version: int | None = None) -> CaseDetail:
        """Mark the case Waiting on client; when the team setting is on, the resolution clock
        pauses (an ``SlaPauseRecord`` with the reason) until the case leaves that status.

        Args:
            reason: what the client has been asked for (required; kept with the pause).

        Raises:
            ValidationError: empty ``reason``.
            WorkflowError: not allowed from the case's status.
        """
        reason = _required_text("reason", reason, 5000)

        def apply(actor, case, log, now):
            self._check_transition(CaseStatus(case.status), CaseStatus.WAITING_ON_CLIENT)
            log.change(case, "status", CaseStatus.WAITING_ON_CLIENT.value, action="status", reason=reason)
            contact = case.contact if case.contact_id is not None else None
            who = f"Client: {contact.name}" if contact is not None else f"Client: {case.client.name}"
            log.change(case, "waiting_on", who, reason=reason)
            log.change(case, "waiting_since", now, reason=reason)
            if self._context.settings().pause_resolution_while_waiting and case.resolved_at is None:
                pause = SlaPauseRecord.create(case=case.id, reason=reason, started_at=now)
                log.change(case, "resolve_paused_at", now, action="sla_paused",
                           reason=f"Resolution clock paused (#{pause.id}): {reason}")

        return self._change(actor_id, case_id, expected_version, apply)

    def resume(self, actor_id: int, case_id: int, *, reason: str = "",
               expected_version: int | None = None) -> CaseDetail:
        """Take a case waiting on the client back to In progress (the client answered); the
        resolution due instant moves by the business time the clock was paused.

        Args:
            reason: why (default "Client answered").

        Raises:
            WorkflowError: the case is not waiting on the client.
        """

        def apply(actor, case, log, now):
            if case.status != CaseStatus.WAITING_ON_CLIENT:
                raise WorkflowError(f"Case {case.number} is not waiting on the client")
            why = reason.strip() or "Client answered"
            self._leave_waiting(case, log, now, why)
            log.change(case, "status", CaseStatus.IN_PROGRESS.value, action="status", reason=why)

        return self._change(actor_id, case_id, expected_version, apply)

    def _leave_waiting(self, case: CaseRecord, log: ChangeLog, now: datetime, why: str) -> None:
        """End the waiting state and any running pause, pushing the resolution due instant
        by the business time the pause lasted."""
        log.change(case, "waiting_on", "", reason=why)
        log.change(case, "waiting_since", None, reason=why)
        if case.resolve_paused_at is None:
            return
        calendar = self._context.reload_calendar()
        pause = (
            SlaPauseRecord.select()
            .where(SlaPauseRecord.case == case.id, SlaPauseRecord.ended_at.is_null())
            .order_by(SlaPauseRecord.id.desc())
            .first()
        )
        started = pause.started_at if pause is not None else case.resolve_paused_at
        paused = max(calendar.elapsed(started, now), timedelta(0))
        # Whole seconds: the pause row stores seconds, and the due instant must be exactly the
        # one a reader can recompute from the rows.
        paused = timedelta(seconds=int(paused.total_seconds()))
        if pause is not None:
            SlaPauseRecord.update(ended_at=now, business_seconds=int(paused.total_seconds())).where(
                SlaPauseRecord.id == pause.id
            ).execute()
        log.change(case, "resolve_paused_at", None, action="sla_resumed", reason=why)
        # A pause entirely outside business hours moves nothing (and adding zero at a closing
        # instant would otherwise jump to the next opening).
        if paused > timedelta(0):
            log.change(
                case,
                "resolve_due_at",
                calendar.add(case.resolve_due_at, paused),
                action="sla",
                reason=f"Resolution clock paused {hours_text(paused)} of business time waiting on client",
            )

    def resolve(self, actor_id: int, case_id: int, *, summary: str, told_via: str,
                told_at: datetime | None = None, expected_version: int | None = None,
                email_client: bool = False) -> CaseDetail:
        """Resolve the case: the resolution summary and how (and when) the client was told.
        Telling the client meets the resolution target (and acknowledgement and response if
        still open) and is logged as an outbound interaction.

        With ``email_client`` (only when ``told_via`` is email) the resolution email is queued
        in the mail outbox in the same transaction; the mail worker sends it.

        Args:
            summary: the resolution (required; searchable).
            told_via: the channel the client was told by (not ``"note"``).
            told_at: when the client was told (default now); the resolution target's met instant.
            email_client: also email the resolution to the contact.

        Raises:
            ValidationError: naming ``summary``, ``told_via`` (an internal note tells nobody),
                ``told_at``, ``email_client`` (not told by email) or ``contact_email`` (none).
            MailNotConfigured: ``email_client`` while no SMTP server is set.
            WorkflowError: not allowed from the case's status.
        """
        summary = _required_text("summary", summary, 20_000)
        medium = _enum("told_via", InteractionChannel, told_via)
        if medium not in RESOLUTION_CHANNELS:
            raise ValidationError("told_via", "say how the client was told (an internal note tells nobody)")
        if email_client and medium is not InteractionChannel.EMAIL:
            raise ValidationError("email_client", "the resolution is emailed only when the client is told by email")
        # The timeline says what happened: an email the desk queued, or one the member sent
        # from elsewhere (the desk itself sent nothing).
        told_text = f"Resolution: {summary}"
        if medium is InteractionChannel.EMAIL and not email_client:
            told_text += " (told by email from outside the desk; the desk sent no email)"

        def apply(actor, case, log, now):
            at = _case_instant("told_at", told_at, now, case)
            self._check_transition(CaseStatus(case.status), CaseStatus.RESOLVED)
            self._leave_waiting(case, log, now, "Resolved")
            # Telling the client the resolution is also a contact: any target still open is met.
            satisfied = self._meet(
                case, [Target.ACKNOWLEDGE, Target.RESPOND, Target.RESOLVE], at, log,
                f"Resolution told by {medium.label}",
            )
            interaction_id = _insert_interaction(
                case.id, medium.value, Direction.OUTBOUND, told_text, author_id=actor.id,
                occurred_at=at, created_at=now, satisfied=satisfied,
            )
            log.change(case, "resolution_summary", summary)
            log.change(case, "resolution_channel", medium.value)
            log.change(case, "status", CaseStatus.RESOLVED.value, action="status",
                       reason=f"Client told by {medium.label}")
            self._crm(case, "case_resolved", now, interaction_id, {
                "resolution": summary, "told_via": medium.value, "told_at": at,
            })
            if email_client:
                settings = self._context.settings()
                contact = require_mail_contact(case)
                queue_case_email(
                    case, MailKind.RESOLUTION, resolution_body(case, contact, summary, settings, actor.display_name),
                    contact, settings, now, log,
                )

        return self._change(actor_id, case_id, expected_version, apply, reindex=True)

    def close(self, actor_id: int, case_id: int, *, expected_version: int | None = None,
              read_back: bool = True) -> CaseDetail | None:
        """Close a resolved case: it becomes read-only (but stays searchable) until reopened.

        Raises:
            WorkflowError: the case is not resolved.
        """

        def apply(actor, case, log, now):
            self._check_transition(CaseStatus(case.status), CaseStatus.CLOSED)
            log.change(case, "status", CaseStatus.CLOSED.value, action="status", reason="Closed as resolved")
            log.change(case, "closed_at", now)
            self._crm(case, "case_closed", now, None, {"resolution": case.resolution_summary})

        return self._change(actor_id, case_id, expected_version, apply, read_back=read_back)

    def reopen(self, actor_id: int, case_id: int, *, reason: str,
               expected_version: int | None = None) -> CaseDetail:
        """Reopen a resolved or closed case: In progress again, with a new resolution target
        counted from now; the earlier resolution stays in the timeline and the audit trail.

        Args:
            reason: why it is reopened (required).

        Raises:
            ValidationError: empty ``reason``.
            WorkflowError: the case is not resolved or closed.
        """
        reason = _required_text("reason", reason, 5000)

        def apply(actor, case, log, now):
            current = CaseStatus(case.status)
            if case.merged_into_id is not None:
                survivor = CaseRecord.select(CaseRecord.number).where(CaseRecord.id == case.merged_into_id).scalar()
                raise WorkflowError(f"Case {case.number} was merged into {survivor}; work on that case")
            if current not in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
                raise WorkflowError(f"Case {case.number} is {current.label}; only resolved or closed cases reopen")
            priority = Priority(case.effective_priority)
            calendar = self._context.reload_calendar()
            # Acknowledge and respond stay met (the client was reached); only resolution restarts.
            new_due = calendar.add(now, self._context.policy.budget(priority, Target.RESOLVE))
            log.change(case, "status", CaseStatus.IN_PROGRESS.value, action="reopened", reason=reason)
            log.change(case, "resolve_started_at", now, action="reopened", reason=reason)
            log.change(case, "resolve_due_at", new_due, action="sla",
                       reason=f"Reopened: new {priority.label} resolution target from {desk_time_text(now)}")
            log.change(case, MET_FIELDS[Target.RESOLVE], None, action="reopened", reason=reason)
            log.change(case, "closed_at", None, action="reopened", reason=reason)
            log.change(case, "resolution_summary", "", action="reopened", reason=reason)
            log.change(case, "resolution_channel", "", action="reopened", reason=reason)
            self._crm(case, "case_reopened", now, None, {"reason": reason})

        return self._change(actor_id, case_id, expected_version, apply, reindex=True, allow_closed=True)

    # -------------------------------------------------------------------------------- merge

    def merge_cases(self, actor_id: int, duplicate_id: int, survivor_id: int, *, reason: str,
                    expected_version: int | None = None) -> CaseDetail:
        """Merge a duplicate case into the survivor (supervisors and admins).

        The duplicate's interactions and attachments move to the survivor; its audit rows stay
        (they are append-only) and are read with the survivor's trail. The duplicate is closed
        as "Merged into <number>" and its number still finds the survivor. The survivor's SLA
        counts from the earlier receipt of the two, and a target met on either case counts
        as met at the earlier instant.

        Args:
            actor_id: the member acting (supervisor or admin).
            duplicate_id: the case that goes away.
            survivor_id: the case that carries on (open or resolved).
            reason: why (required; audited on both cases).
            expected_version: the duplicate's version as read (stale -> ``ConflictError``).

        Returns:
            The survivor, updated.

        Raises:
            ValidationError: empty ``reason``; ``survivor`` the same case.
            PermissionDenied: the actor is an agent.
            NotFoundError: either case missing.
            WorkflowError: the survivor is closed or merged, the duplicate already merged or
                escalated (answer the escalation first).
        """
        reason = _required_text("reason", reason, 2000)
        if duplicate_id == survivor_id:
            raise ValidationError("survivor", "a case cannot be merged into itself")
        now = self._context.now()
        with change_by(actor_id, Actions.MERGE_CASES) as actor:
            query = lock_rows(CaseRecord.select().where(CaseRecord.id.in_([duplicate_id, survivor_id]))
                              .order_by(CaseRecord.id))
            cases = {case.id: case for case in query}
            for case_id in (duplicate_id, survivor_id):
                if case_id not in cases:
                    raise NotFoundError(f"No case with id {case_id}")
            duplicate, survivor = cases[duplicate_id], cases[survivor_id]
            if expected_version is not None and duplicate.version != expected_version:
                raise ConflictError(duplicate.id, expected_version, duplicate.version)
            if duplicate.merged_into_id is not None:
                raise WorkflowError(f"Case {duplicate.number} is already merged into another case")
            if survivor.merged_into_id is not None or survivor.status == CaseStatus.CLOSED:
                raise WorkflowError(f"Case {survivor.number} is closed; merge into an open or resolved case")
            if EscalationRecord.select().where(
                EscalationRecord.case == duplicate.id, EscalationRecord.answered_at.is_null()
            ).exists():
                raise WorkflowError(f"Case {duplicate.number} waits on an escalation; record its answer first")

            why = f"Merged {duplicate.number} into {survivor.number}: {reason}"
            dup_log = ChangeLog(actor.id, now, entity_id=duplicate.id, case_id=duplicate.id)
            if duplicate.status == CaseStatus.WAITING_ON_CLIENT:
                self._leave_waiting(duplicate, dup_log, now, why)
            moved = (
                InteractionRecord.update(case=survivor.id).where(InteractionRecord.case == duplicate.id).execute()
            )
            files = AttachmentRecord.update(case=survivor.id).where(AttachmentRecord.case == duplicate.id).execute()
            dup_log.change(duplicate, "status", CaseStatus.CLOSED.value, action="merged", reason=why)
            dup_log.change(duplicate, "closed_at", now, action="merged", reason=why)
            dup_log.change(duplicate, "resolution_summary", f"Merged into {survivor.number}", action="merged",
                           reason=why)
            dup_log.add("merged", field="merged_into", after=audit_label(survivor.number, survivor.id), reason=why)
            duplicate.merged_into = survivor.id

            log = ChangeLog(actor.id, now, entity_id=survivor.id, case_id=survivor.id)
            log.add("merged", field="merged_from", after=audit_label(duplicate.number, duplicate.id),
                    reason=f"{why} ({moved} interactions, {files} attachments moved)")
            if duplicate.received_at < survivor.received_at:
                log.change(survivor, "received_at", duplicate.received_at, action="merged", reason=why)
                self._recompute_due(survivor, Priority(survivor.effective_priority), log,
                                    f"SLA from the earlier receipt of merged {duplicate.number}")
            for field in (MET_FIELDS[Target.ACKNOWLEDGE], MET_FIELDS[Target.RESPOND]):
                earlier = getattr(duplicate, field)
                current = getattr(survivor, field)
                if earlier is not None and (current is None or earlier < current):
                    log.change(survivor, field, earlier, action="merged", reason=why)
            self._store(duplicate, now)
            self._store(survivor, now)
            dup_log.flush()
            log.flush()
            search.index_case(survivor.id)
            event = {"merged_from": duplicate.number, "merged_into": survivor.number, "reason": reason}
            enqueue_crm_event(survivor.id, "case_merged", now, event)
        return self.get_case(survivor.id)

    def case_id_for_number(self, typed: str) -> int:
        """The case a typed number names: ``2026-00042``, ``2026-42`` or ``42`` (this year).

        Args:
            typed: the number as typed.

        Returns:
            The case id.

        Raises:
            ValidationError: ``survivor`` when it is not a case number or no case has it.
        """
        text = str(typed or "").strip()
        number = normalise_case_number(text)
        if number is None and text.isdigit() and 0 < int(text) < 10**CASE_NUMBER_DIGITS:
            # A bare sequence means this year's case, as numbering counts years.
            year = self._context.now().astimezone(self._context.calendar.zone).year
            number = format_case_number(year, int(text))
        if number is None:
            raise ValidationError("survivor", f"{text!r} is not a case number (e.g. 2026-00042)")
        case_id = CaseRecord.select(CaseRecord.id).where(CaseRecord.number == number).scalar()
        if case_id is None:
            raise ValidationError("survivor", f"no case is numbered {number}")
        return case_id

    # -------------------------------------------------------------------------- attachments

    def add_attachment(self, actor_id: int, case_id: int, *, filename: str, data: bytes,
                       content_type: str = "", interaction_id: int | None = None) -> AttachmentInfo:
        """Store a file or screenshot with the case (name sanitised, size-limited, sha256).

        Args:
            filename: the original name or path (sanitised before storing).
            data: the file's bytes (at most the team's ``attachment_max_bytes``).
            content_type: its MIME type ("" -> application/octet-stream).
            interaction_id: the interaction it belongs to, if any.

        Returns:
            The stored attachment's description.

        Raises:
            ValidationError: ``file`` empty or over the team's size limit, ``interaction``
                not of this case.
        """
        if not isinstance(data, bytes | bytearray):
            raise ValidationError("file", "attachment content must be bytes")
        if not data:
            raise ValidationError("file", "the file is empty")
        # Refused before the write transaction starts: an oversized file never holds the lock.
        limit = self._context.settings().attachment_max_bytes
        if len(data) > limit:
            raise ValidationError(
                "file",
                f"{file_size_text(len(data))} is over the {file_size_text(limit)} attachment limit",
            )
        safe_name = sanitise_filename(checked_text("filename", filename))
        digest = hashlib.sha256(data).hexdigest()
        # The type comes from the workstation's guess, not from typing: cut to the column.
        mime = (checked_text("content_type", content_type)[:column_length(AttachmentRecord.content_type)]
                or "application/octet-stream")
        created: dict = {}

        def apply(actor, case, log, now):
            if interaction_id is not None and not InteractionRecord.select().where(
                InteractionRecord.id == interaction_id, InteractionRecord.case == case.id
            ).exists():
                raise ValidationError("interaction", "not an interaction of this case")
            attachment_id = AttachmentRecord.insert(
                case=case.id,
                interaction=interaction_id,
                filename=safe_name,
                content_type=mime,
                size=len(data),
                sha256=digest,
                data=bytes(data),
                added_by=actor.id,
                added_at=now,
            ).execute()
            log.add("attachment_added", field="attachment",
                    after=f"{safe_name} ({len(data)} bytes, sha256 {digest[:12]}, #{attachment_id})",
                    reason="" if safe_name == filename else f"name sanitised from {filename!r}")
            created["id"] = attachment_id

        self._change(actor_id, case_id, None, apply)
        # Described without reading back the bytes just written (megabytes for a screenshot).
        return attachment_description(created["id"])

    def attachment_content(self, attachment_id: int) -> tuple[AttachmentInfo, bytes]:
        """An attachment's description and bytes.

        Args:
            attachment_id: the attachment.

        Returns:
            ``(info, data)``.

        Raises:
            NotFoundError: no such attachment.
        """
        row = (
            AttachmentRecord.select(AttachmentRecord, TeamMemberRecord)
            .join(TeamMemberRecord, on=(AttachmentRecord.added_by == TeamMemberRecord.id))
            .where(AttachmentRecord.id == attachment_id)
            .first()
        )
        if row is None:
            raise NotFoundError(f"No attachment with id {attachment_id}")
        return attachment_info(row), bytes(row.data)

    # ------------------------------------------------------------------------------- reads

    def get_case(self, case_id: int, now: datetime | None = None) -> CaseDetail:
        """The case with names, escalations, attachments and its three clocks read at ``now``.

        Args:
            case_id: the case.
            now: when to read the clocks (default: the services' clock).

        Returns:
            The ``CaseDetail`` snapshot.

        Raises:
            NotFoundError: no such case.
        """
        return case_detail(self._context, case_id, now)

    def clock_readings(
        self, case_id: int, now: datetime | None = None
    ) -> tuple[ClockReading, ClockReading, ClockReading]:
        """The acknowledge, respond and resolve clocks of a case.

        Args:
            case_id: the case.
            now: when to read them (default: the services' clock).

        Returns:
            Three ``ClockReading`` (acknowledge, respond, resolve).

        Raises:
            NotFoundError: no such case.
        """
        case = existing(CaseRecord, case_id, "case")
        return read_case_clocks(self._context, case, now or self._context.now())

    def timeline(self, case_id: int) -> list[TimelineEntry]:
        """The case's interactions, escalations, pauses, status/assignment changes, SLA moves
        and attachments merged newest first.

        Args:
            case_id: the case.

        Returns:
            ``TimelineEntry`` list, newest first.

        Raises:
            NotFoundError: no such case.
        """
        return case_timeline(case_id)

    def audit_trail(self, case_id: int) -> list[AuditEntry]:
        """The case's audit rows (who, when, field, before, after, reason).

        Args:
            case_id: the case.

        Returns:
            ``AuditEntry`` list, oldest first.
        """
        return case_audit_trail(case_id)

    # ----------------------------------------------------------------------------- helpers

    def _change(self, actor_id: int, case_id: int, expected_version: int | None,
                apply: CaseChange, *,
                reindex: bool = False, allow_closed: bool = False,
                read_back: bool = True) -> CaseDetail | None:
        """Run ``apply`` on the case in one write transaction, then store the case with a new
        version, its audit rows and (``reindex``: the command changes searchable text) a fresh
        search row; return it read back (bulk work, ``read_back=False``, skips that read)."""
        now = self._context.now()
        with change_by(actor_id) as actor:
            # Client and contact come in the same query: CRM events and the waiting-on text
            # need their names, and a query per use would double the cost of a small change.
            query = (
                CaseRecord.select(CaseRecord, ClientRecord, ContactRecord)
                .join(ClientRecord, on=(CaseRecord.client == ClientRecord.id))
                .switch(CaseRecord)
                .join(ContactRecord, JOIN.LEFT_OUTER, on=(CaseRecord.contact == ContactRecord.id))
                .where(CaseRecord.id == case_id)
            )
            case = lock_rows(query, of=CaseRecord).first()
            if case is None:
                raise NotFoundError(f"No case with id {case_id}")
            if expected_version is not None and case.version != expected_version:
                raise ConflictError(case_id, expected_version, case.version)
            # Closed cases are the record of what was promised and done: only reopening edits them.
            if case.status == CaseStatus.CLOSED and not allow_closed:
                raise WorkflowError(f"Case {case.number} is closed (read-only); reopen it to change it")
            log = ChangeLog(actor.id, now, entity_id=case.id, case_id=case.id)
            apply(actor, case, log, now)
            self._store(case, now)
            log.flush()
            if reindex:
                search.index_case(case.id)
        return self.get_case(case_id) if read_back else None

    @staticmethod
    def _store(case: CaseRecord, now: datetime) -> None:
        case.next_due_at = next_due(case)
        changes = {field: case.__data__[field.name] for field in case.dirty_fields}
        old_version = case.version
        changes[CaseRecord.version] = old_version + 1
        changes[CaseRecord.updated_at] = now
        updated = (
            CaseRecord.update(changes)
            .where(CaseRecord.id == case.id, CaseRecord.version == old_version)
            .execute()
        )
        if updated != 1:
            # Only reachable on engines without BEGIN IMMEDIATE (another writer slipped in).
            actual = CaseRecord.select(CaseRecord.version).where(CaseRecord.id == case.id).scalar()
            raise ConflictError(case.id, old_version, actual)

    @staticmethod
    def _check_transition(current: CaseStatus, target: CaseStatus) -> None:
        if not can_transition(current, target):
            raise WorkflowError(transition_error(current, target))

    def _crm(self, case: CaseRecord, event: str, now: datetime, interaction_id: int | None, extra: dict) -> None:
        # The client and contact were joined when the case was loaded in ``_change``.
        contact = case.contact if case.contact_id is not None else None
        enqueue_crm_event(
            case.id, event, now,
            {**_crm_case(case.number, case.subject, case.client, contact), "status": case.status, **extra},
            interaction_id=interaction_id,
        )


def next_due(case: CaseRecord) -> datetime | None:
    """The earliest due instant among targets not yet met; a paused resolution clock and
    resolved or closed cases have none.

    Args:
        case: the case record with its current due and met instants.

    Returns:
        The instant, or None.
    """
    if not CaseStatus(case.status).is_open:
        return None
    candidates = []
    if case.acknowledged_at is None:
        candidates.append(case.acknowledge_due_at)
    if case.responded_at is None:
        candidates.append(case.respond_due_at)
    if case.resolved_at is None and case.resolve_paused_at is None:
        candidates.append(case.resolve_due_at)
    return min(candidates) if candidates else None


def _insert_interaction(case_id: int, channel: str, direction: Direction, summary: str, *,
                        author_id: int | None, occurred_at: datetime, created_at: datetime,
                        satisfied: Iterable[str] = (), duration_seconds: int = 0) -> int:
    """Insert one contact of the case timeline and return its id; ``satisfied`` names the SLA
    targets it met, stored comma separated as ``case_timeline`` reads them back."""
    return InteractionRecord.insert(
        case=case_id,
        channel=channel,
        direction=direction.value,
        summary=summary,
        duration_seconds=duration_seconds,
        author=author_id,
        occurred_at=occurred_at,
        created_at=created_at,
        satisfies=",".join(satisfied),
    ).execute()


def _crm_case(number: str, subject: str, client: ClientRecord, contact: ContactRecord | None) -> dict:
    return {
        "case_number": number,
        "subject": subject,
        "client": client.name,
        "account_manager": client.account_manager,
        "account_manager_email": client.account_manager_email,
        "contact": contact.name if contact is not None else "",
        "contact_email": contact.email if contact is not None else "",
    }


def _required_text(field: str, value: object, max_length: int | None = None, column=None) -> str:
    return checked_text(field, value, column, required=True, max_length=max_length)


def _optional_text(field: str, value: object, max_length: int | None = None, column=None) -> str:
    # Kept as typed (not stripped): descriptions are the client's words, layout included.
    return checked_text(field, value, column, max_length=max_length, strip=False)


def _enum(field: str, enum_type, value: object):
    try:
        return enum_type(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum_type)
        raise ValidationError(field, f"unknown value {value!r} (expected one of: {allowed})") from None


def _instant(field: str, instant: object, now: datetime) -> datetime:
    return checked_instant(field, instant, now)


def _case_instant(field: str, instant: datetime | None, now: datetime, case: CaseRecord) -> datetime:
    # Something that happened on a case (a contact, telling the resolution) defaults to now and
    # lies between the client's first contact and now, or the clocks it meets would be wrong.
    value = _instant(field, instant if instant is not None else now, now)
    if value < case.received_at:
        raise ValidationError(field, "cannot be before the case was received")
    return value
