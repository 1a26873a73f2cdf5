"""Email intake on a real database (SQLite and PostgreSQL): every message becomes exactly one
outcome, replies thread, automatic mail is never answered, nothing is doubled or lost."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest

from desktop_helpdesk.services.contacts import NewClient
from desktop_helpdesk.services.errors import PermissionDenied, ValidationError, WorkflowError
from desktop_helpdesk.services.mail import build_message, deliver_mail_outbox
from desktop_helpdesk.services.mail_identity import threading_secret
from desktop_helpdesk.services.mail_intake import (
    UNKNOWN_SENDERS_CLIENT,
    MailSource,
    Outcome,
)
from desktop_helpdesk.storage.records import (
    AttachmentRecord,
    AuditRecord,
    CaseRecord,
    ClientEmailDomainRecord,
    ClientRecord,
    ContactRecord,
    InboundMailRecord,
    InteractionRecord,
    MailOutboxRecord,
)
from tests.services.conftest import caller, table_counts
from tests.smtp_server import running_smtp_server

pytestmark = pytest.mark.usefixtures("engine")

CPYTHON_CORPUS = Path(email.__file__).parent.parent / "test" / "test_email" / "data"
OUR_CORPUS = Path(__file__).parent.parent / "data" / "mail"
EML = MailSource("eml", "test.eml")

# What each message of CPython's email test suite must become, imported in name order.
# Duplicates share a Message-ID with an earlier file; quarantined ones are MIME fragments with
# no sender, or (msg_19) a bare body with no header at all.
CPYTHON_EXPECTED = {
    "msg_01.txt": Outcome.NEW_CASE, "msg_02.txt": Outcome.AUTO_REPLY,  # Mailman digest
    "msg_03.txt": Outcome.DUPLICATE, "msg_04.txt": Outcome.NEW_CASE,
    "msg_05.txt": Outcome.BOUNCE, "msg_06.txt": Outcome.NEW_CASE, "msg_07.txt": Outcome.NEW_CASE,
    "msg_08.txt": Outcome.NEW_CASE, "msg_09.txt": Outcome.NEW_CASE, "msg_10.txt": Outcome.NEW_CASE,
    "msg_11.txt": Outcome.QUARANTINED, "msg_12.txt": Outcome.NEW_CASE,
    "msg_12a.txt": Outcome.NEW_CASE, "msg_13.txt": Outcome.NEW_CASE,
    "msg_14.txt": Outcome.DUPLICATE, "msg_15.txt": Outcome.NEW_CASE, "msg_16.txt": Outcome.BOUNCE,
    "msg_17.txt": Outcome.NEW_CASE, "msg_18.txt": Outcome.QUARANTINED,
    "msg_19.txt": Outcome.QUARANTINED, "msg_20.txt": Outcome.DUPLICATE,
    "msg_21.txt": Outcome.NEW_CASE, "msg_22.txt": Outcome.NEW_CASE, "msg_23.txt": Outcome.NEW_CASE,
    "msg_24.txt": Outcome.NEW_CASE, "msg_25.txt": Outcome.BOUNCE, "msg_26.txt": Outcome.NEW_CASE,
    "msg_27.txt": Outcome.NEW_CASE, "msg_28.txt": Outcome.NEW_CASE,
    "msg_29.txt": Outcome.DUPLICATE, "msg_30.txt": Outcome.NEW_CASE, "msg_31.txt": Outcome.NEW_CASE,
    "msg_32.txt": Outcome.AUTO_REPLY, "msg_33.txt": Outcome.AUTO_REPLY,  # Precedence: bulk
    "msg_34.txt": Outcome.NEW_CASE, "msg_35.txt": Outcome.NEW_CASE, "msg_36.txt": Outcome.NEW_CASE,
    "msg_37.txt": Outcome.QUARANTINED, "msg_38.txt": Outcome.QUARANTINED,
    "msg_39.txt": Outcome.QUARANTINED, "msg_40.txt": Outcome.QUARANTINED,
    "msg_41.txt": Outcome.NEW_CASE, "msg_42.txt": Outcome.NEW_CASE, "msg_43.txt": Outcome.BOUNCE,
    "msg_44.txt": Outcome.DUPLICATE, "msg_45.txt": Outcome.NEW_CASE, "msg_46.txt": Outcome.NEW_CASE,
    "msg_47.txt": Outcome.NEW_CASE,
}

# Messages written for this project (tests/data/mail/SOURCES.md), for kinds CPython's lacks.
OUR_EXPECTED = {
    "apple-mail-with-rfc2231-attachment.eml": Outcome.NEW_CASE,
    "broken-encoded-words-cp1252.eml": Outcome.NEW_CASE,
    "dsn-bounce-postfix.eml": Outcome.BOUNCE,
    "exchange-auto-reply.eml": Outcome.AUTO_REPLY,
    "gmail-reply.eml": Outcome.NEW_CASE,  # its Message-IDs are not signed by this desk
    "gmail-vacation-reply.eml": Outcome.AUTO_REPLY,
    "html-only-with-remote-image.eml": Outcome.NEW_CASE,
    "inline-image-related.eml": Outcome.NEW_CASE,
    "list-newsletter.eml": Outcome.AUTO_REPLY,
    "no-message-id.eml": Outcome.NEW_CASE,
    "outlook-message.msg": Outcome.QUARANTINED,
    "outlook-reply.eml": Outcome.NEW_CASE,
    "outlook-rfc2047-attachment-name.eml": Outcome.NEW_CASE,
    "outlook-rules-auto-reply.eml": Outcome.AUTO_REPLY,
    "qmail-plain-bounce.eml": Outcome.BOUNCE,
    "thunderbird-new-request.eml": Outcome.NEW_CASE,
}


def corpus_files() -> list[Path]:
    return sorted(CPYTHON_CORPUS.glob("msg_*.txt")) + sorted(
        p for p in OUR_CORPUS.iterdir() if p.suffix in (".eml", ".msg"))


def process(services, raw: bytes, source: MailSource = EML):
    return services.mail_intake.process(raw, source)


def configure_mail(services, admin, port=2525, **extra):
    return services.settings.update(
        admin, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none",
        mail_from_address="support@helpdesk.example", mail_from_name="Support",
        mail_auto_acknowledge=True, **extra,
    )


def mail(sender="Carol Client <carol@acme.example>", subject="Course player is blank",
         body="The course player shows a blank page since this morning.", **headers) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@helpdesk.example"
    message["Subject"] = subject
    message["Date"] = format_datetime(headers.pop("date", None) or datetime(2026, 11, 25, 13, 0, tzinfo=UTC))
    message["Message-ID"] = headers.pop("message_id", None) or make_msgid(domain="acme.example")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


def acknowledgement_message_id(services, case_number: str) -> str:
    case = CaseRecord.get(CaseRecord.number == case_number)
    row = MailOutboxRecord.get(MailOutboxRecord.case == case.id)
    return build_message(row, services.context.settings(), threading_secret())["Message-ID"]


def test_the_corpus_is_accounted_for_and_importing_it_again_creates_nothing(services, team):
    files = corpus_files()
    assert len(files) >= 60 and len(list(CPYTHON_CORPUS.glob("msg_*.txt"))) >= 40
    expected = {**CPYTHON_EXPECTED, **OUR_EXPECTED}
    assert {f.name for f in files} == set(expected)

    outcomes = {f.name: process(services, f.read_bytes(), MailSource("eml", f.name)).outcome for f in files}

    assert outcomes == expected
    stored = InboundMailRecord.select().count()
    assert stored == sum(1 for o in outcomes.values() if o is not Outcome.DUPLICATE)
    assert CaseRecord.select().count() == sum(1 for o in outcomes.values() if o is Outcome.NEW_CASE)
    before = table_counts()
    again = [process(services, f.read_bytes(), MailSource("eml", f.name)).outcome for f in files]
    assert set(again) == {Outcome.DUPLICATE}
    assert table_counts() == before


def test_a_new_request_is_decoded_into_a_case_with_its_files(services, team):
    raw = (OUR_CORPUS / "apple-mail-with-rfc2231-attachment.eml").read_bytes()

    result = process(services, raw)

    case = CaseRecord.get(CaseRecord.number == result.case_number)
    assert case.subject == "Export log from the LMS" and case.channel == "email"
    assert case.acknowledged_at is None and case.status == "new"
    assert "The export fails every night" in case.description
    attachment = AttachmentRecord.get(AttachmentRecord.case == case.id)
    assert attachment.filename == "Journal d’export — nuit.txt"
    assert bytes(attachment.data).startswith(b"2026-11-24 02:00:01 ERROR")
    contact = ContactRecord.get_by_id(case.contact_id)
    assert (contact.name, contact.email) == ("Noah Singh", "noah.singh@woodgrove.example")
    assert ClientRecord.get_by_id(contact.client_id).name == UNKNOWN_SENDERS_CLIENT
    stored = InboundMailRecord.get_by_id(result.inbound_id)
    assert bytes(stored.raw) == raw and stored.case_id == case.id
    assert stored.message_id == "A1B2C3D4-E5F6-4789-9ABC-DEF012345678@woodgrove.example"


def test_html_only_mail_becomes_text_without_remote_content_and_history_is_folded(services, team):
    html = process(services, (OUR_CORPUS / "html-only-with-remote-image.eml").read_bytes())
    reply = process(services, (OUR_CORPUS / "outlook-reply.eml").read_bytes())

    text = CaseRecord.get(CaseRecord.number == html.case_number).description
    assert "0 completions" in text and "<https://lms.tailspin.example/report/42>" in text
    assert "pixel.gif" not in text and "alert" not in text and "<p>" not in text
    description = CaseRecord.get(CaseRecord.number == reply.case_number).description
    new_text, _, history = description.partition("--- Quoted history ---")
    assert "That worked – thank you!" in new_text and "re-exporting" not in new_text
    assert "re-exporting with SCORM 1.2" in history


def test_sender_matching_contact_then_client_domain_then_unknown_senders(services, team):
    known = services.cases.log_case(team.alice, subject="Phone call", channel="phone", new_contact=caller())
    acme = ClientRecord.get_by_id(known.client_id)
    ClientEmailDomainRecord.create(client=acme.id, domain="acme.example", created_at=services.context.now())

    by_address = process(services, mail(sender="carol@ACME.example"))
    by_domain = process(services, mail(sender="Dan New <dan@acme.example>"))
    stranger = process(services, mail(sender="Eve <eve@elsewhere.example>"))

    assert CaseRecord.get(CaseRecord.number == by_address.case_number).contact_id == known.contact_id
    dan = ContactRecord.get(ContactRecord.email_lower == "dan@acme.example")
    assert dan.client_id == acme.id and dan.name == "Dan New"
    eve = ContactRecord.get(ContactRecord.email_lower == "eve@elsewhere.example")
    assert ClientRecord.get_by_id(eve.client_id).name == UNKNOWN_SENDERS_CLIENT
    assert stranger.outcome is by_domain.outcome is Outcome.NEW_CASE


def test_automatic_acknowledgement_then_reply_threads_by_our_signed_message_id(services, team):
    configure_mail(services, team.admin)
    first = process(services, mail())
    case = CaseRecord.get(CaseRecord.number == first.case_number)
    assert case.acknowledged_at == services.context.now()
    assert "acknowledged automatically" in first.reason
    our_id = acknowledgement_message_id(services, first.case_number)
    row = MailOutboxRecord.get(MailOutboxRecord.case == case.id)
    sent = build_message(row, services.context.settings(), threading_secret())
    assert sent["Auto-Submitted"] == "auto-replied" and sent["X-Helpdesk-Loop"]
    assert sent["In-Reply-To"].strip("<>") == InboundMailRecord.get().message_id

    reply = process(services, mail(subject="Re: something else", body="Here is more detail.",
                                   In_Reply_To=our_id, References=our_id))
    forged = our_id.replace(our_id[our_id.index(".", 3) + 1:our_id.index("@")], "0" * 20, 1)
    not_ours = process(services, mail(subject="Re: x", body="Forged", In_Reply_To=forged))

    assert (reply.outcome, reply.case_number) == (Outcome.THREADED, first.case_number)
    text = InteractionRecord.get_by_id(InboundMailRecord.get_by_id(reply.inbound_id).interaction_id).summary
    assert "Here is more detail." in text
    assert not_ours.outcome is Outcome.NEW_CASE
    assert CaseRecord.get_by_id(case.id).responded_at is None


def test_case_tag_in_the_subject_threads_only_for_contacts_of_the_case_client(services, team):
    logged = services.cases.log_case(team.alice, subject="Player", channel="email", new_contact=caller())
    tag = f"RE: [Case {logged.number}] Player"
    colleague = services.contacts.create_contact(team.admin, logged.client_id, "Colin",
                                                 email="colin@acme.example")

    from_colleague = process(services, mail(sender="colin@acme.example", subject=tag))
    from_stranger = process(services, mail(sender="mallory@evil.example", subject=tag))

    assert colleague.client_id == logged.client_id
    assert (from_colleague.outcome, from_colleague.case_number) == (Outcome.THREADED, logged.number)
    assert from_stranger.outcome is Outcome.NEW_CASE and from_stranger.case_number != logged.number
    new_case = CaseRecord.get(CaseRecord.number == from_stranger.case_number)
    assert f"Mentions case {logged.number}" in new_case.description


def test_a_contacts_further_address_is_theirs(services, team):
    from desktop_helpdesk.storage.records import ContactAddressRecord

    logged = services.cases.log_case(team.alice, subject="Phone call", channel="phone", new_contact=caller())
    ContactAddressRecord.create(contact=logged.contact_id, kind="email", value="Carol@Home.example",
                                normalised="carol@home.example", created_at=services.context.now())

    new = process(services, mail(sender="carol@home.example", subject="From home"))
    reply = process(services, mail(sender="carol@home.example", subject=f"Re: [Case {logged.number}]"))

    assert CaseRecord.get(CaseRecord.number == new.case_number).contact_id == logged.contact_id
    assert (reply.outcome, reply.case_number) == (Outcome.THREADED, logged.number)


def test_unknown_senders_cannot_post_into_each_others_cases_by_number(services, team):
    first = process(services, mail(sender="ann@one.example", subject="My request"))
    other = process(services, mail(sender="bob@two.example", subject=f"Re: [Case {first.case_number}]"))
    own = process(services, mail(sender="ann@one.example", subject=f"Re: [Case {first.case_number}] My request"))

    assert other.outcome is Outcome.NEW_CASE and other.case_number != first.case_number
    assert (own.outcome, own.case_number) == (Outcome.THREADED, first.case_number)


def test_reply_reopens_a_resolved_case_and_opens_a_linked_case_for_a_closed_one(services, team):
    resolved = services.cases.log_case(team.alice, subject="A", channel="email", new_contact=caller())
    services.cases.resolve(team.alice, resolved.id, summary="Cleared the cache", told_via="email")
    closed = services.cases.log_case(team.alice, subject="B", channel="email", contact_id=resolved.contact_id)
    services.cases.resolve(team.alice, closed.id, summary="Fixed", told_via="email")
    services.cases.close(team.alice, closed.id)

    reopened = process(services, mail(subject=f"Re: [Case {resolved.number}] A", body="Back again"))
    follow_up = process(services, mail(subject=f"Re: [Case {closed.number}] B", body="Broken again"))

    assert reopened.outcome is Outcome.THREADED and "reopened" in reopened.reason
    assert CaseRecord.get_by_id(resolved.id).status == "in_progress"
    assert follow_up.outcome is Outcome.NEW_CASE and follow_up.case_number != closed.number
    assert CaseRecord.get_by_id(closed.id).status == "closed"
    new_case = CaseRecord.get(CaseRecord.number == follow_up.case_number)
    assert f"Follows closed case {closed.number}" in new_case.description
    links = {(a.case_id, a.after) for a in AuditRecord.select().where(AuditRecord.field == "linked_case")}
    assert links == {(new_case.id, closed.number), (closed.id, follow_up.case_number)}


def test_automatic_mail_and_our_own_mail_are_logged_and_never_answered(services, team):
    configure_mail(services, team.admin)
    first = process(services, mail())
    our_id = acknowledgement_message_id(services, first.case_number)
    outbox_before = MailOutboxRecord.select().count()
    case = CaseRecord.get(CaseRecord.number == first.case_number)

    out_of_office = process(services, mail(subject="Automatic reply: Course player", body="Away",
                                           In_Reply_To=our_id, Auto_Submitted="auto-replied"))
    loop = process(services, mail(sender="support@helpdesk.example", subject="hello"))
    exchange = process(services, (OUR_CORPUS / "exchange-auto-reply.eml").read_bytes())

    assert (out_of_office.outcome, out_of_office.case_number) == (Outcome.AUTO_REPLY, first.case_number)
    assert loop.outcome is Outcome.AUTO_REPLY and loop.case_number is None
    assert exchange.outcome is Outcome.AUTO_REPLY
    assert MailOutboxRecord.select().count() == outbox_before
    after = CaseRecord.get_by_id(case.id)
    assert (after.status, after.responded_at, after.version) == (case.status, None, case.version + 1)


def test_one_automatic_acknowledgement_per_sender_per_four_hours(services, team, clock):
    configure_mail(services, team.admin)
    first = process(services, mail(subject="One"))
    second = process(services, mail(subject="Two"))
    clock.advance(timedelta(hours=4, minutes=1))
    third = process(services, mail(subject="Three"))

    assert "acknowledged automatically" in first.reason
    assert "not acknowledged" in second.reason
    assert CaseRecord.get(CaseRecord.number == second.case_number).acknowledged_at is None
    assert "acknowledged automatically" in third.reason
    assert MailOutboxRecord.select().where(MailOutboxRecord.automatic == True).count() == 2  # noqa: E712


def test_a_flood_is_held_in_quarantine_and_an_agent_can_release_or_discard(services, team, clock):
    services.settings.update(team.admin, mail_new_cases_per_sender_per_hour=3)
    results = [process(services, mail(subject=f"Request {n}")) for n in range(5)]

    assert [r.outcome for r in results] == [Outcome.NEW_CASE] * 3 + [Outcome.QUARANTINED] * 2
    assert "held" in results[3].reason
    waiting = services.mail_intake.quarantined()
    assert [w.id for w in waiting] == [results[4].inbound_id, results[3].inbound_id]
    assert "Subject: Request 3" in waiting[1].headers

    created = services.mail_intake.create_case_anyway(team.alice, results[3].inbound_id)
    with pytest.raises(ValidationError):
        services.mail_intake.discard(team.alice, results[4].inbound_id, "  ")
    services.mail_intake.discard(team.alice, results[4].inbound_id, "customer test spam")

    assert created.outcome is Outcome.NEW_CASE
    assert services.mail_intake.quarantined() == []
    discarded = InboundMailRecord.get_by_id(results[4].inbound_id)
    assert (discarded.quarantine_state, discarded.quarantine_note) == ("discarded", "customer test spam")
    actions = {a.action for a in AuditRecord.select().where(AuditRecord.entity == "inbound_mail",
                                                            AuditRecord.actor == team.alice)}
    assert actions == {"email_created_anyway", "email_discarded"}
    with pytest.raises(WorkflowError):
        services.mail_intake.reprocess(team.alice, results[4].inbound_id)
    clock.advance(timedelta(hours=1, minutes=1))
    assert process(services, mail(subject="Later")).outcome is Outcome.NEW_CASE


def test_reprocess_applies_a_raised_limit(services, team):
    services.settings.update(team.admin, mail_new_cases_per_sender_per_hour=1)
    process(services, mail(subject="One"))
    held = process(services, mail(subject="Two"))
    services.settings.update(team.admin, mail_new_cases_per_sender_per_hour=5)

    again = services.mail_intake.reprocess(team.bob, held.inbound_id)

    assert again.outcome is Outcome.NEW_CASE
    assert InboundMailRecord.get_by_id(held.inbound_id).quarantine_state == "released"


def test_bounces_go_to_the_original_case_and_mark_the_address_failing(services, team):
    configure_mail(services, team.admin)
    first = process(services, mail(sender="Old Contact <old.contact@northwind.example>"))
    case = CaseRecord.get(CaseRecord.number == first.case_number)
    our_id = acknowledgement_message_id(services, first.case_number)
    dsn = (OUR_CORPUS / "dsn-bounce-postfix.eml").read_bytes().replace(
        b"<hd3.3.00000000000000000000@helpdesk.example>", our_id.encode())

    bounce = process(services, dsn)

    assert (bounce.outcome, bounce.case_number) == (Outcome.BOUNCE, first.case_number)
    contact = ContactRecord.get(ContactRecord.email_lower == "old.contact@northwind.example")
    assert contact.email_failing_at == services.context.now()
    assert "5.1.1" in contact.email_failing_reason
    after = CaseRecord.get_by_id(case.id)
    assert (after.status, after.acknowledged_at, after.responded_at) == (
        case.status, case.acknowledged_at, None)
    note = InteractionRecord.get_by_id(InboundMailRecord.get_by_id(bounce.inbound_id).interaction_id)
    assert note.channel == "note" and note.satisfies == ""
    assert MailOutboxRecord.select().count() == 1


def test_oversize_and_non_rfc822_files_are_quarantined_without_blocking(services, team):
    services.settings.update(team.admin, mail_max_message_bytes=50_000)
    big = mail(body="x" * 60_000)
    msg = (OUR_CORPUS / "outlook-message.msg").read_bytes()

    results = [process(services, big), process(services, msg), process(services, mail())]

    assert [r.outcome for r in results] == [Outcome.QUARANTINED, Outcome.QUARANTINED, Outcome.NEW_CASE]
    assert "over the size limit" in results[0].reason
    assert results[1].reason == "not an RFC 822 message"
    with pytest.raises(WorkflowError):
        services.mail_intake.create_case_anyway(team.alice, results[1].inbound_id)
    assert bytes(InboundMailRecord.get_by_id(results[0].inbound_id).raw) == big


def test_the_same_message_by_imap_then_eml_is_one_case(services, team):
    raw = mail()
    imap = process(services, raw, MailSource("imap", "support@example/INBOX", 7, 42))
    eml = process(services, raw.replace(b"\n", b"\r\n"))

    assert imap.outcome is Outcome.NEW_CASE
    assert (eml.outcome, eml.case_number) == (Outcome.DUPLICATE, imap.case_number)
    stored = InboundMailRecord.get()
    assert (stored.uidvalidity, stored.uid, stored.source) == (7, 42, "imap")


def test_acknowledgement_delivered_over_smtp_carries_loop_protection(services, team, delivery_holder):
    with running_smtp_server() as server:
        configure_mail(services, team.admin, port=server.port)
        process(services, mail())
        report = deliver_mail_outbox(services.context.clock, services.context.settings(), "",
                                     holder=delivery_holder)
        assert report.sent == 1
        sent = server.messages[0]
    assert sent["Auto-Submitted"] == "auto-replied"
    assert sent["X-Helpdesk-Loop"]
    assert sent["Message-ID"].startswith("<hd")

    # The client's auto-responder answers our acknowledgement: logged, and answered by nothing.
    bounce_back = mail(subject="Out of office", Auto_Submitted="auto-replied",
                       In_Reply_To=sent["Message-ID"], X_Helpdesk_Loop="someone-else")
    assert process(services, bounce_back).outcome is Outcome.AUTO_REPLY
    assert MailOutboxRecord.select().count() == 1


def test_client_email_domains_set_by_a_supervisor_match_new_senders(services, team):
    acme = services.contacts.create_client(team.admin, NewClient("Acme Learning"))
    other = services.contacts.create_client(team.admin, NewClient("Bluenose College"))
    with pytest.raises(PermissionDenied):
        services.contact_editing.set_client_domains(team.alice, acme.id, ["acme.example"])
    with pytest.raises(ValidationError) as malformed:
        services.contact_editing.set_client_domains(team.admin, acme.id, ["not a domain"])
    assert malformed.value.field == "email_domains"
    assert services.contact_editing.set_client_domains(
        team.supervisor, acme.id, [" @ACME.example", "acme-learning.example", "acme.example"]
    ) == ("acme.example", "acme-learning.example")
    with pytest.raises(ValidationError, match="acme.example already belongs to Acme Learning"):
        services.contact_editing.set_client_domains(team.admin, other.id, ["acme.example"])
    listed = {c.name: c for c in services.contacts.list_clients()}
    assert listed["Acme Learning"].email_domains == ("acme-learning.example", "acme.example")
    assert listed["Bluenose College"].email_domains == ()
    assert AuditRecord.get(AuditRecord.field == "email_domains").after == (
        "acme.example, acme-learning.example")

    result = process(services, mail(sender="Dan New <dan@acme-learning.example>"))

    assert result.outcome is Outcome.NEW_CASE
    assert ContactRecord.get(ContactRecord.email_lower == "dan@acme-learning.example").client_id == acme.id
