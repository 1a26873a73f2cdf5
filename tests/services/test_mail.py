"""Client email: queued with the case change, delivered to a real SMTP server on 127.0.0.1."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desktop_helpdesk.domain.sla import ClockState
from desktop_helpdesk.services.errors import ValidationError, WorkflowError
from desktop_helpdesk.services.mail import (
    PASSWORD_ENVIRONMENT_VARIABLE,
    MailNotConfigured,
    MailSendJob,
    deliver_mail_outbox,
)
from desktop_helpdesk.storage.records import AuditRecord, MailOutboxRecord
from tests.services.conftest import caller, table_counts
from tests.smtp_server import free_port, running_smtp_server

pytestmark = pytest.mark.usefixtures("engine")


def send_round(services, holder, **options):
    """One delivery round with the team's settings, as the mail-send job runs it."""
    context = services.context
    return deliver_mail_outbox(context.clock, context.settings(), "", holder=holder, **options)


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1; yields (handler, port)."""
    with running_smtp_server() as server:
        yield server.handler, server.port


def configure_mail(services, admin, port):
    return services.settings.update(
        admin,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        mail_from_address="support@velsoft.example",
        mail_from_name="Velsoft Support",
    )


def email_case(services, team, **contact):
    return services.cases.log_case(
        team.alice, subject="Course player shows a blank page", channel="email",
        requested_priority="high", new_contact=caller(**contact),
    )


def test_acknowledgement_is_queued_meets_the_target_and_arrives(services, team, clock, smtp_server,
                                                                 delivery_holder):
    handler, port = smtp_server
    settings = configure_mail(services, team.admin, port)
    logged = email_case(services, team)
    clock.advance(timedelta(minutes=35))

    result = services.cases.send_acknowledgement(team.alice, logged.id)

    assert result.satisfied == ("acknowledge",)
    assert result.case.row.acknowledged_at == clock.now()
    assert result.case.acknowledge_clock.state is ClockState.MET
    assert result.case.status == "acknowledged"
    row = MailOutboxRecord.get(MailOutboxRecord.case == logged.id)
    assert (row.kind, row.sent_at, row.attempts) == ("acknowledgement", None, 0)
    actions = [a.action for a in services.cases.audit_trail(logged.id)]
    assert "email_queued" in actions and "sla_met" in actions

    clock.advance(timedelta(seconds=20))
    report = deliver_mail_outbox(clock, settings, "", holder=delivery_holder, limit=10)

    assert (report.sent, report.failed, report.pending) == (1, 0, 0)
    [message] = handler.messages
    assert message["To"] == "Carol Client <carol@acme.example>"
    assert message["From"] == "Velsoft Support <support@velsoft.example>"
    assert message["Reply-To"] == "Velsoft Support <support@velsoft.example>"
    assert message["Subject"] == f"[Case {logged.number}] Course player shows a blank page"
    # Our own Message-ID format (outbox row, case, HMAC): a reply quoting it threads back.
    assert message["Message-ID"].startswith(f"<hd{row.id}.{logged.id}.")
    assert message["X-Helpdesk-Loop"] and message["Auto-Submitted"] is None  # sent by a person
    assert message["Date"]
    body = message.get_content()
    assert f"We have logged your request as case {logged.number}" in body
    assert "Priority: High" in body
    # High priority, received Wed 09:00 Halifax: first response due 4 business hours later.
    assert "We will respond by Wednesday 25 November 2026, 13:00 AST (Halifax time)" in body
    assert handler.envelopes[0].rcpt_tos == ["carol@acme.example"]
    row = MailOutboxRecord.get_by_id(row.id)
    assert row.sent_at == clock.now() and row.attempts == 1 and row.last_error == ""
    assert AuditRecord.select().where(AuditRecord.action == "email_sent").count() == 1


def test_resolution_email_is_queued_with_the_resolve_and_delivered(services, team, clock, smtp_server,
                                                                    delivery_holder):
    handler, port = smtp_server
    configure_mail(services, team.admin, port)
    logged = email_case(services, team)
    clock.advance(timedelta(hours=1))

    detail = services.cases.resolve(
        team.alice, logged.id, summary="Cleared the browser cache; the player loads.",
        told_via="email", email_client=True,
    )

    assert detail.status == "resolved"
    report = send_round(services, delivery_holder)
    assert report.sent == 1
    [message] = handler.messages
    assert message["Subject"] == f"[Case {logged.number}] Course player shows a blank page"
    body = message.get_content()
    assert f"Your case {logged.number} has been resolved." in body
    assert "Subject: Course player shows a blank page" in body
    assert "Cleared the browser cache; the player loads." in body


def test_resolve_without_email_client_queues_nothing(services, team, smtp_server):
    configure_mail(services, team.admin, smtp_server[1])
    logged = email_case(services, team)
    services.cases.resolve(team.alice, logged.id, summary="Fixed.", told_via="email")
    assert MailOutboxRecord.select().count() == 0


def test_unreachable_server_keeps_the_row_pending_and_changes_nothing_else(services, team, clock,
                                                                           delivery_holder):
    settings = configure_mail(services, team.admin, free_port())  # nothing listens there
    logged = email_case(services, team)
    services.cases.send_acknowledgement(team.alice, logged.id)
    before = table_counts()
    case_before = services.cases.get_case(logged.id)

    report = deliver_mail_outbox(clock, settings, "", holder=delivery_holder, limit=10, timeout=5)

    assert (report.sent, report.failed, report.pending) == (0, 1, 1)
    assert "refused" in report.last_error
    row = MailOutboxRecord.get(MailOutboxRecord.case == logged.id)
    assert row.sent_at is None and row.attempts == 1 and "refused" in row.last_error
    assert table_counts() == before
    assert services.cases.get_case(logged.id).version == case_before.version
    assert row.next_attempt_at > clock.now() and row.parked_at is None and row.claimed_by == ""


def test_a_row_that_failed_is_sent_by_the_first_run_after_its_back_off(services, team, clock, smtp_server,
                                                                        delivery_holder):
    handler, port = smtp_server
    configure_mail(services, team.admin, free_port())
    logged = email_case(services, team)
    services.cases.send_acknowledgement(team.alice, logged.id)
    assert send_round(services, delivery_holder, timeout=5).failed == 1

    configure_mail(services, team.admin, port)
    assert send_round(services, delivery_holder).sent == 0  # still backing off
    clock.advance(timedelta(seconds=31))
    report = send_round(services, delivery_holder)

    assert (report.sent, report.pending) == (1, 0)
    assert MailOutboxRecord.get(MailOutboxRecord.case == logged.id).attempts == 2
    assert len(handler.messages) == 1


def test_contact_without_email_is_refused_naming_the_field(services, team, smtp_server):
    configure_mail(services, team.admin, smtp_server[1])
    logged = email_case(services, team, email="")
    before = table_counts()

    with pytest.raises(ValidationError) as raised:
        services.cases.send_acknowledgement(team.alice, logged.id)
    assert raised.value.field == "contact_email"
    with pytest.raises(ValidationError) as raised:
        services.cases.resolve(team.alice, logged.id, summary="Fixed.", told_via="email", email_client=True)
    assert raised.value.field == "contact_email"
    assert table_counts() == before


def test_mail_not_configured_is_a_clear_error(services, team):
    logged = email_case(services, team)
    before = table_counts()

    with pytest.raises(MailNotConfigured, match="SMTP server"):
        services.cases.send_acknowledgement(team.alice, logged.id)
    with pytest.raises(MailNotConfigured):
        services.cases.resolve(team.alice, logged.id, summary="Fixed.", told_via="email", email_client=True)
    assert table_counts() == before
    report = MailSendJob(services.context, holder="x", environ={}).run_round(lambda: False)
    assert not report.configured


def test_a_workstation_without_the_smtp_password_leaves_sending_to_another(services, team):
    job = MailSendJob(services.context, holder="x", environ={})
    assert job.unavailable_here() == ""  # no SMTP server set: nothing to send, nothing missing
    configure_mail(services, team.admin, 2525)
    assert job.unavailable_here() == ""  # a server without a user name needs no password
    services.settings.update(team.admin, smtp_username="desk")
    assert job.unavailable_here() == f"{PASSWORD_ENVIRONMENT_VARIABLE} is not set on this workstation"
    with_password = MailSendJob(services.context, holder="x", environ={PASSWORD_ENVIRONMENT_VARIABLE: "pw"})
    assert with_password.unavailable_here() == ""


def test_resolution_email_needs_told_via_email(services, team, smtp_server):
    configure_mail(services, team.admin, smtp_server[1])
    logged = email_case(services, team)
    with pytest.raises(ValidationError) as raised:
        services.cases.resolve(team.alice, logged.id, summary="Fixed.", told_via="phone", email_client=True)
    assert raised.value.field == "email_client"


def test_acknowledging_twice_is_refused(services, team, smtp_server):
    configure_mail(services, team.admin, smtp_server[1])
    logged = email_case(services, team)
    services.cases.send_acknowledgement(team.alice, logged.id)
    with pytest.raises(WorkflowError, match="already acknowledged"):
        services.cases.send_acknowledgement(team.alice, logged.id)
    assert MailOutboxRecord.select().count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"smtp_port": 0}, "smtp_port"),
        ({"smtp_port": "587"}, "smtp_port"),
        ({"smtp_security": "tls"}, "smtp_security"),
        ({"mail_from_address": "not an address"}, "mail_from_address"),
        ({"smtp_host": "mail example"}, "smtp_host"),
    ],
)
def test_bad_smtp_settings_are_refused(services, team, changes, field):
    with pytest.raises(ValidationError) as raised:
        services.settings.update(team.admin, **changes)
    assert raised.value.field == field


def test_password_comes_from_the_environment_only(services):
    job = MailSendJob(services.context, holder="x", environ={"HELPDESK_SMTP_PASSWORD": "s3cret"})
    assert job.secret() == "s3cret"
    assert MailSendJob(services.context, holder="x", environ={}).secret() == ""
