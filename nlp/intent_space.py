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

__all__ = ["DEFAULT_DIMS", "DEFAULT_SHRINKAGE", "PROJECTION_FILE", "IntentProjection", "learn_projection",
           "load_projection", "model_projection"]

#: The maps, one (d, dims) float32 array per packaged model key, and their version.
PROJECTION_FILE = Path(__file__).resolve().parent / "intent_projection.npz"
#: Shrinkage of the within-need scatter toward its mean variance, and the number of
#: discriminant directions kept. Chosen on clinc150 by leaving two domains out of the
#: learning at a time (evaluation/intent_projection.py --folds): 3-100 and 80-150 score
#: within 0.01 of each other; 300 directions lose most of the gain.
DEFAULT_SHRINKAGE = 30.0
DEFAULT_DIMS = 150


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
    x = np.asarray(vectors, dtype=np.float64)
    y = np.asarray(labels)
    if x.ndim != 2 or not np.isfinite(x).all():
        raise ValueError(f"vectors must be a finite 2-d array. Got shape {x.shape}.")
    n, d = x.shape
    if y.shape != (n,):
        raise ValueError(f"labels must hold one label per vector: got {y.shape[0] if y.ndim else 0} for {n}.")
    if not shrinkage > 0:
        raise ValueError(f"shrinkage must be above 0. Got {shrinkage}.")
    if not 1 <= dims <= d:
        raise ValueError(f"dims must lie in 1..{d} (the vectors' width). Got {dims}.")
    classes, index = np.unique(y, return_inverse=True)
    if classes.size < 2:
        raise ValueError(f"learning a discriminant needs two labels or more. Got {classes.size}.")
    z = x - x.mean(axis=0)
    counts = np.bincount(index, minlength=classes.size).astype(np.float64)
    means = np.zeros((classes.size, d))
    np.add.at(means, index, z)
    means /= counts[:, None]
    within = z - means[index]
    sw = within.T @ within / n
    sw += shrinkage * np.trace(sw) / d * np.eye(d)
    values, vecs = np.linalg.eigh(sw)
    whiten = (vecs / np.sqrt(values)) @ vecs.T
    wm = means @ whiten
    between = wm.T @ wm / classes.size
    _, bvecs = np.linalg.eigh(between)
    directions = bvecs[:, ::-1][:, :dims]
    # eigenvectors' signs are arbitrary; fix each by its largest entry so the map is one array
    signs = np.sign(directions[np.abs(directions).argmax(axis=0), np.arange(dims)])
    return (whiten @ (directions * signs)).astype(np.float32)


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
