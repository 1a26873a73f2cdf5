"""Real worker processes on one database (SQLite file and PostgreSQL): two of them deliver
each CRM event exactly once to a webhook receiver and each client email exactly once to an
SMTP server; a worker killed with SIGKILL mid-delivery loses nothing after a restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

import desktop_helpdesk
from desktop_helpdesk.services.crm import WEBHOOK_SECRET_VARIABLE, configure_crm
from desktop_helpdesk.services.leases import CRM_DELIVERY, current_holder
from desktop_helpdesk.storage.db import database
from desktop_helpdesk.storage.records import CrmOutboxRecord, MailOutboxRecord
from tests.services.conftest import caller
from tests.smtp_server import CollectingHandler, free_port
from tests.webhook_server import Answer, running_webhook_server, signature_valid

pytestmark = pytest.mark.usefixtures("engine")

REPOSITORY = Path(desktop_helpdesk.__file__).resolve().parent.parent
SECRET = "a plain-text shared secret"


class WaitingHandler(CollectingHandler):
    """Keeps messages and lets the test wait for a count (no polling)."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook name)
        answer = await super().handle_DATA(server, session, envelope)
        with self.arrived:
            self.arrived.notify_all()
        return answer

    def wait_for(self, count: int, timeout: float = 60.0) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)


@pytest.fixture
def smtp():
    handler = WaitingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def receiver():
    with running_webhook_server() as server:
        yield server


def database_url() -> str:
    """The bound database as ``--db`` takes it (the SQLite path, or a postgresql:// URL)."""
    bound = database.obj
    if isinstance(bound.database, str) and bound.database.endswith(".sqlite3"):
        return bound.database
    params = bound.connect_params
    return f"postgresql://{params['user']}@{params['host']}:{params['port']}/{bound.database}"


def start_worker(label: str) -> subprocess.Popen:
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY), WEBHOOK_SECRET_VARIABLE: SECRET}
    # stderr to a file: a pipe nobody reads could fill up and block the worker.
    log = tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop_helpdesk", "worker", "--db", database_url(), "--label", label],
        stdout=subprocess.PIPE, stderr=log, text=True, env=environment,
    )
    process.log = log
    process.lines = []
    process.running = threading.Event()

    def drain() -> None:  # stdout read all along, so the worker never blocks on a full pipe
        for line in process.stdout:
            process.lines.append(line)
            if line.startswith("worker running"):
                process.running.set()
        process.running.set()  # exited

    process.drainer = threading.Thread(target=drain, name=f"drain {label}", daemon=True)
    process.drainer.start()
    return process


def worker_log(process: subprocess.Popen) -> str:
    process.log.seek(0)
    return process.log.read()


def wait_running(process: subprocess.Popen) -> str:
    """Block until the worker reports it runs (its SIGTERM handler is then in place)."""
    assert process.running.wait(60), "the worker did not start within 60 s"
    running = [line for line in process.lines if line.startswith("worker running")]
    assert running, f"worker exited: {process.poll()} {worker_log(process)[-3000:]}"
    return running[0].strip()


def stop(process: subprocess.Popen, how=signal.SIGTERM) -> int:
    if process.poll() is None:
        process.send_signal(how)
    try:
        return process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError(f"worker did not stop on SIGTERM: {worker_log(process)[-3000:]}") from None
    finally:
        process.drainer.join(10)
        process.stdout.close()
        process.log.close()


def busy_desk(services, team, smtp_port, receiver_url, cases=6):
    """Cases with three CRM events each and an acknowledgement email each."""
    services.settings.update(team.admin, smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_security="none",
                             mail_from_address="support@velsoft.example")
    configure_crm(services.context, webhook_url=receiver_url)
    for n in range(cases):
        logged = services.cases.log_case(team.alice, subject=f"Problem {n}", channel="email",
                                         new_contact=caller(name=f"Caller {n}", client_name=f"Client {n}",
                                                            email=f"caller{n}@client{n}.example",
                                                            phone=f"902 555 01{n:02d}"))
        services.cases.send_acknowledgement(team.alice, logged.id)
        services.cases.add_interaction(team.alice, logged.id, channel="phone", direction="outbound",
                                       summary="Called back")
    events = CrmOutboxRecord.select().count()
    emails = MailOutboxRecord.select().count()
    assert (events, emails) == (3 * cases, cases)  # logged, acknowledged, called back
    return events, emails


def test_two_workers_deliver_each_event_and_email_exactly_once(services, team, smtp, receiver):
    handler, smtp_port = smtp
    events, emails = busy_desk(services, team, smtp_port, receiver.url)
    workers = [start_worker("worker one"), start_worker("worker two")]
    try:
        for worker in workers:
            wait_running(worker)
        assert receiver.wait_until(lambda got: len(got) >= events, timeout=90)
        assert handler.wait_for(emails, timeout=90)
    finally:
        codes = [stop(worker) for worker in workers]
    assert codes == [0, 0]
    ids = [r.headers["webhook-id"] for r in receiver.received]
    assert sorted(ids) == sorted(row.event_id for row in CrmOutboxRecord.select())  # each exactly once
    assert all(signature_valid(SECRET, r) for r in receiver.received)
    subjects = [m["Subject"] for m in handler.messages]
    assert len(subjects) == len(set(subjects)) == emails
    assert sorted(m["To"] for m in handler.messages) == sorted(
        f"Caller {n} <caller{n}@client{n}.example>" for n in range(emails))
    assert CrmOutboxRecord.select().where(CrmOutboxRecord.sent_at.is_null()).count() == 0
    assert MailOutboxRecord.select().where(MailOutboxRecord.sent_at.is_null()).count() == 0
    assert current_holder(CRM_DELIVERY) is None  # both handed their leases on


def test_a_worker_killed_mid_delivery_loses_nothing_after_a_restart(services, team, smtp, receiver):
    handler, smtp_port = smtp
    events, _emails = busy_desk(services, team, smtp_port, receiver.url, cases=2)
    receiver.script[:] = [Answer(hang=True)]  # the first POST never gets its answer
    first = start_worker("doomed worker")
    try:
        assert receiver.wait_until(lambda got: len(got) == 1, timeout=60)
        in_flight = receiver.received[0].headers["webhook-id"]
    finally:
        assert stop(first, signal.SIGKILL) == -signal.SIGKILL
    receiver.release()
    assert CrmOutboxRecord.get(CrmOutboxRecord.event_id == in_flight).sent_at is None

    # The restarted worker (same host, the dead pid) takes over at once.
    second = start_worker("restarted worker")
    try:
        wait_running(second)
        assert receiver.wait_until(lambda got: len([r for r in got if not r.late]) >= events, timeout=90)
    finally:
        assert stop(second) == 0
    ids = [r.headers["webhook-id"] for r in receiver.received]
    assert ids.count(in_flight) == 2  # delivered again, with the same webhook-id
    assert set(ids) == {row.event_id for row in CrmOutboxRecord.select()}
    assert CrmOutboxRecord.select().where(CrmOutboxRecord.sent_at.is_null()).count() == 0
