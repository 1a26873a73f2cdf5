"""Search: similar resolved cases (bm25) and the case search box."""

import pytest

from desktop_helpdesk.services import search
from desktop_helpdesk.services.search import search_terms
from tests.services.conftest import caller

pytestmark = pytest.mark.usefixtures("engine")


def log(services, actor, subject, description=""):
    return services.cases.log_case(actor, subject=subject, description=description, channel="email",
                                   new_contact=caller())


def test_similar_cases_are_resolved_ones_ranked_by_relevance(services, team):
    sso = log(services, team.alice, "SSO login fails for learners", "Certificate expired on the IdP")
    services.cases.resolve(team.alice, sso.id, summary="Renewed the SSO certificate", told_via="email")
    video = log(services, team.alice, "Video lessons buffer", "Slow video on the office network")
    services.cases.resolve(team.alice, video.id, summary="Client IT opened the CDN", told_via="phone")
    login_video = log(services, team.alice, "Login page video background", "Cosmetic")
    services.cases.resolve(team.alice, login_video.id, summary="Replaced the video", told_via="email")
    still_open = log(services, team.alice, "SSO login fails again", "Certificate")

    similar = search.similar_resolved_cases("Learners cannot login with SSO", limit=5)
    assert [c.id for c in similar][:1] == [sso.id]
    assert still_open.id not in [c.id for c in similar]
    assert video.id not in [c.id for c in similar]  # no word in common
    assert similar[0].resolution_summary == "Renewed the SSO certificate"
    assert similar[0].score >= similar[-1].score
    assert search.similar_resolved_cases("the and of") == []
    assert [c.id for c in search.similar_resolved_cases("SSO", exclude_case_id=sso.id)] == []


def test_search_box_matches_every_word_as_a_prefix_in_any_status(services, team):
    first = log(services, team.alice, "Quiz engine exports wrong totals")
    second = log(services, team.alice, "Quiz timer stops")
    services.cases.add_interaction(team.alice, second.id, channel="phone", direction="outbound",
                                   summary="Client uses Safari 12")
    assert sorted(search.search_case_ids("quiz")) == sorted([first.id, second.id])
    assert search.search_case_ids("quiz saf") == [second.id]  # interaction text is indexed
    assert search.search_case_ids("export tot") == [first.id]
    assert search.search_case_ids('"; DROP TABLE case; --') == []
    assert search.search_case_ids("quiz", limit=1) in ([first.id], [second.id])


def test_search_terms_drop_noise_and_punctuation():
    assert search_terms("Hi, the LMS (v2) won't load!!") == ["lms", "v2", "won", "load"]


def test_unranked_search_returns_newest_cases_first(services, team):
    older = log(services, team.alice, "Quiz engine exports wrong totals", "quiz quiz quiz")
    newer = log(services, team.alice, "Quiz timer stops")
    assert search.search_case_ids("quiz", ranked=False) == [newer.id, older.id]
    assert search.search_case_ids("quiz", limit=1, ranked=False) == [newer.id]
