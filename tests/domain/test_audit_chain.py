"""The chain's hashing is deterministic, covers every column, and its examples hold."""

import doctest

import desktop_helpdesk.domain.audit_chain as audit_chain
from desktop_helpdesk.domain.audit_chain import GENESIS_HASH, canonical_content, link_hash

ROW = ("2026-11-25 13:00:00.000000", 1, "case", 7, 7, "update", "status", "new", "in_progress", "")


def test_docstring_examples():
    assert doctest.testmod(audit_chain).failed == 0


def test_every_column_and_the_previous_hash_change_the_link():
    base = link_hash(GENESIS_HASH, canonical_content(ROW))
    for index in range(len(ROW)):
        changed = list(ROW)
        changed[index] = "x" if changed[index] != "x" else "y"
        assert link_hash(GENESIS_HASH, canonical_content(changed)) != base
    assert link_hash("1" * 64, canonical_content(ROW)) != base


def test_text_numbers_and_nulls_stay_apart():
    assert canonical_content(["1", None]) != canonical_content([1, None])
    assert canonical_content(["", 1]) != canonical_content([None, 1])
    # Separators inside text cannot fake a column boundary.
    assert canonical_content(['a","b']) != canonical_content(["a", "b"])
