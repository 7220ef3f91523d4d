"""Speed and memory of `groundswell mine`, as whole processes, beside BERTopic.

One command (see evaluation/README.md)::

    .venv/bin/python -m evaluation.bench --sizes 1000 3100 10000 100000 --bertopic-sizes 1000 3100 10000

For each size it builds a canonical notes CSV in a temporary folder from real
short texts (banking77 and clinc150, dated over four months, 200 accounts;
past the ~37k distinct texts, notes join two texts so every note is new),
then runs, each as its own process:

- ``groundswell mine`` on a fresh store: wall time, peak memory (the process
  tree's summed RSS, sampled every 50 ms) and the seconds of every stage from
  the run record in the store; start-up is the wall time the stages do not
  cover (imports, Prefect's temporary server);
- the same store again with 1% new notes in a second file (the nightly case);
- BERTopic's defaults (``evaluation/bertopic_process.py``) on the same CSV.

It also measures the machine's own fp32 matrix-multiply rate (numpy) and the
embedding throughput in tokens/s of each back end on the same texts, in the
same run. Results go to ``evaluation/results/bench-<name>.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

__all__ = ["build_notes", "run_process", "main"]

ROOT = Path(__file__).resolve().parents[1]
START = datetime(2026, 7, 1)
DAYS = 122  # four months
AS_OF = "2026-10-31"


def _texts(banking77: Path, clinc150: Path) -> list[str]:
    texts: list[str] = []
    for split in ("train", "test"):
        with open(banking77 / f"{split}.csv", newline="", encoding="utf-8") as fh:
            texts += [row["text"] for row in csv.DictReader(fh)]
    data = json.loads((clinc150 / "data_full.json").read_text(encoding="utf-8"))
    for split in ("train", "val", "test", "oos_train", "oos_val", "oos_test"):
        texts += [q for q, _ in data[split]]
    seen: set[str] = set()
    return [t for t in (t.strip() for t in texts) if t and not (t in seen or seen.add(t))]


def build_notes(pool: list[str], n: int, seed: int = 0, start_id: int = 0) -> list[dict[str, str]]:
    """``n`` notes from the pool: single texts first, then pairs, dated over four months."""
    rng = random.Random(seed)
    order = list(range(len(pool)))
    rng.shuffle(order)
    rows = []
    for k in range(n):
        i = start_id + k
        if i < len(order):
            text = pool[order[i]]
        else:  # every note stays distinct: two texts joined
            a, b = rng.randrange(len(pool)), rng.randrange(len(pool))
            text = f"{pool[a]} {pool[b]}"
        created = START + timedelta(minutes=rng.randrange(DAYS * 24 * 60))
        rows.append({"id": f"N{i:07d}", "created_at": created.isoformat(timespec="minutes"),
                     "text": text, "account_id": f"A{rng.randrange(200):03d}"})
    return rows


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["id", "created_at", "text", "account_id"])
        w.writeheader()
        w.writerows(rows)


def run_process(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> dict[str, Any]:
    """Run a command; wall time, peak summed RSS of its process tree, stdout."""
    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd, text=True)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        try:
            root = psutil.Process(proc.pid)
        except psutil.NoSuchProcess:
            return
        while not stop.is_set():
            total = 0
            try:
                for p in [root, *root.children(recursive=True)]:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                break
            peak = max(peak, total)
            stop.wait(0.05)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    stop.set()
    thread.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{err[-3000:]}")
    return {"wall_s": round(wall, 2), "peak_rss_mb": round(peak / 2**20, 1), "stdout": out}


def _last_record(store: Path) -> dict[str, Any]:
    con = sqlite3.connect(store)
    try:
        row = con.execute("SELECT record FROM gs_runs WHERE status='done' ORDER BY finished_at DESC, run_id DESC"
                          ).fetchone()
    finally:
        con.close()
    return json.loads(row[0])


def _groundswell(notes_dir: Path, store: Path, out: Path, env: dict[str, str]) -> dict[str, Any]:
    cmd = [str(ROOT / ".venv" / "bin" / "groundswell"), "mine", "--source", str(notes_dir),
           "--strategy", str(ROOT / "data" / "sample" / "strategy.md"), "--out", str(out),
           "--store", f"sqlite:///{store}", "--as-of", AS_OF]
    res = run_process(cmd, env=env)
    record = _last_record(store)
    stages = record.get("timings_s", {})
    res.pop("stdout")
    res["stages_s"] = stages
    res["stage_peak_mb"] = record.get("peak_rss_mb") or {}  # the main process's peak when each stage ended
    res["startup_and_other_s"] = round(res["wall_s"] - sum(stages.values()), 2)
    res["embeddings_computed"] = (record.get("cache") or {}).get("embeddings_computed")
    res["themes"] = None
    try:
        res["themes"] = len(json.loads((out / "themes.json").read_text(encoding="utf-8"))["themes"])
    except (OSError, KeyError, ValueError):
        pass
    return res


def _bertopic(csv_path: Path, env: dict[str, str]) -> dict[str, Any]:
    res = run_process([sys.executable, "-m", "evaluation.bertopic_process", str(csv_path)], env=env, cwd=ROOT)
    info = json.loads(res.pop("stdout").strip().splitlines()[-1])
    res["stages_s"] = info["timings_s"]
    res["themes"] = info["topics"]
    return res


def measure_matmul(n: int = 1024, repeats: int = 8) -> float:
    """The machine's fp32 matrix-multiply rate in GFLOP/s (numpy, best of ``repeats``)."""
    import numpy as np

    a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
    b = np.random.default_rng(1).standard_normal((n, n), dtype=np.float32)
    a @ b
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t0)
    return 2 * n**3 / best / 1e9


def measure_embedding(texts: list[str]) -> dict[str, Any]:
    """Tokens/s of each embedding back end on the same texts, and int8's agreement with fp32."""
    import numpy as np

    from nlp.embed import Backend, embed_texts, load_model

    out: dict[str, Any] = {"texts": len(texts)}
    vecs = {}
    for backend in Backend:
        t0 = time.perf_counter()
        model = load_model(backend=backend)
        load = time.perf_counter() - t0
        tokens = model.count_tokens(texts)
        embed_texts(model, texts[:64])  # warm
        t0 = time.perf_counter()
        vecs[backend.value] = embed_texts(model, texts)
        dt = time.perf_counter() - t0
        out[backend.value] = {"load_s": round(load, 2), "seconds": round(dt, 2), "tokens": tokens,
                              "tokens_per_s": round(tokens / dt), "texts_per_s": round(len(texts) / dt)}
    ref = vecs[Backend.TORCH.value]
    for name, v in vecs.items():
        out[name]["mean_cosine_to_torch"] = round(float(np.mean(np.sum(ref * v, axis=1))), 4)
        out[name]["min_cosine_to_torch"] = round(float(np.min(np.sum(ref * v, axis=1))), 4)
    return out


def measure_quality(clinc150: Path) -> dict[str, Any]:
    """clinc150 test clustering quality (NMI, ARI) on each back end's vectors: int8 must hold fp32's."""
    import numpy as np
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from evaluation.datasets import Dataset, load_dataset
    from nlp.cluster import cluster_embeddings
    from nlp.embed import Backend, embed_texts, load_model

    data = load_dataset(Dataset.CLINC150, clinc150, "test")
    out: dict[str, Any] = {"data": data.name, "texts": len(data.texts)}
    for backend in Backend:
        model = load_model(backend=backend)  # the vectors and the cut the clusterer reads in groundswell mine
        vecs = embed_texts(model, list(data.texts), pooling=model.spec.cluster_pooling)
        labels = cluster_embeddings(vecs, texts=list(data.texts),
                                    **({"granularity": model.spec.granularity} if model.spec.granularity else {}))
        out[backend.value] = {"nmi": round(float(normalized_mutual_info_score(data.labels, labels)), 4),
                              "ari": round(float(adjusted_rand_score(data.labels, labels)), 4),
                              "noise": round(float(np.mean(labels < 0)), 4)}
    return out


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"GROUNDSWELL_HOME": str(home), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                "PYTHONPATH": str(ROOT), "GROUNDSWELL_RUN__PROGRESS": "false"})
    return env


def _markdown(result: dict[str, Any]) -> str:
    lines = [f"# Speed benchmark `{result['name']}`", "",
             f"{result['machine']}; {result['note']}", "",
             f"fp32 matmul (numpy, 1024x1024): **{result['matmul_gflops']:.0f} GFLOP/s**; at ~21.3 MFLOP/token "
             f"MiniLM's ceiling is ~{result['matmul_gflops'] * 1e3 / 21.3:,.0f} tokens/s.", ""]
    emb = result.get("embedding")
    if emb:
        lines += ["| embedding back end | tokens/s | texts/s | share of matmul ceiling | mean cos to torch fp32 |",
                  "| --- | ---: | ---: | ---: | ---: |"]
        ceiling = result["matmul_gflops"] * 1e3 / 21.3
        for k, v in emb.items():
            if isinstance(v, dict):
                lines.append(f"| {k} | {v['tokens_per_s']:,} | {v['texts_per_s']:,} | "
                             f"{v['tokens_per_s'] / ceiling:.0%} | {v['mean_cosine_to_torch']:.4f} |")
        lines.append("")
    q = result.get("quality")
    if q:
        lines += [f"Clustering {q['data']} ({q['texts']:,} texts) on each back end's vectors:", "",
                  "| back end | NMI | ARI | noise |", "| --- | ---: | ---: | ---: |"]
        lines += [f"| {k} | {v['nmi']:.3f} | {v['ari']:.3f} | {v['noise']:.1%} |" for k, v in q.items()
                  if isinstance(v, dict)]
        lines.append("")
    lines += ["Stages: seconds, and (groundswell) the main process's peak memory when the stage ended; "
              "peak MB: the whole process tree's.", "",
              "| notes | run | wall s | peak MB | start-up+other s | stages s | vs BERTopic |",
              "| ---: | --- | ---: | ---: | ---: | --- | ---: |"]
    for c in result["cases"]:
        bt = c.get("bertopic")
        for name in ("groundswell", "incremental_1pct", "bertopic"):
            r = c.get(name)
            if not r:
                continue
            peaks = r.get("stage_peak_mb") or {}
            stages = ", ".join(f"{k} {v:.1f}" + (f" ({peaks[k]:.0f} MB)" if peaks.get(k) else "")
                               for k, v in r["stages_s"].items())
            ratio = f"{r['wall_s'] / bt['wall_s']:.2f}" if bt and name != "bertopic" else ""
            if name == "incremental_1pct":
                ratio = f"{r['wall_s'] / c['groundswell']['wall_s']:.2f} of full"
            lines.append(f"| {c['notes']:,} | {name} | {r['wall_s']:.1f} | {r['peak_rss_mb']:.0f} | "
                         f"{r.get('startup_and_other_s', '')} | {stages} | {ratio} |")
    if result.get("growth_exponent") is not None:
        lines += ["", f"Growth exponent of groundswell's full-run wall time (log-log fit over sizes): "
                      f"**{result['growth_exponent']:.2f}**"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Build the cases, run them, write evaluation/results/bench-<name>.{json,md}."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 3100, 10000, 100000])
    p.add_argument("--bertopic-sizes", type=int, nargs="*", default=[1000, 3100, 10000])
    p.add_argument("--incremental-sizes", type=int, nargs="*", default=[3100, 10000, 100000])
    p.add_argument("--embedding-texts", type=int, default=2000, help="texts for the tokens/s measurement (0: skip)")
    p.add_argument("--banking77", type=Path, default=ROOT.parent / "shared" / "datasets" / "banking77")
    p.add_argument("--clinc150", type=Path, default=ROOT.parent / "shared" / "datasets" / "clinc150")
    p.add_argument("--quality", action="store_true", help="also cluster clinc150 test on each back end's vectors")
    p.add_argument("--name", default="default")
    p.add_argument("--note", default="2-core machine shared with other workers (timings noisy; compare ratios)")
    p.add_argument("--out", type=Path, default=ROOT / "evaluation" / "results")
    args = p.parse_args(argv)

    pool = _texts(args.banking77, args.clinc150)
    result: dict[str, Any] = {"name": args.name, "note": args.note, "started": datetime.now().isoformat(),
                              "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
                                         f"Python {platform.python_version()}",
                              "pool_texts": len(pool), "cases": []}
    result["matmul_gflops"] = round(measure_matmul(), 1)
    print(f"matmul {result['matmul_gflops']} GFLOP/s", flush=True)
    if args.embedding_texts:
        sample = random.Random(1).sample(pool, min(args.embedding_texts, len(pool)))
        result["embedding"] = measure_embedding(sample)
        print(json.dumps(result["embedding"]), flush=True)
    if args.quality:
        result["quality"] = measure_quality(args.clinc150)
        print(json.dumps(result["quality"]), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gs-bench-") as tmp:
        tmpdir = Path(tmp)
        env = _env(tmpdir / "home")
        for n in args.sizes:
            case: dict[str, Any] = {"notes": n}
            folder = tmpdir / f"n{n}"
            (folder / "notes").mkdir(parents=True)
            rows = build_notes(pool, n)
            _write_csv(folder / "notes" / "notes.csv", rows)
            store = folder / "store.db"
            case["groundswell"] = _groundswell(folder / "notes", store, folder / "out", env)
            print(n, "groundswell", json.dumps(case["groundswell"]), flush=True)
            if n in args.incremental_sizes:
                extra = build_notes(pool, max(1, n // 100), seed=1, start_id=10_000_000)
                _write_csv(folder / "notes" / "new.csv", extra)
                case["incremental_1pct"] = _groundswell(folder / "notes", store, folder / "out2", env)
                print(n, "incremental", json.dumps(case["incremental_1pct"]), flush=True)
            if n in args.bertopic_sizes:
                case["bertopic"] = _bertopic(folder / "notes" / "notes.csv", env)
                print(n, "bertopic", json.dumps(case["bertopic"]), flush=True)
                case["ratio_to_bertopic"] = round(case["groundswell"]["wall_s"] / case["bertopic"]["wall_s"], 3)
            result["cases"].append(case)
            _write(args.out, result)
    sizes = [c["notes"] for c in result["cases"]]
    if len(sizes) >= 2:
        xs = [math.log(c["notes"]) for c in result["cases"]]
        ys = [math.log(c["groundswell"]["wall_s"]) for c in result["cases"]]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        result["growth_exponent"] = round(sum((x - mx) * (y - my) for x, y in zip(xs, ys))
                                          / sum((x - mx) ** 2 for x in xs), 3)
    _write(args.out, result)
    print(_markdown(result))
    return 0


def _write(folder: Path, result: dict[str, Any]) -> None:
    (folder / f"bench-{result['name']}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (folder / f"bench-{result['name']}.md").write_text(_markdown(result), encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
