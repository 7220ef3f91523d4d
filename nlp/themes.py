"""Describe clusters as themes: centroids, keywords, labels, exemplars."""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["LABEL_RULE", "ClusterSummary", "summarize_clusters", "cluster_centroids", "cluster_cohesion", "pick_exemplars",
           "group_themes", "join_rising_pieces", "neighbour_mixing", "people_words"]

logger = logging.getLogger(__name__)

#: Version of how labels are made; a theme keeps last run's label only under the same version
#: (pipelines.mine clusters in full when it changed). v2: redaction placeholders read as "someone";
#: v3: a part made only of listed names ("carrie lisa") is never used.
#: v5: no label part and no keyword holds the name of a person who speaks or writes in the corpus, nor what
#: the token pattern keeps of a contraction ("ll check" from "I'll check") or a note's "cc" and "fyi"; no
#: one-word keyword that the theme's texts use as an adjective or adverb is a label part ("Approval /
#: workflow", not "Approval / different").
#: v6: a noun phrase keeps its hyphenated words whole ("Three-way match", not "Way match"; "multi-tenant SaaS")
#: and drops a note's shorthand ("w/").
#: v7: the noun phrase holding the best-ranked keyword comes first ("2-way sync NetSuite / Sage Intacct" for a theme
#: whose first keywords are "sync, netsuite", not "Bills / payments", the phrases said most often); three phrases are
#: offered, so that one repeating the first ("Oil change" after "Oil") still leaves a phrase for the second part;
#: no part made only of words that say when ("march", "tomorrow morning"); content words of scikit-learn's stop
#: list ("bill", "interest", "due") can be keywords, and a keyword's plural or singular is not repeated; a first
#: keyword of two words the parse links leads the label when the first phrase holds only part of it ("Card declined").
LABEL_RULE = "labels.v7"

_TOKEN = r"(?u)\b[A-Za-z][A-Za-z0-9\-]+\b"
_PLACEHOLDER = re.compile(r"<[A-Z]+>")
_EXTRA_STOP = {
    "customer", "customers", "asked", "said", "mentioned", "wants", "want", "need", "needs",
    "call", "team", "think", "know", "like", "really", "just", "going", "get", "got", "yeah",
    "okay", "ok", "thing", "things", "lot", "way", "able", "looking", "look", "sure", "kind",
    "right", "actually", "maybe", "probably", "pretty", "guys", "today", "week", "weeks",
    "time", "let", "make", "also", "would", "could", "us", "we", "they", "rep", "follow",
    # what the token pattern keeps of a contraction ("I'll" -> "ll", "haven't" -> "haven"), where it is no
    # word ("won", "don" are: a deal won, Don); labels.v5
    "ll", "ve", "didn", "doesn", "haven", "hasn", "hadn", "isn", "wasn", "aren", "weren", "wouldn", "couldn",
    "shouldn",
    "cc", "fyi",  # a note's addressing, not its matter; labels.v5
}


@dataclass(frozen=True)
class ClusterSummary:
    """What describes one cluster before it gets its persistent id."""

    label: str
    keywords: tuple[str, ...]
    exemplar_idx: tuple[int, ...]  # indices into the clustered rows
    centroid: np.ndarray


def cluster_centroids(vectors: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Unit-length mean vector of each cluster 0..k-1."""
    cents = np.zeros((k, vectors.shape[1]), dtype=np.float32)
    for c in range(k):
        m = vectors[labels == c]
        if len(m):
            v = m.mean(axis=0)
            cents[c] = v / (np.linalg.norm(v) or 1.0)
    return cents


def cluster_cohesion(vectors: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Per cluster 0..k-1, the mean cosine of its members to its centroid (0 for an empty one).

    ``vectors`` are L2-normalised rows; the centroid is :func:`cluster_centroids`'.
    """
    cents = cluster_centroids(vectors, labels, k)
    inside = labels >= 0
    sims = np.einsum("ij,ij->i", vectors[inside], cents[labels[inside]])
    sums = np.bincount(labels[inside], weights=sims, minlength=k)
    counts = np.bincount(labels[inside], minlength=k)
    return np.divide(sums, counts, out=np.zeros(k), where=counts > 0)


def pick_exemplars(
    vectors: np.ndarray, centroid: np.ndarray, *, n: int = 5, diversity: float = 0.3
) -> list[int]:
    """Representative yet diverse rows: maximal marginal relevance to the centroid."""
    if len(vectors) == 0:
        return []
    rel = vectors @ centroid
    chosen: list[int] = [int(np.argmax(rel))]
    while len(chosen) < min(n, len(vectors)):
        red = (vectors @ vectors[chosen].T).max(axis=1)
        score = (1 - diversity) * rel - diversity * red
        score[chosen] = -np.inf
        chosen.append(int(np.argmax(score)))
    return chosen


#: Words of scikit-learn's English stop list that name what a customer raises: they stay keywords (labels.v7).
#: Not "first", "next", "last", "part", "side", "top": on calls and in notes they are mostly filler ("next steps",
#: "on our side", "first entity ... the rest").
_CONTENT_STOP_WORDS = frozenset("amount bill due interest name system".split())


def _ctfidf_keywords(texts_per_cluster: Sequence[str], top_n: int) -> list[list[tuple[str, float]]]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    stop = sorted((set(ENGLISH_STOP_WORDS) - _CONTENT_STOP_WORDS) | _EXTRA_STOP)
    if not texts_per_cluster:
        return []
    vec = CountVectorizer(ngram_range=(1, 2), stop_words=stop, token_pattern=_TOKEN, lowercase=True,
                          min_df=1)
    try:
        counts = vec.fit_transform(texts_per_cluster)
    except ValueError:  # only stop words
        return [[] for _ in texts_per_cluster]
    tf = counts.astype(np.float64)
    tf = tf.multiply(1.0 / np.maximum(tf.sum(axis=1), 1)).tocsr()
    avg_words = counts.sum() / max(counts.shape[0], 1)
    freq = np.asarray(counts.sum(axis=0)).ravel()
    idf = np.log(1 + avg_words / np.maximum(freq, 1))
    scores = tf.multiply(idf).tocsr()
    vocab = np.array(vec.get_feature_names_out())
    out = []
    for i in range(scores.shape[0]):
        row = scores.getrow(i).toarray().ravel()
        idx = np.argsort(-row, kind="stable")[: top_n * 3]
        out.append([(str(vocab[j]), float(row[j])) for j in idx if row[j] > 0])
    return out


def _dedupe_keywords(scored: list[tuple[str, float]], top_n: int, *, bigram_share: float = 0.6) -> list[str]:
    """The strongest terms, with a bigram standing in for its words only when nearly as strong.

    A bigram replaces a kept word it contains when its score is at least
    ``bigram_share`` of that word's; a weaker bigram is dropped instead, and a
    word already covered by a kept bigram is not repeated.
    """
    kept: list[tuple[str, float]] = []
    for term, score in scored:
        words = term.split()
        if any(term == k for k, _ in kept):
            continue
        if len(words) == 1:
            # a word already kept, alone or in a bigram, or its singular or plural ("invoice", "invoices")
            forms = {term, term + "s", term[:-1] if term.endswith("s") else term}
            if any(forms & set(k.split()) for k, _ in kept):
                continue
            kept.append((term, score))
        else:
            inside = [(k, s) for k, s in kept if k in words]
            if any(score < bigram_share * s for _, s in inside):
                continue
            kept = [(k, s) for k, s in kept if k not in words]
            kept.append((term, score))
        if len(kept) >= top_n:
            break
    return [k for k, _ in kept]


def _words(text: str) -> frozenset[str]:
    return frozenset(w.rstrip("s") for w in re.findall(r"[a-z0-9]+", text.lower()))


def _names_only(part: str) -> bool:
    """A part of two or more words, each a listed given name or surname ("carrie lisa"): people, not a theme."""
    from nlp.pii import listed_names

    words = re.findall(r"[a-z]+", part.lower())
    if len(words) < 2:
        return False
    given, family = listed_names()
    return all(w in given or w in family for w in words)


def _has_a_name(part: str, english: frozenset[str]) -> bool:
    """A part of two or more words, one of them a listed name that is no English word ("lisa schedule").

    ``english``: the base forms a spaCy pipeline's lemmatizer knows (empty: never).
    A single word stays ("alexa" may be the product), and so does a name that is
    also a word ("grant application", "rose garden").
    """
    from nlp.pii import listed_names

    words = re.findall(r"[a-z]+", part.lower())
    if len(words) < 2 or not english:
        return False
    given, family = listed_names()
    return any((w in given or w in family) and w not in english for w in words)


def english_words(nlp: Any) -> frozenset[str]:
    """The base forms of nouns, verbs, adjectives and adverbs a spaCy pipeline's lemmatizer knows (may be empty)."""
    from nlp.spacy_import import lemma_index

    return frozenset().union(*lemma_index(nlp).values())


def people_words(names: Iterable[str], texts: Iterable[str] = ()) -> frozenset[str]:
    """The words of people's names (speakers, authors), lower case, three letters or more, less those the
    ``texts`` also write in lower case: a Grant or a Rose who speaks keeps "grant application" and
    "rose garden" where the corpus writes them so, while "Beth" and "Shauna", always capitalised, go."""
    words = {p for name in names for w in str(name).lower().split() if not any(c.isdigit() for c in w)
             for p in re.findall(r"[a-z]+", w) if len(p) >= 3}  # "O'Rourke": "rourke"; an owner id is no name
    if not words:
        return frozenset()
    common = {w for t in texts for w in re.findall(r"\b[a-z]+\b", t)} & words
    return frozenset(words - common)


def _names_someone(part: str, people: frozenset[str]) -> bool:
    """A part with a word of the name of someone who speaks or writes in the corpus ("timing / shauna")."""
    return bool(people) and any(w in people for w in re.findall(r"[a-z]+", part.lower()))


def _modifiers(docs: Sequence[Any], keywords: Sequence[str]) -> frozenset[str]:
    """The one-word keywords that the parsed texts use mostly as an adjective or adverb ("different",
    "live" in "go live", "honestly"): they say how, not what. Verbs stay: in "spell", "remind", "clear"
    the verb is the need."""
    tags: dict[str, Counter[bool]] = {k: Counter() for k in keywords if " " not in k}
    for doc in docs:
        for t in doc:
            if t.lower_ in tags:
                tags[t.lower_][t.pos_ in ("ADJ", "ADV")] += 1
    return frozenset(k for k, c in tags.items() if c[True] > c[False])


#: Words that say when, not what: a label part made only of them ("march", "tomorrow morning", "friday") is never
#: used (labels.v7). "may" is left out: it is a modal verb far more often than a month.
_WHEN = frozenset(
    "january february march april june july august september october november december jan feb mar apr jun jul aug "
    "sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday tue tues thu thur thurs fri "
    "today tomorrow tonight yesterday morning afternoon evening night weekend day days week weeks month "
    "months year years noon midnight am pm".split())


def _label_from(keywords: Sequence[str], phrases: Sequence[str], english: frozenset[str] = frozenset(),
                people: frozenset[str] = frozenset(), modifiers: frozenset[str] = frozenset()) -> str:
    """Two distinct key phrases joined by " / "; parts with the same words count once, names never, no
    one-word keyword that the texts use as an adjective or adverb (``modifiers``), and no part made only of
    words that say when (:data:`_WHEN`)."""
    parts: list[str] = []
    for p in list(phrases) + [k for k in keywords if k not in modifiers]:
        w = _words(p)
        if (not w or w <= _WHEN or any(w <= _words(q) or _words(q) <= w for q in parts) or _names_only(p)
                or _has_a_name(p, english) or _names_someone(p, people)):
            continue
        parts.append(p)
        if len(parts) == 2:
            break
    if not parts:
        return "(unlabelled)"
    text = " / ".join(parts)
    return text[0].upper() + text[1:]


#: Number words as digits, so that "three-way match" and "3-way match" are one phrase.
_NUMBERS = {w: str(i) for i, w in enumerate("zero one two three four five six seven eight nine ten".split())}
#: A note's shorthand that is no word of a phrase: "w/", "w/o", "b/c".
_SHORTHAND = re.compile(r"^[a-z]/[a-z]?$", re.IGNORECASE)


def _phrase_tokens(chunk: Any) -> list[Any]:
    """The tokens of a noun chunk that make a label phrase: no stop word, punctuation, number, pronoun or
    note shorthand, except inside a hyphenated word, which stays whole ("three-way match", "multi-tenant
    SaaS", "month-end close"), its hyphens included."""
    toks = list(chunk)

    def hyphen(k: int) -> bool:  # a hyphen glued to the tokens on both sides
        return (0 < k < len(toks) - 1 and toks[k].text == "-" and not toks[k - 1].whitespace_
                and not toks[k].whitespace_)

    keep = [k for k, t in enumerate(toks)
            if hyphen(k) or hyphen(k - 1) or hyphen(k + 1)
            or not (t.is_stop or t.is_punct or t.like_num or t.pos_ == "PRON" or _SHORTHAND.match(t.text))]
    return [toks[k] for k in keep]


def _joined(tokens: Sequence[Any], text: Callable[[Any], str]) -> str:
    """Tokens joined by spaces, but with no space on either side of a hyphen."""
    out = ""
    for i, t in enumerate(tokens):
        glue = i == 0 or t.text == "-" or tokens[i - 1].text == "-"
        out += ("" if glue else " ") + text(t)
    return out


def _noun_phrases(docs: Sequence[Any], keywords: Sequence[str], top: int = 3) -> list[str]:
    """Noun phrases from parsed texts that contain the cluster's keywords: those holding a higher-ranked
    keyword first (labels.v7), then the most frequent."""
    # each word of the top six keywords -> the rank of the first keyword that holds it
    rank: dict[str, int] = {}
    for i, k in enumerate(keywords[:6]):
        for w in k.split():
            rank.setdefault(w, i)
    counts: Counter[str] = Counter()
    best: dict[str, int] = {}
    surfaces: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for doc in docs:
        for chunk in doc.noun_chunks:
            toks = _phrase_tokens(chunk)
            if not toks or len([t for t in toks if t.text != "-"]) > 4:
                continue
            key = _joined(toks, lambda t: _NUMBERS.get(t.lower_, t.lemma_.lower()))  # "three-way" is "3-way"
            held = [rank[w] for t in toks for w in (t.lower_, t.lemma_.lower()) if w in rank]
            if not held:
                continue
            counts[key] += 1
            best[key] = min(held)
            surfaces[key][_joined(toks, lambda t: t.text)] += 1
    # the phrase holding the best-ranked keyword first ("2-way sync NetSuite" before "bills" in a theme
    # whose first keyword is "sync"); among equals a longer phrase says more: each word, and each part of a
    # hyphenated one, adds 0.3 to its weight
    ranked = sorted(counts.items(), key=lambda kv: (best[kv[0]], -kv[1] * (1 + 0.3 * len(re.split(r"[\s-]+", kv[0]))),
                                                     kv[0]))
    # each phrase as it is written most often (first written, at a tie)
    return [surfaces[k].most_common(1)[0][0] for k, c in ranked if c >= 2][:top]


#: The parse links that make two words one phrase: a verb and its object ("flip coin", "set alarm"), a passive
#: subject ("card declined"), a compound, a modifier ("lost luggage"), a particle or complement.
_PHRASE_LINKS = frozenset({"dobj", "obj", "nsubjpass", "compound", "amod", "prt", "xcomp", "attr", "acomp"})


def _linked(docs: Sequence[Any], bigram: str, min_docs: int = 2) -> bool:
    """Whether the two words of ``bigram`` (as written or as lemmas) are joined by one of :data:`_PHRASE_LINKS`
    in at least ``min_docs`` of the parsed texts: "card declined" in "my card was declined", not "bills come"
    (a subject and its verb) nor "did spend"."""
    pair = set(bigram.split())
    if len(pair) != 2:
        return False
    found = 0
    for doc in docs:
        if any(t.head is not t and t.dep_ in _PHRASE_LINKS
               and ({t.lower_, t.head.lower_} == pair or {t.lemma_.lower(), t.head.lemma_.lower()} == pair)
               for t in doc):
            found += 1
            if found >= min_docs:
                return True
    return False


def _keyword_before_its_part(docs: Sequence[Any], keywords: Sequence[str], phrases: list[str]) -> list[str]:
    """labels.v7: when the first keyword is two words the texts' parse links (:func:`_linked`) and the first
    noun phrase holds only part of it, the keyword leads: "Card declined", not "Card"; "Flip coin", not
    "Coin". A noun phrase misses the verb or participle that is the need."""
    if keywords and phrases and " " in keywords[0] and _words(phrases[0]) < _words(keywords[0]) \
            and _linked(docs, keywords[0]):
        return [keywords[0], *phrases]
    return phrases


def summarize_clusters(
    texts: Sequence[str],
    vectors: np.ndarray,
    labels: np.ndarray,
    *,
    nlp: Any = None,
    n_keywords: int = 8,
    n_exemplars: int = 5,
    max_texts_for_phrases: int = 20,
    known_labels: dict[int, str] | None = None,
    people: Iterable[str] = (),
) -> list[ClusterSummary]:
    """Keywords (class-based TF-IDF), a readable label and exemplars per cluster.

    Args:
        texts: the clustered texts, aligned with ``vectors`` and ``labels``.
        vectors: L2-normalised embeddings.
        labels: cluster per row, -1 for none; clusters are 0..k-1.
        nlp: an optional spaCy pipeline with a parser; its noun phrases make labels.
        known_labels: cluster -> label to keep (a theme whose members barely
            changed since the last run keeps its name; its texts are not parsed).
        people: the names of the people who speak or write in the corpus (call
            speakers, note authors); no label part and no keyword holds a word of
            them that ``texts`` never write in lower case (:func:`people_words`):
            "Timing / Shauna" says who, not what.

    Returns:
        One summary per cluster, in cluster order.
    """
    k = int(labels.max()) + 1 if len(labels) and labels.max() >= 0 else 0
    if k == 0:
        return []
    cents = cluster_centroids(vectors, labels, k)
    # redaction placeholders (<PERSON>, <EMAIL>, ...) are not what a theme is about
    joined = [_PLACEHOLDER.sub(" ", " ".join(texts[i] for i in np.flatnonzero(labels == c))) for c in range(k)]
    scored = _ctfidf_keywords(joined, n_keywords)
    near: list[np.ndarray] = []
    parsed: dict[int, Any] = {}
    known = known_labels or {}
    if nlp is not None:  # the texts nearest each centroid, parsed in one pass
        for c in range(k):
            idx = np.flatnonzero(labels == c)
            take = 0 if c in known else max_texts_for_phrases
            near.append(idx[np.argsort(-(vectors[idx] @ cents[c]), kind="stable")[:take]])
        wanted = sorted({int(i) for n in near for i in n})
        # a placeholder is parsed as a pronoun ("Reached someone's assistant"), never as part of a phrase
        parsed = dict(zip(wanted, nlp.pipe((_PLACEHOLDER.sub("someone", texts[i]) for i in wanted),
                                           batch_size=256)))
    english = english_words(nlp)
    names = people_words(people, texts)
    out = []
    for c in range(k):
        idx = np.flatnonzero(labels == c)
        terms = [(t, v) for t, v in scored[c] if not _names_someone(t, names)] if c < len(scored) else []
        keywords = _dedupe_keywords(terms, n_keywords)
        ex_local = pick_exemplars(vectors[idx], cents[c], n=n_exemplars)
        exemplars = tuple(int(idx[i]) for i in ex_local)
        phrases: list[str] = []
        if c in known:
            label = known[c]
        else:
            modifiers: frozenset[str] = frozenset()
            if nlp is not None:
                docs = [parsed[int(i)] for i in near[c]]
                phrases = _keyword_before_its_part(docs, keywords, _noun_phrases(docs, keywords))
                modifiers = _modifiers(docs, keywords)
            label = _label_from(keywords, phrases, english, names, modifiers)
        out.append(ClusterSummary(label=label, keywords=tuple(keywords), exemplar_idx=exemplars,
                                  centroid=cents[c]))
    return out


def normalise_label(label: str) -> str:
    """Collapse whitespace in a label."""
    return re.sub(r"\s+", " ", label).strip()


def group_themes(centroids: np.ndarray, similarity: float) -> list[int]:
    """Families of near-duplicate themes: average-linkage groups of centroids.

    Two groups join while the mean cosine similarity between their themes'
    centroids is at least ``similarity``. Returns a family number per theme,
    numbered by first appearance.
    """
    k = len(centroids)
    if k < 2:
        return list(range(k))
    from scipy.cluster.hierarchy import fcluster, linkage

    z = linkage(np.asarray(centroids, dtype=np.float64), method="average", metric="cosine")
    raw = fcluster(z, t=1.0 - similarity, criterion="distance")
    first: dict[int, int] = {}
    return [first.setdefault(int(r), len(first)) for r in raw]


def neighbour_mixing(a: np.ndarray, b: np.ndarray, k: int = 5, max_members: int = 1000) -> float:
    """How much two themes' members mingle: the share of their nearest neighbours across the border.

    Each member of ``a`` and ``b`` (unit rows) looks at its ``k`` nearest other members of the
    two together; the result is the mean share of those that lie in the other theme. Two pieces
    of one need, cut apart where they touch, mingle at their border; two distinct needs do not.
    A theme of more than ``max_members`` members is read through that many, evenly spaced, so
    the comparison stays small (and the same run to run) at any corpus size. No member looks at
    more neighbours than the smaller theme can give from its own side (``k`` at most its size less
    one): a member of a theme of five has only four others, and a fifth neighbour across the border
    would be counted as mingling when it is only the theme's size (two themes of 5 and 6 members
    far apart read 0.091 before).
    """
    a, b = (np.asarray(v, np.float32) for v in (a, b))
    a, b = (v[np.linspace(0, len(v) - 1, max_members).astype(np.int64)] if len(v) > max_members else v
            for v in (a, b))
    x = np.concatenate([a, b])
    n = len(x)
    if not len(a) or not len(b) or n < 2:
        return 0.0
    k = min(k, len(a) - 1, len(b) - 1)
    if k < 1:
        return 0.0
    sims = x @ x.T
    np.fill_diagonal(sims, -np.inf)
    near = np.argsort(-sims, axis=1, kind="stable")[:, :k]
    side = np.arange(n) >= len(a)
    return float((side[near] != side[:, None]).mean())


def join_rising_pieces(
    families: Sequence[int],
    centroids: np.ndarray,
    rising: Sequence[bool],
    similarity: float,
    members: Sequence[np.ndarray | None] | None = None,
    min_mixing: float = 0.0,
    sure_similarity: float = 1.0,
) -> list[int]:
    """Families joined where two of their rising themes are pieces of one need.

    Clustering can split one need into pieces that average linkage keeps in
    separate families (a travel-alert need split into "travel alert" and the
    countries people name). Two themes that rise in the same window are read as
    one need when their centroids are at least ``sure_similarity`` alike, or at
    least ``similarity`` alike and their members (``members``: each theme's
    member vectors; only rising themes' are read, None for the rest) mingle:
    :func:`neighbour_mixing` at least ``min_mixing``.
    Centres alone cannot tell a split need from two neighbouring ones at a
    moderate cosine; pieces cut from one need touch, distinct needs keep apart.
    Their families join (single linkage over rising themes only): the need
    raises one flag, not one per piece. Themes that do not rise never join
    anything. Returns a family number per theme, numbered by first appearance.
    """
    from scipy.sparse.csgraph import connected_components

    fam = np.asarray(families, dtype=np.int64)
    if fam.size == 0:
        return []
    up = np.asarray(rising, dtype=bool)
    c = np.asarray(centroids, np.float64)
    close = (c @ c.T >= similarity) & up[:, None] & up[None, :]
    np.fill_diagonal(close, False)
    for i, j in zip(*np.nonzero(np.triu(close))):
        cos = float(c[i] @ c[j])
        if cos >= sure_similarity or members is None:  # one need whatever the members
            logger.info("themes: rising themes %d and %d: centres %.3f alike: one need", i, j, cos)
            continue
        mixing = neighbour_mixing(members[i], members[j])
        close[i, j] = close[j, i] = mixing >= min_mixing
        logger.info("themes: rising themes %d and %d: centres %.3f alike, mixing %.3f: %s", i, j, cos, mixing,
                    "one need" if close[i, j] else "apart")
    # themes are linked when they share a family, or both rise and are pieces of one need: families are the components
    linked = (fam[:, None] == fam[None, :]) | close
    _, component = connected_components(linked, directed=False)
    first: dict[int, int] = {}
    return [first.setdefault(int(r), len(first)) for r in component]
