"""The CRM webhook against a scripted receiver on 127.0.0.1: Standard Webhooks signatures,
retries (500, 429 with Retry-After, a reply past the timeout), 410 disabling, refusals
parked, per-case order, and every event arriving in the end."""

from __future__ import annotations

import base64
import random
from datetime import timedelta

import pytest

from desktop_helpdesk.services.crm import (
    WEBHOOK_SECRET_VARIABLE,
    CrmDeliveryJob,
    configure_crm,
    webhook_disabled,
)
from desktop_helpdesk.services.deliveries import DeliveryService, DeliveryState
from desktop_helpdesk.services.errors import ValidationError
from desktop_helpdesk.storage.records import AuditRecord, CrmOutboxRecord
from tests.services.conftest import caller
from tests.webhook_server import Answer, running_webhook_server, signature_valid

pytestmark = pytest.mark.usefixtures("engine")

SECRET = "whsec_" + base64.b64encode(b"a-shared-secret-of-32-bytes-long").decode()


@pytest.fixture
def receiver():
    with running_webhook_server() as server:
        yield server


def job(services, holder, **options):
    return CrmDeliveryJob(services.context, holder=holder, environ={WEBHOOK_SECRET_VARIABLE: SECRET},
                          rng=random.Random(7), timeout=options.pop("timeout", 5.0), **options)


def two_cases_two_events_each(services, team):
    """Case A and case B, each logged then called back: four events, A's first."""
    a = services.cases.log_case(team.alice, subject="LMS down", channel="phone", new_contact=caller())
    services.cases.add_interaction(team.alice, a.id, channel="phone", direction="outbound", summary="Called back")
    b = services.cases.log_case(team.alice, subject="VPN down", channel="phone",
                                new_contact=caller(name="Dan", client_name="Globex", email="dan@globex.example"))
    services.cases.add_interaction(team.alice, b.id, channel="phone", direction="outbound", summary="Rebooted")
    return a, b


def rows():
    return list(CrmOutboxRecord.select().order_by(CrmOutboxRecord.id))


def test_scripted_receiver_500_429_slow_410_then_200_gets_every_event_in_case_order(
        services, team, clock, receiver, delivery_holder):
    configure_crm(services.context, webhook_url=receiver.url)
    a, b = two_cases_two_events_each(services, team)
    a1, a2, b1, b2 = rows()
    assert (a1.case_id, a2.case_id, b1.case_id, b2.case_id) == (a.id, a.id, b.id, b.id)
    receiver.script[:] = [Answer(500, body="database restarting"),
                          Answer(429, {"Retry-After": "120"}, "slow down"),
                          Answer(hang=True),
                          Answer(410, body="endpoint removed")]
    deliver = job(services, delivery_holder, timeout=0.5)
    start = clock.now()

    # Round 1: A's first event meets the 500 (A's second waits behind it); B's first meets 429.
    report = deliver.run_round(lambda: False)
    assert report.counters == {"sent": 0, "failed": 2, "pending": 4, "parked": 0}, (report, [(r.status, r.event["event_id"]) for r in receiver.received], [(r.id, r.case_id, r.event_id, r.attempts, r.last_error) for r in rows()])
    assert [r.event["event_id"] for r in receiver.received] == [a1.event_id, b1.event_id]
    a1, a2, b1, b2 = rows()
    assert a1.last_error == "HTTP 500 Internal Server Error: database restarting"
    assert start + timedelta(seconds=15) <= a1.next_attempt_at <= start + timedelta(seconds=30)
    assert b1.next_attempt_at == start + timedelta(seconds=120)  # Retry-After honoured
    assert (a2.attempts, b2.attempts) == (0, 0)

    # Round 2, 31 s later: only A's first is due (B's waits for its Retry-After, and B's second
    # behind it); the receiver hangs past the 0.5 s timeout.
    clock.advance(timedelta(seconds=31))
    report = deliver.run_round(lambda: False)
    receiver.release()
    assert [r.event["event_id"] for r in receiver.received[2:]] == [a1.event_id]
    assert rows()[0].last_error == "no answer within 0.5 s"

    # Round 3, 10 minutes on: the receiver answers 410: delivery stops and the team is alerted.
    clock.advance(timedelta(minutes=10))
    deliver.run_round(lambda: False)
    assert receiver.received[3].status == 410
    disabled = webhook_disabled(services.context)
    assert disabled is not None and "410" in disabled.reason and "endpoint removed" in disabled.reason
    seen = len(receiver.received)
    clock.advance(timedelta(minutes=10))
    report = deliver.run_round(lambda: False)
    assert len(receiver.received) == seen  # nothing posted while disabled
    assert report.text == "webhook disabled by the CRM" and "set-webhook" in report.problem
    assert AuditRecord.select().where(AuditRecord.action == "crm_webhook_disabled").count() == 1

    # The integrator fixes the endpoint; setting the webhook again resumes delivery at once.
    configure_crm(services.context, webhook_url=receiver.url)
    assert webhook_disabled(services.context) is None
    report = deliver.run_round(lambda: False)
    assert report.counters == {"sent": 4, "failed": 0, "pending": 0, "parked": 0}

    # Every event arrived, signed, with webhook-id = event id; each case's in order.
    delivered = [r.event["event_id"] for r in receiver.delivered()]
    assert delivered == [a1.event_id, a2.event_id, b1.event_id, b2.event_id]
    assert all(signature_valid(SECRET, r) for r in receiver.received)
    assert all(r.headers["webhook-id"] == r.event["event_id"] for r in receiver.received)
    assert all(r.headers["content-type"] == "application/json" for r in receiver.received)
    for later, earlier in ((a2, a1), (b2, b1)):
        first_try_of_later = next(i for i, r in enumerate(receiver.received) if r.event["event_id"] == later.event_id)
        assert any(r.event["event_id"] == earlier.event_id and r.status == 200
                   for r in receiver.received[:first_try_of_later])
    body = receiver.delivered()[0].event
    assert body["version"] == 1 and body["event"] == "case_logged" and body["case_number"] == a.number
    assert int(receiver.received[0].headers["webhook-timestamp"]) == int(start.timestamp())
    assert all(row.sent_at is not None and row.claimed_by == "" for row in rows())


def test_a_refused_event_is_parked_its_case_waits_others_flow_and_retry_or_skip_free_it(
        services, team, clock, receiver, delivery_holder):
    configure_crm(services.context, webhook_url=receiver.url)
    a, b = two_cases_two_events_each(services, team)
    a1, a2, b1, b2 = rows()
    receiver.script[:] = [Answer(422, body='{"error": "unknown account manager"}')]
    deliver = job(services, delivery_holder)

    report = deliver.run_round(lambda: False)
    assert report.counters == {"sent": 2, "failed": 1, "pending": 1, "parked": 1}
    assert [r.event["event_id"] for r in receiver.delivered()] == [b1.event_id, b2.event_id]
    parked = CrmOutboxRecord.get_by_id(a1.id)
    assert parked.parked_at == clock.now() and "422" in parked.last_error and "unknown account manager" in parked.last_error

    # A's second event waits behind the parked one, however long.
    clock.advance(timedelta(days=3))
    assert deliver.run_round(lambda: False).counters["sent"] == 0
    deliveries = DeliveryService(services.context)
    listed = deliveries.undelivered()
    assert [(i.outbox_id, i.state) for i in listed] == [(a1.id, DeliveryState.PARKED), (a2.id, DeliveryState.PENDING)]
    assert deliveries.parked_count() == 1

    # Retry now puts it back; the receiver accepts it this time, then A's second follows.
    deliveries.retry_now(team.supervisor, "crm", a1.id)
    assert deliver.run_round(lambda: False).counters["sent"] == 2
    assert [r.event["event_id"] for r in receiver.delivered()][-2:] == [a1.event_id, a2.event_id]
    actions = [row.action for row in AuditRecord.select().where(AuditRecord.entity == "crm_outbox")]
    assert actions == ["delivery_retried"]


def test_skip_needs_a_reason_and_a_supervisor_and_frees_the_case(services, team, clock, receiver, delivery_holder):
    from desktop_helpdesk.services.errors import PermissionDenied

    configure_crm(services.context, webhook_url=receiver.url)
    a, _b = two_cases_two_events_each(services, team)
    a1, a2, *_ = rows()
    receiver.script[:] = [Answer(400, body="bad payload")]
    deliver = job(services, delivery_holder)
    deliver.run_round(lambda: False)
    deliveries = DeliveryService(services.context)
    with pytest.raises(ValidationError) as raised:
        deliveries.skip(team.supervisor, "crm", a1.id, "  ")
    assert raised.value.field == "reason"
    with pytest.raises(PermissionDenied):
        deliveries.skip(team.alice, "crm", a1.id, "duplicate")
    deliveries.skip(team.supervisor, "crm", a1.id, "The CRM already has this case (entered by hand)")
    skipped = CrmOutboxRecord.get_by_id(a1.id)
    assert skipped.sent_at is None and skipped.skipped_at == clock.now()
    audit = AuditRecord.get(AuditRecord.action == "delivery_skipped")
    assert (audit.actor_id, audit.case_id, audit.reason) == (team.supervisor, a.id,
                                                             "The CRM already has this case (entered by hand)")
    assert deliver.run_round(lambda: False).counters["sent"] == 1
    assert receiver.delivered()[-1].event["event_id"] == a2.event_id
    assert DeliveryService(services.context).undelivered() == []


def test_an_event_failing_for_48_hours_is_parked(services, team, clock, receiver, delivery_holder):
    configure_crm(services.context, webhook_url=receiver.url)
    services.cases.log_case(team.alice, subject="LMS down", channel="phone", new_contact=caller())
    deliver = job(services, delivery_holder)
    start = clock.now()
    tries = 0
    while clock.now() - start < timedelta(hours=49):
        receiver.script[:] = [Answer(503, body="maintenance")]
        if deliver.run_round(lambda: False).counters["failed"]:
            tries += 1
        row = CrmOutboxRecord.get()
        if row.parked_at is not None:
            break
        clock.set(row.next_attempt_at)
    row = CrmOutboxRecord.get()
    assert row.parked_at is not None and row.parked_at - start >= timedelta(hours=48)
    # Doubling from 30 s up to an hour, each wait a random 50-100 % of its step.
    assert row.attempts == tries and 48 < tries < 100


def test_a_workstation_without_the_secret_leaves_the_job_to_one_that_has_it(services, team, receiver):
    configure_crm(services.context, webhook_url=receiver.url)
    without = CrmDeliveryJob(services.context, holder="x", environ={})
    assert without.unavailable_here() == f"{WEBHOOK_SECRET_VARIABLE} is not set on this workstation"
    assert CrmDeliveryJob(services.context, holder="x", environ={WEBHOOK_SECRET_VARIABLE: SECRET}).unavailable_here() == ""


def test_webhook_url_must_be_https_except_to_this_machine(services):
    for bad in ("ftp://crm.example/hook", "http://crm.example/hook", "not a url"):
        with pytest.raises(ValidationError) as raised:
            configure_crm(services.context, webhook_url=bad)
        assert raised.value.field == "crm_webhook_url"
    configure_crm(services.context, webhook_url="https://hooks.crm.example/helpdesk")
    assert services.context.settings().crm_webhook_url == "https://hooks.crm.example/helpdesk"


def test_docs_show_one_example_per_event_type_with_the_fields_sent(services, team, clock, delivery_holder, tmp_path):
    """docs/crm-events.md is the integrators' contract: its examples carry exactly the fields
    the desk sends for each event type."""
    import json
    import re
    from pathlib import Path

    from desktop_helpdesk.services.crm import event_document

    docs = (Path(__file__).resolve().parents[2] / "docs" / "crm-events.md").read_text(encoding="utf-8")
    examples = [json.loads(block) for block in re.findall(r"```json\n(.*?)\n```", docs, re.S)]
    documented = {example["event"]: set(example) for example in examples}
    assert all(example["version"] == 1 for example in examples)

    logged = services.cases.log_case(team.alice, subject="LMS down", channel="phone", new_contact=caller())
    services.cases.add_interaction(team.alice, logged.id, channel="phone", direction="outbound", summary="x")
    services.cases.escalate(team.alice, logged.id, target_kind="client_it", target_name="Acme IT", reason="cert")
    services.cases.de_escalate(team.alice, logged.id, answer="renewed")
    services.cases.resolve(team.alice, logged.id, summary="Renewed.", told_via="phone")
    services.cases.close(team.alice, logged.id)
    services.cases.reopen(team.alice, logged.id, reason="still broken")
    sent = {row.event: set(event_document(row)) for row in CrmOutboxRecord.select()}
    assert sent == documented
