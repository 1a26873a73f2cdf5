"""Case numbers stay unique and consecutive when two workstations log at the same instant."""

import multiprocessing

from desktop_helpdesk.domain.clock import ManualClock
from desktop_helpdesk.services.container import Services
from desktop_helpdesk.storage.db import close_database, open_database
from desktop_helpdesk.storage.records import CaseRecord
from tests.conftest import halifax

CASES_PER_WORKSTATION = 15


def _workstation(db_path, actor_id, contact_id, barrier, results):
    """One workstation: its own process and connection, logging as soon as both are ready."""
    open_database(db_path)
    services = Services.create(ManualClock(halifax(2026, 11, 25, 9, 0)))
    barrier.wait(timeout=60)
    numbers = []
    for i in range(CASES_PER_WORKSTATION):
        logged = services.cases.log_case(
            actor_id, subject=f"Concurrent case {i}", channel="email", contact_id=contact_id)
        numbers.append(logged.number)
    close_database()
    results.put(numbers)


def test_two_processes_logging_at_the_same_instant_get_unique_consecutive_numbers(
    services, team, db_path
):
    contact = services.contacts.create_client(team.supervisor, "Acme")
    contact = services.contacts.create_contact(team.supervisor, contact.id, "Carol", email="c@acme.example")
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    workers = [
        context.Process(target=_workstation,
                        args=(str(db_path), team.alice, contact.contact_id, barrier, results))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    batches = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    numbers = sorted(batches[0] + batches[1])
    expected = [f"2026-{n:05d}" for n in range(1, 2 * CASES_PER_WORKSTATION + 1)]
    assert numbers == expected
    assert sorted(CaseRecord.select(CaseRecord.number).tuples()) == [(n,) for n in expected]
