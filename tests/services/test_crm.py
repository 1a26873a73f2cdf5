"""CRM sync: outbox events are written to the drop folder atomically, once, with retries counted."""

import json
from datetime import timedelta

import pytest

from desktop_helpdesk.services.crm import deliver_outbox
from desktop_helpdesk.storage.records import CrmOutboxRecord
from tests.conftest import halifax
from tests.services.conftest import caller

pytestmark = pytest.mark.usefixtures("engine")


def test_pending_events_are_delivered_once_as_json_files(services, team, clock, tmp_path, delivery_holder):
    logged = services.cases.log_case(team.alice, subject="LMS down", channel="phone",
                                     new_contact=caller(), requested_priority="high")
    services.cases.add_interaction(team.alice, logged.id, channel="phone", direction="outbound",
                                   summary="Called back")
    folder = tmp_path / "crm-drop"
    report = deliver_outbox(folder, clock, holder=delivery_holder)
    assert (report.sent, report.failed, report.pending) == (2, 0, 0)
    files = sorted(p.name for p in folder.iterdir())
    assert files == [f"{1:010d}-2026-00001-case_logged.json", f"{2:010d}-2026-00001-interaction.json"]
    body = json.loads((folder / files[1]).read_text(encoding="utf-8"))
    assert body["event"] == "interaction"
    assert body["summary"] == "Called back"
    assert body["client"] == "Acme Learning"
    assert body["author"] == "Alice Agent"
    assert body["outbox_id"] == 2
    rows = list(CrmOutboxRecord.select().order_by(CrmOutboxRecord.id))
    assert body["event_id"] == rows[1].event_id and body["version"] == 1
    assert len({r.event_id for r in rows}) == 2
    assert all(r.sent_at == clock.now() and r.attempts == 1 for r in rows)
    # Nothing left: a second run writes nothing new.
    assert deliver_outbox(folder, clock, holder=delivery_holder).sent == 0
    assert len(list(folder.iterdir())) == 2


def test_failed_delivery_counts_the_attempt_and_retries_after_its_back_off(services, team, clock, tmp_path,
                                                                          delivery_holder):
    services.cases.log_case(team.alice, subject="LMS down", channel="email", new_contact=caller())
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    report = deliver_outbox(blocked, clock, holder=delivery_holder)
    assert (report.sent, report.failed, report.pending) == (0, 1, 1)
    row = CrmOutboxRecord.get()
    assert row.attempts == 1 and row.sent_at is None and row.last_error
    assert deliver_outbox(tmp_path / "crm", clock, holder=delivery_holder).sent == 0  # backing off
    clock.set(halifax(2026, 11, 25, 9, 5))
    report = deliver_outbox(tmp_path / "crm", clock, holder=delivery_holder)
    assert (report.sent, report.pending) == (1, 0)
    row = CrmOutboxRecord.get()
    assert row.attempts == 2 and row.last_error == "" and row.sent_at == clock.now()
    assert not [p for p in (tmp_path / "crm").iterdir() if p.name.endswith(".tmp")]


def test_nothing_is_claimed_without_the_lease(services, team, clock, tmp_path, delivery_holder):
    services.cases.log_case(team.alice, subject="LMS down", channel="email", new_contact=caller())
    report = deliver_outbox(tmp_path / "crm", clock, holder="desk-99/5/someone-else")
    assert (report.sent, report.pending) == (0, 1)
    assert not (tmp_path / "crm").exists()


def test_configured_drop_folder_is_used_and_none_means_no_sync(services, team, clock, tmp_path, delivery_holder):
    from desktop_helpdesk.services.crm import CrmDeliveryJob

    services.cases.log_case(team.alice, subject="LMS down", channel="email", new_contact=caller())
    job = CrmDeliveryJob(services.context, holder=delivery_holder, environ={})
    assert not job.run_round(lambda: False).configured
    services.settings.update(team.supervisor, crm_drop_folder=str(tmp_path / "crm"))
    report = job.run_round(lambda: False)
    assert report.counters == {"sent": 1, "failed": 0, "pending": 0, "parked": 0}
    assert len(list((tmp_path / "crm").glob("*.json"))) == 1


def test_old_delivered_rows_are_pruned_after_the_retention(services, team, clock, tmp_path, delivery_holder):
    from desktop_helpdesk.services.outbox import prune_sent

    services.cases.log_case(team.alice, subject="LMS down", channel="email", new_contact=caller())
    deliver_outbox(tmp_path / "crm", clock, holder=delivery_holder)
    services.cases.log_case(team.alice, subject="VPN down", channel="email", new_contact=caller(name="Dan"))
    assert prune_sent(CrmOutboxRecord, clock.now() - timedelta(days=90)) == 0
    assert prune_sent(CrmOutboxRecord, clock.now() + timedelta(seconds=1)) == 1
    assert [r.sent_at for r in CrmOutboxRecord.select()] == [None]  # the unsent one stays
