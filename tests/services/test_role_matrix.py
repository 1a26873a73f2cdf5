"""The role matrix: every guarded action in ``permissions.ACTIONS``, tried by an agent, a
supervisor and an admin, is refused in the service layer with the matrix's sentence exactly
when the matrix says so. An action registered without a scenario here fails the suite."""

from datetime import date
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from peewee import SqliteDatabase, fn

from desktop_helpdesk.services.accounts import AccountService
from desktop_helpdesk.services.audit_chain import AuditChainService, verify_chain
from desktop_helpdesk.services.audit_log import audit_page
from desktop_helpdesk.services.backups import BackupError, run_backup
from desktop_helpdesk.services.case_queries import FilterCriteria
from desktop_helpdesk.services.errors import PermissionDenied
from desktop_helpdesk.services.permissions import ACTIONS, Action, Actions, index_by_key
from desktop_helpdesk.services.phone_calls import PhoneCallService
from desktop_helpdesk.services.reporting.service import ReportService
from desktop_helpdesk.storage.db import database
from desktop_helpdesk.storage.records import CrmOutboxRecord
from tests.services.conftest import caller

pytestmark = pytest.mark.usefixtures("engine")

FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)


def _backup(s, actor, team, bob_case):
    # SQLite: the file; PostgreSQL: no file (the allowed roles are then pointed to pg_dump).
    path = Path(database.obj.database) if isinstance(database.obj, SqliteDatabase) else None
    try:
        run_backup(s.context, path, actor_id=actor, force=True)
    except BackupError as exc:
        assert path is None and "pg_dump" in str(exc)


# key -> (guards checked in order, what the actor tries). Each refused try changes nothing, so
# agent, supervisor and admin try in turn on the same data.
SCENARIOS = {
    "audit.read_team_log": ([Actions.READ_TEAM_AUDIT],
                            lambda s, a, t, c: audit_page(viewer_id=a)),
    "audit.verify": ([Actions.VERIFY_AUDIT],
                     lambda s, a, t, c: AuditChainService(s.context).verify(a)),
    "reports.view": ([Actions.SEE_REPORTS],
                     lambda s, a, t, c: ReportService(s.context, viewer_id=a)),
    "settings.change": ([Actions.CHANGE_SETTINGS],
                        lambda s, a, t, c: s.settings.update(a, due_soon_share=0.7)),
    "closures.manage": ([Actions.MANAGE_CLOSURES],
                        lambda s, a, t, c: s.settings.add_closure(a, date(2026, 12, 28 + a % 3), "Shut")),
    "team.add_member": ([Actions.ADD_MEMBER],
                        lambda s, a, t, c: s.team.add_member(a, f"new{a}", "New Agent")),
    "team.create_admin": ([Actions.ADD_MEMBER, Actions.CREATE_ADMIN],
                          lambda s, a, t, c: s.team.add_member(a, f"boss{a}", "Boss", role="admin")),
    "team.change_member": ([Actions.CHANGE_MEMBER],
                           lambda s, a, t, c: s.team.update_member(a, t.bob, can_take_cases=True)),
    "team.grant_admin": ([Actions.CHANGE_MEMBER, Actions.GRANT_ADMIN],
                         lambda s, a, t, c: s.team.update_member(a, t.bob, role="admin")),
    "team.change_availability": ([Actions.CHANGE_OTHERS_AVAILABILITY],
                                 lambda s, a, t, c: s.team.set_availability(a, t.bob, "available")),
    "team.redistribute": ([Actions.REDISTRIBUTE_OTHERS],
                          lambda s, a, t, c: s.team.redistribute_open_cases(a, t.bob)),
    "reassign_others_case": ([Actions.REASSIGN_OTHERS_CASE],
                             lambda s, a, t, c: s.cases.reassign(a, c, t.alice, reason="Alice knows it")),
    "bulk_reassign_others_case": ([Actions.BULK_REASSIGN_OTHERS_CASE],
                                  lambda s, a, t, c: s.cases.reassign(a, c, t.alice, reason="Bulk", bulk=True)),
    "hand_back_others_case": ([Actions.HAND_BACK_OTHERS_CASE], lambda s, a, t, c: _hand_back_bobs(s, a, t, c)),
    "merge_cases": ([Actions.MERGE_CASES], lambda s, a, t, c: _merge_two_cases(s, a, t)),
    "delete_others_shared_filter": ([Actions.DELETE_OTHERS_SHARED_FILTER],
                                    lambda s, a, t, c: s.saved_filters.delete_filter(a, s.saved_filters.save_filter(
                                        t.bob, f"Team view {a}", FilterCriteria(channel="email"), shared=True).id)),
    "manage_categories": ([Actions.MANAGE_CATEGORIES],
                          lambda s, a, t, c: s.categories.add_category(a, f"Category {a}")),
    "move_contacts": ([Actions.MOVE_CONTACTS], lambda s, a, t, c: _move_a_contact(s, a, t, c)),
    "merge_contacts": ([Actions.MERGE_CONTACTS], lambda s, a, t, c: _merge_two_contacts(s, a, t)),
    "edit_clients": ([Actions.EDIT_CLIENTS],
                     lambda s, a, t, c: s.contact_editing.update_client(
                         a, s.cases.get_case(c).client_id, name="Acme Learning", notes=f"By {a}")),
    "manage_holiday_arrangements": ([Actions.MANAGE_HOLIDAY_ARRANGEMENTS],
                                    lambda s, a, t, c: s.abroad.add_arrangement(
                                        a, country="FR", starts_on=date(2026, 12, 24 + a % 3),
                                        ends_on=date(2026, 12, 27 + a % 3), covered_by="Sam")),
    "accounts.reset_password": ([Actions.RESET_PASSWORD],
                                lambda s, a, t, c: AccountService(s.context, FAST_HASHER)
                                .reset_password(a, t.bob, "temporary-pass")),
    "accounts.unlock": ([Actions.UNLOCK_ACCOUNT],
                        lambda s, a, t, c: AccountService(s.context, FAST_HASHER).unlock(a, t.bob)),
    "accounts.change_own_password": ([Actions.CHANGE_OWN_PASSWORD],
                                     lambda s, a, t, c: AccountService(s.context, FAST_HASHER)
                                     .change_own_password(a, None, f"own password {a}")),
    "backups.run": ([Actions.RUN_BACKUP], _backup),
    "deliveries.retry": ([Actions.RETRY_DELIVERIES],
                         lambda s, a, t, c: s.deliveries.retry_now(a, "crm", _waiting_crm_event(s, t, a))),
    "deliveries.skip": ([Actions.SKIP_DELIVERIES],
                        lambda s, a, t, c: s.deliveries.skip(a, "crm", _waiting_crm_event(s, t, a), "Sent by hand")),
    "calls.end_others": ([Actions.END_OTHERS_CALL], lambda s, a, t, c: _cancel_bobs_call(s, a, t, c)),
    "email_templates.edit": ([Actions.EDIT_EMAIL_TEMPLATES],
                             lambda s, a, t, c: s.email_templates.save_template(
                                 a, "acknowledgement", f"Dear {{contact_name}}, case {{case_number}} ({a})")),
    "canned_replies.manage_team": ([Actions.MANAGE_TEAM_CANNED_REPLIES],
                                   lambda s, a, t, c: s.canned_replies.add(
                                       a, f"Team answer {a}", "Hello {contact_first_name}", shared=True)),
}


def _new_case(s, team, n):
    # Each a caller of their own (a different phone and email) at the same client.
    return s.cases.log_case(team.bob, subject=f"Case {n}", channel="phone", new_contact=caller(
        email=f"c{n}@acme.example", name=f"Caller {n}", phone=f"902 555 {n:04d}")).id


def _hand_back_bobs(s, actor, team, bob_case):
    s.cases.reassign(team.admin, bob_case, team.bob, reason="Back to Bob")
    s.cases.hand_back(actor, bob_case, reason="Someone else should take it")


def _merge_two_cases(s, actor, team):
    duplicate, survivor = _new_case(s, team, 100 + actor), _new_case(s, team, 200 + actor)
    s.cases.merge_cases(actor, duplicate, survivor, reason="Same problem")


def _move_a_contact(s, actor, team, bob_case):
    moving = s.cases.log_case(team.bob, subject="Mover", channel="phone", new_contact=caller(
        email=f"mover{actor}@other.example", phone=f"902 555 {500 + actor:04d}",
        client_name=f"Other {actor}"))
    s.contact_editing.move_contact(actor, moving.contact_id, s.cases.get_case(bob_case).client_id,
                                   reason="Changed employer")


def _merge_two_contacts(s, actor, team):
    first = s.cases.get_case(_new_case(s, team, 300 + actor)).contact_id
    second = s.cases.get_case(_new_case(s, team, 400 + actor)).contact_id
    s.contact_editing.merge_contacts(actor, first, second, reason="Same person")


def _waiting_crm_event(s, team, actor):
    # A new case queues a CRM event that waits for delivery.
    _new_case(s, team, 600 + actor)
    return CrmOutboxRecord.select(fn.MAX(CrmOutboxRecord.id)).scalar()


def _cancel_bobs_call(s, actor, team, bob_case):
    calls = PhoneCallService(s.context, s.cases, s.contacts)
    call = calls.start_outbound_call(team.bob, bob_case, "+1 902 555 0100")
    calls.cancel_outbound_call(actor, call.id)


def test_every_guarded_action_has_a_scenario():
    assert set(SCENARIOS) == set(ACTIONS), "add a scenario for each newly guarded action"


def test_every_row_of_the_matrix_is_indexed_by_its_own_key():
    rows = [value for value in vars(Actions).values() if isinstance(value, Action)]
    assert sorted(action.key for action in rows) == sorted(ACTIONS)
    assert all(ACTIONS[action.key] is action for action in rows)

    class DeclaredTwice:
        FIRST = Action("cases.same", "do one thing", frozenset())
        SECOND = Action("cases.same", "do another thing", frozenset())

    with pytest.raises(ValueError, match="cases.same"):
        index_by_key(DeclaredTwice)


@pytest.mark.parametrize("key", sorted(SCENARIOS))
def test_each_role_is_refused_exactly_where_the_matrix_says(services, team, key):
    guards, attempt = SCENARIOS[key]
    assert guards[-1] is ACTIONS[key]
    bob_case = services.cases.log_case(team.bob, subject="Bob's case", channel="phone",
                                       new_contact=caller()).id
    services.cases.reassign(team.admin, bob_case, team.bob, reason="Bob's case")
    for role, actor in (("agent", team.alice), ("supervisor", team.supervisor), ("admin", team.admin)):
        lacking = next((guard for guard in guards if not guard.allows(role)), None)
        if lacking is None:
            attempt(services, actor, team, bob_case)
            continue
        with pytest.raises(PermissionDenied) as refused:
            attempt(services, actor, team, bob_case)
        assert str(refused.value) == lacking.refusal(), f"{role} trying {key}"
    # Whatever the actions wrote to the audit log went through the hash chain.
    report = verify_chain(services.context.now())
    assert report.ok, report.summary()
