"""How the web process gets an embedder: for search queries and for `POST /api/v1/embeddings`.

The model (torch + all-MiniLM-L6-v2: a few seconds to load, ~450 MiB resident) is loaded by
cyberhub/embedding_model.py, which the worker uses too; the web app must start without
importing torch. So:

- nothing here imports torch or the model at import time;
- `warm_up_at_start()` (a Reflex lifespan task, skipped under tests) loads it in a background
  thread, so the app is serving at once and the model is ready a few seconds later;
- `embedder(wait)` returns the embedder once it is ready; before that, the first call starts the
  load in the background and waits at most `wait` seconds. Search passes 0: a query typed while
  the model is still loading is answered by full text alone rather than making a person wait;
- a failed load is logged, never raised at a request, and tried again after RETRY_SECONDS;
- query vectors are cached (LRU of QUERY_CACHE_SIZE float32 vectors, ~1.6 KiB each, so ~3 MiB
  per process at most): search-as-you-type repeats the same few queries, and an encode costs
  ~5-20 ms of CPU under a per-process lock.

Memory trade-off: every web worker process that serves a search holds its own copy of the model
(~450 MiB each, on top of the worker processes' copies). The alternative, asking the Dramatiq
worker for each query vector, would keep the web processes small but add a Redis round trip
and queueing delay to every keystroke.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict

import numpy as np

from cyberhub import embedding_model
from cyberhub.schemas.ai import EmbeddingsPublic
from cyberhub.services import rate_limit
from cyberhub.services.ai.embeddings import Embedder
from cyberhub.services.errors import DomainError, Invalid
from cyberhub.services.identity.permissions import Principal, require_signed_in
from cyberhub.settings import get_settings

log = logging.getLogger(__name__)

RETRY_SECONDS = 300.0
QUERY_CACHE_SIZE = 2048
# The embeddings API waits this long for a model that is still loading (the first call after
# a start); search never waits (it degrades to full text).
API_WAIT_SECONDS = 60.0

MAX_TEXTS = 64
MAX_TEXT_LENGTH = 2000
EMBEDDINGS_PER_MINUTE = 30


class ModelUnavailable(DomainError):
    """The embedding model could not be loaded (or is still loading)."""

    status_code = 503


_lock = threading.Lock()
_ready = threading.Event()
_loading: threading.Thread | None = None
_failed_at: float | None = None
_cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()


def _current() -> Embedder:
    return embedding_model.get_embedder()  # imports no torch: the model loads on the first encode


def _loaded_elsewhere() -> bool:
    """True when this process already holds the model (e.g. a worker thread loaded it)."""
    return embedding_model.is_loaded()


def _needs_load(emb: Embedder) -> bool:
    # Only the real model is slow to load; a test's fake (or any injected embedder) is ready.
    if not isinstance(emb, embedding_model.ModelEmbedder):
        return False
    return not _ready.is_set() and not _loaded_elsewhere()


def _load(emb: Embedder) -> None:
    global _failed_at, _loading
    started = time.monotonic()
    try:
        emb.encode(["warm up"])  # the first encode loads the model
    except Exception:
        log.exception("could not load the embedding model; search uses full text only")
        with _lock:
            _failed_at = time.monotonic()
    else:
        log.info("embedding model ready in %.1f s", time.monotonic() - started)
        _ready.set()
    finally:
        with _lock:
            _loading = None


def _start_load(emb: Embedder) -> threading.Thread | None:
    """Start loading in the background unless a load is running or failed recently."""
    global _loading
    with _lock:
        if _loading is not None:
            return _loading
        if _failed_at is not None and time.monotonic() - _failed_at < RETRY_SECONDS:
            return None
        _loading = threading.Thread(
            target=_load, args=(emb,), name="embedding-model-load", daemon=True
        )
        _loading.start()
        return _loading


def embedder(wait: float = 0.0) -> Embedder | None:
    """The process's embedder when it is ready; else start loading it (in the background) and
    wait at most `wait` seconds. None while it loads or after a failed load."""
    emb = _current()
    if not _needs_load(emb):
        return emb
    thread = _start_load(emb)
    if thread is not None and wait > 0:
        thread.join(wait)
    return emb if _ready.is_set() else None


def current_name() -> str:
    """The name of the model queries are embedded with (no load needed to know it)."""
    return _current().name


def status() -> str:
    """Where this process's search model stands, for /api/v1/health: "ready" (loaded, or an
    injected embedder), "loading" (a load is running: search answers by full text meanwhile, and
    the import of torch slows this process for a few seconds), "not loaded" (nothing asked for
    it yet), or an error (full text only until the retry)."""
    emb = _current()
    if not _needs_load(emb):
        return "ready"
    with _lock:
        if _loading is not None:
            return "loading"
        if _failed_at is not None:
            return "error: the model could not be loaded (search uses full text)"
    return "not loaded"


def warm_up() -> None:
    """Load the model in a background thread now, so the first search is not text-only."""
    emb = _current()
    if _needs_load(emb):
        _start_load(emb)


def warm_up_at_start() -> None:
    """Reflex lifespan task: warm the model at app start, except under tests (which use a
    fake embedder and must not load torch)."""
    if get_settings().cyberhub_env != "test":
        warm_up()


def normalize_query(q: str) -> str:
    return " ".join(q.lower().split())


def embed_query(q: str) -> tuple[str, np.ndarray] | None:
    """(model name, unit vector) of a search query, or None when no model is available (the
    caller falls back to full text). Cached per (model, normalized query)."""
    key_text = normalize_query(q)
    if not key_text:
        return None
    emb = embedder(wait=0.0)
    if emb is None:
        return None
    key = (emb.name, key_text)
    with _lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return emb.name, cached
    try:
        [vector] = emb.encode([key_text])
    except Exception:
        log.exception("could not embed a search query; using full text only")
        return None
    array = np.asarray(vector, dtype=np.float32)
    with _lock:
        _cache[key] = array
        while len(_cache) > QUERY_CACHE_SIZE:
            _cache.popitem(last=False)
    return emb.name, array


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def reset() -> None:
    """Forget the load state and cached vectors (tests)."""
    global _failed_at, _loading
    with _lock:
        _failed_at = None
        _loading = None
        _cache.clear()
    _ready.clear()


def embed_texts(principal: Principal | None, texts: list[str]) -> EmbeddingsPublic:
    """Embed arbitrary texts for an authenticated caller: the model, its dimensions, unit vectors.

    1..MAX_TEXTS texts, each non-blank and at most MAX_TEXT_LENGTH characters; at most
    EMBEDDINGS_PER_MINUTE calls per user per minute (RateLimited with Retry-After beyond).

    No consent gate: embedding texts the caller sends is a stateless computation, not profiling.
    Nothing is stored, nothing is tied to the caller's profile, and no AI-derived data about a
    person is produced; the AI-profiling consent governs what is derived from a learner's own
    activity (services/embeddings.embed_learner, recommendations, personality).
    """
    actor = require_signed_in(principal)
    if not texts:
        raise Invalid("texts: give at least one text.")
    if len(texts) > MAX_TEXTS:
        raise Invalid(f"texts: at most {MAX_TEXTS} texts per request.")
    for i, t in enumerate(texts):
        if not t.strip():
            raise Invalid(f"texts.{i}: must not be blank.")
        if len(t) > MAX_TEXT_LENGTH:
            raise Invalid(f"texts.{i}: at most {MAX_TEXT_LENGTH} characters.")
    rate_limit.hit(f"embeddings:{actor.user_id}", EMBEDDINGS_PER_MINUTE, 60)
    emb = embedder(wait=API_WAIT_SECONDS)
    if emb is None:
        raise ModelUnavailable("The embedding model is not available right now. Try again soon.")
    vectors = emb.encode(list(texts))
    return EmbeddingsPublic(
        model=emb.name, dimensions=emb.dimensions, vectors=[[float(x) for x in v] for v in vectors]
    )
