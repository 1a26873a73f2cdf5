"""Full-text search over cases: searchable words, indexing, similar cases (engine SQL in storage.dialect)."""

from __future__ import annotations

import math
import re

from peewee import fn

from desktop_helpdesk.services.dto import SimilarCase
from desktop_helpdesk.storage.dialect import (
    case_search_ids,
    count_case_search_matches,
    newest_case_search_matches,
    write_case_search_row,
)
from desktop_helpdesk.storage.records import CaseRecord, InteractionRecord

# Words too common in support mail to say anything about similarity.
_STOP_WORDS = frozenset(
    "a an and are as at be but by can cannot could do does for from has have hi hello how i if "
    "in into is it its me my no not of on or our please re so that the their them there this "
    "to was we were what when where which who why will with you your thanks thank regards".split()
)
_WORD = re.compile(r"\w+", re.UNICODE)
_CLOSED_STATUSES = ("resolved", "closed")
# Words people use to tell when or how, not what: they say nothing about which problem it is.
_FILLER_WORDS = frozenset(
    "since morning afternoon evening today yesterday tonight week weeks day days now still again "
    "also just any all some get got getting keeps keep started start happening happens happened "
    "issue issues problem problems help need needs want wants one two us they he she him her "
    "hours minutes ago last first every other same new very much many more most only even".split()
)
# Similar cases: how many words count, how many newest matches each reads, how many rows load.
_SIMILAR_WORDS = 6
_SIMILAR_PER_WORD = 400
_SIMILAR_CANDIDATES = 120
# Below this many cases rarity says little: a word is "common" only above it.
_SIMILAR_MIN_COMMON = 40


def search_terms(text: str, *, limit: int = 16) -> list[str]:
    """The distinct searchable words of ``text`` (lower case, no stop words), first ``limit``.

    Args:
        text: free text typed by a person.
        limit: how many words to keep (long descriptions would make slow queries).

    Returns:
        Words safe to put in an FTS5 or tsquery expression.
    """
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        word = word.strip("_")
        if len(word) < 2 or word in _STOP_WORDS or word in seen:
            continue
        seen[word] = None
        if len(seen) >= limit:
            break
    return list(seen)


def index_case(case_id: int) -> None:
    """Rebuild the search row of one case from its subject, description, interactions and
    resolution (inside the caller's transaction).

    Args:
        case_id: the case to (re)index.
    """
    case = CaseRecord.select(
        CaseRecord.subject, CaseRecord.description, CaseRecord.resolution_summary
    ).where(CaseRecord.id == case_id).get()
    summaries = [
        row[0]
        for row in InteractionRecord.select(InteractionRecord.summary)
        .where(InteractionRecord.case == case_id)
        .order_by(InteractionRecord.occurred_at, InteractionRecord.id)
        .tuples()
    ]
    write_search_row(
        case_id, case.subject, case.description, "\n".join(summaries), case.resolution_summary
    )


def write_search_row(
    case_id: int, subject: str, description: str, interactions: str, resolution: str
) -> None:
    """Insert or replace the search row of a case with the given texts.

    Args:
        case_id: the case (the FTS5 rowid / the tsvector table's key).
        subject: the case subject.
        description: the case description.
        interactions: all interaction summaries, one per line.
        resolution: the resolution summary.
    """
    write_case_search_row(case_id, subject, description, interactions, resolution)


def similar_resolved_cases(
    text: str, limit: int = 5, *, exclude_case_id: int | None = None
) -> list[SimilarCase]:
    """Resolved or closed cases closest to ``text``, one per problem (subject), best first.

    Only meaningful words count: stop words and filler ("since this morning") are dropped,
    and so are words found in more than a quarter of all cases. Each remaining word weighs
    by its rarity (idf), twice in a subject; cases matching every word come first. The work
    is bounded whatever the database size: at most ``_SIMILAR_WORDS`` words, each reading
    only its newest ``_SIMILAR_PER_WORD`` resolved matches.

    Args:
        text: the subject and description being typed.
        limit: at most this many cases.
        exclude_case_id: leave this case out (the one being looked at).

    Returns:
        Up to ``limit`` ``SimilarCase`` with distinct subjects (higher score is better);
        empty when ``text`` has no meaningful word.

    Example:
        With 100 resolved "LMS will not load" cases, typing "LMS will not load since this
        morning" gives one "LMS will not load" entry (the newest), not six copies.
    """
    words = [w for w in search_terms(text) if w not in _FILLER_WORDS]
    if not words or limit <= 0:
        return []
    exclude = -1 if exclude_case_id is None else exclude_case_id
    total = _case_count_estimate()
    common = max(_SIMILAR_MIN_COMMON, total // 4)
    counted = [(word, count_case_search_matches(word, common + 1)) for word in words]
    meaningful = sorted(
        ((word, count) for word, count in counted if 0 < count <= common), key=lambda wc: wc[1]
    )[:_SIMILAR_WORDS]
    if not meaningful:
        return []
    weights = {word: math.log((total + 1) / (count + 0.5)) + 1.0 for word, count in meaningful}
    scores: dict[int, float] = {}
    for word, weight in weights.items():
        for case_id in newest_case_search_matches([word], _CLOSED_STATUSES, exclude, _SIMILAR_PER_WORD):
            scores[case_id] = scores.get(case_id, 0.0) + weight
    if len(weights) > 1:
        # Cases with every word, even beyond each word's newest matches, lead.
        everything = sum(weights.values())
        for case_id in newest_case_search_matches(list(weights), _CLOSED_STATUSES, exclude,
                                                  _SIMILAR_PER_WORD):
            scores[case_id] = everything
    best = sorted(scores, key=lambda case_id: (-scores[case_id], -case_id))[: _SIMILAR_CANDIDATES]
    rows = {
        row[0]: row
        for row in CaseRecord.select(
            CaseRecord.id, CaseRecord.number, CaseRecord.subject, CaseRecord.resolution_summary,
            CaseRecord.status,
        ).where(CaseRecord.id.in_(best)).tuples()
    }
    ranked = []
    for case_id in best:
        row = rows.get(case_id)
        if row is None:
            continue
        subject_words = set(search_terms(row[2], limit=64))
        # A word in the subject names the problem; in the description it may be incidental.
        subject_bonus = sum(w for word, w in weights.items() if _stem_match(word, subject_words))
        ranked.append((scores[case_id] + subject_bonus, row))
    ranked.sort(key=lambda item: (-item[0], -item[1][0]))
    found: list[SimilarCase] = []
    problems: set[str] = set()
    for score, (case_id, number, subject, resolution, status) in ranked:
        problem = " ".join(search_terms(subject, limit=64))
        if problem in problems:
            continue
        problems.add(problem)
        found.append(SimilarCase(case_id, number, subject, resolution, status, round(score, 3)))
        if len(found) >= limit:
            break
    return found


def _stem_match(word: str, subject_words: set[str]) -> bool:
    """``word`` is in the subject, allowing the plural/verb endings the stemmers fold."""
    return any(s == word or s.startswith(word) or word.startswith(s) for s in subject_words if len(s) > 2)


def _case_count_estimate() -> int:
    """How many cases there are, from the highest id (cheap on any size; ids are dense)."""
    return int(CaseRecord.select(fn.MAX(CaseRecord.id)).scalar() or 0)


def search_case_ids(text: str, limit: int | None = None, *, ranked: bool = True) -> list[int]:
    """Ids of cases (any status) containing every word of ``text`` as a word prefix, best first.

    Args:
        text: what the user typed in the search box.
        limit: at most this many ids (None: all).
        ranked: False skips relevance ordering (the case list sorts by a column anyway, and
            ranking 20,000 matches costs ~90 ms); ids then come newest case first.

    Returns:
        Case ids ranked by relevance; empty when ``text`` has no searchable word.
    """
    terms = search_terms(text)
    if not terms:
        return []
    return case_search_ids(terms, limit, ranked=ranked)
