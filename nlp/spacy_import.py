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

import sys
from types import ModuleType

__all__ = ["import_spacy"]


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
