"""POST /api/v1/embeddings: authenticated (user or write API key), 1-64 non-blank texts of at
most 2000 characters, unit vectors of 384 dimensions, 30 calls per user per minute."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from cyberhub.services.ai import query_embedder
from tests.factories import PASSWORD
from tests.fakes import FakeEmbedder
from worker import model

pytestmark = [pytest.mark.ai, pytest.mark.integration]

URL = "/api/v1/embeddings"


@pytest.fixture(autouse=True)
def fresh_query_embedder() -> Iterator[None]:
    query_embedder.reset()
    yield
    query_embedder.reset()


def create_key(client: TestClient, scopes: list[str]) -> str:
    r = client.post(
        "/api/v1/api-keys", json={"name": "embeddings", "scopes": scopes, "password": PASSWORD}
    )
    assert r.status_code == 201, r.text
    return str(r.json()["secret"])


class TestAccess:
    def test_anonymous_is_told_to_sign_in(
        self, api_client: TestClient, fake_embedder: FakeEmbedder
    ) -> None:
        r = api_client.post(URL, json={"texts": ["hello"]})
        assert r.status_code == 401 and "sign in" in r.json()["detail"].lower()
        assert fake_embedder.calls == []

    def test_a_write_api_key_may_embed(
        self, student_client: TestClient, api_client: TestClient, fake_embedder: FakeEmbedder
    ) -> None:
        secret = create_key(student_client, ["write"])
        r = api_client.post(URL, json={"texts": ["hello"]}, headers={"X-API-Key": secret})
        assert r.status_code == 200, r.text
        assert len(r.json()["vectors"]) == 1

    def test_a_read_only_api_key_may_not(
        self, student_client: TestClient, api_client: TestClient, fake_embedder: FakeEmbedder
    ) -> None:
        # Read keys may only GET (the house rule for every POST route).
        secret = create_key(student_client, ["read"])
        r = api_client.post(
            URL, json={"texts": ["hello"]}, headers={"Authorization": f"Bearer {secret}"}
        )
        assert r.status_code == 403 and r.json()["detail"]

    def test_no_ai_consent_needed(
        self, student_client: TestClient, fake_embedder: FakeEmbedder
    ) -> None:
        # The test student never accepted AI profiling: embedding texts is not profiling.
        r = student_client.post(URL, json={"texts": ["hello"]})
        assert r.status_code == 200


class TestEmbeddings:
    def test_shape_order_and_unit_length(
        self, student_client: TestClient, fake_embedder: FakeEmbedder
    ) -> None:
        texts = ["Triage a phishing email", "Harden a Linux server", "Triage a phishing email"]
        r = student_client.post(URL, json={"texts": texts})
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"model", "dimensions", "vectors"}
        assert body["model"] == FakeEmbedder.name and body["dimensions"] == 384
        assert len(body["vectors"]) == 3
        for v in body["vectors"]:
            assert len(v) == 384 and math.isclose(math.sqrt(sum(x * x for x in v)), 1, rel_tol=1e-6)
        assert body["vectors"] == FakeEmbedder().encode(texts)  # in the order given
        assert body["vectors"][0] == body["vectors"][2] != body["vectors"][1]

    def test_sixty_four_texts_of_2000_characters_are_accepted(
        self, student_client: TestClient, fake_embedder: FakeEmbedder
    ) -> None:
        texts = [f"{i} " + "x" * 1990 for i in range(64)]
        assert all(len(t) <= 2000 for t in texts)
        r = student_client.post(URL, json={"texts": texts})
        assert r.status_code == 200 and len(r.json()["vectors"]) == 64

    @pytest.mark.parametrize(
        ("body", "field", "words"),
        [
            ({"texts": []}, "texts", "at least 1"),
            ({"texts": ["x"] * 65}, "texts", "at most 64"),
            ({"texts": ["ok", ""]}, "texts.1", "at least 1 character"),
            ({"texts": ["ok", "   \n"]}, "texts.1", "blank"),
            ({"texts": ["y" * 2001]}, "texts.0", "at most 2000"),
            ({"texts": "just one string"}, "texts", "list"),
            ({"texts": [42]}, "texts.0", "string"),
            ({}, "texts", "required"),
        ],
    )
    def test_bad_input_is_422_with_a_clear_detail(
        self,
        student_client: TestClient,
        fake_embedder: FakeEmbedder,
        body: dict,
        field: str,
        words: str,
    ) -> None:
        r = student_client.post(URL, json=body)
        assert r.status_code == 422, r.text
        detail = r.json()["detail"]
        assert detail.startswith(f"{field}:") and words in detail.lower(), detail
        assert fake_embedder.calls == []

    def test_model_unavailable_is_503_not_500(
        self,
        student_client: TestClient,
        fake_embedder: FakeEmbedder,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        class Broken(model.ModelEmbedder):
            def encode(self, texts: list[str]) -> list[list[float]]:
                raise OSError("model files not found")

        monkeypatch.setattr(query_embedder, "_loaded_elsewhere", lambda: False)
        model.set_embedder(Broken())
        r = student_client.post(URL, json={"texts": ["hello"]})
        assert r.status_code == 503
        assert "not available" in r.json()["detail"]

    def test_health_says_whether_search_has_its_model_yet(
        self,
        student_client: TestClient,
        fake_embedder: FakeEmbedder,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """An operator (and the browser tests) can tell a web process still loading its model
        from one that is ready or that failed to load."""
        import threading

        def search_model() -> str:
            return str(student_client.get("/api/v1/health").json()["search_model"])

        assert search_model() == "ready"  # an injected embedder needs no load
        release = threading.Event()

        class Slow(model.ModelEmbedder):
            def encode(self, texts: list[str]) -> list[list[float]]:
                release.wait(10)
                return fake_embedder.encode(texts)

        monkeypatch.setattr(query_embedder, "_loaded_elsewhere", lambda: False)
        model.set_embedder(Slow())
        assert search_model() == "not loaded"
        query_embedder.warm_up()
        assert search_model() == "loading"
        release.set()
        assert query_embedder.embedder(wait=10) is not None
        assert search_model() == "ready"

        class Broken(model.ModelEmbedder):
            def encode(self, texts: list[str]) -> list[list[float]]:
                raise OSError("model files not found")

        query_embedder.reset()
        model.set_embedder(Broken())
        assert query_embedder.embedder(wait=10) is None
        assert search_model().startswith("error:")


class TestRateLimit:
    def test_thirty_a_minute_per_user_then_429_with_retry_after(
        self,
        student_client: TestClient,
        admin_client: TestClient,
        fake_embedder: FakeEmbedder,
    ) -> None:
        for _ in range(query_embedder.EMBEDDINGS_PER_MINUTE):
            assert student_client.post(URL, json={"texts": ["a"]}).status_code == 200
        r = student_client.post(URL, json={"texts": ["a"]})
        assert r.status_code == 429
        assert 1 <= int(r.headers["retry-after"]) <= 60
        assert "too many" in r.json()["detail"].lower()
        # Per user: someone else is not affected.
        assert admin_client.post(URL, json={"texts": ["a"]}).status_code == 200

    def test_invalid_requests_do_not_use_up_the_allowance(
        self, student_client: TestClient, fake_embedder: FakeEmbedder
    ) -> None:
        for _ in range(query_embedder.EMBEDDINGS_PER_MINUTE + 5):
            assert student_client.post(URL, json={"texts": []}).status_code == 422
        assert student_client.post(URL, json={"texts": ["a"]}).status_code == 200
