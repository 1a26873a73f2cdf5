"""Full-text search over cases: the only module with engine-specific search SQL (FTS5 / tsvector)."""

from __future__ import annotations

import re

from desktop_helpdesk.services.context import is_sqlite
from desktop_helpdesk.services.dto import SimilarCase
from desktop_helpdesk.storage.db import database
from desktop_helpdesk.storage.records import CaseRecord, InteractionRecord

# Words too common in support mail to say anything about similarity.
_STOP_WORDS = frozenset(
    "a an and are as at be but by can cannot could do does for from has have hi hello how i if "
    "in into is it its me my no not of on or our please re so that the their them there this "
    "to was we were what when where which who why will with you your thanks thank regards".split()
)
_WORD = re.compile(r"\w+", re.UNICODE)
_CLOSED_STATUSES = ("resolved", "closed")
# Column weights for bm25: a matching subject or resolution says more than a long description.
_BM25_WEIGHTS = "10.0, 2.0, 1.0, 4.0"


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
    if is_sqlite():
        database.execute_sql(
            "INSERT OR REPLACE INTO case_search (rowid, subject, description, interactions, "
            "resolution) VALUES (?, ?, ?, ?, ?)",
            (case_id, subject, description, interactions, resolution),
        )
        return
    database.execute_sql(
        "INSERT INTO case_search (case_id, document) VALUES (%s, "
        "setweight(to_tsvector('english', %s), 'A') || setweight(to_tsvector('english', %s), 'C')"
        " || setweight(to_tsvector('english', %s), 'D') || setweight(to_tsvector('english', %s), 'B'))"
        " ON CONFLICT (case_id) DO UPDATE SET document = EXCLUDED.document",
        (case_id, subject, description, interactions, resolution),
    )


def bulk_search_rows_sql() -> str:
    """The SQLite statement ``bench.big_database`` uses with ``executemany`` (rowid + 4 texts)."""
    return (
        "INSERT INTO case_search (rowid, subject, description, interactions, resolution) "
        "VALUES (?, ?, ?, ?, ?)"
    )


def similar_resolved_cases(
    text: str, limit: int = 5, *, exclude_case_id: int | None = None
) -> list[SimilarCase]:
    """Resolved or closed cases closest to ``text`` (best first), ranked by bm25 on SQLite
    and ts_rank on PostgreSQL; any of the words may match.

    Args:
        text: the subject and description being typed.
        limit: at most this many cases.
        exclude_case_id: leave this case out (the one being looked at).

    Returns:
        Up to ``limit`` ``SimilarCase``; empty when ``text`` has no searchable word.
    """
    terms = search_terms(text)
    if not terms or limit <= 0:
        return []
    exclude = -1 if exclude_case_id is None else exclude_case_id
    if is_sqlite():
        match = " OR ".join(f'"{term}"' for term in terms)
        sql = (
            'SELECT c.id, c.number, c.subject, c.resolution_summary, c.status, '
            f"bm25(case_search, {_BM25_WEIGHTS}) AS score "
            'FROM case_search JOIN "case" AS c ON c.id = case_search.rowid '
            "WHERE case_search MATCH ? AND c.status IN (?, ?) AND c.id <> ? "
            "ORDER BY score LIMIT ?"
        )
        params = (match, *_CLOSED_STATUSES, exclude, limit)
    else:
        sql = (
            "SELECT c.id, c.number, c.subject, c.resolution_summary, c.status, "
            "-ts_rank(s.document, q) AS score "
            'FROM case_search AS s JOIN "case" AS c ON c.id = s.case_id, '
            "to_tsquery('english', %s) AS q "
            "WHERE s.document @@ q AND c.status IN (%s, %s) AND c.id <> %s "
            "ORDER BY score LIMIT %s"
        )
        params = (" | ".join(terms), *_CLOSED_STATUSES, exclude, limit)
    rows = database.execute_sql(sql, params).fetchall()
    # Lower is better for both engines here (bm25 is negative; ts_rank is negated).
    return [SimilarCase(row[0], row[1], row[2], row[3], row[4], -float(row[5])) for row in rows]


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
    if is_sqlite():
        match = " AND ".join(f'"{term}"*' for term in terms)
        order = " ORDER BY rank" if ranked else " ORDER BY rowid DESC"
        sql = "SELECT rowid FROM case_search WHERE case_search MATCH ?" + order
        params: tuple = (match,)
        if limit is not None:
            sql += " LIMIT ?"
            params += (limit,)
    else:
        sql = (
            "SELECT case_id FROM case_search, to_tsquery('english', %s) AS q "
            "WHERE document @@ q"
            + (" ORDER BY ts_rank(document, q) DESC" if ranked else " ORDER BY case_id DESC")
        )
        params = (" & ".join(f"{term}:*" for term in terms),)
        if limit is not None:
            sql += " LIMIT %s"
            params += (limit,)
    return [row[0] for row in database.execute_sql(sql, params).fetchall()]
