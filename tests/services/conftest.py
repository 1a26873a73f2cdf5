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


@pytest.fixture
def services(db, clock):
    return Services.create(clock)


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
