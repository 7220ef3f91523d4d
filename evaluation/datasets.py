"""Readers for the labelled public data sets used to measure theme quality.

The data stay where they are (a folder given on the command line); nothing is
copied into the repository.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

__all__ = ["Dataset", "LabelledTexts", "load_dataset"]


class Dataset(str, Enum):
    """The labelled data sets the evaluation knows how to read."""

    CLINC150 = "clinc150"
    BANKING77 = "banking77"


@dataclass(frozen=True)
class LabelledTexts:
    """Texts with their gold intent labels.

    Args:
        name: data set and split, e.g. ``clinc150/test``.
        texts: the texts, in file order.
        labels: one gold label per text.
    """

    name: str
    texts: tuple[str, ...]
    labels: tuple[str, ...]


def load_dataset(dataset: Dataset, folder: Path, split: str = "test") -> LabelledTexts:
    """Read one split of a data set from its folder.

    clinc150 reads ``data_full.json`` (splits ``train``, ``val``, ``test``;
    out-of-scope queries are left out). banking77 reads ``<split>.csv``
    (``train`` or ``test``).

    Raises:
        FileNotFoundError: the expected file is not in ``folder``.
        ValueError: the split is not in the file.
    """
    folder = Path(folder)
    if dataset is Dataset.CLINC150:
        path = folder / "data_full.json"
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found; pass the clinc150 folder with --data.")
        data = json.loads(path.read_text(encoding="utf-8"))
        if split not in data or split.startswith("oos"):
            raise ValueError(
                f"{path} has no in-scope split {split!r}; use one of train, val, test."
            )
        rows = data[split]
        texts = tuple(str(t) for t, _ in rows)
        labels = tuple(str(lab) for _, lab in rows)
    elif dataset is Dataset.BANKING77:
        path = folder / f"{split}.csv"
        if not path.is_file():
            raise FileNotFoundError(
                f"{path} not found; pass the banking77 folder with --data and split train or test."
            )
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        texts = tuple(r["text"] for r in rows)
        labels = tuple(r["category"] for r in rows)
    else:  # pragma: no cover - Enum is closed
        raise ValueError(f"unknown dataset {dataset!r}")
    return LabelledTexts(name=f"{dataset.value}/{split}", texts=texts, labels=labels)
