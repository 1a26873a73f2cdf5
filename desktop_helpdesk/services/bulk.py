"""Bulk work on selected cases: one audited change per case, refusals named, cancellable."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from desktop_helpdesk.domain.policy import LabelledEnum, RequestedPriority
from desktop_helpdesk.services.cases import CaseService
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.errors import ServiceError, ValidationError
from desktop_helpdesk.services.permissions import acting_member
from desktop_helpdesk.storage.records import CaseRecord

MAX_BULK = 5_000


class BulkAction(LabelledEnum):
    """What a bulk run does to each selected case."""

    REASSIGN = "reassign"
    PRIORITY = "priority", "Change priority"
    CATEGORY = "category", "Set category"
    CLOSE = "close", "Close resolved cases"


@dataclass(frozen=True)
class BulkRequest:
    """One bulk action and its parameters (``assignee_id`` None = Unassigned)."""

    action: BulkAction
    assignee_id: int | None = None
    priority: str = ""
    category_id: int | None = None
    reason: str = ""

    def checked(self) -> BulkRequest:
        """The request with its parameters checked before any case is touched.

        Raises:
            ValidationError: naming ``reason`` or ``priority``.
        """
        action = BulkAction(self.action)
        reason = str(self.reason or "").strip()
        if action in (BulkAction.REASSIGN, BulkAction.PRIORITY) and not reason:
            raise ValidationError("reason", "say why (it is audited on every case)")
        if action is BulkAction.PRIORITY:
            try:
                RequestedPriority(str(self.priority).lower())
            except ValueError:
                raise ValidationError("priority", f"unknown priority {self.priority!r}") from None
        return BulkRequest(action, self.assignee_id, str(self.priority).lower(), self.category_id, reason)


@dataclass
class BulkOutcome:
    """What a bulk run did: the case numbers changed, refused (with why), and whether it stopped."""

    total: int
    done: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    cancelled: bool = False

    def summary(self) -> str:
        """One sentence for the status bar."""
        text = f"{len(self.done)} of {self.total} cases changed"
        if self.refused:
            text += f", {len(self.refused)} refused"
        if self.cancelled:
            text += f"; cancelled with {self.total - len(self.done) - len(self.refused)} not done"
        return text


class BulkService:
    """Runs a bulk action case by case through ``CaseService`` (its rules, audit and CRM).

    Each case is its own transaction: a refusal (closed case, not resolved, not allowed)
    is named and the run goes on; a cancel stops between cases.

    Args:
        context: the shared services context.
        cases: the case service doing each change.
    """

    def __init__(self, context: ServiceContext, cases: CaseService) -> None:
        self._context = context
        self._cases = cases

    def run(
        self,
        actor_id: int,
        case_ids: Sequence[int],
        request: BulkRequest,
        *,
        progress: Callable[[int, int], None] = lambda _done, _total: None,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> BulkOutcome:
        """Apply ``request`` to every case in ``case_ids``.

        Args:
            actor_id: the member acting.
            case_ids: the selected cases (at most ``MAX_BULK``).
            request: the action and its parameters.
            progress: called with (cases handled, total) after each case.
            cancelled: polled before each case; True stops the run.

        Returns:
            The outcome, with each refused case's number and reason.

        Raises:
            ValidationError: bad parameters or too many cases (nothing is changed).
            PermissionDenied: unknown or inactive actor.
        """
        request = request.checked()
        ids = list(dict.fromkeys(case_ids))
        if not ids:
            raise ValidationError("cases", "select the cases to change")
        if len(ids) > MAX_BULK:
            raise ValidationError("cases", f"at most {MAX_BULK:,} cases at a time")
        actor = acting_member(actor_id)
        numbers = _numbers(ids)
        outcome = BulkOutcome(total=len(ids))
        change = self._change_for(actor.id, request)
        for handled, case_id in enumerate(ids, start=1):
            if cancelled():
                outcome.cancelled = True
                break
            number = numbers.get(case_id, f"#{case_id}")
            try:
                change(case_id)
            except ServiceError as refused:
                outcome.refused.append((number, str(refused)))
            else:
                outcome.done.append(number)
            progress(handled, len(ids))
        return outcome

    def _change_for(self, actor_id: int, request: BulkRequest) -> Callable[[int], object]:
        cases = self._cases
        if request.action is BulkAction.REASSIGN:
            return lambda case_id: cases.reassign(actor_id, case_id, request.assignee_id, reason=request.reason,
                                                  bulk=True, read_back=False)
        if request.action is BulkAction.PRIORITY:
            return lambda case_id: cases.change_priority(actor_id, case_id, request.priority,
                                                         reason=request.reason, read_back=False)
        if request.action is BulkAction.CATEGORY:
            return lambda case_id: cases.set_category(actor_id, case_id, request.category_id,
                                                      reason=request.reason, read_back=False)
        return lambda case_id: cases.close(actor_id, case_id, read_back=False)


def _numbers(ids: list[int]) -> dict[int, str]:
    numbers: dict[int, str] = {}
    for start in range(0, len(ids), 900):  # under SQLite's bound-parameter limit
        chunk = ids[start:start + 900]
        numbers.update(CaseRecord.select(CaseRecord.id, CaseRecord.number).where(CaseRecord.id.in_(chunk)).tuples())
    return numbers
