"""Scale-out: embed new texts on a Dask cluster given by its scheduler address.

Every worker needs groundswell installed (the same version, so the same
embedding model); each loads the model once and keeps it. The run checks
that the workers' model id is its own, so the store's embedding cache never
mixes vectors of two models.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable

import numpy as np

from nlp.embed import DEFAULT_MODEL

__all__ = ["DaskEmbedder", "embed_chunk"]

logger = logging.getLogger(__name__)

_MODELS: dict[str, object] = {}
_MODELS_LOCK = threading.Lock()


def embed_chunk(texts: list[str], device: str, batch_size: int,
                model: str = DEFAULT_MODEL) -> tuple[str, dict[str, np.ndarray]]:
    """Run on a Dask worker: (the worker's model id, the texts' vectors by pooling, ``nlp.embed.embed_pooled``)."""
    from nlp.embed import embed_pooled, load_model

    key = f"{model}:{device}"
    with _MODELS_LOCK:  # one model per worker process, however many threads it runs
        if key not in _MODELS:
            _MODELS[key] = load_model(device, model=model)
    loaded = _MODELS[key]
    return loaded.model_id, embed_pooled(loaded, texts, batch_size=batch_size)  # type: ignore[arg-type]


class DaskEmbedder:
    """Embeds lists of texts on a Dask cluster, in chunks, in order.

    Args:
        address: the scheduler's address, e.g. ``tcp://10.0.0.5:8786``.
        model_id: the run's own model id; a worker with another model is an error.
        device: torch device on the workers.
        chunk_size: texts per Dask task.
        batch_size: texts per model batch on a worker.
        progress: called with (chunks done, chunks) as results arrive.
    """

    def __init__(self, address: str, *, model_id: str, model: str = DEFAULT_MODEL, device: str = "cpu",
                 chunk_size: int = 256, batch_size: int = 64,
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.address = address
        self.model_id = model_id
        self.model = model
        self.device = device
        self.chunk_size = chunk_size
        self.batch_size = batch_size
        self.progress = progress
        self.computed = 0  # texts embedded on the cluster by this embedder
        self.workers = 0

    def __call__(self, texts: list[str]) -> dict[str, np.ndarray]:
        """The texts' vectors by pooling, as ``nlp.embed.embed_pooled`` gives them."""
        from distributed import Client

        chunks = [texts[i : i + self.chunk_size] for i in range(0, len(texts), self.chunk_size)]
        with Client(self.address, timeout="30s", set_as_default=False) as client:
            self.workers = len(client.scheduler_info().get("workers", {}))
            # a partial, not keywords: Client.map takes batch_size for itself
            work = functools.partial(embed_chunk, device=self.device, batch_size=self.batch_size, model=self.model)
            futures = client.map(work, chunks, pure=False)
            parts: list[dict[str, np.ndarray]] = []
            for done, fut in enumerate(futures, start=1):  # in order: the chunks run in parallel anyway
                model_id, vecs = fut.result()
                if model_id != self.model_id or not isinstance(vecs, dict):
                    raise RuntimeError(
                        f"a Dask worker at {self.address} embeds with {model_id}, this run with "
                        f"{self.model_id}. Fix: install the same groundswell version on every worker")
                parts.append(vecs)
                if self.progress:
                    self.progress(done, len(chunks))
        self.computed += len(texts)
        logger.info("embedded %d texts on the Dask cluster at %s (%d workers, %d tasks)",
                    len(texts), self.address, self.workers, len(chunks))
        return {p: np.concatenate([part[p] for part in parts]).astype(np.float32) for p in parts[0]} if parts else {}
