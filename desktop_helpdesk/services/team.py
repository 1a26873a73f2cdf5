"""The support team: members, roles, availability and redistributing an absent member's cases."""

from __future__ import annotations

from peewee import fn

from desktop_helpdesk.domain.cases import OPEN_STATUS_VALUES, Availability, MemberRole
from desktop_helpdesk.services.assignment import choose_assignee, open_weights
from desktop_helpdesk.services.audit import ChangeLog, audit_label
from desktop_helpdesk.services.context import ServiceContext, write_transaction
from desktop_helpdesk.services.dto import MemberSummary, ReassignmentResult
from desktop_helpdesk.services.errors import (
    PermissionDenied,
    ValidationError,
    check_email,
    checked_text,
    existing,
)
from desktop_helpdesk.services.permissions import (
    Action,
    Actions,
    acting_member,
    change_by,
    require,
)
from desktop_helpdesk.storage.records import CaseRecord, TeamMemberRecord

_USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")


class TeamService:
    """Members of the support team and their availability.

    Args:
        context: the shared services context.
    """

    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    def list_members(self, *, include_inactive: bool = False) -> list[MemberSummary]:
        """Team members with their open case count and weighted workload.

        Args:
            include_inactive: also list deactivated accounts.

        Returns:
            ``MemberSummary`` list by display name.
        """
        query = TeamMemberRecord.select().order_by(TeamMemberRecord.display_name, TeamMemberRecord.id)
        if not include_inactive:
            query = query.where(TeamMemberRecord.active == True)  # noqa: E712
        workloads = open_weights()
        return [_summary(member, workloads) for member in query]

    def get_member(self, member_id: int) -> MemberSummary:
        """One member with their workload.

        Args:
            member_id: the member.

        Returns:
            Their summary.

        Raises:
            NotFoundError: no such member.
        """
        member = _existing_member(member_id)
        return _summary(member, open_weights([member_id]))

    def find_member(self, username: str) -> MemberSummary | None:
        """The member with a username.

        Args:
            username: compared case-insensitively.

        Returns:
            Their summary, or None.
        """
        username = checked_text("username", username).lower()
        member = TeamMemberRecord.get_or_none(fn.LOWER(TeamMemberRecord.username) == username)
        return None if member is None else _summary(member, open_weights([member.id]))

    def bootstrap_admin(self, username: str, display_name: str, *, email: str = "") -> MemberSummary:
        """Create the first member, an admin, on an empty team (first start of the app).

        Args:
            username: their log-in name.
            display_name: the name shown.
            email: their address.

        Returns:
            The new admin.

        Raises:
            PermissionDenied: the team already has members.
            ValidationError: bad ``username``, ``display_name`` or ``email``.
        """
        with write_transaction():
            if TeamMemberRecord.select().exists():
                raise PermissionDenied("The team already has members; an admin must add new ones")
            member = self._create(None, username, display_name, MemberRole.ADMIN, email, True)
        return self.get_member(member.id)

    def add_member(self, actor_id: int, username: str, display_name: str, **details) -> MemberSummary:
        """Add a team member (supervisor or admin only; only an admin creates admins).

        ``create_member`` with an actor required: only that one acts as the system.

        Args:
            actor_id: the member acting.
            username: log-in name.
            display_name: the name shown.
            **details: ``role``, ``email``, ``can_take_cases``, as for ``create_member``.

        Returns:
            The new member.

        Raises:
            PermissionDenied: no actor, the actor is an agent, or a supervisor creating an admin.
            ValidationError: naming the bad field.
        """
        if actor_id is None:
            raise PermissionDenied("Adding a team member needs the member who adds them")
        return self.create_member(actor_id, username, display_name, **details)

    def create_member(
        self,
        actor_id: int | None,
        username: str,
        display_name: str,
        *,
        role: str = MemberRole.AGENT.value,
        email: str = "",
        can_take_cases: bool = True,
    ) -> MemberSummary:
        """Add a team member, or, with no actor, add one as the system: the first admin of an
        empty team or the headless ``admin create`` command (whoever can write the database
        already holds every right; the audit row names no actor).

        Args:
            actor_id: the member acting (a supervisor or admin), or None for the system.
            username: log-in name (letters, digits, ``._-``; unique).
            display_name: the name shown.
            role: agent, supervisor or admin.
            email: their address.
            can_take_cases: whether auto-assignment may pick them.

        Returns:
            The new member.

        Raises:
            PermissionDenied: the actor is an agent, or a supervisor creating an admin.
            ValidationError: naming ``username`` (bad or taken), ``display_name``, ``role`` or ``email``.
        """
        member_role = _role(role)
        with write_transaction():
            if actor_id is not None:
                actor = acting_member(actor_id)
                require(actor, Actions.ADD_MEMBER)
                if member_role is MemberRole.ADMIN:
                    require(actor, Actions.CREATE_ADMIN)
            member = self._create(actor_id, username, display_name, member_role, email, can_take_cases)
        return self.get_member(member.id)

    def _create(
        self,
        actor_id: int | None,
        username: str,
        display_name: str,
        role: MemberRole,
        email: str,
        can_take_cases: bool,
    ) -> TeamMemberRecord:
        username = checked_text("username", username).lower()
        display_name = checked_text("display_name", display_name, TeamMemberRecord.display_name)
        email = email.strip()
        if not username or len(username) > 64 or not set(username) <= _USERNAME_CHARS:
            raise ValidationError("username", "use 1-64 letters, digits, dots, dashes or underscores")
        if not display_name:
            raise ValidationError("display_name", "is required")
        check_email("email", email)
        if TeamMemberRecord.select().where(fn.LOWER(TeamMemberRecord.username) == username).exists():
            raise ValidationError("username", f"{username!r} is already taken")
        now = self._context.now()
        member = TeamMemberRecord.create(
            username=username,
            display_name=display_name,
            email=email,
            role=role.value,
            can_take_cases=bool(can_take_cases),
            availability=Availability.AVAILABLE.value,
            active=True,
            created_at=now,
        )
        log = ChangeLog(actor_id, now, entity="team_member", entity_id=member.id)
        log.add("member_added", field="username", after=username)
        log.add("member_added", field="role", after=role.value)
        log.add("member_added", field="can_take_cases", after=bool(can_take_cases))
        log.flush()
        return member

    def update_member(
        self,
        actor_id: int,
        member_id: int,
        *,
        display_name: str | None = None,
        email: str | None = None,
        role: str | None = None,
        can_take_cases: bool | None = None,
        active: bool | None = None,
        reason: str = "",
    ) -> MemberSummary:
        """Change a member's details (supervisor or admin; members may edit their own name and
        email). Deactivating keeps the member and their history; nothing is deleted.

        Args:
            actor_id: the member acting.
            member_id: the member to change.
            display_name: new name (None: unchanged), likewise the other fields.
            email: new address.
            role: new role.
            can_take_cases: new flag.
            active: False deactivates the account (their open cases are redistributed).
            reason: why (audited).

        Returns:
            The member after the change.

        Raises:
            PermissionDenied: not allowed for this actor.
            ValidationError: naming the bad field; an admin cannot remove the last active admin.
            NotFoundError: no such member.
        """
        new_role = _role(role) if role is not None else None
        with change_by(actor_id) as actor:
            member = _existing_member(member_id)
            manages = new_role is not None or can_take_cases is not None or active is not None
            if manages or actor.id != member.id:
                require(actor, Actions.CHANGE_MEMBER)
            touches_admin = MemberRole.ADMIN in (new_role, MemberRole(member.role))
            if touches_admin and new_role is not None:
                require(actor, Actions.GRANT_ADMIN)
            was_active_admin = member.role == MemberRole.ADMIN and member.active
            log = ChangeLog(actor.id, self._context.now(), entity="team_member", entity_id=member.id)
            if display_name is not None:
                display_name = checked_text("display_name", display_name, TeamMemberRecord.display_name,
                                            required=True)
                log.change(member, "display_name", display_name, reason=reason)
            if email is not None:
                check_email("email", email)
                log.change(member, "email", email.strip(), reason=reason)
            if new_role is not None:
                log.change(member, "role", new_role.value, reason=reason)
            if can_take_cases is not None:
                log.change(member, "can_take_cases", bool(can_take_cases), reason=reason)
            if active is not None:
                log.change(member, "active", bool(active), reason=reason)
            # Nobody could manage the team (or grant admin again) without an active admin.
            if was_active_admin and (member.role != MemberRole.ADMIN or not member.active):
                admins = TeamMemberRecord.select().where(
                    TeamMemberRecord.role == MemberRole.ADMIN.value,
                    TeamMemberRecord.active == True,  # noqa: E712
                    TeamMemberRecord.id != member.id,
                )
                if not admins.exists():
                    raise ValidationError("role", "the team must keep at least one active admin")
            member.save()
            log.flush()
            if active is False:
                # A deactivated account can no longer act on its cases: hand them on now rather
                # than leave them stranded with nobody watching their clocks.
                self._redistribute(actor, member, reason or f"{member.display_name} deactivated")
        return self.get_member(member_id)

    def set_availability(
        self,
        actor_id: int,
        member_id: int,
        availability: str,
        *,
        redistribute: bool = False,
        reason: str = "",
    ) -> list[ReassignmentResult]:
        """Mark a member available, away, on leave or off shift (themselves, or anyone for a
        supervisor/admin) and, in the same transaction, optionally hand their open cases to
        others by the team's assignment strategy.

        Args:
            actor_id: the member acting.
            member_id: whose availability changes.
            availability: available, away, on_leave or off_shift.
            redistribute: also move their open cases to available members.
            reason: why (audited).

        Returns:
            Where each redistributed case went (empty when not redistributing).

        Raises:
            ValidationError: unknown ``availability``.
            PermissionDenied: an agent changing someone else.
            NotFoundError: no such member.
        """
        try:
            state = Availability(availability)
        except ValueError:
            raise ValidationError("availability", f"unknown availability {availability!r}") from None
        with change_by(actor_id) as actor:
            member = self._managed_member(actor, member_id, Actions.CHANGE_OTHERS_AVAILABILITY)
            now = self._context.now()
            log = ChangeLog(actor.id, now, entity="team_member", entity_id=member.id)
            if log.change(member, "availability", state.value, reason=reason):
                member.save()
            log.flush()
            moved = self._redistribute(actor, member, reason) if redistribute else []
        return moved

    def redistribute_open_cases(self, actor_id: int, member_id: int, *, reason: str = "") -> list[ReassignmentResult]:
        """Hand every open case of a member to other available members (one transaction);
        cases nobody can take go to the Unassigned queue. Each move is audited with the reason
        for the choice.

        Args:
            actor_id: the member acting (the member themself, or a supervisor/admin).
            member_id: whose cases move.
            reason: why (audited with each move).

        Returns:
            Where each case went.

        Raises:
            PermissionDenied: an agent redistributing someone else's cases.
            NotFoundError: no such member.
        """
        with change_by(actor_id) as actor:
            member = self._managed_member(actor, member_id, Actions.REDISTRIBUTE_OTHERS)
            return self._redistribute(actor, member, reason)

    def _managed_member(self, actor: TeamMemberRecord, member_id: int, action: Action) -> TeamMemberRecord:
        member = _existing_member(member_id)
        if member.id != actor.id:
            require(actor, action)
        return member

    def _redistribute(self, actor: TeamMemberRecord, member: TeamMemberRecord, reason: str) -> list[ReassignmentResult]:
        strategy = self._context.settings().assignment_strategy
        now = self._context.now()
        cases = (
            CaseRecord.select()
            .where(
                CaseRecord.assignee == member.id,
                CaseRecord.status.in_(OPEN_STATUS_VALUES),
            )
            .order_by(CaseRecord.next_due_at.asc(nulls="LAST"), CaseRecord.id)
        )
        moved = []
        why = reason.strip() or f"{member.display_name} is {Availability(member.availability).label.lower()}"
        # Most urgent first, so when few members are free the earliest due cases get them; each
        # choice sees the previous ones (same transaction), keeping least-workload balanced.
        for case in list(cases):
            choice = choose_assignee(self._context, strategy, exclude=frozenset({member.id}))
            CaseRecord.update(
                assignee=choice.member_id,
                version=CaseRecord.version + 1,
                updated_at=now,
            ).where(CaseRecord.id == case.id).execute()
            log = ChangeLog(actor.id, now, entity_id=case.id, case_id=case.id)
            log.add(
                "redistributed",
                field="assignee",
                before=audit_label(member.display_name, member.id),
                after=audit_label(choice.member_name, choice.member_id),
                reason=f"{why}. {choice.reason}",
            )
            log.flush()
            moved.append(
                ReassignmentResult(case.id, case.number, choice.member_id, choice.member_name, choice.reason)
            )
        return moved


def _existing_member(member_id: int) -> TeamMemberRecord:
    member = existing(TeamMemberRecord, member_id, "team member")
    return member


def _role(role: str) -> MemberRole:
    try:
        return MemberRole(role)
    except ValueError:
        raise ValidationError("role", f"unknown role {role!r}") from None


def _summary(member: TeamMemberRecord, workloads: dict[int, tuple[int, int]]) -> MemberSummary:
    count, weight = workloads.get(member.id, (0, 0))
    return MemberSummary(
        member.id,
        member.username,
        member.display_name,
        member.email,
        member.role,
        member.availability,
        bool(member.can_take_cases),
        bool(member.active),
        count,
        weight,
        bool(member.password_hash),
        member.locked_until,
    )
