"""Raise the three flags where the field and the stated strategy part ways."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nlp.alignment import Alignment
from nlp.coaching import competitor_names
from nlp.records import Flag, FlagKind, Segment, Statement, StatementKind, Theme, ThemeStatus
from nlp.spacy_import import stop_words

__all__ = ["FlagParams", "raise_flags", "group_near_duplicates", "theme_context", "is_price_theme",
           "EntityFilter", "entity_filter", "named_organisations", "RISING"]

OUTCOMES = ("won", "lost", "open")
PRICE_WORDS = frozenset({
    "price", "prices", "pricing", "priced", "discount", "discounts", "discounting", "cost", "costs",
    "budget", "budgets", "expensive", "cheaper", "cheap", "quote", "quotes", "fee", "fees", "roi",
    "seat", "seats", "license", "licence", "renewal", "afford", "affordable",
})

COVERING_KINDS = frozenset(
    {StatementKind.OBJECTIVE, StatementKind.TARGET, StatementKind.VALUE, StatementKind.PRIORITY}
)
HEARD_KINDS = frozenset({StatementKind.VALUE, StatementKind.PRIORITY})
#: The statuses of a theme on the rise.
RISING = frozenset({ThemeStatus.EMERGING, ThemeStatus.GROWING})


@dataclass(frozen=True)
class FlagParams:
    """Flag thresholds.

    Attributes:
        duplicate_similarity: themes whose centroids are this alike share a flag.
        unheard_share: a value or priority statement is unheard when no theme
            matches it and no one theme (family) holds this share of customer
            segments raising it; see :func:`nlp.alignment.statements_raised`.
        min_heard: however small the corpus, a statement that fewer than this
            many customer segments of one theme raise is unheard (when no
            theme matches it).
        max_evidence: evidence segments per flag, from distinct accounts.
        piece_similarity: a rising theme that matches no statement, whose
            nearest statement is a ``non_target`` that a theme at least this
            alike (centroid cosine) matches, is a piece of that refused need
            the clusterer split off: it is pulled toward the refusal.
    """

    duplicate_similarity: float = 0.85
    unheard_share: float = 0.005
    min_heard: int = 3
    max_evidence: int = 5
    piece_similarity: float = 0.5


def group_near_duplicates(centroids: np.ndarray, threshold: float) -> list[int]:
    """A group number per theme: themes more alike than ``threshold`` share one."""
    k = len(centroids)
    parent = list(range(k))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if k:
        sim = centroids @ centroids.T
        for i in range(k):
            for j in range(i + 1, k):
                if sim[i, j] >= threshold:
                    parent[find(j)] = find(i)
    return [find(i) for i in range(k)]


def _pick_evidence(candidates: Sequence[tuple[str, str]], n: int) -> tuple[str, ...]:
    """First candidates from distinct accounts, then any others up to ``n``."""
    seen: set[str] = set()
    out: list[str] = []
    for seg_id, account in candidates:
        if account not in seen:
            seen.add(account)
            out.append(seg_id)
        if len(out) >= n:
            return tuple(out)
    for seg_id, _ in candidates:
        if seg_id not in out:
            out.append(seg_id)
        if len(out) >= n:
            break
    return tuple(out)


def is_price_theme(theme: Theme) -> bool:
    """A theme about price, cost or discounts, by its label and keywords."""
    words = set(re.findall(r"[a-z]+", " ".join((theme.label, *theme.keywords)).lower()))
    return bool(words & PRICE_WORDS)


def _outcomes(segments: Sequence[Segment]) -> dict[str, int]:
    """Deal outcomes counted once per document (call or note)."""
    by_doc: dict[str, str] = {}
    for s in segments:
        by_doc.setdefault(s.doc_id, s.outcome)
    counts = Counter(o if o in OUTCOMES else "unknown" for o in by_doc.values())
    return {k: counts.get(k, 0) for k in (*OUTCOMES, "unknown")}


def _lost_rate(counts: Mapping[str, int]) -> float | None:
    closed = counts["won"] + counts["lost"]
    return round(counts["lost"] / closed, 3) if closed else None


# -- competitors named by entity recognition ---------------------------------------

ENTITY_LABELS = frozenset({"ORG", "PRODUCT"})
_WORD = re.compile(r"[^\W_][\w&.'’+-]*")
_CAPITALISED = re.compile(r"\b[A-Z][\w&.+-]*")
_ACRONYM = re.compile(r"^[A-Z0-9&]{1,4}$")  # AP, CFO, PO, ERP, Q4: roles and jargon, not competitors
# words of job titles and teams that small NER models take for organisations ("AP Specialist")
GENERIC_NAME_WORDS = frozenset(
    "specialist manager director controller analyst clerk coordinator assistant officer lead head vp svp evp "
    "president chief team department dept finance accounting procurement operations ops sales support "
    "customer customers vendor vendors company co inc ltd llc corp group partner partners board "
    "committee office it hr legal security admin".split()
)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;()\[\]\-–—•*\n\"“])\s*$")


@dataclass(frozen=True)
class EntityFilter:
    """What an organisation named in customer speech must not be, to count as a competitor.

    Attributes:
        own: casefolded words of names that are not competitors: the company's
            own name, names the strategy uses outside its ``competitor``
            statements (partners, integrations), customers' account names and
            the names of the people who speak or write in the run.
        common: casefolded words the corpus mostly writes in lower case: an
            ordinary word ("controller", "pipeline") that a sentence or a note
            heading happened to capitalise, not a name.
        known: casefolded names of ``competitor`` statements (counted from the statements).
        mid_sentence: casefolded words the corpus capitalises somewhere other
            than at the start of a sentence; a one-word name must be one of
            them ("Cyber insurer requires ..." names no "Cyber"). None: no such test.
    """

    own: frozenset[str] = frozenset()
    common: frozenset[str] = frozenset()
    known: frozenset[str] = frozenset()
    mid_sentence: frozenset[str] | None = None


def _name_words(text: str) -> list[str]:
    return [w.casefold().rstrip(".'’") for w in _WORD.findall(text)]


def entity_filter(
    statements: Sequence[Statement],
    corpus: Sequence[Segment],
    company: str = "",
    *,
    min_lower_share: float = 0.25,
) -> EntityFilter:
    """The :class:`EntityFilter` of a run: from its strategy, company and customer segments.

    Args:
        statements: the strategy; capitalised words of its non-competitor
            statements (but a statement's first word, unless it is written
            like a name: "NetSuite") are the company's own vocabulary.
        corpus: every themeable segment: its account names are customers, and
            a word it writes in lower case at least ``min_lower_share`` of the
            time (and at least twice) is an ordinary word.
        company: the strategy's company ("Wayfare (a travel app)": the part
            before any parenthesis counts).
    """
    own: set[str] = set(_name_words(re.sub(r"\(.*", "", company)))
    known: set[str] = set()
    for st in statements:
        if st.kind == StatementKind.COMPETITOR:
            known.update(n.casefold() for n in (competitor_names([st]) or (st.text.strip(),)) if n)
            continue
        for k, m in enumerate(_CAPITALISED.finditer(st.text)):
            word = m.group(0)
            first = m.start() == len(st.text) - len(st.text.lstrip())
            if first and not re.search(r"[A-Z0-9]", word[1:]):
                continue  # "Book every ...": capitalised because it starts the statement
            own.update(_name_words(word))
    for seg in corpus:
        for name in (seg.account_name, seg.speaker):
            if name and not name.isdigit():
                own.update(_name_words(name))
    lower: Counter[str] = Counter()
    total: Counter[str] = Counter()
    mid: set[str] = set()
    for seg in corpus:
        for m in _WORD.finditer(seg.text):
            w = m.group(0)
            key = w.casefold().rstrip(".'’")
            total[key] += 1
            if w.islower():
                lower[key] += 1
            elif w[:1].isupper() and not _SENTENCE_START.search(seg.text[: m.start()]):
                mid.add(key)
    common = {w for w, n in lower.items() if n >= 2 and n >= min_lower_share * total[w]}
    own -= stop_words()
    return EntityFilter(own=frozenset(own), common=frozenset(common), known=frozenset(known),
                        mid_sentence=frozenset(mid))


def _ordinary(token: Any, flt: EntityFilter) -> bool:
    """A token that is no part of a name by itself: an ordinary word, a job title, an acronym."""
    word = token.lower_.rstrip(".'’")
    return (word in flt.common or word in GENERIC_NAME_WORDS or word in stop_words()
            or bool(_ACRONYM.match(token.text)))


def _clean_entity(ent: Any, flt: EntityFilter) -> str | None:
    """The name an ORG/PRODUCT entity gives, or None when it is no competitor's name."""
    if ent.label_ not in ENTITY_LABELS:
        return None
    tokens = list(ent)
    cut = next((i for i, t in enumerate(tokens) if "\n" in t.text_with_ws[:-1] or t.is_space
                or (t.is_punct and t.text not in (".", "&", "+"))), None)
    if cut is not None:  # "mtg w/ Neil & Gordon\n- Re": a name does not run across a line or a dash
        tokens = tokens[:cut]
    while tokens and (tokens[0].is_stop or tokens[0].is_punct or not tokens[0].text[:1].isupper()):
        tokens.pop(0)
    while tokens and (tokens[-1].is_punct or tokens[-1].lower_ in ("'s", "’s")):
        tokens.pop()
    if not tokens or any(c in t.text for t in tokens for c in "<>@/"):
        return None  # a placeholder (<PERSON>), an email address
    name = " ".join(t.text for t in tokens).strip()
    words = _name_words(name)
    if len(name) < 2 or not words:
        return None
    if len(tokens) == 1 and (_ACRONYM.match(name) or (
            flt.mid_sentence is not None and words[0] not in flt.mid_sentence)):
        return None
    if all(_ordinary(t, flt) for t in tokens if not t.is_punct):
        return None  # ordinary words, job titles and acronyms, capitalised
    if any(w in flt.own for w in words) or name.casefold() in flt.known:
        return None
    if any(k in name.casefold() or name.casefold() in k for k in flt.known):
        return None  # already counted from the competitor statements
    return name


def _may_name(text: str) -> bool:
    """Whether a text has a capitalised word that is not a stop word (a name can only be one)."""
    stop = stop_words()
    return any(w[:1].isupper() and w.casefold() not in stop for w in _WORD.findall(text))


def _entity_docs(nlp: Any, texts: Sequence[str]) -> list[Any] | None:
    """Run only what the pipeline's NER needs over ``texts``; None when it has no NER."""
    names = list(getattr(nlp, "component_names", ()))
    if "ner" not in names:
        return None
    steps = ["ner"]
    try:
        arch = str(nlp.config["components"]["ner"]["model"].get("tok2vec", {}).get("@architectures", ""))
    except (KeyError, AttributeError):
        arch = ""
    if "Listener" in arch and "tok2vec" in names:
        steps.insert(0, "tok2vec")  # NER reads the shared tok2vec
    docs = [nlp.make_doc(t) for t in texts]
    for step in steps:
        docs = list(nlp.get_pipe(step).pipe(docs, batch_size=64))
    return docs


def named_organisations(
    segments: Sequence[Segment],
    nlp: Any,
    flt: EntityFilter = EntityFilter(),
    *,
    min_documents: int = 2,
    max_segments: int = 400,
    top: int = 5,
) -> list[dict[str, Any]]:
    """Organisations and products that a theme's segments name, by spaCy entity recognition.

    Entities labelled ORG or PRODUCT, cleaned (leading stop words, a trailing
    possessive and what follows a line break or a dash go) and filtered by
    ``flt`` (the company's own names, partners the strategy names, customers'
    account names, ordinary words, short acronyms such as "CFO" or "ERP",
    names already counted from ``competitor`` statements). A name must come up
    in at least ``min_documents`` calls or notes. Deterministic: segments are
    read in segment-id order, at most ``max_segments`` of those that can hold a
    name.

    Returns:
        ``[{statement_id: None, name, mentions, accounts, outcomes, source:
        "entity"}]``, most mentioned first, at most ``top``; [] when ``nlp``
        has no NER component.
    """
    if nlp is None:
        return []
    pool = sorted((s for s in segments if _may_name(s.text)), key=lambda s: s.segment_id)[:max_segments]
    docs = _entity_docs(nlp, [s.text for s in pool]) if pool else []
    if not docs:
        return []
    hits: dict[str, list[Segment]] = {}
    forms: dict[str, Counter[str]] = {}
    for seg, doc in zip(pool, docs):
        seen: set[str] = set()
        for ent in doc.ents:
            name = _clean_entity(ent, flt)
            if name is None or name.casefold() in seen:
                continue
            seen.add(name.casefold())
            hits.setdefault(name.casefold(), []).append(seg)
            forms.setdefault(name.casefold(), Counter())[name] += 1
    out = []
    for key, segs in hits.items():
        if len({s.doc_id for s in segs}) < min_documents:
            continue
        name = min(forms[key].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        out.append({"statement_id": None, "name": name, "mentions": len(segs),
                    "accounts": len({s.account_id for s in segs if s.account_id}),
                    "outcomes": _outcomes(segs), "source": "entity"})
    out.sort(key=lambda c: (-c["mentions"], c["name"]))
    return out[:top]


def theme_context(
    theme: Theme,
    segments: Sequence[Segment],
    corpus: Sequence[Segment],
    competitors: Sequence[Statement] = (),
    *,
    nlp: Any = None,
    entities: EntityFilter | None = None,
) -> dict[str, Any]:
    """The CRM context of a theme: who raises it and how their deals go.

    Args:
        theme: the theme (its label and keywords decide whether it is about price).
        segments: the theme's segments (a family's, when it shares one flag).
        corpus: every themeable segment of the run: the baseline.
        competitors: ``competitor`` statements; each is named in the theme when
            its name (a capitalised run of its text, "We compete with Coupa"
            gives "Coupa"; else the whole text) appears as a whole word in a segment.
        nlp: a spaCy pipeline with an NER component (enabled or not): the
            organisations and products the segments name join the competitors
            (:func:`named_organisations`, filtered by ``entities``).
        entities: what a named organisation must not be (see :func:`entity_filter`).

    Returns:
        ``segments``, ``accounts``, ``documents``, ``outcomes`` and
        ``baseline_outcomes`` (won/lost/open/unknown, once per call or note),
        ``lost_rate`` and ``baseline_lost_rate`` (lost / closed), ``competitors``
        (``[{statement_id, name, mentions, accounts, outcomes, source}]``,
        ``source`` "statement" or "entity", whose ``statement_id`` is None) and, for a
        theme about price, ``pricing`` (the outcome split and lost rates:
        where pricing breaks). Outcomes are ``unknown`` where the CRM gave none.
    """
    accounts = {s.account_id for s in segments if s.account_id}
    outcomes = _outcomes(segments)
    baseline = _outcomes(corpus)
    ctx: dict[str, Any] = {
        "segments": len(segments),
        "documents": len({s.doc_id for s in segments}),
        "accounts": len(accounts),
        "outcomes": outcomes,
        "baseline_outcomes": baseline,
        "lost_rate": _lost_rate(outcomes),
        "baseline_lost_rate": _lost_rate(baseline),
    }
    named = []
    for st in competitors:
        for name in competitor_names([st]) or (st.text.strip(),):
            if not name:
                continue
            pat = re.compile(rf"(?<![\w]){re.escape(name)}(?![\w])", re.IGNORECASE)
            hits = [s for s in segments if pat.search(s.text)]
            if hits:
                named.append({"statement_id": st.id, "name": name, "mentions": len(hits),
                              "accounts": len({s.account_id for s in hits if s.account_id}),
                              "outcomes": _outcomes(hits), "source": "statement"})
    if nlp is not None:
        flt = entities if entities is not None else entity_filter(competitors, corpus)
        named += named_organisations(segments, nlp, flt)
    named.sort(key=lambda c: (-c["mentions"], c["name"]))
    ctx["competitors"] = named
    if is_price_theme(theme):
        ctx["pricing"] = {"outcomes": outcomes, "lost_rate": ctx["lost_rate"],
                          "baseline_lost_rate": ctx["baseline_lost_rate"]}
    return ctx


def _describe_context(ctx: Mapping[str, Any]) -> str:
    if not ctx:
        return ""
    o = ctx["outcomes"]
    parts = [f" Raised in {ctx['documents']} calls and notes from {ctx['accounts']} accounts"
             f" (deals won {o['won']}, lost {o['lost']}, open {o['open']}"]
    if ctx["lost_rate"] is not None and ctx["baseline_lost_rate"] is not None:
        parts.append(f"; {100 * ctx['lost_rate']:.0f}% of closed deals lost against "
                     f"{100 * ctx['baseline_lost_rate']:.0f}% overall")
    parts.append(")")
    if ctx.get("competitors"):
        parts.append("; competitors named: " + ", ".join(f"{c['name']} ({c['mentions']})" for c in ctx["competitors"]))
    return "".join(parts) + "."


def _rise_score(theme: Theme) -> float:
    t = theme.trend
    growth = min(math.log2(1 + t.growth) / 4, 1.0)
    breadth = min(t.recent_accounts / 10, 1.0)
    signif = min(-math.log10(max(t.p_value, 1e-12)) / 6, 1.0)
    return round((growth + breadth + signif) / 3, 4)


def _describe_rise(theme: Theme) -> str:
    t = theme.trend
    return (f"{t.recent_count} documents from {t.recent_accounts} accounts in the last "
            f"{t.window_days} days, against {t.baseline_count} in the baseline before "
            f"({theme.status.value}, x{t.growth:.1f} share, p={t.p_value:.2g})")


def _refused_pieces(
    rising: Sequence[int],
    centroids: np.ndarray,
    statements: Sequence[Statement],
    alignment: Alignment,
    similarity: float,
) -> dict[int, tuple[int, int]]:
    """Rising themes that are split-off pieces of a refused need: theme -> (statement, sibling).

    A rising theme qualifies when it matches no statement, its nearest
    statement is a ``non_target``, and another theme whose centroid is at
    least ``similarity`` alike matches that very refusal (the most alike such
    theme is the sibling). Both tests are needed: nearness to a refusal alone
    also catches a new need that merely resembles the refused one more than
    any other statement; closeness to a refused theme alone catches a covered
    neighbour.
    """
    out: dict[int, tuple[int, int]] = {}
    if not len(statements) or alignment.similarity.shape[0] == 0:
        return out
    cents = np.asarray(centroids, np.float64)
    for i in rising:
        if alignment.matched[i].any():
            continue
        j = int(np.argmax(alignment.similarity[i]))
        if statements[j].kind != StatementKind.NON_TARGET:
            continue
        sims = cents @ cents[i]
        siblings = [k for k in np.flatnonzero(alignment.matched[:, j]) if k != i and sims[k] >= similarity]
        if siblings:
            out[i] = (j, int(max(siblings, key=lambda k: sims[k])))
    return out


def raise_flags(
    themes: Sequence[Theme],
    centroids: np.ndarray,
    statements: Sequence[Statement],
    alignment: Alignment,
    evidence_candidates: Mapping[str, Sequence[tuple[str, str]]],
    statement_heard: Sequence[tuple[int, Sequence[str]]],
    n_customer_segments: int,
    params: FlagParams = FlagParams(),
    families: Sequence[int] | None = None,
    *,
    theme_segments: Mapping[str, Sequence[Segment]] | None = None,
    corpus_segments: Sequence[Segment] = (),
    nlp: Any = None,
    company: str = "",
    pooled: Mapping[int, int] | None = None,
    pooled_alignment: Alignment | None = None,
    heard_alignment: Alignment | None = None,
) -> list[Flag]:
    """Flags of the three kinds, strongest first within each kind.

    Args:
        themes: this run's themes, aligned with ``centroids`` and the rows of ``alignment``.
        statements: the strategy's statements, aligned with its columns.
        evidence_candidates: theme id -> (segment_id, account key), best first.
        statement_heard: per statement, (how many customer segments raise it,
            in the theme family that holds the most of them; the closest
            segment ids); see :func:`nlp.alignment.statements_raised`.
        n_customer_segments: themeable segments in the run, the denominator.
        families: a family number per theme (see :func:`nlp.themes.group_themes`);
            a family raises at most one flag of each kind, on its strongest
            rising theme. Default: themes whose centroids are at least
            ``params.duplicate_similarity`` alike. Coverage is judged on the
            family's rising members only: a stable sibling's match covers nothing new.
        theme_segments: theme id -> its segments; with ``corpus_segments`` (all
            themeable segments) it gives each theme flag its CRM context
            (:func:`theme_context`). Without it, flags carry no context.
        nlp: a spaCy pipeline with NER: organisations and products named in a
            flagged theme's segments join its competitors, less ``company``,
            names the strategy uses outside ``competitor`` statements, the
            customers' account names and ordinary words (:func:`entity_filter`).
        pooled: family number -> row of ``pooled_alignment``, which matches
            each family's rising members pooled into one theme
            (:func:`nlp.alignment.pool_themes`): a real theme split into small
            pieces is judged as one. The family is refused when its pooled
            best match is a ``non_target`` (or any rising member matches one).
            Either way a family is covered when its members that match a
            covering statement carry more than half of its rising members'
            recent mentions (a tie is not covered).
        heard_alignment: further matches (e.g. whole families pooled) that
            count a value or priority as heard.
    """
    competitors = [st for st in statements if st.kind == StatementKind.COMPETITOR]
    entities = (entity_filter(statements, corpus_segments, company)
                if nlp is not None and theme_segments is not None else None)
    flags: list[Flag] = []
    groups = list(families) if families is not None else group_near_duplicates(
        centroids, params.duplicate_similarity)
    members: dict[int, list[int]] = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    for g in sorted(members, key=lambda g: min(themes[i].id for i in members[g])):
        rising = [i for i in members[g] if themes[i].status in RISING]
        if not rising:
            continue
        # the family's most-raised rising theme carries the flag; evidence comes from all of them
        rising.sort(key=lambda i: (-themes[i].trend.recent_count, -_rise_score(themes[i]), themes[i].id))
        cols: dict[int, int] = {}
        for i2 in rising:
            for j in np.flatnonzero(alignment.matched[i2]):
                if int(j) not in cols or alignment.similarity[i2, j] > alignment.similarity[cols[int(j)], j]:
                    cols[int(j)] = i2
        refused = [j for j in cols if statements[j].kind == StatementKind.NON_TARGET]
        ref_sim = {j: float(alignment.similarity[cols[j], j]) for j in refused}
        pieces = _refused_pieces(rising, centroids, statements, alignment, params.piece_similarity)
        for i2, (j, _) in pieces.items():
            if j not in ref_sim or alignment.similarity[i2, j] > ref_sim[j]:
                if j not in ref_sim:
                    refused.append(j)
                cols[j] = i2
                ref_sim[j] = float(alignment.similarity[i2, j])
        prow = pooled.get(g) if pooled is not None and pooled_alignment is not None else None
        if prow is not None and pooled_alignment is not None:
            pbest = pooled_alignment.best[prow]
            pcols = np.flatnonzero(pooled_alignment.matched[prow])
            if pbest is not None and pbest.kind == StatementKind.NON_TARGET:
                # the pieces together read as what the strategy says no to
                j = next(int(j) for j in pcols if statements[j].id == pbest.statement_id)
                if j not in ref_sim:
                    cols[j] = max(rising, key=lambda r: alignment.similarity[r, j])  # ties: the most raised
                    refused.append(j)
                ref_sim[j] = max(ref_sim.get(j, -1.0), float(pooled_alignment.similarity[prow, j]))
        covering = {i2 for i2 in rising if any(statements[j].kind in COVERING_KINDS
                                               for j in np.flatnonzero(alignment.matched[i2]))}
        # covered when the covered members carry most of the family's recent mentions: at a tie, half
        # of the rise is something no statement speaks to (and the pooled pieces' best match, which may
        # be a neighbouring statement's, decides nothing here)
        recent = sum(themes[r].trend.recent_count for r in rising)
        if recent:
            covered = 2 * sum(themes[r].trend.recent_count for r in covering) > recent
        else:
            covered = 2 * len(covering) > len(rising)
        # the family's most-raised rising theme carries the flag (an uncovered one for field_ahead)
        if refused:
            i = cols[max(refused, key=lambda j: ref_sim[j])]
        else:
            i = next((r for r in rising if r not in covering), rising[0])
        theme = themes[i]
        candidates = [c for r in [i, *rising] for c in evidence_candidates.get(themes[r].id, ())]
        evidence = _pick_evidence(candidates, params.max_evidence)
        related = [themes[r].id for r in members[g] if r != i]
        also = f" Related themes: {', '.join(related)}." if related else ""
        context: dict[str, Any] = {}
        if theme_segments is not None:
            segs = [s for r in rising for s in theme_segments.get(themes[r].id, ())]
            context = theme_context(theme, segs, corpus_segments, competitors, nlp=nlp, entities=entities)
        also += _describe_context(context)
        if refused:
            j = max(refused, key=lambda j: ref_sim[j])
            st = statements[j]
            sim = ref_sim[j]
            piece = pieces.get(i)
            near = (f", the nearest statement to it; its close neighbour {themes[piece[1]].id} "
                    f"\u201c{themes[piece[1]].label}\u201d matches it"
                    if piece is not None and piece[0] == j else "")
            summary = (f"Customers are pulling toward \u201c{theme.label}\u201d, which the strategy "
                       f"says no to (\u201c{st.text}\u201d, similarity {sim:.2f}{near}): "
                       f"{_describe_rise(theme)}.{also}")
            score = round(_rise_score(theme) * 0.7 + min(sim, 1.0) * 0.3, 4)
            flags.append(Flag(id=f"off_strategy:{theme.id}", kind=FlagKind.OFF_STRATEGY, theme_id=theme.id,
                              statement_id=st.id, score=score, summary=summary, evidence=evidence,
                              related_themes=tuple(related), context=context))
        elif not covered:
            # a theme the strategy explicitly refuses is addressed: it is off_strategy, not ahead
            summary = (f"Customers raise \u201c{theme.label}\u201d and no objective, target, value "
                       f"or priority covers it: {_describe_rise(theme)}.{also}")
            flags.append(Flag(id=f"field_ahead:{theme.id}", kind=FlagKind.FIELD_AHEAD, theme_id=theme.id,
                              statement_id=None, score=_rise_score(theme), summary=summary,
                              evidence=evidence, related_themes=tuple(related), context=context))
    denom = max(n_customer_segments, 1)
    for j, st in enumerate(statements):
        if st.kind not in HEARD_KINDS:
            continue
        if alignment.matched.shape[0] and alignment.matched[:, j].any():
            continue
        if any(a is not None and a.matched.shape[0] and a.matched[:, j].any()
               for a in (pooled_alignment, heard_alignment)):
            continue
        count, closest = statement_heard[j]
        share = count / denom
        if count >= max(params.min_heard, params.unheard_share * n_customer_segments):
            continue
        summary = (f"Customers barely raise the {st.kind.value} \u201c{st.text}\u201d: no theme matches it, "
                   f"and at most {count} customer segment{'' if count == 1 else 's'} of any one theme "
                   f"({n_customer_segments} in all) "
                   f"speak to it more than to any other statement.")
        need = max(params.min_heard, params.unheard_share * n_customer_segments)
        score = round(1.0 - count / need, 4)
        flags.append(Flag(id=f"strategy_unheard:{st.id}", kind=FlagKind.STRATEGY_UNHEARD,
                          theme_id=None, statement_id=st.id, score=score, summary=summary,
                          evidence=tuple(closest[: params.max_evidence]),
                          context={"segments_raising": count, "customer_segments": n_customer_segments,
                                   "share": round(share, 5)}))
    order = {FlagKind.FIELD_AHEAD: 0, FlagKind.OFF_STRATEGY: 1, FlagKind.STRATEGY_UNHEARD: 2}
    flags.sort(key=lambda f: (order[f.kind], -f.score, f.id))
    return flags
