"""Email templates: the case-field placeholders, checking a template and rendering it (plain Python)."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from types import MappingProxyType

from desktop_helpdesk.domain.policy import LabelledEnum

# Every placeholder a template may use, with what it becomes (shown beside the editors).
PLACEHOLDERS: Mapping[str, str] = MappingProxyType({
    "case_number": "the case number, e.g. 2026-00042",
    "subject": "the case subject",
    "contact_name": "the client contact's name",
    "contact_first_name": "the contact's first name",
    "contact_email": "the contact's email address",
    "client_name": "the client organisation",
    "assignee": "the team member the case is assigned to",
    "agent_name": "you (the team member writing)",
    "team_name": "the sender name of the team's email",
    "priority": "High or Medium",
    "status": "the case status, e.g. In progress",
    "received": "when the request was received (desk time)",
    "respond_due": "when the first response is due (desk time)",
    "resolve_due": "when the resolution is due (desk time)",
    "resolution": "the resolution summary (resolved cases)",
})


class TemplateKind(LabelledEnum):
    """The desk's own emails whose text an admin may edit."""

    # Labelled as Administration names them.
    ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement email"
    RESOLUTION = "resolution", "Resolution email"
    REPLY = "reply", "New reply (composer start)"


_SIGNATURE = "Kind regards,\n{team_name}\n"

# The texts the desk sent before templates were editable: a team that never edits them sends
# exactly what it sent before.
DEFAULT_TEMPLATES: Mapping[TemplateKind, str] = MappingProxyType({
    TemplateKind.ACKNOWLEDGEMENT: (
        "Dear {contact_name},\n\n"
        "Thank you for contacting technical support. We have logged your request as case "
        "{case_number}:\n\n    {subject}\n\n"
        "Priority: {priority}\n"
        "We will respond by {respond_due} (Halifax time).\n\n"
        "Support hours are Monday to Friday, 8:00 am to 4:30 pm Atlantic time (Halifax).\n"
        "Please keep [Case {case_number}] in the subject when you reply.\n\n"
        + _SIGNATURE
    ),
    TemplateKind.RESOLUTION: (
        "Dear {contact_name},\n\n"
        "Your case {case_number} has been resolved.\n\n"
        "Subject: {subject}\n\n"
        "Resolution:\n{resolution}\n\n"
        "If the issue is not solved, reply to this email (keep [Case {case_number}] in the "
        "subject) or call the Support Helpdesk.\n\n"
        + _SIGNATURE
    ),
    TemplateKind.REPLY: (
        "Dear {contact_name},\n\n\n\n"
        "Kind regards,\n{agent_name}\n{team_name}\n"
    ),
})


class TemplateError(ValueError):
    """A template that cannot be rendered; ``str()`` is the sentence shown to the user."""


class UnknownPlaceholder(TemplateError):
    """A ``{name}`` that is not one of ``PLACEHOLDERS``.

    Attributes:
        name: the placeholder as written.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        known = ", ".join("{" + key + "}" for key in PLACEHOLDERS)
        super().__init__(f"unknown placeholder {{{name}}}; the placeholders are: {known}")


def placeholders_in(text: str) -> list[str]:
    """The placeholders ``text`` uses, in order of first use.

    Args:
        text: a template; ``{{`` and ``}}`` stand for literal braces.

    Returns:
        The names, e.g. ``["contact_name", "case_number"]``.

    Raises:
        UnknownPlaceholder: a placeholder that is not one of ``PLACEHOLDERS``.
        TemplateError: an unmatched brace, or a format spec such as ``{subject:>10}``.

    Example:
        >>> placeholders_in("Dear {contact_name}, case {case_number} ({{sic}})")
        ['contact_name', 'case_number']
    """
    names: list[str] = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise TemplateError(f"{exc}; write {{{{ or }}}} for a literal brace") from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS:
            raise UnknownPlaceholder(name)
        if spec or conversion:
            raise TemplateError(f"write the placeholder {{{name}}} without a format or conversion")
        if name not in names:
            names.append(name)
    return names


def render_template(text: str, values: Mapping[str, str]) -> str:
    """``text`` with every placeholder replaced by its value (values are inserted as they are:
    braces in a subject stay braces).

    Args:
        text: the template.
        values: a value for each name of ``PLACEHOLDERS`` (missing ones render as "").

    Returns:
        The rendered text.

    Raises:
        UnknownPlaceholder: see ``placeholders_in``.
        TemplateError: see ``placeholders_in``.

    Example:
        >>> render_template("Case {case_number}: {subject}", {"case_number": "2026-00042", "subject": "{x}"})
        'Case 2026-00042: {x}'
    """
    placeholders_in(text)
    return string.Formatter().vformat(text, (), _Defaulting(values))


class _Defaulting(dict):
    def __init__(self, values: Mapping[str, str]) -> None:
        super().__init__(values)

    def __missing__(self, key: str) -> str:
        return ""


def desk_time(instant: datetime | None, zone: tzinfo) -> str:
    """An instant as the client reads it: ``"Wednesday 25 November 2026, 11:00 AST"``.

    Args:
        instant: an aware instant (None renders as "").
        zone: the desk's time zone.

    Returns:
        Weekday, date, 24-hour time and the zone's abbreviation.
    """
    if instant is None:
        return ""
    local = instant.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} {local.tzname()}"


@dataclass(frozen=True)
class CaseFields:
    """The facts of a case a template may show (every instant aware, shown in ``zone``)."""

    case_number: str
    subject: str
    contact_name: str
    contact_email: str
    client_name: str
    assignee: str
    agent_name: str
    team_name: str
    priority: str
    status: str
    received: datetime | None
    respond_due: datetime | None
    resolve_due: datetime | None
    resolution: str
    zone: tzinfo

    def values(self) -> dict[str, str]:
        """The value of every placeholder, as text."""
        first_name = self.contact_name.split()[0] if self.contact_name.split() else ""
        return {
            "case_number": self.case_number,
            "subject": self.subject,
            "contact_name": self.contact_name,
            "contact_first_name": first_name,
            "contact_email": self.contact_email,
            "client_name": self.client_name,
            "assignee": self.assignee or "the support team",
            "agent_name": self.agent_name,
            "team_name": self.team_name or "Technical Support",
            "priority": self.priority,
            "status": self.status,
            "received": desk_time(self.received, self.zone),
            "respond_due": desk_time(self.respond_due, self.zone),
            "resolve_due": desk_time(self.resolve_due, self.zone),
            "resolution": self.resolution,
        }
