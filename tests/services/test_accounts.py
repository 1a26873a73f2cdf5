"""Accounts: passwords, slow-down and lock-out, unlock, change and reset, the first admin."""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from desktop_helpdesk.services.accounts import AccountService, SignInRefused
from desktop_helpdesk.services.errors import PermissionDenied, ValidationError
from desktop_helpdesk.storage.records import AuditRecord, TeamMemberRecord

pytestmark = pytest.mark.usefixtures("engine")

# Real Argon2id with small costs: the tests check behaviour, not the hashing cost.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
ADMIN_PASSWORD = "correct horse battery"


@pytest.fixture
def accounts(services):
    return AccountService(services.context, FAST_HASHER)


@pytest.fixture
def protected(accounts, team):
    """The team after its admin set a password: from now on everyone needs one."""
    accounts.reset_password(team.admin, team.admin, ADMIN_PASSWORD)
    accounts.reset_password(team.admin, team.alice, "alice-temporary")
    return team


def test_a_team_without_passwords_signs_in_by_name_until_an_admin_sets_one(accounts, team):
    assert not accounts.passwords_required()
    first = accounts.sign_in_without_password("alice")
    assert first.member.id == team.alice and first.must_set_password
    # A member setting their own password does not lock the others out...
    accounts.change_own_password(team.alice, None, "alice-own-password")
    assert not accounts.passwords_required()
    assert accounts.sign_in_without_password("bob").member.id == team.bob
    # ...an admin's password does.
    accounts.change_own_password(team.admin, None, ADMIN_PASSWORD)
    assert accounts.passwords_required()
    with pytest.raises(SignInRefused, match="password is needed"):
        accounts.sign_in_without_password("bob")
    with pytest.raises(SignInRefused, match="Bob Agent has no password yet; an admin can set"):
        accounts.sign_in("bob", "anything at all")


def test_right_password_signs_in_and_wrong_ones_read_the_same_as_unknown_users(accounts, protected):
    signed = accounts.sign_in("ADMIN", ADMIN_PASSWORD)
    assert signed.member.id == protected.admin and not signed.must_set_password
    with pytest.raises(SignInRefused) as wrong:
        accounts.sign_in("admin", "not the password")
    with pytest.raises(SignInRefused) as unknown:
        accounts.sign_in("nobody", "not the password")
    assert str(wrong.value) == str(unknown.value) == "Wrong username or password"
    actions = [r.action for r in AuditRecord.select().where(AuditRecord.entity_id == protected.admin)
               .order_by(AuditRecord.id)]
    assert actions[-2:] == ["signed_in", "sign_in_failed"]


def test_failures_slow_down_then_lock_until_the_time_passes(accounts, services, protected, clock):
    services.settings.update(protected.admin, sign_in_lock_attempts=3, sign_in_lock_minutes=15)
    with pytest.raises(SignInRefused, match="Wrong username or password"):
        accounts.sign_in("admin", "wrong 1")
    # Straight away again: refused without even checking (1 s slow-down).
    with pytest.raises(SignInRefused, match="wait 1 s"):
        accounts.sign_in("admin", ADMIN_PASSWORD)
    clock.advance(timedelta(seconds=1))
    with pytest.raises(SignInRefused, match="Wrong username"):
        accounts.sign_in("admin", "wrong 2")
    with pytest.raises(SignInRefused, match="wait 2 s"):
        accounts.sign_in("admin", "wrong 3")
    clock.advance(timedelta(seconds=2))
    with pytest.raises(SignInRefused, match="After 3 wrong passwords the account is locked until 09:15"):
        accounts.sign_in("admin", "wrong 3")
    clock.advance(timedelta(minutes=14))
    with pytest.raises(SignInRefused, match="locked after too many wrong passwords until 09:15"):
        accounts.sign_in("admin", ADMIN_PASSWORD)
    clock.advance(timedelta(minutes=1))
    assert accounts.sign_in("admin", ADMIN_PASSWORD).member.id == protected.admin
    record = TeamMemberRecord.get_by_id(protected.admin)
    assert (record.failed_sign_ins, record.locked_until) == (0, None)
    assert AuditRecord.select().where(AuditRecord.action == "account_locked").count() == 1


def test_an_admin_unlocks_a_locked_account_and_nobody_else_can(accounts, services, protected, clock):
    services.settings.update(protected.admin, sign_in_lock_attempts=1)
    with pytest.raises(SignInRefused, match="locked until"):
        accounts.sign_in("alice", "wrong")
    assert services.team.get_member(protected.alice).locked_until is not None
    for refused in (protected.supervisor, protected.bob):
        with pytest.raises(PermissionDenied, match="Only an admin can unlock a locked account"):
            accounts.unlock(refused, protected.alice)
    accounts.unlock(protected.admin, protected.alice, reason="called the desk")
    assert services.team.get_member(protected.alice).locked_until is None
    assert accounts.sign_in("alice", "alice-temporary").member.id == protected.alice
    row = AuditRecord.get(AuditRecord.action == "account_unlocked")
    assert (row.actor_id, row.entity_id, row.reason) == (protected.admin, protected.alice, "called the desk")


def test_members_change_their_own_password(accounts, protected, clock):
    with pytest.raises(ValidationError, match="current_password: is not your current password"):
        accounts.change_own_password(protected.alice, "wrong", "a new password")
    with pytest.raises(ValidationError, match="password: must be at least 8 characters"):
        accounts.change_own_password(protected.alice, "alice-temporary", "short")
    with pytest.raises(ValidationError, match="must not be the username"):
        accounts.change_own_password(protected.alice, "alice-temporary", "ALICE   ")
    accounts.change_own_password(protected.alice, "alice-temporary", "a new password")
    signed = accounts.sign_in("alice", "a new password")
    assert not signed.must_set_password
    clock.advance(timedelta(minutes=1))
    with pytest.raises(SignInRefused):
        accounts.sign_in("alice", "alice-temporary")


def test_an_admin_reset_gives_a_temporary_password_to_change_at_once(accounts, protected):
    signed = accounts.sign_in("alice", "alice-temporary")
    assert signed.must_set_password
    for refused in (protected.supervisor, protected.bob):
        with pytest.raises(PermissionDenied, match="Only an admin can reset another member's password"):
            accounts.reset_password(refused, protected.alice, "whatever123")
    with pytest.raises(ValidationError, match="temporary_password: must be at least"):
        accounts.reset_password(protected.admin, protected.alice, "short")
    accounts.change_own_password(protected.alice, "alice-temporary", "alice's own one")
    assert not accounts.sign_in("alice", "alice's own one").must_set_password


def test_passwords_never_reach_the_audit_log_or_the_table(accounts, protected):
    accounts.change_own_password(protected.alice, "alice-temporary", "a secret phrase")
    texts = [" ".join((r.before, r.after, r.reason)) for r in AuditRecord.select()]
    assert not any(secret in text for text in texts
                   for secret in ("a secret phrase", "alice-temporary", ADMIN_PASSWORD))
    stored = TeamMemberRecord.get_by_id(protected.alice).password_hash
    assert stored.startswith("$argon2id$") and "secret" not in stored


def test_the_first_admin_is_created_with_a_password(services, clock):
    accounts = AccountService(services.context, FAST_HASHER)
    admin = accounts.create_account(None, "ada", "Ada Admin", role="admin", password=ADMIN_PASSWORD)
    assert admin.role == "admin" and admin.has_password
    assert accounts.passwords_required()
    assert not accounts.sign_in("ada", ADMIN_PASSWORD).must_set_password
    # Created by an admin, a member must change the password they were given.
    bob = accounts.create_account(admin.id, "bob", "Bob Agent", password="bob-temporary")
    assert accounts.sign_in("bob", "bob-temporary").must_set_password
    with pytest.raises(ValidationError, match="password: must be at least"):
        accounts.create_account(admin.id, "cy", "Cy", password="short")
    assert services.team.find_member("cy") is None  # nothing half-written
    with pytest.raises(PermissionDenied, match="Only a supervisor or admin can add team members"):
        accounts.create_account(bob.id, "dee", "Dee", password="dee-password")
