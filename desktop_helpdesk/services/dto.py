"""Read-only snapshots the services hand to the UI (frozen dataclasses, no records)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from desktop_helpdesk.domain.cases import CaseStatus
from desktop_helpdesk.domain.sla import ClockReading
from desktop_helpdesk.services.case_list_columns import CaseRow


@dataclass(frozen=True)
class AttachmentInfo:
    """An attachment's description (the bytes come from ``CaseService.attachment_content``)."""

    id: int
    case_id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    added_at: datetime
    added_by_name: str
    interaction_id: int | None


@dataclass(frozen=True)
class EscalationInfo:
    """An escalation of the case and, once answered, its answer."""

    id: int
    target_kind: str
    target_name: str
    reason: str
    expected_reply_at: datetime | None
    escalated_at: datetime
    escalated_by_name: str
    answered_at: datetime | None
    answer: str

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


@dataclass(frozen=True)
class CaseDetail:
    """Everything the case view shows, including the three SLA clocks read at ``read_at``.

    Its stored SLA instants (due, met, closed, paused) are in ``row``, the case as the case
    list reads it, so the view's ticking clocks are read from a row as the list's are.
    """

    id: int
    number: str
    subject: str
    description: str
    requested_priority: str
    effective_priority: str
    status: str
    channel: str
    client_id: int
    client_name: str
    account_manager: str
    contact_id: int | None
    contact_name: str
    contact_email: str
    contact_phone: str
    assignee_id: int | None
    assignee_name: str
    logged_by_id: int | None
    logged_by_name: str
    received_at: datetime
    logged_at: datetime
    row: CaseRow
    resolve_started_at: datetime | None
    waiting_on: str
    waiting_since: datetime | None
    resolution_summary: str
    resolution_channel: str
    version: int
    updated_at: datetime
    acknowledge_clock: ClockReading
    respond_clock: ClockReading
    resolve_clock: ClockReading
    read_at: datetime
    escalations: tuple[EscalationInfo, ...] = ()
    attachments: tuple[AttachmentInfo, ...] = ()
    category_id: int | None = None
    category_name: str = ""
    merged_into_id: int | None = None
    merged_into_number: str = ""

    @property
    def clocks(self) -> tuple[ClockReading, ClockReading, ClockReading]:
        """The acknowledge, respond and resolve readings, in that order."""
        return (self.acknowledge_clock, self.respond_clock, self.resolve_clock)

    @property
    def is_read_only(self) -> bool:
        """Closed cases cannot be edited (only reopened)."""
        return self.status == CaseStatus.CLOSED

    @property
    def open_escalation(self) -> EscalationInfo | None:
        return next((e for e in self.escalations if e.is_open), None)


@dataclass(frozen=True)
class LoggedCase:
    """The result of logging a case: its number and who got it, and why."""

    id: int
    number: str
    status: str
    assignee_id: int | None
    assignee_name: str
    assignment_reason: str
    contact_id: int
    client_id: int
    version: int


@dataclass(frozen=True)
class InteractionLogged:
    """The result of logging an interaction: its id, the targets it met, the updated case."""

    interaction_id: int
    satisfied: tuple[str, ...]
    case: CaseDetail


@dataclass(frozen=True)
class TimelineEntry:
    """One event on a case's timeline; ``kind`` is one of ``TIMELINE_KINDS``."""

    at: datetime
    kind: str
    title: str
    detail: str
    actor_name: str
    ref_id: int | None = None
    channel: str = ""
    direction: str = ""
    duration_seconds: int = 0
    satisfies: tuple[str, ...] = ()


TIMELINE_KINDS = (
    "logged",
    "interaction",
    "status",
    "escalation",
    "escalation_answer",
    "pause",
    "resume",
    "attachment",
    "assignment",
    "sla",
)


@dataclass(frozen=True)
class AuditEntry:
    """One audit row with the actor's name."""

    id: int
    at: datetime
    actor_id: int | None
    actor_name: str
    entity: str
    entity_id: int | None
    case_id: int | None
    action: str
    field: str
    before: str
    after: str
    reason: str
    case_number: str = ""  # filled where rows of many cases are listed together


@dataclass(frozen=True)
class ContactMatch:
    """A contact found by phone digits, email or name, with their organisation."""

    contact_id: int
    name: str
    email: str
    phone: str
    client_id: int
    client_name: str
    matched_on: str  # "phone" | "email" | "name"


@dataclass(frozen=True)
class ClientSummary:
    """A client organisation for pickers and the CRM link."""

    id: int
    name: str
    account_manager: str
    account_manager_email: str
    phone: str
    open_cases: int
    country: str = ""
    region: str = ""
    time_zone: str = ""
    notes: str = ""
    email_domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class MemberSummary:
    """A team member with their current open workload."""

    id: int
    username: str
    display_name: str
    email: str
    role: str
    availability: str
    can_take_cases: bool
    active: bool
    open_cases: int
    open_weight: int
    has_password: bool = False
    locked_until: datetime | None = None  # set while failed sign-ins keep the account locked


@dataclass(frozen=True)
class SimilarCase:
    """A resolved earlier case that resembles the text being typed (best first)."""

    id: int
    number: str
    subject: str
    resolution_summary: str
    status: str
    score: float


@dataclass(frozen=True)
class ReassignmentResult:
    """Where one case went when a member's open cases were redistributed."""

    case_id: int
    number: str
    assignee_id: int | None
    assignee_name: str
    reason: str
