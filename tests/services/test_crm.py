"""CRM sync: outbox events are written to the drop folder atomically, once, with retries counted."""

import json

import pytest

from desktop_helpdesk.services.crm import deliver_outbox
from desktop_helpdesk.services.outbox import MAX_ATTEMPTS
from desktop_helpdesk.storage.records import CrmOutboxRecord
from tests.conftest import halifax
from tests.services.conftest import caller

pytestmark = pytest.mark.usefixtures("engine")


def test_pending_events_are_delivered_once_as_json_files(services, team, clock, tmp_path):
    logged = services.cases.log_case(team.alice, subject="LMS down", channel="phone",
                                     new_contact=caller(), requested_priority="high")
    services.cases.add_interaction(team.alice, logged.id, channel="phone", direction="outbound",
                                   summary="Called back")
    folder = tmp_path / "crm-drop"
    report = deliver_outbox(folder, clock)
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
    assert all(r.sent_at == clock.now() and r.attempts == 1 for r in rows)
    # Nothing left: a second run writes nothing new.
    assert deliver_outbox(folder, clock).sent == 0
    assert len(list(folder.iterdir())) == 2


def test_failed_delivery_counts_the_attempt_and_retries_later(services, team, clock, tmp_path):
    services.cases.log_case(team.alice, subject="LMS down", channel="email", new_contact=caller())
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    report = deliver_outbox(blocked, clock)
    assert (report.sent, report.failed, report.pending) == (0, 1, 1)
    row = CrmOutboxRecord.get()
    assert row.attempts == 1 and row.sent_at is None and row.last_error
    clock.set(halifax(2026, 11, 25, 9, 5))
    report = deliver_outbox(tmp_path / "crm", clock)
    assert (report.sent, report.pending) == (1, 0)
    row = CrmOutboxRecord.get()
    assert row.attempts == 2 and row.last_error == "" and row.sent_at == clock.now()
    assert not [p for p in (tmp_path / "crm").iterdir() if p.name.endswith(".tmp")]


def test_events_that_keep_failing_stop_being_retried(services, team, clock, tmp_path):
    services.cases.log_case(team.alice, subject="LMS down", channel="email", new_contact=caller())
    CrmOutboxRecord.update(attempts=MAX_ATTEMPTS).execute()
    assert deliver_outbox(tmp_path / "crm", clock).sent == 0


def test_configured_drop_folder_is_used_and_none_means_no_sync(services, team, clock, tmp_path):
    from desktop_helpdesk.services.crm import deliver_configured

    services.cases.log_case(team.alice, subject="LMS down", channel="email", new_contact=caller())
    assert deliver_configured(services.context) is None
    services.settings.update(team.supervisor, crm_drop_folder=str(tmp_path / "crm"))
    report = deliver_configured(services.context)
    assert (report.sent, report.pending) == (1, 0)
    assert len(list((tmp_path / "crm").glob("*.json"))) == 1
