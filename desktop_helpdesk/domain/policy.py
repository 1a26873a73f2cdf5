"""The support policy as data: priorities, SLA targets and their business-time budgets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from types import MappingProxyType


class LabelledEnum(StrEnum):
    """A stored string enum whose members also have a name for people.

    A member's label is its stored value made readable ("due_soon" -> "Due soon"), unless the
    member gives its own after the value: ``JOIN_ME = "join_me", "Join.me"``. A member given as
    another labelled enum's member (``TEAMS = InteractionChannel.TEAMS``) takes its value and label.
    """

    _label: str

    def __new__(cls, value: str, label: str = ""):
        if isinstance(value, LabelledEnum):
            label = label or value.label
            value = value.value
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label or value.replace("_", " ").capitalize()
        return member

    @property
    def label(self) -> str:
        """The member as shown to people."""
        return self._label

    @classmethod
    def label_of(cls, value: str) -> str:
        """The label of a stored value, or the value itself when it is not a member.

        Rows written by a newer version (or typed into the database by hand) must still
        display, so an unknown value is shown as stored rather than refused.

        Args:
            value: the string stored in the database.

        Returns:
            E.g. ``CaseStatus.label_of("in_progress")`` -> "In progress"; "gone" -> "gone".
        """
        try:
            return cls(value).label
        except ValueError:
            return value


class Priority(LabelledEnum):
    """An effective case priority; the only two levels the support team works to."""

    HIGH = "high"
    MEDIUM = "medium"


class RequestedPriority(LabelledEnum):
    """The priority a client asked for; "low" exists only here and is served as medium."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Target(LabelledEnum):
    """The three SLA clocks every case runs."""

    ACKNOWLEDGE = "acknowledge"
    RESPOND = "respond"
    RESOLVE = "resolve"


# Requested levels that map to a different effective level; everything else maps to itself.
_EFFECTIVE_FOR_REQUESTED: Mapping[RequestedPriority, Priority] = MappingProxyType(
    {
        RequestedPriority.HIGH: Priority.HIGH,
        RequestedPriority.MEDIUM: Priority.MEDIUM,
        RequestedPriority.LOW: Priority.MEDIUM,
    }
)


def effective_priority(requested: str | RequestedPriority) -> Priority:
    """Map the priority a client requested to the one the team works to.

    The policy has no Low level: "NO support requests are treated as Low Priority",
    so Low is served as Medium. Strings are matched case-insensitively.

    Args:
        requested: a ``RequestedPriority`` or its name/value, e.g. ``"Low"``.

    Returns:
        The effective ``Priority``.

    Raises:
        ValueError: if ``requested`` names no known priority (the message quotes it).

    Example:
        >>> effective_priority("Low")
        <Priority.MEDIUM: 'medium'>
        >>> effective_priority(RequestedPriority.HIGH)
        <Priority.HIGH: 'high'>
    """
    try:
        level = RequestedPriority(requested.strip().lower())
    except (ValueError, AttributeError):
        known = ", ".join(level.value for level in RequestedPriority)
        raise ValueError(
            f"unknown requested priority {requested!r}; expected one of: {known}"
        ) from None
    return _EFFECTIVE_FOR_REQUESTED[level]


@dataclass(frozen=True)
class SlaPolicy:
    """Business-time budgets for each (priority, target) pair.

    Args:
        budgets: for every ``Priority``, a mapping of every ``Target`` to a positive
            business-time ``timedelta``.

    Raises:
        ValueError: if a pair is missing or a budget is not positive.
    """

    budgets: Mapping[Priority, Mapping[Target, timedelta]]

    def __post_init__(self) -> None:
        frozen: dict[Priority, Mapping[Target, timedelta]] = {}
        for priority in Priority:
            per_target = self.budgets.get(priority)
            if per_target is None:
                raise ValueError(f"SLA policy has no budgets for priority {priority.value!r}")
            for target in Target:
                amount = per_target.get(target)
                if amount is None:
                    raise ValueError(
                        f"SLA policy has no {target.value!r} budget for priority {priority.value!r}"
                    )
                if amount <= timedelta(0):
                    raise ValueError(
                        f"SLA budget for {priority.value}/{target.value} must be positive, "
                        f"got {amount}"
                    )
            frozen[priority] = MappingProxyType({target: per_target[target] for target in Target})
        # Read-only copies: a frozen policy must not change through a caller's dict.
        object.__setattr__(self, "budgets", MappingProxyType(frozen))

    def __hash__(self) -> int:
        return hash(
            tuple(
                (priority, target, self.budgets[priority][target])
                for priority in Priority
                for target in Target
            )
        )

    def budget(self, priority: Priority | str, target: Target | str) -> timedelta:
        """The business time allowed to reach ``target`` on a case of ``priority``.

        Args:
            priority: an effective ``Priority`` (or its value, e.g. ``"high"``).
            target: a ``Target`` (or its value, e.g. ``"respond"``).

        Returns:
            The budget as business time.

        Raises:
            ValueError: if ``priority`` or ``target`` is unknown.

        Example:
            >>> DEFAULT_POLICY.budget(Priority.MEDIUM, Target.RESOLVE)
            datetime.timedelta(days=1, seconds=5400)
        """
        return self.budgets[Priority(priority)][Target(target)]


BUSINESS_DAY = timedelta(hours=8, minutes=30)

#: The published policy: "1 Day" and "3 Days" are business days of 8.5 hours.
DEFAULT_POLICY = SlaPolicy(
    {
        Priority.HIGH: {
            Target.ACKNOWLEDGE: timedelta(hours=2),
            Target.RESPOND: timedelta(hours=4),
            Target.RESOLVE: BUSINESS_DAY,
        },
        Priority.MEDIUM: {
            Target.ACKNOWLEDGE: timedelta(hours=2),
            Target.RESPOND: BUSINESS_DAY,
            Target.RESOLVE: 3 * BUSINESS_DAY,
        },
    }
)

PRIORITY_DEFINITIONS: Mapping[Priority, str] = MappingProxyType(
    {
        Priority.HIGH: (
            "Solution faults that prevent normal wide functional use. E-Learning development "
            "issues of function or knowledge or solution issues of function or knowledge that "
            "interrupt development or solution operational matters or activities."
        ),
        Priority.MEDIUM: (
            "Solution faults that impact on certain aspects of normal functional use. "
            "E-Learning development issues of function or knowledge or solution issues of "
            "function or knowledge that would accelerate and assist in the development or "
            "operational matters or activities."
        ),
    }
)

LOW_PRIORITY_NOTE = (
    "Low Priority – NO support requests are treated as Low Priority by the Velsoft Teams, "
    "so all such assistance requests will be categorized as Medium Priority activities."
)
