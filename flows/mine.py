"""The mining flow: one Prefect task per stage, each a thin call into pipelines/."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from nlp.records import Bundle, Flag, Segment, Strategy, Theme
from pipelines import mine as m
from pipelines.settings import Settings, load_settings
from pipelines.store import Store

__all__ = ["mine_flow"]

# The models stay loaded between flow runs of one process (serve, tests).
_RESOURCES: dict[str, m.Resources] = {}


@task(cache_policy=NO_CACHE)
def load_strategy(path: str) -> Strategy:
    return m.load_strategy(path)


@task(cache_policy=NO_CACHE)
def load_resources(settings: Settings) -> m.Resources:
    key = f"{settings.embed.device}:{settings.themes.use_parser_labels}"
    if key not in _RESOURCES:
        _RESOURCES[key] = m.load_resources(settings)
    return _RESOURCES[key]


@task(cache_policy=NO_CACHE)
def start_run(store: Store, as_of: date) -> tuple[str, Any]:
    return m.start_run(store, as_of)


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def ingest(store: Store, sources: list[str], run_id: str, settings: Settings, res: m.Resources) -> m.IngestReport:
    return m.ingest_sources(store, sources, run_id, settings, res.split_sentences)


@task(cache_policy=NO_CACHE)
def embed(store: Store, res: m.Resources, as_of: date, settings: Settings
          ) -> tuple[tuple[Segment, ...], tuple[str, ...], np.ndarray]:
    return m.embed_segments(store, res.model, as_of, settings.embed.batch_size)


@task(cache_policy=NO_CACHE)
def find_themes(store: Store, segments: tuple[Segment, ...], ids: tuple[str, ...], vectors: np.ndarray,
                as_of: date, settings: Settings, res: m.Resources) -> m.ThemeResult:
    return m.find_themes(store, segments, ids, vectors, as_of, settings, res.parser)


@task(cache_policy=NO_CACHE)
def compare(result: m.ThemeResult, strategy: Strategy, store: Store, res: m.Resources, settings: Settings
            ) -> tuple[tuple[Theme, ...], tuple[Flag, ...], tuple[tuple[str, str, float], ...]]:
    return m.compare_with_strategy(result, strategy, store, res.model, settings)


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def write_bundle(bundle: Bundle, out_dir: str) -> Path:
    return m.write_outputs(bundle, Path(out_dir))


@flow(name="groundswell-mine", log_prints=False)
def mine_flow(
    sources: list[str],
    strategy: str,
    out: str,
    store_url: str,
    as_of: date | None = None,
    config: str | None = None,
) -> dict[str, Any]:
    """Mine calls and notes into themes and flags, and write the bundle.

    Returns:
        A summary: run id, bundle folder, counts, flags by kind.
    """
    log = get_run_logger()
    as_of = as_of or date.today()
    settings = load_settings(config)
    strat = load_strategy(strategy)
    store = Store(store_url)
    try:
        res = load_resources(settings)
        run_id, started = start_run(store, as_of)
        log.info("run %s as of %s on %s", run_id, as_of, m.redact_url(store_url))
        report = ingest(store, sources, run_id, settings, res)
        segments, ids, vectors = embed(store, res, as_of, settings)
        result = find_themes(store, segments, ids, vectors, as_of, settings, res)
        themes, flags, matrix = compare(result, strat, store, res, settings)
        run = m.build_run(store, run_id, as_of, started, res, segments, report, store_url)
        bundle = Bundle(run=run, strategy=strat, themes=themes, flags=flags, segments=segments,
                        assignments=result.assignments, quarantined=report.quarantined,
                        alignment=matrix, theme_xy=result.theme_xy, changes=result.changes)
        out_dir = write_bundle(bundle, out)
        m.finish_run(store, run, themes, result, report, {}, settings)
        kinds: dict[str, int] = {}
        for f in flags:
            kinds[f.kind.value] = kinds.get(f.kind.value, 0) + 1
        log.info("wrote %s: %d themes, %d flags, %d quarantined", out_dir, len(themes), len(flags),
                 len(report.quarantined))
        return {"run_id": run_id, "out": str(out_dir), "counts": run.counts, "themes": len(themes),
                "flags": kinds, "quarantined": [q.path + ": " + q.reason for q in report.quarantined]}
    finally:
        store.dispose()
