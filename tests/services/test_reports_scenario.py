"""A small, fully hand-reasoned desk history that the report and export tests check figures against.

Dates are November 2026 in Halifax (AST, UTC-4 after 1 Nov; Remembrance Day, Wed 11 Nov, is a
holiday but outside the weeks used). Business hours 08:00-16:30 Mon-Fri. Budgets: acknowledge
2 h; respond High 4 h / Medium 8.5 h; resolve High 8.5 h / Medium 25.5 h (business time).

Cases (``as_of`` for the reports: Wed 25 Nov 09:00):

A  High,   phone, Alice, Acme.    Received Mon 16 Nov 09:00. Due: ack 11:00, respond 13:00,
   resolve Tue 17 09:00 (7.5 h Mon + 1 h Tue). Met: ack 09:00 (live call, 0 h), respond 12:00
   (3 h), resolve 16:00 (7 h) - all on time. Closed Tue 17 09:00.
B  Medium, email, Bob,   Acme.    Received Mon 16 Nov 15:00. Due: ack Tue 08:30 (1.5 + 0.5),
   respond Tue 15:00 (1.5 + 7), resolve Thu 19 15:00 (1.5+8.5+8.5+7) pushed by a 4 h pause
   (Tue 10:00-14:00) to Fri 20 10:30. Met: ack Mon 20:00 (after hours: on time, 1.5 h),
   respond Tue 16:00 (late by 1 h; 9.5 h), resolve Wed 18 10:00 (on time; 12 h - 4 h = 8 h).
C  High,   email, Alice, Globex.  Received Tue 17 Nov 07:00 (clock starts 08:00). Due: ack
   10:00, respond 12:00, resolve 16:30. Met: ack 10:30 (late; 2.5 h). Respond, resolve unmet
   (breached). Escalated to "Network team" Tue 11:00, answered 15:00 (4 h); escalated again
   to "Globex IT" (client IT) Mon 23 10:00, unanswered (6.5 + 8.5 + 1 = 16 h by Wed 09:00).
D  Medium, phone, nobody, Globex. Received Wed 25 Nov 08:30 (a voicemail, not acknowledged).
   Due: ack 10:30, respond Thu 26 08:30, resolve Mon 30 08:30. All still open at 09:00.
   Its only interaction is the inbound voicemail transcript (an inbound email meets nothing).
E  Medium, email, Bob,   Initech. Received Fri 20 Nov 16:00. Due: ack Mon 23 09:30 (0.5+1.5),
   respond Mon 23 16:00 (0.5+8), resolve Wed 25 16:00 (0.5+8.5+8.5+8). Met: ack Mon 09:45
   (late; 2.25 h), respond Mon 16:00 (exactly due: on time; 8.5 h). Waiting on client since
   Tue 24 14:00 (resolution clock paused; 3.5 business hours by Wed 09:00).
F  Medium, email, Alice, Acme.    Received Fri 30 Oct 10:00 (ADT, UTC-3), outside the
   November ranges. Ack 10:30, respond 11:00; resolve due Wed 4 Nov 10:00 (6.5+8.5+8.5+2):
   unmet, so overdue. Still in progress.

Logged in time order, so the numbers are F 2026-00001, A 00002, B 00003, C 00004, E 00005,
D 00006. Resolving writes an outbound interaction "Resolution: ..." at the resolve instant.

Team: Alice (agent, available), Bob (agent, away), Sue (admin, available, takes no cases).
Clients: Acme (account manager Maria), Globex (Tom), Initech (Maria).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from desktop_helpdesk.domain.clock import ManualClock
from desktop_helpdesk.domain.policy import DEFAULT_POLICY
from desktop_helpdesk.domain.sla import Target, default_calendar, due_instants
from desktop_helpdesk.services.contacts import NewClient
from desktop_helpdesk.services.container import Services
from desktop_helpdesk.storage.records import CaseRecord
from tests.conftest import halifax

AS_OF = halifax(2026, 11, 25, 9, 0)


@dataclass(frozen=True)
class Scenario:
    """Ids of what the scenario wrote."""

    alice: int
    bob: int
    sue: int
    acme: int
    globex: int
    initech: int
    cases: dict[str, int]


# Hand-computed stored instants per case: received, due (ack, respond, resolve), met (same).
CASES = {
    "A": dict(priority="high", channel="phone", member="alice", client="acme", status="closed",
              received=halifax(2026, 11, 16, 9, 0),
              due=(halifax(2026, 11, 16, 11, 0), halifax(2026, 11, 16, 13, 0),
                   halifax(2026, 11, 17, 9, 0)),
              met=(halifax(2026, 11, 16, 9, 0), halifax(2026, 11, 16, 12, 0),
                   halifax(2026, 11, 16, 16, 0)),
              closed=halifax(2026, 11, 17, 9, 0)),
    "B": dict(priority="medium", channel="email", member="bob", client="acme", status="resolved",
              received=halifax(2026, 11, 16, 15, 0),
              due=(halifax(2026, 11, 17, 8, 30), halifax(2026, 11, 17, 15, 0),
                   halifax(2026, 11, 20, 10, 30)),
              met=(halifax(2026, 11, 16, 20, 0), halifax(2026, 11, 17, 16, 0),
                   halifax(2026, 11, 18, 10, 0))),
    "C": dict(priority="high", channel="email", member="alice", client="globex", status="escalated",
              received=halifax(2026, 11, 17, 7, 0),
              due=(halifax(2026, 11, 17, 10, 0), halifax(2026, 11, 17, 12, 0),
                   halifax(2026, 11, 17, 16, 30)),
              met=(halifax(2026, 11, 17, 10, 30), None, None)),
    "D": dict(priority="medium", channel="phone", member=None, client="globex", status="new",
              received=halifax(2026, 11, 25, 8, 30),
              due=(halifax(2026, 11, 25, 10, 30), halifax(2026, 11, 26, 8, 30),
                   halifax(2026, 11, 30, 8, 30)),
              met=(None, None, None)),
    "E": dict(priority="medium", channel="email", member="bob", client="initech",
              status="waiting_on_client",
              received=halifax(2026, 11, 20, 16, 0),
              due=(halifax(2026, 11, 23, 9, 30), halifax(2026, 11, 23, 16, 0),
                   halifax(2026, 11, 25, 16, 0)),
              met=(halifax(2026, 11, 23, 9, 45), halifax(2026, 11, 23, 16, 0), None),
              paused=halifax(2026, 11, 24, 14, 0)),
    "F": dict(priority="medium", channel="email", member="alice", client="acme",
              status="in_progress",
              received=halifax(2026, 10, 30, 10, 0),
              due=(halifax(2026, 10, 30, 12, 0), halifax(2026, 11, 2, 10, 0),
                   halifax(2026, 11, 4, 10, 0)),
              met=(halifax(2026, 10, 30, 10, 30), halifax(2026, 10, 30, 11, 0), None)),
}

def utc(instant: datetime | None) -> datetime | None:
    return None if instant is None else instant.astimezone(UTC)


def build_scenario(clock: ManualClock | None = None) -> Scenario:
    """Play the scenario through the lifecycle services, moving a manual clock through time.

    Each case is logged at its receipt instant and handed to its member by a supervisor
    reassignment (the automatic choice is not what this scenario is about). The clock ends at
    ``AS_OF``.
    """
    clock = clock or ManualClock(halifax(2026, 10, 1, 9, 0))
    services = Services.create(clock)
    cases, team, contacts = services.cases, services.team, services.contacts

    def at(instant: datetime) -> None:
        clock.set(instant)

    at(halifax(2026, 10, 1, 9, 0))
    sue = team.bootstrap_admin("sue", "Sue").id
    team.update_member(sue, sue, can_take_cases=False)
    alice = team.add_member(sue, "alice", "Alice").id
    bob = team.add_member(sue, "bob", "Bob").id
    clients = {
        key: contacts.create_client(sue, NewClient(name, account_manager=manager)).id
        for key, name, manager in [
            ("acme", "Acme Ltd", "Maria"), ("globex", "Globex", "Tom"), ("initech", "Initech", "Maria"),
        ]
    }
    people = {
        key: contacts.create_contact(sue, client_id, f"Contact at {key}").contact_id
        for key, client_id in clients.items()
    }
    owner = {"alice": alice, "bob": bob, None: None}
    ids: dict[str, int] = {}

    def log(key: str, live_call: bool = True) -> int:
        spec = CASES[key]
        at(spec["received"])
        logged = cases.log_case(
            sue, subject=f"Case {key}", channel=spec["channel"],
            requested_priority=spec["priority"], contact_id=people[spec["client"]],
            live_call=live_call,
        )
        cases.reassign(sue, logged.id, owner[spec["member"]], reason="Scenario owner")
        ids[key] = logged.id
        return logged.id

    def reply(key, instant, summary, *, ack_only=False, channel="email", direction="outbound"):
        at(instant)
        cases.add_interaction(sue, ids[key], channel=channel, direction=direction,
                              summary=summary, acknowledgement_only=ack_only)

    log("F")
    reply("F", halifax(2026, 10, 30, 10, 30), "We have your request", ack_only=True)
    reply("F", halifax(2026, 10, 30, 11, 0), "Working on the export bug")

    log("A")  # live call: acknowledged on logging
    reply("A", halifax(2026, 11, 16, 12, 0), "Called back with a workaround", channel="phone")
    at(halifax(2026, 11, 16, 16, 0))
    cases.resolve(sue, ids["A"], summary="cleared the spooler", told_via="email")
    log("B")
    reply("B", halifax(2026, 11, 16, 20, 0), "Received, we are on it", ack_only=True)

    log("C")
    reply("C", halifax(2026, 11, 17, 10, 30), "We are looking into the VPN", ack_only=True)
    at(halifax(2026, 11, 17, 9, 0))
    cases.close(sue, ids["A"])
    at(halifax(2026, 11, 17, 10, 0))
    cases.wait_on_client(sue, ids["B"], reason="Waiting for licence details")
    at(halifax(2026, 11, 17, 10, 30))
    at(halifax(2026, 11, 17, 11, 0))
    cases.escalate(sue, ids["C"], target_kind="internal_department", target_name="Network team",
                   reason="VPN concentrator")
    at(halifax(2026, 11, 17, 14, 0))
    cases.resume(sue, ids["B"], reason="Licence details received")
    at(halifax(2026, 11, 17, 15, 0))
    cases.de_escalate(sue, ids["C"], answer="Rebooted the concentrator")
    reply("B", halifax(2026, 11, 17, 16, 0), "New licence on its way")
    at(halifax(2026, 11, 18, 10, 0))
    cases.resolve(sue, ids["B"], summary="licence re-issued", told_via="email")
    reply("B", halifax(2026, 11, 19, 11, 0), "Follow-up note, not client facing",
          channel="note", direction="internal")

    log("E")
    reply("E", halifax(2026, 11, 23, 9, 45), "Received, we are on it", ack_only=True)
    at(halifax(2026, 11, 23, 10, 0))
    cases.escalate(sue, ids["C"], target_kind="client_it", target_name="Globex IT",
                   reason="Their firewall blocks the VPN")
    reply("E", halifax(2026, 11, 23, 16, 0), "Please send the error log")
    at(halifax(2026, 11, 24, 14, 0))
    cases.wait_on_client(sue, ids["E"], reason="Waiting for the error log")

    at(halifax(2026, 11, 25, 8, 15))
    team.set_availability(sue, bob, "away")
    log("D", live_call=False)  # a voicemail: not acknowledged by logging
    reply("D", halifax(2026, 11, 25, 8, 30), "Voicemail transcript: cannot log in",
          direction="inbound")
    at(AS_OF)
    return Scenario(alice, bob, sue, clients["acme"], clients["globex"], clients["initech"], ids)


def test_hand_computed_due_instants_match_the_domain_rules():
    """The scenario's due instants (reasoned by hand above) are what the lifecycle would store;
    B's resolve due is the domain's instant pushed by its 4 business hours of pause."""
    calendar = default_calendar()
    for key, spec in CASES.items():
        computed = due_instants(calendar, DEFAULT_POLICY, spec["received"], spec["priority"])
        expected = dict(zip((Target.ACKNOWLEDGE, Target.RESPOND, Target.RESOLVE), spec["due"],
                            strict=True))
        if key == "B":
            assert computed[Target.RESOLVE] == halifax(2026, 11, 19, 15, 0)
            expected[Target.RESOLVE] = halifax(2026, 11, 19, 15, 0)
        assert computed == expected, key


def test_the_services_store_the_hand_computed_instants(db):
    """Played through the lifecycle services, every stored due and met instant is the one
    reasoned by hand above (B's resolve due includes the 4 h pause)."""
    scenario = build_scenario()
    assert CaseRecord.select().count() == 6
    for key, spec in CASES.items():
        case = CaseRecord.get_by_id(scenario.cases[key])
        assert (case.received_at, case.effective_priority, case.channel, case.status) == (
            utc(spec["received"]), spec["priority"], spec["channel"], spec["status"]), key
        assert (case.acknowledge_due_at, case.respond_due_at, case.resolve_due_at) == tuple(
            utc(d) for d in spec["due"]), key
        assert (case.acknowledged_at, case.responded_at, case.resolved_at) == tuple(
            utc(m) for m in spec["met"]), key
        assert case.closed_at == utc(spec.get("closed")), key
        assert case.resolve_paused_at == utc(spec.get("paused")), key
