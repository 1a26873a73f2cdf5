"""Builds a large, realistic, migrated SQLite database fast, for benchmarks.

Usage: ``python3 bench/big_database.py PATH [--cases 100000]``; from code:
``from big_database import build_big_database`` (inside bench/) or
``from bench.big_database import build_big_database`` (from the repository root).

Rows are consistent with what the services write: sequential case numbers per Halifax year
(with ``case_sequence`` set), due instants from ``domain.sla.due_instants``, met instants for
the targets each status implies, ``next_due_at`` as the services keep it. Each case has the
history a desk accumulates, about ten interactions on average (the inbound request, calls,
emails, remote sessions and notes while it is worked, the resolution), an audit row for every
change (logged, assigned, each status change, each interaction, each SLA target met, each
email, each attachment), a CRM outbox row per interaction and per resolution or closure (sent,
except the last hour's), acknowledgement and resolution emails in the mail outbox (sent, a
few failing), attachment metadata on a quarter of the cases (tiny bodies: the benchmarks
measure rows, not blobs), and a full-text row with every interaction. Everything is inserted
with ``executemany`` in chunks inside one transaction: 100,000 cases (a million interactions)
take about a minute.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import time as timer
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from desktop_helpdesk.domain.audit_chain import GENESIS_HASH, canonical_content, link_hash
from desktop_helpdesk.domain.calendar import DESK_ZONE
from desktop_helpdesk.domain.cases import (
    OPEN_STATUSES,
    CaseStatus,
    client_name_key,
    format_case_number,
)
from desktop_helpdesk.domain.policy import DEFAULT_POLICY, Priority, Target
from desktop_helpdesk.domain.sla import default_calendar, due_instants
from desktop_helpdesk.storage.db import close_database, database, open_database
from desktop_helpdesk.storage.records import new_event_id

DEFAULT_NOW = datetime(2026, 11, 25, 9, 0, tzinfo=DESK_ZONE)
_CHUNK = 2_000

PRODUCTS = (
    "LMS", "course player", "SCORM package", "authoring tool", "reporting portal", "SSO login",
    "video lessons", "quiz engine", "certificate generator", "mobile app", "xAPI feed", "API",
)
PROBLEMS = (
    "will not load", "shows a blank page", "times out", "rejects valid passwords",
    "loses progress", "exports wrong totals", "crashes on upload", "is very slow",
    "sends duplicate emails", "shows an error 500", "cannot find enrolled users",
    "fails after the update",
)
DETAILS = (
    "Several learners reported it this morning.", "It started after our network change.",
    "Only users on Chrome are affected.", "The whole department is blocked.",
    "A screenshot is attached.", "It works from home but not from the office.",
    "We cleared the cache and it still happens.", "The deadline for the course is Friday.",
)
RESOLUTIONS = (
    "Cleared the stale session tokens and asked users to sign in again.",
    "Client IT whitelisted our domain on their proxy.",
    "Republished the package with the corrected manifest.",
    "Applied the hotfix and re-ran the report.",
    "Reset the SSO certificate and confirmed login with the client.",
    "Explained the configuration setting; client confirmed it works.",
)
WORK_NOTES = (
    ("phone", "outbound", "Called the client to troubleshoot; collected logs and browser details."),
    ("email", "outbound", "Sent the client the steps to clear the cache and asked for a screenshot."),
    ("email", "inbound", "Client replied: the steps did not help; screenshot attached."),
    ("remote_session", "outbound", "Remote session: reproduced the error on the client's machine."),
    ("note", "internal", "Checked the server logs: matching errors since the last deployment."),
    ("skype", "outbound", "Skype call with the client's trainer to walk through the course settings."),
    ("join_me", "outbound", "Join.me session: the proxy rewrites the course URL."),
    ("gotomeeting", "outbound", "GoToMeeting with the client's IT team about their firewall."),
    ("note", "internal", "Asked development whether the fix is in the next release."),
    ("phone", "inbound", "Client called back: the problem happens for every learner."),
    ("email", "inbound", "Client asked for an update on the case."),
    ("email", "outbound", "Update sent: the fix is being tested."),
)
ATTACHMENTS = (("screenshot.png", "image/png", 180_000), ("browser-console.txt", "text/plain", 6_000),
               ("course-export.zip", "application/zip", 2_400_000), ("error.pdf", "application/pdf", 90_000))
LIVE_CHANNELS = frozenset({"phone", "skype", "join_me", "gotomeeting", "remote_session"})
ACKNOWLEDGEMENT_BODY = ("Hello,\n\nWe received your request and logged it as a case. A member of "
                        "our support team will be in touch.\n\nVelsoft Support")
RESOLUTION_BODY = ("Hello,\n\nYour case is resolved. Reply to this email if the problem comes "
                   "back.\n\nVelsoft Support")
FIRST_NAMES = ("Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Harper", "Jordan",
               "Kendall", "Logan", "Morgan", "Parker", "Quinn", "Riley", "Sawyer", "Taylor")
LAST_NAMES = ("MacDonald", "Campbell", "Fraser", "LeBlanc", "Murphy", "Smith", "Wilson",
              "Cormier", "Gallant", "Boudreau", "MacLean", "Robichaud", "Stewart", "Young")
ORG_WORDS = ("Atlantic", "Harbour", "Maritime", "Bluenose", "Fundy", "Cabot", "Acadia",
             "Northern", "Coastal", "Valley", "Summit", "Lighthouse")
ORG_KINDS = ("Learning", "Health", "College", "Logistics", "Credit Union", "Energy",
             "Insurance", "Municipality", "Academy", "Foods")


@dataclass(frozen=True)
class BigDatabase:
    """What was built (the database stays open and bound to ``storage.db.database``)."""

    path: Path
    cases: int
    members: int
    clients: int
    contacts: int
    interactions: int
    audit_rows: int
    crm_outbox: int
    mail_outbox: int
    attachments: int
    now: datetime
    seconds: float
    generate_seconds: float
    insert_seconds: float
    cpu_seconds: float  # this process's CPU time: the work, whatever else shares the machine


# SQLite only: the benchmark database is always a SQLite file.
_SEARCH_ROWS_SQL = (
    "INSERT INTO case_search (rowid, subject, description, interactions, resolution) "
    "VALUES (?, ?, ?, ?, ?)"
)


def _text(instant: datetime | None) -> str | None:
    # The storage field's format ("%Y-%m-%d %H:%M:%S.%f", naive UTC); isoformat of a UTC
    # instant less its "+00:00" is the fastest way there (millions of calls).
    if instant is None:
        return None
    if instant.tzinfo is not UTC:
        instant = instant.astimezone(UTC)
    return instant.isoformat(" ", "microseconds")[:26]


def build_big_database(
    path: str | Path,
    n_cases: int = 100_000,
    *,
    now: datetime = DEFAULT_NOW,
    seed: int = 20261125,
    span_days: int = 720,
) -> BigDatabase:
    """Create (replacing) a migrated SQLite file at ``path`` with ``n_cases`` realistic cases.

    Args:
        path: the SQLite file to write (an existing file is replaced).
        n_cases: how many cases.
        now: the instant the data is "as of"; cases are received over the ``span_days`` before.
        seed: random seed (same seed, same database).
        span_days: how far back cases go.

    Returns:
        Counts and timing; the database is left open and bound to ``storage.db.database``.
    """
    started, started_cpu = timer.perf_counter(), timer.process_time()
    path = Path(path)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = open_database(path)
    rng = random.Random(seed)
    calendar = default_calendar()
    policy = DEFAULT_POLICY
    now = now.astimezone(UTC)
    created = _text(now - timedelta(days=span_days + 30))

    n_members = 14
    members = [(1, "admin", "Ada Admin", "admin", 0)]
    members += [(2, "sam", "Sam Supervisor", "supervisor", 0), (3, "sky", "Sky Supervisor", "supervisor", 0)]
    for i in range(4, n_members + 1):
        first = FIRST_NAMES[i % len(FIRST_NAMES)]
        members.append((i, f"agent{i}", f"{first} {LAST_NAMES[i % len(LAST_NAMES)]}", "agent", 1))
    agent_ids = [m[0] for m in members if m[4]]

    n_clients = max(10, min(400, n_cases // 250))
    n_contacts = n_clients * 8
    clients = []
    for i in range(1, n_clients + 1):
        name = f"{ORG_WORDS[i % len(ORG_WORDS)]} {ORG_KINDS[(i // len(ORG_WORDS)) % len(ORG_KINDS)]} {i}"
        manager = f"{FIRST_NAMES[(i * 3) % len(FIRST_NAMES)]} {LAST_NAMES[(i * 5) % len(LAST_NAMES)]}"
        clients.append((i, name, manager, f"am{i}@velsoft.example", f"902-555-{i:04d}", "", created))
    contacts = []
    for i in range(1, n_contacts + 1):
        client_id = (i - 1) // 8 + 1
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{first}.{last}{i}@client{client_id}.example".lower()
        phone = f"+1 (902) {rng.randint(200, 999)}-{i % 10000:04d}"
        digits = "".join(ch for ch in phone if ch.isdigit())
        contacts.append((i, client_id, f"{first} {last}", email, email, phone, digits, 1, created))

    cases, search_rows, escalations = [], [], []
    # Outbox rows created in the last hour are still waiting for their runner.
    history = _History(rng, pending_after=now - timedelta(hours=1))
    member_labels = {m[0]: f"{m[2]} (#{m[0]})" for m in members}
    client_info = {c[0]: (c[1], c[2], c[3]) for c in clients}
    contact_info = {c[0]: (c[2], c[3]) for c in contacts}
    sequence: dict[int, int] = {}
    # Requests arrive in office hours on business days, in ascending order so case numbers
    # follow time within each year.
    today = now.astimezone(DESK_ZONE).date()
    days = [today - timedelta(days=back) for back in range(span_days, -1, -1)]
    days = [day for day in days if calendar.is_business_day(day)]
    stamps = []
    for _ in range(n_cases):
        day = rng.choice(days)
        minute = rng.randrange(8 * 60, 16 * 60 + 30)
        local = datetime(day.year, day.month, day.day, minute // 60, minute % 60,
                         rng.randrange(60), tzinfo=DESK_ZONE)
        stamps.append(local.astimezone(UTC))
    stamps.sort()
    for case_id, received in enumerate(stamps, start=1):
        if received > now:
            received = now - timedelta(minutes=rng.randint(1, 90))
        year = received.astimezone(DESK_ZONE).year
        sequence[year] = sequence.get(year, 0) + 1
        number = format_case_number(year, sequence[year])
        requested = rng.choices(("high", "medium", "low"), (0.25, 0.6, 0.15))[0]
        priority = Priority.HIGH if requested == "high" else Priority.MEDIUM
        due = due_instants(calendar, policy, received, priority)
        channel = "phone" if rng.random() < 0.45 else "email"
        age = now - received
        status = _status_for(rng, age)
        if channel == "phone" and status is CaseStatus.NEW:
            status = CaseStatus.ACKNOWLEDGED  # a live call is acknowledged on connection
        ack = received if channel == "phone" else None
        responded = resolved = closed = paused = waiting_since = None
        waiting_on = resolution = resolution_channel = ""
        if status is not CaseStatus.NEW and ack is None:
            ack = min(now, calendar.add(received, timedelta(minutes=rng.randint(5, 150))))
        if status not in (CaseStatus.NEW, CaseStatus.ACKNOWLEDGED):
            responded = min(now, calendar.add(received, timedelta(minutes=rng.randint(20, 600))))
        if status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
            resolved = min(now, calendar.add(responded, timedelta(minutes=rng.randint(30, 2400))))
            resolution = rng.choice(RESOLUTIONS)
            resolution_channel = rng.choice(("email", "email", "phone", "skype"))
            if status is CaseStatus.CLOSED:
                closed = min(now, resolved + timedelta(days=rng.randint(1, 5)))
        if status is CaseStatus.WAITING_ON_CLIENT:
            waiting_since = min(now, responded + timedelta(hours=rng.randint(1, 30)))
            paused = waiting_since
            waiting_on = "Client: contact"
        if status is CaseStatus.ESCALATED:
            waiting_since = min(now, responded + timedelta(hours=rng.randint(1, 30)))
            waiting_on = "Internal department: Development"
        unmet = []
        if status in OPEN_STATUSES:
            if ack is None:
                unmet.append(due[Target.ACKNOWLEDGE])
            if responded is None:
                unmet.append(due[Target.RESPOND])
            if paused is None:
                unmet.append(due[Target.RESOLVE])
        next_due = min(unmet) if unmet else None
        assignee = rng.choice(agent_ids) if status is not CaseStatus.NEW or rng.random() < 0.7 else None
        actor = assignee or 1
        contact_id = rng.randint(1, n_contacts)
        client_id = (contact_id - 1) // 8 + 1
        subject = f"{rng.choice(PRODUCTS)} {rng.choice(PROBLEMS)}"
        description = " ".join(rng.sample(DETAILS, 2))
        logged = received + timedelta(minutes=rng.randint(0, 20)) if channel == "email" else received
        logged = min(logged, now)
        updated = max(i for i in (logged, ack, responded, resolved, closed, waiting_since) if i)
        cases.append((
            case_id, number, subject, description, requested, priority.value, status.value, channel,
            client_id, contact_id, assignee, actor, _text(received), _text(logged),
            _text(due[Target.ACKNOWLEDGE]), _text(due[Target.RESPOND]), _text(due[Target.RESOLVE]),
            _text(ack), _text(responded), _text(resolved), _text(closed), _text(next_due), _text(paused),
            waiting_on, _text(waiting_since), resolution, resolution_channel, 1, _text(updated),
        ))
        client_name, manager, manager_email = client_info[client_id]
        contact_name, contact_email = contact_info[contact_id]
        crm_json = json.dumps({"case_number": number, "subject": subject, "client": client_name,
                    "account_manager": manager, "account_manager_email": manager_email,
                    "contact": contact_name, "contact_email": contact_email})[1:-1]

        ctx = _CaseContext(case_id, number, subject, actor, logged, crm_json, contact_name,
                           contact_email)
        audit, crm, interact, email = (
            partial(history.audit, ctx), partial(history.crm, ctx),
            partial(history.interact, ctx), partial(history.email, ctx))

        first = interact(received, channel, "inbound", description,
                         assignee if channel == "phone" else None,
                         "acknowledge" if channel == "phone" else "")
        audit(logged, "logged", "number", "", number, f"{channel.capitalize()} intake")
        crm(logged, "case_logged", first, {"channel": channel, "priority": priority.value,
                                           "received_at": _text(received)})
        if assignee is not None:
            audit(logged, "assigned", "assignee", "", member_labels[assignee],
                  "least open workload", actor=None)
        summaries = [description]
        if ack is not None:
            audit(ack, "sla_met", "acknowledge", "", _text(ack))
            if channel == "email":
                audit(ack, "status", "status", "new", "acknowledged")
                email(ack, "acknowledgement", ACKNOWLEDGEMENT_BODY)
        if responded is not None:
            met = "respond" if channel == "phone" else "acknowledge,respond"
            text = "Called the client to troubleshoot; collected logs and browser details."
            made = interact(responded, "phone", "outbound", text, assignee, met)
            audit(responded, "status", "status", "acknowledged", "in_progress")
            audit(responded, "sla_met", "respond", "", _text(responded))
            crm(responded, "interaction", made, {"status": "in_progress", "channel": "phone",
                                                 "direction": "outbound", "summary": text})
            summaries.append(text)
            # The case being worked: calls, emails, sessions and notes until resolved (or now).
            until = resolved or (waiting_since or now)
            worked = rng.randint(4, 10) if resolved is not None else rng.randint(1, 7)
            span = max((until - responded).total_seconds(), 60.0)
            for step in sorted(rng.random() for _ in range(worked)):
                at = responded + timedelta(seconds=span * step)
                medium, direction, text = rng.choice(WORK_NOTES)
                made = interact(at, medium, direction, text, assignee)
                crm(at, "interaction", made, {"status": "in_progress", "channel": medium,
                                              "direction": direction, "summary": text})
                summaries.append(text)
                if direction == "inbound" and rng.random() < 0.5:
                    name, content_type, _size = rng.choice(ATTACHMENTS)
                    body = f"{name} from case {number}".encode()
                    history.attachments.append((case_id, made, name, content_type, len(body),
                                        hashlib.sha256(body).hexdigest(), body, assignee,
                                        _text(at)))
                    audit(at, "attachment_added", "attachment", "", name)
        if resolved is not None:
            made = interact(resolved, resolution_channel, "outbound", f"Resolution: {resolution}",
                            assignee, "resolve")
            audit(resolved, "status", "status", "in_progress", "resolved", resolution)
            audit(resolved, "sla_met", "resolve", "", _text(resolved))
            crm(resolved, "case_resolved", made, {"status": "resolved", "resolution": resolution,
                                                  "told_via": resolution_channel,
                                                  "told_at": _text(resolved)})
            if resolution_channel == "email":
                email(resolved, "resolution", RESOLUTION_BODY)
            summaries.append(f"Resolution: {resolution}")
        if closed is not None:
            audit(closed, "status", "status", "resolved", "closed")
            crm(closed, "case_closed", None, {"status": "closed", "resolution": resolution})
        if status is CaseStatus.WAITING_ON_CLIENT:
            audit(waiting_since, "status", "status", "in_progress", "waiting_on_client")
            audit(waiting_since, "sla_paused", "resolve", "", "Waiting for the client's screenshots")
        search_rows.append((case_id, subject, description, "\n".join(summaries), resolution))
        if status is CaseStatus.ESCALATED:
            audit(waiting_since, "escalated", "status", "in_progress", "escalated", "Needs a developer")
            escalations.append((case_id, "internal_department", "Development", "Needs a developer",
                                _text(waiting_since + timedelta(hours=4)), _text(waiting_since), assignee,
                                None, "", None))
        elif resolved is not None and rng.random() < 0.15:
            # An escalation answered before the resolution, for waiting-time reports.
            asked = responded + (resolved - responded) / 3
            answered = responded + (resolved - responded) * 2 / 3
            audit(asked, "escalated", "status", "in_progress", "escalated", "Proxy blocks our domain")
            audit(answered, "de_escalated", "status", "escalated", "in_progress",
                  "Domain allowed on the proxy")
            escalations.append((case_id, "client_it", "Client IT", "Proxy blocks our domain",
                                _text(asked + timedelta(hours=4)), _text(asked), assignee,
                                _text(answered), "Domain allowed on the proxy", assignee))

    generated = timer.perf_counter()
    connection = db.connection()
    with database.atomic():
        _insert(connection, "team_member",
                ("id", "username", "display_name", "role", "can_take_cases", "email", "availability",
                 "active", "created_at"),
                [(m[0], m[1], m[2], m[3], m[4], f"{m[1]}@velsoft.example", "available", 1, created)
                 for m in members])
        _insert(connection, "client",
                ("id", "name", "account_manager", "account_manager_email", "phone", "notes", "created_at",
                 "name_key"),
                [(*client, client_name_key(client[1])) for client in clients])
        _insert(connection, "contact",
                ("id", "client_id", "name", "email", "email_lower", "phone", "phone_digits", "active",
                 "created_at"), contacts)
        _insert(connection, '"case"',
                ("id", "number", "subject", "description", "requested_priority", "effective_priority",
                 "status", "channel", "client_id", "contact_id", "assignee_id", "logged_by_id",
                 "received_at", "logged_at", "acknowledge_due_at", "respond_due_at", "resolve_due_at",
                 "acknowledged_at", "responded_at", "resolved_at", "closed_at", "next_due_at",
                 "resolve_paused_at", "waiting_on", "waiting_since", "resolution_summary",
                 "resolution_channel", "version", "updated_at"), cases)
        _insert(connection, "interaction",
                ("id", "case_id", "channel", "direction", "summary", "duration_seconds", "author_id",
                 "occurred_at", "created_at", "satisfies"), history.interactions)
        _insert(connection, "audit",
                ("at", "actor_id", "entity", "entity_id", "case_id", "action", "field", "before",
                 "after", "reason", "prev_hash", "hash"), _chained(history.audits))
        # FTS5 rows by rowid, as storage.dialect.write_case_search_row writes them one at a time.
        for start in range(0, len(search_rows), _CHUNK):
            connection.executemany(_SEARCH_ROWS_SQL, search_rows[start:start + _CHUNK])
        _insert(connection, "case_sequence", ("year", "last_number"), sorted(sequence.items()))
        _insert(connection, "escalation",
                ("case_id", "target_kind", "target_name", "reason", "expected_reply_at", "escalated_at",
                 "escalated_by_id", "answered_at", "answer", "answered_by_id"), escalations)
        pauses = [(c[0], "Waiting for the client's screenshots", c[22], None, 0) for c in cases if c[22]]
        _insert(connection, "sla_pause", ("case_id", "reason", "started_at", "ended_at", "business_seconds"),
                pauses)
        _insert(connection, "crm_outbox",
                ("case_id", "interaction_id", "event", "payload", "created_at", "sent_at", "attempts",
                 "last_error", "event_id"), history.crm_rows)
        _insert(connection, "mail_outbox",
                ("case_id", "kind", "to_address", "to_name", "subject", "body", "created_at", "sent_at",
                 "attempts", "last_error", "event_id"), history.mail_rows)
        _insert(connection, "attachment",
                ("case_id", "interaction_id", "filename", "content_type", "size", "sha256", "data",
                 "added_by_id", "added_at"), history.attachments)
    inserted = timer.perf_counter()
    database.execute_sql("ANALYZE")
    return BigDatabase(path, n_cases, len(members), n_clients, n_contacts,
                       len(history.interactions), len(history.audits), len(history.crm_rows),
                       len(history.mail_rows), len(history.attachments), now,
                       timer.perf_counter() - started, generated - started, inserted - generated,
                       timer.process_time() - started_cpu)


def ensure_big_database(path: str | Path | None, n_cases: int) -> Path:
    """The benchmark database at ``path`` (a new temporary file when None), built with
    ``n_cases`` cases if it does not exist yet, and left closed for the caller to open."""
    path = Path(path) if path else Path(tempfile.mkdtemp(prefix="helpdesk-bench-")) / "big.sqlite3"
    if not path.exists():
        print(f"building {n_cases:,} cases in {path} ...", flush=True)
        info = build_big_database(path, n_cases)
        close_database()
        print(f"built {info.cases:,} cases in {info.seconds:.1f} s", flush=True)
    return path


def _chained(audits: list[tuple]) -> list[tuple]:
    """The audit rows with their hash chain (in insertion order, which is id order)."""
    previous, rows = GENESIS_HASH, []
    for values in audits:
        current = link_hash(previous, canonical_content(values))
        rows.append((*values, previous, current))
        previous = current
    return rows


@dataclass(frozen=True)
class _CaseContext:
    """What every history row of one case repeats."""

    case_id: int
    number: str
    subject: str
    actor: int
    logged: datetime
    crm_json: str  # the case's payload fields as JSON, without the braces
    contact_name: str
    contact_email: str


class _History:
    """Collects the interaction, audit, outbox and attachment rows of every case."""

    def __init__(self, rng: random.Random, *, pending_after: datetime) -> None:
        self.rng = rng
        self.pending_after = pending_after
        self.interactions: list[tuple] = []
        self.audits: list[tuple] = []
        self.crm_rows: list[tuple] = []
        self.mail_rows: list[tuple] = []
        self.attachments: list[tuple] = []

    def audit(self, case: _CaseContext, at: datetime, action: str, field: str = "",
              before: str = "", after: str = "", reason: str = "", *,
              actor: int | None | bool = True) -> None:
        self.audits.append((_text(at), case.actor if actor is True else actor, "case",
                            case.case_id, case.case_id, action, field, before, after, reason))

    def crm(self, case: _CaseContext, at: datetime, event: str, interaction: int | None,
            extra: dict) -> None:
        stamp = _text(at)
        # The case's part of the payload is rendered once per case (a million rows).
        payload = (f'{{"at": "{stamp}", "event": "{event}", {case.crm_json}, '
                   f'{json.dumps(extra)[1:]}')
        sent = None if at > self.pending_after else _text(at + timedelta(seconds=60))
        self.crm_rows.append((case.case_id, interaction, event, payload, stamp, sent,
                              0 if sent is None else 1, "", new_event_id()))

    def interact(self, case: _CaseContext, at: datetime, medium: str, direction: str,
                 text: str, author: int | None, satisfies: str = "") -> int:
        interaction_id = len(self.interactions) + 1
        duration = self.rng.randint(120, 1800) if medium in LIVE_CHANNELS else 0
        created = max(at, case.logged)
        self.interactions.append((interaction_id, case.case_id, medium, direction, text,
                                  duration, author, _text(at), _text(created), satisfies))
        self.audit(case, created, "interaction", "interaction", "",
                   f"{medium} {direction} (#{interaction_id})")
        return interaction_id

    def email(self, case: _CaseContext, at: datetime, kind: str, body: str) -> None:
        outbox_id = len(self.mail_rows) + 1
        sent_to = f"{kind} to {case.contact_email} (#{outbox_id})"
        self.audit(case, at, "email_queued", "email", "", sent_to)
        # Recent emails to an unreachable server wait, with their attempts and error.
        failed = at > self.pending_after and self.rng.random() < 0.3
        sent = None if failed else at + timedelta(seconds=self.rng.randint(2, 40))
        self.mail_rows.append((
            case.case_id, kind, case.contact_email, case.contact_name,
            f"[Case {case.number}] {case.subject}", body, _text(at), _text(sent),
            3 if failed else 1,
            "SMTP server smtp.velsoft.example: connection refused" if failed else "",
            new_event_id()))
        if sent is not None:
            self.audit(case, sent, "email_sent", "email", "", sent_to, actor=None)


def _status_for(rng: random.Random, age: timedelta) -> CaseStatus:
    if age > timedelta(days=21):
        return CaseStatus.CLOSED if rng.random() < 0.97 else CaseStatus.RESOLVED
    if age > timedelta(days=5):
        return rng.choices(
            (CaseStatus.CLOSED, CaseStatus.RESOLVED, CaseStatus.IN_PROGRESS, CaseStatus.WAITING_ON_CLIENT,
             CaseStatus.ESCALATED), (0.6, 0.2, 0.1, 0.06, 0.04))[0]
    return rng.choices(
        (CaseStatus.NEW, CaseStatus.ACKNOWLEDGED, CaseStatus.IN_PROGRESS, CaseStatus.WAITING_ON_CLIENT,
         CaseStatus.ESCALATED, CaseStatus.RESOLVED), (0.15, 0.2, 0.35, 0.1, 0.08, 0.12))[0]


def _insert(connection, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) "
           f"VALUES ({', '.join('?' for _ in columns)})")
    for start in range(0, len(rows), _CHUNK):
        connection.executemany(sql, rows[start:start + _CHUNK])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args(argv)
    info = build_big_database(args.path, args.cases)
    print(f"built {info.cases:,} cases, {info.interactions:,} interactions, {info.audit_rows:,} audit "
          f"rows, {info.crm_outbox:,} CRM and {info.mail_outbox:,} mail outbox rows, "
          f"{info.attachments:,} attachments, {info.contacts:,} contacts, {info.clients} clients, "
          f"{info.members} members in {info.seconds:.1f} s (generate {info.generate_seconds:.1f} s, "
          f"insert {info.insert_seconds:.1f} s; CPU {info.cpu_seconds:.1f} s) -> {info.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
