"""Hand-made vectors for the alignment and flag tests (no model needed)."""

from __future__ import annotations

import numpy as np

DIM = 16


def _unit(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def _axis(i: int) -> np.ndarray:
    return np.eye(DIM)[i]
