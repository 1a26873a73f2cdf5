"""Who may do what: the one role matrix every service checks before acting (and the window
reads to hide or disable what a role may not do)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from desktop_helpdesk.domain.cases import MemberRole
from desktop_helpdesk.services.context import write_transaction
from desktop_helpdesk.services.errors import PermissionDenied
from desktop_helpdesk.storage.records import TeamMemberRecord

_ALL = frozenset(MemberRole)
_MANAGERS = frozenset({MemberRole.SUPERVISOR, MemberRole.ADMIN})
_ADMINS = frozenset({MemberRole.ADMIN})


@dataclass(frozen=True)
class Action:
    """A guarded action: its key, the words used in refusals, and the roles allowed.

    Attributes:
        key: a stable identifier (``"team.add_member"``), used by tests and the window.
        description: completes "Only a supervisor or admin can …".
        roles: the roles allowed.
    """

    key: str
    description: str
    roles: frozenset[MemberRole]

    def allows(self, role: str | MemberRole) -> bool:
        """Whether ``role`` may do this (an unknown role may do nothing)."""
        try:
            return MemberRole(role) in self.roles
        except ValueError:
            return False

    def refusal(self) -> str:
        """The sentence a refused member reads, naming who may do it."""
        if self.roles == _ADMINS:
            who = "an admin"
        elif self.roles == _MANAGERS:
            who = "a supervisor or admin"
        else:
            who = " or ".join(sorted(r.label.lower() for r in self.roles)) or "nobody"
        return f"Only {who} can {self.description}"


class Actions:
    """Every guarded action, one row each: the role matrix (``ACTIONS`` indexes it by key).

    Add an action as a row here; the role-matrix test (tests/services/test_role_matrix.py)
    refuses an action it does not exercise.
    """

    READ_TEAM_AUDIT = Action("audit.read_team_log", "read the team's audit log", _MANAGERS)
    VERIFY_AUDIT = Action("audit.verify", "verify the audit chain", _MANAGERS)
    SEE_REPORTS = Action("reports.view", "see supervisor reports", _MANAGERS)
    CHANGE_SETTINGS = Action("settings.change", "change team settings", _MANAGERS)
    MANAGE_CLOSURES = Action("closures.manage", "manage company closures", _MANAGERS)
    ADD_MEMBER = Action("team.add_member", "add team members", _MANAGERS)
    CREATE_ADMIN = Action("team.create_admin", "create another admin", _ADMINS)
    CHANGE_MEMBER = Action("team.change_member", "change other members or roles", _MANAGERS)
    GRANT_ADMIN = Action("team.grant_admin", "grant or remove the admin role", _ADMINS)
    CHANGE_OTHERS_AVAILABILITY = Action("team.change_availability", "change another member's availability", _MANAGERS)
    REDISTRIBUTE_OTHERS = Action("team.redistribute", "redistribute another member's cases", _MANAGERS)
    REASSIGN_OTHERS_CASE = Action("reassign_others_case", "reassign another member's case", _MANAGERS)
    # Unless the team setting ``agents_may_bulk_reassign`` is on.
    BULK_REASSIGN_OTHERS_CASE = Action("bulk_reassign_others_case", "bulk-reassign another member's case (the team setting does not allow agents)", _MANAGERS)
    HAND_BACK_OTHERS_CASE = Action("hand_back_others_case", "hand another member's case back to the queue", _MANAGERS)
    MERGE_CASES = Action("merge_cases", "merge cases", _MANAGERS)
    DELETE_OTHERS_SHARED_FILTER = Action("delete_others_shared_filter", "delete a shared filter another member saved", _MANAGERS)
    MANAGE_CATEGORIES = Action("manage_categories", "manage the case categories", _MANAGERS)
    MOVE_CONTACTS = Action("move_contacts", "move a contact to another client", _MANAGERS)
    MERGE_CONTACTS = Action("merge_contacts", "merge contacts", _MANAGERS)
    EDIT_CLIENTS = Action("edit_clients", "edit client organisations", _MANAGERS)
    MANAGE_HOLIDAY_ARRANGEMENTS = Action("manage_holiday_arrangements", "record holiday arrangements", _MANAGERS)
    RESET_PASSWORD = Action("accounts.reset_password", "reset another member's password", _ADMINS)
    UNLOCK_ACCOUNT = Action("accounts.unlock", "unlock a locked account", _ADMINS)
    CHANGE_OWN_PASSWORD = Action("accounts.change_own_password", "change their own password", _ALL)
    RUN_BACKUP = Action("backups.run", "back up the database", _MANAGERS)
    RETRY_DELIVERIES = Action("deliveries.retry", "retry deliveries", _MANAGERS)
    SKIP_DELIVERIES = Action("deliveries.skip", "skip deliveries", _MANAGERS)
    END_OTHERS_CALL = Action("calls.end_others", "end or cancel a call another member dialled", _MANAGERS)
    EDIT_EMAIL_TEMPLATES = Action("email_templates.edit", "edit the email templates", _ADMINS)
    MANAGE_TEAM_CANNED_REPLIES = Action("canned_replies.manage_team", "add or change the team's canned replies", _MANAGERS)


def index_by_key(table: type) -> dict[str, Action]:
    """The actions declared in ``table`` (a class like ``Actions``), by key.

    Args:
        table: a class whose attributes include the actions.

    Returns:
        Each ``Action`` by its key.

    Raises:
        ValueError: two actions share a key.
    """
    by_key: dict[str, Action] = {}
    for action in vars(table).values():
        if isinstance(action, Action):
            if action.key in by_key:
                raise ValueError(f"guarded action {action.key!r} is declared twice")
            by_key[action.key] = action
    return by_key


# Every guarded action, by key (what ``require_action`` and the role-matrix test look up).
ACTIONS: dict[str, Action] = index_by_key(Actions)


def acting_member(actor_id: int) -> TeamMemberRecord:
    """The active member doing the action.

    Args:
        actor_id: the member's id.

    Returns:
        Their record.

    Raises:
        PermissionDenied: if there is no such member or the account is deactivated.
    """
    member = TeamMemberRecord.get_or_none(TeamMemberRecord.id == actor_id)
    if member is None:
        raise PermissionDenied(f"No team member with id {actor_id}")
    if not member.active:
        raise PermissionDenied(f"{member.display_name}'s account is deactivated")
    return member


@contextmanager
def change_by(actor_id: int, action: Action | None = None) -> Iterator[TeamMemberRecord]:
    """A write transaction for a change made by a team member: every service change opens so.

    Args:
        actor_id: the member making the change.
        action: the guarded action the change is, if any (the role matrix decides).

    Yields:
        The member's record (from ``acting_member``).

    Raises:
        PermissionDenied: the member is unknown or deactivated, or ``action`` is not theirs.
        ReadOnlyError: the database was opened read-only; nothing is written.
    """
    with write_transaction():
        actor = acting_member(actor_id)
        if action is not None:
            require(actor, action)
        yield actor


def require(member: TeamMemberRecord, action: Action) -> None:
    """Refuse ``action`` unless ``member``'s role is allowed it.

    Args:
        member: the acting member (from ``acting_member``).
        action: the guarded action.

    Raises:
        PermissionDenied: naming the action and who may do it.
    """
    if not action.allows(member.role):
        raise PermissionDenied(action.refusal())


def may(role: str, action: Action) -> bool:
    """Whether a member with ``role`` may do ``action`` (the window hides or disables by it)."""
    return action.allows(role)


def is_manager(member: TeamMemberRecord) -> bool:
    """Supervisors and admins manage the team, closures, settings and others' cases."""
    return MemberRole(member.role).manages_team


def require_manager(member: TeamMemberRecord, action: str) -> None:
    """Refuse ``action`` unless ``member`` is a supervisor or admin (prefer ``require`` with a
    registered action, so the role-matrix test covers it).

    Raises:
        PermissionDenied: naming the action.
    """
    if not is_manager(member):
        raise PermissionDenied(f"Only a supervisor or admin can {action}")


def require_action(member: TeamMemberRecord, action: str) -> None:
    """Refuse the registered guarded ``action`` (a key of ``ACTIONS``) the member's role does
    not allow.

    Args:
        member: the acting member.
        action: a key of ``ACTIONS``, e.g. ``"merge_cases"``.

    Raises:
        PermissionDenied: naming what they cannot do and who can.
        KeyError: for an unregistered action (a programming error).
    """
    require(member, ACTIONS[action])
