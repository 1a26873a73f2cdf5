"""The support policy as data: priority mapping, budgets and texts."""

from datetime import timedelta

import pytest

from desktop_helpdesk.domain.policy import (
    DEFAULT_POLICY,
    LOW_PRIORITY_NOTE,
    PRIORITY_DEFINITIONS,
    Priority,
    RequestedPriority,
    SlaPolicy,
    Target,
    effective_priority,
)


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        ("high", Priority.HIGH),
        ("High", Priority.HIGH),
        ("MEDIUM", Priority.MEDIUM),
        ("Low", Priority.MEDIUM),
        ("low", Priority.MEDIUM),
        (" low ", Priority.MEDIUM),
        (RequestedPriority.LOW, Priority.MEDIUM),
        (RequestedPriority.HIGH, Priority.HIGH),
    ],
)
def test_effective_priority(requested, expected):
    assert effective_priority(requested) is expected


@pytest.mark.parametrize("requested", ["urgent", "", "critical", None, 3])
def test_unknown_requested_priority_names_the_value(requested):
    with pytest.raises(ValueError, match=repr(requested).replace("(", r"\(")):
        effective_priority(requested)


def test_stored_values_and_labels():
    assert [p.value for p in Priority] == ["high", "medium"]
    assert [p.value for p in RequestedPriority] == ["high", "medium", "low"]
    assert [t.value for t in Target] == ["acknowledge", "respond", "resolve"]
    assert Priority.HIGH.label == "High"
    assert Priority.MEDIUM.label == "Medium"
    assert RequestedPriority.LOW.label == "Low"


@pytest.mark.parametrize(
    ("priority", "target", "hours"),
    [
        (Priority.HIGH, Target.ACKNOWLEDGE, 2),
        (Priority.HIGH, Target.RESPOND, 4),
        (Priority.HIGH, Target.RESOLVE, 8.5),  # "1 Day" of 8:00-16:30
        (Priority.MEDIUM, Target.ACKNOWLEDGE, 2),
        (Priority.MEDIUM, Target.RESPOND, 8.5),  # "1 Day"
        (Priority.MEDIUM, Target.RESOLVE, 25.5),  # "3 Days"
    ],
)
def test_default_budgets(priority, target, hours):
    assert DEFAULT_POLICY.budget(priority, target) == timedelta(hours=hours)
    assert DEFAULT_POLICY.budget(priority.value, target.value) == timedelta(hours=hours)


def test_policy_refuses_missing_or_non_positive_budgets():
    complete = {t: timedelta(hours=1) for t in Target}
    with pytest.raises(ValueError, match="medium"):
        SlaPolicy({Priority.HIGH: complete})
    with pytest.raises(ValueError, match="resolve"):
        SlaPolicy({Priority.HIGH: complete, Priority.MEDIUM: {Target.ACKNOWLEDGE: timedelta(1), Target.RESPOND: timedelta(1)}})
    with pytest.raises(ValueError, match="positive"):
        SlaPolicy({Priority.HIGH: complete, Priority.MEDIUM: {**complete, Target.RESPOND: timedelta(0)}})


def test_policy_is_immutable_and_hashable():
    budgets = {p: {t: timedelta(hours=1) for t in Target} for p in Priority}
    policy = SlaPolicy(budgets)
    budgets[Priority.HIGH][Target.RESPOND] = timedelta(hours=9)
    assert policy.budget(Priority.HIGH, Target.RESPOND) == timedelta(hours=1)
    with pytest.raises(TypeError):
        policy.budgets[Priority.HIGH] = {}
    assert hash(policy) == hash(SlaPolicy({p: {t: timedelta(hours=1) for t in Target} for p in Priority}))
    assert policy == SlaPolicy({p: {t: timedelta(hours=1) for t in Target} for p in Priority})


def test_policy_texts():
    assert PRIORITY_DEFINITIONS[Priority.HIGH].startswith("Solution faults that prevent normal wide")
    assert PRIORITY_DEFINITIONS[Priority.MEDIUM].startswith("Solution faults that impact on certain")
    assert "Medium Priority" in LOW_PRIORITY_NOTE


def test_label_of_a_stored_value_falls_back_to_the_value_itself():
    assert Priority.label_of("high") == "High"
    assert RequestedPriority.label_of("low") == "Low"
    # An unknown value (a newer version's status, a hand-edited row) still displays.
    assert Priority.label_of("urgent") == "urgent"
