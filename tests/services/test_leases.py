"""Leases: one holder per job for the whole team, taken over only after the holder stops
renewing (judged on the contender's own monotonic clock), handed on at close."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desktop_helpdesk.domain.clock import ManualClock
from desktop_helpdesk.services.leases import (
    CRM_DELIVERY,
    LEASE_EXPIRY_SECONDS,
    MAIL_SEND,
    HolderIdentity,
    LeaseService,
    current_holder,
)
from desktop_helpdesk.storage.records import LeaseRecord
from tests.conftest import halifax

pytestmark = pytest.mark.usefixtures("engine")


class Monotonic:
    """A fake monotonic clock (seconds) moved by the test."""

    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value


def service(label, host="desk-01", pid=100, *, clock=None, monotonic=None, alive=True):
    identity = HolderIdentity(host, pid, label, f"{host}/{pid}/{label}")
    return LeaseService(identity, clock or ManualClock(halifax(2026, 11, 25, 9)),
                        monotonic=monotonic or Monotonic(), process_exists=lambda _pid: alive)


def test_first_comer_takes_a_free_lease_and_the_status_bar_names_it():
    dana = service("Dana's window", "desk-07", 4711)
    assert current_holder(CRM_DELIVERY) is None
    assert dana.acquire(CRM_DELIVERY) and dana.holds(CRM_DELIVERY)
    holder = current_holder(CRM_DELIVERY)
    assert (holder.host, holder.pid, holder.label) == ("desk-07", 4711, "Dana's window")
    assert holder.description == "Dana's window on desk-07"
    assert LeaseRecord.select().count() == 1
    # Independent leases: another name is still free for someone else.
    assert service("worker", "srv", 1).acquire(MAIL_SEND)


def test_a_live_holder_keeps_the_lease_however_long_the_others_wait():
    dana_time, eve_time = Monotonic(), Monotonic()
    dana = service("dana", "desk-07", 1, monotonic=dana_time)
    eve = service("eve", "desk-08", 2, monotonic=eve_time)
    assert dana.acquire(CRM_DELIVERY)
    for _ in range(10):  # 10 minutes: Dana renews every 60 s of her own time
        assert not eve.acquire(CRM_DELIVERY)
        eve_time.value += 60
        dana_time.value += 60
        assert dana.acquire(CRM_DELIVERY)
    assert current_holder(CRM_DELIVERY).label == "dana"


def test_a_silent_holder_is_taken_over_after_the_expiry_and_then_knows_it_lost():
    dana_time, eve_time = Monotonic(), Monotonic()
    dana = service("dana", "desk-07", 1, monotonic=dana_time)
    eve = service("eve", "desk-08", 2, monotonic=eve_time)
    assert dana.acquire(CRM_DELIVERY)
    assert not eve.acquire(CRM_DELIVERY)  # first sight of Dana's beat
    eve_time.value += LEASE_EXPIRY_SECONDS - 1
    assert not eve.acquire(CRM_DELIVERY)
    eve_time.value += 1
    assert eve.acquire(CRM_DELIVERY) and current_holder(CRM_DELIVERY).label == "eve"
    # Dana stalled for 90 s: she stopped trusting her lease on her own clock already...
    dana_time.value += LEASE_EXPIRY_SECONDS
    assert not dana.holds(CRM_DELIVERY)
    # ...and her renewal finds Eve's name, so she does not take it back.
    assert not dana.keep(CRM_DELIVERY) and not dana.acquire(CRM_DELIVERY)
    assert current_holder(CRM_DELIVERY).label == "eve"


def test_two_contenders_racing_for_an_expired_lease_one_wins():
    times = [Monotonic(), Monotonic(), Monotonic()]
    dana, eve, finn = (service(name, f"desk-{n}", n, monotonic=t)
                       for n, (name, t) in enumerate(zip(("dana", "eve", "finn"), times, strict=True)))
    assert dana.acquire(CRM_DELIVERY)
    assert not eve.acquire(CRM_DELIVERY) and not finn.acquire(CRM_DELIVERY)
    times[1].value += LEASE_EXPIRY_SECONDS
    times[2].value += LEASE_EXPIRY_SECONDS
    assert eve.acquire(CRM_DELIVERY)
    assert not finn.acquire(CRM_DELIVERY)  # the beat moved under Finn's conditional UPDATE
    assert current_holder(CRM_DELIVERY).label == "eve"


def test_release_hands_on_at_once():
    dana, eve = service("dana", "desk-07", 1), service("eve", "desk-08", 2)
    assert dana.acquire(CRM_DELIVERY) and dana.acquire(MAIL_SEND)
    assert not eve.acquire(CRM_DELIVERY)
    dana.release_all()
    assert current_holder(CRM_DELIVERY) is None and not dana.holds(CRM_DELIVERY)
    assert eve.acquire(CRM_DELIVERY) and eve.acquire(MAIL_SEND)
    dana.release(CRM_DELIVERY)  # no longer hers: changes nothing
    assert current_holder(CRM_DELIVERY).label == "eve"


def test_a_dead_process_on_the_same_host_is_replaced_at_once():
    crashed = service("worker", "srv", 4242)
    assert crashed.acquire(CRM_DELIVERY)
    restarted = service("worker", "srv", 4343, alive=False)
    assert restarted.acquire(CRM_DELIVERY)
    # On another host the pid means nothing: the expiry rule applies.
    assert not service("dana", "desk-07", 4242, alive=False).acquire(CRM_DELIVERY)


def test_workstation_clocks_five_minutes_apart_change_nothing():
    fast = service("fast", "desk-07", 1, clock=ManualClock(halifax(2026, 11, 25, 9, 5)))
    slow_time = Monotonic()
    slow = service("slow", "desk-08", 2, clock=ManualClock(halifax(2026, 11, 25, 9, 0)), monotonic=slow_time)
    assert fast.acquire(CRM_DELIVERY)
    # The holder's stamps are 5 minutes "in the future" for the slow one, and would look 5
    # minutes stale the other way round; neither matters, only the beat does.
    assert not slow.acquire(CRM_DELIVERY)
    slow_time.value += LEASE_EXPIRY_SECONDS - 1
    assert fast.acquire(CRM_DELIVERY)  # renewed: the beat moved
    slow_time.value += 60
    assert not slow.acquire(CRM_DELIVERY)
    assert current_holder(CRM_DELIVERY).renewed_at == halifax(2026, 11, 25, 9, 5)


def test_keep_renews_only_when_due():
    now = Monotonic()
    dana = service("dana", monotonic=now)
    assert dana.acquire(CRM_DELIVERY)
    beat = LeaseRecord.get_by_id(CRM_DELIVERY).beat
    assert dana.keep(CRM_DELIVERY)
    assert LeaseRecord.get_by_id(CRM_DELIVERY).beat == beat  # too soon: no write
    now.value += 25
    assert dana.keep(CRM_DELIVERY)
    assert LeaseRecord.get_by_id(CRM_DELIVERY).beat == beat + 1


def test_identity_of_this_process_names_host_pid_and_label():
    import os
    import socket

    identity = HolderIdentity.of_this_process("headless worker")
    assert (identity.host, identity.pid, identity.label) == (socket.gethostname(), os.getpid(), "headless worker")
    assert identity.token != HolderIdentity.of_this_process("headless worker").token
    assert timedelta(seconds=LEASE_EXPIRY_SECONDS) == timedelta(seconds=90)
