"""A mail poll killed with SIGKILL at a random moment, then run again: no message is lost and
none is doubled (the message is stored with its case before it is moved on the server)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import desktop_helpdesk
from desktop_helpdesk.storage.records import CaseRecord, InboundMailRecord
from tests.imap_server import PASSWORD, running_imap_server
from tests.services.test_mail_imap import message, poll, set_inbox

REPOSITORY = Path(desktop_helpdesk.__file__).resolve().parent.parent


@pytest.fixture
def imap(tmp_path):
    with running_imap_server(tmp_path) as server:
        yield server


def test_a_poll_killed_at_a_random_moment_loses_and_doubles_nothing(services, team, imap, db_path):
    set_inbox(services, team, imap.port)
    count = 12
    sent = [message(f"Request {n}", sender=f"client{n}@acme.example") for n in range(count)]
    for raw in sent:
        imap.deliver(raw)
    env = {**os.environ, "PYTHONPATH": str(REPOSITORY), "HELPDESK_IMAP_PASSWORD": PASSWORD,
           "SSL_CERT_FILE": str(imap.cert_file)}
    stop_after = random.Random().randrange(0, count - 1)
    child = subprocess.Popen(
        [sys.executable, "-m", "desktop_helpdesk", "mail", "poll", "--once", "--db", str(db_path)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=REPOSITORY,
    )
    try:
        for _ in range(stop_after):
            assert child.stdout.readline().startswith(b"UID "), "the poll ended early"
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()
        child.stdout.close()

    report = poll(services, imap)

    assert report.ok, report.status_line
    assert imap.uids("INBOX") == []
    assert sorted(imap.messages("Processed")) == sorted(sent)
    stored = [bytes(row.raw) for row in InboundMailRecord.select()]
    assert sorted(stored) == sorted(sent)
    assert CaseRecord.select().count() == count
