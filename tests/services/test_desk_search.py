"""What a desk agent types at intake: similar resolved cases by meaningful words, one per
problem, and caller names typed surname first."""

import pytest

from desktop_helpdesk.services import search
from tests.services.conftest import caller

pytestmark = pytest.mark.usefixtures("engine")


def resolved(services, actor, subject, description="", summary="Fixed"):
    case = services.cases.log_case(actor, subject=subject, description=description, channel="phone",
                                   new_contact=caller())
    services.cases.resolve(actor, case.id, summary=summary, told_via="phone")
    return case


def test_similar_cases_ignore_filler_words_and_list_each_problem_once(services, team):
    for _ in range(6):
        resolved(services, team.alice, "Printer jams on tray two", "Started since this morning")
    older_lms = resolved(services, team.alice, "LMS will not load", "Blank page", "Cleared the cache")
    newer_lms = resolved(services, team.alice, "LMS will not load", "Blank page", "Renewed the token")

    similar = search.similar_resolved_cases("The LMS will not load since this morning", limit=6)

    assert [c.id for c in similar] == [newer_lms.id]
    assert older_lms.id not in [c.id for c in similar]
    assert search.similar_resolved_cases("since this morning", limit=6) == []


def test_similar_cases_rank_cases_with_more_meaningful_words_first(services, team):
    quiz = resolved(services, team.alice, "Quiz engine exports wrong totals")
    export = resolved(services, team.alice, "Gradebook exports slow")
    similar = search.similar_resolved_cases("quiz exports totals", limit=5)
    assert [c.id for c in similar] == [quiz.id, export.id]
    assert similar[0].score > similar[1].score


def test_caller_names_typed_surname_first_are_found(services, team):
    services.cases.log_case(team.alice, subject="Login", channel="phone",
                            new_contact=caller(name="Chris Saulnier"))
    services.cases.log_case(team.alice, subject="Login", channel="phone",
                            new_contact=caller(name="Chris Doucet", email="cd@acme.example",
                                               phone="902 555 0199"))
    assert [m.name for m in services.contacts.find_contacts("Saulnier Chris")] == ["Chris Saulnier"]
    assert [m.name for m in services.contacts.find_contacts("saul ch")] == ["Chris Saulnier"]
    assert [m.name for m in services.contacts.find_contacts("Chris")] == ["Chris Doucet", "Chris Saulnier"]


def test_client_list_counts_open_cases_per_client(services, team):
    services.cases.log_case(team.alice, subject="One", channel="phone", new_contact=caller())
    done = resolved(services, team.alice, "Two")
    services.cases.log_case(team.alice, subject="Three", channel="phone",
                            new_contact=caller(name="Dan", email="dan@b.example", phone="902 555 7777",
                                               client_name="Bluenose College"))
    counts = {c.name: c.open_cases for c in services.contacts.list_clients()}
    assert counts == {"Acme Learning": 1, "Bluenose College": 1}
    assert done.id
