"""The worked examples in the SLA modules' docstrings are executed, so they stay true."""

import doctest

import pytest

from desktop_helpdesk.domain import calendar, cases, policy, sla


@pytest.mark.parametrize("module", [calendar, cases, policy, sla], ids=lambda module: module.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
