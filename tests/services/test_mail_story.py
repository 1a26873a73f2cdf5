"""The story from the issue, with exact SLA instants: an email at 15:45 on a Friday is logged
and acknowledged automatically (over a real SMTP server), the client's Monday reply threads
onto the case and meets nothing, and an out-of-office reply to the acknowledgement is logged
and answered by nothing."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

import pytest

from desktop_helpdesk.domain.clock import ManualClock
from desktop_helpdesk.domain.sla import ClockState
from desktop_helpdesk.services.container import Services
from desktop_helpdesk.services.mail import deliver_mail_outbox
from desktop_helpdesk.services.mail_intake import MailSource, Outcome
from desktop_helpdesk.storage.records import CaseRecord, InteractionRecord, MailOutboxRecord
from tests.conftest import halifax
from tests.smtp_server import running_smtp_server

pytestmark = pytest.mark.usefixtures("engine")


@pytest.fixture
def clock():
    return ManualClock(halifax(2026, 11, 27, 15, 45))  # a Friday, 45 minutes before closing


def email(subject, body, **headers) -> bytes:
    message = EmailMessage()
    message["From"] = "Renée Smith <renee.smith@coastal.example>"
    message["To"] = "support@velsoft.example"
    message["Subject"] = subject
    message["Message-ID"] = headers.pop("message_id")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return bytes(message)


def test_friday_email_acknowledged_monday_reply_threads_out_of_office_answered_by_nothing(
        services: Services, team, clock, delivery_holder):
    with running_smtp_server() as smtp:
        services.settings.update(
            team.admin, smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_security="none",
            mail_from_address="support@velsoft.example", mail_from_name="Velsoft Support",
            mail_auto_acknowledge=True,
        )
        first = services.mail_intake.process(
            email("xAPI statements missing in LRS", "Since Thursday no statements arrive.",
                  message_id="<friday-1@coastal.example>"), MailSource("eml", "friday.eml"))
        report = deliver_mail_outbox(services.context.clock, services.context.settings(), "",
                                     holder=delivery_holder)
        assert report.sent == 1
        acknowledgement = smtp.messages[0]

    case = services.cases.get_case(CaseRecord.get(CaseRecord.number == first.case_number).id)
    assert first.outcome is Outcome.NEW_CASE
    assert case.received_at == halifax(2026, 11, 27, 15, 45)
    assert case.row.acknowledged_at == halifax(2026, 11, 27, 15, 45)
    assert case.acknowledge_clock.state is ClockState.MET
    record = CaseRecord.get_by_id(case.id)
    # 45 business minutes on Friday, the rest from 08:00 on Monday.
    assert record.acknowledge_due_at == halifax(2026, 11, 30, 9, 15)
    assert record.respond_due_at == halifax(2026, 11, 30, 15, 45)
    assert record.resolve_due_at == halifax(2026, 12, 2, 15, 45)
    assert acknowledgement["Auto-Submitted"] == "auto-replied"
    assert acknowledgement["In-Reply-To"] == "<friday-1@coastal.example>"
    assert f"[Case {first.case_number}]" in acknowledgement["Subject"]
    body = acknowledgement.get_content()
    assert "8:00 am to 4:30 pm" in body and first.case_number in body

    clock.set(halifax(2026, 11, 30, 10, 0))  # Monday morning: the client answers
    reply = services.mail_intake.process(
        email(f"Re: {acknowledgement['Subject']}", "Here is the LRS endpoint log.",
              message_id="<monday-1@coastal.example>", In_Reply_To=acknowledgement["Message-ID"]),
        MailSource("eml", "monday.eml"))
    clock.advance(timedelta(minutes=5))
    out_of_office = services.mail_intake.process(
        email("Automatic reply: xAPI statements missing in LRS", "I am away until Wednesday.",
              message_id="<oof-1@coastal.example>", In_Reply_To=acknowledgement["Message-ID"],
              Auto_Submitted="auto-replied", X_MS_Exchange_Inbox_Rules_Loop="renee.smith@coastal.example"),
        MailSource("eml", "oof.eml"))

    assert (reply.outcome, reply.case_number) == (Outcome.THREADED, first.case_number)
    assert "our Message-ID" in reply.reason
    assert (out_of_office.outcome, out_of_office.case_number) == (Outcome.AUTO_REPLY, first.case_number), out_of_office.reason
    after = services.cases.get_case(case.id, now=halifax(2026, 11, 30, 10, 5))
    assert after.status == "acknowledged"
    assert after.row.responded_at is None and after.respond_clock.state is not ClockState.MET
    assert CaseRecord.get_by_id(case.id).respond_due_at == halifax(2026, 11, 30, 15, 45)
    inbound = list(InteractionRecord.select().where(InteractionRecord.case == case.id,
                                                    InteractionRecord.direction == "inbound")
                   .order_by(InteractionRecord.id))
    assert [i.satisfies for i in inbound] == ["", "", ""]
    assert "LRS endpoint log" in inbound[1].summary and "away until Wednesday" in inbound[2].summary
    assert MailOutboxRecord.select().count() == 1  # the out-of-office got no answer
