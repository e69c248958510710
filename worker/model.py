"""The embedding model now lives in cyberhub/embedding_model.py, which the web process imports
too; this module re-exports it for the worker's own code, benchmarks and tests."""

from __future__ import annotations

from cyberhub.embedding_model import (
    Embedder,
    ModelEmbedder,
    get_embedder,
    is_loaded,
    load_model,
    set_embedder,
    warm_up,
)

__all__ = [
    "Embedder",
    "ModelEmbedder",
    "get_embedder",
    "is_loaded",
    "load_model",
    "set_embedder",
    "warm_up",
]
