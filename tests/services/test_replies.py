"""Replies from the case, canned replies and editable email templates, on SQLite and PostgreSQL;
a reply reaches a real SMTP server on 127.0.0.1 through the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desktop_helpdesk.services.errors import (
    NotFoundError,
    PermissionDenied,
    ValidationError,
    WorkflowError,
)
from desktop_helpdesk.services.mail import MailNotConfigured, deliver_mail_outbox
from desktop_helpdesk.storage.records import (
    AuditRecord,
    ContactRecord,
    InteractionRecord,
    MailOutboxRecord,
)
from tests.services.conftest import caller, table_counts
from tests.smtp_server import running_smtp_server

pytestmark = pytest.mark.usefixtures("engine")

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def configure_mail(services, admin, port=2525):
    services.settings.update(admin, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none",
                             mail_from_address="support@velsoft.example", mail_from_name="Velsoft Support")


def email_case(services, team):
    return services.cases.log_case(team.alice, subject="Course player shows a blank page", channel="email",
                                   requested_priority="high", new_contact=caller())


def test_a_first_reply_meets_respond_and_reaches_the_smtp_server_with_cc_and_attachment(
        services, team, clock, delivery_holder):
    with running_smtp_server() as server:
        configure_mail(services, team.admin, server.port)
        logged = email_case(services, team)
        screenshot = services.cases.add_attachment(team.alice, logged.id, filename="blank-page.png", data=PNG,
                                                   content_type="image/png")
        services.cases.add_attachment(team.alice, logged.id, filename="not-sent.txt", data=b"internal")
        clock.advance(timedelta(minutes=40))

        result = services.cases.send_reply(
            team.alice, logged.id, to="Carol Client <carol@acme.example>", cc="it@acme.example",
            subject=f"[Case {logged.number}] Course player shows a blank page",
            body="Dear {contact_first_name},\n\nPlease clear the cache of case {case_number}.\n\n{agent_name}",
            attachment_ids=(screenshot.id,),
        )

        assert result.satisfied == ("acknowledge", "respond")
        assert result.case.row.responded_at == clock.now() and result.case.status == "in_progress"
        interaction = InteractionRecord.get_by_id(result.interaction_id)
        assert (interaction.channel, interaction.direction) == ("email", "outbound")
        assert "Please clear the cache of case " + logged.number in interaction.summary
        actions = [entry.action for entry in services.cases.audit_trail(logged.id)]
        assert "email_queued" in actions and actions.count("sla_met") == 2

        clock.advance(timedelta(seconds=30))
        report = deliver_mail_outbox(clock, services.context.settings(), "", holder=delivery_holder, limit=10)

        assert report.sent == 1
        [message] = server.messages
        assert message["Subject"] == f"[Case {logged.number}] Course player shows a blank page"
        assert message["To"] == "Carol Client <carol@acme.example>" and message["Cc"] == "it@acme.example"
        assert sorted(server.handler.envelopes[0].rcpt_tos) == ["carol@acme.example", "it@acme.example"]
        assert message["X-Helpdesk-Case"] == logged.number
        body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
        assert f"Dear Carol,\n\nPlease clear the cache of case {logged.number}.\n\nAlice Agent" in body
        [attached] = list(message.iter_attachments())
        assert attached.get_filename() == "blank-page.png"
        assert attached.get_content_type() == "image/png" and attached.get_content() == PNG


def test_a_later_reply_meets_nothing_more_and_a_missing_tag_is_added(services, team, clock):
    configure_mail(services, team.admin)
    logged = email_case(services, team)
    services.cases.add_interaction(team.alice, logged.id, channel="phone", direction="outbound",
                                   summary="Called back")
    clock.advance(timedelta(hours=1))

    result = services.cases.send_reply(team.bob, logged.id, to="carol@acme.example", subject="Any news?",
                                       body="Hello {contact_name}")

    assert result.satisfied == ()
    row = MailOutboxRecord.get(MailOutboxRecord.kind == "reply")
    assert row.subject == f"[Case {logged.number}] Any news?"
    assert (row.to_address, row.to_name, row.body) == ("carol@acme.example", "Carol Client", "Hello Carol Client")


def test_without_email_set_up_nothing_is_sent_or_written(services, team):
    logged = email_case(services, team)
    before = table_counts()

    with pytest.raises(MailNotConfigured, match="Email is not set up"):
        services.cases.send_reply(team.alice, logged.id, to="carol@acme.example", subject="Hi", body="Hello")

    assert table_counts() == before
    assert services.replies.start(team.alice, logged.id).mail_problem.startswith("Email is not set up")


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"body": "Dear {contact_name}, see {ticket_url}"}, "body", "unknown placeholder {ticket_url}"),
    ({"to": "carol at acme"}, "to", "not an email address"),
    ({"to": ""}, "to", "required"),
    ({"cc": "it@acme.example, nonsense"}, "cc", "'nonsense' is not an email address"),
    ({"subject": "  "}, "subject", "required"),
    ({"body": " "}, "body", "required"),
])
def test_bad_replies_are_refused_naming_the_field_and_write_nothing(services, team, changes, field, words):
    configure_mail(services, team.admin)
    logged = email_case(services, team)
    before = table_counts()
    reply = {"to": "carol@acme.example", "subject": "Hi", "body": "Hello", **changes}

    with pytest.raises(ValidationError) as raised:
        services.cases.send_reply(team.alice, logged.id, **reply)

    assert raised.value.field == field and words in str(raised.value)
    assert table_counts() == before


def test_only_the_cases_own_attachments_go_out(services, team):
    configure_mail(services, team.admin)
    logged = email_case(services, team)
    other = services.cases.log_case(team.alice, subject="Other", channel="phone", new_contact=caller(
        name="Dan", email="dan@b.example", phone="+1 902 555 0100", client_name="Beta"))
    theirs = services.cases.add_attachment(team.alice, other.id, filename="theirs.txt", data=b"secret")

    with pytest.raises(ValidationError) as raised:
        services.cases.send_reply(team.alice, logged.id, to="carol@acme.example", subject="Hi", body="Hello",
                                  attachment_ids=(theirs.id,))

    assert raised.value.field == "attachments"
    assert MailOutboxRecord.select().count() == 0


def test_a_closed_case_takes_no_reply(services, team):
    configure_mail(services, team.admin)
    logged = email_case(services, team)
    services.cases.resolve(team.alice, logged.id, summary="Fixed", told_via="phone")
    services.cases.close(team.alice, logged.id)

    with pytest.raises(WorkflowError, match="closed"):
        services.cases.send_reply(team.alice, logged.id, to="carol@acme.example", subject="Hi", body="Hello")


def test_the_composer_starts_from_the_contact_template_and_case_files(services, team, clock):
    configure_mail(services, team.admin)
    logged = email_case(services, team)
    contact = services.cases.get_case(logged.id).contact_id
    services.contact_editing.update_contact(team.alice, contact, name="Carol Client", email="carol@acme.example",
                                            phone="+1 902 555 0142", other_emails=["carol@home.example"])
    ContactRecord.update(email_failing_at=clock.now(), email_failing_reason="550 mailbox full").where(
        ContactRecord.id == contact).execute()
    services.cases.add_attachment(team.alice, logged.id, filename="log.txt", data=b"trace")

    start = services.replies.start(team.bob, logged.id)

    assert start.to == "Carol Client <carol@acme.example>"
    assert start.other_addresses == ("carol@home.example",)
    assert start.subject == f"[Case {logged.number}] Course player shows a blank page"
    assert start.body_template.startswith("Dear {contact_name},")
    assert start.values["agent_name"] == "Bob Agent" and start.values["case_number"] == logged.number
    assert [a.filename for a in start.attachments] == ["log.txt"]
    assert start.email_failing == "550 mailbox full" and start.mail_problem == ""


def test_admins_edit_the_acknowledgement_and_it_is_what_clients_get(services, team, clock):
    configure_mail(services, team.admin)
    logged = email_case(services, team)

    saved = services.email_templates.save_template(
        team.admin, "acknowledgement", "Hi {contact_first_name}, case {case_number} is logged; reply by {respond_due}.")

    assert not saved.is_default
    services.cases.send_acknowledgement(team.alice, logged.id)
    row = MailOutboxRecord.get(MailOutboxRecord.kind == "acknowledgement")
    assert row.body == f"Hi Carol, case {logged.number} is logged; reply by Wednesday 25 November 2026, 13:00 AST."
    audit = AuditRecord.get(AuditRecord.action == "email_template_changed")
    assert audit.field == "acknowledgement" and audit.actor_id == team.admin
    assert audit.before.startswith("Dear {contact_name},")


def test_a_template_with_an_unknown_placeholder_is_refused_by_name(services, team):
    before = table_counts()

    with pytest.raises(ValidationError) as raised:
        services.email_templates.save_template(team.admin, "resolution", "Fixed: {resolution_text}")

    assert raised.value.field == "body" and "{resolution_text}" in str(raised.value)
    assert table_counts() == before
    with pytest.raises(PermissionDenied, match="Only an admin can edit the email templates"):
        services.email_templates.save_template(team.supervisor, "resolution", "Fixed: {resolution}")


def test_the_resolution_template_is_previewed_against_a_real_case_and_used(services, team):
    configure_mail(services, team.admin)
    logged = email_case(services, team)
    template = "Case {case_number} ({subject}) is solved: {resolution}\n-- {team_name}"

    preview = services.email_templates.preview(team.alice, "resolution", template, logged.number)

    assert preview.case_number == logged.number and preview.to == "Carol Client <carol@acme.example>"
    assert preview.body.startswith(f"Case {logged.number} (Course player shows a blank page) is solved: (the")
    with pytest.raises(NotFoundError):
        services.email_templates.preview(team.alice, "resolution", template, "2026-09999")
    services.email_templates.save_template(team.admin, "resolution", template)
    services.cases.resolve(team.alice, logged.id, summary="Cache cleared", told_via="email", email_client=True)
    row = MailOutboxRecord.get(MailOutboxRecord.kind == "resolution")
    assert row.body == f"Case {logged.number} (Course player shows a blank page) is solved: Cache cleared\n-- Velsoft Support"


def test_restoring_the_default_text_makes_the_template_default_again(services, team):
    [ack] = [t for t in services.email_templates.list_templates() if t.kind == "acknowledgement"]
    services.email_templates.save_template(team.admin, "acknowledgement", "Hi {contact_name}")

    restored = services.email_templates.save_template(team.admin, "acknowledgement", ack.default_body)

    assert restored.is_default and restored.body == ack.body


def test_canned_replies_team_wide_and_personal(services, team):
    shared = services.canned_replies.add(team.supervisor, "Clear the cache",
                                         "Hi {contact_first_name}, please clear the cache.", shared=True)
    mine = services.canned_replies.add(team.alice, "My sign-off", "Cheers, {agent_name}")
    services.canned_replies.add(team.bob, "Bob's own", "Bye")

    assert [(r.title, r.shared) for r in services.canned_replies.list_for(team.alice)] == [
        ("Clear the cache", True), ("My sign-off", False)]
    with pytest.raises(PermissionDenied, match="Only a supervisor or admin can add or change the team's"):
        services.canned_replies.add(team.alice, "Team", "x", shared=True)
    with pytest.raises(PermissionDenied):
        services.canned_replies.update(team.alice, shared.id, body="Changed")
    with pytest.raises(NotFoundError):
        services.canned_replies.update(team.bob, mine.id, body="Not yours")
    with pytest.raises(ValidationError) as raised:
        services.canned_replies.update(team.alice, mine.id, body="Cheers {nickname}")
    assert raised.value.field == "body" and "{nickname}" in str(raised.value)

    services.canned_replies.update(team.alice, mine.id, active=False)

    assert [r.title for r in services.canned_replies.list_for(team.alice)] == ["Clear the cache"]
    assert AuditRecord.select().where(AuditRecord.entity == "canned_reply").count() == 4


def test_the_clients_answer_to_a_reply_threads_back_onto_the_case(services, team, clock, delivery_holder):
    from tests.services.test_mail_intake import EML, mail

    with running_smtp_server() as server:
        configure_mail(services, team.admin, server.port)
        first = services.mail_intake.process(mail(message_id="<first.1@acme.example>"), EML)
        case_id = services.cases.case_id_for_number(first.case_number)
        services.cases.send_reply(team.alice, case_id, to="carol@acme.example", subject="Course player is blank",
                                  body="Please try again now.")
        clock.advance(timedelta(seconds=30))
        deliver_mail_outbox(clock, services.context.settings(), "", holder=delivery_holder, limit=10)
        [sent] = server.messages

        assert sent["In-Reply-To"] == "<first.1@acme.example>"
        assert sent["Subject"] == f"[Case {first.case_number}] Course player is blank"
        answer = mail(subject="RE: " + sent["Subject"], message_id="<answer.2@acme.example>",
                      in_reply_to=sent["Message-ID"], body="It works now, thank you.")
        threaded = services.mail_intake.process(answer, EML)

        assert (threaded.outcome.value, threaded.case_number) == ("threaded", first.case_number)
        summaries = [row.summary for row in InteractionRecord.select().where(InteractionRecord.case == case_id)]
        assert any("It works now, thank you." in summary for summary in summaries)
