"""The mining flow: one Prefect task per stage, each a thin call into pipelines/.

Around the stages the flow holds the store's run lock (pipelines/lock.py),
times every stage, and caches the analysis stages (themes, strategy; embed
rests on the store's own embedding cache) by a content fingerprint: the stored documents' hashes, the strategy file's
hash, the settings that shape results, the as-of day, the model ids and a digest
of groundswell's own source. When the store's last finished run had the same
fingerprint, nothing is new, and
those stages come from Prefect's result cache; the run record says so
(``cache.reused_from``). Otherwise they run and refresh the cache.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, time as dtime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import TaskRunContext
from prefect.utilities.annotations import quote

from flows.progress import StageProgress
from nlp.records import Bundle, Flag, Segment, Strategy, Theme
from pipelines import mine as m
from pipelines.lock import describe_holder, store_lock
from pipelines.settings import OPERATIONAL_SECTIONS, Settings, load_settings
from pipelines.store import Store

__all__ = ["mine_flow", "preload_resources", "hash_inputs", "run_fingerprint", "prune_stage_cache"]

# The models stay loaded between flow runs of one process (serve, tests).
_RESOURCES: dict[str, m.Resources] = {}

_VERSIONED = ("torch", "sentence-transformers", "transformers", "spacy", "scikit-learn", "numpy", "prefect",
              "SQLAlchemy", "distributed")


def _stage_key(context: TaskRunContext, parameters: dict[str, Any]) -> str:
    """Cache key of an analysis stage: its name and the run's content fingerprint."""
    return f"groundswell-{context.task.name}-{parameters['fingerprint']}"


@task(cache_policy=NO_CACHE)
def load_strategy(path: str) -> Strategy:
    return m.load_strategy(path)


@task(cache_policy=NO_CACHE)
def load_resources(settings: Settings) -> m.Resources:
    key = (f"{settings.embed.model}:{settings.embed.device}:{settings.embed.backend}:{settings.themes.use_parser_labels}"
           f":{settings.themes.slot_answers}:{settings.themes.small_talk_probe}:{settings.themes.activity_probe}")
    if key not in _RESOURCES:
        _RESOURCES[key] = m.load_resources(settings)
    return _RESOURCES[key]


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def start_run(store: Store, as_of: date) -> tuple[str, Any]:
    return m.start_run(store, as_of)


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def ingest(store: Store, sources: list[str], run_id: str, settings: Settings, res: m.Resources,
           progress: Callable[[int, int], None] | None = None) -> m.IngestReport:
    return m.ingest_sources(store, sources, run_id, settings, res.split_sentences, progress)


@task(cache_policy=NO_CACHE)
def embed(store: Store, res: m.Resources, as_of: date, settings: Settings, fingerprint: str,
          embed_fn: Callable[[list[str]], dict[str, np.ndarray]] | None = None,
          ) -> tuple[tuple[Segment, ...], tuple[str, ...], np.ndarray, np.ndarray]:
    # never cached by Prefect: the store's embedding cache already makes a rerun cheap, and a
    # pickled copy of every segment and vector (hundreds of MB at 100k) would cost more than it saves
    return m.embed_segments(store, res.model, as_of, settings.embed.batch_size, embed_fn)


@task(cache_key_fn=_stage_key, persist_result=True)
def find_themes(store: Store, segments: tuple[Segment, ...], ids: tuple[str, ...], vectors: np.ndarray,
                cluster_vectors: np.ndarray, as_of: date, settings: Settings, res: m.Resources,
                fingerprint: str) -> m.ThemeResult:
    result = m.find_themes(store, segments, ids, vectors, as_of, settings, res.parser, res.small_talk_vectors,
                           res.model.model_id, res.tagger, res.probe, res.activity, cluster_vectors=cluster_vectors)
    # cached without the embed stage's outputs (the flow puts them back): the cache stays small
    return replace(result, segments=(), themeable_vectors=np.zeros((0, vectors.shape[1] if vectors.ndim == 2
                                                                       else 0), np.float32))


@task(cache_key_fn=_stage_key, persist_result=True)
def compare(result: m.ThemeResult, strategy: Strategy, store: Store, res: m.Resources, settings: Settings,
            fingerprint: str,
            ) -> tuple[tuple[Theme, ...], tuple[Flag, ...], tuple[tuple[str, str, float], ...]]:
    return m.compare_with_strategy(result, strategy, store, res.model, settings, nlp=res.parser)


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def write_bundle(bundle: Bundle, out_dir: str) -> Path:
    return m.write_outputs(bundle, Path(out_dir))


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def finish_run(store: Store, run: Any, themes: tuple[Theme, ...], result: m.ThemeResult,
               report: m.IngestReport, timings: dict[str, float], settings: Settings,
               extra: dict[str, Any]) -> None:
    m.finish_run(store, run, themes, result, report, timings, settings, extra)


def preload_resources(settings: Settings) -> m.Resources:
    """Load the run's models outside any flow (the CLI does it while Prefect's server starts)."""
    return load_resources.fn(settings)


def hash_inputs(paths: list[str]) -> dict[str, str]:
    """sha256 of every file under the given files and folders, by path."""
    out: dict[str, str] = {}
    for p in map(Path, paths):
        files = [p] if p.is_file() else sorted(f for f in p.rglob("*") if f.is_file())
        for f in files:
            digest = hashlib.sha256()
            with f.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
            out[str(f)] = digest.hexdigest()
    return out


def run_fingerprint(*, store: Store, as_of: date, strategy_hash: str, settings: Settings,
                    models: dict[str, str]) -> str:
    """What a run's results depend on, as one sha256 (see the module docstring)."""
    content = {k: v for k, v in settings.model_dump(mode="json").items() if k not in OPERATIONAL_SECTIONS}
    payload = {
        "store": m.redact_url(store.url),
        "documents": store.documents_digest(datetime.combine(as_of, dtime.max)),
        "strategy": strategy_hash, "settings": content, "as_of": as_of.isoformat(), "models": models,
        "code": _code_digest(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()


@functools.cache
def _code_digest() -> str:
    """sha256 of groundswell's own source (nlp/, pipelines/, flows/): results cached by an older
    version of the code are not reused by a newer one."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for package in ("nlp", "pipelines", "flows"):
        for path in sorted((root / package).rglob("*")):
            if path.is_file() and path.suffix in {".py", ".j2", ".css", ".txt", ".json", ".yaml"}:
                digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _versions() -> dict[str, str]:
    out = {}
    for name in _VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


@contextmanager
def _timed(timings: dict[str, float], peaks: dict[str, float], name: str, progress: StageProgress,
           ) -> Iterator[None]:
    """Time a stage (seconds) and note the process's peak memory when it ends (MB, never going down)."""
    progress.start(name)
    t0 = time.perf_counter()
    yield
    timings[name] = round(time.perf_counter() - t0, 3)
    peaks[name] = _peak_rss_mb()
    progress.finish(f"{timings[name]:.1f} s")


@flow(name="groundswell-mine", log_prints=False)
def mine_flow(
    sources: list[str],
    strategy: str,
    out: str,
    store_url: str,
    as_of: date | None = None,
    config: str | None = None,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Mine calls and notes into themes and flags, and write the bundle.

    Args:
        sources: files or folders of transcripts and notes.
        strategy: the strategy file.
        out: the bundle folder.
        store_url: the store's database URL.
        as_of: the run's "today" (default: the day the run starts).
        config: a YAML or TOML settings file.
        overrides: settings from command-line flags, as ``section__field``.

    Returns:
        A summary: run id, bundle folder, counts, flags by kind, cache use, timings.

    Raises:
        StoreBusyError: another run held the store's lock past ``run.lock_timeout_s``.
    """
    log = get_run_logger()
    as_of = as_of or date.today()
    settings = load_settings(config, **(overrides or {}))
    timings: dict[str, float] = {}
    peaks: dict[str, float] = {}
    with StageProgress(settings.run.progress) as progress:
        with _timed(timings, peaks, "load strategy", progress):
            strat = load_strategy(strategy)
            strategy_hash = hash_inputs([strategy])[str(Path(strategy))]
        with _timed(timings, peaks, "load models", progress):
            res = load_resources(settings)
        store = Store(store_url)
        try:
            from prefect.runtime import flow_run

            holder = describe_holder(f"flow run {flow_run.name or '?'}")
            with store_lock(store, holder=holder, timeout_s=settings.run.lock_timeout_s):
                return _mine_locked(store, sources, strat, strategy, strategy_hash, out, as_of, settings, res,
                                    timings, peaks, progress, log)
        finally:
            store.dispose()


def _mine_locked(store: Store, sources: list[str], strat: Strategy, strategy_path: str, strategy_hash: str,
                 out: str,
                 as_of: date, settings: Settings, res: m.Resources, timings: dict[str, float],
                 peaks: dict[str, float], progress: StageProgress, log: Any) -> dict[str, Any]:
    """The stages, while this run holds the store's lock."""
    previous = store.last_done_run()
    run_id, started = start_run(store, as_of)
    log.info("run %s as of %s on %s", run_id, as_of, m.redact_url(store.url))
    try:
        with _timed(timings, peaks, "ingest", progress):
            input_hashes = hash_inputs(sources)
            report = ingest(store, sources, run_id, settings, res, progress.advance)
        models = {"embedding": res.model.model_id, "labels": res.parser_name, "groundswell": m.VERSION}
        fingerprint = run_fingerprint(store=store, as_of=as_of, strategy_hash=strategy_hash,
                                      settings=settings, models=models)
        prev_record = store.run_record(previous) if previous else None
        steady = bool(prev_record and prev_record.get("fingerprint") == fingerprint)
        embedder = _embedder(settings, res, progress)
        stages: dict[str, str] = {}

        def stage(fn: Any, name: str, *args: Any, **kwargs: Any) -> Any:
            with _timed(timings, peaks, name, progress):
                # quote(): Prefect would otherwise walk every segment of every argument looking for
                # futures (6 s of a 3k-note run, linear in the store's size)
                state = fn.with_options(refresh_cache=not steady)(*map(quote, args), fingerprint=fingerprint,
                                                                   return_state=True,
                                                                   **{k: quote(v) for k, v in kwargs.items()})
                stages[name] = "cached" if state.name == "Cached" else "computed"
                return state.result()

        segments, ids, vectors, cluster_vectors = stage(embed, "embed", store, res, as_of, settings,
                                                        embed_fn=embedder)
        result = replace(stage(find_themes, "themes", store, segments, ids, vectors, cluster_vectors, as_of,
                               settings, res),
                         segments=segments, themeable_vectors=vectors)
        if stages["themes"] == "cached":  # the themes are the last run's: nothing was born or changed
            result = replace(result, lineage=(), changes=(
                f"Nothing new since run {previous}: the same documents, strategy and settings, "
                "so the same themes and flags (taken from the cache).",))
        themes, flags, matrix = stage(compare, "compare", result, strat, store, res, settings)
        with _timed(timings, peaks, "report", progress):
            run = m.build_run(store, run_id, as_of, started, res, segments, report, store.url)
            bundle = m.assemble_bundle(run, strat, result, themes, flags, matrix, report)
            out_dir = write_bundle(quote(bundle), out)
        cache = {"fingerprint_matched": steady, "reused_from": previous if steady else None, "stages": stages,
                 "new_documents": report.new_documents,
                 "embeddings_computed": None if stages["embed"] == "cached" else _computed(embedder)}
        extra = {"fingerprint": fingerprint, "cache": cache, "inputs": input_hashes, "peak_rss_mb": peaks,
                 "strategy": {"path": strategy_path, "sha256": strategy_hash},
                 "versions": _versions(), "dask": {"address": settings.dask.address} if settings.dask.address
                 else None}
        with _timed(timings, peaks, "finish", progress):
            finish_run(store, run, quote(themes), quote(result), report, timings, settings, quote(extra))
        prune_stage_cache(keep=fingerprint)
    except BaseException as exc:
        store.fail_run(run_id, finished_at=datetime.now(timezone.utc).replace(tzinfo=None),
                       reason=f"{type(exc).__name__}: {exc}")
        raise
    kinds: dict[str, int] = {}
    for f in flags:
        kinds[f.kind.value] = kinds.get(f.kind.value, 0) + 1
    log.info("wrote %s: %d themes, %d flags, %d quarantined; stages %s; cache %s", out_dir, len(themes),
             len(flags), len(report.quarantined), timings, "reused run " + previous if steady else "refreshed")
    return {"run_id": run_id, "out": str(out_dir), "counts": run.counts, "themes": len(themes),
            "flags": kinds, "quarantined": [q.path + ": " + q.reason for q in report.quarantined],
            "cache": cache, "timings_s": dict(timings)}


# Fingerprints whose cached stage results are kept besides the current run's (other stores sharing
# this Prefect home keep their "nothing new" shortcut; older results are deleted).
_KEEP_FINGERPRINTS = 3
_STAGES = ("embed", "find_themes", "compare")


def prune_stage_cache(keep: str, storage: Path | None = None, others: int = _KEEP_FINGERPRINTS) -> int:
    """Delete cached stage results of all but the newest ``others`` fingerprints besides ``keep``.

    Every run that sees new data caches its stages anew (hundreds of MB at 100k
    segments); without this the Prefect home would grow every night.

    Returns:
        How many files were deleted.
    """
    if storage is None:
        from prefect.settings import get_current_settings

        storage = Path(get_current_settings().results.local_storage_path)
    if not storage.is_dir():
        return 0
    newest: dict[str, float] = {}
    files: dict[str, list[Path]] = {}
    for f in storage.iterdir():
        for name in _STAGES:
            prefix = f"groundswell-{name}-"
            if f.name.startswith(prefix) and f.is_file():
                fp = f.name[len(prefix):]
                files.setdefault(fp, []).append(f)
                try:
                    newest[fp] = max(newest.get(fp, 0.0), f.stat().st_mtime)
                except OSError:
                    pass
                break
    ranked = sorted((fp for fp in files if fp != keep), key=lambda fp: -newest.get(fp, 0.0))
    deleted = 0
    for fp in ranked[others:]:
        for f in files[fp]:
            try:
                f.unlink()
                deleted += 1
            except OSError:
                pass
    return deleted


def _peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB (0 where the platform does not say)."""
    try:
        import resource

        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    except (ImportError, OSError):
        return 0.0
    return round(kb / 1024, 1)


class _CountingEmbedder:
    """Embeds in this process with the run's model, counting the texts it embeds."""

    def __init__(self, res: m.Resources, batch_size: int) -> None:
        self.res, self.batch_size, self.computed = res, batch_size, 0

    def __call__(self, texts: list[str]) -> dict[str, np.ndarray]:
        from nlp.embed import embed_pooled

        self.computed += len(texts)
        return embed_pooled(self.res.model, texts, batch_size=self.batch_size)


def _embedder(settings: Settings, res: m.Resources, progress: StageProgress) -> Any:
    if settings.dask.address:
        from flows.scale import DaskEmbedder

        return DaskEmbedder(settings.dask.address, model_id=res.model.model_id, model=settings.embed.model,
                            device=settings.embed.device,
                            chunk_size=settings.dask.chunk_size, batch_size=settings.embed.batch_size,
                            progress=progress.advance)
    return _CountingEmbedder(res, settings.embed.batch_size)


def _computed(embedder: Any) -> int:
    return int(getattr(embedder, "computed", 0))

