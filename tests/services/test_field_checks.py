"""Email and phone fields are checked alike wherever members, clients and contacts are typed."""

import pytest

from desktop_helpdesk.services.contacts import NewClient
from desktop_helpdesk.services.errors import ValidationError


def _refused(call) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value


def test_email_and_phone_checks_name_the_field_and_quote_the_input(services, team):
    error = _refused(lambda: services.team.add_member(team.admin, "carol", "Carol", email="carol at home"))
    assert (error.field, error.message) == ("email", "'carol at home' is not an email address")
    error = _refused(lambda: services.team.update_member(team.admin, team.alice, email=" nope "))
    assert (error.field, error.message) == ("email", "' nope ' is not an email address")
    error = _refused(lambda: services.contacts.create_client(team.admin, NewClient("Acme", account_manager_email="x")))
    assert (error.field, error.message) == ("account_manager_email", "'x' is not an email address")
    error = _refused(lambda: services.contacts.create_client(team.admin, NewClient("Acme", phone="call me")))
    assert (error.field, error.message) == ("phone", "'call me' has no digits")
    client = services.contacts.create_client(team.admin, NewClient("Acme", phone=" ", account_manager_email=" "))
    error = _refused(lambda: services.contacts.create_contact(team.admin, client.id, "Carol", phone="n/a"))
    assert (error.field, error.message) == ("phone", "'n/a' has no digits")
    error = _refused(lambda: services.contacts.create_contact(team.admin, client.id, "Carol", email="c@"))
    assert (error.field, error.message) == ("email", "'c@' is not an email address")
    # Blank means unknown, not wrong.
    assert services.contacts.create_contact(team.admin, client.id, "Carol", email=" ", phone="").name == "Carol"
