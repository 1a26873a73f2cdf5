"""The job scheduler: rounds only under the job's lease, on the job's interval, with long
rounds keeping their lease and stopping once it is lost or the process stops."""

from __future__ import annotations

import pytest

from desktop_helpdesk.services.backups import DATABASE_BACKUP
from desktop_helpdesk.services.jobs import JobReport, JobScheduler, team_jobs
from desktop_helpdesk.services.leases import (
    CRM_DELIVERY,
    LEASE_EXPIRY_SECONDS,
    MAIL_INTAKE,
    MAIL_SEND,
    current_holder,
)
from desktop_helpdesk.services.outbox import DeliveryReport
from tests.services.test_leases import Monotonic, service

pytestmark = pytest.mark.usefixtures("engine")


class CountingJob:
    """A job that does ``items`` items per round, asking ``should_stop`` before each."""

    def __init__(self, lease_name, interval_seconds=30.0, items=3, before_item=None, fail=False):
        self.lease_name = lease_name
        self.interval_seconds = interval_seconds
        self.items = items
        self.before_item = before_item or (lambda: None)
        self.fail = fail
        self.rounds = 0
        self.done = 0

    def run_round(self, should_stop):
        self.rounds += 1
        if self.fail:
            raise OSError("disk full")
        done = 0
        for _ in range(self.items):
            self.before_item()
            if should_stop():
                break
            done += 1
        self.done += done
        return JobReport(f"{done} done", {"sent": done})


def test_team_jobs_lists_crm_delivery_mail_sending_the_backup_and_mail_intake(services, engine):
    jobs = team_jobs(services.context, holder="desk-07/1/x", environ={})
    assert [job.lease_name for job in jobs] == [CRM_DELIVERY, MAIL_SEND, DATABASE_BACKUP, MAIL_INTAKE]
    assert [job.interval_seconds for job in jobs] == [60.0, 30.0, 900.0, 60.0]
    # Not set up: a round says so and sends (or reads) nothing.
    reports = [job.run_round(lambda: False) for job in (jobs[0], jobs[1], jobs[3])]
    assert [r.configured for r in reports] == [False, False, False]
    # The backup job backs up a SQLite file; PostgreSQL is pg_dump's.
    assert jobs[2].run_round(lambda: False).configured is (engine == "sqlite")


def test_only_the_lease_holder_runs_a_job_and_intervals_are_kept():
    now = Monotonic()
    mine, theirs = CountingJob(CRM_DELIVERY), CountingJob(CRM_DELIVERY)
    first = JobScheduler([mine], service("dana", "desk-07", 1, monotonic=now), monotonic=now)
    second = JobScheduler([theirs], service("eve", "desk-08", 2, monotonic=now), monotonic=now)
    [outcome] = first.run_due()
    assert outcome.held and outcome.report.text == "3 done"
    [other] = second.run_due()
    assert not other.held and other.holder.label == "dana" and theirs.rounds == 0
    assert first.run_due() == []  # not due again yet
    assert first.seconds_until_due() == pytest.approx(20.0)  # the next lease renewal
    now.value += 30
    assert [o.held for o in first.run_due()] == [True]
    first.request(CRM_DELIVERY)
    assert first.seconds_until_due() == 0.0 and len(first.run_due()) == 1
    assert mine.rounds == 3


def test_a_long_round_keeps_its_lease_and_stops_when_asked():
    now = Monotonic()
    stop = {"flag": False}

    def slow_item():  # each item takes 40 s: the round outlives the 90 s expiry
        now.value += 40
        if now.value > 1000 + 200:
            stop["flag"] = True

    job = CountingJob(CRM_DELIVERY, items=10, before_item=slow_item)
    leases = service("dana", "desk-07", 1, monotonic=now)
    [outcome] = JobScheduler([job], leases, monotonic=now).run_due(lambda: stop["flag"])
    assert outcome.report.text == "5 done"  # stopped after the item running at the stop
    assert leases.holds(CRM_DELIVERY) and current_holder(CRM_DELIVERY).label == "dana"


def test_a_round_ends_once_the_lease_was_taken_over():
    dana_time, eve_time = Monotonic(), Monotonic()
    eve = service("eve", "desk-08", 2, monotonic=eve_time)

    def stall():  # Dana freezes for 100 s; Eve takes over meanwhile
        dana_time.value += 100
        eve.acquire(CRM_DELIVERY)
        eve_time.value += LEASE_EXPIRY_SECONDS
        eve.acquire(CRM_DELIVERY)

    job = CountingJob(CRM_DELIVERY, items=5, before_item=stall)
    dana = service("dana", "desk-07", 1, monotonic=dana_time)
    [outcome] = JobScheduler([job], dana, monotonic=dana_time).run_due()
    assert outcome.report.text == "0 done"
    assert current_holder(CRM_DELIVERY).label == "eve"


def test_one_failing_job_does_not_stop_the_others_and_release_hands_on():
    broken, fine = CountingJob(CRM_DELIVERY, fail=True), CountingJob(MAIL_SEND)
    scheduler = JobScheduler([broken, fine], service("dana"))
    outcomes = scheduler.run_every_job_once()
    assert [(o.lease_name, o.error) for o in outcomes] == [(CRM_DELIVERY, "OSError: disk full"), (MAIL_SEND, "")]
    assert fine.rounds == 1
    scheduler.release_all()
    assert current_holder(CRM_DELIVERY) is None and current_holder(MAIL_SEND) is None


def test_a_delivery_round_reads_the_same_for_both_outboxes():
    report = DeliveryReport(sent=3, failed=1, pending=12, last_error="timed out", parked=2)
    assert report.job_report().text == "3 sent · 1 failed · 12 waiting · 2 parked"
    assert report.job_report(failed_word="not sent").text == "3 sent · 1 not sent · 12 waiting · 2 parked"
    assert report.job_report().counters == {"sent": 3, "failed": 1, "pending": 12, "parked": 2}
    assert report.job_report().problem == "timed out"
    assert DeliveryReport(0, 0, 0).job_report().text == "0 waiting"
