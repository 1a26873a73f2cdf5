"""Accounts: Argon2id passwords, sign-in with slow-down and lock-out, resets and the first admin."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from peewee import fn

from desktop_helpdesk.domain.cases import MemberRole
from desktop_helpdesk.services.audit import ChangeLog
from desktop_helpdesk.services.context import ServiceContext, write_transaction
from desktop_helpdesk.services.dto import MemberSummary
from desktop_helpdesk.services.errors import ServiceError, ValidationError, existing
from desktop_helpdesk.services.permissions import Actions, acting_member, require
from desktop_helpdesk.services.team import TeamService
from desktop_helpdesk.storage.records import TeamMemberRecord

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
# Before the lock, each failure makes the next attempt wait longer (seconds), up to this.
_MAX_SLOWDOWN_SECONDS = 30
WRONG_CREDENTIALS = "Wrong username or password"


class SignInRefused(ServiceError):
    """The sign-in was refused; the message says why without revealing which part was wrong.

    Args:
        message: the sentence for the user.
        retry_at: when trying again makes sense (slow-down or lock), if known.
    """

    def __init__(self, message: str, retry_at: datetime | None = None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


@dataclass(frozen=True)
class SignIn:
    """A successful sign-in.

    Attributes:
        member: who signed in.
        must_set_password: they have no password yet (a team still without passwords) or an
            admin reset it: the window asks them for a new one before anything else.
    """

    member: MemberSummary
    must_set_password: bool


class AccountService:
    """Sign-in, passwords and lock-outs. Passwords are never stored or logged, only their
    Argon2id hashes; audit rows say that a password changed, never what to.

    Args:
        context: the shared services context (clock, settings).
        hasher: the Argon2id hasher (argon2-cffi's defaults).
    """

    def __init__(self, context: ServiceContext, hasher: PasswordHasher | None = None) -> None:
        self._context = context
        self._hasher = hasher or PasswordHasher()
        self._team = TeamService(context)
        self._dummy_hash: str | None = None

    def passwords_required(self) -> bool:
        """Whether signing in needs a password: from the moment an active admin has one.

        Until then (a new team, or a database from before accounts) members pick their name
        and are asked to set a password; afterwards a member without one needs an admin to
        give them a temporary password.
        """
        return (
            TeamMemberRecord.select()
            .where(
                TeamMemberRecord.role == MemberRole.ADMIN.value,
                TeamMemberRecord.active == True,  # noqa: E712
                TeamMemberRecord.password_hash != "",
            )
            .exists()
        )

    def idle_lock_minutes(self) -> int:
        """After how many idle minutes a window locks (team setting; 0 = never)."""
        return self._context.settings().idle_lock_minutes

    def sign_in(self, username: str, password: str) -> SignIn:
        """Check a username and password.

        Each wrong password is counted (and audited); before the count reaches the team's
        ``sign_in_lock_attempts`` every further attempt must wait 1, 2, 4... seconds, and at
        the count the account locks for ``sign_in_lock_minutes``. A success clears the count.

        Args:
            username: compared case-insensitively.
            password: as typed.

        Returns:
            The member and whether they must set a new password now.

        Raises:
            SignInRefused: unknown user, wrong password, too soon after a failure, locked, or no
                password set on a team that requires them (the message says which it is, except
                that an unknown user and a wrong password read the same).
        """
        now = self._context.now()
        settings = self._context.settings()
        with write_transaction():
            member = _member_by_username(username)
            if member is None or not member.active:
                self._burn_time(password)
                raise SignInRefused(WRONG_CREDENTIALS)
            if member.locked_until is not None and member.locked_until > now:
                raise SignInRefused(
                    f"{member.display_name}'s account is locked after too many wrong passwords "
                    f"until {self._desk_time(member.locked_until)}; an admin can unlock it sooner",
                    member.locked_until,
                )
            retry_at = _retry_at(member)
            if retry_at is not None and retry_at > now:
                seconds = max(1, int((retry_at - now).total_seconds() + 0.999))
                raise SignInRefused(
                    f"Too many wrong passwords: wait {seconds} s before trying again", retry_at)
            if not member.password_hash:
                if self.passwords_required():
                    raise SignInRefused(
                        f"{member.display_name} has no password yet; an admin can set a "
                        "temporary one (Administration, Team)")
                outcome = None  # a team without passwords yet: the name is enough, for now
            else:
                outcome = self._check(member, password)
            if outcome is False:
                refusal = self._count_failure(member, now, settings)
            else:
                refusal = None
                self._record_success(member, now, password if outcome else None)
        if refusal is not None:
            # Raised after the commit: the failure count must stick.
            raise refusal
        summary = self._team.get_member(member.id)
        return SignIn(summary, not member.password_hash or bool(member.must_change_password))

    def sign_in_without_password(self, username: str) -> SignIn:
        """Sign in by name on a team that has no passwords yet (``--user`` automation and the
        upgrade path).

        Raises:
            SignInRefused: unknown or inactive user, or the team requires passwords.
        """
        member = _member_by_username(username)
        if member is None or not member.active:
            raise SignInRefused(f"No active team member has the username {username!r}")
        if self.passwords_required():
            raise SignInRefused("This team's accounts have passwords; a password is needed")
        return SignIn(self._team.get_member(member.id), not member.password_hash)

    def change_own_password(self, member_id: int, current: str | None, new: str) -> None:
        """A member changes their own password (or sets their first one).

        Args:
            member_id: the signed-in member.
            current: their current password (None only when they have none yet).
            new: the new password (at least ``MIN_PASSWORD_LENGTH`` characters, not the username).

        Raises:
            ValidationError: ``current`` wrong or ``new`` too weak, naming the field.
            PermissionDenied: deactivated account.
        """
        with write_transaction():
            member = acting_member(member_id)
            require(member, Actions.CHANGE_OWN_PASSWORD)
            if member.password_hash and (current is None or self._check(member, current) is False):
                raise ValidationError("current_password", "is not your current password")
            self._check_strength(member, new)
            self._store(member, new, must_change=False)
            log_row = ChangeLog(member.id, self._context.now(), entity="team_member", entity_id=member.id)
            log_row.add("password_changed", field="password", reason="changed by the member")
            log_row.flush()

    def reset_password(self, actor_id: int | None, member_id: int, temporary: str, *,
                       reason: str = "") -> None:
        """An admin gives a member a temporary password (the member must change it at the next
        sign-in); it also unlocks the account. ``actor_id`` None: the headless ``admin``
        command (whoever can write the database already holds every right).

        Raises:
            PermissionDenied: the actor is not an admin.
            NotFoundError: no such member.
            ValidationError: ``temporary`` too weak.
        """
        with write_transaction():
            actor = self._admin(actor_id, Actions.RESET_PASSWORD)
            member = _existing(member_id)
            self._check_strength(member, temporary, field="temporary_password")
            self._store(member, temporary, must_change=actor is None or actor.id != member.id)
            log_row = ChangeLog(actor.id if actor else None, self._context.now(), entity="team_member",
                                entity_id=member.id)
            log_row.add("password_reset", field="password",
                        reason=reason or ("reset by an admin" if actor else "reset from the command line"))
            log_row.flush()

    def unlock(self, actor_id: int | None, member_id: int, *, reason: str = "") -> None:
        """An admin (or, with ``actor_id`` None, the headless command) lifts a lock-out and
        clears the failure count.

        Raises:
            PermissionDenied: the actor is not an admin.
            NotFoundError: no such member.
        """
        with write_transaction():
            actor = self._admin(actor_id, Actions.UNLOCK_ACCOUNT)
            member = _existing(member_id)
            log_row = ChangeLog(actor.id if actor else None, self._context.now(), entity="team_member",
                                entity_id=member.id)
            log_row.change(member, "locked_until", None, action="account_unlocked", reason=reason)
            member.failed_sign_ins = 0
            member.last_failed_sign_in_at = None
            member.save()
            log_row.flush()

    def create_account(self, actor_id: int | None, username: str, display_name: str, *,
                       role: str = MemberRole.AGENT.value, password: str, email: str = "") -> MemberSummary:
        """Create a member with a password in one transaction.

        Args:
            actor_id: the admin or supervisor acting; None for the first admin of an empty
                team or the headless ``admin create`` command (whoever can write the database
                file or server already holds every right).
            username: log-in name.
            display_name: the name shown.
            role: agent, supervisor or admin.
            password: their password (the member is asked to change it unless they are the
                first admin, who chose it).
            email: their address.

        Returns:
            The new member.

        Raises:
            PermissionDenied: the actor may not create this role.
            ValidationError: naming the bad field (``password`` too weak, username taken...).
        """
        with write_transaction():
            first = not TeamMemberRecord.select().exists()
            member = self._team.create_member(actor_id, username, display_name, role=role, email=email)
            record = TeamMemberRecord.get_by_id(member.id)
            self._check_strength(record, password)
            self._store(record, password, must_change=not first and actor_id is not None)
        return self._team.get_member(member.id)

    # ------------------------------------------------------------------ internals
    @staticmethod
    def _admin(actor_id: int | None, action) -> TeamMemberRecord | None:
        if actor_id is None:
            return None
        actor = acting_member(actor_id)
        require(actor, action)
        return actor

    def _check(self, member: TeamMemberRecord, password: str) -> bool:
        try:
            return self._hasher.verify(member.password_hash, password)
        except VerifyMismatchError:
            return False
        except (VerificationError, InvalidHashError):
            log.warning("member %s has an unreadable password hash", member.id)
            return False

    def _burn_time(self, password: str) -> None:
        # An unknown username costs as long as a wrong password, so timing does not tell
        # which usernames exist.
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash("not anyone's password")
        try:
            self._hasher.verify(self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            pass

    def _record_success(self, member: TeamMemberRecord, now: datetime, password: str | None) -> None:
        member.failed_sign_ins = 0
        member.last_failed_sign_in_at = None
        member.locked_until = None
        if password is not None and self._hasher.check_needs_rehash(member.password_hash):
            member.password_hash = self._hasher.hash(password)
        member.save()
        log_row = ChangeLog(member.id, now, entity="team_member", entity_id=member.id)
        log_row.add("signed_in")
        log_row.flush()

    def _count_failure(self, member: TeamMemberRecord, now: datetime, settings) -> SignInRefused:
        member.failed_sign_ins += 1
        member.last_failed_sign_in_at = now
        log_row = ChangeLog(None, now, entity="team_member", entity_id=member.id)
        log_row.add("sign_in_failed", field="failed_sign_ins", after=member.failed_sign_ins)
        refusal = SignInRefused(WRONG_CREDENTIALS, _retry_at(member))
        if member.failed_sign_ins >= settings.sign_in_lock_attempts:
            member.locked_until = now + timedelta(minutes=settings.sign_in_lock_minutes)
            member.failed_sign_ins = 0
            log_row.add("account_locked", field="locked_until", after=member.locked_until,
                        reason=f"{settings.sign_in_lock_attempts} wrong passwords in a row")
            refusal = SignInRefused(
                f"{WRONG_CREDENTIALS}. After {settings.sign_in_lock_attempts} wrong passwords "
                f"the account is locked until {self._desk_time(member.locked_until)}",
                member.locked_until,
            )
        member.save()
        log_row.flush()
        return refusal

    def _check_strength(self, member: TeamMemberRecord, password: str, *, field: str = "password") -> None:
        if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
            raise ValidationError(field, f"must be at least {MIN_PASSWORD_LENGTH} characters")
        if len(password) > MAX_PASSWORD_LENGTH:
            raise ValidationError(field, f"must be at most {MAX_PASSWORD_LENGTH} characters")
        if password.strip().lower() in (member.username.lower(), member.display_name.strip().lower()):
            raise ValidationError(field, "must not be the username or name")

    def _store(self, member: TeamMemberRecord, password: str, *, must_change: bool) -> None:
        member.password_hash = self._hasher.hash(password)
        member.must_change_password = must_change
        member.failed_sign_ins = 0
        member.last_failed_sign_in_at = None
        member.locked_until = None
        member.save()

    def _desk_time(self, instant: datetime) -> str:
        return instant.astimezone(self._context.calendar.zone).strftime("%H:%M %Z")


def _retry_at(member: TeamMemberRecord) -> datetime | None:
    """When the next attempt is allowed after ``failed_sign_ins`` failures (None: now)."""
    if not member.failed_sign_ins or member.last_failed_sign_in_at is None:
        return None
    seconds = min(2 ** (member.failed_sign_ins - 1), _MAX_SLOWDOWN_SECONDS)
    return member.last_failed_sign_in_at + timedelta(seconds=seconds)


def _member_by_username(username: str) -> TeamMemberRecord | None:
    return TeamMemberRecord.get_or_none(fn.LOWER(TeamMemberRecord.username) == username.strip().lower())


def _existing(member_id: int) -> TeamMemberRecord:
    member = existing(TeamMemberRecord, member_id, "team member")
    return member
