"""Clients abroad: place, local time, public holidays of any country, holiday cover arrangements."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from desktop_helpdesk.domain.abroad import ClientPlace, PlaceError, checked_place, public_holiday
from desktop_helpdesk.domain.clock import ManualClock
from desktop_helpdesk.services.contacts import NewClient
from desktop_helpdesk.services.errors import PermissionDenied, ValidationError
from desktop_helpdesk.storage.records import AuditRecord
from tests.conftest import halifax
from tests.services.conftest import table_counts

pytestmark = pytest.mark.usefixtures("engine")


@pytest.fixture
def clock():
    # 24 Dec 2026 20:00 in Halifax is already 25 Dec 01:00 in Berlin.
    return ManualClock(halifax(2026, 12, 24, 20, 0))


@pytest.fixture
def berlin_client(services, team):
    client = services.contacts.create_client(team.admin, NewClient("Lernwerk GmbH"))
    services.abroad.set_client_place(team.supervisor, client.id, country="de", region="by",
                                     time_zone="Europe/Berlin")
    return client


def test_domain_knows_any_countrys_holidays_and_refuses_unknown_places():
    assert public_holiday(ClientPlace("DE", "BY"), date(2026, 1, 6)) == "Epiphany"
    assert public_holiday(ClientPlace("DE", "BE"), date(2026, 1, 6)) == ""  # not in Berlin
    assert public_holiday(ClientPlace("JP"), date(2026, 1, 1)) == "New Year's Day"
    assert public_holiday(ClientPlace(), date(2026, 1, 1)) == ""
    for args, field in ((("XX", "", ""), "country"), (("DE", "ZZ", ""), "region"),
                        (("", "BY", ""), "region"), (("DE", "", "Mars/Olympus"), "time_zone")):
        with pytest.raises(PlaceError) as bad:
            checked_place(*args)
        assert bad.value.field == field


def test_client_place_is_audited_and_agents_are_refused(services, team, berlin_client):
    assert services.abroad.client_place(berlin_client.id) == ClientPlace("DE", "BY", "Europe/Berlin")
    rows = [(r.field, r.after) for r in AuditRecord.select().where(
        AuditRecord.entity == "client", AuditRecord.action == "client_updated")]
    assert rows == [("country", "DE"), ("region", "BY"), ("time_zone", "Europe/Berlin")]
    before = table_counts()
    with pytest.raises(PermissionDenied, match="edit client organisations"):
        services.abroad.set_client_place(team.alice, berlin_client.id, country="FR")
    with pytest.raises(ValidationError) as bad:
        services.abroad.set_client_place(team.admin, berlin_client.id, country="DE", time_zone="Berlin")
    assert bad.value.field == "time_zone"
    assert table_counts() == before


def test_situation_uses_the_clients_own_date_and_shows_cover(services, team, berlin_client, clock):
    situation = services.abroad.situation(berlin_client.id)
    assert situation.local_time == datetime(2026, 12, 25, 1, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert situation.holiday == "Christmas Day"
    assert situation.text() == "Fri 01:00 CET in Germany (BY) — public holiday there: Christmas Day"

    with pytest.raises(PermissionDenied):
        services.abroad.add_arrangement(team.alice, country="DE", starts_on=date(2026, 12, 24),
                                        ends_on=date(2026, 12, 26), covered_by="Anna")
    with pytest.raises(ValidationError) as backwards:
        services.abroad.add_arrangement(team.admin, country="DE", starts_on=date(2026, 12, 26),
                                        ends_on=date(2026, 12, 24), covered_by="Anna")
    assert backwards.value.field == "ends_on"
    cover = services.abroad.add_arrangement(
        team.admin, country="DE", starts_on=date(2026, 12, 24), ends_on=date(2026, 12, 26),
        covered_by="Anna Schmidt (Lernpartner)", how_to_reach="+49 89 555 0100")
    services.abroad.add_arrangement(team.admin, country="DE", region="BE", starts_on=date(2026, 12, 24),
                                    ends_on=date(2026, 12, 26), covered_by="Berlin office")
    services.abroad.add_arrangement(team.admin, country="FR", starts_on=date(2026, 12, 24),
                                    ends_on=date(2026, 12, 24), covered_by="Paris office")
    situation = services.abroad.situation(berlin_client.id)
    assert [a.covered_by for a in situation.arrangements] == ["Anna Schmidt (Lernpartner)"]
    assert situation.text().endswith("holiday cover: Anna Schmidt (Lernpartner) (+49 89 555 0100)")
    assert [a.covered_by for a in services.abroad.arrangements_now()] == [
        "Anna Schmidt (Lernpartner)", "Berlin office", "Paris office"]
    assert cover.summary() == "Germany 24 Dec–26 Dec: covered by Anna Schmidt (Lernpartner), +49 89 555 0100"

    clock.advance(timedelta(days=3))  # 27 Dec: over
    assert services.abroad.arrangements_now() == []
    assert services.abroad.situation(berlin_client.id).holiday == ""
    services.abroad.withdraw_arrangement(team.admin, cover.id)
    assert [a.id for a in services.abroad.list_arrangements()] and cover.id not in [
        a.id for a in services.abroad.list_arrangements()]


def test_a_client_without_a_place_says_nothing(services, team):
    client = services.contacts.create_client(team.admin, NewClient("Acme Learning"))
    situation = services.abroad.situation(client.id)
    assert situation.text() == "" and situation.holiday == "" and situation.local_time is None
