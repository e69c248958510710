"""Hybrid mission search: Postgres full text + vector similarity, merged by reciprocal rank fusion.

Two ranked lists over PUBLISHED missions (each capped at LIST_CAP, both restricted by the same
filters so a filter never starves a list):

- text: the GIN-indexed expression to_tsvector('english', title || ' ' || summary || ' ' ||
  brief) (spelled exactly as the index so the planner uses it) matched against a prefix
  tsquery: the query's words (letters and digits only, so nothing a user types can break the
  tsquery syntax), each stemmed and prefix-matched (`word:*`), joined with `&`. Prefixes make
  search-as-you-type work ("phis" finds "phishing"); stemming makes "phishing" find "phish".
  Every word must match: there is no `|` fallback, because the vector list already supplies
  the fuzzy recall (missions about the query's meaning without all its words), ranked by
  meaning rather than by whichever single word happened to match; `|` would also turn a
  nonsense query into a page of unrelated missions. Ranked by a title match first, then
  ts_rank_cd.
- vector: the query embedded by the same model as the stored mission vectors, nearest missions
  by cosine distance over the HNSW index (iterative scan, relaxed order, so the published /
  filter conditions never leave it short), keeping those with similarity >= MIN_SIMILARITY:
  nearest neighbours always exist, but far ones are noise.

Fusion: score(d) = sum over lists of 1 / (RRF_K + rank of d in that list), ranks from 1.
With no embedder (the model is loading or failed to load) or no stored vectors for its model,
the vector list is empty and the result is the full-text ranking: never an error.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import any_, case, func, literal, literal_column, text
from sqlalchemy import select as sa_select
from sqlalchemy.sql.expression import ColumnClause
from sqlmodel import Session, col, select

from cyberhub.models import Mission, MissionEmbedding, MissionStatus, Track
from cyberhub.schemas.ai import MissionHitPublic
from cyberhub.schemas.rows import from_row
from cyberhub.services.ai import query_embedder
from cyberhub.services.errors import Invalid
from cyberhub.services.identity.permissions import Principal, require_signed_in
from cyberhub.services.learning import mission_scope

log = logging.getLogger(__name__)

RRF_K = 60
LIST_CAP = 50
# all-MiniLM-L6-v2: unrelated texts sit around 0.0-0.15, a query and a mission about it
# usually above 0.3.
MIN_SIMILARITY = 0.25
EF_SEARCH = 100
MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
DEFAULT_LIMIT = 20
MAX_LIMIT = 50

TEXT = "text"
VECTOR = "vector"

# Exactly the expression of the GIN index ix_missions_fts (migration 0007).
_DOCUMENT: ColumnClause[Any] = literal_column(
    "to_tsvector('english', missions.title || ' ' || missions.summary || ' ' || missions.brief)"
)
_TITLE: ColumnClause[Any] = literal_column("to_tsvector('english', missions.title)")
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Hit:
    mission_id: int
    score: float
    matched: tuple[str, ...]  # the lists it came from, in the order "text", "vector"
    ranks: dict[str, int] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Scope:
    """Catalog filters applied inside both lists."""

    track: str = ""
    difficulty: int | None = None
    skill: str = ""
    # Who is searching: a condition on Mission from mission_scope.visible_condition, applied
    # inside both lists (None: no restriction, for callers that check themselves).
    visible: Any = field(default=None, compare=False)


@dataclass
class SearchResult:
    hits: list[Hit]
    text_ids: list[int]
    vector_ids: list[int]
    # False when the vector list could not be computed (no model, or no vectors for it).
    vector_used: bool

    @property
    def ids(self) -> list[int]:
        return [h.mission_id for h in self.hits]


def rrf(lists: dict[str, list[int]], k: int = RRF_K) -> list[Hit]:
    """Reciprocal rank fusion of ranked id lists (best first): each list gives an id
    1 / (k + rank), ranks starting at 1. Ties: the better best rank first, then the smaller id."""
    scores: dict[int, float] = {}
    ranks: dict[int, dict[str, int]] = {}
    for name, ids in lists.items():
        seen: set[int] = set()
        rank = 0
        for mid in ids:
            if mid in seen:  # a list names each id once; ignore repeats
                continue
            seen.add(mid)
            rank += 1
            scores[mid] = scores.get(mid, 0.0) + 1.0 / (k + rank)
            ranks.setdefault(mid, {})[name] = rank
    order = list(lists)
    hits = [
        Hit(
            mission_id=mid,
            score=score,
            matched=tuple(n for n in order if n in ranks[mid]),
            ranks=ranks[mid],
        )
        for mid, score in scores.items()
    ]
    hits.sort(key=lambda h: (-h.score, min(h.ranks.values()), h.mission_id))
    return hits


def query_terms(q: str) -> list[str]:
    """The query's words, lowercased, deduplicated, at most MAX_TERMS (letters and digits only:
    whatever else was typed cannot reach the tsquery syntax)."""
    terms: list[str] = []
    for word in _WORD.findall(q[:MAX_QUERY_LENGTH].lower()):
        if word not in terms:
            terms.append(word)
        if len(terms) == MAX_TERMS:
            break
    return terms


def prefix_tsquery(terms: list[str]) -> str:
    """`to_tsquery` input matching every term as a (stemmed) prefix: 'phish:* & kit:*'."""
    return " & ".join(f"{t}:*" for t in terms)


def _scoped(stmt: Any, scope: Scope | None) -> Any:
    stmt = stmt.where(col(Mission.status) == MissionStatus.published)
    if scope is None:
        return stmt
    if scope.visible is not None:
        stmt = stmt.where(scope.visible)
    if scope.track:
        stmt = stmt.join(Track, col(Track.id) == col(Mission.track_id)).where(
            col(Track.key) == scope.track
        )
    if scope.difficulty:
        stmt = stmt.where(col(Mission.difficulty) == scope.difficulty)
    if scope.skill:
        stmt = stmt.where(literal(scope.skill) == any_(col(Mission.skills)))
    return stmt


def text_statement(terms: list[str], scope: Scope | None, limit: int) -> Any:
    """The full-text query: missions whose indexed document matches every term, best first."""
    tsquery = func.to_tsquery(literal_column("'english'"), prefix_tsquery(terms))
    in_title = case((_TITLE.op("@@")(tsquery), 1), else_=0)
    stmt = _scoped(sa_select(col(Mission.id)).select_from(Mission), scope).where(
        _DOCUMENT.op("@@")(tsquery)
    )
    return stmt.order_by(
        in_title.desc(), func.ts_rank_cd(_DOCUMENT, tsquery).desc(), col(Mission.id)
    ).limit(limit)


def text_ranking(
    session: Session, terms: list[str], scope: Scope | None = None, limit: int = LIST_CAP
) -> list[int]:
    """Published mission ids matching every term (stemmed prefixes), best first."""
    if not terms:
        return []
    return [int(m) for m in session.execute(text_statement(terms, scope, limit)).scalars().all()]


def vector_ranking(
    session: Session,
    model: str,
    vector: Any,
    scope: Scope | None = None,
    limit: int = LIST_CAP,
    min_similarity: float = MIN_SIMILARITY,
) -> list[int]:
    """Published mission ids nearest to `vector` among the vectors of `model`, best first,
    keeping those at least `min_similarity` (cosine) close."""
    # Iterative scan: the HNSW index yields candidates until `limit` rows pass the filters.
    session.execute(text(f"SET LOCAL hnsw.ef_search = {max(EF_SEARCH, limit)}"))
    session.execute(text("SET LOCAL hnsw.iterative_scan = relaxed_order"))
    distance = MissionEmbedding.embedding.cosine_distance(vector)  # type: ignore[attr-defined]
    stmt = _scoped(
        sa_select(col(Mission.id), distance.label("distance"))
        .select_from(MissionEmbedding)
        .join(Mission, col(Mission.id) == col(MissionEmbedding.mission_id)),
        scope,
    ).where(col(MissionEmbedding.model) == model)
    rows = session.execute(stmt.order_by(distance).limit(limit)).all()
    # relaxed_order may return a few rows slightly out of order: sort what we got.
    near = sorted((float(d), int(mid)) for mid, d in rows)
    return [mid for d, mid in near if 1.0 - d >= min_similarity]


def _has_vectors(session: Session, model: str) -> bool:
    return (
        session.exec(
            select(MissionEmbedding.mission_id).where(MissionEmbedding.model == model).limit(1)
        ).first()
        is not None
    )


def hybrid(
    session: Session, q: str, scope: Scope | None = None, limit: int = LIST_CAP
) -> SearchResult:
    """Both rankings for `q` within `scope`, fused (no permission check: callers check)."""
    terms = query_terms(q)
    if not terms:
        return SearchResult(hits=[], text_ids=[], vector_ids=[], vector_used=False)
    text_ids = text_ranking(session, terms, scope, limit)
    vector_ids: list[int] = []
    used = False
    # Only embed when there is something to compare with: before the worker has embedded the
    # catalog (or after a model change) the query would load the model for nothing.
    if _has_vectors(session, query_embedder.current_name()):
        embedded = query_embedder.embed_query(q[:MAX_QUERY_LENGTH])
        if embedded is not None:
            model, vector = embedded
            vector_ids = vector_ranking(session, model, vector, scope, limit)
            used = True
    hits = rrf({TEXT: text_ids, VECTOR: vector_ids})
    return SearchResult(hits=hits, text_ids=text_ids, vector_ids=vector_ids, vector_used=used)


def search_missions(
    session: Session, principal: Principal | None, q: str, limit: int = DEFAULT_LIMIT
) -> list[MissionHitPublic]:
    """The best `limit` published missions for `q` that the user may see (signed-in users)."""
    actor = require_signed_in(principal)
    if not q.strip():
        raise Invalid("q: type something to search for.")
    if len(q) > MAX_QUERY_LENGTH:
        raise Invalid(f"q: at most {MAX_QUERY_LENGTH} characters.")
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(f"limit: between 1 and {MAX_LIMIT}.")
    result = hybrid(session, q, Scope(visible=mission_scope.visible_condition(actor)))
    top = result.hits[:limit]
    if not top:
        return []
    rows = session.exec(
        select(Mission, Track)
        .join(Track, col(Track.id) == col(Mission.track_id))
        .where(col(Mission.id).in_([h.mission_id for h in top]))
    ).all()
    by_id = {m.id: (m, t) for m, t in rows}
    out = []
    for h in top:
        if h.mission_id in by_id:
            m, t = by_id[h.mission_id]
            out.append(
                from_row(
                    MissionHitPublic,
                    m,
                    id=h.mission_id,
                    track=t.key,
                    score=round(h.score, 6),
                    matched=list(h.matched),
                )
            )
    return out
