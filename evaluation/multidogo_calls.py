"""Acceptance harness for issue #4's calls criterion: MultiDoGO calls through ``groundswell mine``.

Run from the repository root (a few minutes on 2 cores; about 1.5 minutes with MiniLM and --bertopic)::

    .venv/bin/python -m evaluation.multidogo_calls --data /work/shared/datasets/multidogo --bertopic

The issue: a held-out case of about 950 calls built from real customer turns
(mostly small talk, yes/no, names and numbers) must reach NMI >= 0.80 on the
customer segments that carry a need, with at most 10% of the small-talk
segments inside a theme and no theme mixing rep and customer speech.

MultiDoGO (Peskov et al., EMNLP 2019, CDLA-Permissive-1.0) is an *acceptance*
set: it is read in place, none of its text is written into the repository, and
nothing in the product is tuned on what this harness reports.

How the case is built:

- Rows come from ``turn_level/<domain>_<split>.tsv`` (tab-separated, read with
  ``csv.QUOTE_NONE``). A row is kept when it has exactly the six columns, a
  numeric ``turnNumber``, a non-empty utterance and an intent that is a plain
  lower-case name; multi-intents (``a<div>b``) keep the **first** intent. Rows
  broken by a newline or tab inside the utterance (their "intent" is then slot
  labels, or missing) are skipped and counted.
- Intents in :data:`NON_NEED_INTENTS` (decided from the label names alone) are
  small talk; every other intent is a need.
- ``--calls`` conversations are sampled (seeded) evenly over the six domains.
  Each becomes a plain-text transcript ``[H:MM:SS] Name: text`` (SPEC.md
  "Call transcripts") whose customer turns are the conversation's utterances in
  order, each preceded by a rep turn drawn (seeded) from :data:`REP_LINES`
  (MultiDoGO's agent turns are not in the turn-level files). ``calls.csv``
  dates the calls over four months and gives accounts, stages, outcomes and the
  rep; ``team.csv`` names the reps, so every other speaker is a customer.
- ``groundswell mine`` runs as a subprocess on a fresh temporary store, home
  and output folder, with ``GROUNDSWELL_EMBED__MODEL`` set to ``--model`` and
  every other ``GROUNDSWELL_*`` variable removed (product defaults).

How segments map back to turns: every turn has its own start second in the
transcript and ends where the next turn starts; the segmenter keeps a turn's
start on its first segment and interpolates the starts of the pieces of a split
turn inside the turn, so **a segment takes the label of the turn its
``start_s`` falls in** (the last turn starting at or before it, in the same
call). Text is never compared (PII redaction changes it). A segment merged
from several turns takes the label of the first; a turn split into several
segments gives its label to each.

Metrics (customer segments only, unless said): NMI and ARI between theme and
gold intent on the need segments, **a need segment without a theme counting as
one more label ("noise")**; the share of small-talk segments inside a theme;
the share of need segments without a theme; the number of themes; the themes
holding both rep and customer segments; the wall time of ``groundswell mine``.
``--bertopic`` adds BERTopic 0.17.4 defaults on the customer turns alone (raw
utterances, one document per turn) with the same packaged embeddings: NMI/ARI
on need turns (topic -1 counted as one more label) and the share of small-talk
turns put into a topic.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import json
import logging
import os
import platform
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from evaluation.mine_process import add_settings_argument, run_mine, settings_suffix, settings_variables
from nlp.embed import DEFAULT_MODEL, MODELS

__all__ = [
    "DOMAINS", "NON_NEED_INTENTS", "REP_LINES", "BuiltCall", "CallTurn", "Conversation", "CustomerTurn",
    "MappedSegment", "SegmentRow", "build_calls", "main", "map_segments", "read_conversations",
    "read_segments", "sample_conversations", "score_bertopic", "score_segments", "write_case",
]

logger = logging.getLogger(__name__)

RESULTS_DIR = Path(__file__).resolve().parent / "results"
SOURCE = ("MultiDoGO turn-level splits (Peskov et al., \"Multi-Domain Goal-Oriented Dialogues\", EMNLP 2019), "
          "licence CDLA-Permissive-1.0; read in place, no text copied")

DOMAINS = ("airline", "fastfood", "finance", "insurance", "media", "software")

#: Intents that carry no need, from the label names alone; "contentonly" turns are names, numbers and ids.
NON_NEED_INTENTS = frozenset({
    "contentonly", "confirmation", "openinggreeting", "rejection", "thankyou", "outofdomain", "closinggreeting",
})

#: Generic service-agent lines written for this harness (the real agent turns are not in the data).
REP_LINES = (
    "Thanks for calling, how can I help you today?",
    "Could I have your account number please?",
    "Let me check that for you.",
    "One moment while I pull that up.",
    "Can you confirm your full name for me?",
    "Thank you, I have your details here.",
    "Is there anything else I can help you with?",
    "I understand, let me see what I can do.",
    "Could you spell that for me please?",
    "Thanks for your patience.",
    "Let me put you on a brief hold.",
    "I have updated that for you.",
    "Can I get a phone number to reach you on?",
    "Just to confirm, is that correct?",
    "Sure, I can help with that.",
    "Please give me a second to look into it.",
    "What is the best email address for you?",
    "I'm sorry to hear that.",
    "Okay, got it.",
    "Alright, that is all set now.",
    "Have a great day.",
    "Could you tell me a little more about that?",
)

REP_NAMES = ("Dana Whitfield", "Marcus Ellery", "Priya Venkat", "Tom Harrow", "Ines Galvan", "Owen Pratt")
_FIRST = ("Alex", "Jordan", "Sam", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery", "Quinn",
          "Rowan", "Elliot", "Harper", "Reese", "Skyler", "Drew")
_LAST = ("Abbott", "Baxter", "Calloway", "Dunmore", "Ellison", "Fairbank", "Garrick", "Holloway",
         "Ingram", "Jessup", "Kershaw", "Lindqvist", "Merriman", "Norcott", "Oakes", "Pembrook")
_COMPANY_A = ("Bluefin", "Cedar", "Harbor", "Ironwood", "Juniper", "Kestrel", "Lantern", "Maple",
              "Northstar", "Osprey", "Pinecone", "Quarry")
_COMPANY_B = ("Holdings", "Group", "Partners", "Services", "Works", "Supply", "Labs", "Trading", "Co")
_SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
_OPEN_STAGES = ("Discovery", "Evaluation", "Proposal")

#: A small generic strategy: ``groundswell mine`` requires one; it plays no part in the themes.
STRATEGY_MD = """# Customer service strategy

## Objectives

- Resolve every customer request on the first call

## Value proposition

- Friendly agents who answer around the clock

## Priorities

- Move routine requests to self-service
"""

FIRST_DAY = date(2026, 1, 5)
SPAN_DAYS = 112  # four months of calls
_INTENT_RE = re.compile(r"[a-z]+(?:<div>[a-z]+)*")


@dataclass(frozen=True)
class CustomerTurn:
    """One kept customer turn of MultiDoGO: its position, text and (first) intent."""

    turn_number: float
    text: str
    intent: str

    @property
    def is_need(self) -> bool:
        """Whether the intent carries a need (not in :data:`NON_NEED_INTENTS`)."""
        return self.intent not in NON_NEED_INTENTS


@dataclass(frozen=True)
class Conversation:
    """One MultiDoGO conversation's kept customer turns, in turn order."""

    conversation_id: str
    domain: str
    turns: tuple[CustomerTurn, ...]


@dataclass(frozen=True)
class CallTurn:
    """One turn of a built call. ``index`` counts the customer turns of the call (rep turns: -1)."""

    start_s: int
    speaker: str
    is_rep: bool
    text: str
    index: int = -1
    intent: str = ""


@dataclass(frozen=True)
class BuiltCall:
    """A call transcript and its ``calls.csv`` row, built from one conversation."""

    call_id: str
    domain: str
    conversation_id: str
    started_at: datetime
    rep: str
    customer: str
    account_id: str
    account_name: str
    segment: str
    stage: str
    outcome: str
    amount: int
    turns: tuple[CallTurn, ...]

    @property
    def customer_turns(self) -> tuple[CallTurn, ...]:
        """The customer turns, in order (``index`` 0, 1, ...)."""
        return tuple(t for t in self.turns if not t.is_rep)


@dataclass(frozen=True)
class SegmentRow:
    """The columns of one ``segments.csv`` row that the scoring needs."""

    segment_id: str
    doc_id: str
    speaker_role: str
    start_s: float | None
    theme_id: str


@dataclass(frozen=True)
class MappedSegment:
    """A segment with the call turn it starts in (``turn`` -1 and ``intent`` "" when unmapped or a rep turn)."""

    segment_id: str
    doc_id: str
    role: str
    theme_id: str
    turn: int
    intent: str

    @property
    def is_need(self) -> bool:
        """Whether the segment's turn carries a need."""
        return bool(self.intent) and self.intent not in NON_NEED_INTENTS


# ---------------------------------------------------------------- reading MultiDoGO


def read_conversations(path: Path, domain: str) -> tuple[list[Conversation], Counter[str]]:
    """Read one turn-level TSV into conversations, skipping malformed rows.

    Args:
        path: a ``<domain>_<split>.tsv`` file.
        domain: its domain name.

    Returns:
        The conversations with at least one kept turn (sorted by id), and counts
        of the rows skipped (``skipped_columns``, ``skipped_intent``,
        ``skipped_turn_number``, ``skipped_empty``) and of the multi-intent rows
        kept with their first intent (``multi_intent_first_kept``).
    """
    by_conv: dict[str, list[tuple[float, int, CustomerTurn]]] = defaultdict(list)
    stats: Counter[str] = Counter()
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        for row_no, row in enumerate(reader):
            if row_no == 0 and row and row[0] == "conversationId":
                continue
            if len(row) != 6:
                stats["skipped_columns"] += 1
                continue
            conv, number, _, utterance, _, intent = row
            if not _INTENT_RE.fullmatch(intent.strip()):
                stats["skipped_intent"] += 1
                continue
            try:
                turn_number = float(number)
            except ValueError:
                stats["skipped_turn_number"] += 1
                continue
            text = " ".join(utterance.split())
            if not text:
                stats["skipped_empty"] += 1
                continue
            parts = intent.strip().split("<div>")
            if len(parts) > 1:
                stats["multi_intent_first_kept"] += 1
            by_conv[conv].append((turn_number, row_no, CustomerTurn(turn_number, text, parts[0])))
    conversations = [
        Conversation(conv, domain, tuple(t for _, _, t in sorted(rows, key=lambda r: (r[0], r[1]))))
        for conv, rows in sorted(by_conv.items())
    ]
    return conversations, stats


def sample_conversations(
    by_domain: Mapping[str, Sequence[Conversation]], n: int, seed: int = 0
) -> list[Conversation]:
    """``n`` conversations spread evenly over the domains (seeded), then shuffled.

    A domain with fewer conversations than its share gives them all and the rest
    goes to the others, round robin.

    Raises:
        ValueError: fewer than ``n`` conversations in all.
    """
    available = sum(len(v) for v in by_domain.values())
    if n > available:
        raise ValueError(f"--calls {n} asks for more conversations than the split holds ({available})")
    domains = sorted(by_domain)
    quota = dict.fromkeys(domains, 0)
    left = n
    while left:
        for domain in domains:
            if left and quota[domain] < len(by_domain[domain]):
                quota[domain] += 1
                left -= 1
    rng = random.Random(seed)
    chosen = [c for d in domains for c in rng.sample(list(by_domain[d]), quota[d])]
    rng.shuffle(chosen)
    return chosen


# ---------------------------------------------------------------- building calls


def _seconds_for(text: str) -> int:
    """A spoken turn's length in whole seconds (about 2.5 words a second, at least 2)."""
    return max(2, round(len(text.split()) / 2.5) + 1)


def build_calls(conversations: Sequence[Conversation], seed: int = 0) -> list[BuiltCall]:
    """One call per conversation: a rep line before each customer turn, dates over four months.

    Args:
        conversations: in the order the calls are numbered and dated.
        seed: for rep lines, names, accounts, dates and outcomes.

    Returns:
        The calls, ``call_id`` ``mdg-<nnnn>-<domain>``.
    """
    rng = random.Random(seed)
    accounts = [(f"ACC-{i:04d}", f"{a} {b}") for i, (a, b) in enumerate(
        (a, b) for a in _COMPANY_A for b in _COMPANY_B)]
    rng.shuffle(accounts)
    accounts = accounts[:90]
    calls: list[BuiltCall] = []
    for number, conv in enumerate(conversations, start=1):
        rep = rng.choice(REP_NAMES)
        customer = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        clock = rng.randint(1, 4)
        turns: list[CallTurn] = []
        for index, ct in enumerate(conv.turns):
            line = rng.choice(REP_LINES)
            turns.append(CallTurn(clock, rep, True, line))
            clock += _seconds_for(line) + rng.randint(0, 2)
            turns.append(CallTurn(clock, customer, False, ct.text, index, ct.intent))
            clock += _seconds_for(ct.text) + rng.randint(0, 2)
        day = FIRST_DAY + timedelta(days=rng.randrange(SPAN_DAYS))
        if day.weekday() >= 5:
            day -= timedelta(days=day.weekday() - 4)
        started = datetime(day.year, day.month, day.day, rng.randint(13, 21), rng.choice((0, 15, 30, 45)))
        account_id, account_name = rng.choice(accounts)
        outcome = rng.choices(("won", "lost", "open"), weights=(3, 3, 4))[0]
        stage = {"won": "Closed Won", "lost": "Closed Lost"}.get(outcome) or rng.choice(_OPEN_STAGES)
        calls.append(BuiltCall(
            call_id=f"mdg-{number:04d}-{conv.domain}", domain=conv.domain, conversation_id=conv.conversation_id,
            started_at=started, rep=rep, customer=customer, account_id=account_id, account_name=account_name,
            segment=rng.choice(_SEGMENTS), stage=stage, outcome=outcome, amount=rng.randrange(5, 200) * 500,
            turns=tuple(turns),
        ))
    return calls


def _clock(seconds: int) -> str:
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def transcript_text(call: BuiltCall) -> str:
    """The call as a plain-text transcript, one ``[H:MM:SS] Name: text`` line per turn."""
    return "".join(f"[{_clock(t.start_s)}] {t.speaker}: {t.text}\n" for t in call.turns)


def write_case(calls: Sequence[BuiltCall], folder: Path) -> Path:
    """Write the transcripts, ``calls.csv`` and ``team.csv`` into ``folder/calls`` and a strategy beside it.

    Returns:
        The transcripts' folder (``folder/calls``); the strategy is ``folder/strategy.md``.
    """
    calls_dir = folder / "calls"
    calls_dir.mkdir(parents=True, exist_ok=True)
    for call in calls:
        (calls_dir / f"{call.call_id}.txt").write_text(transcript_text(call), encoding="utf-8")
    with (calls_dir / "calls.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["call_id", "started_at", "account_id", "account_name", "segment", "opportunity_id",
                         "stage", "outcome", "amount", "rep"])
        for n, call in enumerate(calls, start=1):
            writer.writerow([call.call_id, call.started_at.strftime("%Y-%m-%dT%H:%M:%SZ"), call.account_id,
                             call.account_name, call.segment, f"OPP-{n:05d}", call.stage, call.outcome,
                             call.amount, call.rep])
    with (calls_dir / "team.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "email"])
        for name in REP_NAMES:
            writer.writerow([name, name.lower().replace(" ", ".") + "@example.com"])
    (folder / "strategy.md").write_text(STRATEGY_MD, encoding="utf-8")
    return calls_dir


# ---------------------------------------------------------------- mapping and scoring


def read_segments(path: Path) -> list[SegmentRow]:
    """The rows of a bundle's ``segments.csv`` (SPEC.md), with ``start_s`` as a float or None."""
    rows: list[SegmentRow] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            start = row.get("start_s") or ""
            rows.append(SegmentRow(row["segment_id"], row["doc_id"], row["speaker_role"],
                                   float(start) if start else None, row.get("theme_id") or ""))
    return rows


def map_segments(segments: Iterable[SegmentRow], calls: Sequence[BuiltCall]) -> list[MappedSegment]:
    """Give each segment the turn its ``start_s`` falls in (see the module docstring).

    A segment of an unknown call, without ``start_s``, or starting in a rep turn
    gets ``turn`` -1 and no intent.
    """
    starts: dict[str, tuple[list[int], tuple[CallTurn, ...]]] = {
        c.call_id: ([t.start_s for t in c.turns], c.turns) for c in calls
    }
    out: list[MappedSegment] = []
    for seg in segments:
        turn, intent = -1, ""
        found = starts.get(seg.doc_id)
        if found is not None and seg.start_s is not None:
            times, turns = found
            pos = bisect.bisect_right(times, seg.start_s + 1e-6) - 1
            if pos >= 0 and not turns[pos].is_rep:
                turn, intent = turns[pos].index, turns[pos].intent
        out.append(MappedSegment(seg.segment_id, seg.doc_id, seg.speaker_role, seg.theme_id, turn, intent))
    return out


def _agreement(gold: Sequence[str], pred: Sequence[str]) -> tuple[float | None, float | None]:
    if not gold:
        return None, None
    return (round(float(normalized_mutual_info_score(gold, pred)), 4),
            round(float(adjusted_rand_score(gold, pred)), 4))


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def score_segments(mapped: Sequence[MappedSegment], calls: Sequence[BuiltCall] = ()) -> dict[str, Any]:
    """The calls criterion's figures on mapped segments (customer segments unless said).

    Args:
        mapped: every segment of the run, mapped by :func:`map_segments`.
        calls: the built calls, to count customer turns left without any segment.

    Returns:
        A dict: ``nmi_needs``/``ari_needs`` (need segments; no theme = the label
        "noise"), ``nmi_needs_themed_only``, ``small_talk_in_themes_share``,
        ``needs_without_theme_share``, ``themes``, ``mixed_themes`` (themes with
        rep and customer segments), per-intent shares (small talk in themes,
        needs without theme), and counts.
    """
    customer = [m for m in mapped if m.role == "customer"]
    mapped_customer = [m for m in customer if m.turn >= 0]
    needs = [m for m in mapped_customer if m.is_need]
    small = [m for m in mapped_customer if not m.is_need]
    nmi, ari = _agreement([m.intent for m in needs], [m.theme_id or "noise" for m in needs])
    themed_needs = [m for m in needs if m.theme_id]
    nmi_themed, _ = _agreement([m.intent for m in themed_needs], [m.theme_id for m in themed_needs])

    roles_by_theme: dict[str, set[str]] = defaultdict(set)
    for m in mapped:
        if m.theme_id:
            roles_by_theme[m.theme_id].add(m.role)
    mixed = sorted(t for t, roles in roles_by_theme.items() if "rep" in roles and "customer" in roles)

    small_by_intent: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for m in small:
        small_by_intent[m.intent][0] += bool(m.theme_id)
        small_by_intent[m.intent][1] += 1
    unthemed_by_intent: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for m in needs:
        unthemed_by_intent[m.intent][0] += not m.theme_id
        unthemed_by_intent[m.intent][1] += 1
    members: dict[str, list[bool]] = defaultdict(list)
    for m in mapped_customer:
        if m.theme_id:
            members[m.theme_id].append(not m.is_need)
    per_turn = Counter((m.doc_id, m.turn) for m in mapped_customer)
    turns_total = sum(len(c.customer_turns) for c in calls)
    return {
        "nmi_needs": nmi,
        "ari_needs": ari,
        "nmi_needs_themed_only": nmi_themed,
        "small_talk_in_themes_share": _share(sum(bool(m.theme_id) for m in small), len(small)),
        "needs_without_theme_share": _share(sum(not m.theme_id for m in needs), len(needs)),
        "themes": len(roles_by_theme),
        "themes_with_customer_segments": len(members),
        "themes_mostly_small_talk": sum(sum(v) > len(v) / 2 for v in members.values()),
        "mixed_themes": len(mixed),
        "mixed_theme_ids": mixed,
        "rep_segments_in_themes": sum(bool(m.theme_id) for m in mapped if m.role == "rep"),
        "small_talk_in_themes_by_intent": {
            k: {"in_themes": v[0], "segments": v[1], "share": _share(v[0], v[1])}
            for k, v in sorted(small_by_intent.items())
        },
        "needs_without_theme_by_intent": {
            k: {"without_theme": v[0], "segments": v[1], "share": _share(v[0], v[1])}
            for k, v in sorted(unthemed_by_intent.items())
        },
        "need_intents_mostly_without_theme": sum(v[0] > v[1] / 2 for v in unthemed_by_intent.values()),
        "segments": len(mapped),
        "segments_by_role": dict(sorted(Counter(m.role for m in mapped).items())),
        "customer_segments": len(customer),
        "customer_segments_unmapped": len(customer) - len(mapped_customer),
        "need_segments": len(needs),
        "need_intents": len({m.intent for m in needs}),
        "small_talk_segments": len(small),
        "customer_turns": turns_total,
        "customer_turns_without_segment": turns_total - len(per_turn) if calls else None,
        "customer_turns_split": sum(v > 1 for v in per_turn.values()),
    }


def score_bertopic(intents: Sequence[str], topics: Sequence[int]) -> dict[str, Any]:
    """BERTopic's figures on customer turns: NMI/ARI on need turns (-1 = one more label), small talk in topics."""
    need = [(i, t) for i, t in zip(intents, topics) if i not in NON_NEED_INTENTS]
    small = [t for i, t in zip(intents, topics) if i in NON_NEED_INTENTS]
    nmi, ari = _agreement([i for i, _ in need], [str(t) for _, t in need])
    return {
        "nmi_needs": nmi,
        "ari_needs": ari,
        "small_talk_in_topics_share": _share(sum(t != -1 for t in small), len(small)),
        "needs_in_outliers_share": _share(sum(t == -1 for _, t in need), len(need)),
        "topics": len({t for t in topics if t != -1}),
        "need_turns": len(need),
        "small_talk_turns": len(small),
    }


# ---------------------------------------------------------------- running


def run_bertopic(texts: Sequence[str], intents: Sequence[str], model: str, cache_name: str) -> dict[str, Any]:
    """BERTopic 0.17.4 defaults on the customer turns, on the packaged model's vectors."""
    from bertopic import BERTopic  # the eval extra

    from evaluation.embeddings_cache import cached_embeddings
    from nlp.embed import load_model

    embedding_model = load_model(model=model)
    vectors, embed_s = cached_embeddings(embedding_model, cache_name, tuple(texts))
    logger.info("BERTopic: fitting %d customer turns", len(texts))
    start = time.perf_counter()
    topics, _ = BERTopic(embedding_model=None).fit_transform(list(texts), vectors)
    seconds = time.perf_counter() - start
    result = score_bertopic(intents, [int(t) for t in topics])
    result.update(seconds=round(seconds, 1), embedding_model=embedding_model.model_id,
                  embedding_seconds=None if embed_s is None else round(embed_s, 1),
                  settings="BERTopic(embedding_model=None).fit_transform(turns, embeddings); UMAP not seeded")
    return result


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _fmt(value: float | None, pct: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:.1%}" if pct else f"{value:.3f}"


def _markdown(report: dict[str, Any]) -> str:
    g, case = report["groundswell"], report["case"]
    lines = [
        f"# MultiDoGO calls ({report['split']}, {report['model']}): issue #4 calls criterion",
        "",
        f"{case['calls']} calls ({', '.join(f'{d} {n}' for d, n in case['calls_by_domain'].items())}), "
        f"{case['customer_turns']} customer turns ({case['need_turns']} needs in {case['need_intents']} intents, "
        f"{case['small_talk_turns']} small talk), a generic rep line before each. Source: {report['source']}.",
        "Customer segments only; a need segment without a theme counts as one more label.",
        f"Machine: {report['machine']}.",
        "",
        "| method | NMI needs | ARI needs | small talk in themes | needs without theme | themes | mixed themes | seconds |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| groundswell mine | {_fmt(g['nmi_needs'])} | {_fmt(g['ari_needs'])} "
        f"| {_fmt(g['small_talk_in_themes_share'], True)} | {_fmt(g['needs_without_theme_share'], True)} "
        f"| {g['themes']} | {g['mixed_themes']} | {g['wall_s']:.1f} |",
    ]
    b = report.get("bertopic")
    if b:
        lines.append(
            f"| BERTopic 0.17.4 defaults, customer turns | {_fmt(b['nmi_needs'])} | {_fmt(b['ari_needs'])} "
            f"| {_fmt(b['small_talk_in_topics_share'], True)} | {_fmt(b['needs_in_outliers_share'], True)} "
            f"| {b['topics']} | n/a | {b['seconds']:.1f} |"
        )
    met = report["criterion"]
    lines += [
        "",
        f"Criterion (NMI >= 0.80, small talk in themes <= 10%, no mixed theme): "
        f"NMI {'met' if met['nmi'] else 'not met'}, small talk {'met' if met['small_talk'] else 'not met'}, "
        f"mixed themes {'met' if met['mixed'] else 'not met'}. The issue's BERTopic reference: NMI 0.68, 86% of "
        "small talk in topics.",
        "",
        f"Small talk in themes by intent: " + ", ".join(
            f"{k} {_fmt(v['share'], True)} of {v['segments']}" for k, v in g["small_talk_in_themes_by_intent"].items()),
        f"NMI on themed need segments only: {_fmt(g['nmi_needs_themed_only'])}; themes mostly small talk: "
        f"{g['themes_mostly_small_talk']} of {g['themes']}; need intents mostly without a theme: "
        f"{g['need_intents_mostly_without_theme']} of {g['need_intents']}.",
        f"`groundswell mine` stages (s): {g.get('timings_s')}; the rest of its wall time is start-up "
        "(imports, Prefect's temporary server, a new PREFECT_HOME).",
        "",
        f"Command: `{report['command']}`",
        "",
        f"Versions: {report['versions']}",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Build the calls, run ``groundswell mine`` (and BERTopic), write the results."""
    parser = argparse.ArgumentParser(
        prog="python -m evaluation.multidogo_calls",
        description="Issue #4's calls criterion on MultiDoGO: build calls from real customer turns, run "
                    "`groundswell mine` on them, score the themes of the customer segments "
                    "(NMI/ARI on needs, small talk in themes, mixed rep/customer themes).",
        epilog="Writes <out>/multidogo-calls-<split>-<model>.json and .md. Takes minutes; progress on stderr.",
    )
    parser.add_argument("--data", required=True, type=Path,
                        help="the MultiDoGO folder holding turn_level/<domain>_<split>.tsv (read in place)")
    parser.add_argument("--split", default="test", choices=["train", "dev", "test"], help="default: %(default)s")
    parser.add_argument("--calls", type=int, default=950, help="conversations to sample (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="sampling and building seed (default: %(default)s)")
    parser.add_argument("--model", default=DEFAULT_MODEL, choices=list(MODELS),
                        help="embedding model, passed as GROUNDSWELL_EMBED__MODEL (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="results folder (default: evaluation/results)")
    parser.add_argument("--bertopic", action="store_true",
                        help="also run BERTopic 0.17.4 defaults on the customer turns (the eval extra)")
    parser.add_argument("--slot-answers", action="store_true",
                        help="run mine with themes.slot_answers on (GROUNDSWELL_THEMES__SLOT_ANSWERS=true); "
                             "results named ...-slot-answers")
    add_settings_argument(parser)
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the built calls and the bundle in this folder (outside the repository!)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")

    by_domain: dict[str, list[Conversation]] = {}
    skipped: dict[str, dict[str, int]] = {}
    for domain in DOMAINS:
        path = args.data / "turn_level" / f"{domain}_{args.split}.tsv"
        if not path.is_file():
            parser.error(f"{path} does not exist: --data must be the MultiDoGO folder holding turn_level/")
        by_domain[domain], stats = read_conversations(path, domain)
        skipped[domain] = dict(stats)
        logger.info("%s: %d conversations, rows %s", domain, len(by_domain[domain]), dict(stats))
    conversations = sample_conversations(by_domain, args.calls, args.seed)
    calls = build_calls(conversations, args.seed)
    turns = [t for c in calls for t in c.customer_turns]
    last_day = max(c.started_at for c in calls).date()

    work_ctx = tempfile.TemporaryDirectory(prefix="gs-multidogo-") if args.keep is None else None
    work = Path(work_ctx.name) if work_ctx else args.keep
    try:
        calls_dir = write_case(calls, work / "case")
        logger.info("wrote %d calls (%d customer turns) to %s", len(calls), len(turns), calls_dir)
        extra = {"GROUNDSWELL_THEMES__SLOT_ANSWERS": "true"} if args.slot_answers else {}
        extra.update(settings_variables(args.settings))
        run = run_mine(calls_dir, work / "case" / "strategy.md", work / "run", args.model, last_day + timedelta(days=1),
                       extra)
        run["themes_json"] = len(json.loads((run["bundle"] / "themes.json").read_text(encoding="utf-8"))["themes"])
        logger.info("groundswell mine done in %.1f s", run["wall_s"])
        mapped = map_segments(read_segments(run.pop("bundle") / "segments.csv"), calls)
    finally:
        if work_ctx:
            work_ctx.cleanup()
    scores = score_segments(mapped, calls)
    report: dict[str, Any] = {
        "split": args.split,
        "model": args.model,
        "command": "python -m evaluation.multidogo_calls " + " ".join(argv if argv is not None else sys.argv[1:]),
        "source": SOURCE,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
                   f"load average {os.getloadavg()[0]:.1f} at the start (shared machine: timings are indicative)",
        "started": datetime.now().isoformat(timespec="seconds"),
        "non_need_intents": sorted(NON_NEED_INTENTS),
        "rows": skipped,
        "case": {
            "calls": len(calls),
            "calls_by_domain": dict(sorted(Counter(c.domain for c in calls).items())),
            "customer_turns": len(turns),
            "need_turns": sum(t.intent not in NON_NEED_INTENTS for t in turns),
            "need_intents": len({t.intent for t in turns if t.intent not in NON_NEED_INTENTS}),
            "small_talk_turns": sum(t.intent in NON_NEED_INTENTS for t in turns),
            "turns_by_intent": dict(sorted(Counter(t.intent for t in turns).items())),
            "first_day": FIRST_DAY.isoformat(),
            "as_of": (last_day + timedelta(days=1)).isoformat(),
        },
        "groundswell": {**scores, **run},
        "versions": {p: _version(p) for p in ("groundswell", "scikit-learn", "bertopic", "umap-learn", "hdbscan")},
    }
    g = report["groundswell"]
    logger.info("groundswell: NMI %s ARI %s small talk in themes %s needs without theme %s themes %d mixed %d",
                g["nmi_needs"], g["ari_needs"], g["small_talk_in_themes_share"], g["needs_without_theme_share"],
                g["themes"], g["mixed_themes"])
    if args.bertopic:
        name = f"multidogo-calls-{args.split}-n{args.calls}-s{args.seed}"
        report["bertopic"] = run_bertopic([t.text for t in turns], [t.intent for t in turns], args.model, name)
        b = report["bertopic"]
        logger.info("BERTopic: NMI %s ARI %s small talk in topics %s topics %d %.1f s", b["nmi_needs"],
                    b["ari_needs"], b["small_talk_in_topics_share"], b["topics"], b["seconds"])
    report["criterion"] = {
        "nmi": (g["nmi_needs"] or 0) >= 0.80,
        "small_talk": g["small_talk_in_themes_share"] is not None and g["small_talk_in_themes_share"] <= 0.10,
        "mixed": g["mixed_themes"] == 0,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"multidogo-calls-{args.split}-{args.model}" + ("-slot-answers" if args.slot_answers else "")
    stem += settings_suffix(args.settings)
    (args.out / f"{stem}.json").write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    (args.out / f"{stem}.md").write_text(_markdown(report), encoding="utf-8")
    logger.info("wrote %s.json and .md in %s", stem, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
