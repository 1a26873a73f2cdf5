"""Who may do what: every service method checks the acting member here first."""

from __future__ import annotations

from desktop_helpdesk.domain.cases import MemberRole
from desktop_helpdesk.services.errors import PermissionDenied
from desktop_helpdesk.storage.records import TeamMemberRecord


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


def is_manager(member: TeamMemberRecord) -> bool:
    """Supervisors and admins manage the team, closures, settings and others' cases."""
    return MemberRole(member.role).manages_team


def require_manager(member: TeamMemberRecord, action: str) -> None:
    """Refuse ``action`` unless ``member`` is a supervisor or admin.

    Raises:
        PermissionDenied: naming the action.
    """
    if not is_manager(member):
        raise PermissionDenied(f"Only a supervisor or admin can {action}")


# Actions the services guard beyond "an active member", by the lowest role allowed. The role
# matrix test walks this table, so a new guarded action is registered here and checked with
# ``require_action`` where it happens.
GUARDED_ACTIONS: dict[str, tuple[str, str]] = {
    # action: (who may, what the refusal says they cannot do)
    "manage_categories": ("manager", "manage the case categories"),
    "reassign_others_case": ("manager", "reassign another member's case"),
    "hand_back_others_case": ("manager", "hand another member's case back to the queue"),
    "merge_cases": ("manager", "merge cases"),
    "move_contacts": ("manager", "move a contact to another client"),
    "merge_contacts": ("manager", "merge contacts"),
    "edit_clients": ("manager", "edit client organisations"),
    # Unless the team setting ``agents_may_bulk_reassign`` is on.
    "bulk_reassign_others_case": ("manager", "bulk-reassign another member's case (the team setting does not allow agents)"),
    "manage_holiday_arrangements": ("manager", "record holiday arrangements"),
}


def require_action(member: TeamMemberRecord, action: str) -> None:
    """Refuse a registered guarded ``action`` the member's role does not allow.

    Args:
        member: the acting member.
        action: a key of ``GUARDED_ACTIONS``.

    Raises:
        PermissionDenied: naming what they cannot do.
        KeyError: for an unregistered action (a programming error).
    """
    who, what = GUARDED_ACTIONS[action]
    if who == "manager":
        require_manager(member, what)
