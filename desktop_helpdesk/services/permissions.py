"""Who may do what: the one role matrix every service checks before acting (and the window
reads to hide or disable what a role may not do)."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_helpdesk.domain.cases import MemberRole
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


# Every guarded action, by key. Add new actions with ``guarded`` next to the ones below; the
# role-matrix test (tests/services/test_role_matrix.py) refuses an action it does not exercise.
ACTIONS: dict[str, Action] = {}


def guarded(key: str, description: str, roles: frozenset[MemberRole]) -> Action:
    """Register a guarded action in the matrix.

    Args:
        key: unique, e.g. ``"deliveries.retry"``.
        description: what the member tried, e.g. ``"retry a failed delivery"``.
        roles: who may.

    Returns:
        The action (pass it to ``require``).

    Raises:
        ValueError: ``key`` is registered already.
    """
    if key in ACTIONS:
        raise ValueError(f"guarded action {key!r} is registered twice")
    action = Action(key, description, frozenset(roles))
    ACTIONS[key] = action
    return action


class Actions:
    """The actions guarded today (namespaced constants over ``ACTIONS``)."""

    READ_TEAM_AUDIT = guarded("audit.read_team_log", "read the team's audit log", _MANAGERS)
    VERIFY_AUDIT = guarded("audit.verify", "verify the audit chain", _MANAGERS)
    SEE_REPORTS = guarded("reports.view", "see supervisor reports", _MANAGERS)
    CHANGE_SETTINGS = guarded("settings.change", "change team settings", _MANAGERS)
    MANAGE_CLOSURES = guarded("closures.manage", "manage company closures", _MANAGERS)
    ADD_MEMBER = guarded("team.add_member", "add team members", _MANAGERS)
    CREATE_ADMIN = guarded("team.create_admin", "create another admin", _ADMINS)
    CHANGE_MEMBER = guarded("team.change_member", "change other members or roles", _MANAGERS)
    GRANT_ADMIN = guarded("team.grant_admin", "grant or remove the admin role", _ADMINS)
    CHANGE_OTHERS_AVAILABILITY = guarded(
        "team.change_availability", "change another member's availability", _MANAGERS)
    REDISTRIBUTE_OTHERS = guarded(
        "team.redistribute", "redistribute another member's cases", _MANAGERS)
    REASSIGN_OTHERS_CASE = guarded(
        "reassign_others_case", "reassign another member's case", _MANAGERS)
    # Unless the team setting ``agents_may_bulk_reassign`` is on.
    BULK_REASSIGN_OTHERS_CASE = guarded(
        "bulk_reassign_others_case",
        "bulk-reassign another member's case (the team setting does not allow agents)", _MANAGERS)
    HAND_BACK_OTHERS_CASE = guarded(
        "hand_back_others_case", "hand another member's case back to the queue", _MANAGERS)
    MERGE_CASES = guarded("merge_cases", "merge cases", _MANAGERS)
    DELETE_OTHERS_SHARED_FILTER = guarded(
        "delete_others_shared_filter", "delete a shared filter another member saved", _MANAGERS)
    MANAGE_CATEGORIES = guarded("manage_categories", "manage the case categories", _MANAGERS)
    MOVE_CONTACTS = guarded("move_contacts", "move a contact to another client", _MANAGERS)
    MERGE_CONTACTS = guarded("merge_contacts", "merge contacts", _MANAGERS)
    EDIT_CLIENTS = guarded("edit_clients", "edit client organisations", _MANAGERS)
    MANAGE_HOLIDAY_ARRANGEMENTS = guarded(
        "manage_holiday_arrangements", "record holiday arrangements", _MANAGERS)
    RESET_PASSWORD = guarded("accounts.reset_password", "reset another member's password", _ADMINS)
    UNLOCK_ACCOUNT = guarded("accounts.unlock", "unlock a locked account", _ADMINS)
    CHANGE_OWN_PASSWORD = guarded("accounts.change_own_password", "change their own password", _ALL)
    RUN_BACKUP = guarded("backups.run", "back up the database", _MANAGERS)
    RETRY_DELIVERIES = guarded("deliveries.retry", "retry deliveries", _MANAGERS)
    SKIP_DELIVERIES = guarded("deliveries.skip", "skip deliveries", _MANAGERS)
    END_OTHERS_CALL = guarded("calls.end_others", "end or cancel a call another member dialled", _MANAGERS)
    EDIT_EMAIL_TEMPLATES = guarded("email_templates.edit", "edit the email templates", _ADMINS)
    MANAGE_TEAM_CANNED_REPLIES = guarded(
        "canned_replies.manage_team", "add or change the team's canned replies", _MANAGERS)




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


# The name the first callers of ``require_action`` used for the same one matrix.
GUARDED_ACTIONS = ACTIONS
