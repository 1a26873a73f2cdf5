"""Case numbers stay unique and consecutive when two workstations log at the same instant."""

import multiprocessing

from desktop_helpdesk.domain.clock import ManualClock
from desktop_helpdesk.services.contacts import NewClient
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
    contact = services.contacts.create_client(team.supervisor, NewClient("Acme"))
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


def test_two_connections_in_threads_get_unique_consecutive_numbers_on_each_engine(
    engine, services, team
):
    import threading

    from desktop_helpdesk.storage.db import database

    client = services.contacts.create_client(team.supervisor, NewClient("Acme"))
    contact = services.contacts.create_contact(team.supervisor, client.id, "Carol", email="c@acme.example")
    barrier = threading.Barrier(2)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def workstation():
        # peewee keeps one connection per thread: each thread is its own workstation.
        try:
            barrier.wait(timeout=30)
            for i in range(CASES_PER_WORKSTATION):
                logged = services.cases.log_case(
                    team.alice, subject=f"Threaded case {i}", channel="phone",
                    contact_id=contact.contact_id)
                numbers.append(logged.number)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            database.close()

    threads = [threading.Thread(target=workstation) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(numbers) == [f"2026-{n:05d}" for n in range(1, 2 * CASES_PER_WORKSTATION + 1)]


def test_concurrent_changes_to_one_case_queue_instead_of_failing(engine, services, team):
    import threading

    from desktop_helpdesk.storage.db import database

    client = services.contacts.create_client(team.supervisor, NewClient("Acme"))
    contact = services.contacts.create_contact(team.supervisor, client.id, "Carol", email="c@acme.example")
    case_id = services.cases.log_case(team.alice, subject="Shared case", channel="email",
                                      contact_id=contact.contact_id).id
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def workstation(name):
        try:
            barrier.wait(timeout=30)
            for i in range(8):
                services.cases.add_interaction(team.alice, case_id, channel="note", direction="internal",
                                               summary=f"{name} note {i}")
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            database.close()

    threads = [threading.Thread(target=workstation, args=(name,)) for name in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    # Sixteen changes, each one version: none was lost or refused.
    assert services.cases.get_case(case_id).version == 17
