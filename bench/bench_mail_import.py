"""Benchmark: importing 1,000 .eml files, the way ``desktop-helpdesk mail import`` does.

Target (issue 9): 50 messages a second or more. The mix is what a support mailbox sees: new
requests from 200 senders (some with an attachment or HTML only), replies to earlier cases by
their ``[Case]`` tag, out-of-office replies and bounces; then the same files again, which must
all be duplicates.

Run: ``python3 bench/bench_mail_import.py [--messages N]`` from the repository root.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

# Runnable as a script from the repository root, like the other benchmarks.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_helpdesk.domain.cases import case_subject, format_case_number  # noqa: E402
from desktop_helpdesk.domain.clock import ManualClock  # noqa: E402
from desktop_helpdesk.services.container import Services  # noqa: E402
from desktop_helpdesk.services.mail_intake import MailSource, Outcome  # noqa: E402
from desktop_helpdesk.storage.db import DatabaseTarget, close_database, open_database  # noqa: E402

TARGET_PER_SECOND = 50.0
NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


def write_messages(folder: Path, count: int) -> list[Path]:
    """``count`` .eml files: 70 % new requests, 20 % replies, 5 % auto-replies, 5 % bounces."""
    paths = []
    logged: list[tuple[str, int]] = []  # (sender, case sequence) of each new request so far
    for n in range(count):
        message = EmailMessage()
        sender = f"client{n % 200}@customer{n % 37}.example"
        kind = n % 20
        if 14 <= kind < 18 and logged:
            # A reply from the person who opened an earlier case, quoting its number.
            sender, sequence = logged[-1 - (n % min(5, len(logged)))]
        message["From"] = f"Client {n % 200} <{sender}>"
        message["To"] = "support@helpdesk.example"
        message["Date"] = format_datetime(NOW)
        message["Message-ID"] = f"<bench-{n}@customer{n % 37}.example>"
        if kind < 14:
            logged.append((sender, len(logged) + 1))
            message["Subject"] = f"Learners cannot open module {n}"
            body = f"Since this morning module {n} shows a blank page.\n\nRegards\n" * 3
            if kind % 4 == 1:
                message.set_content(body)
                message.add_attachment(b"\x89PNG\r\n\x1a\n" + bytes(2048), maintype="image",
                                       subtype="png", filename=f"screenshot {n}.png")
            elif kind % 4 == 2:
                message.set_content(f"<html><body><p>{body}</p></body></html>", subtype="html")
            else:
                message.set_content(body)
        elif kind < 18:
            number = format_case_number(2026, sequence)
            message["Subject"] = "RE: " + case_subject(number, "Learners cannot open module")
            message.set_content("Here is more detail.\n\nOn Tue, support wrote:\n> Which browser?\n")
        elif kind == 18:
            message["Subject"] = "Automatic reply: Learners cannot open module"
            message["Auto-Submitted"] = "auto-replied"
            message.set_content("I am out of the office.")
        else:
            message.replace_header("From", "MAILER-DAEMON@mx.customer.example")
            message["Subject"] = "Undelivered Mail Returned to Sender"
            message["Return-Path"] = "<>"
            message.set_content(f"<{sender}>: 550 5.1.1 User unknown")
        path = folder / f"message-{n:05d}.eml"
        path.write_bytes(bytes(message))
        paths.append(path)
    return paths


def import_all(services: Services, paths: list[Path]) -> tuple[float, float, dict[str, int]]:
    """Wall-clock and CPU seconds of importing ``paths``, and the outcomes."""
    counts: dict[str, int] = {}
    start, cpu_start = time.perf_counter(), time.process_time()
    for path in paths:
        result = services.mail_intake.process(path.read_bytes(), MailSource("eml", path.name))
        counts[result.outcome.value] = counts.get(result.outcome.value, 0) + 1
    return time.perf_counter() - start, time.process_time() - cpu_start, counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        paths = write_messages(Path(folder), args.messages)
        open_database(DatabaseTarget(str(Path(folder) / "bench.sqlite3")))
        try:
            services = Services.create(ManualClock(NOW))
            services.team.bootstrap_admin("admin", "Ada Admin")
            # A generous flood limit: 200 senders each write ~5 requests within the hour.
            services.settings.update(1, mail_new_cases_per_sender_per_hour=100)
            seconds, cpu_seconds, counts = import_all(services, paths)
            again_seconds, _cpu, again = import_all(services, paths)
        finally:
            close_database()
    rate = len(paths) / seconds
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(f"imported {len(paths)} .eml files in {seconds:.2f} s: {rate:.0f} messages/s "
          f"(target {TARGET_PER_SECOND:.0f}/s) {'OK' if rate >= TARGET_PER_SECOND else 'TOO SLOW'}")
    # On a shared machine the wall clock includes waiting for a CPU; the CPU time does not.
    print(f"CPU time {cpu_seconds:.2f} s: {len(paths) / cpu_seconds:.0f} messages per CPU-second "
          f"(load average {load:.1f})")
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print(f"again: {len(paths) / again_seconds:.0f} messages/s, outcomes {again}")
    assert again == {Outcome.DUPLICATE.value: len(paths)}, "a second import must create nothing"
    return 0 if rate >= TARGET_PER_SECOND else 1


if __name__ == "__main__":
    sys.exit(main())
