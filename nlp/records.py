"""Records passed between groundswell's steps.

Every step takes and returns these frozen dataclasses (and numpy arrays for
vectors). They carry no behaviour beyond small derived properties.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType

__all__ = [
    "BUNDLE_SCHEMA",
    "Bundle",
    "Document",
    "Flag",
    "FlagKind",
    "LineageEvent",
    "LineageKind",
    "NO_THEME_REASONS",
    "Quarantined",
    "Role",
    "Run",
    "Segment",
    "Source",
    "Statement",
    "StatementKind",
    "Strategy",
    "Theme",
    "ThemeMatch",
    "ThemeStatus",
    "Trend",
    "Turn",
]

BUNDLE_SCHEMA = "groundswell.bundle.v1"


class Role(str, enum.Enum):
    """Who is speaking in a turn (SPEC.md `speaker_role`)."""

    CUSTOMER = "customer"
    REP = "rep"
    UNKNOWN = "unknown"


class Source(str, enum.Enum):
    """Where a document comes from (SPEC.md `source`)."""

    CALL = "call"
    NOTE = "note"


class StatementKind(str, enum.Enum):
    """The kinds of strategy statement (SPEC.md "Strategy")."""

    OBJECTIVE = "objective"
    TARGET = "target"
    NON_TARGET = "non_target"
    VALUE = "value"
    PRIORITY = "priority"
    COMPETITOR = "competitor"


class ThemeStatus(str, enum.Enum):
    """A theme's trend status (SPEC.md theme `status`)."""

    EMERGING = "emerging"
    GROWING = "growing"
    STABLE = "stable"
    DECLINING = "declining"


class FlagKind(str, enum.Enum):
    """The three flag kinds (SPEC.md flags)."""

    FIELD_AHEAD = "field_ahead"
    OFF_STRATEGY = "off_strategy"
    STRATEGY_UNHEARD = "strategy_unheard"


class LineageKind(str, enum.Enum):
    """What happened to themes between two runs of a store."""

    BORN = "born"  # a theme no earlier theme leads to
    MERGED = "merged"  # two or more earlier themes flow into one
    SPLIT = "split"  # one earlier theme flows into two or more
    FADED = "faded"  # an earlier theme is no longer found and went into no other


@dataclass(frozen=True)
class LineageEvent:
    """One lineage event of a run: which earlier theme ids led to which new ones."""

    kind: LineageKind
    sources: tuple[str, ...]  # theme ids of the previous run (empty for a birth)
    targets: tuple[str, ...]  # theme ids of this run (empty when a theme faded)
    summary: str  # one plain sentence for the report


@dataclass(frozen=True)
class Turn:
    """One speaker's contiguous speech in a call, or a whole note's text."""

    speaker: str
    role: Role
    text: str
    start_s: float | None = None
    end_s: float | None = None


@dataclass(frozen=True)
class Document:
    """One call or one CRM note, as read from an export file.

    ``created_at`` is timezone-naive UTC. CRM context fields are empty strings
    (or ``None`` for ``amount``) when unknown.
    """

    doc_id: str
    source: Source
    created_at: datetime
    turns: tuple[Turn, ...]
    path: str = ""
    account_id: str = ""
    account_name: str = ""
    segment: str = ""
    opportunity_id: str = ""
    stage: str = ""
    outcome: str = ""  # won | lost | open | ""
    amount: float | None = None
    author: str = ""  # note author or call owner (rep)
    dated_by: str = "export"  # "export" | "calls.csv" | "file mtime"


@dataclass(frozen=True)
class Quarantined:
    """An input file that could not be read, and why."""

    path: str
    reason: str
    line: int | None = None
    field: str | None = None
    content_hash: str = ""


@dataclass(frozen=True, slots=True)
class Segment:
    """A passage of text: the unit that is embedded, themed and reported."""

    segment_id: str
    doc_id: str
    source: Source
    speaker: str
    speaker_role: Role
    created_at: datetime
    text: str
    start_s: float | None = None
    end_s: float | None = None
    small_talk: bool = False
    account_id: str = ""
    account_name: str = ""
    outcome: str = ""

    @property
    def themeable(self) -> bool:
        """Customer speech and notes, minus small talk, form themes."""
        return not self.small_talk and self.speaker_role != Role.REP


@dataclass(frozen=True)
class Statement:
    """One statement of the stated strategy."""

    id: str
    kind: StatementKind
    text: str
    line: int | None = None


@dataclass(frozen=True)
class Strategy:
    """The company's stated positioning."""

    statements: tuple[Statement, ...]
    company: str = ""
    as_of: date | None = None
    path: str = ""


@dataclass(frozen=True)
class Trend:
    """A theme's trend, measured back from the run's as-of date."""

    window_days: int
    recent: float  # share of themeable segments in the recent window
    baseline: float  # share in the baseline window before it
    growth: float  # recent / baseline (smoothed)
    p_value: float
    recent_count: int = 0
    baseline_count: int = 0
    recent_accounts: int = 0
    top_account_share: float = 0.0
    weekly: tuple[tuple[str, int], ...] = ()  # (week start ISO date, count)


@dataclass(frozen=True)
class ThemeMatch:
    """The best strategy statement for a theme, with calibrated confidence."""

    statement_id: str
    kind: StatementKind
    similarity: float
    confidence: float = 0.0


@dataclass(frozen=True)
class Theme:
    """A customer theme found among segments."""

    id: str
    label: str
    keywords: tuple[str, ...]
    size: int
    customer_share: float
    first_seen: date
    last_seen: date
    status: ThemeStatus
    trend: Trend
    strategy_match: ThemeMatch | None
    exemplars: tuple[str, ...]
    members: tuple[str, ...] = field(default=(), repr=False)  # segment ids


@dataclass(frozen=True)
class Flag:
    """A finding where the field and the stated strategy part ways."""

    id: str
    kind: FlagKind
    theme_id: str | None
    statement_id: str | None
    score: float
    summary: str
    evidence: tuple[str, ...]
    related_themes: tuple[str, ...] = ()  # near-duplicate themes that share this flag
    # CRM context: segments and accounts affected, deal outcomes against the baseline, competitors named
    context: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Run:
    """One mining run's record."""

    id: str
    as_of: date
    started_at: datetime
    finished_at: datetime | None
    store: str
    models: dict[str, str]
    counts: dict[str, int]


#: Why a segment has no theme, as the run records it (``Bundle.no_theme``) and the report counts it.
NO_THEME_REASONS: Mapping[str, str] = MappingProxyType({
    "rep": "rep speech",
    "words": "small talk",
    "meaning": "small talk by meaning",
    "slot": "slot answer (a detail, no need)",
    "cluster": "in a small-talk cluster",
    "activity": "a rep's activity log (no customer need)",
    "one_word": "one content word, no theme near",
    "noise": "no theme near",
})


@dataclass(frozen=True)
class Bundle:
    """Everything the bundle writers need, computed by the mining run."""

    run: Run
    strategy: Strategy
    themes: tuple[Theme, ...]
    flags: tuple[Flag, ...]
    segments: tuple[Segment, ...]  # all mined segments, in document order
    assignments: dict[str, str]  # segment_id -> theme_id (themed segments only)
    quarantined: tuple[Quarantined, ...] = ()
    # segment_id -> why it has no theme (unthemed segments only; NO_THEME_REASONS)
    no_theme: dict[str, str] = field(default_factory=dict)
    # (theme_id, statement_id, similarity) for every pair: the alignment matrix
    alignment: tuple[tuple[str, str, float], ...] = ()
    # theme_id -> (x, y): a 2-D projection of theme centroids for the theme map
    theme_xy: dict[str, tuple[float, float]] = field(default_factory=dict)
    # plain-language lines on what changed since the previous run of the store
    changes: tuple[str, ...] = ()
    # births, merges, splits and fadings of themes since the previous run
    lineage: tuple[LineageEvent, ...] = ()
