"""A linear map of a model's vectors that weighs what tells customer needs apart.

A sentence model spreads one need's wordings along directions that have little
to do with the need: politeness, length, tense, who is speaking. Learnt from
labelled needs (clinc150's train split, 150 intents in ten domains), a shrunk
linear discriminant finds the directions along which needs differ more than
their wordings do; the clusterer's tree and refinement read the vectors in
those directions (``nlp.cluster.cluster_embeddings(projection=...)``), the
rest of the product (small talk, alignment, joining a theme) reads them as they
are. Learnt on some of clinc150's domains, it clusters the needs of the others
better (evaluation/README.md, "Twelfth session"): what it learns is how needs
differ from wordings, not which needs there are.

The maps are written by ``python -m evaluation.intent_projection --data
<clinc150 folder>`` into :data:`PROJECTION_FILE`, one per packaged model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = ["DEFAULT_DIMS", "DEFAULT_REST_WEIGHT", "DEFAULT_SHRINKAGE", "corpus_map", "PROJECTION_FILE", "IntentProjection", "learn_projection",
           "load_projection", "model_projection"]

#: The maps, one (d, dims) float32 array per packaged model key, and their version.
PROJECTION_FILE = Path(__file__).resolve().parent / "intent_projection.npz"
#: Shrinkage of the within-need scatter toward its mean variance, and the number of
#: discriminant directions kept. Chosen on clinc150 by leaving two domains out of the
#: learning at a time (evaluation/intent_projection.py --folds): 3-100 and 80-150 score
#: within 0.01 of each other; 300 directions lose most of the gain.
DEFAULT_SHRINKAGE = 30.0
DEFAULT_DIMS = 150
#: :func:`corpus_map`: the weight, in a squared distance, of the directions along which a corpus's first
#: themes do not differ. Chosen on clinc150's shapes (evaluation/README.md, "Fourteenth session"): 0.03-0.1
#: score alike; 0.2 loses most of the gain on one domain's needs.
DEFAULT_REST_WEIGHT = 0.03
# Rows per block when accumulating a scatter.
_BLOCK = 8192


@dataclass(frozen=True)
class IntentProjection:
    """One model's map.

    Attributes:
        model: the embedding model's key (``embed.model``) it was learnt on.
        matrix: (d, dims) float32; the clusterer reads ``(x - mean) @ matrix``.
        version: names the learning (data and settings), recorded with each run's rules.
    """

    model: str
    matrix: np.ndarray
    version: str


def learn_projection(vectors: np.ndarray, labels, *, shrinkage: float = DEFAULT_SHRINKAGE,
                     dims: int = DEFAULT_DIMS) -> np.ndarray:
    """A shrunk linear discriminant of labelled, L2-normalised vectors.

    The within-label scatter ``Sw`` (of the centred vectors) is shrunk toward
    ``shrinkage`` times its mean variance, ``W = (Sw + s * tr(Sw) / d * I) ** -1/2``
    whitens it, and the ``dims`` directions of greatest between-label scatter of
    the whitened label means are kept: the map is ``W @ V[:, :dims]``.

    Args:
        vectors: (n, d) float array, each row L2-normalised.
        labels: n labels, two or more distinct ones.
        shrinkage: in (0, inf); larger keeps the map closer to the vectors as they are.
        dims: directions kept, 1..d.

    Returns:
        A (d, dims) float32 array.

    Raises:
        ValueError: on vectors that are not 2-d and finite, a label count that differs,
            fewer than two labels, or a parameter out of range.
    """
    whiten, directions, _ = _discriminant(vectors, labels, shrinkage)
    if not 1 <= dims <= whiten.shape[0]:
        raise ValueError(f"dims must lie in 1..{whiten.shape[0]} (the vectors' width). Got {dims}.")
    directions = directions[:, :dims]
    # eigenvectors' signs are arbitrary; fix each by its largest entry so the map is one array
    signs = np.sign(directions[np.abs(directions).argmax(axis=0), np.arange(dims)])
    return (whiten @ (directions * signs)).astype(np.float32)


def corpus_map(vectors: np.ndarray, labels, *, rest_weight: float = DEFAULT_REST_WEIGHT,
               shrinkage: float = DEFAULT_SHRINKAGE) -> np.ndarray:
    """A corpus's own discriminant, learnt from its first clustering (``nlp.cluster``, ``corpus_map``).

    The shrunk whitening of :func:`learn_projection`, then the ``k - 1`` directions along
    which the ``k`` labels' means differ kept whole and every other direction scaled by
    ``sqrt(rest_weight)``: what tells this corpus's themes apart counts, what varies only
    within them (one need's wordings) counts ``rest_weight`` as much in a squared distance.
    Unlike a map of ``k - 1`` columns, it keeps a little of the rest, and it is defined by
    the data alone (no arbitrary basis of the directions left out).

    Args:
        vectors: (n, d) float array, each row L2-normalised.
        labels: n labels (the themes of a first clustering, noise left out), three or more distinct.
        rest_weight: in [0, 1]; 1 gives the whitening alone.
        shrinkage: in (0, inf), as in :func:`learn_projection`.

    Returns:
        A (d, d) float32 array; the clusterer reads ``(x - mean) @ map``.

    Raises:
        ValueError: as :func:`learn_projection`, or on fewer than three labels or a weight out of range.
    """
    if not 0.0 <= rest_weight <= 1.0:
        raise ValueError(f"rest_weight must lie in [0, 1]. Got {rest_weight}.")
    whiten, directions, k = _discriminant(vectors, labels, shrinkage)
    if k < 3:
        raise ValueError(f"a corpus map needs three themes or more. Got {k}.")
    between = directions[:, : k - 1]
    d = whiten.shape[0]
    keep = between @ between.T
    return (whiten @ (keep + np.sqrt(rest_weight) * (np.eye(d) - keep))).astype(np.float32)


def _discriminant(vectors: np.ndarray, labels, shrinkage: float) -> tuple[np.ndarray, np.ndarray, int]:
    """(whitening of the shrunk within-label scatter, all d directions by decreasing between-label
    scatter of the whitened label means, number of labels)."""
    x = np.asarray(vectors)
    y = np.asarray(labels)
    if x.ndim != 2 or not np.isfinite(x).all():
        raise ValueError(f"vectors must be a finite 2-d array. Got shape {x.shape}.")
    n, d = x.shape
    if y.shape != (n,):
        raise ValueError(f"labels must hold one label per vector: got {y.shape[0] if y.ndim else 0} for {n}.")
    if not shrinkage > 0:
        raise ValueError(f"shrinkage must be above 0. Got {shrinkage}.")
    classes, index = np.unique(y, return_inverse=True)
    if classes.size < 2:
        raise ValueError(f"learning a discriminant needs two labels or more. Got {classes.size}.")
    # scatters accumulated in float64 a block of rows at a time: no (n, d) copy, so 100k vectors cost
    # d x d, not three more arrays of the corpus's size
    mean = x.mean(axis=0, dtype=np.float64)
    counts = np.bincount(index, minlength=classes.size).astype(np.float64)
    means = np.stack([np.bincount(index, weights=x[:, j], minlength=classes.size) for j in range(d)], axis=1)
    means = means / counts[:, None] - mean
    total = np.zeros((d, d))
    for start in range(0, n, _BLOCK):
        block = x[start:start + _BLOCK].astype(np.float64)
        total += block.T @ block
    total = total / n - np.outer(mean, mean)
    sw = total - (means * (counts / n)[:, None]).T @ means
    sw += shrinkage * np.trace(sw) / d * np.eye(d)
    values, vecs = np.linalg.eigh(sw)
    whiten = (vecs / np.sqrt(values)) @ vecs.T
    wm = means @ whiten
    between = wm.T @ wm / classes.size
    _, bvecs = np.linalg.eigh(between)
    return whiten, bvecs[:, ::-1], int(classes.size)


@lru_cache(maxsize=None)
def load_projection(model: str, path: Path = PROJECTION_FILE) -> IntentProjection | None:
    """The map learnt on ``model``'s vectors, or None when ``path`` has none for it.

    Raises:
        ValueError: if the file is not the trainer's.
    """
    path = Path(path)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if model not in data.files:
                return None
            matrix = np.asarray(data[model], dtype=np.float32)
        version = str(meta["version"])
    except (KeyError, ValueError, OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not an intent projection file ({exc}); write it again with "
                         "`python -m evaluation.intent_projection --data <clinc150 folder>`.") from exc
    if matrix.ndim != 2:
        raise ValueError(f"{path} holds a {matrix.ndim}-d map for {model}; write it again with "
                         "`python -m evaluation.intent_projection --data <clinc150 folder>`.")
    return IntentProjection(model=model, matrix=matrix, version=version)


def model_projection(model: str, path: Path = PROJECTION_FILE) -> IntentProjection | None:
    """The map the clusterer reads ``model``'s vectors through by default (``themes.intent_projection``).

    None where the model has no cut measured for it (``nlp.embed.ModelSpec.projected_granularity``:
    all-mpnet-base-v2 gained nothing from its map at the cut where its development cases hold) or
    where ``path`` holds no map for it.
    """
    from nlp.embed import MODELS

    spec = MODELS.get(model)
    if spec is None or spec.projected_granularity is None:
        return None
    return load_projection(model, path)
