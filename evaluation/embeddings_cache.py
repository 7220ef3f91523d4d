"""Embeddings of an evaluation split, cached on disk by data set, split and model."""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

import numpy as np

from nlp.embed import EmbeddingModel, embed_texts

__all__ = ["DEFAULT_CACHE_DIR", "cached_embeddings"]

logger = logging.getLogger(__name__)

DEFAULT_CACHE_DIR = Path(__file__).resolve().parent / ".cache"


def _key(name: str, model_id: str, texts: tuple[str, ...]) -> str:
    digest = hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()[:12]
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{name}-{model_id}")
    return f"{safe}-{digest}"


def cached_embeddings(
    model: EmbeddingModel,
    name: str,
    texts: tuple[str, ...],
    cache_dir: Path = DEFAULT_CACHE_DIR,
) -> tuple[np.ndarray, float | None]:
    """Embed ``texts`` with ``embed_texts`` or read them from the cache.

    Returns:
        The (n, d) float32 vectors and the seconds spent embedding (None when cached).
    """
    import time

    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"{_key(name, model.model_id, texts)}.npy"
    if path.is_file():
        vecs = np.load(path)
        if vecs.shape[0] == len(texts):
            logger.info("embeddings for %s read from %s", name, path)
            return vecs, None
    start = time.perf_counter()
    vecs = embed_texts(model, list(texts))
    seconds = time.perf_counter() - start
    np.save(path, vecs)
    logger.info("embedded %d texts of %s in %.1f s", len(texts), name, seconds)
    return vecs, seconds
