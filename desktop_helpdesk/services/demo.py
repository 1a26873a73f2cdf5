"""Demo data: a realistic team, clients and a few hundred cases, made through the services."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from desktop_helpdesk.domain.cases import CaseStatus
from desktop_helpdesk.domain.clock import Clock, ManualClock
from desktop_helpdesk.services.cases import CaseService
from desktop_helpdesk.services.contacts import NewClient
from desktop_helpdesk.services.container import Services
from desktop_helpdesk.services.dto import CaseDetail
from desktop_helpdesk.services.errors import ServiceError
from desktop_helpdesk.storage.db import database
from desktop_helpdesk.storage.records import CaseRecord, TeamMemberRecord

_AGENTS = (
    ("jordan", "Jordan LeBlanc"), ("riley", "Riley Murphy"), ("casey", "Casey Fraser"),
    ("harper", "Harper Campbell"), ("quinn", "Quinn Boudreau"),
)
_CLIENTS = (
    ("Atlantic Learning Co-op", "Avery MacLean"), ("Harbour Health Authority", "Blake Cormier"),
    ("Bluenose Community College", "Avery MacLean"), ("Fundy Logistics", "Devon Gallant"),
    ("Cabot Credit Union", "Blake Cormier"), ("Acadia Energy", "Devon Gallant"),
    ("Maritime Insurance Group", "Emery Stewart"), ("Valley Municipality", "Emery Stewart"),
    ("Summit Foods", "Avery MacLean"), ("Lighthouse Academy", "Blake Cormier"),
    ("Northern Rail Training", "Devon Gallant"), ("Coastal Pharma", "Emery Stewart"),
)
# Contacts are first x last name pairs drawn without repeats, so no person works for two clients.
_FIRST_NAMES = (
    "Alex", "Sam", "Taylor", "Morgan", "Jamie", "Pat", "Chris", "Robin", "Drew", "Lee", "Kim",
    "Terry", "Dana", "Jesse", "Shawn", "Kelly", "Noel", "Renée", "Luc", "Marie",
)
_LAST_NAMES = (
    "Robichaud", "Wilson", "Young", "Smith", "Doucet", "Arsenault", "Landry", "Hache", "Comeau",
    "Thibodeau", "Pothier", "Saulnier", "Surette", "LeLievre", "Deveau", "Muise",
)
_SUBJECTS = (
    ("LMS login page will not load", "Learners get a blank page after entering their password."),
    ("SCORM course does not record completion", "Completion stays at 'incomplete' for module 3."),
    ("Reporting portal export times out", "The monthly compliance export stops after 60 seconds."),
    ("SSO rejects all users since this morning", "Our Azure AD sign-in returns error AADSTS50011."),
    ("Video lessons buffer constantly", "Staff on the office network cannot play any video."),
    ("Certificates show the wrong date", "Certificates issued today show last year's date."),
    ("Quiz engine double-counts attempts", "Learners are locked out after one attempt."),
    ("Authoring tool crashes on publish", "Publishing to HTML5 crashes at 80 percent."),
    ("Mobile app sync fails", "The offline course does not sync back when online again."),
    ("Enrolment emails not received", "New learners never get their welcome email."),
    ("xAPI statements missing in LRS", "Statements from the new course never reach our LRS."),
    ("Gradebook totals wrong after update", "Weighted totals changed after last night's update."),
)
# One plausible fix per subject above, in the same order, so a resolved case reads true.
_RESOLUTIONS = (
    "Cleared stale sessions and asked users to sign in again; confirmed working.",
    "Republished the package with the completion threshold set; module 3 now completes.",
    "Applied hotfix 4.2.1 and re-ran the export with the client; it finished in 20 seconds.",
    "Added the missing reply URL to the Azure AD app registration; sign-in works again.",
    "Client IT added our video CDN to the proxy allow list.",
    "Corrected the certificate template's date field and reissued today's certificates.",
    "Fixed the attempt counter setting on the quiz; learners unlocked.",
    "Updated the authoring tool to 11.3, which fixes the HTML5 publish crash.",
    "Cleared the app's offline cache and re-synced; progress reached the server.",
    "Client IT whitelisted our mail server; welcome emails now arrive.",
    "Corrected the LRS endpoint and credentials in the course settings.",
    "Recalculated the gradebook after restoring the category weights.",
)
_OUTCOMES = (
    CaseStatus.NEW, CaseStatus.ACKNOWLEDGED, CaseStatus.IN_PROGRESS, CaseStatus.ESCALATED,
    CaseStatus.WAITING_ON_CLIENT, CaseStatus.RESOLVED, CaseStatus.CLOSED,
)


class DemoDataError(ServiceError):
    """Demo data only goes into an empty database."""


class _SeedingCaseService(CaseService):
    """The real case service, minus reading each case back after a change: seeding never
    looks at the result, and skipping it halves the time ``--demo`` takes to start."""

    def get_case(self, case_id: int, now: datetime | None = None) -> CaseDetail:
        return None  # type: ignore[return-value]


def seed_demo_data(
    clock: Clock, *, cases: int = 300, seed: int = 2026,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Fill an empty database with a demo team, clients, contacts and ``cases`` cases logged
    over the last weeks before ``clock.now()`` and worked through every status, so some are
    due soon and some overdue now. Deterministic for a given ``seed`` and instant.

    Args:
        clock: gives "now"; the cases are spread over the ~6 weeks before it.
        cases: how many cases.
        seed: the random seed.
        progress: called as ``progress(done, cases)`` after each case (from the calling thread).

    Raises:
        DemoDataError: the database already has team members or cases.
    """
    if TeamMemberRecord.select().exists() or CaseRecord.select().exists():
        raise DemoDataError("Demo data can only be added to an empty database")
    rng = random.Random(seed)
    now = clock.now()
    moving = ManualClock(now - timedelta(days=60))
    services = Services.create(moving)
    services = replace(services, cases=_SeedingCaseService(services.context))
    calendar = services.context.reload_calendar()
    # One transaction: hundreds of small commits would take seconds on a laptop disk.
    with database.atomic():
        admin = services.team.bootstrap_admin("admin", "Morgan Admin", email="admin@velsoft.example").id
        services.team.update_member(admin, admin, can_take_cases=False)
        supervisor = services.team.add_member(
            admin, "sam", "Sam MacDonald", role="supervisor", email="sam@velsoft.example",
            can_take_cases=False).id
        agents = tuple(
            services.team.add_member(admin, username, name, email=f"{username}@velsoft.example").id
            for username, name in _AGENTS
        )
        contacts = []
        people = [(first, last) for first in _FIRST_NAMES for last in _LAST_NAMES]
        rng.shuffle(people)
        for index, (client_name, manager) in enumerate(_CLIENTS):
            client = services.contacts.create_client(supervisor, NewClient(
                client_name, account_manager=manager,
                account_manager_email=f"{manager.split()[0].lower()}@velsoft.example",
                phone=f"902-555-{1000 + index:04d}"))
            for first, last in (people.pop() for _ in range(3)):
                person = f"{first} {last}"
                first, last = first.lower().replace("é", "e"), last.lower()
                contacts.append(services.contacts.create_contact(
                    supervisor, client.id, person,
                    email=f"{first}.{last}@{client_name.split()[0].lower()}.example",
                    phone=f"+1 902 {rng.randint(400, 999)} {rng.randint(1000, 9999)}").contact_id)

        start_day = (now - timedelta(days=42)).astimezone(calendar.zone).date()
        days = [start_day + timedelta(days=d) for d in range(43)]
        days = [d for d in days if calendar.is_business_day(d)]
        received = []
        for _ in range(cases):
            # Recent days are busier in the list (and hold the open work).
            day = days[min(len(days) - 1, int(len(days) * (1 - rng.random() ** 1.6)))]
            minute = rng.randrange(8 * 60, 16 * 60 + 30)
            instant = datetime(day.year, day.month, day.day, minute // 60, minute % 60,
                               tzinfo=calendar.zone)
            received.append(min(instant, now - timedelta(minutes=rng.randint(3, 240))))
        received.sort()
        for index, when in enumerate(received):
            _demo_case(services, moving, rng, now, when, index, agents, supervisor, contacts)
            if progress is not None:
                progress(index + 1, cases)
        moving.set(now)


def _demo_case(services, moving, rng, now, received, index, agents, supervisor, contacts):
    """Log one case at ``received`` and work it towards a status that fits its age."""
    calendar = services.context.reload_calendar()
    cases = services.cases
    age = calendar.elapsed(received, now)
    day = calendar.day_length
    if age > 6 * day:
        outcome = rng.choices(_OUTCOMES, (0, 0, 4, 2, 2, 10, 82))[0]
    elif age > 2 * day:
        outcome = rng.choices(_OUTCOMES, (2, 6, 30, 10, 12, 25, 15))[0]
    else:
        outcome = rng.choices(_OUTCOMES, (25, 25, 25, 8, 7, 10, 0))[0]
    subject, description = _SUBJECTS[index % len(_SUBJECTS)]
    channel = "phone" if rng.random() < 0.45 else "email"
    # Emails are typed in a little after they arrive, but never after the real "now".
    moving.set(min(now, received + timedelta(minutes=rng.randint(0, 15) if channel == "email" else 0)))
    logged = cases.log_case(
        rng.choice((supervisor, *agents)),
        subject=subject,
        description=description,
        channel=channel,
        requested_priority=rng.choices(("high", "medium", "low"), (25, 60, 15))[0],
        received_at=received,
        contact_id=rng.choice(contacts),
    )
    worker = logged.assignee_id or rng.choice(agents)
    step = [moving.now()]

    def at(business_minutes: int) -> bool:
        """Move the demo clock forward by business minutes; False once past the real now."""
        instant = calendar.add(step[0], timedelta(minutes=business_minutes))
        if instant >= now:
            return False
        step[0] = instant
        moving.set(instant)
        return True

    if outcome is CaseStatus.NEW:
        return
    if channel == "email":
        if not at(rng.randint(5, 150)):
            return
        cases.add_interaction(worker, logged.id, channel="email", direction="outbound",
                              summary="Thanks, we are looking into it.", acknowledgement_only=True)
    if outcome is CaseStatus.ACKNOWLEDGED:
        return
    if not at(rng.randint(10, 300)):
        return
    cases.add_interaction(worker, logged.id, channel=rng.choice(("phone", "skype", "join_me", "gotomeeting")),
                          direction="outbound", summary="First-line troubleshooting with the client.",
                          duration_seconds=rng.randint(300, 2400))
    if rng.random() < 0.15 and at(5):
        cases.add_attachment(worker, logged.id, filename="screenshot.png",
                             data=b"\x89PNG demo screenshot " + bytes(str(index), "ascii"),
                             content_type="image/png")
    if rng.random() < 0.08 and at(20):
        cases.change_priority(supervisor, logged.id, "high", reason="Client escalated by phone")
    if outcome is CaseStatus.IN_PROGRESS:
        return
    if outcome is CaseStatus.ESCALATED or (outcome in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and rng.random() < 0.3):
        if not at(rng.randint(10, 120)):
            return
        target = rng.choice((("internal_department", "Development"), ("internal_department", "Hosting"),
                             ("client_it", "Client IT")))
        cases.escalate(worker, logged.id, target_kind=target[0], target_name=target[1],
                       reason="Needs investigation beyond first line",
                       expected_reply_at=calendar.add(moving.now(), timedelta(hours=4)))
        if outcome is CaseStatus.ESCALATED:
            return
        if not at(rng.randint(30, 600)):
            return
        cases.de_escalate(worker, logged.id, answer="Fix deployed on our side.")
    if outcome is CaseStatus.WAITING_ON_CLIENT or (outcome in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and rng.random() < 0.3):
        if not at(rng.randint(10, 240)):
            return
        cases.wait_on_client(worker, logged.id, reason="Asked the client to test and send a screenshot")
        if outcome is CaseStatus.WAITING_ON_CLIENT:
            return
        if not at(rng.randint(30, 900)):
            return
        cases.resume(worker, logged.id, reason="Client replied")
    if not at(rng.randint(20, 1500)):
        return
    cases.resolve(worker, logged.id, summary=_RESOLUTIONS[index % len(_RESOLUTIONS)],
                  told_via=rng.choice(("email", "email", "phone", "skype")))
    if outcome is CaseStatus.CLOSED and at(rng.randint(60, 1200)):
        cases.close(worker, logged.id)
