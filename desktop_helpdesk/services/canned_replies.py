"""Canned replies: saved answers, the team's (kept by supervisors and admins) and each member's own."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import JOIN, fn

from desktop_helpdesk.services.audit import ChangeLog
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.email_templates import checked_template
from desktop_helpdesk.services.errors import NotFoundError, checked_text
from desktop_helpdesk.services.permissions import change_by, require_action
from desktop_helpdesk.storage.records import CannedReplyRecord, TeamMemberRecord

MAX_TITLE = 80


@dataclass(frozen=True)
class CannedReply:
    """A canned reply as the picker and the editor show it.

    Attributes:
        shared: the team's (``owner_id`` None) rather than one member's.
    """

    id: int
    title: str
    body: str
    shared: bool
    owner_id: int | None
    active: bool = True


class CannedReplyService:
    """Lists and keeps canned replies; every change is audited (entity ``canned_reply``).
    The team's replies need a supervisor or admin; a personal one only its owner may change.

    Args:
        context: the shared services context.
    """

    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    def list_for(self, viewer_id: int, *, include_inactive: bool = False) -> list[CannedReply]:
        """The team's canned replies and the viewer's own, the team's first, each by title.

        Args:
            viewer_id: the member asking.
            include_inactive: also retired ones (the editor shows them).

        Returns:
            ``CannedReply`` list.
        """
        query = (
            CannedReplyRecord.select()
            .join(TeamMemberRecord, JOIN.LEFT_OUTER, on=(CannedReplyRecord.owner == TeamMemberRecord.id))
            .where(CannedReplyRecord.owner.is_null() | (CannedReplyRecord.owner == viewer_id))
            .order_by(CannedReplyRecord.owner.is_null(False), fn.LOWER(CannedReplyRecord.title), CannedReplyRecord.id)
        )
        if not include_inactive:
            query = query.where(CannedReplyRecord.active == True)  # noqa: E712
        return [_reply(row) for row in query]

    def add(self, actor_id: int, title: str, body: str, *, shared: bool = False) -> CannedReply:
        """Save a new canned reply.

        Args:
            actor_id: the member acting (the owner of a personal one).
            title: what the picker lists (required).
            body: the text; case-field placeholders such as ``{contact_name}`` are filled when
                it is inserted.
            shared: the team's (supervisors and admins only).

        Returns:
            The new reply.

        Raises:
            ValidationError: naming ``title`` or ``body`` (an unknown placeholder is named).
            PermissionDenied: an agent adding a team reply.
        """
        title = checked_text("title", title, required=True, max_length=MAX_TITLE)
        body = checked_template("body", body)
        with change_by(actor_id) as actor:
            if shared:
                require_action(actor, "canned_replies.manage_team")
            now = self._context.now()
            reply_id = CannedReplyRecord.insert(
                title=title, body=body, owner=None if shared else actor.id, active=True,
                created_at=now, updated_at=now).execute()
            log = ChangeLog(actor.id, now, entity="canned_reply", entity_id=reply_id)
            log.add("canned_reply_added", field="team" if shared else "personal", after=f"{title}\n\n{body}")
            log.flush()
        return CannedReply(reply_id, title, body, shared, None if shared else actor.id)

    def update(self, actor_id: int, reply_id: int, *, title: str | None = None, body: str | None = None,
               active: bool | None = None) -> CannedReply:
        """Change a canned reply's title or text, or retire it (``active=False``) or offer it again.

        Args:
            actor_id: the member acting.
            reply_id: the reply.
            title: the new title (None: unchanged).
            body: the new text (None: unchanged).
            active: False retires it (no longer offered), True offers it again.

        Returns:
            The reply as saved.

        Raises:
            ValidationError: naming ``title`` or ``body``.
            NotFoundError: no such reply (or another member's personal one).
            PermissionDenied: an agent changing a team reply.
        """
        if title is not None:
            title = checked_text("title", title, required=True, max_length=MAX_TITLE)
        if body is not None:
            body = checked_template("body", body)
        with change_by(actor_id) as actor:
            row = CannedReplyRecord.get_or_none(CannedReplyRecord.id == reply_id)
            if row is None or (row.owner_id is not None and row.owner_id != actor.id):
                # Another member's own replies are theirs alone: not even listed to others.
                raise NotFoundError(f"No canned reply #{reply_id} of yours or the team's")
            if row.owner_id is None:
                require_action(actor, "canned_replies.manage_team")
            now = self._context.now()
            log = ChangeLog(actor.id, now, entity="canned_reply", entity_id=row.id)
            for field, value in (("title", title), ("body", body), ("active", active)):
                if value is not None and getattr(row, field) != value:
                    log.add("canned_reply_changed", field=field, before=getattr(row, field), after=value)
                    setattr(row, field, value)
            if row.is_dirty():
                row.updated_at = now
                row.save()
                log.flush()
        return _reply(row)


def _reply(row: CannedReplyRecord) -> CannedReply:
    return CannedReply(row.id, row.title, row.body, row.owner_id is None, row.owner_id, row.active)

