"""Case reads for the case view: detail with SLA clocks, the merged timeline, the audit trail."""

from __future__ import annotations

from datetime import datetime, timedelta

from peewee import JOIN

from desktop_helpdesk.domain.calendar import DESK_ZONE
from desktop_helpdesk.domain.cases import (
    CaseStatus,
    Direction,
    EscalationTarget,
    IntakeChannel,
    InteractionChannel,
)
from desktop_helpdesk.domain.policy import Priority
from desktop_helpdesk.domain.sla import ClockReading, Target, paused_since, read_clock
from desktop_helpdesk.services.case_queries import CaseQueries
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.dto import (
    AttachmentInfo,
    AuditEntry,
    CaseDetail,
    EscalationInfo,
    TimelineEntry,
)
from desktop_helpdesk.services.errors import NotFoundError, existing
from desktop_helpdesk.storage.records import (
    AttachmentRecord,
    AuditRecord,
    CaseRecord,
    CategoryRecord,
    ClientRecord,
    ContactRecord,
    EscalationRecord,
    InteractionRecord,
    SlaPauseRecord,
    TeamMemberRecord,
)
from desktop_helpdesk.storage.target_columns import DUE_FIELDS, MET_FIELDS


def hours_text(amount: timedelta) -> str:
    """A business duration as audit rows and the timeline write it: ``"2h05"`` (whole minutes).

    Args:
        amount: the duration.

    Returns:
        Hours, "h", then two-digit minutes.
    """
    minutes = int(amount.total_seconds()) // 60
    return f"{minutes // 60}h{minutes % 60:02d}"


def read_case_clocks(
    context: ServiceContext, case: CaseRecord, now: datetime, *, due_soon_share: float | None = None
) -> tuple[ClockReading, ClockReading, ClockReading]:
    """Read the three SLA clocks of ``case`` at ``now`` (a paused resolution clock is frozen:
    see ``read_clock``).

    Args:
        context: for the calendar, policy and due-soon share.
        case: the case record.
        now: the instant to read at.
        due_soon_share: override of the team setting (saves a query in loops).

    Returns:
        Acknowledge, respond and resolve readings.
    """
    calendar = context.reload_calendar()
    share = context.settings().due_soon_share if due_soon_share is None else due_soon_share
    priority = Priority(case.effective_priority)
    readings = []
    for target in Target:
        readings.append(
            read_clock(
                calendar,
                target=target,
                due_at=getattr(case, DUE_FIELDS[target]),
                now=now,
                budget=context.policy.budget(priority, target),
                met_at=getattr(case, MET_FIELDS[target]),
                paused_since=paused_since(target, case.resolve_paused_at),
                due_soon_share=share,
            )
        )
    return readings[0], readings[1], readings[2]


def attachment_info(row: AttachmentRecord) -> AttachmentInfo:
    """The DTO of an attachment record (with ``added_by`` joined)."""
    return AttachmentInfo(
        row.id,
        row.case_id,
        row.filename,
        row.content_type,
        row.size,
        row.sha256,
        row.added_at,
        row.added_by.display_name if row.added_by_id else "",
        row.interaction_id,
    )


def case_detail(context: ServiceContext, case_id: int, now: datetime | None = None) -> CaseDetail:
    """Load one case as a ``CaseDetail`` with its clocks read at ``now`` (default: the clock).

    Args:
        context: the services context.
        case_id: the case.
        now: the instant to read the clocks at.

    Returns:
        The detail snapshot.

    Raises:
        NotFoundError: no such case.
    """
    assignee = TeamMemberRecord.alias("assignee")
    logged_by = TeamMemberRecord.alias("logged_by")
    case = (
        CaseRecord.select(CaseRecord, ClientRecord, ContactRecord, assignee, logged_by)
        .join(ClientRecord, on=(CaseRecord.client == ClientRecord.id))
        .switch(CaseRecord)
        .join(ContactRecord, JOIN.LEFT_OUTER, on=(CaseRecord.contact == ContactRecord.id))
        .switch(CaseRecord)
        # Aliased joins: assignee and logger are both team members, read in this one query.
        .join(assignee, JOIN.LEFT_OUTER, on=(CaseRecord.assignee == assignee.id), attr="assignee_row")
        .switch(CaseRecord)
        .join(logged_by, JOIN.LEFT_OUTER, on=(CaseRecord.logged_by == logged_by.id), attr="logged_by_row")
        .where(CaseRecord.id == case_id)
        .first()
    )
    row = CaseQueries(context).row(case_id)
    if case is None or row is None:
        raise NotFoundError(f"No case with id {case_id}")
    read_at = now or context.now()
    ack, respond, resolve = read_case_clocks(context, case, read_at)
    contact = case.contact if case.contact_id is not None else None
    assignee_row = getattr(case, "assignee_row", None)
    logged_row = getattr(case, "logged_by_row", None)
    return CaseDetail(
        id=case.id,
        number=case.number,
        subject=case.subject,
        description=case.description,
        requested_priority=case.requested_priority,
        effective_priority=case.effective_priority,
        status=case.status,
        channel=case.channel,
        client_id=case.client_id,
        client_name=case.client.name,
        account_manager=case.client.account_manager,
        contact_id=case.contact_id,
        contact_name=contact.name if contact else "",
        contact_email=contact.email if contact else "",
        contact_phone=contact.phone if contact else "",
        assignee_id=case.assignee_id,
        assignee_name=assignee_row.display_name if case.assignee_id and assignee_row else "",
        logged_by_id=case.logged_by_id,
        logged_by_name=logged_row.display_name if case.logged_by_id and logged_row else "",
        received_at=case.received_at,
        logged_at=case.logged_at,
        row=row,
        resolve_started_at=case.resolve_started_at,
        waiting_on=case.waiting_on,
        waiting_since=case.waiting_since,
        resolution_summary=case.resolution_summary,
        resolution_channel=case.resolution_channel,
        version=case.version,
        updated_at=case.updated_at,
        acknowledge_clock=ack,
        respond_clock=respond,
        resolve_clock=resolve,
        read_at=read_at,
        escalations=tuple(_escalations(case_id)),
        attachments=tuple(_attachments(case_id)),
        category_id=case.category_id,
        category_name=_category_name(case.category_id),
        merged_into_id=case.merged_into_id,
        merged_into_number=_case_number(case.merged_into_id),
    )


def _case_number(case_id: int | None) -> str:
    if case_id is None:
        return ""
    return CaseRecord.select(CaseRecord.number).where(CaseRecord.id == case_id).scalar() or ""


def _category_name(category_id: int | None) -> str:
    if category_id is None:
        return ""
    return CategoryRecord.select(CategoryRecord.name).where(CategoryRecord.id == category_id).scalar() or ""


def _escalations(case_id: int) -> list[EscalationInfo]:
    rows = (
        EscalationRecord.select(EscalationRecord, TeamMemberRecord)
        .join(TeamMemberRecord, JOIN.LEFT_OUTER, on=(EscalationRecord.escalated_by == TeamMemberRecord.id))
        .where(EscalationRecord.case == case_id)
        .order_by(EscalationRecord.escalated_at, EscalationRecord.id)
    )
    return [
        EscalationInfo(
            row.id,
            row.target_kind,
            row.target_name,
            row.reason,
            row.expected_reply_at,
            row.escalated_at,
            row.escalated_by.display_name if row.escalated_by_id else "",
            row.answered_at,
            row.answer,
        )
        for row in rows
    ]


def _attachment_listing():
    # Every column but the blob: an attachment is listed and described, not opened.
    return (
        AttachmentRecord.select(
            AttachmentRecord.id,
            AttachmentRecord.case,
            AttachmentRecord.interaction,
            AttachmentRecord.filename,
            AttachmentRecord.content_type,
            AttachmentRecord.size,
            AttachmentRecord.sha256,
            AttachmentRecord.added_at,
            AttachmentRecord.added_by,
            TeamMemberRecord,
        )
        .join(TeamMemberRecord, JOIN.LEFT_OUTER, on=(AttachmentRecord.added_by == TeamMemberRecord.id))
    )


def _attachments(case_id: int) -> list[AttachmentInfo]:
    rows = (
        _attachment_listing()
        .where(AttachmentRecord.case == case_id)
        .order_by(AttachmentRecord.added_at, AttachmentRecord.id)
    )
    return [attachment_info(row) for row in rows]


def attachment_description(attachment_id: int) -> AttachmentInfo:
    """An attachment's description without its bytes.

    Raises:
        NotFoundError: no such attachment.
    """
    row = _attachment_listing().where(AttachmentRecord.id == attachment_id).first()
    if row is None:
        raise NotFoundError(f"No attachment with id {attachment_id}")
    return attachment_info(row)


def _names() -> dict[int, str]:
    # The team is small (tens of members): one query beats a join per timeline source.
    return dict(TeamMemberRecord.select(TeamMemberRecord.id, TeamMemberRecord.display_name).tuples())



def desk_time_text(instant: datetime | str) -> str:
    """An instant as the desk reads it ("Fri 03 Apr 2026 09:50 ADT").

    Args:
        instant: an aware datetime, or the ISO text audit rows keep (other text is returned as is).

    Returns:
        The Halifax wall-clock text with its zone abbreviation.
    """
    if isinstance(instant, str):
        try:
            instant = datetime.fromisoformat(instant)
        except ValueError:
            return instant
    return instant.astimezone(DESK_ZONE).strftime("%a %d %b %Y %H:%M %Z")


def case_timeline(case_id: int) -> list[TimelineEntry]:
    """Interactions, escalations and answers, pauses and resumes, status and assignment
    changes, SLA due moves and attachments of a case, newest first.

    Args:
        case_id: the case.

    Returns:
        The entries, newest first (ties: the later-recorded first).

    Raises:
        NotFoundError: no such case.
    """
    case = existing(CaseRecord, case_id, "case")
    names = _names()
    entries: list[tuple[datetime, int, int, TimelineEntry]] = []

    # Events recorded in one action share an instant; ``order`` then puts the cause (the
    # interaction) before its effects (status change, SLA move) when read oldest first.
    def add(at: datetime, order: int, ref: int, entry: TimelineEntry) -> None:
        entries.append((at, order, ref, entry))

    add(case.logged_at, 0, case.id, TimelineEntry(
        case.logged_at, "logged", f"Case {case.number} logged",
        f"{IntakeChannel.label_of(case.channel)} request received {desk_time_text(case.received_at)}",
        names.get(case.logged_by_id, ""), case.id, channel=case.channel,
    ))
    for row in InteractionRecord.select().where(InteractionRecord.case == case_id):
        satisfies = tuple(s for s in row.satisfies.split(",") if s)
        title = f"{InteractionChannel.label_of(row.channel)} ({Direction.label_of(row.direction).lower()})"
        add(row.occurred_at, 1, row.id, TimelineEntry(
            row.occurred_at, "interaction", title, row.summary, names.get(row.author_id, ""), row.id,
            channel=row.channel, direction=row.direction, duration_seconds=row.duration_seconds,
            satisfies=satisfies,
        ))
    for row in EscalationRecord.select().where(EscalationRecord.case == case_id):
        expected = f"; reply expected {desk_time_text(row.expected_reply_at)}" if row.expected_reply_at else ""
        add(row.escalated_at, 2, row.id, TimelineEntry(
            row.escalated_at, "escalation",
            f"Escalated to {EscalationTarget.label_of(row.target_kind)}: {row.target_name}",
            f"{row.reason}{expected}", names.get(row.escalated_by_id, ""), row.id,
        ))
        if row.answered_at is not None:
            add(row.answered_at, 3, row.id, TimelineEntry(
                row.answered_at, "escalation_answer", f"Answer from {row.target_name}", row.answer,
                names.get(row.answered_by_id, ""), row.id,
            ))
    for row in SlaPauseRecord.select().where(SlaPauseRecord.case == case_id):
        add(row.started_at, 4, row.id, TimelineEntry(
            row.started_at, "pause", "Resolution clock paused (waiting on client)", row.reason, "", row.id,
        ))
        if row.ended_at is not None:
            paused = timedelta(seconds=row.business_seconds)
            add(row.ended_at, 5, row.id, TimelineEntry(
                row.ended_at, "resume", "Resolution clock resumed",
                f"Paused {hours_text(paused)} of business time; resolution due moved by that much",
                "", row.id,
            ))
    for row in (
        AttachmentRecord.select(AttachmentRecord.id, AttachmentRecord.filename, AttachmentRecord.size,
                                AttachmentRecord.added_at, AttachmentRecord.added_by)
        .where(AttachmentRecord.case == case_id)
    ):
        add(row.added_at, 6, row.id, TimelineEntry(
            row.added_at, "attachment", f"Attachment: {row.filename}", f"{row.size:,} bytes",
            names.get(row.added_by_id, ""), row.id,
        ))
    # Status, assignment and due-instant changes live only in the audit log; the logging
    # rows are left out because the "logged" entry already tells that story.
    audit_rows = AuditRecord.select().where(
        AuditRecord.case == case_id,
        AuditRecord.field.in_(["status", "assignee", *DUE_FIELDS.values()]),
        AuditRecord.action != "logged",
    )
    for row in audit_rows:
        actor = names.get(row.actor_id, "")
        if row.field == "status":
            title = f"Status: {CaseStatus.label_of(row.before)} -> {CaseStatus.label_of(row.after)}"
            add(row.at, 7, row.id, TimelineEntry(row.at, "status", title, row.reason, actor, row.id))
        elif row.field == "assignee":
            title = f"Assigned to {row.after or 'nobody (Unassigned)'}"
            add(row.at, 8, row.id, TimelineEntry(row.at, "assignment", title, row.reason, actor, row.id))
        else:
            target = next(t for t, field in DUE_FIELDS.items() if field == row.field).label
            title = f"{target} due moved to {desk_time_text(row.after)}"
            add(row.at, 9, row.id, TimelineEntry(row.at, "sla", title, row.reason, actor, row.id))
    entries.sort(key=lambda item: (item[0], item[1], item[2]), reverse=True)
    return [entry for *_, entry in entries]


def merged_family(case_id: int) -> list[int]:
    """The case and every case merged into it, directly or through another merged case.

    Audit rows are append-only, so a merged duplicate's rows keep its id; reading the
    survivor's trail over this family is how they "move" with it.

    Args:
        case_id: the survivor.

    Returns:
        Ids, the case first.
    """
    family = [case_id]
    frontier = [case_id]
    while frontier:
        frontier = [row[0] for row in CaseRecord.select(CaseRecord.id)
                    .where(CaseRecord.merged_into.in_(frontier)).tuples()]
        family.extend(frontier)
    return family


def case_audit_trail(case_id: int) -> list[AuditEntry]:
    """Every audit row about one case (and the cases merged into it), oldest first, with
    actor names.

    Args:
        case_id: the case.

    Returns:
        The entries.
    """
    names = _names()
    rows = (
        AuditRecord.select()
        .where(AuditRecord.case.in_(merged_family(case_id)))
        .order_by(AuditRecord.at, AuditRecord.id)
    )
    return [audit_entry(row, names) for row in rows]


def audit_entry(row: AuditRecord, names: dict[int, str]) -> AuditEntry:
    """The DTO of an audit row (``names``: member id -> display name)."""
    return AuditEntry(
        row.id,
        row.at,
        row.actor_id,
        names.get(row.actor_id, "") if row.actor_id is not None else "",
        row.entity,
        row.entity_id,
        row.case_id,
        row.action,
        row.field,
        row.before,
        row.after,
        row.reason,
    )
