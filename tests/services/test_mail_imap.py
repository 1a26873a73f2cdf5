"""IMAP intake against a real IMAP server (pymap) on 127.0.0.1 with STARTTLS: by UID, moved
to Processed, never deleted, never doubled, and server trouble is a status line."""

from __future__ import annotations

import ssl
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid

import pytest

from desktop_helpdesk.services.mail_imap import intake_status, poll_mailbox
from desktop_helpdesk.storage.records import CaseRecord, InboundMailRecord
from tests.imap_server import PASSWORD, USER, running_imap_server
from tests.smtp_server import free_port

pytestmark = pytest.mark.usefixtures("engine")

ENVIRON = {"HELPDESK_IMAP_PASSWORD": PASSWORD}


@pytest.fixture
def imap(tmp_path):
    with running_imap_server(tmp_path) as server:
        yield server


def set_inbox(services, team, port, **extra):
    values = {"imap_host": "127.0.0.1", "imap_port": port, "imap_security": "starttls",
              "imap_username": USER, "imap_folder": "INBOX", "imap_processed_folder": "Processed"}
    values.update(extra)
    return services.settings.update(team.admin, **values)


def message(subject: str, sender: str = "Carol <carol@acme.example>") -> bytes:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = "support@helpdesk.example"
    mail["Subject"] = subject
    mail["Message-ID"] = make_msgid(domain="acme.example")
    mail.set_content(f"Please help with {subject}.")
    # CRLF, as IMAP servers store and return messages.
    return mail.as_bytes(policy=SMTP)


def poll(services, imap, **kwargs):
    kwargs.setdefault("environ", ENVIRON)
    kwargs.setdefault("ssl_context", imap.ssl_context())
    return poll_mailbox(services.mail_intake, services.context, **kwargs)


def test_poll_reads_by_uid_whatever_the_seen_flag_and_moves_to_processed(services, team, imap):
    set_inbox(services, team, imap.port)
    imap.deliver(message("Unread request"))
    imap.deliver(message("Request another client already read"), flags=(b"\\Seen",))

    report = poll(services, imap)

    assert report.ok, report.status_line
    assert [r.outcome for r in report.results] == ["new_case", "new_case"]
    assert imap.uids("INBOX") == []
    assert len(imap.uids("Processed")) == 2
    stored = list(InboundMailRecord.select().order_by(InboundMailRecord.uid))
    assert [s.source for s in stored] == ["imap", "imap"]
    assert all(s.uidvalidity and s.uid for s in stored)
    assert {bytes(s.raw) for s in stored} == set(imap.messages("Processed"))
    assert CaseRecord.select().count() == 2
    again = poll(services, imap)
    assert again.ok and again.results == ()
    status = intake_status(services.context)
    assert status.last_good_fetch == services.context.now() and status.waiting == 0


def test_the_same_message_twice_by_imap_is_one_case_and_both_copies_are_kept(services, team, imap):
    set_inbox(services, team, imap.port)
    raw = message("Sent twice")
    imap.deliver(raw)
    poll(services, imap)
    imap.deliver(raw)

    report = poll(services, imap)

    assert [r.outcome for r in report.results] == ["duplicate"]
    assert CaseRecord.select().count() == 1
    assert imap.messages("Processed") == [raw, raw]


def test_a_backlog_drains_in_batches(services, team, imap):
    set_inbox(services, team, imap.port)
    for n in range(5):
        imap.deliver(message(f"Backlog {n}", sender=f"client{n}@acme.example"))

    first = poll(services, imap, batch=3)
    second = poll(services, imap, batch=3)

    assert (len(first.results), first.waiting) == (3, 2)
    assert intake_status(services.context).waiting == 0
    assert len(second.results) == 2 and CaseRecord.select().count() == 5


@pytest.mark.parametrize("problem", ["untrusted certificate", "refused", "wrong password", "no password",
                                     "no folder"])
def test_server_trouble_is_a_clear_status_line_and_a_later_retry_works(services, team, imap, problem):
    set_inbox(services, team, imap.port)
    imap.deliver(message("Waiting for a working server"))
    kwargs = {}
    expected = {
        "untrusted certificate": "certificate is not trusted",
        "refused": "refused the connection",
        "wrong password": f"refused the login of {USER}",
        "no password": "HELPDESK_IMAP_PASSWORD is not set",
        "no folder": "has no folder 'Support'",
    }[problem]
    if problem == "untrusted certificate":
        kwargs["ssl_context"] = ssl.create_default_context()
    elif problem == "refused":
        set_inbox(services, team, free_port())
    elif problem == "wrong password":
        kwargs["environ"] = {"HELPDESK_IMAP_PASSWORD": "wrong"}
    elif problem == "no password":
        kwargs["environ"] = {}
    else:
        set_inbox(services, team, imap.port, imap_folder="Support")

    failed = poll(services, imap, **kwargs)

    assert not failed.ok
    assert expected in failed.status_line and "retrying in 60 s" in failed.status_line
    status = intake_status(services.context)
    assert expected in status.last_error and "retrying every 60 s" in status.describe()
    assert imap.uids("INBOX") != [] and CaseRecord.select().count() == 0
    set_inbox(services, team, imap.port)
    assert poll(services, imap).ok
    assert CaseRecord.select().count() == 1
    assert "last error" not in intake_status(services.context).describe()


def test_not_configured_is_said_plainly(services, team):
    report = poll_mailbox(services.mail_intake, services.context, environ=ENVIRON)
    assert not report.ok and "not set up" in report.status_line
