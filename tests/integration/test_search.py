"""Hybrid mission search: full text (stemmed prefixes, GIN index) + vector similarity (the fake
embedder's vectors), fused by RRF; drafts never found; the catalog's filters and pages over the
ranking; the search API's access rules and validation; full text alone when there is no model."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, select

from cyberhub.models import Mission, MissionEmbedding, MissionStatus, User
from cyberhub.services.ai import query_embedder, search
from cyberhub.services.ai.embeddings import embed_missions
from cyberhub.services.learning import catalog
from tests.factories import principal
from tests.fakes import FakeEmbedder
from worker import model

pytestmark = [pytest.mark.ai, pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]
V1 = "/api/v1"

PHISHING = {
    "write-an-acceptable-use-policy",
    "present-a-csf-profile-to-the-board",
    "price-a-managed-security-service",
    "go-to-market-plan-for-phishing-training",
    "analyse-a-phishing-email",
    "create-a-phishing-awareness-micro-lesson",
    "plan-an-ethical-phishing-simulation",
}
PHISHING_IN_TITLE = {
    "analyse-a-phishing-email",
    "create-a-phishing-awareness-micro-lesson",
    "plan-an-ethical-phishing-simulation",
}
# Words in no mission: only the vector list can find anything for it.
SAFARI = "Zebra savanna migration"


@pytest.fixture(autouse=True)
def fresh_query_embedder() -> Iterator[None]:
    query_embedder.reset()
    yield
    query_embedder.reset()


@pytest.fixture
def embedded(session: Session, demo: list[int], fake_embedder: FakeEmbedder) -> list[int]:
    """The demo catalog with every mission embedded by the fake embedder."""
    embed_missions(session, demo, fake_embedder)
    session.commit()
    fake_embedder.calls.clear()
    return demo


def mid(session: Session, slug: str) -> int:
    found = session.exec(select(Mission.id).where(Mission.slug == slug)).one()
    assert found is not None
    return found


def slugs(session: Session, ids: list[int]) -> list[str]:
    by_id = {m.id: m.slug for m in session.exec(select(Mission)).all()}
    return [by_id[i] for i in ids]


def set_vector(
    session: Session, mission_id: int, vector: list[float], model_name: str | None = None
) -> None:
    row = session.get(MissionEmbedding, mission_id)
    name = model_name or FakeEmbedder.name
    if row is None:
        row = MissionEmbedding(mission_id=mission_id, model=name, text_hash="x", embedding=vector)
    row.embedding, row.model = vector, name
    session.add(row)
    session.commit()


def query_vector(q: str) -> list[float]:
    """The vector the search computes for `q` (it embeds the normalized query)."""
    return FakeEmbedder().encode([query_embedder.normalize_query(q)])[0]


def unpublish(session: Session, mission_id: int) -> None:
    m = session.get(Mission, mission_id)
    assert m is not None
    m.status = MissionStatus.draft
    session.add(m)
    session.commit()


class TestFullText:
    def test_stemmed_words_find_every_form(self, session: Session, demo: list[int]) -> None:
        for q in ("phishing", "Phish", "phished", "PHISHES"):
            result = search.hybrid(session, q)
            assert set(slugs(session, result.text_ids)) == PHISHING, q
            assert not result.vector_used  # no vectors stored yet: full text alone

    def test_prefixes_work_while_typing(self, session: Session, demo: list[int]) -> None:
        assert set(slugs(session, search.hybrid(session, "phis").text_ids)) >= PHISHING
        assert slugs(session, search.hybrid(session, "kubern").text_ids) == [
            "harden-kubernetes-with-pss-and-network-policies"
        ]

    def test_every_word_must_match(self, session: Session, demo: list[int]) -> None:
        both = set(slugs(session, search.hybrid(session, "phishing email headers").text_ids))
        assert "analyse-a-phishing-email" in both and both <= PHISHING
        assert search.hybrid(session, "phishing kubernetes").text_ids == []

    def test_title_matches_rank_first(self, session: Session, demo: list[int]) -> None:
        ranked = slugs(session, search.hybrid(session, "phishing").text_ids)
        assert set(ranked[:3]) == PHISHING_IN_TITLE

    def test_stop_words_and_punctuation_find_nothing_without_error(
        self, session: Session, demo: list[int]
    ) -> None:
        for q in ("the", "!!! ???", "a & | ! :*"):
            assert search.hybrid(session, q).hits == [], q

    def test_the_gin_index_is_used(self, session: Session, demo: list[int]) -> None:
        stmt = search.text_statement(["phish"], None, search.LIST_CAP)
        sql = str(
            stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
        )
        # With 35 missions, all published, a scan (or the status index) wins on cost; take those
        # alternatives away (this test's own database) to see that the expression matches.
        session.execute(text("DROP INDEX ix_missions_status"))
        session.execute(text("ANALYZE missions"))
        session.execute(text("SET LOCAL enable_seqscan = off"))
        session.execute(text("SET LOCAL enable_indexscan = off"))
        plan = "\n".join(r[0] for r in session.execute(text("EXPLAIN " + sql)).all())
        assert "ix_missions_fts" in plan, plan


class TestVectorSearch:
    def test_finds_a_mission_by_meaning_alone(
        self, session: Session, embedded: list[int], fake_embedder: FakeEmbedder
    ) -> None:
        # The fake embedder maps equal texts to equal vectors: give one mission the query's
        # vector, as a real model would give a mission about the query a close one.
        target = mid(session, "harden-a-linux-web-server")
        set_vector(session, target, query_vector(SAFARI))
        result = search.hybrid(session, SAFARI)
        assert result.vector_used and result.text_ids == []
        assert result.vector_ids[0] == target
        assert result.hits[0].mission_id == target
        assert result.hits[0].matched == ("vector",)
        assert result.hits[0].score == pytest.approx(1 / 61)

    def test_agreement_of_both_lists_ranks_above_either_alone(
        self, session: Session, embedded: list[int]
    ) -> None:
        target = mid(session, "create-a-phishing-awareness-micro-lesson")
        set_vector(session, target, query_vector("phishing"))
        result = search.hybrid(session, "phishing")
        [hit] = [h for h in result.hits if h.mission_id == target]
        assert hit.matched == ("text", "vector") and hit.ranks["vector"] == 1
        assert hit.score == pytest.approx(1 / (60 + hit.ranks["text"]) + 1 / 61)
        position = result.ids.index(target)
        assert all(
            result.ids.index(h.mission_id) > position for h in result.hits if len(h.matched) == 1
        )

    def test_far_vectors_are_not_results(self, session: Session, embedded: list[int]) -> None:
        # Nearest neighbours always exist; below MIN_SIMILARITY they are noise, not results.
        opposite = [-x for x in query_vector(SAFARI)]
        for m in embedded:
            set_vector(session, m, opposite)
        result = search.hybrid(session, SAFARI)
        assert result.vector_used and result.vector_ids == [] and result.hits == []

    def test_only_vectors_of_the_query_model_are_compared(
        self, session: Session, demo: list[int], fake_embedder: FakeEmbedder
    ) -> None:
        target = mid(session, "harden-a-linux-web-server")
        set_vector(session, target, query_vector(SAFARI), model_name="another-model")
        result = search.hybrid(session, SAFARI)
        assert result.hits == [] and not result.vector_used
        assert fake_embedder.calls == []  # nothing to compare with: the query is not embedded

    def test_query_vectors_are_cached(
        self, session: Session, embedded: list[int], fake_embedder: FakeEmbedder
    ) -> None:
        for q in ("Phishing kits", "  phishing   KITS ", "phishing kits"):
            search.hybrid(session, q)
        assert fake_embedder.calls == ["phishing kits"]

    def test_filters_apply_inside_the_vector_list(
        self, session: Session, embedded: list[int]
    ) -> None:
        target = mid(session, "harden-a-linux-web-server")  # builders
        set_vector(session, target, query_vector(SAFARI))
        assert target not in search.hybrid(session, SAFARI, search.Scope(track="leaders")).ids
        assert search.hybrid(session, SAFARI, search.Scope(track="builders")).ids[0] == target


class TestDrafts:
    def test_drafts_are_found_by_neither_list(self, session: Session, embedded: list[int]) -> None:
        by_text = mid(session, "analyse-a-phishing-email")
        by_meaning = mid(session, "harden-a-linux-web-server")
        set_vector(session, by_text, query_vector("phishing"))
        set_vector(session, by_meaning, query_vector(SAFARI))
        assert by_text in search.hybrid(session, "phishing").ids
        assert by_meaning in search.hybrid(session, SAFARI).ids
        unpublish(session, by_text)
        unpublish(session, by_meaning)
        phishing = search.hybrid(session, "phishing")
        assert by_text not in phishing.ids and by_text not in phishing.vector_ids
        assert set(slugs(session, phishing.text_ids)) == PHISHING - {"analyse-a-phishing-email"}
        assert by_meaning not in search.hybrid(session, SAFARI).ids

    def test_the_api_never_returns_a_draft(
        self, session: Session, embedded: list[int], student_client: TestClient
    ) -> None:
        draft = mid(session, "analyse-a-phishing-email")
        unpublish(session, draft)
        r = student_client.get(V1 + "/search/missions", params={"q": "phishing", "limit": 50})
        assert r.status_code == 200
        assert draft not in {m["id"] for m in r.json()}


class TestCatalogSearch:
    """catalog.list_missions with q: the hybrid ranking, within the filters, paginated."""

    def test_catalog_search_finds_by_meaning_and_ranks_it_first(
        self, session: Session, embedded: list[int], student_client: TestClient
    ) -> None:
        target = mid(session, "harden-a-linux-web-server")
        set_vector(session, target, query_vector(SAFARI))
        r = student_client.get(V1 + "/missions", params={"q": SAFARI})
        assert r.status_code == 200
        assert r.json()["items"][0]["id"] == target

    def test_catalog_order_is_the_hybrid_ranking(
        self, session: Session, embedded: list[int], student_client: TestClient
    ) -> None:
        set_vector(
            session, mid(session, "price-a-managed-security-service"), query_vector("phishing")
        )
        ranked = search.hybrid(session, "phishing").ids
        body = student_client.get(
            V1 + "/missions", params={"q": "phishing", "page_size": 100}
        ).json()
        assert [m["id"] for m in body["items"]] == ranked
        assert body["total"] == len(ranked)
        # Fused: the mission both lists agree on comes first although its title lacks the word.
        assert body["items"][0]["slug"] == "price-a-managed-security-service"

    def test_filters_still_apply(
        self, session: Session, demo: list[int], student_client: TestClient
    ) -> None:
        def found(**params: str | int) -> set[str]:
            r = student_client.get(
                V1 + "/missions", params={"q": "phishing", "page_size": 100, **params}
            )
            assert r.status_code == 200, r.text
            return {m["slug"] for m in r.json()["items"]}

        assert found(track="educators") == {
            "create-a-phishing-awareness-micro-lesson",
            "plan-an-ethical-phishing-simulation",
        }
        assert found(difficulty=1) == {
            "write-an-acceptable-use-policy",
            "analyse-a-phishing-email",
            "create-a-phishing-awareness-micro-lesson",
        }
        assert found(skill="Docker") == {"plan-an-ethical-phishing-simulation"}
        assert found(track="builders") == set()

    def test_pages_walk_the_ranking_once(
        self, session: Session, embedded: list[int], student_client: TestClient
    ) -> None:
        set_vector(session, mid(session, "harden-a-linux-web-server"), query_vector("phishing"))
        full = student_client.get(
            V1 + "/missions", params={"q": "phishing", "page_size": 100}
        ).json()
        assert full["total"] >= 8
        seen: list[int] = []
        first = student_client.get(V1 + "/missions", params={"q": "phishing", "page_size": 3})
        pages = first.json()["pages"]
        assert pages == -(-full["total"] // 3)
        for page in range(1, pages + 1):
            body = student_client.get(
                V1 + "/missions", params={"q": "phishing", "page_size": 3, "page": page}
            ).json()
            assert body["total"] == full["total"] and body["page"] == page
            seen += [m["id"] for m in body["items"]]
        assert seen == [m["id"] for m in full["items"]]
        beyond = student_client.get(
            V1 + "/missions", params={"q": "phishing", "page_size": 3, "page": pages + 1}
        ).json()
        assert beyond["items"] == [] and beyond["total"] == full["total"]

    @pytest.mark.parametrize("q", ["phishing", ""])
    def test_the_catalog_page_asks_for_the_last_page_past_the_end(
        self, session: Session, embedded: list[int], student_user: User, q: str
    ) -> None:
        """The catalog page's stale link (?page=99, the list got shorter) shows the last page,
        searched or not, in one call; the API's page past the end stays empty."""
        student = principal(session, student_user)
        every = catalog.list_missions(session, student, catalog.MissionFilter(q=q, page_size=100))
        last = -(-every.total // 3)
        assert every.total > 3
        stale = catalog.MissionFilter(q=q, page_size=3, page=99, last_if_past=True)
        shown = catalog.list_missions(session, student, stale)
        assert (shown.page, shown.total) == (last, every.total)
        assert [m.id for m, _ in shown.items] == [m.id for m, _ in every.items][(last - 1) * 3 :]
        api = catalog.list_missions(
            session, student, catalog.MissionFilter(q=q, page_size=3, page=99)
        )
        assert (api.page, api.items) == (99, [])

    def test_service_checks_sign_in(self, session: Session, demo: list[int]) -> None:
        from cyberhub.services.errors import Unauthenticated

        with pytest.raises(Unauthenticated):
            catalog.list_missions(session, None, catalog.MissionFilter(q="phishing"))


class TestSearchApi:
    def test_anonymous_is_told_to_sign_in(self, api_client: TestClient, demo: list[int]) -> None:
        r = api_client.get(V1 + "/search/missions", params={"q": "phishing"})
        assert r.status_code == 401 and "sign in" in r.json()["detail"].lower()

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({}, "q"),
            ({"q": ""}, "q"),
            ({"q": "   "}, "q"),
            ({"q": "x" * 201}, "q"),
            ({"q": "phishing", "limit": 0}, "limit"),
            ({"q": "phishing", "limit": 51}, "limit"),
            ({"q": "phishing", "limit": "many"}, "limit"),
        ],
    )
    def test_bad_parameters_are_422_naming_the_field(
        self,
        student_client: TestClient,
        demo: list[int],
        params: dict,
        field: str,
    ) -> None:
        r = student_client.get(V1 + "/search/missions", params=params)
        assert r.status_code == 422, r.text
        assert r.json()["detail"].startswith(f"{field}:")

    def test_results_shape_and_order(
        self, session: Session, embedded: list[int], student_client: TestClient
    ) -> None:
        target = mid(session, "create-a-phishing-awareness-micro-lesson")
        set_vector(session, target, query_vector("phishing"))
        r = student_client.get(V1 + "/search/missions", params={"q": "phishing"})
        assert r.status_code == 200, r.text
        items = r.json()
        assert len(items) >= 7
        for item in items:
            assert set(item) == {
                "id",
                "title",
                "summary",
                "track",
                "difficulty",
                "score",
                "matched",
            }
            assert item["matched"] and set(item["matched"]) <= {"text", "vector"}
        assert [i["score"] for i in items] == sorted((i["score"] for i in items), reverse=True)
        assert items[0]["id"] == target and items[0]["matched"] == ["text", "vector"]
        assert items[0]["track"] == "educators" and items[0]["difficulty"] == 1
        texts = {i["id"] for i in items if "text" in i["matched"]}
        assert set(slugs(session, sorted(texts))) == PHISHING

    def test_limit(self, student_client: TestClient, demo: list[int]) -> None:
        r = student_client.get(V1 + "/search/missions", params={"q": "phishing", "limit": 2})
        assert r.status_code == 200 and len(r.json()) == 2

    def test_nothing_found_is_an_empty_list(
        self, student_client: TestClient, demo: list[int]
    ) -> None:
        r = student_client.get(V1 + "/search/missions", params={"q": "no-such-thing-anywhere"})
        assert r.status_code == 200 and r.json() == []

    def test_every_signed_in_role_may_search(
        self, mentor_client: TestClient, demo: list[int]
    ) -> None:
        r = mentor_client.get(V1 + "/search/missions", params={"q": "kubernetes"})
        assert r.status_code == 200 and len(r.json()) == 1


# -- no model: full text only, never a 500 ------------------------------------------------------


class FailingModel(model.ModelEmbedder):
    """The real model's embedder whose load fails (e.g. the wheel is missing)."""

    def __init__(self) -> None:
        self.attempts = 0

    def encode(self, texts: list[str]) -> list[list[float]]:
        self.attempts += 1
        raise OSError("model files not found")


class SlowModel(model.ModelEmbedder):
    """The real model's embedder that takes until `release` is set to load."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.fake = FakeEmbedder()

    def encode(self, texts: list[str]) -> list[list[float]]:
        assert self.release.wait(10)
        return self.fake.encode(texts)


@pytest.fixture
def real_model_slot(
    session: Session, demo: list[int], monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Missions embedded under the real model's name; the model is not loaded in this process."""
    fake = FakeEmbedder()
    for m, vector in zip(demo, fake.encode([f"mission {m}" for m in demo]), strict=True):
        set_vector(session, m, vector, model_name=model.ModelEmbedder.name)
    monkeypatch.setattr(query_embedder, "_loaded_elsewhere", lambda: False)
    yield
    model.set_embedder(None)


def wait_until(condition: object, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


class TestWithoutModel:
    def test_failed_model_load_degrades_to_full_text(
        self, real_model_slot: None, student_client: TestClient, session: Session
    ) -> None:
        failing = FailingModel()
        model.set_embedder(failing)
        for _ in range(2):
            r = student_client.get(V1 + "/search/missions", params={"q": "phishing"})
            assert r.status_code == 200, r.text
            assert {tuple(i["matched"]) for i in r.json()} == {("text",)}
            assert set(slugs(session, [i["id"] for i in r.json()])) == PHISHING
            wait_until(lambda: query_embedder._failed_at is not None)
        assert failing.attempts == 1  # not retried at every query (RETRY_SECONDS)
        page = student_client.get(V1 + "/missions", params={"q": "phishing"})
        assert page.status_code == 200 and page.json()["total"] == len(PHISHING)

    def test_model_loads_in_the_background_on_the_first_query(
        self, real_model_slot: None, session: Session
    ) -> None:
        slow = SlowModel()
        model.set_embedder(slow)
        started = time.monotonic()
        first = search.hybrid(session, "phishing")
        assert time.monotonic() - started < 2  # the query did not wait for the model
        assert not first.vector_used and set(slugs(session, first.ids)) == PHISHING
        loader = query_embedder._loading
        assert loader is not None and loader.is_alive()
        slow.release.set()
        loader.join(10)
        assert query_embedder.embedder() is slow
        assert search.hybrid(session, "phishing").vector_used

    def test_embedder_waits_when_asked(self, real_model_slot: None) -> None:
        slow = SlowModel()
        model.set_embedder(slow)
        threading.Timer(0.2, slow.release.set).start()
        assert query_embedder.embedder(wait=10) is slow

    def test_web_modules_do_not_import_torch(self) -> None:
        code = (
            "import sys, cyberhub.api, cyberhub.services.ai.search, cyberhub.services.learning.catalog, "
            "cyberhub.services.ai.query_embedder, worker.model\n"
            "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.split() == ["False", "False"]


# -- the real model: the similarity threshold suits all-MiniLM-L6-v2 ------------------------------


@pytest.mark.slow
def test_real_model_finds_by_meaning_and_not_by_noise(
    session: Session, demo: list[int], student_client: TestClient
) -> None:
    """With the model from the wheel: words no mission uses find the missions they mean, and
    nonsense finds nothing (the nearest neighbours are below MIN_SIMILARITY)."""
    model.set_embedder(None)  # the real one
    try:
        embed_missions(session, demo, model.get_embedder())
        session.commit()
        r = student_client.get(V1 + "/search/missions", params={"q": "fake emails tricking staff"})
        assert r.status_code == 200
        # The model is loaded in this process already (above): the query is embedded at once.
        top = r.json()[:3]
        assert {tuple(i["matched"]) for i in top} == {("vector",)}
        assert set(slugs(session, [i["id"] for i in top])) <= PHISHING
        nonsense = student_client.get(V1 + "/search/missions", params={"q": "zebra savanna"})
        assert nonsense.status_code == 200 and nonsense.json() == []
    finally:
        model.set_embedder(None)
