"""Checking a reply typed in the composer: addressees, subject, body template and the case files sent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr

from desktop_helpdesk.domain.cases import file_size_text, is_valid_email
from desktop_helpdesk.services.context import TeamSettings
from desktop_helpdesk.services.email_templates import checked_template
from desktop_helpdesk.services.errors import ValidationError
from desktop_helpdesk.storage.records import AttachmentRecord, InboundMailRecord

MAX_CC = 10
MAX_SUBJECT = 380  # the outbox column holds 400; the case tag may be added in front


@dataclass(frozen=True)
class CheckedReply:
    """A reply's parts, checked (the body is still a template)."""

    to_address: str
    to_name: str
    cc: tuple[str, ...]
    subject: str
    body: str
    attachment_ids: tuple[int, ...]


def checked_reply(to: object, cc: object, subject: object, body: object,
                  attachment_ids: object) -> CheckedReply:
    """The composer's fields, each refused with a message naming it.

    Args:
        to: ``a@b`` or ``Name <a@b>``.
        cc: ``"a@b, c@d"`` or a sequence of addresses.
        subject: the subject line.
        body: the text (case-field placeholders allowed).
        attachment_ids: ids of the case's attachments.

    Returns:
        The checked reply.

    Raises:
        ValidationError: naming ``to``, ``cc``, ``subject``, ``body`` or ``attachments``.
    """
    if not isinstance(to, str) or not to.strip():
        raise ValidationError("to", "is required: the client's email address")
    to_name, to_address = parseaddr(to.strip())
    if not is_valid_email(to_address.strip()) or ("<" not in to and to_address.strip() != to.strip()):
        raise ValidationError("to", f"{to.strip()!r} is not an email address")
    if isinstance(cc, str):
        typed = [cc] if cc.strip() else []
    elif isinstance(cc, list | tuple):
        typed = [str(part) for part in cc]
    else:
        raise ValidationError("cc", "must be email addresses separated by commas")
    copies: list[str] = []
    for part in (p.strip() for text in typed for p in re.split(r"[,;]", text)):
        if not part:
            continue
        _name, address = parseaddr(part)
        if not is_valid_email(address.strip()) or ("<" not in part and address.strip() != part):
            raise ValidationError("cc", f"{part!r} is not an email address")
        address = address.strip()
        if address.lower() != to_address.lower() and address.lower() not in (c.lower() for c in copies):
            copies.append(address)
    if len(copies) > MAX_CC:
        raise ValidationError("cc", f"at most {MAX_CC} addresses")
    if not isinstance(subject, str) or not subject.strip():
        raise ValidationError("subject", "is required")
    subject = " ".join(subject.split())
    if len(subject) > MAX_SUBJECT:
        raise ValidationError("subject", f"is longer than {MAX_SUBJECT} characters")
    body = checked_template("body", body)
    try:
        ids = tuple(dict.fromkeys(int(i) for i in attachment_ids))  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise ValidationError("attachments", "must be attachments of the case") from None
    return CheckedReply(to_address.strip(), to_name.strip(), tuple(copies), subject, body, ids)


def reply_attachments(case_id: int, ids: tuple[int, ...], settings: TeamSettings) -> list[AttachmentRecord]:
    """The case's attachments chosen for a reply (their sizes only; the bytes are read when
    the email is sent).

    Args:
        case_id: the case.
        ids: the chosen attachment ids.
        settings: the limit of one email (``mail_max_message_bytes``).

    Returns:
        The attachments, in the order chosen.

    Raises:
        ValidationError: naming ``attachments`` for a file of another case, or too much in all.
    """
    if not ids:
        return []
    found = {
        row.id: row for row in AttachmentRecord.select(
            AttachmentRecord.id, AttachmentRecord.filename, AttachmentRecord.size, AttachmentRecord.content_type)
        .where(AttachmentRecord.id.in_(ids) & (AttachmentRecord.case == case_id))
    }
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError("attachments", f"attachment #{missing[0]} is not a file of this case")
    total = sum(found[i].size for i in ids)
    if total > settings.mail_max_message_bytes:
        raise ValidationError(
            "attachments",
            f"the files come to {file_size_text(total)}; an email may carry at most "
            f"{file_size_text(settings.mail_max_message_bytes)}")
    return [found[i] for i in ids]


def last_client_message_id(case_id: int) -> str:
    """The Message-ID of the client's latest email on the case (a reply answers it, so the
    client's mail program shows it in the same conversation), or "".

    Args:
        case_id: the case.

    Returns:
        The normalised id (no angle brackets), or "" when the case has no client email.
    """
    return InboundMailRecord.select(InboundMailRecord.message_id).where(
        (InboundMailRecord.case == case_id) & (InboundMailRecord.message_id != "")
        & InboundMailRecord.outcome.in_(("new_case", "threaded"))
    ).order_by(InboundMailRecord.received_at.desc(), InboundMailRecord.id.desc()).scalar() or ""
