"""spaCy, imported without the 2-6 s of torch that thinc would pull in.

thinc (spaCy's machine-learning layer) imports torch at import time when it is
installed, only to offer it as an optional back end. groundswell's spaCy
pipelines run on thinc's numpy ops and its embeddings on ONNX Runtime, so on a
nightly run torch would be loaded for nothing. :func:`import_spacy` imports
spaCy with torch hidden from thinc (when torch is not loaded already); torch
stays importable afterwards for the code that needs it (the torch embedding
back end, the one-time ONNX export).
"""

from __future__ import annotations

import functools
import sys
from types import ModuleType
from typing import Any

__all__ = ["import_spacy", "lemma_index", "stop_words"]


def import_spacy() -> ModuleType:
    """The ``spacy`` module, imported (once) without thinc importing torch."""
    if "spacy" in sys.modules:
        return sys.modules["spacy"]
    hide = "torch" not in sys.modules
    if hide:
        sys.modules["torch"] = None  # type: ignore[assignment]  # "import torch" raises ImportError
    try:
        import spacy
    finally:
        if hide and "torch" in sys.modules and sys.modules["torch"] is None:
            del sys.modules["torch"]
    return spacy


def lemma_index(pipeline: Any) -> dict[str, frozenset[str]]:
    """The base forms its lemmatizer knows, by part of speech ("noun", "verb", "adj", "adv").

    Read from the rule lemmatizer's ``lemma_index`` table (``en_core_web_sm``);
    empty when the pipeline is None or has no such table.
    """
    if pipeline is None or "lemmatizer" not in getattr(pipeline, "component_names", ()):
        return {}
    lookups = getattr(pipeline.get_pipe("lemmatizer"), "lookups", None)
    if lookups is None or not lookups.has_table("lemma_index"):
        return {}
    table = lookups.get_table("lemma_index")
    return {pos: frozenset(table.get(pos, ())) for pos in ("noun", "verb", "adj", "adv")}


@functools.cache
def stop_words() -> frozenset[str]:
    """spaCy's English stop words (read once)."""
    import_spacy()
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)
