"""Percentile and share arithmetic shared by the reports."""

from __future__ import annotations

from collections.abc import Sequence


def nearest_rank(sorted_values: Sequence[float], percentile: int) -> float | None:
    """The nearest-rank percentile of already sorted values.

    Args:
        sorted_values: values in ascending order.
        percentile: 1..100.

    Returns:
        The value at 1-based rank ``ceil(percentile * n / 100)``, or None when empty.

    Example:
        ``nearest_rank([1, 2, 3, 4], 50) == 2`` and ``nearest_rank([1, 2, 3, 4], 90) == 4``.
    """
    count = len(sorted_values)
    if count == 0:
        return None
    rank = max(1, -(-percentile * count // 100))
    return sorted_values[rank - 1]


def share(part: int, whole: int) -> float | None:
    """A percentage as a fraction.

    Args:
        part: the count of interest.
        whole: the count it is a share of.

    Returns:
        ``part / whole``, or None when ``whole`` is zero (nothing to divide).
    """
    return part / whole if whole else None
