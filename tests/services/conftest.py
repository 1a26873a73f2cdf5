"""Fixtures for service tests: the services over the real SQLite file, and a small team."""

from dataclasses import dataclass

import pytest

from desktop_helpdesk.services.contacts import NewContact
from desktop_helpdesk.services.container import Services


@dataclass(frozen=True)
class Team:
    admin: int
    supervisor: int
    alice: int
    bob: int


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request):
    """Opt-in (``pytestmark = pytest.mark.usefixtures("engine")``): run the test on a SQLite
    file and again on a fresh PostgreSQL database (skipped when no server can be started)."""
    request.getfixturevalue("db" if request.param == "sqlite" else "pg_db")
    return request.param


@pytest.fixture
def services(request, clock):
    """The services over the test database: SQLite, or each engine for tests using ``engine``."""
    request.getfixturevalue("engine" if "engine" in request.fixturenames else "db")
    return Services.create(clock)


def table_counts():
    """Row counts of every table of the bound database (to prove a failed call wrote nothing)."""
    from desktop_helpdesk.storage.db import database

    names = [t for t in database.get_tables() if not t.startswith("case_search_")]
    return {t: database.execute_sql(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in names}


@pytest.fixture
def team(services):
    admin = services.team.bootstrap_admin("admin", "Ada Admin").id
    # The admin runs the desk but does not take cases, so assignment tests see only agents.
    services.team.update_member(admin, admin, can_take_cases=False)
    supervisor = services.team.add_member(admin, "sam", "Sam Supervisor", role="supervisor",
                                          can_take_cases=False).id
    alice = services.team.add_member(admin, "alice", "Alice Agent").id
    bob = services.team.add_member(admin, "bob", "Bob Agent").id
    return Team(admin, supervisor, alice, bob)


def caller(**overrides):
    """A new caller at a new client organisation."""
    values = {"name": "Carol Client", "email": "carol@acme.example", "phone": "+1 (902) 555-0142",
              "client_name": "Acme Learning"}
    values.update(overrides)
    return NewContact(**values)


@pytest.fixture
def delivery_holder(services, clock):
    """This test process holds the delivery leases (claims need them); returns its token."""
    from desktop_helpdesk.services.leases import (
        CRM_DELIVERY,
        MAIL_SEND,
        HolderIdentity,
        LeaseService,
    )

    leases = LeaseService(HolderIdentity("desk-07", 1, "tests", "desk-07/1/tests"), clock,
                          process_exists=lambda _pid: True)
    assert leases.acquire(CRM_DELIVERY) and leases.acquire(MAIL_SEND)
    return leases.identity.token
