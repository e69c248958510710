"""Worker entry module for the SIGKILL check's fast mode: the real actors (worker.actors) on the
Redis broker, with a deterministic hash embedder instead of the model (no torch load).

    dramatiq bench._fake_model_worker --queues default ai
"""

from __future__ import annotations

import sys
from pathlib import Path

import worker.actors  # noqa: F401  (declares every actor on the process's broker)
from cyberhub.services.ai.embeddings import Embedder
from worker import model

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import hash_vector  # noqa: E402


class HashEmbedder(Embedder):
    """Deterministic 384-d unit vectors from a hash of the text."""

    name = "bench-hash-embedder"
    dimensions = 384

    def encode(self, texts: list[str]) -> list[list[float]]:
        return [hash_vector(t).tolist() for t in texts]


model.set_embedder(HashEmbedder())
