"""The case list's read side against a real SQLite file: queues, sorting, search, counts, changes."""

from datetime import timedelta

import pytest

from desktop_helpdesk.services.case_queries import (
    CaseColumn,
    CaseFilter,
    CaseQueries,
    Queue,
    breach_cutoff,
)
from tests.conftest import halifax
from tests.services.conftest import caller

# Every query runs on a SQLite file and again on PostgreSQL (skipped when no server starts).
pytestmark = pytest.mark.usefixtures("engine")


@pytest.fixture
def queries(services):
    return CaseQueries(services.context)


def log(services, team, subject, *, channel="email", priority="medium", **contact):
    return services.cases.log_case(
        team.admin,
        subject=subject,
        channel=channel,
        requested_priority=priority,
        new_contact=caller(**contact) if contact else caller(),
    )


def test_my_cases_and_all_open_hold_the_right_ids_in_next_due_order(services, team, queries, clock):
    first = log(services, team, "Printer offline")
    clock.advance(timedelta(minutes=5))
    second = log(services, team, "Course will not load", priority="high")
    now = clock.now()

    all_open = queries.ids(CaseFilter(Queue.ALL_OPEN), CaseColumn.NEXT_DUE, False, now)
    mine = queries.ids(CaseFilter(Queue.MY_CASES, member_id=first.assignee_id), now=now)

    assert set(all_open) == {first.id, second.id}
    assert mine == [first.id]
    # Both are emails: acknowledgement due 2 business hours after receipt, first one first.
    assert all_open == [first.id, second.id]
    assert queries.ids(CaseFilter(Queue.ALL_OPEN), CaseColumn.NEXT_DUE, True, now) == [second.id, first.id]


def test_sort_by_client_and_priority_runs_in_sql(services, team, queries, clock):
    zed = log(services, team, "A", name="Zed", email="z@zeta.example", phone="", client_name="Zeta Corp")
    abe = log(services, team, "B", name="Abe", email="a@alpha.example", phone="", client_name="Alpha Inc")
    high = log(services, team, "C", priority="high", name="Hal", email="h@alpha.example", phone="",
               client_name="Alpha Inc")

    by_client = queries.ids(CaseFilter(Queue.ALL_OPEN), CaseColumn.CLIENT, False, clock.now())
    by_priority = queries.ids(CaseFilter(Queue.ALL_OPEN), CaseColumn.PRIORITY, False, clock.now())

    assert by_client == [abe.id, high.id, zed.id]
    # The history queues take the other query shape (sort index first); it must sort too.
    for case in (zed, abe):
        services.cases.resolve(team.admin, case.id, summary="Fixed", told_via="email")
    resolved = queries.ids(CaseFilter(Queue.RESOLVED), CaseColumn.CLIENT, True, clock.now())
    assert resolved == [zed.id, abe.id]
    assert queries.ids(CaseFilter(Queue.RESOLVED), CaseColumn.ASSIGNEE, False, clock.now())
    assert by_priority[0] == high.id  # "high" sorts before "medium"


def test_rows_come_back_in_the_order_asked_with_names(services, team, queries):
    a = log(services, team, "Printer offline")
    b = log(services, team, "Login fails")

    rows = queries.rows([b.id, a.id, 999_999])

    assert [row.id for row in rows] == [b.id, a.id]
    assert rows[0].client_name == "Acme Learning"
    assert rows[0].contact_name == "Carol Client"
    assert rows[0].assignee_name in ("Alice Agent", "Bob Agent")
    assert rows[0].received_at.tzinfo is not None
    assert rows[0].next_target().value == "acknowledge"


def test_overdue_uses_business_time_at_twenty_hundred(services, team, queries, clock):
    # Email at 14:30 Wednesday: acknowledgement due 16:30 the same day.
    clock.set(halifax(2026, 11, 25, 14, 30))
    case = log(services, team, "Slow reports")

    clock.set(halifax(2026, 11, 25, 20, 0))
    evening = clock.now()
    assert queries.ids(CaseFilter(Queue.OVERDUE), now=evening) == []
    assert queries.ids(CaseFilter(Queue.DUE_SOON), now=evening) == [case.id]

    clock.set(halifax(2026, 11, 26, 8, 1))
    assert queries.ids(CaseFilter(Queue.OVERDUE), now=clock.now()) == [case.id]
    assert queries.ids(CaseFilter(Queue.DUE_SOON), now=clock.now()) == []


def test_breach_cutoff_is_the_last_closing_outside_hours(services):
    calendar = services.context.calendar
    assert breach_cutoff(calendar, halifax(2026, 11, 25, 20, 0)) == halifax(2026, 11, 25, 16, 30)
    assert breach_cutoff(calendar, halifax(2026, 11, 28, 10, 0)) == halifax(2026, 11, 27, 16, 30)
    assert breach_cutoff(calendar, halifax(2026, 11, 25, 10, 0)) == halifax(2026, 11, 25, 10, 0)


def test_due_soon_after_three_quarters_of_the_acknowledgement_budget(services, team, queries, clock):
    case = log(services, team, "Course will not load")  # 09:00, ack due 11:00
    clock.advance(timedelta(minutes=89))
    assert queries.ids(CaseFilter(Queue.DUE_SOON), now=clock.now()) == []
    clock.advance(timedelta(minutes=2))
    assert queries.ids(CaseFilter(Queue.DUE_SOON), now=clock.now()) == [case.id]


def test_search_finds_number_client_contact_and_text_across_statuses(services, team, queries, clock):
    case = log(services, team, "Certificate template broken", name="Dana Scully",
               email="dana@fbi.example", phone="902 555 7788", client_name="Bureau Training")
    other = log(services, team, "Password reset")

    def found(text):
        return queries.ids(CaseFilter(Queue.MY_CASES, search=text, member_id=None), now=clock.now())

    assert found(case.number) == [case.id]
    assert found(case.number.split("-")[1].lstrip("0")) == [case.id]  # "1" finds 2026-00001
    assert found("bureau") == [case.id]
    assert found("scully") == [case.id]
    assert found("5557788") == [case.id]
    assert found("certif") == [case.id]
    assert found("password") == [other.id]
    assert found("nothing-like-this") == []


def test_number_typed_at_new_year_uses_the_desk_year(services, team, queries, clock):
    # 21:00 on 31 December in Halifax is already 1 January in UTC; numbering and search both
    # use the desk's year, so the number read to the caller finds the case.
    clock.set(halifax(2026, 12, 31, 21, 0))
    case = log(services, team, "Year-end backup failed")
    assert case.number == "2026-00001"

    def found(text):
        return queries.ids(CaseFilter(Queue.ALL_OPEN, search=text), now=clock.now())

    assert found("2026-00001") == found("2026-1") == found(" 1 ") == [case.id]
    assert found("2027-1") == [] and found("0") == []


def test_queue_counts_and_status_queues(services, team, queries, clock):
    first = log(services, team, "Printer offline")
    log(services, team, "Login fails")
    services.cases.wait_on_client(team.admin, first.id, reason="needs a screenshot")

    counts = queries.queue_counts(first.assignee_id, clock.now())

    assert counts[Queue.ALL_OPEN] == 2
    assert counts[Queue.WAITING_ON_CLIENT] == 1
    assert counts[Queue.MY_CASES] == 1
    assert counts[Queue.CLOSED] == 0
    assert set(counts) == set(Queue)
    assert queries.ids(CaseFilter(Queue.WAITING_ON_CLIENT)) == [first.id]


def test_changes_since_reports_each_change_once(services, team, queries, clock):
    first = log(services, team, "Printer offline")
    cursor = queries.initial_cursor()
    assert queries.changes_since(cursor)[0] == []

    clock.advance(timedelta(seconds=1))
    services.cases.add_interaction(team.admin, first.id, channel="phone", direction="outbound",
                                   summary="Called back")
    changed, may_have_changed, cursor = queries.changes_since(cursor)
    assert changed == [first.id]
    assert may_have_changed

    second = log(services, team, "Another")  # the same instant as the call-back: still seen
    changed, _, cursor = queries.changes_since(cursor)
    assert changed == [second.id]
    assert queries.changes_since(cursor) == ([], False, cursor)


def test_unassigned_queue_when_nobody_is_available(services, team, queries, clock):
    for member in (team.alice, team.bob):
        services.team.set_availability(team.admin, member, "away")
    case = log(services, team, "Nobody here")
    assert queries.ids(CaseFilter(Queue.UNASSIGNED), now=clock.now()) == [case.id]


def test_a_whole_case_number_finds_that_case_only(services, team, queries, clock):
    case = log(services, team, "Printer offline")
    clock.advance(timedelta(minutes=1))
    mention = log(services, team, f"Same printer as {case.number}")

    def found(text):
        return queries.ids(CaseFilter(search=text), now=clock.now())

    assert found(case.number) == [case.id]  # read out on the phone: that case, nothing else
    # Not a case number that exists: the ordinary search (here, a client named with it).
    missing = f"{case.number[:4]}-99999"
    lab = log(services, team, "Kiosk", name="Lab Tech", email="tech@lab.example", phone="",
              client_name=f"Lab {missing}")
    assert found(missing) == [lab.id]
    assert set(found(case.number.split("-")[1])) >= {case.id}
    assert mention.id in found("same printer")


def test_cached_statements_keep_each_members_queue_and_order(services, team, queries, clock):
    first = log(services, team, "Printer offline")
    clock.advance(timedelta(minutes=5))
    second = log(services, team, "Course will not load")
    services.cases.reassign(team.admin, second.id, team.bob, reason="bob knows the course")
    services.cases.reassign(team.admin, first.id, team.alice, reason="alice has room")
    now = clock.now()
    for _ in range(2):  # the second round runs the cached statements
        for member, case in ((team.alice, first), (team.bob, second)):
            assert queries.ids(CaseFilter(Queue.MY_CASES, member_id=member), now=now) == [case.id]
        assert queries.ids(CaseFilter(Queue.ALL_OPEN), CaseColumn.NUMBER, True, now) == [
            second.id, first.id]
    # A row read after a change shows the change (rows are never cached, only statements).
    assert [row.subject for row in queries.rows([second.id, first.id])] == [
        "Course will not load", "Printer offline"]
