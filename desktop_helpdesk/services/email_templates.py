"""Email templates: the case fields they show, the team's texts for the desk's own emails, and previews."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_helpdesk.domain.calendar import DESK_ZONE
from desktop_helpdesk.domain.cases import CaseStatus, case_subject, normalise_case_number
from desktop_helpdesk.domain.policy import Priority
from desktop_helpdesk.domain.templates import (
    DEFAULT_TEMPLATES,
    CaseFields,
    TemplateError,
    TemplateKind,
    render_template,
)
from desktop_helpdesk.services.audit import ChangeLog
from desktop_helpdesk.services.context import ServiceContext, TeamSettings
from desktop_helpdesk.services.errors import NotFoundError, ValidationError, checked_text
from desktop_helpdesk.services.permissions import Actions, acting_member, change_by
from desktop_helpdesk.storage.records import (
    CaseRecord,
    ContactRecord,
    EmailTemplateRecord,
    TeamMemberRecord,
)

# Room for a long answer with a few pasted steps; an email body is not a manual.
MAX_TEMPLATE_LENGTH = 20_000


def case_fields(case: CaseRecord, contact: ContactRecord | None, settings: TeamSettings, *,
                agent_name: str = "", resolution: str | None = None) -> CaseFields:
    """The placeholder values of a case (in desk time, as the client reads them).

    Args:
        case: the case record (its assignee is read when it has one).
        contact: the addressed contact (None: the case has none).
        settings: the team settings (the sender name is ``{team_name}``).
        agent_name: the member writing.
        resolution: the resolution being told (default the case's stored summary).

    Returns:
        The case's fields.
    """
    assignee = ""
    if case.assignee_id is not None:
        assignee = TeamMemberRecord.select(TeamMemberRecord.display_name).where(
            TeamMemberRecord.id == case.assignee_id).scalar() or ""
    return CaseFields(
        case_number=case.number,
        subject=case.subject,
        contact_name=contact.name if contact is not None else "",
        contact_email=contact.email.strip() if contact is not None else "",
        client_name=case.client.name,
        assignee=assignee,
        agent_name=agent_name,
        team_name=settings.mail_from_name,
        priority=Priority(case.effective_priority).label,
        status=CaseStatus(case.status).label,
        received=case.received_at,
        respond_due=case.respond_due_at,
        resolve_due=case.resolve_due_at,
        resolution=case.resolution_summary if resolution is None else resolution,
        zone=DESK_ZONE,
    )


def template_text(kind: TemplateKind) -> str:
    """The team's text for one of the desk's emails: the admin's, else the built-in default.

    Args:
        kind: which email.

    Returns:
        The template (placeholders not yet filled).
    """
    saved = EmailTemplateRecord.select(EmailTemplateRecord.body).where(
        EmailTemplateRecord.kind == kind.value).scalar()
    return saved if saved is not None else DEFAULT_TEMPLATES[kind]


def checked_template(field: str, text: object, *, required: bool = True) -> str:
    """A template as typed, refused with a message naming ``field`` and the bad placeholder.

    Args:
        field: the form field ("body", "template").
        text: the typed text.
        required: an empty text is refused.

    Returns:
        The text (line ends normalised, trailing blanks of the whole text kept).

    Raises:
        ValidationError: not text, empty, too long, an unknown placeholder or a stray brace.
    """
    text = checked_text(field, text, required=required, max_length=MAX_TEMPLATE_LENGTH, strip=False)
    text = text.replace("\r\n", "\n")
    try:
        render_template(text, {})
    except TemplateError as exc:
        raise ValidationError(field, str(exc)) from None
    return text


@dataclass(frozen=True)
class EmailTemplate:
    """One of the desk's emails as Administration shows it."""

    kind: TemplateKind
    label: str
    body: str
    is_default: bool
    default_body: str


@dataclass(frozen=True)
class TemplatePreview:
    """A template rendered for a real case."""

    case_id: int
    case_number: str
    to: str
    subject: str
    body: str


class EmailTemplateService:
    """Reads and changes the texts of the acknowledgement, resolution and new-reply emails;
    admins edit them (audited, entity ``email_template``), anyone may preview them.

    Args:
        context: the shared services context.
    """

    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    def list_templates(self) -> list[EmailTemplate]:
        """Every editable email with its current text.

        Returns:
            One ``EmailTemplate`` per ``TemplateKind``, in that order.
        """
        saved = {row.kind: row.body for row in EmailTemplateRecord.select()}
        return [
            EmailTemplate(kind, kind.label, saved.get(kind.value, DEFAULT_TEMPLATES[kind]),
                          saved.get(kind.value, DEFAULT_TEMPLATES[kind]) == DEFAULT_TEMPLATES[kind],
                          DEFAULT_TEMPLATES[kind])
            for kind in TemplateKind
        ]

    def save_template(self, actor_id: int, kind: str, body: str) -> EmailTemplate:
        """Store the team's text for one email (the default text again restores the default).

        Args:
            actor_id: the member acting (an admin).
            kind: ``acknowledgement``, ``resolution`` or ``reply``.
            body: the template; placeholders from ``PLACEHOLDERS`` only.

        Returns:
            The template as saved.

        Raises:
            ValidationError: naming ``kind`` or ``body`` (an unknown placeholder is named).
            PermissionDenied: the actor is not an admin.
        """
        template_kind = _kind(kind)
        body = checked_template("body", body)
        with change_by(actor_id, Actions.EDIT_EMAIL_TEMPLATES) as actor:
            now = self._context.now()
            before = template_text(template_kind)
            if before != body:
                updated = EmailTemplateRecord.update(body=body, updated_at=now, updated_by=actor.id).where(
                    EmailTemplateRecord.kind == template_kind.value).execute()
                if not updated:
                    EmailTemplateRecord.insert(kind=template_kind.value, body=body, updated_at=now,
                                               updated_by=actor.id).execute()
                log = ChangeLog(actor.id, now, entity="email_template")
                log.add("email_template_changed", field=template_kind.value, before=before, after=body)
                log.flush()
        return next(t for t in self.list_templates() if t.kind is template_kind)

    def preview(self, actor_id: int, kind: str, body: str, case_number: str = "") -> TemplatePreview:
        """Render a template (saved or not) for a real case, as the client would read it.

        Args:
            actor_id: the member asking (any active member).
            kind: which email (the resolution shows the case's summary, or a sample).
            body: the template text being edited.
            case_number: the case to render for ("" = the most recently received case).

        Returns:
            The addressee, subject and body.

        Raises:
            ValidationError: naming ``body`` (unknown placeholder) or ``case_number``.
            NotFoundError: no such case, or no case at all yet.
        """
        template_kind = _kind(kind)
        body = checked_template("body", body)
        actor = acting_member(actor_id)
        case = _preview_case(case_number)
        contact = case.contact if case.contact_id is not None else None
        resolution = case.resolution_summary or (
            "(the resolution summary typed when the case is resolved)"
            if template_kind is TemplateKind.RESOLUTION else "")
        fields = case_fields(case, contact, self._context.settings(), agent_name=actor.display_name,
                             resolution=resolution)
        to = f"{contact.name} <{contact.email.strip()}>" if contact is not None and contact.email.strip() else ""
        return TemplatePreview(case.id, case.number, to, case_subject(case.number, case.subject),
                               render_template(body, fields.values()))


def _kind(value: object) -> TemplateKind:
    try:
        return TemplateKind(value)
    except ValueError:
        allowed = ", ".join(kind.value for kind in TemplateKind)
        raise ValidationError("kind", f"unknown email {value!r} (expected one of: {allowed})") from None


def _preview_case(case_number: str) -> CaseRecord:
    typed = (case_number or "").strip()
    if typed:
        number = normalise_case_number(typed)
        if number is None:
            raise ValidationError("case_number", f"{typed!r} is not a case number (e.g. 2026-00042)")
        case = CaseRecord.get_or_none(CaseRecord.number == number)
        if case is None:
            raise NotFoundError(f"No case {number}")
        return case
    case = CaseRecord.select().order_by(CaseRecord.received_at.desc(), CaseRecord.id.desc()).first()
    if case is None:
        raise NotFoundError("There is no case yet to preview the email with; log one first")
    return case
