"""Embeddings of an evaluation split, cached on disk by data set, split and model."""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

import numpy as np

from nlp.embed import EmbeddingModel, embed_pooled

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
    pooling: str = "mean",
) -> tuple[np.ndarray, float | None]:
    """Embed ``texts`` or read them from the cache: the vectors of ``pooling`` (``nlp.embed``; the
    clusterer reads ``model.spec.cluster_pooling``'s). Embedding keeps every pooling of the model's one pass.

    Returns:
        The (n, d) float32 vectors and the seconds spent embedding (None when cached).
    """
    import time

    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"{_key(name, model.vectors_id(pooling), texts)}.npy"
    if path.is_file():
        vecs = np.load(path)
        if vecs.shape[0] == len(texts):
            logger.info("embeddings for %s read from %s", name, path)
            return vecs, None
    start = time.perf_counter()
    pooled = embed_pooled(model, list(texts), poolings=tuple(dict.fromkeys((pooling, *model.poolings))))
    seconds = time.perf_counter() - start
    for p, vecs in pooled.items():
        np.save(cache_dir / f"{_key(name, model.vectors_id(p), texts)}.npy", vecs)
    logger.info("embedded %d texts of %s in %.1f s", len(texts), name, seconds)
    return pooled[pooling], seconds
