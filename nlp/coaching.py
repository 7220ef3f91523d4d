"""Pick rep answers worth coaching from, per customer theme.

For each theme, the customer's themed turns in calls are paired with the rep's
answer that follows them. Answers from won deals come first, then open, then
lost; within an outcome, answers that meet an objection or name a competitor
come first. Every row says in words why it is worth coaching from.

Pure: data in, data out.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from nlp.records import Role, Segment, Source, Statement, StatementKind, Theme

__all__ = ["CoachingRow", "select_coaching", "competitor_names", "objection_topic"]

logger = logging.getLogger(__name__)

# Rank of a deal outcome: won deals teach most, then open, then lost.
_OUTCOME_RANK = {"won": 0, "open": 1, "lost": 2}
_OUTCOME_WORDS = {
    "won": "won deal",
    "open": "open deal",
    "lost": "lost deal (learn from what did not land)",
}

# The customer is pushing back when their turn says one of these.
_PUSHBACK = re.compile(
    r"\b(concern(?:ed|s)?|worr(?:y|ied|ies)|expensive|too (?:much|many|high|long|slow|complex)"
    r"|problem|issue|hesitant|not sure|unsure|push(?:ing)? back|can'?t|cannot|won'?t|doesn'?t"
    r"|don'?t|risk|blocker|afford|why would|how do you|what about|compared to|versus|vs\.?"
    r"|already (?:use|have)|switch(?:ing)?|alternative|cheaper|but|however)\b",
    re.IGNORECASE,
)

# What an objection is about: the first topic whose words appear wins.
_TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (topic, re.compile(rf"\b({words})\b", re.IGNORECASE))
    for topic, words in (
        ("pricing", r"pric\w*|cost\w*|expensive|budget\w*|discount\w*|afford\w*|cheaper|roi|licen[cs]\w*|seat\w*"),
        ("security", r"secur\w*|complian\w*|soc ?2|gdpr|hipaa|privacy|audit\w*|sso|encrypt\w*"),
        ("integration", r"integrat\w*|api\w*|connect\w*|migrat\w*|compatib\w*|erp|sync\w*"),
        ("timing", r"timing|timeline\w*|quarter|later|next year|roll ?out|implementation|onboard\w*"),
        ("product fit", r"feature\w*|missing|lack\w*|roadmap|support\w*|workflow\w*"),
    )
)

# An answer shorter than this many words does not handle anything.
_MIN_ANSWER_WORDS = 6
# Consecutive segments of one speaker joined into one turn, at most.
_MAX_TURN_SEGMENTS = 3
# A rep's answer takes no further segment once it holds this many words: the
# answer is what comes first; a demo monologue after it teaches nothing.
_MAX_ANSWER_WORDS = 60

# Capitalised words that start a competitor statement without naming anyone.
_LEADING_WORDS = frozenset(
    "we our us the against compete competing competitors competitor versus vs main primary key "
    "beat win displace including include such as and or with in for when where".split()
)


@dataclass(frozen=True)
class CoachingRow:
    """One coaching snippet: a customer's themed turn and the rep's answer.

    ``segment_id``, ``speaker``, ``start_s`` and ``text`` are the rep's answer;
    ``customer_text`` is the customer's turn before it.
    """

    theme_id: str
    statement_id: str
    segment_id: str
    doc_id: str
    speaker: str
    start_s: float | None
    outcome: str
    text: str
    why: str
    customer_text: str


@dataclass(frozen=True)
class _Candidate:
    row: CoachingRow
    outcome_rank: int
    signals: int
    created_key: str
    words: int


def competitor_names(statements: Iterable[Statement]) -> tuple[str, ...]:
    """Names of competitors found in the strategy's competitor statements.

    Capitalised runs of words are taken as names ("We compete with Coupa and
    SAP Ariba" gives "Coupa", "SAP Ariba"), minus leading filler words.

    Args:
        statements: the strategy's statements (any kinds; only competitor ones are read).

    Returns:
        The distinct names, in order of first appearance.
    """
    names: list[str] = []
    for statement in statements:
        if statement.kind != StatementKind.COMPETITOR:
            continue
        for run in re.findall(r"[A-Z][\w&.'-]*(?:\s+[A-Z][\w&.'-]*)*", statement.text):
            words = run.split()
            while words and words[0].lower() in _LEADING_WORDS:
                words.pop(0)
            name = " ".join(words).rstrip(".'")
            if len(name) > 1 and name not in names:
                names.append(name)
    return tuple(names)


def objection_topic(customer_text: str) -> str | None:
    """The topic of the customer's objection, "" for an objection of no known topic, None for none."""
    if not _PUSHBACK.search(customer_text):
        return None
    for topic, pattern in _TOPICS:
        if pattern.search(customer_text):
            return topic
    return ""


def select_coaching(
    bundle_segments: Sequence[Segment],
    assignments: Mapping[str, str],
    themes: Sequence[Theme],
    *,
    per_theme: int = 3,
    competitors: Sequence[str] = (),
) -> list[CoachingRow]:
    """Choose up to ``per_theme`` rep answers to coach from for each theme.

    Args:
        bundle_segments: all mined segments, in document order.
        assignments: segment id -> theme id, for themed segments.
        themes: the themes, in the order rows should come out.
        per_theme: the most rows per theme.
        competitors: competitor names to look for in answers (see `competitor_names`).

    Returns:
        Rows grouped by theme in ``themes`` order, best first within a theme.
        A theme with no customer turn answered by a rep gets no rows.

    Raises:
        ValueError: if ``per_theme`` is negative.
    """
    if per_theme < 0:
        raise ValueError(f"per_theme must be 0 or more. Got {per_theme}.")
    by_doc: dict[str, list[Segment]] = {}
    for segment in bundle_segments:
        by_doc.setdefault(segment.doc_id, []).append(segment)
    position = {s.segment_id: i for doc in by_doc.values() for i, s in enumerate(doc)}
    patterns = [(name, re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.I)) for name in competitors]

    theme_ids = {t.id for t in themes}
    themed: dict[str, list[Segment]] = {tid: [] for tid in theme_ids}
    for segment in bundle_segments:
        tid = assignments.get(segment.segment_id)
        if tid in themed and segment.source == Source.CALL and segment.speaker_role == Role.CUSTOMER:
            themed[tid].append(segment)

    rows: list[CoachingRow] = []
    for theme in themes:
        statement_id = theme.strategy_match.statement_id if theme.strategy_match else ""
        candidates: dict[str, _Candidate] = {}
        for segment in themed[theme.id]:
            doc = by_doc[segment.doc_id]
            found = _answer_after(doc, position[segment.segment_id])
            if found is None:
                continue
            customer_turn, answer = found
            if answer[0].segment_id in candidates:  # two themed segments, one answer
                continue
            candidates[answer[0].segment_id] = _candidate(
                theme, statement_id, customer_turn, answer, patterns
            )
        chosen = _choose(list(candidates.values()), per_theme)
        logger.debug("theme %s: %d coaching rows of %d answers", theme.id, len(chosen), len(candidates))
        rows.extend(c.row for c in chosen)
    return rows


def _answer_after(
    doc: Sequence[Segment], index: int
) -> tuple[list[Segment], list[Segment]] | None:
    """The customer's turn from ``index`` on, and the rep turn right after it, if any."""
    customer = doc[index]
    turn = [customer]
    i = index + 1
    while i < len(doc) and doc[i].speaker == customer.speaker and doc[i].speaker_role == Role.CUSTOMER:
        if len(turn) < _MAX_TURN_SEGMENTS:
            turn.append(doc[i])
        i += 1
    if i >= len(doc) or doc[i].speaker_role != Role.REP:
        return None
    answer = [doc[i]]
    words = len(doc[i].text.split())
    j = i + 1
    while (
        j < len(doc)
        and len(answer) < _MAX_TURN_SEGMENTS
        and words < _MAX_ANSWER_WORDS
        and doc[j].speaker == answer[0].speaker
        and doc[j].speaker_role == Role.REP
    ):
        answer.append(doc[j])
        words += len(doc[j].text.split())
        j += 1
    return turn, answer


def _candidate(
    theme: Theme,
    statement_id: str,
    customer_turn: Sequence[Segment],
    answer: Sequence[Segment],
    patterns: Sequence[tuple[str, re.Pattern[str]]],
) -> _Candidate:
    first = answer[0]
    customer_text = " ".join(s.text.strip() for s in customer_turn)
    answer_text = " ".join(s.text.strip() for s in answer)
    words = len(answer_text.split())
    outcome = (first.outcome or customer_turn[0].outcome).strip().lower()

    reasons = [_OUTCOME_WORDS.get(outcome, "deal outcome unknown")]
    signals = 0
    topic = objection_topic(customer_text) if words >= _MIN_ANSWER_WORDS else None
    if topic is not None:
        signals += 1
        reasons.append(f"rep answered a {topic} objection" if topic else "rep answered an objection")
    named = [name for name, pattern in patterns if pattern.search(answer_text)]
    if named:
        signals += 1
        reasons.append(f"names competitor{'s' if len(named) > 1 else ''} {', '.join(named)}")
    if signals == 0:
        reasons.append(f"rep responds to a customer raising \u201c{theme.label}\u201d")

    row = CoachingRow(
        theme_id=theme.id,
        statement_id=statement_id,
        segment_id=first.segment_id,
        doc_id=first.doc_id,
        speaker=first.speaker,
        start_s=first.start_s,
        outcome=outcome,
        text=answer_text,
        why="; ".join(reasons),
        customer_text=customer_text,
    )
    return _Candidate(
        row=row,
        outcome_rank=_OUTCOME_RANK.get(outcome, 3),
        signals=signals,
        created_key=first.created_at.isoformat(),
        words=words,
    )


def _choose(candidates: list[_Candidate], per_theme: int) -> list[_Candidate]:
    """Best candidates first, at most one per call until every call has given one."""
    candidates.sort(
        key=lambda c: (
            c.outcome_rank,
            -c.signals,
            -min(c.words, 80),  # fuller answers, up to a point
            _reverse(c.created_key),  # then the most recent
            c.row.segment_id,
        )
    )
    chosen: list[_Candidate] = []
    seen_docs: set[str] = set()
    for c in candidates:
        if len(chosen) >= per_theme:
            break
        if c.row.doc_id not in seen_docs:
            chosen.append(c)
            seen_docs.add(c.row.doc_id)
    for c in candidates:
        if len(chosen) >= per_theme:
            break
        if c not in chosen:
            chosen.append(c)
    order = {id(c): i for i, c in enumerate(candidates)}
    return sorted(chosen, key=lambda c: order[id(c)])


def _reverse(text: str) -> tuple[int, ...]:
    """A sort key that orders strings descending."""
    return tuple(-ord(ch) for ch in text)
