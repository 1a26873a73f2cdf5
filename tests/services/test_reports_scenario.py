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
   (breached). Escalated to "Network team" Tue 11:00, answered 15:00 (4 h).
D  Medium, phone, nobody, Globex. Received Wed 25 Nov 08:30 (a voicemail, not acknowledged).
   Due: ack 10:30, respond Thu 26 08:30, resolve Mon 30 08:30. All still open at 09:00.
E  Medium, email, Bob,   Initech. Received Fri 20 Nov 16:00. Due: ack Mon 23 09:30 (0.5+1.5),
   respond Mon 23 16:00 (0.5+8), resolve Wed 25 16:00 (0.5+8.5+8.5+8). Met: ack Mon 09:45
   (late; 2.25 h), respond Mon 16:00 (exactly due: on time; 8.5 h). Waiting on client since
   Tue 24 14:00 (resolution clock paused; 3.5 business hours by Wed 09:00).
F  Medium, email, Alice, Acme.    Received Fri 30 Oct 10:00 (ADT, UTC-3), outside the
   November ranges. Ack 10:30, respond 11:00; resolve due Wed 4 Nov 10:00 (6.5+8.5+8.5+2):
   unmet, so overdue. Still in progress.

Team: Alice (agent, available), Bob (agent, away), Sue (supervisor, available, takes no cases).
Clients: Acme (account manager Maria), Globex (Tom), Initech (Maria).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from desktop_helpdesk.domain.policy import DEFAULT_POLICY
from desktop_helpdesk.domain.sla import Target, default_calendar, due_instants
from desktop_helpdesk.storage.db import database
from desktop_helpdesk.storage.records import (
    CaseRecord,
    ClientRecord,
    ContactRecord,
    EscalationRecord,
    InteractionRecord,
    SlaPauseRecord,
    TeamMemberRecord,
)
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

# (case, channel, direction, occurred, summary)
INTERACTIONS = [
    ("A", "phone", "inbound", halifax(2026, 11, 16, 9, 0), "Printer queue stuck"),
    ("A", "email", "outbound", halifax(2026, 11, 16, 16, 0), "Resolution: cleared the spooler"),
    ("B", "email", "outbound", halifax(2026, 11, 18, 10, 0), "Resolution: licence re-issued"),
    ("B", "note", "internal", halifax(2026, 11, 19, 11, 0), "Follow-up note, not client facing"),
    ("C", "email", "outbound", halifax(2026, 11, 17, 10, 30), "We are looking into the VPN"),
    ("D", "phone", "inbound", halifax(2026, 11, 25, 8, 30), "Voicemail: cannot log in"),
    ("E", "email", "outbound", halifax(2026, 11, 23, 16, 0), "Please send the error log"),
    ("F", "email", "outbound", halifax(2026, 10, 30, 11, 0), "Working on the export bug"),
]


def utc(instant: datetime | None) -> datetime | None:
    return None if instant is None else instant.astimezone(UTC)


def build_scenario() -> Scenario:
    """Write the scenario's records directly (the stored facts the lifecycle services keep)."""
    created = halifax(2026, 10, 1, 9, 0)
    with database.atomic():
        members = {
            name: TeamMemberRecord.create(
                username=name, display_name=name.capitalize(), role=role,
                availability=availability, can_take_cases=takes, created_at=created,
            ).id
            for name, role, availability, takes in [
                ("alice", "agent", "available", True),
                ("bob", "agent", "away", True),
                ("sue", "supervisor", "available", False),
            ]
        }
        clients = {
            key: ClientRecord.create(name=name, account_manager=manager, created_at=created).id
            for key, name, manager in [
                ("acme", "Acme Ltd", "Maria"),
                ("globex", "Globex", "Tom"),
                ("initech", "Initech", "Maria"),
            ]
        }
        contacts = {
            key: ContactRecord.create(client=cid, name=f"Contact at {key}", created_at=created).id
            for key, cid in clients.items()
        }
        case_ids = {}
        for n, (key, spec) in enumerate(CASES.items(), start=1):
            ack_met, resp_met, res_met = spec["met"]
            case = CaseRecord.create(
                number=f"2026-{n:05d}", subject=f"Case {key}", requested_priority=spec["priority"],
                effective_priority=spec["priority"], status=spec["status"],
                channel=spec["channel"], client=clients[spec["client"]],
                contact=contacts[spec["client"]],
                assignee=members[spec["member"]] if spec["member"] else None,
                received_at=utc(spec["received"]), logged_at=utc(spec["received"]),
                acknowledge_due_at=utc(spec["due"][0]), respond_due_at=utc(spec["due"][1]),
                resolve_due_at=utc(spec["due"][2]), acknowledged_at=utc(ack_met),
                responded_at=utc(resp_met), resolved_at=utc(res_met),
                closed_at=utc(spec.get("closed")), resolve_paused_at=utc(spec.get("paused")),
                updated_at=utc(spec["received"]),
            )
            case_ids[key] = case.id
        for key, channel, direction, occurred, summary in INTERACTIONS:
            InteractionRecord.create(case=case_ids[key], channel=channel, direction=direction,
                                     summary=summary, occurred_at=utc(occurred),
                                     created_at=utc(occurred))
        EscalationRecord.create(
            case=case_ids["C"], target_kind="internal_department", target_name="Network team",
            reason="VPN concentrator", escalated_at=utc(halifax(2026, 11, 17, 11, 0)),
            answered_at=utc(halifax(2026, 11, 17, 15, 0)), answer="Rebooted",
        )
        SlaPauseRecord.create(
            case=case_ids["B"], reason="Waiting for licence details",
            started_at=utc(halifax(2026, 11, 17, 10, 0)),
            ended_at=utc(halifax(2026, 11, 17, 14, 0)), business_seconds=4 * 3600,
        )
        SlaPauseRecord.create(
            case=case_ids["E"], reason="Waiting for the error log",
            started_at=utc(halifax(2026, 11, 24, 14, 0)),
        )
    return Scenario(members["alice"], members["bob"], members["sue"], clients["acme"],
                    clients["globex"], clients["initech"], case_ids)


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


def test_scenario_writes_six_cases(db):
    scenario = build_scenario()
    assert len(scenario.cases) == 6
    assert CaseRecord.select().count() == 6
