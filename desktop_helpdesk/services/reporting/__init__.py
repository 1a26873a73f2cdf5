"""Supervisor reports and exports computed from stored case events in business time (no Qt).

Every report is a plain dataclass with a ``table()`` method giving a generic ``ReportTable``
(title, filters used, typed columns, rows), so CSV, XLSX and PDF exports share one code path.

Definitions used throughout (the tests check figures against these by hand):

* **Business time** is ``BusinessCalendar.elapsed`` (Mon-Fri 08:00-16:30 Halifax, minus holidays
  and closures). ``BusinessCalendar.business_positions`` gives the same figures in O(log days)
  per instant, for whole batches of stored instants.
* **Outcome of one SLA target at ``as_of``**: *met on time* when met at or before ``as_of`` and
  no business time passed between the due and met instants (a reply at 20:00 to a target due
  at 16:30 that day is on time); *met late* when met with business time past due; *breached*
  when unmet at ``as_of`` and business time has passed beyond the due instant; *still open*
  when unmet and not yet breached. A paused resolution clock (waiting on client) is judged at
  the instant the pause began, so waiting on the client never breaches the target.
* **Percentages** are fractions in ``[0, 1]``: each outcome's share is its count divided by the
  number of cases in the group (the four shares add up to 1); *compliance* is met on time
  divided by decided targets (on time + late + breached), ``None`` when nothing was decided.
* **Percentiles** use the nearest-rank method: the p-th percentile of n sorted values is the
  value at 1-based rank ``ceil(p * n / 100)``. The median is the 50th percentile, so for an
  even count it is the lower of the two middle values (always an observed duration).
* **Time to acknowledge / respond** is business time from ``received_at`` to the met instant;
  **time to resolve** is the same less the business time the resolution clock was paused
  waiting on the client (ended pauses recorded in ``SlaPauseRecord.business_seconds``).
* **Periods** group cases by the Halifax date they were received: day, ISO week (labelled by
  its Monday) or month (labelled by its first day). Empty periods are listed with zeros.
* **Waiting on others**: an escalation waits from ``escalated_at`` to ``answered_at`` (or
  ``as_of``); waiting on the client from a pause's start to its end (or ``as_of``).
* **Backlog** at the end of a day counts cases received by then and neither resolved nor
  closed by then (stored instants; a reopened case's earlier resolution was cleared).
* Stored instants are read as whole epoch seconds computed by SQLite, so outcomes are
  judged to the second.
"""
