"""What the reply composer starts from: addressees, subject, template, the case's fields and files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from desktop_helpdesk.domain.cases import CaseStatus, case_subject
from desktop_helpdesk.domain.templates import TemplateKind
from desktop_helpdesk.services.canned_replies import CannedReply, CannedReplyService
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.email_templates import case_fields, template_text
from desktop_helpdesk.services.errors import NotFoundError
from desktop_helpdesk.services.mail import MailNotConfigured
from desktop_helpdesk.services.permissions import acting_member
from desktop_helpdesk.storage.records import (
    AttachmentRecord,
    CaseRecord,
    ContactAddressRecord,
    ContactRecord,
)


@dataclass(frozen=True)
class ReplyAttachment:
    """A file of the case that can go with the reply."""

    id: int
    filename: str
    size: int
    content_type: str


@dataclass(frozen=True)
class ReplyStart:
    """Everything the composer shows before the member types (read in one worker run).

    Attributes:
        to: the contact as ``Name <address>`` ("" when the contact has no address).
        other_addresses: the contact's further email addresses (offered for Cc).
        body_template: the team's "new reply" template (placeholders still in).
        values: every placeholder's value for this case and member (the preview fills them).
        email_failing: why mail to the contact's address bounced ("" when it did not).
        mail_problem: why nothing can be sent now ("" when email is set up).
    """

    case_id: int
    case_number: str
    version: int
    to: str
    other_addresses: tuple[str, ...]
    subject: str
    body_template: str
    values: dict[str, str]
    attachments: tuple[ReplyAttachment, ...]
    canned: tuple[CannedReply, ...]
    email_failing: str
    email_failing_at: datetime | None
    mail_problem: str
    is_closed: bool


class ReplyService:
    """Reads what the composer and the canned-reply picker need; sending is
    ``CaseService.send_reply`` (it changes the case).

    Args:
        context: the shared services context.
        canned: the canned replies.
    """

    def __init__(self, context: ServiceContext, canned: CannedReplyService) -> None:
        self._context = context
        self._canned = canned

    def start(self, actor_id: int, case_id: int) -> ReplyStart:
        """The composer's starting point for a case.

        Args:
            actor_id: the member writing (their name fills ``{agent_name}``).
            case_id: the case.

        Returns:
            The ``ReplyStart``.

        Raises:
            NotFoundError: no such case.
            PermissionDenied: no such member, or a deactivated one.
        """
        actor = acting_member(actor_id)
        case = CaseRecord.get_or_none(CaseRecord.id == case_id)
        if case is None:
            raise NotFoundError(f"No case with id {case_id}")
        contact = ContactRecord.get_or_none(ContactRecord.id == case.contact_id) if case.contact_id else None
        settings = self._context.settings()
        address = contact.email.strip() if contact is not None else ""
        others: tuple[str, ...] = ()
        if contact is not None:
            others = tuple(
                row.value for row in ContactAddressRecord.select(ContactAddressRecord.value)
                .where((ContactAddressRecord.contact == contact.id) & (ContactAddressRecord.kind == "email"))
                .order_by(ContactAddressRecord.id)
                if row.value.strip().lower() != address.lower()
            )
        attachments = tuple(
            ReplyAttachment(row.id, row.filename, row.size, row.content_type)
            for row in AttachmentRecord.select(AttachmentRecord.id, AttachmentRecord.filename, AttachmentRecord.size,
                                               AttachmentRecord.content_type)
            .where(AttachmentRecord.case == case.id).order_by(AttachmentRecord.id)
        )
        failing = ""
        if contact is not None and contact.email_failing_at is not None:
            failing = contact.email_failing_reason or "mail to this address bounced"
        return ReplyStart(
            case_id=case.id,
            case_number=case.number,
            version=case.version,
            to=f"{contact.name} <{address}>" if address else "",
            other_addresses=others,
            subject=case_subject(case.number, case.subject),
            body_template=template_text(TemplateKind.REPLY),
            values=case_fields(case, contact, settings, agent_name=actor.display_name).values(),
            attachments=attachments,
            canned=tuple(self._canned.list_for(actor.id)),
            email_failing=failing,
            email_failing_at=contact.email_failing_at if contact is not None else None,
            mail_problem="" if settings.mail_configured else str(MailNotConfigured()),
            is_closed=case.status == CaseStatus.CLOSED,
        )

    def canned_for_case(self, actor_id: int, case_id: int) -> tuple[dict[str, str], list[CannedReply]]:
        """The case's placeholder values and the member's canned replies (for inserting one
        into a note).

        Args:
            actor_id: the member writing.
            case_id: the case.

        Returns:
            ``(values, canned replies)``.

        Raises:
            NotFoundError: no such case.
        """
        start = self.start(actor_id, case_id)
        return start.values, list(start.canned)
