"""Named leases in the shared database: exactly one process runs each team job at a time."""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from desktop_helpdesk.domain.clock import Clock
from desktop_helpdesk.storage.records import LeaseRecord

log = logging.getLogger(__name__)

CRM_DELIVERY = "crm-delivery"
MAIL_SEND = "mail-send"
MAIL_INTAKE = "mail-intake"

# A holder that has not renewed for this long (as measured by the process that wants the
# lease) is presumed dead and its lease may be taken over.
LEASE_EXPIRY_SECONDS = 90.0
# Holders renew well inside the expiry so two missed renewals still keep the lease.
RENEW_EVERY_SECONDS = 20.0
# A holder stops trusting its lease this long after its last successful renewal, leaving a
# 30 s margin before anyone else may take it over (a stalled holder stops before the next starts).
HOLDER_TRUST_SECONDS = 60.0


@dataclass(frozen=True)
class HolderIdentity:
    """Who holds a lease: workstation host name, process id and a human label.

    ``token`` is the column value; a random part keeps a restarted process that got the same
    pid (containers restart at pid 1) from mistaking its predecessor's lease for its own.
    """

    host: str
    pid: int
    label: str
    token: str

    @classmethod
    def of_this_process(cls, label: str) -> HolderIdentity:
        """The identity of the running process, e.g. ``("desk-07", 4711, "Dana's window")``.

        Args:
            label: what people call this holder ("Dana Desk's window", "headless worker").

        Returns:
            The identity (a fresh token per call, so one per ``LeaseService``).
        """
        host = socket.gethostname() or "unknown-host"
        pid = os.getpid()
        return cls(host[:128], pid, label[:128], f"{host[:120]}/{pid}/{uuid.uuid4().hex[:12]}")


@dataclass(frozen=True)
class LeaseHolder:
    """Who holds a lease now (as written by the holder; instants from the holder's clock)."""

    host: str
    pid: int
    label: str
    acquired_at: datetime | None
    renewed_at: datetime | None

    @property
    def description(self) -> str:
        """``"Dana Desk's window on desk-07"``."""
        return f"{self.label} on {self.host}" if self.label else self.host


def current_holder(name: str) -> LeaseHolder | None:
    """Who holds the lease ``name`` (for the status bar), or None when nobody does.

    Args:
        name: the lease name, e.g. ``"crm-delivery"``.

    Returns:
        The holder as last written; a holder that died shows until someone takes over.
    """
    row = LeaseRecord.get_or_none(LeaseRecord.name == name)
    if row is None or not row.holder:
        return None
    return LeaseHolder(row.holder_host, row.holder_pid, row.holder_label, row.acquired_at, row.renewed_at)


class LeaseService:
    """Takes, renews and releases named leases for one process.

    Expiry is judged without comparing clocks. Each take and renewal bumps the row's ``beat``
    counter. A process that wants a held lease remembers, on its OWN monotonic clock, when it
    first saw the current ``(holder, beat)`` pair; once that pair has stood still for
    ``LEASE_EXPIRY_SECONDS`` the holder has missed several renewals and the lease is taken
    with one conditional UPDATE on exactly that pair (two contenders: one wins, one updates
    nothing). No instant written by one workstation is ever compared with another's clock,
    so workstation clocks minutes apart (or jumping on sleep/resume) cannot make a live
    lease look expired; it behaves the same on SQLite and PostgreSQL (no server clock needed).
    The holder trusts its own lease only ``HOLDER_TRUST_SECONDS`` after its last successful
    renewal (its monotonic clock too), so a stalled holder stops before anyone else starts.

    Two shortcuts avoid waiting out the expiry: a lease released on close is free at once,
    and a holder on this same host whose process no longer exists is dead at once (a
    restarted worker takes over straight away after a crash or SIGKILL).

    Args:
        identity: this process's identity.
        clock: stamps ``acquired_at``/``renewed_at`` (display only).
        monotonic: seconds from a monotonic clock (injected in tests).
        process_exists: whether a local pid is alive (injected in tests).
    """

    def __init__(
        self,
        identity: HolderIdentity,
        clock: Clock,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        process_exists: Callable[[int], bool] | None = None,
    ) -> None:
        self.identity = identity
        self._clock = clock
        self._monotonic = monotonic
        self._process_exists = process_exists or _process_exists
        # name -> monotonic instant of our last successful take or renewal
        self._held: dict[str, float] = {}
        # name -> ((holder, beat) last seen, monotonic instant first seen)
        self._seen: dict[str, tuple[tuple[str, int], float]] = {}

    def holds(self, name: str) -> bool:
        """Whether this process may act as the holder of ``name`` right now (no query)."""
        renewed = self._held.get(name)
        return renewed is not None and self._monotonic() - renewed < HOLDER_TRUST_SECONDS

    @property
    def held_names(self) -> list[str]:
        """The leases this process believes it holds."""
        return [name for name in self._held if self.holds(name)]

    def acquire(self, name: str) -> bool:
        """Hold ``name``: renew it if ours, take it if free, expired or left by a dead local process.

        Args:
            name: the lease name.

        Returns:
            True when this process holds the lease after the call.
        """
        self._ensure_row(name)
        row = LeaseRecord.get(LeaseRecord.name == name)
        if row.holder == self.identity.token:
            return self._renew(name)
        pair = (row.holder, row.beat)
        now = self._monotonic()
        if not row.holder:
            return self._take(name, pair)
        if row.holder_host == self.identity.host and not self._process_exists(row.holder_pid):
            log.info("lease %s: holder %s (pid %s) is gone; taking over", name, row.holder_host, row.holder_pid)
            return self._take(name, pair)
        seen = self._seen.get(name)
        if seen is None or seen[0] != pair:
            self._seen[name] = (pair, now)
            self._held.pop(name, None)
            return False
        if now - seen[1] >= LEASE_EXPIRY_SECONDS:
            log.warning("lease %s: %s stopped renewing; taking over", name, row.holder_host)
            return self._take(name, pair)
        self._held.pop(name, None)
        return False

    def keep(self, name: str) -> bool:
        """Renew ``name`` when a renewal is due (call between items of a long round).

        Returns:
            True while this process still holds the lease.
        """
        renewed = self._held.get(name)
        if renewed is None:
            return False
        if self._monotonic() - renewed < RENEW_EVERY_SECONDS:
            return True
        return self._renew(name)

    def release(self, name: str) -> None:
        """Give ``name`` up (if still ours) so the next process takes it at once."""
        self._held.pop(name, None)
        LeaseRecord.update(holder="", holder_pid=0, beat=LeaseRecord.beat + 1).where(
            (LeaseRecord.name == name) & (LeaseRecord.holder == self.identity.token)
        ).execute()

    def release_all(self) -> None:
        """Release every lease this process took (on close or SIGTERM)."""
        for name in list(self._held):
            self.release(name)

    def _ensure_row(self, name: str) -> None:
        LeaseRecord.insert(name=name).on_conflict_ignore().execute()

    def _take(self, name: str, seen: tuple[str, int]) -> bool:
        holder, beat = seen
        now = self._clock.now()
        taken = (
            LeaseRecord.update(
                holder=self.identity.token,
                holder_host=self.identity.host,
                holder_pid=self.identity.pid,
                holder_label=self.identity.label,
                beat=LeaseRecord.beat + 1,
                acquired_at=now,
                renewed_at=now,
            )
            .where((LeaseRecord.name == name) & (LeaseRecord.holder == holder) & (LeaseRecord.beat == beat))
            .execute()
        )
        self._seen.pop(name, None)
        if taken:
            self._held[name] = self._monotonic()
            log.info("lease %s taken by %s", name, self.identity.token)
            return True
        self._held.pop(name, None)
        return False

    def _renew(self, name: str) -> bool:
        renewed = (
            LeaseRecord.update(beat=LeaseRecord.beat + 1, renewed_at=self._clock.now())
            .where((LeaseRecord.name == name) & (LeaseRecord.holder == self.identity.token))
            .execute()
        )
        if renewed:
            self._held[name] = self._monotonic()
            return True
        if name in self._held:
            log.warning("lease %s was taken over by another process", name)
        self._held.pop(name, None)
        return False


def _process_exists(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by someone else
    return True
